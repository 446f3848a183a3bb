//! The scenario file: the types a scenario JSON document deserializes into. The JSON Schema
//! that `sim schema` prints is derived from these same types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::param::Param;
use super::question::{QuestionKind, Scope};

/// A negotiation scenario.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub meta: Meta,
    #[serde(default)]
    pub run: RunDefaults,
    pub model: ModelSettings,
    /// What is bargained over.
    pub issues: Vec<Issue>,
    /// The sides: two belligerents (first), then any stakeholders (docs/NPARTY.md).
    pub parties: Vec<Party>,
    #[serde(default)]
    pub mediators: Vec<Mediator>,
    /// Venues of the talks; omitted, every round belongs to one implicit forum.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forums: Vec<Forum>,
    /// Rounds of talks, in time order.
    pub rounds: Vec<Round>,
    #[serde(default)]
    pub events: Vec<Event>,
    /// Forecast questions the run answers (docs/SCENARIO.md, rules in docs/MODEL.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<QuestionSpec>,
}

/// A forecast question as a scenario declares it: the fields of `questions.json`
/// (docs/CASES.md), with `as_of` optional (it defaults to, and must equal, `meta.as_of`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionSpec {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    pub kind: QuestionKind,
    /// The last day (inclusive) the question is about, `YYYY-MM-DD`.
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_days: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub title: String,
    pub description: String,
    /// The date the scenario speaks from, `YYYY-MM-DD`.
    pub as_of: String,
    /// Folder of the evidence base, relative to the scenario file (e.g. `../seeds`).
    pub evidence: String,
    /// A forecast (the default) may cite only facts published by `as_of`; a replay may cite
    /// later ones, and every output of it says it is conditioned on hindsight.
    #[serde(default, skip_serializing_if = "Purpose::is_forecast")]
    pub purpose: Purpose,
    /// The date the war began, `YYYY-MM-DD`: in calendar time the war-weariness clock starts
    /// there (omitted: at `as_of`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub war_start: Option<String>,
}

/// What a scenario is for (docs/SCENARIO.md, "As-of discipline").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// What could be said on `as_of`: every cited fact was published on or before it.
    #[default]
    Forecast,
    /// The past replayed with what is known now: facts published after `as_of` may be cited.
    Replay,
}

impl Purpose {
    pub fn is_forecast(&self) -> bool {
        *self == Purpose::Forecast
    }
}

impl Meta {
    /// The date a forecast's citations must not postdate; `None` for a replay (or an `as_of`
    /// that is no date, which validation refuses on its own).
    pub fn forecast_as_of(&self) -> Option<super::question::Date> {
        match self.purpose {
            Purpose::Forecast => super::question::Date::parse(&self.as_of),
            Purpose::Replay => None,
        }
    }
}

/// The sentence every output of a replay carries in its header.
pub const HINDSIGHT: &str =
    "Replay, conditioned on hindsight: its inputs may cite facts published after the as-of date; it is not a forecast.";

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunDefaults {
    /// Trials when `--trials` is not given.
    #[serde(default = "default_trials")]
    pub trials: u64,
    /// Seed when `--seed` is not given.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_trials() -> u64 {
    100_000
}

fn default_seed() -> u64 {
    1
}

impl Default for RunDefaults {
    fn default() -> Self {
        RunDefaults { trials: default_trials(), seed: default_seed() }
    }
}

/// Which bargaining model runs the scenario, and its scenario-wide settings.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelSettings {
    pub kind: BargainingKind,
    /// How the war's time is counted (docs/MODEL.md §6): per round as in 0.2, or in calendar
    /// months (costs per month, the cost of refusing a deal is the war until the next chance
    /// to settle, weariness from the war's start).
    #[serde(default, skip_serializing_if = "Time::is_rounds")]
    pub time: Time,
    /// How the proposal on the table is chosen.
    pub proposal: Proposal,
    pub battlefield: Battlefield,
    /// Fraction of each side's belief gap about the war that a month of fighting removes.
    pub learning_per_month: Param,
    /// Growth of each side's per-round cost of war per month of war in the scenario (counted
    /// from the start of the first round's `months_before`).
    pub war_weariness_per_month: Param,
    /// Standard deviation of the per-round shock to each side's disagreement payoff
    /// ("political will"), in utility units.
    pub political_will_noise: Param,
    /// Chance that a meeting agrees a humanitarian step (e.g. a prisoner exchange).
    pub humanitarian_rate: Param,
    /// Chance that a meeting with no deal at all ends the talks for good.
    pub collapse_hazard: Param,
    /// Per-round chance that an incident breaks a ceasefire in force, before guarantees.
    pub ceasefire_fragility: Param,
    /// Per-month chance that an agreement in force (ceasefire or settlement) breaks down in
    /// its implementation, before guarantees; omitted, 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation_hazard_per_month: Option<Param>,
}

/// How `mediated_nash` counts the war's time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Time {
    /// Costs of war per round, weariness from the scenario's start (0.2).
    #[default]
    Rounds,
    /// Costs of war per month, charged until the next chance to settle; weariness from
    /// `meta.war_start`; beliefs about the war measured from its expected course.
    Calendar,
}

impl Time {
    pub fn is_rounds(&self) -> bool {
        *self == Time::Rounds
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BargainingKind {
    /// Two-sided Nash bargaining with war between rounds and mediator leverage (docs/MODEL.md).
    MediatedNash,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    pub rule: ProposalRule,
    /// The party that proposes first, for the `rubinstein` rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_proposer: Option<String>,
    /// A party or mediator id: who tables the proposal in every round that names no proposer
    /// of its own (omitted: nobody sets the agenda).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposer: Option<String>,
    /// What a proposer tables: its own best package every veto player accepts (`setter`, the
    /// default) or the Nash package (`nash`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer: Option<Offer>,
}

/// What a proposer tables (docs/MODEL.md §7b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Offer {
    /// Its own best package among those every veto player accepts, take it or leave it
    /// (Romer and Rosenthal 1978).
    Setter,
    /// The Nash package of the veto players.
    Nash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalRule {
    /// Symmetric Nash bargaining solution.
    Nash,
    /// Asymmetric Nash with weights from patience (the limit of alternating offers).
    PatienceNash,
    /// Asymmetric Nash with the first proposer's Rubinstein share as its weight.
    Rubinstein,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Battlefield {
    /// The continuous issue whose disagreement value is the war's outcome (e.g. territory).
    pub issue: String,
    /// Position on that issue held on the ground at the first round, in the issue's units.
    pub initial: Param,
    /// Monthly movement of the front, in the issue's units, when one side has all the
    /// capability; scaled by the capability balance.
    pub max_drift_per_month: Param,
    /// Standard deviation of the front's monthly movement, in the issue's units.
    pub volatility_per_month: Param,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Issue {
    pub id: String,
    pub label: String,
    /// Which delegations may sign it: `ceasefire` (ministers and up) or `settlement` (leaders).
    pub track: Track,
    /// A continuous outcome space. Give either `scale` or `options`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    /// Ordered options, from one end to the other. Give either `scale` or `options`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// For the ceasefire issue: the share of the fighting each option halts, starting with 0
    /// for "no ceasefire".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<f64>>,
    /// For the ceasefire issue: how many days each option's truce lasts once signed, after
    /// which it ends by itself (`null`: until it breaks); the first, "no ceasefire", `null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_days: Option<Vec<Option<f64>>>,
    /// Where the issue stands if no settlement is signed (issue units, or option index);
    /// required for settlement issues other than the battlefield issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversion: Option<Param>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Track {
    Ceasefire,
    Settlement,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub min: f64,
    pub max: f64,
    pub unit: String,
    pub min_label: String,
    pub max_label: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// Whether its signature is needed for any agreement (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub veto: bool,
    /// Military and economic strength; only the ratio between the two belligerents matters.
    /// A belligerent's only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<Param>,
    /// Utility lost per round of war, at the first round.
    pub cost_of_war: Param,
    /// Per-round discount factor, in (0, 1).
    pub patience: Param,
    /// How far the side believes the war will move the front in its favour, in the
    /// battlefield issue's units (Fearon's mutual optimism). A belligerent's only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimism: Option<Param>,
    /// Utility a side subtracts from any agreement for fear the other will not keep it,
    /// before guarantees.
    pub mistrust: Param,
    /// Curvature of the party's utility in distance, in [1, 4]: utility w (1 - d^curvature) at a
    /// normalized distance d from its ideal, on every issue. Omitted: 1, linear. Above 1 the
    /// party is risk-averse over the outcome and concedes less readily near its ideal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curvature: Option<Param>,
    /// The pressure (utility) at which the party's red lines give their full `red_line_give`;
    /// needed exactly when a position has `red_line_give`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub red_line_pressure: Option<Param>,
    /// Position per issue id.
    pub positions: BTreeMap<String, Position>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// One of the two sides at war.
    Belligerent,
    /// A side that does not fight but gains or loses from a deal (a guarantor, a backer).
    Stakeholder,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// Most preferred outcome (issue units, or option index).
    pub ideal: Param,
    /// Importance; a party's saliences sum to 1 (normalized again after each draw).
    pub salience: Param,
    /// The furthest the party will concede towards the other side (issue units, or option
    /// index). Omit for no red line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub red_line: Option<Param>,
    /// On the battlefield issue only, a red line that moves with the front: the furthest the
    /// party will concede beyond the line it holds, towards the other side (issue units; a
    /// negative value demands more than the line). Not with `red_line`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub red_line_from_front: Option<Param>,
    /// On a continuous settlement issue with a red line: how far (issue units) mediators'
    /// pressure can push that red line towards the other side at most; it gives in proportion
    /// to the pressure acting in a round, fully at the party's `red_line_pressure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub red_line_give: Option<Param>,
    /// With `red_line_give`: what conceding past the original red line costs the party, in
    /// utility per issue unit (the audience cost of crossing a declared line). Omitted: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub past_red_line_cost: Option<Param>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mediator {
    pub id: String,
    pub name: String,
    /// Leverage per target party id.
    pub leverage: BTreeMap<String, Leverage>,
    /// The channels that act in every round, whether or not the mediator is at the table
    /// (sanctions, aid, standing guarantees); the others act only in rounds where it engages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub standing: Vec<Channel>,
    /// The mediator's own preferences over the issues, per issue id (needed to set the agenda).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub positions: BTreeMap<String, Preference>,
    /// Utility any signed settlement is worth to the mediator on top of its positions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal_value: Option<Param>,
}

/// A mediator's preference on one issue.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Preference {
    /// Most preferred outcome (issue units, or option index).
    pub ideal: Param,
    /// Importance; normalized over the mediator's issues after each draw.
    pub salience: Param,
}

/// A channel of a mediator's leverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Pressure,
    Guarantees,
    Information,
    SidePayments,
}

/// The channels through which a mediator moves one party. Omitted channels are zero.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Leverage {
    /// Utility the party loses by refusing a deal on the table (raises its cost of no).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pressure: Option<Param>,
    /// Share in [0, 1] of the party's commitment fear that the mediator's guarantees remove.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guarantees: Option<Param>,
    /// Share in [0, 1] of the party's belief gap that the mediator's information removes per
    /// round it is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information: Option<Param>,
    /// Utility the mediator adds to any deal the party signs (aid, sanctions relief).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side_payments: Option<Param>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Round {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Months of war since the previous round (for the first round: before it).
    pub months_before: Param,
    /// Mediators at work in this round: an id (always present) or `{"id", "presence"}` with
    /// the chance that the mediator engages in this round.
    #[serde(default)]
    pub mediators: Vec<RoundMediator>,
    /// The forum the round belongs to (a `forums[].id`); required when `forums` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forum: Option<String>,
    /// Who tables the proposal in this round, overriding `model.proposal.proposer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposer: Option<String>,
    /// Delegation per party id: every veto player's, and none of a party that is not one.
    pub delegations: BTreeMap<String, Delegation>,
}

/// A venue of the talks: a label on rounds.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Forum {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RoundMediator {
    Always(String),
    Maybe(MediatorPresence),
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MediatorPresence {
    pub id: String,
    /// Chance the mediator engages in this round (its leverage applies only then).
    pub presence: Param,
}

impl RoundMediator {
    pub fn id(&self) -> &str {
        match self {
            RoundMediator::Always(id) => id,
            RoundMediator::Maybe(m) => &m.id,
        }
    }

    pub fn presence(&self) -> Option<&Param> {
        match self {
            RoundMediator::Always(_) => None,
            RoundMediator::Maybe(m) => Some(&m.presence),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Delegation {
    /// A level name, or a law over levels drawn in each trial.
    pub level: DelegationLevel,
    /// Chance the delegation comes.
    pub attendance: Param,
    /// `always` (the default): the delegation sits at its level; `to_sign`: a leaders'
    /// delegation sits at leaders' level only when a settlement both sides accept is on the
    /// table, and is headed by ministers otherwise.
    #[serde(default, skip_serializing_if = "Attend::is_always")]
    pub attend: Attend,
}

/// When a leaders' delegation sits at leaders' level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Attend {
    /// Whenever it comes.
    #[default]
    Always,
    /// Only to sign a settlement both sides accept (ministers head it otherwise).
    ToSign,
}

impl Attend {
    pub fn is_always(&self) -> bool {
        *self == Attend::Always
    }
}

/// A delegation's level: a level name, or a law over levels.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum DelegationLevel {
    Fixed(Level),
    Uncertain(LevelLaw),
}

/// A law over delegation levels, drawn once per trial and round (docs/MODEL.md §6 step 8).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelLaw {
    /// `levels`.
    pub dist: LevelDist,
    /// Probability of each level, each in [0, 1], summing to 1; a level not listed has 0.
    #[serde(deserialize_with = "level_map")]
    #[schemars(extend("propertyNames" = { "enum": ["officials", "ministers", "leaders"] }))]
    pub p: BTreeMap<Level, f64>,
    /// Evidence ids from `seeds/` that the law rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// A one-line reason where the law is the modeller's assumption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumption: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LevelDist {
    Levels,
}

impl LevelLaw {
    /// The probability of `level` (0 when not listed).
    pub fn probability(&self, level: Level) -> f64 {
        self.p.get(&level).copied().unwrap_or(0.0)
    }

    /// A short description of the law, e.g. `levels(ministers 0.7, leaders 0.3)`.
    pub fn describe(&self) -> String {
        let listed: Vec<String> = self.p.iter().map(|(level, p)| format!("{} {p}", level.key())).collect();
        format!("levels({})", listed.join(", "))
    }
}

/// A map from level names, read through string keys so that a misspelt level is reported at
/// the map's path rather than at an unnamed key.
fn level_map<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<Level, f64>, D::Error> {
    use serde::de::{Error, IntoDeserializer};
    BTreeMap::<String, f64>::deserialize(deserializer)?
        .into_iter()
        .map(|(name, p)| {
            let level = Level::deserialize(name.as_str().into_deserializer())
                .map_err(|e: serde::de::value::Error| D::Error::custom(e))?;
            Ok((level, p))
        })
        .collect()
}

impl<'de> Deserialize<'de> for DelegationLevel {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<DelegationLevel, D::Error> {
        use serde::de::{self, MapAccess, Visitor};
        struct LevelVisitor;
        impl<'de> Visitor<'de> for LevelVisitor {
            type Value = DelegationLevel;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a level (\"officials\", \"ministers\", \"leaders\") or a law {\"dist\": \"levels\", \"p\": {..}}",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DelegationLevel, E> {
                Level::deserialize(de::value::StrDeserializer::<E>::new(v)).map(DelegationLevel::Fixed)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DelegationLevel, A::Error> {
                LevelLaw::deserialize(de::value::MapAccessDeserializer::new(map)).map(DelegationLevel::Uncertain)
            }
        }
        deserializer.deserialize_any(LevelVisitor)
    }
}

/// Delegation level; it bounds what the delegation may sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Mid-level officials: humanitarian steps only.
    Officials,
    /// Ministers: also a ceasefire.
    Ministers,
    /// Heads of state: also a settlement.
    Leaders,
}

impl Level {
    /// The levels from lowest to highest.
    pub const ALL: [Level; 3] = [Level::Officials, Level::Ministers, Level::Leaders];

    /// The level as the scenario writes it.
    pub fn key(self) -> &'static str {
        match self {
            Level::Officials => "officials",
            Level::Ministers => "ministers",
            Level::Leaders => "leaders",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: String,
    pub label: String,
    /// Chance the event happens before each eligible round.
    pub probability: Param,
    /// Round ids where it can happen; all rounds when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<Vec<String>>,
    pub effects: Effects,
}

/// What an event changes. Omitted effects are zero.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Effects {
    /// Moves the front now, in the battlefield issue's units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub battlefield_shift: Option<Param>,
    /// Added to a party's per-round cost of war from now on.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cost_change: BTreeMap<String, Param>,
    /// Added to a party's capability from now on.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capability_change: BTreeMap<String, Param>,
    /// Added to a party's belief gap (optimism) now.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub optimism_change: BTreeMap<String, Param>,
    /// Multiplies a party's attendance chance in this round.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attendance_factor: BTreeMap<String, Param>,
    /// Added to the collapse hazard of this round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collapse_hazard: Option<Param>,
    /// A truce one side declares, for a fixed number of days (docs/MODEL.md §6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truce: Option<DeclaredTruce>,
}

/// A unilateral truce declared by an event: it damps the fighting for its days, and counts as a
/// signed ceasefire only if the other side reciprocates.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclaredTruce {
    /// The party that declares it.
    pub by: String,
    /// Share of the fighting it halts, in (0, 1].
    pub scope: Param,
    /// How many days it lasts.
    pub duration_days: f64,
    /// Chance that the other side reciprocates within 48 hours (omitted: 0, never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reciprocated: Option<Param>,
}
