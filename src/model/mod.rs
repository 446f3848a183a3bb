//! Bargaining models. `mediated_nash` is the first: two belligerents bargain round by round
//! over a package of issues while the war goes on between rounds and mediators apply leverage
//! (docs/MODEL.md gives its equations).

pub mod nash;
mod round;

use crate::engine::rng::{BlockPlan, SlotRef};
use crate::engine::{Layout, Model, RoundInfo, Site, TermKind, TermSpec, TrialRecord, TrialRng};
use crate::scenario::sampler::InverseCdf;
use crate::scenario::schema::{Level, ProposalRule, Scenario, Track};
use crate::scenario::validate::concession_direction;
use crate::scenario::{Param, Sampler};

/// Index of a parameter's value in the per-trial draw vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct P(usize);

#[derive(Debug, Clone)]
enum Space {
    Continuous { min: f64, max: f64 },
    Ordered { n: usize },
}

impl Space {
    /// Position on [0, 1].
    fn normalize(&self, x: f64) -> f64 {
        match *self {
            Space::Continuous { min, max } => (x - min) / (max - min),
            Space::Ordered { n } => x / (n - 1) as f64,
        }
    }
}

#[derive(Debug, Clone)]
struct IssueC {
    space: Space,
    reversion: Option<P>,
}

#[derive(Debug, Clone)]
struct PositionC {
    ideal: P,
    salience: P,
    red_line: Option<P>,
    /// +1 when the other side's ideal lies above this side's, -1 below (see validation).
    direction: f64,
}

#[derive(Debug, Clone)]
struct PartyC {
    capability: P,
    cost_of_war: P,
    patience: P,
    optimism: P,
    mistrust: P,
    positions: Vec<PositionC>,
}

#[derive(Debug, Clone, Copy, Default)]
struct LeverageC {
    pressure: Option<P>,
    guarantees: Option<P>,
    information: Option<P>,
    side_payments: Option<P>,
}

#[derive(Debug, Clone)]
struct RoundC {
    months: P,
    /// Mediators listed for the round: index, chance of engaging (None: always), its slot.
    mediators: Vec<(usize, Option<P>, SlotRef)>,
    level: Level,
    attendance: [P; 2],
    events: Vec<(usize, SlotRef)>,
    slot_attend: [SlotRef; 2],
    slot_will: [SlotRef; 2],
    slot_defect: [SlotRef; 2],
    slot_incident: SlotRef,
    slot_battlefield: SlotRef,
    slot_humanitarian: SlotRef,
    slot_collapse: SlotRef,
}

#[derive(Debug, Clone, Default)]
struct EffectsC {
    battlefield_shift: Option<P>,
    cost_change: Vec<(usize, P)>,
    capability_change: Vec<(usize, P)>,
    optimism_change: Vec<(usize, P)>,
    attendance_factor: Vec<(usize, P)>,
    collapse_hazard: Option<P>,
}

#[derive(Debug, Clone)]
struct EventC {
    probability: P,
    effects: EffectsC,
}

#[derive(Debug, Clone)]
struct SettingsC {
    rule: ProposalRule,
    first_proposer: usize,
    bf_initial: P,
    bf_max_drift: P,
    bf_volatility: P,
    learning: P,
    weariness: P,
    will_noise: P,
    humanitarian: P,
    collapse: P,
    fragility: P,
}

/// The `mediated_nash` model compiled from a validated scenario.
#[derive(Debug, Clone)]
pub struct MediatedNash {
    layout: Layout,
    params: Vec<Param>,
    /// The uncertain parameters: index into `params`, slot and sampler.
    uncertain: Vec<(usize, SlotRef, Sampler)>,
    /// Every block a trial reads: the uncertain parameters' slots and the rounds'.
    plan: BlockPlan,
    issues: Vec<IssueC>,
    battlefield: usize,
    /// The ceasefire issue and the scope of each of its options.
    ceasefire: Option<(usize, Vec<f64>)>,
    /// Settlement-track issues, in scenario order; their order is the order of the terms.
    settlement: Vec<usize>,
    parties: [PartyC; 2],
    /// The side whose ideal on the battlefield issue is the higher one.
    high_side: usize,
    mediators: Vec<[LeverageC; 2]>,
    rounds: Vec<RoundC>,
    events: Vec<EventC>,
    settings: SettingsC,
    keys: Vec<String>,
    names: Names,
}

/// Registers parameters and random draws, each with its slot (docs/MODEL.md §8 lists them).
#[derive(Default)]
struct Registry {
    params: Vec<Param>,
    /// The slot and sampler of each uncertain parameter.
    draws: Vec<Option<(SlotRef, Sampler)>>,
    keys: Vec<String>,
    plan: BlockPlan,
}

impl Registry {
    /// A parameter under its stable `key`, drawn (if uncertain) from slot `index` of `site`.
    fn add(&mut self, key: &str, p: &Param, site: &str, index: u32) -> P {
        let draw = match Sampler::new(p) {
            Sampler::Fixed(_) => None,
            s if s.reads_several_words() => Some((self.plan.wide_slot(Site::named(site), index), s)),
            s => Some((self.plan.slot(Site::named(site), index), s)),
        };
        self.params.push(p.clone());
        self.draws.push(draw);
        self.keys.push(key.to_string());
        P(self.params.len() - 1)
    }

    /// A random draw of a round: slot `index` of site `site`.
    fn draw(&mut self, site: &str, index: u32) -> SlotRef {
        self.plan.slot(Site::named(site), index)
    }
}

/// Names for telling a trial's story (`sim trace`).
#[derive(Debug, Clone)]
struct Names {
    parties: [String; 2],
    issues: Vec<String>,
    options: Vec<Option<Vec<String>>>,
    units: Vec<String>,
    mediators: Vec<String>,
    events: Vec<String>,
    ceasefire_options: Vec<String>,
    battlefield_unit: String,
}

/// One trial told round by round.
#[derive(Debug, Clone)]
pub struct Trace {
    /// Every parameter's stable key and drawn value, in compilation order.
    pub draws: Vec<(String, f64)>,
    /// Notes, each with the index of its round.
    pub notes: Vec<(usize, String)>,
    pub record: TrialRecord,
}

impl MediatedNash {
    /// Compiles a scenario that has passed validation.
    pub fn new(s: &Scenario) -> MediatedNash {
        let mut reg = Registry::default();
        let issue_index = |id: &str| s.issues.iter().position(|i| i.id == id).expect("validated issue id");
        let party_index = |id: &str| s.parties.iter().position(|p| p.id == id).expect("validated party id");
        let m = &s.model;
        let settings = SettingsC {
            rule: m.proposal.rule,
            first_proposer: m.proposal.first_proposer.as_deref().map_or(0, party_index),
            bf_initial: reg.add("model.battlefield.initial", &m.battlefield.initial, "param:model", 0),
            bf_max_drift: reg.add(
                "model.battlefield.max_drift_per_month",
                &m.battlefield.max_drift_per_month,
                "param:model",
                1,
            ),
            bf_volatility: reg.add(
                "model.battlefield.volatility_per_month",
                &m.battlefield.volatility_per_month,
                "param:model",
                2,
            ),
            learning: reg.add("model.learning_per_month", &m.learning_per_month, "param:model", 3),
            weariness: reg.add("model.war_weariness_per_month", &m.war_weariness_per_month, "param:model", 4),
            will_noise: reg.add("model.political_will_noise", &m.political_will_noise, "param:model", 5),
            humanitarian: reg.add("model.humanitarian_rate", &m.humanitarian_rate, "param:model", 6),
            collapse: reg.add("model.collapse_hazard", &m.collapse_hazard, "param:model", 7),
            fragility: reg.add("model.ceasefire_fragility", &m.ceasefire_fragility, "param:model", 8),
        };
        let issues: Vec<IssueC> =
            s.issues
                .iter()
                .map(|i| IssueC {
                    space: match (&i.scale, &i.options) {
                        (Some(sc), _) => Space::Continuous { min: sc.min, max: sc.max },
                        (None, Some(o)) => Space::Ordered { n: o.len() },
                        (None, None) => unreachable!("validated issue has a scale or options"),
                    },
                    reversion: i.reversion.as_ref().map(|r| {
                        reg.add(&format!("issues.{}.reversion", i.id), r, &format!("param:issues.{}", i.id), 0)
                    }),
                })
                .collect();
        let battlefield = issue_index(&m.battlefield.issue);
        let ceasefire = s
            .issues
            .iter()
            .position(|i| i.track == Track::Ceasefire)
            .map(|k| (k, s.issues[k].scope.clone().expect("validated ceasefire scope")));
        let settlement: Vec<usize> = (0..s.issues.len()).filter(|&k| s.issues[k].track == Track::Settlement).collect();
        let compile_party = |reg: &mut Registry, i: usize| {
            let party = &s.parties[i];
            let other = &s.parties[1 - i];
            let key = |f: &str| format!("parties.{}.{f}", party.id);
            let site = format!("param:parties.{}", party.id);
            // Both sides' positions on an issue share the issue's site, side 0 in slots 1-3.
            let first = 1 + 3 * u32::try_from(i).expect("two sides");
            PartyC {
                capability: reg.add(&key("capability"), &party.capability, &site, 0),
                cost_of_war: reg.add(&key("cost_of_war"), &party.cost_of_war, &site, 1),
                patience: reg.add(&key("patience"), &party.patience, &site, 2),
                optimism: reg.add(&key("optimism"), &party.optimism, &site, 3),
                mistrust: reg.add(&key("mistrust"), &party.mistrust, &site, 4),
                positions: s
                    .issues
                    .iter()
                    .map(|issue| {
                        let pos = &party.positions[&issue.id];
                        let at = |f: &str| key(&format!("positions.{}.{f}", issue.id));
                        let site = format!("param:issues.{}", issue.id);
                        PositionC {
                            ideal: reg.add(&at("ideal"), &pos.ideal, &site, first),
                            salience: reg.add(&at("salience"), &pos.salience, &site, first + 1),
                            red_line: pos.red_line.as_ref().map(|r| reg.add(&at("red_line"), r, &site, first + 2)),
                            direction: concession_direction(&pos.ideal, &other.positions[&issue.id].ideal),
                        }
                    })
                    .collect(),
            }
        };
        let parties = [compile_party(&mut reg, 0), compile_party(&mut reg, 1)];
        let bf_id = &m.battlefield.issue;
        let high_side =
            usize::from(s.parties[1].positions[bf_id].ideal.central() > s.parties[0].positions[bf_id].ideal.central());
        let mediators = s
            .mediators
            .iter()
            .map(|med| {
                let mut lev = [LeverageC::default(); 2];
                let site = format!("param:mediators.{}", med.id);
                for (target, l) in &med.leverage {
                    let side = party_index(target);
                    let key = |f: &str| format!("mediators.{}.leverage.{target}.{f}", med.id);
                    // Four slots per side: the channels in field order.
                    let mut add = |p: &Option<Param>, f: &str, k: u32| {
                        p.as_ref().map(|p| reg.add(&key(f), p, &site, 4 * side as u32 + k))
                    };
                    lev[side] = LeverageC {
                        pressure: add(&l.pressure, "pressure", 0),
                        guarantees: add(&l.guarantees, "guarantees", 1),
                        information: add(&l.information, "information", 2),
                        side_payments: add(&l.side_payments, "side_payments", 3),
                    };
                }
                lev
            })
            .collect();
        let events: Vec<EventC> = s
            .events
            .iter()
            .map(|ev| {
                let key = |f: &str| format!("events.{}.{f}", ev.id);
                let site = format!("param:events.{}", ev.id);
                let e = &ev.effects;
                let probability = reg.add(&key("probability"), &ev.probability, &site, 0);
                let battlefield_shift =
                    e.battlefield_shift.as_ref().map(|p| reg.add(&key("effects.battlefield_shift"), p, &site, 1));
                let collapse_hazard =
                    e.collapse_hazard.as_ref().map(|p| reg.add(&key("effects.collapse_hazard"), p, &site, 2));
                // Four slots per side from slot 3: the effects in field order.
                let mut per_party = |field: &str, k: u32, map: &std::collections::BTreeMap<String, Param>| {
                    map.iter()
                        .map(|(party, p)| {
                            let side = party_index(party);
                            (
                                side,
                                reg.add(&key(&format!("effects.{field}.{party}")), p, &site, 3 + 4 * side as u32 + k),
                            )
                        })
                        .collect::<Vec<_>>()
                };
                let cost_change = per_party("cost_change", 0, &e.cost_change);
                let capability_change = per_party("capability_change", 1, &e.capability_change);
                let optimism_change = per_party("optimism_change", 2, &e.optimism_change);
                let attendance_factor = per_party("attendance_factor", 3, &e.attendance_factor);
                EventC {
                    probability,
                    effects: EffectsC {
                        battlefield_shift,
                        cost_change,
                        capability_change,
                        optimism_change,
                        attendance_factor,
                        collapse_hazard,
                    },
                }
            })
            .collect();
        let rounds = s
            .rounds
            .iter()
            .map(|r| {
                let here = format!("round:{}", r.id);
                let at_mediators = format!("round:{}/mediators", r.id);
                let mediators = r
                    .mediators
                    .iter()
                    .map(|med| {
                        let id = med.id();
                        let index = s.mediators.iter().position(|m| m.id == id).expect("validated mediator");
                        let slot = 2 * u32::try_from(index).expect("validated mediator count");
                        let presence = med.presence().map(|p| {
                            reg.add(&format!("rounds.{}.mediators.{id}.presence", r.id), p, &at_mediators, slot)
                        });
                        (index, presence, reg.draw(&at_mediators, slot + 1))
                    })
                    .collect();
                let months = reg.add(&format!("rounds.{}.months_before", r.id), &r.months_before, &here, 0);
                let attendance = [0, 1].map(|i| {
                    let id = &s.parties[i].id;
                    let key = format!("rounds.{}.delegations.{id}.attendance", r.id);
                    reg.add(&key, &r.delegations[id].attendance, &here, 1 + i as u32)
                });
                let at_events = format!("round:{}/events", r.id);
                let events = s
                    .events
                    .iter()
                    .enumerate()
                    .filter(|(_, ev)| ev.rounds.as_ref().is_none_or(|rs| rs.contains(&r.id)))
                    .map(|(e, _)| (e, reg.draw(&at_events, u32::try_from(e).expect("validated event count"))))
                    .collect();
                let mut per_side = |first: u32| [first, first + 1].map(|k| reg.draw(&here, k));
                RoundC {
                    months,
                    mediators,
                    level: s.parties.iter().map(|p| r.delegations[&p.id].level).min().expect("two parties"),
                    attendance,
                    events,
                    slot_attend: per_side(7),
                    slot_will: per_side(9),
                    slot_defect: per_side(11),
                    slot_incident: reg.draw(&here, 3),
                    slot_battlefield: reg.draw(&here, 4),
                    slot_humanitarian: reg.draw(&here, 5),
                    slot_collapse: reg.draw(&here, 6),
                }
            })
            .collect();
        let layout = Layout {
            rounds: s
                .rounds
                .iter()
                .map(|r| RoundInfo { id: r.id.clone(), label: r.label.clone(), date: r.date.clone() })
                .collect(),
            terms: settlement
                .iter()
                .map(|&k| {
                    let i = &s.issues[k];
                    TermSpec {
                        issue: i.id.clone(),
                        label: i.label.clone(),
                        kind: match (&i.scale, &i.options) {
                            (Some(sc), _) => TermKind::Continuous { min: sc.min, max: sc.max, unit: sc.unit.clone() },
                            (None, Some(o)) => TermKind::Options(o.clone()),
                            (None, None) => unreachable!("validated issue has a scale or options"),
                        },
                    }
                })
                .collect(),
            ceasefire_options: ceasefire
                .as_ref()
                .map(|(k, _)| s.issues[*k].options.clone().expect("validated options")),
        };
        let names = Names {
            parties: [0, 1].map(|i| s.parties[i].name.clone()),
            issues: s.issues.iter().map(|i| i.label.clone()).collect(),
            options: s.issues.iter().map(|i| i.options.clone()).collect(),
            units: s.issues.iter().map(|i| i.scale.as_ref().map_or(String::new(), |sc| sc.unit.clone())).collect(),
            mediators: s.mediators.iter().map(|m| m.name.clone()).collect(),
            events: s.events.iter().map(|e| e.label.clone()).collect(),
            ceasefire_options: ceasefire
                .as_ref()
                .map(|(k, _)| s.issues[*k].options.clone().expect("validated options"))
                .unwrap_or_default(),
            battlefield_unit: s.issues[battlefield].scale.as_ref().map_or(String::new(), |sc| sc.unit.clone()),
        };
        let mut uncertain: Vec<(usize, SlotRef, Sampler)> =
            reg.draws.iter().enumerate().filter_map(|(i, draw)| draw.map(|(slot, s)| (i, slot, s))).collect();
        // Grouped by law, so the branch on it in `draw` is predictable. Each draw reads only its
        // own slot, so the order changes no value.
        uncertain.sort_by_key(|(_, _, sampler)| match sampler {
            // Fixed parameters have no slot and are not in `uncertain`.
            Sampler::Fixed(_) | Sampler::Inverse(InverseCdf::Uniform { .. }) => 0,
            Sampler::Inverse(_) => 1,
            Sampler::BetaGammas(..) => 2,
            Sampler::BetaCheng(_) => 3,
        });
        MediatedNash {
            keys: reg.keys,
            names,
            layout,
            uncertain,
            plan: reg.plan,
            params: reg.params,
            issues,
            battlefield,
            ceasefire,
            settlement,
            parties,
            high_side,
            mediators,
            rounds,
            events,
            settings,
        }
    }
}

impl MediatedNash {
    /// A settlement term in words: an option's label, or a value with its unit.
    fn describe_term(&self, k: usize, value: f64) -> String {
        match &self.names.options[k] {
            Some(labels) => labels.get(value as usize).cloned().unwrap_or_default(),
            None => format!("{value:.4} {}", self.names.units[k]),
        }
    }

    /// Computes the trial's blocks and draws the uncertain parameters from their slots; the
    /// fixed ones are already in place (see `scratch`).
    fn draw(&self, rng: &TrialRng, scratch: &mut Scratch) {
        let blocks = &mut scratch.work.blocks;
        rng.fill(&self.plan, blocks);
        for (i, slot, sampler) in &self.uncertain {
            scratch.draws[*i] = sampler.sample_slot(rng, *slot, blocks);
        }
    }

    /// Replays one trial and tells it: the same draws as trial `rng.trial()` of a run.
    pub fn trace(&self, rng: &TrialRng) -> Trace {
        let mut scratch = self.scratch();
        let mut record = TrialRecord::new(&self.layout);
        self.draw(rng, &mut scratch);
        let mut recorder = round::Recorder::default();
        round::run_trial(self, &scratch.draws, rng, &mut scratch.trial, &mut scratch.work, &mut record, &mut recorder);
        Trace {
            draws: self.keys.iter().cloned().zip(scratch.draws.iter().copied()).collect(),
            notes: recorder.0,
            record,
        }
    }
}

/// Per-thread working memory of `mediated_nash`.
#[derive(Debug, Default)]
pub struct Scratch {
    draws: Vec<f64>,
    trial: round::TrialState,
    work: round::Work,
}

impl Model for MediatedNash {
    type Scratch = Scratch;

    fn layout(&self) -> &Layout {
        &self.layout
    }

    fn scratch(&self) -> Scratch {
        // Fixed parameters are written once here; `draw` overwrites only the uncertain ones.
        let draws = self.params.iter().map(|p| if p.is_fixed() { p.central() } else { 0.0 }).collect();
        Scratch { draws, ..Scratch::default() }
    }

    fn run_trial(&self, rng: &TrialRng, scratch: &mut Scratch, record: &mut TrialRecord) {
        self.draw(rng, scratch);
        round::run_trial(self, &scratch.draws, rng, &mut scratch.trial, &mut scratch.work, record, &mut round::Silent);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// Every slot the bundled scenarios draw from, parameters and rounds alike, is distinct: no
    /// two draws of a trial can share random words.
    #[test]
    fn no_two_draws_share_a_slot() {
        for file in ["scenarios/istanbul_summit.json", "scenarios/istanbul_2025.json"] {
            let loaded = crate::scenario::load(Path::new(env!("CARGO_MANIFEST_DIR")).join(file).as_path())
                .expect("bundled scenario loads");
            let m = MediatedNash::new(&loaded.scenario);
            let mut slots: Vec<SlotRef> = m.uncertain.iter().map(|&(_, slot, _)| slot).collect();
            for r in &m.rounds {
                slots.extend(r.mediators.iter().map(|&(_, _, slot)| slot));
                slots.extend(r.events.iter().map(|&(_, slot)| slot));
                slots.extend(r.slot_attend.iter().chain(&r.slot_will).chain(&r.slot_defect));
                slots.extend([r.slot_incident, r.slot_battlefield, r.slot_humanitarian, r.slot_collapse]);
            }
            for (i, a) in slots.iter().enumerate() {
                assert!(!slots[i + 1..].contains(a), "{file}: slot {a:?} drawn twice");
            }
            assert!(slots.len() > 100, "{file}: {} slots", slots.len());
        }
    }
}
