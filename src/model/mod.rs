//! Bargaining models. `mediated_nash` is the first: two belligerents bargain round by round
//! over a package of issues while the war goes on between rounds and mediators apply leverage
//! (docs/MODEL.md gives its equations).

pub mod nash;
mod round;

use crate::engine::{Layout, Model, RoundInfo, Site, TermKind, TermSpec, TrialRecord, TrialRng};
use crate::scenario::Param;
use crate::scenario::schema::{Level, ProposalRule, Scenario, Track};
use crate::scenario::validate::concession_direction;

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
    /// Mediators listed for the round: index, chance of engaging (None: always), its site.
    mediators: Vec<(usize, Option<P>, S)>,
    level: Level,
    attendance: [P; 2],
    events: Vec<(usize, S)>,
    site_attend: [S; 2],
    site_will: [S; 2],
    site_defect: [S; 2],
    site_incident: S,
    site_battlefield: S,
    site_humanitarian: S,
    site_collapse: S,
    /// The round's random sites, in the order of the fields above; their first blocks are
    /// computed together when the round starts.
    sites: Vec<Site>,
}

/// A random site of a round: index into `RoundC::sites`.
#[derive(Debug, Clone, Copy)]
struct S(usize);

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
    params: Vec<(Site, Param)>,
    /// The uncertain parameters (indices into `params`) and their sites.
    uncertain: Vec<usize>,
    uncertain_sites: Vec<Site>,
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

/// Registers parameters for drawing, each with the sub-stream named by its stable key.
#[derive(Default)]
struct Registry {
    params: Vec<(Site, Param)>,
    keys: Vec<String>,
}

impl Registry {
    fn add(&mut self, key: &str, p: &Param) -> P {
        self.params.push((Site::named(&format!("param:{key}")), p.clone()));
        self.keys.push(key.to_string());
        P(self.params.len() - 1)
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
            bf_initial: reg.add("model.battlefield.initial", &m.battlefield.initial),
            bf_max_drift: reg.add("model.battlefield.max_drift_per_month", &m.battlefield.max_drift_per_month),
            bf_volatility: reg.add("model.battlefield.volatility_per_month", &m.battlefield.volatility_per_month),
            learning: reg.add("model.learning_per_month", &m.learning_per_month),
            weariness: reg.add("model.war_weariness_per_month", &m.war_weariness_per_month),
            will_noise: reg.add("model.political_will_noise", &m.political_will_noise),
            humanitarian: reg.add("model.humanitarian_rate", &m.humanitarian_rate),
            collapse: reg.add("model.collapse_hazard", &m.collapse_hazard),
            fragility: reg.add("model.ceasefire_fragility", &m.ceasefire_fragility),
        };
        let issues: Vec<IssueC> = s
            .issues
            .iter()
            .map(|i| IssueC {
                space: match (&i.scale, &i.options) {
                    (Some(sc), _) => Space::Continuous { min: sc.min, max: sc.max },
                    (None, Some(o)) => Space::Ordered { n: o.len() },
                    (None, None) => unreachable!("validated issue has a scale or options"),
                },
                reversion: i.reversion.as_ref().map(|r| reg.add(&format!("issues.{}.reversion", i.id), r)),
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
            PartyC {
                capability: reg.add(&key("capability"), &party.capability),
                cost_of_war: reg.add(&key("cost_of_war"), &party.cost_of_war),
                patience: reg.add(&key("patience"), &party.patience),
                optimism: reg.add(&key("optimism"), &party.optimism),
                mistrust: reg.add(&key("mistrust"), &party.mistrust),
                positions: s
                    .issues
                    .iter()
                    .map(|issue| {
                        let pos = &party.positions[&issue.id];
                        let at = |f: &str| key(&format!("positions.{}.{f}", issue.id));
                        PositionC {
                            ideal: reg.add(&at("ideal"), &pos.ideal),
                            salience: reg.add(&at("salience"), &pos.salience),
                            red_line: pos.red_line.as_ref().map(|r| reg.add(&at("red_line"), r)),
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
                for (target, l) in &med.leverage {
                    let key = |f: &str| format!("mediators.{}.leverage.{target}.{f}", med.id);
                    let mut add = |p: &Option<Param>, f: &str| p.as_ref().map(|p| reg.add(&key(f), p));
                    lev[party_index(target)] = LeverageC {
                        pressure: add(&l.pressure, "pressure"),
                        guarantees: add(&l.guarantees, "guarantees"),
                        information: add(&l.information, "information"),
                        side_payments: add(&l.side_payments, "side_payments"),
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
                let e = &ev.effects;
                let mut per_party = |field: &str, map: &std::collections::BTreeMap<String, Param>| {
                    map.iter()
                        .map(|(party, p)| (party_index(party), reg.add(&key(&format!("effects.{field}.{party}")), p)))
                        .collect::<Vec<_>>()
                };
                let cost_change = per_party("cost_change", &e.cost_change);
                let capability_change = per_party("capability_change", &e.capability_change);
                let optimism_change = per_party("optimism_change", &e.optimism_change);
                let attendance_factor = per_party("attendance_factor", &e.attendance_factor);
                EventC {
                    probability: reg.add(&key("probability"), &ev.probability),
                    effects: EffectsC {
                        battlefield_shift: e
                            .battlefield_shift
                            .as_ref()
                            .map(|p| reg.add(&key("effects.battlefield_shift"), p)),
                        cost_change,
                        capability_change,
                        optimism_change,
                        attendance_factor,
                        collapse_hazard: e
                            .collapse_hazard
                            .as_ref()
                            .map(|p| reg.add(&key("effects.collapse_hazard"), p)),
                    },
                }
            })
            .collect();
        let rounds = s
            .rounds
            .iter()
            .map(|r| {
                let mut sites = Vec::new();
                let mut site = |what: &str| {
                    sites.push(Site::named(&format!("round:{}/{what}", r.id)));
                    S(sites.len() - 1)
                };
                let mediators = r
                    .mediators
                    .iter()
                    .map(|med| {
                        let id = med.id();
                        let index = s.mediators.iter().position(|m| m.id == id).expect("validated mediator");
                        let presence =
                            med.presence().map(|p| reg.add(&format!("rounds.{}.mediators.{id}.presence", r.id), p));
                        (index, presence, site(&format!("presence:{id}")))
                    })
                    .collect();
                let events = s
                    .events
                    .iter()
                    .enumerate()
                    .filter(|(_, ev)| ev.rounds.as_ref().is_none_or(|rs| rs.contains(&r.id)))
                    .map(|(e, ev)| (e, site(&format!("event:{}", ev.id))))
                    .collect();
                let mut per_party = |what: &str| [0, 1].map(|i| site(&format!("{what}:{}", s.parties[i].id)));
                let (site_attend, site_will, site_defect) =
                    (per_party("attendance"), per_party("will"), per_party("defect"));
                RoundC {
                    months: reg.add(&format!("rounds.{}.months_before", r.id), &r.months_before),
                    mediators,
                    level: s.parties.iter().map(|p| r.delegations[&p.id].level).min().expect("two parties"),
                    attendance: [0, 1].map(|i| {
                        let id = &s.parties[i].id;
                        reg.add(&format!("rounds.{}.delegations.{id}.attendance", r.id), &r.delegations[id].attendance)
                    }),
                    events,
                    site_attend,
                    site_will,
                    site_defect,
                    site_incident: site("incident"),
                    site_battlefield: site("battlefield"),
                    site_humanitarian: site("humanitarian"),
                    site_collapse: site("collapse"),
                    sites,
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
        let uncertain: Vec<(usize, Site)> = reg
            .params
            .iter()
            .enumerate()
            .filter(|(_, (_, p))| !p.is_fixed())
            .map(|(i, (site, _))| (i, *site))
            .collect();
        MediatedNash {
            keys: reg.keys,
            names,
            layout,
            uncertain: uncertain.iter().map(|&(i, _)| i).collect(),
            uncertain_sites: uncertain.iter().map(|&(_, site)| site).collect(),
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

    /// Draws the uncertain parameters from their sites, whose first blocks are computed
    /// together; the fixed ones are already in place (see `scratch`).
    fn draw(&self, rng: &TrialRng, scratch: &mut Scratch) {
        let blocks = &mut scratch.work.param_blocks;
        rng.first_blocks(&self.uncertain_sites, blocks);
        for ((&i, &site), &first) in self.uncertain.iter().zip(&self.uncertain_sites).zip(blocks.iter()) {
            scratch.draws[i] = self.params[i].1.sample(&mut rng.site_from(site, first));
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
        let draws = self.params.iter().map(|(_, p)| if p.is_fixed() { p.central() } else { 0.0 }).collect();
        Scratch { draws, ..Scratch::default() }
    }

    fn run_trial(&self, rng: &TrialRng, scratch: &mut Scratch, record: &mut TrialRecord) {
        self.draw(rng, scratch);
        round::run_trial(self, &scratch.draws, rng, &mut scratch.trial, &mut scratch.work, record, &mut round::Silent);
    }
}
