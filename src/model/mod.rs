//! The models. `mediated_nash`: two belligerents bargain round by round over a package of
//! issues while the war goes on between rounds and mediators apply leverage (docs/MODEL.md
//! gives its equations). `compromise` and `expected_utility`: the classic spatial models of
//! collective decision, n actors on issue scales ([`spatial`], docs/MODELS.md).

pub mod expected_utility;
pub mod nash;
pub mod nparty;
mod outputs;
mod params;
mod redline;
mod round;
pub mod rules;
pub mod sampler;
pub mod spatial;
mod table;

use crate::engine::rng::SlotRef;
use crate::engine::{Layout, Model, TrialRecord, TrialRng};
use crate::scenario::question::{self, Question};
use crate::scenario::schema::{
    Attend, Channel, DelegationLevel, Issue, Level, Offer, ProposalRule, Scenario, Time, Track,
};
use crate::scenario::validate::{self, Violation};
use crate::scenario::walk::{self, Walker};
use crate::scenario::{Body, LoadedScenario, ScenarioError};
use params::{P, ParamSet, Registry};
use rules::concession_direction;
pub use sampler::Sampler;
pub use spatial::Spatial;

pub use outputs::{KIND, Outcome};

#[derive(Debug, Clone)]
enum Space {
    Continuous { min: f64, max: f64 },
    Ordered { n: usize },
}

impl Space {
    fn of(issue: &Issue, path: &str) -> Result<Space, Violation> {
        match (&issue.scale, &issue.options) {
            (Some(sc), _) => Ok(Space::Continuous { min: sc.min, max: sc.max }),
            (None, Some(o)) => Ok(Space::Ordered { n: o.len() }),
            (None, None) => Err(broken(path, "an issue has either `scale` (continuous) or `options` (ordered)")),
        }
    }

    /// The length of the whole issue in its units (option steps on an ordered issue).
    fn width(&self) -> f64 {
        match *self {
            Space::Continuous { min, max } => max - min,
            Space::Ordered { n } => (n - 1) as f64,
        }
    }

    /// Position on [0, 1].
    fn normalize(&self, x: f64) -> f64 {
        match *self {
            Space::Continuous { min, max } => (x - min) / (max - min),
            Space::Ordered { n } => x / (n - 1) as f64,
        }
    }
}

/// The battlefield issue: continuous (checked by `rules`), so a shift of the front in its units
/// has a length on [0, 1].
#[derive(Debug, Clone, Copy)]
struct Battlefield {
    issue: usize,
    min: f64,
    max: f64,
}

impl Battlefield {
    /// Battlefield-issue units to [0, 1] units (a length, not a position).
    fn length(&self, x: f64) -> f64 {
        x / (self.max - self.min)
    }
}

/// A settlement issue and where the Nash solution holds its term.
#[derive(Debug, Clone, Copy)]
struct TermC {
    issue: usize,
    solved: Solved,
}

#[derive(Debug, Clone, Copy)]
enum Solved {
    /// The `j`-th Pareto segment of the solution: a continuous issue.
    Segment(usize),
    /// The `index`-th choice of the solution: an ordered issue of `n` options.
    Choice { index: usize, n: usize },
}

#[derive(Debug, Clone)]
struct PositionC {
    ideal: P,
    salience: P,
    red_line: Option<P>,
    /// On the battlefield issue: how far beyond the front the side concedes at most.
    from_front: Option<P>,
    /// How far pressure can push the red line (issue units), and the cost per issue unit of
    /// conceding past the line it pushed.
    give: Option<P>,
    past_cost: Option<P>,
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
    /// Omitted: linear utility.
    curvature: Option<P>,
    /// The pressure at which the side's red lines give fully (with a give only).
    red_line_pressure: Option<P>,
    positions: Vec<PositionC>,
}

/// A party after the two belligerents: it does not fight (docs/MODEL.md §7b).
#[derive(Debug, Clone)]
struct StakeholderC {
    veto: bool,
    cost_of_war: P,
    patience: P,
    mistrust: P,
    positions: Vec<PositionC>,
}

/// A mediator that sets the agenda: its ideal and salience per issue (none where it has no
/// preference) and what a signed settlement is worth to it.
#[derive(Debug, Clone)]
struct SetterC {
    positions: Vec<Option<(P, P)>>,
    deal_value: Option<P>,
}

/// Who chooses the package in a round of the n-party path.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Proposal {
    /// The veto players' weighted Nash package.
    Nash,
    /// This side of the table offers its best package among those every veto player accepts.
    Setter(usize),
}

/// The n-party path (docs/MODEL.md §7b). Its sides are the parties (the two belligerents, then
/// the stakeholders), then the mediators that set the agenda.
#[derive(Debug, Clone)]
struct TableC {
    stakeholders: Vec<StakeholderC>,
    setters: Vec<SetterC>,
    /// Per mediator and stakeholder: the channels that act in rounds where the mediator
    /// engages, and those that act in every round.
    in_room: Vec<Vec<LeverageC>>,
    standing: Vec<Vec<LeverageC>>,
    /// Effects of events on stakeholders (party index): on the cost of war, on attendance.
    cost_change: Vec<Vec<(usize, P)>>,
    attendance_factor: Vec<Vec<(usize, P)>>,
}

/// A stakeholder in one round: its political-will draw and, for a veto player, its delegation.
#[derive(Debug, Clone)]
struct OtherC {
    slot_will: SlotRef,
    delegation: Option<DelegationC>,
}

/// A veto stakeholder's delegation in one round.
#[derive(Debug, Clone)]
struct DelegationC {
    attendance: P,
    level: LevelC,
    to_sign: bool,
    slot_attend: SlotRef,
    slot_defect: SlotRef,
}

#[derive(Debug, Clone, Copy, Default)]
struct LeverageC {
    pressure: Option<P>,
    guarantees: Option<P>,
    information: Option<P>,
    side_payments: Option<P>,
}

/// A delegation's level in a round.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LevelC {
    Fixed(Level),
    /// Drawn from U in `slot`: officials if U < `below[0]`, else ministers if U < `below[1]`,
    /// else leaders (docs/MODEL.md §6 step 8).
    Drawn {
        below: [f64; 2],
        slot: SlotRef,
    },
}

impl LevelC {
    /// The level of a delegation whose law is `level`, its draw (if any) read from `slot` of
    /// `site`. A law with one level of positive probability is that level, and draws nothing.
    fn compile(level: &DelegationLevel, reg: &mut Registry, site: &str, slot: u32) -> LevelC {
        let law = match level {
            DelegationLevel::Fixed(l) => return LevelC::Fixed(*l),
            DelegationLevel::Uncertain(law) => law,
        };
        let p = Level::ALL.map(|l| law.probability(l));
        let first = p.iter().position(|&x| x > 0.0).unwrap_or(2);
        let top = p.iter().rposition(|&x| x > 0.0).unwrap_or(2);
        if first == top {
            return LevelC::Fixed(Level::ALL[top]);
        }
        // Cumulative probabilities; the highest level of positive probability takes every U
        // beyond them, so rounding in a sum that is 1 within 1e-9 never picks a level of
        // probability 0.
        let mut below = [p[0], p[0] + p[1]];
        for b in below.iter_mut().skip(top) {
            *b = 1.0;
        }
        LevelC::Drawn { below, slot: reg.draw(site, slot) }
    }
}

impl LeverageC {
    fn any(&self) -> bool {
        self.pressure.is_some()
            || self.guarantees.is_some()
            || self.information.is_some()
            || self.side_payments.is_some()
    }
}

#[derive(Debug, Clone)]
struct RoundC {
    months: P,
    /// Months until the next chance to settle: the next round's `months_before`, or this
    /// round's own for the last round.
    next_months: P,
    /// Mediators listed for the round: index, chance of engaging (None: always), its slot.
    mediators: Vec<(usize, Option<P>, SlotRef)>,
    /// Each side's delegation level.
    level: [LevelC; 2],
    /// Each side's delegation attends at leaders' level only to sign (`attend: "to_sign"`).
    to_sign: [bool; 2],
    attendance: [P; 2],
    events: Vec<RoundEvent>,
    slot_attend: [SlotRef; 2],
    slot_will: [SlotRef; 2],
    slot_defect: [SlotRef; 2],
    slot_incident: SlotRef,
    slot_battlefield: SlotRef,
    slot_humanitarian: SlotRef,
    slot_collapse: SlotRef,
    /// The n-party path: who chooses the package, and each stakeholder in the round.
    proposal: Proposal,
    others: Vec<OtherC>,
}

/// An event that may fire before a round.
#[derive(Debug, Clone, Copy)]
struct RoundEvent {
    event: usize,
    /// Its draw: it fires iff U < its probability.
    fires: SlotRef,
    /// If it declares a truce with a chance of reciprocation: the draw that decides it.
    reciprocated: Option<SlotRef>,
}

/// A truce declared by an event.
#[derive(Debug, Clone, Copy)]
struct TruceC {
    by: usize,
    scope: P,
    /// Its length in days, and in months (days over [`validate::DAYS_PER_MONTH`]).
    days: f64,
    months: f64,
    reciprocated: Option<P>,
}

#[derive(Debug, Clone, Default)]
struct EffectsC {
    battlefield_shift: Option<P>,
    cost_change: Vec<(usize, P)>,
    capability_change: Vec<(usize, P)>,
    optimism_change: Vec<(usize, P)>,
    attendance_factor: Vec<(usize, P)>,
    collapse_hazard: Option<P>,
    truce: Option<TruceC>,
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
    /// Per-month hazard of an agreement's implementation (none: 0).
    implementation: Option<P>,
    time: Time,
    /// Months of war before `as_of` (calendar time only).
    war_months: f64,
}

/// The `mediated_nash` model compiled from a validated scenario.
#[derive(Debug, Clone)]
pub struct MediatedNash {
    layout: Layout,
    /// Every parameter, and the blocks a trial reads: the uncertain parameters' slots and the
    /// rounds'.
    params: ParamSet,
    /// The space of each issue, in scenario order.
    issues: Vec<Space>,
    battlefield: Battlefield,
    /// The ceasefire issue and the scope of each of its options.
    ceasefire: Option<(usize, Vec<f64>)>,
    /// Per ceasefire option, how long its truce lasts once signed: months and whole days
    /// (none: until it breaks).
    truce_length: Vec<Option<(f64, i64)>>,
    /// Settlement-track issues, in scenario order; their order is the order of the terms.
    settlement: Vec<TermC>,
    /// The settlement issues other than the battlefield, each with its reversion point.
    reverting: Vec<(usize, P)>,
    parties: [PartyC; 2],
    /// The n-party path; none for two veto players with no proposer (§7b).
    table: Option<TableC>,
    /// The side whose ideal on the battlefield issue is the higher one.
    high_side: usize,
    /// Per mediator, the channels that act only in rounds where it engages.
    mediators: Vec<[LeverageC; 2]>,
    /// Per mediator, the channels that act in every round (`standing`).
    standing: Vec<[LeverageC; 2]>,
    rounds: Vec<RoundC>,
    events: Vec<EventC>,
    settings: SettingsC,
    names: Names,
    answering: outputs::Answering,
}

fn broken(path: &str, message: impl Into<String>) -> Violation {
    Violation { path: path.to_string(), message: message.into() }
}

/// A scenario compiled into the model its `model.kind` selects.
#[derive(Debug, Clone)]
pub enum Compiled {
    Nash(Box<MediatedNash>),
    Spatial(Box<Spatial>),
}

/// Per-thread working memory of a [`Compiled`] model.
#[derive(Debug)]
pub enum CompiledScratch {
    Nash(Box<Scratch>),
    Spatial(Box<spatial::Scratch>),
}

/// Compiles a loaded scenario into the model its `model.kind` selects (a kind the build does
/// not know is refused when the file is read, naming `model.kind`), reporting a broken rule
/// of the model as loading does (file, JSON path, rule).
pub fn compile(loaded: &LoadedScenario) -> Result<Compiled, ScenarioError> {
    compile_asking(loaded, &[])
}

/// As [`compile`], answering `attached` questions too (see [`MediatedNash::asking`]); the
/// spatial models answer no questions.
pub fn compile_asking(loaded: &LoadedScenario, attached: &[Question]) -> Result<Compiled, ScenarioError> {
    compile_body(&loaded.body, attached).map_err(|v| {
        let merged = if loaded.variants.is_empty() { "" } else { " (of the merged scenario)" };
        ScenarioError::Invalid { file: loaded.file.clone(), path: format!("{}{merged}", v.path), message: v.message }
    })
}

/// Compiles a scenario that passed its validation; the first broken rule of its model otherwise.
pub fn compile_body(body: &Body, attached: &[Question]) -> Result<Compiled, Violation> {
    compile_in(body, attached, rules::Scope::Written)
}

/// As [`compile_body`] without questions, for a copy of a scenario that a study has changed
/// (see [`rules::Scope::Studied`]).
pub fn compile_studied(body: &Body) -> Result<Compiled, Violation> {
    compile_in(body, &[], rules::Scope::Studied)
}

fn compile_in(body: &Body, attached: &[Question], scope: rules::Scope) -> Result<Compiled, Violation> {
    match body {
        Body::Bargaining(s) => MediatedNash::build(s, attached, scope).map(|m| Compiled::Nash(Box::new(m))),
        Body::Spatial(_) if !attached.is_empty() => Err(broken(
            "model.kind",
            format!("the spatial models answer no forecast questions (asked `{}`)", attached[0].id),
        )),
        Body::Spatial(s) => Spatial::new(s).map(|m| Compiled::Spatial(Box::new(m))),
    }
}

impl Compiled {
    /// The `mediated_nash` model, for what only it can do (e.g. `sim trace`).
    pub fn nash(&self) -> Option<&MediatedNash> {
        match self {
            Compiled::Nash(m) => Some(m),
            Compiled::Spatial(_) => None,
        }
    }
}

impl Model for Compiled {
    type Scratch = CompiledScratch;

    fn layout(&self) -> &Layout {
        match self {
            Compiled::Nash(m) => m.layout(),
            Compiled::Spatial(m) => m.layout(),
        }
    }

    fn scratch(&self) -> CompiledScratch {
        match self {
            Compiled::Nash(m) => CompiledScratch::Nash(Box::new(m.scratch())),
            Compiled::Spatial(m) => CompiledScratch::Spatial(Box::new(m.scratch())),
        }
    }

    fn run_trial(&self, rng: &TrialRng, scratch: &mut CompiledScratch, record: &mut TrialRecord) {
        match (self, scratch) {
            (Compiled::Nash(m), CompiledScratch::Nash(s)) => m.run_trial(rng, s, record),
            (Compiled::Spatial(m), CompiledScratch::Spatial(s)) => m.run_trial(rng, s, record),
            // A scratch made by another model: replace it with this model's own.
            (m, s) => {
                *s = m.scratch();
                m.run_trial(rng, s, record);
            }
        }
    }
}

impl crate::engine::Inputs for Compiled {
    fn input_keys(&self) -> Vec<String> {
        match self {
            Compiled::Nash(m) => m.input_keys(),
            Compiled::Spatial(m) => m.input_keys(),
        }
    }

    fn draw_inputs(&self, rng: &TrialRng, scratch: &mut CompiledScratch, inputs: &mut [f64]) {
        match (self, scratch) {
            (Compiled::Nash(m), CompiledScratch::Nash(s)) => m.draw_inputs(rng, s, inputs),
            (Compiled::Spatial(m), CompiledScratch::Spatial(s)) => m.draw_inputs(rng, s, inputs),
            (m, s) => {
                *s = m.scratch();
                m.draw_inputs(rng, s, inputs);
            }
        }
    }

    fn run_with_inputs(&self, rng: &TrialRng, scratch: &mut CompiledScratch, inputs: &[f64], record: &mut TrialRecord) {
        match (self, scratch) {
            (Compiled::Nash(m), CompiledScratch::Nash(s)) => m.run_with_inputs(rng, s, inputs, record),
            (Compiled::Spatial(m), CompiledScratch::Spatial(s)) => m.run_with_inputs(rng, s, inputs, record),
            (m, s) => {
                *s = m.scratch();
                m.run_with_inputs(rng, s, inputs, record);
            }
        }
    }
}

/// Names for telling a trial's story (`sim trace`).
#[derive(Debug, Clone)]
struct Names {
    parties: [String; 2],
    /// Every side of the table: the parties, then the mediators that set the agenda.
    sides: Vec<String>,
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
    /// Compiles a scenario that passed `scenario::validate`: checks the model's own rules
    /// (`rules`), then builds the model; the first broken rule otherwise.
    pub fn new(s: &Scenario) -> Result<MediatedNash, Violation> {
        MediatedNash::asking(s, &[])
    }

    /// As [`MediatedNash::new`], answering the scenario's own questions and then `attached`
    /// (e.g. a case's questions asked as of the scenario's date).
    pub fn asking(s: &Scenario, attached: &[Question]) -> Result<MediatedNash, Violation> {
        MediatedNash::build(s, attached, rules::Scope::Written)
    }

    /// As [`MediatedNash::asking`], checking the rules that apply in `scope`.
    fn build(s: &Scenario, attached: &[Question], scope: rules::Scope) -> Result<MediatedNash, Violation> {
        rules::check(s, scope)?;
        let own = validate::questions(s)?;
        let n_own = own.len();
        let questions: Vec<Question> = own.into_iter().chain(attached.iter().cloned()).collect();
        let question_path = |i: usize, field: &str| {
            if i < n_own {
                format!("questions[{i}].{field}")
            } else {
                format!("attached question `{}`", questions[i].id)
            }
        };
        for (i, q) in questions.iter().enumerate() {
            if questions[..i].iter().any(|p| p.id == q.id) {
                return Err(broken(&question_path(i, "id"), format!("question id `{}` is used twice", q.id)));
            }
        }
        let w = Walker::new(s);
        let mut reg = Registry::default();
        let issue_index = |id: &str, path: &str| {
            s.issues.iter().position(|i| i.id == id).ok_or_else(|| broken(path, format!("unknown issue `{id}`")))
        };
        let party_index = |id: &str, path: &str| {
            s.parties.iter().position(|p| p.id == id).ok_or_else(|| broken(path, format!("unknown party `{id}`")))
        };
        let m = &s.model;
        let [
            bf_initial,
            bf_max_drift,
            bf_volatility,
            learning,
            weariness,
            will_noise,
            humanitarian,
            collapse,
            fragility,
        ] = walk::MODEL.each_ref().map(|f| reg.add(&w.model(f)));
        let [implementation] = walk::MODEL_OPTIONAL.each_ref().map(|f| reg.add_optional(w.model_optional(f)));
        let settings = SettingsC {
            rule: m.proposal.rule,
            first_proposer: match &m.proposal.first_proposer {
                Some(id) => party_index(id, "model.proposal.first_proposer")?,
                None => 0,
            },
            bf_initial: bf_initial?,
            bf_max_drift: bf_max_drift?,
            bf_volatility: bf_volatility?,
            learning: learning?,
            weariness: weariness?,
            will_noise: will_noise?,
            humanitarian: humanitarian?,
            collapse: collapse?,
            fragility: fragility?,
            implementation: implementation?,
            time: m.time,
            war_months: if m.time == Time::Calendar { validate::war_months(s)? } else { 0.0 },
        };
        let mut issues = Vec::with_capacity(s.issues.len());
        let mut reversions = Vec::with_capacity(s.issues.len());
        for (k, i) in s.issues.iter().enumerate() {
            issues.push(Space::of(i, &format!("issues[{k}]"))?);
            reversions.push(reg.add_optional(w.reversion(k))?);
        }
        let battlefield = issue_index(&m.battlefield.issue, "model.battlefield.issue")?;
        let battlefield = match issues[battlefield] {
            Space::Continuous { min, max } => Battlefield { issue: battlefield, min, max },
            Space::Ordered { .. } => {
                return Err(broken("model.battlefield.issue", "the battlefield issue must be continuous (`scale`)"));
            }
        };
        let ceasefire = match s.issues.iter().position(|i| i.track == Track::Ceasefire) {
            Some(k) => {
                let scope = s.issues[k].scope.clone();
                Some((
                    k,
                    scope.ok_or_else(|| broken(&format!("issues[{k}].scope"), "the ceasefire issue needs `scope`"))?,
                ))
            }
            None => None,
        };
        let settlement: Vec<usize> = (0..s.issues.len()).filter(|&k| s.issues[k].track == Track::Settlement).collect();
        let (mut segments, mut choices) = (0, 0);
        let terms: Vec<TermC> = settlement
            .iter()
            .map(|&k| {
                let solved = match issues[k] {
                    Space::Continuous { .. } => {
                        segments += 1;
                        Solved::Segment(segments - 1)
                    }
                    Space::Ordered { n } => {
                        choices += 1;
                        Solved::Choice { index: choices - 1, n }
                    }
                };
                TermC { issue: k, solved }
            })
            .collect();
        let reverting = settlement
            .iter()
            .filter(|&&k| k != battlefield.issue)
            .map(|&k| {
                let missing = || broken(&format!("issues[{k}]"), "a settlement issue needs `reversion`");
                Ok((k, reversions[k].ok_or_else(missing)?))
            })
            .collect::<Result<Vec<_>, Violation>>()?;
        let compile_party = |reg: &mut Registry, i: usize| -> Result<PartyC, Violation> {
            let party = &s.parties[i];
            let other = &s.parties[1 - i];
            let [capability, cost_of_war, patience, optimism, mistrust] = walk::PARTY.each_ref().map(|f| {
                let missing =
                    || broken(&format!("parties[{i}].{}", f.name), format!("a belligerent needs `{}`", f.name));
                reg.add(&w.party_optional(i, f).ok_or_else(missing)?)
            });
            let curvature = reg.add_optional(w.party_optional(i, &walk::CURVATURE))?;
            let red_line_pressure = reg.add_optional(w.party_optional(i, &walk::RED_LINE_PRESSURE))?;
            let mut positions = Vec::with_capacity(s.issues.len());
            for issue in &s.issues {
                let missing =
                    || broken(&format!("parties[{i}].positions"), format!("no position on issue `{}`", issue.id));
                let pos = party.positions.get(&issue.id).ok_or_else(missing)?;
                let other_pos = other.positions.get(&issue.id).ok_or_else(missing)?;
                positions.push(PositionC {
                    ideal: reg.add(&w.position(i, &issue.id, pos, &walk::IDEAL))?,
                    salience: reg.add(&w.position(i, &issue.id, pos, &walk::SALIENCE))?,
                    red_line: reg.add_optional(w.position_optional(i, &issue.id, pos, &walk::RED_LINE))?,
                    from_front: reg.add_optional(w.red_line_from_front(i, &issue.id, pos))?,
                    give: reg.add_optional(w.red_line_give(i, &issue.id, pos))?,
                    past_cost: reg.add_optional(w.past_red_line_cost(i, &issue.id, pos))?,
                    direction: concession_direction(&pos.ideal, &other_pos.ideal),
                });
            }
            Ok(PartyC {
                capability: capability?,
                cost_of_war: cost_of_war?,
                patience: patience?,
                optimism: optimism?,
                mistrust: mistrust?,
                curvature,
                red_line_pressure,
                positions,
            })
        };
        let parties = [compile_party(&mut reg, 0)?, compile_party(&mut reg, 1)?];
        let n_party = rules::n_party(s);
        let mut stakeholders = Vec::with_capacity(s.parties.len() - 2);
        for (i, party) in s.parties.iter().enumerate().skip(2) {
            let [_, cost_of_war, patience, _, mistrust] =
                walk::PARTY.each_ref().map(|f| reg.add_optional(w.party_optional(i, f)));
            let needed = |p: Result<Option<P>, Violation>, f: &str| {
                p?.ok_or_else(|| broken(&format!("parties[{i}].{f}"), format!("a party needs `{f}`")))
            };
            // Validated to be 1 on this path: linear utility.
            reg.add_optional(w.party_optional(i, &walk::CURVATURE))?;
            let mut positions = Vec::with_capacity(s.issues.len());
            for issue in &s.issues {
                let missing =
                    || broken(&format!("parties[{i}].positions"), format!("no position on issue `{}`", issue.id));
                let pos = party.positions.get(&issue.id).ok_or_else(missing)?;
                positions.push(PositionC {
                    ideal: reg.add(&w.position(i, &issue.id, pos, &walk::IDEAL))?,
                    salience: reg.add(&w.position(i, &issue.id, pos, &walk::SALIENCE))?,
                    red_line: reg.add_optional(w.position_optional(i, &issue.id, pos, &walk::RED_LINE))?,
                    from_front: None,
                    give: None,
                    past_cost: None,
                    // A stakeholder's red line is a ceiling above its ideal, a floor below it.
                    direction: pos.red_line.as_ref().map_or(0.0, |r| concession_direction(&pos.ideal, r)),
                });
            }
            stakeholders.push(StakeholderC {
                veto: party.veto,
                cost_of_war: needed(cost_of_war, "cost_of_war")?,
                patience: needed(patience, "patience")?,
                mistrust: needed(mistrust, "mistrust")?,
                positions,
            });
        }
        let n_stake = stakeholders.len();
        let bf_id = &m.battlefield.issue;
        let bf_ideal = |i: usize| s.parties[i].positions.get(bf_id).map_or(0.0, |p| p.ideal.central());
        let high_side = usize::from(bf_ideal(1) > bf_ideal(0));
        let mut mediators = Vec::with_capacity(s.mediators.len());
        let mut standing = Vec::with_capacity(s.mediators.len());
        let mut stake_in_room = vec![vec![LeverageC::default(); n_stake]; s.mediators.len()];
        let mut stake_standing = stake_in_room.clone();
        for (k, med) in s.mediators.iter().enumerate() {
            let (mut in_room, mut always) = ([LeverageC::default(); 2], [LeverageC::default(); 2]);
            for (target, l) in &med.leverage {
                let side = party_index(target, &format!("mediators[{k}].leverage.{target}"))?;
                let [pressure, guarantees, information, side_payments] =
                    walk::LEVERAGE.each_ref().map(|f| reg.add_optional(w.leverage(k, target, side, l, f)));
                // Each input goes to exactly one of the two, so none is counted twice.
                let split = |channel: Channel, p: Option<P>| {
                    if med.standing.contains(&channel) { (None, p) } else { (p, None) }
                };
                let (p, g, i, sp) = (
                    split(Channel::Pressure, pressure?),
                    split(Channel::Guarantees, guarantees?),
                    split(Channel::Information, information?),
                    split(Channel::SidePayments, side_payments?),
                );
                let (room, all) = if side < 2 {
                    (&mut in_room[side], &mut always[side])
                } else {
                    (&mut stake_in_room[k][side - 2], &mut stake_standing[k][side - 2])
                };
                *room = LeverageC { pressure: p.0, guarantees: g.0, information: i.0, side_payments: sp.0 };
                *all = LeverageC { pressure: p.1, guarantees: g.1, information: i.1, side_payments: sp.1 };
            }
            mediators.push(in_room);
            if always.iter().any(LeverageC::any) {
                standing.push(always);
            }
        }
        let mut events = Vec::with_capacity(s.events.len());
        let (mut stake_cost_change, mut stake_attendance_factor) = (Vec::new(), Vec::new());
        for e in 0..s.events.len() {
            let probability = reg.add(&w.event_probability(e))?;
            let battlefield_shift = reg.add_optional(w.effect(e, &walk::BATTLEFIELD_SHIFT))?;
            let collapse_hazard = reg.add_optional(w.effect(e, &walk::COLLAPSE_HAZARD))?;
            let truce = match (&s.events[e].effects.truce, w.truce_params(e)) {
                (Some(t), (Some(scope), reciprocated)) => Some(TruceC {
                    by: party_index(&t.by, &format!("events[{e}].effects.truce.by"))?,
                    scope: reg.add(&scope)?,
                    days: t.duration_days,
                    months: t.duration_days / validate::DAYS_PER_MONTH,
                    reciprocated: reg.add_optional(reciprocated)?,
                }),
                _ => None,
            };
            let [cost_change, capability_change, optimism_change, attendance_factor] =
                walk::EFFECTS.each_ref().map(|f| {
                    w.effects_per_party(e, f)
                        .into_iter()
                        .map(|(side, r)| Ok((side.ok_or_else(|| broken(&r.path, "unknown party"))?, reg.add(&r)?)))
                        .collect::<Result<Vec<_>, Violation>>()
                });
            // Effects on a stakeholder act through the n-party path (validated: cost and
            // attendance only).
            let (cost_change, stake_cost): (Vec<_>, Vec<_>) = cost_change?.into_iter().partition(|&(i, _)| i < 2);
            let (attendance_factor, stake_attendance): (Vec<_>, Vec<_>) =
                attendance_factor?.into_iter().partition(|&(i, _)| i < 2);
            stake_cost_change.push(stake_cost);
            stake_attendance_factor.push(stake_attendance);
            events.push(EventC {
                probability,
                effects: EffectsC {
                    battlefield_shift,
                    cost_change,
                    capability_change: capability_change?,
                    optimism_change: optimism_change?,
                    attendance_factor,
                    collapse_hazard,
                    truce,
                },
            });
        }
        // The mediators that set the agenda, in the order they first propose; their sides
        // follow the parties'.
        let offer = m.proposal.offer.unwrap_or(Offer::Setter);
        let mut setter_of: Vec<usize> = Vec::new();
        let proposers = m.proposal.proposer.iter().chain(s.rounds.iter().filter_map(|r| r.proposer.as_ref()));
        for id in proposers {
            if let Some(k) = s.mediators.iter().position(|x| &x.id == id)
                && offer == Offer::Setter
                && !setter_of.contains(&k)
            {
                setter_of.push(k);
            }
        }
        let mut setters = Vec::with_capacity(setter_of.len());
        for &k in &setter_of {
            let med = &s.mediators[k];
            let mut positions = Vec::with_capacity(s.issues.len());
            for issue in &s.issues {
                positions.push(match med.positions.get(&issue.id) {
                    Some(pref) => {
                        let [ideal, salience] =
                            walk::PREFERENCE.each_ref().map(|f| reg.add(&w.preference(k, &issue.id, pref, f)));
                        Some((ideal?, salience?))
                    }
                    None => None,
                });
            }
            setters.push(SetterC { positions, deal_value: reg.add_optional(w.deal_value(k))? });
        }
        let proposal_of = |id: Option<&String>| match (id, offer) {
            (None, _) | (_, Offer::Nash) => Proposal::Nash,
            (Some(id), Offer::Setter) => match s.parties.iter().position(|p| &p.id == id) {
                Some(i) => Proposal::Setter(i),
                None => Proposal::Setter(
                    s.parties.len() + setter_of.iter().position(|&k| s.mediators[k].id == *id).unwrap_or(0),
                ),
            },
        };
        let mut rounds = Vec::with_capacity(s.rounds.len());
        for (t, r) in s.rounds.iter().enumerate() {
            let here = walk::round_site(&r.id);
            let at_mediators = walk::round_mediators_site(&r.id);
            let mut round_mediators = Vec::with_capacity(r.mediators.len());
            for (j, med) in r.mediators.iter().enumerate() {
                let id = med.id();
                let index = s.mediators.iter().position(|m| m.id == id).ok_or_else(|| {
                    broken(&format!("rounds[{t}].mediators[{j}]"), format!("unknown mediator `{id}`"))
                })?;
                let presence = reg.add_optional(w.presence(t, j, index))?;
                let engage = reg.draw(&at_mediators, walk::MEDIATOR_STRIDE * index as u32 + 1);
                round_mediators.push((index, presence, engage));
            }
            let months = reg.add(&w.months_before(t))?;
            let mut attendance = Vec::with_capacity(2);
            let mut level = [LevelC::Fixed(Level::Leaders); 2];
            let mut to_sign = [false; 2];
            for (i, party) in s.parties.iter().enumerate().take(2) {
                let missing =
                    || broken(&format!("rounds[{t}].delegations"), format!("no delegation for `{}`", party.id));
                attendance.push(reg.add(&w.attendance(t, &party.id, i).ok_or_else(missing)?)?);
                let delegation = r.delegations.get(&party.id).ok_or_else(missing)?;
                level[i] = LevelC::compile(&delegation.level, &mut reg, &here, walk::LEVEL + i as u32);
                to_sign[i] = delegation.attend == Attend::ToSign;
            }
            let mut others = Vec::with_capacity(n_stake);
            for (i, party) in s.parties.iter().enumerate().skip(2) {
                let own = walk::own_site(&here, &party.id);
                let delegation = match (party.veto, r.delegations.get(&party.id)) {
                    (true, Some(d)) => Some(DelegationC {
                        attendance: reg.add(&w.attendance(t, &party.id, i).ok_or_else(|| {
                            broken(&format!("rounds[{t}].delegations"), format!("no delegation for `{}`", party.id))
                        })?)?,
                        level: LevelC::compile(&d.level, &mut reg, &own, walk::OWN_LEVEL),
                        to_sign: d.attend == Attend::ToSign,
                        slot_attend: reg.draw(&own, walk::OWN_ATTEND),
                        slot_defect: reg.draw(&own, walk::OWN_DEFECTION_SHOCK),
                    }),
                    _ => None,
                };
                others.push(OtherC { slot_will: reg.draw(&own, walk::OWN_WILL_SHOCK), delegation });
            }
            let at_events = walk::round_events_site(&r.id);
            let events = s
                .events
                .iter()
                .enumerate()
                .filter(|(_, ev)| ev.rounds.as_ref().is_none_or(|rs| rs.contains(&r.id)))
                .map(|(e, ev)| RoundEvent {
                    event: e,
                    fires: reg.draw(&at_events, e as u32),
                    reciprocated: ev
                        .effects
                        .truce
                        .as_ref()
                        .and_then(|t| t.reciprocated.as_ref())
                        .map(|_| reg.draw(&at_events, walk::RECIPROCATION_FIRST + e as u32)),
                })
                .collect();
            let mut per_side = |first: u32| [first, first + 1].map(|k| reg.draw(&here, k));
            rounds.push(RoundC {
                months,
                next_months: months,
                mediators: round_mediators,
                level,
                to_sign,
                attendance: [attendance[0], attendance[1]],
                events,
                slot_attend: per_side(walk::ATTEND),
                slot_will: per_side(walk::WILL_SHOCK),
                slot_defect: per_side(walk::DEFECTION_SHOCK),
                slot_incident: reg.draw(&here, walk::INCIDENT),
                slot_battlefield: reg.draw(&here, walk::FRONT_SHOCK),
                slot_humanitarian: reg.draw(&here, walk::HUMANITARIAN),
                slot_collapse: reg.draw(&here, walk::COLLAPSE),
                proposal: proposal_of(r.proposer.as_ref().or(m.proposal.proposer.as_ref())),
                others,
            });
        }
        for t in 1..rounds.len() {
            rounds[t - 1].next_months = rounds[t].months;
        }
        let answering = if questions.is_empty() {
            outputs::Answering::default()
        } else {
            let mut day = Vec::with_capacity(s.rounds.len());
            for (t, r) in s.rounds.iter().enumerate() {
                let at = format!("rounds[{t}].date");
                let d = r.date.as_deref().ok_or_else(|| {
                    broken(&at, format!("a scenario that asks questions dates every round (`{}` has no date)", r.id))
                })?;
                let d = question::date(d).map_err(|m| broken(&at, m))?;
                if day.last().is_some_and(|&last| d.day_number() < last) {
                    return Err(broken(
                        &at,
                        format!("rounds that answer questions are dated in time order ({d} comes after a later date)"),
                    ));
                }
                day.push(d.day_number());
            }
            let mut asked = Vec::with_capacity(questions.len());
            for (i, q) in questions.iter().enumerate() {
                if q.by.day_number() < day[0] {
                    let first = s.rounds[0].date.as_deref().unwrap_or_default();
                    return Err(broken(
                        &question_path(i, "by"),
                        format!(
                            "`by` ({}) precedes every round (the first is dated {first}): no round can answer it",
                            q.by
                        ),
                    ));
                }
                asked.push((q.rule, q.by.day_number()));
            }
            outputs::Answering { questions: asked, day }
        };
        let ceasefire_options = ceasefire.as_ref().map(|(k, _)| s.issues[*k].options.clone().unwrap_or_default());
        let layout = outputs::layout(s, &settlement, ceasefire.as_ref().map(|(k, _)| *k), &questions);
        let names = Names {
            parties: [0, 1].map(|i| s.parties[i].name.clone()),
            sides: s
                .parties
                .iter()
                .map(|p| p.name.clone())
                .chain(setter_of.iter().map(|&k| s.mediators[k].name.clone()))
                .collect(),
            issues: s.issues.iter().map(|i| i.label.clone()).collect(),
            options: s.issues.iter().map(|i| i.options.clone()).collect(),
            units: s.issues.iter().map(|i| i.scale.as_ref().map_or(String::new(), |sc| sc.unit.clone())).collect(),
            mediators: s.mediators.iter().map(|m| m.name.clone()).collect(),
            events: s.events.iter().map(|e| e.label.clone()).collect(),
            ceasefire_options: ceasefire_options.unwrap_or_default(),
            battlefield_unit: s.issues[battlefield.issue].scale.as_ref().map_or(String::new(), |sc| sc.unit.clone()),
        };
        Ok(MediatedNash {
            names,
            layout,
            params: reg.finish(),
            issues,
            battlefield,
            truce_length: ceasefire.as_ref().map_or(vec![], |(k, scope)| {
                let days = s.issues[*k].duration_days.clone().unwrap_or_else(|| vec![None; scope.len()]);
                days.iter().map(|d| d.map(|d| (d / validate::DAYS_PER_MONTH, d.floor() as i64))).collect()
            }),
            ceasefire,
            settlement: terms,
            reverting,
            parties,
            table: n_party.then_some(TableC {
                stakeholders,
                setters,
                in_room: stake_in_room,
                standing: stake_standing,
                cost_change: stake_cost_change,
                attendance_factor: stake_attendance_factor,
            }),
            high_side,
            mediators,
            standing,
            rounds,
            events,
            settings,
            answering,
        })
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
        self.params.draw(rng, &mut scratch.work.blocks, &mut scratch.draws);
    }

    /// Replays one trial and tells it: the same draws as trial `rng.trial()` of a run.
    pub fn trace(&self, rng: &TrialRng) -> Trace {
        let mut scratch = self.scratch();
        let mut record = TrialRecord::new(&self.layout);
        self.draw(rng, &mut scratch);
        let mut recorder = round::Recorder::default();
        round::run_trial(self, &scratch.draws, rng, &mut scratch.trial, &mut scratch.work, &mut record, &mut recorder);
        Trace {
            draws: self.params.keys.iter().cloned().zip(scratch.draws.iter().copied()).collect(),
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
        Scratch { draws: self.params.initial(), ..Scratch::default() }
    }

    fn run_trial(&self, rng: &TrialRng, scratch: &mut Scratch, record: &mut TrialRecord) {
        self.draw(rng, scratch);
        round::run_trial(self, &scratch.draws, rng, &mut scratch.trial, &mut scratch.work, record, &mut round::Silent);
    }
}

impl crate::engine::Inputs for MediatedNash {
    fn input_keys(&self) -> Vec<String> {
        self.params.input_keys()
    }

    fn draw_inputs(&self, rng: &TrialRng, scratch: &mut Scratch, inputs: &mut [f64]) {
        self.draw(rng, scratch);
        self.params.read_inputs(&scratch.draws, inputs);
    }

    fn run_with_inputs(&self, rng: &TrialRng, scratch: &mut Scratch, inputs: &[f64], record: &mut TrialRecord) {
        // The rounds read their own slots from the trial's blocks; only the draws are replaced.
        rng.fill(&self.params.plan, &mut scratch.work.blocks);
        self.params.write_inputs(inputs, &mut scratch.draws);
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
        for (file, s) in &scenarios() {
            let m = MediatedNash::new(s).expect("scenario compiles");
            let mut slots: Vec<SlotRef> = m.params.uncertain.iter().map(|&(_, slot, _)| slot).collect();
            for r in &m.rounds {
                slots.extend(r.mediators.iter().map(|&(_, _, slot)| slot));
                slots.extend(r.events.iter().flat_map(|e| [Some(e.fires), e.reciprocated]).flatten());
                slots.extend(r.slot_attend.iter().chain(&r.slot_will).chain(&r.slot_defect));
                slots.extend([r.slot_incident, r.slot_battlefield, r.slot_humanitarian, r.slot_collapse]);
                slots.extend(r.level.iter().filter_map(|l| match *l {
                    LevelC::Drawn { slot, .. } => Some(slot),
                    LevelC::Fixed(_) => None,
                }));
                for o in &r.others {
                    slots.push(o.slot_will);
                    if let Some(d) = &o.delegation {
                        slots.extend([d.slot_attend, d.slot_defect]);
                        if let LevelC::Drawn { slot, .. } = d.level {
                            slots.push(slot);
                        }
                    }
                }
            }
            for (i, a) in slots.iter().enumerate() {
                assert!(!slots[i + 1..].contains(a), "{file}: slot {a:?} drawn twice");
            }
            assert!(slots.len() > 100, "{file}: {} slots", slots.len());
        }
    }

    /// The bundled scenarios, and the summit with stakeholders.
    fn scenarios() -> Vec<(&'static str, Scenario)> {
        let bundled =
            ["scenarios/istanbul_summit.json", "scenarios/istanbul_2025.json", "scenarios/istanbul_2025_replay.json"];
        let mut scenarios: Vec<(&str, Scenario)> = bundled
            .iter()
            .map(|file| {
                let loaded = crate::scenario::load(Path::new(env!("CARGO_MANIFEST_DIR")).join(file).as_path())
                    .expect("bundled scenario loads");
                (*file, loaded.body.bargaining().expect("a bargaining scenario").clone())
            })
            .collect();
        scenarios.push(("the summit with stakeholders", with_stakeholders(&scenarios[0].1)));
        scenarios
    }

    /// `s` with two stakeholders after its belligerents: a veto player with uncertain
    /// attendance and level, positions and leverage on it, and a bystander with positions
    /// (each a copy of the second belligerent's without its red lines); an event that changes
    /// both stakeholders' costs of war and the veto player's attendance; and two proposers: the
    /// bystander in the first round, the second mediator, with uncertain positions and
    /// deal value, in the others.
    fn with_stakeholders(s: &Scenario) -> Scenario {
        let mut v = serde_json::to_value(s).expect("serializable");
        for (id, veto) in [("eu", true), ("ngo", false)] {
            let mut p = v["parties"][1].clone();
            let o = p.as_object_mut().expect("a party");
            for field in ["capability", "optimism", "curvature", "red_line_pressure"] {
                o.remove(field);
            }
            o.insert("id".into(), id.into());
            o.insert("role".into(), "stakeholder".into());
            o.insert("veto".into(), veto.into());
            for pos in o["positions"].as_object_mut().expect("positions").values_mut() {
                pos.as_object_mut().expect("a position").retain(|k, _| k == "ideal" || k == "salience");
            }
            v["parties"].as_array_mut().expect("parties").push(p);
        }
        let law = serde_json::json!({ "dist": "levels", "p": { "ministers": 0.5, "leaders": 0.5 } });
        for r in v["rounds"].as_array_mut().expect("rounds") {
            r["delegations"]["eu"] =
                serde_json::json!({ "level": law, "attendance": { "dist": "uniform", "low": 0.5, "high": 0.9 } });
        }
        v["mediators"][0]["leverage"]["eu"] =
            serde_json::json!({ "pressure": { "dist": "uniform", "low": 0.0, "high": 0.1 } });
        let uniform = |low: f64, high: f64| serde_json::json!({ "dist": "uniform", "low": low, "high": high });
        let setter = &mut v["mediators"][1];
        setter["positions"] = serde_json::json!({
            "territory": { "ideal": uniform(0.6, 0.8), "salience": uniform(0.5, 0.7) },
            "guarantees": { "ideal": uniform(10.0, 20.0), "salience": uniform(0.3, 0.5) }
        });
        setter["deal_value"] = uniform(0.0, 0.1);
        let setter = setter["id"].clone();
        v["model"]["proposal"]["proposer"] = setter;
        v["rounds"][0]["proposer"] = "ngo".into();
        let effects = &mut v["events"][0]["effects"];
        effects["cost_change"]["eu"] = uniform(0.0, 0.05);
        effects["cost_change"]["ngo"] = uniform(0.0, 0.05);
        effects["attendance_factor"]["eu"] = uniform(0.5, 1.5);
        serde_json::from_value(v).expect("a scenario")
    }

    /// A law over levels compiles to the thresholds of MODEL.md §6 step 8: a law with one
    /// level of positive probability is that level; the highest level of positive probability
    /// takes every U beyond the cumulative sums.
    #[test]
    fn level_laws_compile_to_their_thresholds() {
        let law = |p: &[(Level, f64)]| {
            DelegationLevel::Uncertain(crate::scenario::schema::LevelLaw {
                dist: crate::scenario::schema::LevelDist::Levels,
                p: p.iter().copied().collect(),
                sources: vec![],
                assumption: None,
            })
        };
        let mut reg = Registry::default();
        let mut compiled = |p: &[(Level, f64)]| match LevelC::compile(&law(p), &mut reg, "round:r", walk::LEVEL) {
            LevelC::Drawn { below, .. } => Err(below),
            LevelC::Fixed(level) => Ok(level),
        };
        assert_eq!(compiled(&[(Level::Ministers, 1.0), (Level::Leaders, 0.0)]), Ok(Level::Ministers));
        assert_eq!(compiled(&[(Level::Ministers, 0.7), (Level::Leaders, 0.3)]), Err([0.0, 0.7]));
        assert_eq!(compiled(&[(Level::Officials, 0.2), (Level::Leaders, 0.8)]), Err([0.2, 0.2]));
        assert_eq!(compiled(&[(Level::Officials, 0.4), (Level::Ministers, 0.6 - 1e-10)]), Err([0.4, 1.0]));
        assert_eq!(
            compiled(&[(Level::Officials, 0.2), (Level::Ministers, 0.3), (Level::Leaders, 0.5)]),
            Err([0.2, 0.5])
        );
    }

    /// The keys the walker builds (`sim sources`, `sim sensitivity`) are exactly the keys the
    /// model reads, and each parameter the model draws reads the slot the walker declares: the
    /// value `sim trace` shows under a key is the walker's parameter drawn from the walker's
    /// site and slot, bit for bit.
    #[test]
    fn the_model_reads_every_parameter_from_the_slot_the_table_declares() {
        for (file, s) in &scenarios() {
            let m = MediatedNash::new(s).expect("scenario compiles");
            let walked = s.params();
            let mut model_keys = m.params.keys.clone();
            let mut walker_keys: Vec<String> = walked.iter().map(|p| p.key.clone()).collect();
            model_keys.sort();
            walker_keys.sort();
            assert_eq!(model_keys, walker_keys, "{file}: the model and the walker know different parameters");
            for trial in [0, 5, 77] {
                let rng = TrialRng::new(s.run.seed, trial);
                let drawn: std::collections::HashMap<String, f64> = m.trace(&rng).draws.into_iter().collect();
                let mut uncertain = 0;
                for p in &walked {
                    let sampler = Sampler::new(p.param).expect("a valid law");
                    let expected = if p.param.is_fixed() {
                        p.param.central()
                    } else {
                        uncertain += 1;
                        let mut plan = crate::engine::rng::BlockPlan::default();
                        let site = crate::engine::Site::named(&p.site);
                        let slot = if sampler.reads_several_words() {
                            plan.wide_slot(site, p.slot)
                        } else {
                            plan.slot(site, p.slot)
                        };
                        let mut blocks = Vec::new();
                        rng.fill(&plan, &mut blocks);
                        sampler.sample_slot(&rng, slot, &blocks)
                    };
                    assert_eq!(
                        drawn[&p.key].to_bits(),
                        expected.to_bits(),
                        "{file}, trial {trial}: {} is not drawn from slot {} of `{}`",
                        p.key,
                        p.slot,
                        p.site
                    );
                }
                assert!(uncertain > 50, "{file}: {uncertain} uncertain parameters");
            }
        }
    }
    /// Common random numbers (docs/NPARTY.md §4): adding stakeholders, a setter's positions and
    /// deal value, proposers and events on the stakeholders to a bilateral scenario's file
    /// moves no draw of the belligerents. Every parameter of the bilateral file keeps its site
    /// and slot, and the model reads the same words for it and for every round draw of the two
    /// sides; every new parameter and round draw comes from a stakeholder's own site (named by
    /// its id) or the setter's preference sites.
    #[test]
    fn stakeholders_and_a_setter_move_no_draw_of_the_belligerents() {
        let bilateral = &scenarios()[0].1;
        let more = with_stakeholders(bilateral);
        validate::validate(&more, None).expect("the extended scenario is valid");
        let (m, n) = (MediatedNash::new(bilateral).expect("compiles"), MediatedNash::new(&more).expect("compiles"));
        assert!(m.table.is_none() && n.table.is_some(), "the bilateral file takes the two-party path");
        let placed = |s: &Scenario| -> std::collections::BTreeMap<String, (String, u32)> {
            s.params().into_iter().map(|p| (p.key, (p.site, p.slot))).collect()
        };
        let (before, after) = (placed(bilateral), placed(&more));
        for (key, at) in &before {
            assert_eq!(after.get(key), Some(at), "{key} moved");
        }
        let setter = &more.mediators[1].id;
        let deal_value = (walk::param_site(&format!("mediators.{setter}")), walk::DEAL_VALUE_SLOT);
        let mut new = 0;
        for (key, (site, slot)) in after.iter().filter(|(k, _)| !before.contains_key(*k)) {
            let own = ["eu", "ngo"].iter().any(|id| {
                *site == walk::param_site(&format!("parties.{id}")) || site.ends_with(&format!("/parties.{id}"))
            });
            let preference = site.starts_with(&format!("param:mediators.{setter}/positions."));
            assert!(own || preference || (site, slot) == (&deal_value.0, &deal_value.1), "{key} drawn from {site}");
            new += 1;
        }
        assert!(
            ["events.surprise_strike.effects.cost_change.ngo", "mediators.united_states.deal_value"]
                .iter()
                .all(|k| after.contains_key(*k) && !before.contains_key(*k)),
            "the fixture adds an event's effect on a bystander and a setter's deal value"
        );
        assert!(new > 20, "{new} new parameters");
        // A round draw's value, read from the model's own blocks, and the value at a site and
        // slot read from a plan of that slot alone.
        let value = |blocks: &[[u32; 16]], slot: SlotRef| crate::engine::rng::slot_uniform(slot, blocks);
        for trial in [0, 5, 77] {
            let rng = TrialRng::new(bilateral.run.seed, trial);
            let [mut a, mut b] = [Vec::new(), Vec::new()];
            rng.fill(&m.params.plan, &mut a);
            rng.fill(&n.params.plan, &mut b);
            let at = |site: &str, slot: u32| {
                let mut plan = crate::engine::rng::BlockPlan::default();
                let r = plan.slot(crate::engine::Site::named(site), slot);
                let mut blocks = Vec::new();
                rng.fill(&plan, &mut blocks);
                value(&blocks, r)
            };
            let (dm, dn) = (m.trace(&rng).draws, n.trace(&rng).draws);
            let drawn: std::collections::HashMap<String, f64> = dn.into_iter().collect();
            for (key, x) in &dm {
                assert_eq!(x.to_bits(), drawn[key].to_bits(), "trial {trial}: {key} drawn differently");
            }
            for (t, (r, q)) in m.rounds.iter().zip(&n.rounds).enumerate() {
                let mut pairs: Vec<(SlotRef, SlotRef)> = Vec::new();
                for i in 0..2 {
                    pairs.extend([
                        (r.slot_attend[i], q.slot_attend[i]),
                        (r.slot_will[i], q.slot_will[i]),
                        (r.slot_defect[i], q.slot_defect[i]),
                    ]);
                    if let (LevelC::Drawn { slot: x, .. }, LevelC::Drawn { slot: y, .. }) = (r.level[i], q.level[i]) {
                        pairs.push((x, y));
                    }
                }
                pairs.extend([
                    (r.slot_incident, q.slot_incident),
                    (r.slot_battlefield, q.slot_battlefield),
                    (r.slot_humanitarian, q.slot_humanitarian),
                    (r.slot_collapse, q.slot_collapse),
                ]);
                pairs.extend(r.mediators.iter().zip(&q.mediators).map(|(x, y)| (x.2, y.2)));
                pairs.extend(r.events.iter().zip(&q.events).map(|(x, y)| (x.fires, y.fires)));
                assert_eq!(
                    r.level.map(|l| matches!(l, LevelC::Drawn { .. })),
                    q.level.map(|l| matches!(l, LevelC::Drawn { .. }))
                );
                assert!(pairs.len() > 10, "round {t}: {} draws", pairs.len());
                for (x, y) in pairs {
                    assert_eq!(
                        value(&a, x).to_bits(),
                        value(&b, y).to_bits(),
                        "trial {trial}, round {t}: a draw moved"
                    );
                }
                let id = &more.rounds[t].id;
                for (o, party) in q.others.iter().zip(["eu", "ngo"]) {
                    let own = walk::own_site(&walk::round_site(id), party);
                    assert_eq!(value(&b, o.slot_will), at(&own, walk::OWN_WILL_SHOCK), "round {t}: {party}'s will");
                    assert_eq!(o.delegation.is_some(), party == "eu", "round {t}: only the veto player sends one");
                    if let Some(d) = &o.delegation {
                        assert_eq!(value(&b, d.slot_attend), at(&own, walk::OWN_ATTEND), "round {t}: attendance");
                        assert_eq!(
                            value(&b, d.slot_defect),
                            at(&own, walk::OWN_DEFECTION_SHOCK),
                            "round {t}: defection"
                        );
                        let LevelC::Drawn { slot, .. } = d.level else { panic!("round {t}: eu's level is drawn") };
                        assert_eq!(value(&b, slot), at(&own, walk::OWN_LEVEL), "round {t}: level");
                    }
                }
            }
        }
    }
}
