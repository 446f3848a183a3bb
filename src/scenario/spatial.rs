//! Scenarios for the classic spatial models of collective decision (`compromise`,
//! `expected_utility`; docs/MODELS.md): actors with a capability and, on every issue, a position
//! and a salience. They share the header (meta, run defaults), the issue spaces, the parameters
//! and the evidence rules of the bargaining scenarios, not their parties, rounds or leverage.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::bdm::BdmOptions;
use super::evidence::Evidence;
use super::param::Param;
use super::schema::{Meta, RunDefaults, Scale};
use super::validate::{self, Check, at_most, fail, unique_ids};
use super::walk::{Bound, CAPABILITY_MAX, ParamRef, param_site};

/// A scenario for a spatial model.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpatialScenario {
    pub meta: Meta,
    #[serde(default)]
    pub run: RunDefaults,
    pub model: SpatialModel,
    /// The dimensions of the decision, each a scale or ordered options.
    pub issues: Vec<SpatialIssue>,
    /// Everyone with a stake and a voice in the decision.
    pub actors: Vec<Actor>,
}

/// Which spatial model runs the scenario, with its settings. A plain struct rather than an
/// enum tagged by `kind`, so that a misspelt field is refused and an error inside `options`
/// names its full path; which fields a kind takes is checked by [`SpatialScenario::validate`].
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpatialModel {
    pub kind: SpatialKind,
    /// `expected_utility` only, required: rounds of challenges and moves after the initial
    /// positions (round 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<usize>,
    /// `expected_utility` only: the named choices where the published versions of the model
    /// differ (docs/MODELS.md); omitted, the defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<BdmOptions>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpatialKind {
    /// The weighted mean of the positions, weight capability × salience (docs/MODELS.md).
    Compromise,
    /// Bueno de Mesquita's expected-utility model of group decisions (docs/MODELS.md).
    ExpectedUtility,
}

/// Rounds an expected-utility run may have.
pub const ROUNDS_MAX: usize = 200;
/// Actors a spatial scenario may have.
pub const ACTORS_MAX: usize = 200;
/// The most work an expected-utility trial may take, as actors³ × issues × rounds (a round
/// weighs n² contests by n voters, docs/MODELS.md): about 5 s per trial on the machine of
/// BENCHMARKS.md, so that no accepted scenario runs unboundedly long.
pub const WORK_MAX: u64 = 1_000_000_000;

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpatialIssue {
    pub id: String,
    pub label: String,
    /// A continuous outcome space. Give either `scale` or `options`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    /// Ordered options, from one end to the other; a position is an option's index (0 for the
    /// first), any real number between them. Give either `scale` or `options`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
}

impl SpatialIssue {
    /// The issue's range in its units (option indices for an ordered issue).
    pub fn range(&self) -> (f64, f64) {
        match (&self.scale, &self.options) {
            (Some(s), _) => (s.min, s.max),
            (None, Some(o)) => (0.0, o.len().saturating_sub(1) as f64),
            (None, None) => (0.0, 0.0),
        }
    }

    /// The unit values are shown in.
    pub fn unit(&self) -> &str {
        match &self.scale {
            Some(s) => &s.unit,
            None => "option index",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub id: String,
    pub name: String,
    /// Power to shape the decision; only ratios between actors matter.
    pub capability: Param,
    /// Stance per issue id; every issue needs one.
    pub positions: BTreeMap<String, Stance>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stance {
    /// The outcome the actor advocates, in the issue's units.
    pub position: Param,
    /// How much the actor cares about the issue, in [0, 1] (1: it would spend everything on
    /// it); not normalized across issues.
    pub salience: Param,
}

/// Slots at an actor's site (`param:actors.<id>`) and at its stance's site
/// (`param:actors.<id>.<issue>`); docs/MODELS.md lists them.
pub const CAPABILITY_SLOT: u32 = 0;
pub const POSITION_SLOT: u32 = 0;
pub const SALIENCE_SLOT: u32 = 1;

impl SpatialScenario {
    /// All parameters, in document order: per actor its capability, then per issue (in the
    /// order of the `positions` keys) its position and salience.
    pub fn params(&self) -> Vec<ParamRef<'_>> {
        let mut out = Vec::new();
        for (a, actor) in self.actors.iter().enumerate() {
            let site = param_site(&format!("actors.{}", actor.id));
            out.push(ParamRef {
                path: format!("actors[{a}].capability"),
                key: format!("actors.{}.capability", actor.id),
                site: site.clone(),
                slot: CAPABILITY_SLOT,
                bound: Bound::Closed(0.0, CAPABILITY_MAX),
                what: "a capability",
                param: &actor.capability,
            });
            for (issue, stance) in &actor.positions {
                let (lo, hi) = self.issues.iter().find(|i| &i.id == issue).map_or((0.0, 0.0), SpatialIssue::range);
                let site = format!("{site}.{issue}");
                let path = format!("actors[{a}].positions.{issue}");
                let key = format!("actors.{}.positions.{issue}", actor.id);
                out.push(ParamRef {
                    path: format!("{path}.position"),
                    key: format!("{key}.position"),
                    site: site.clone(),
                    slot: POSITION_SLOT,
                    bound: Bound::Closed(lo, hi),
                    what: "a position",
                    param: &stance.position,
                });
                out.push(ParamRef {
                    path: format!("{path}.salience"),
                    key: format!("{key}.salience"),
                    site,
                    slot: SALIENCE_SLOT,
                    bound: Bound::Closed(0.0, 1.0),
                    what: "a salience",
                    param: &stance.salience,
                });
            }
        }
        out
    }

    /// Checks every rule; `evidence`, when given, must hold every cited id.
    pub fn validate(&self, evidence: Option<&Evidence>) -> Check {
        validate::check_header(&self.meta, &self.run)?;
        at_most("issues", self.issues.len(), validate::limits::ISSUES, "issues")?;
        at_most("actors", self.actors.len(), ACTORS_MAX, "actors")?;
        if self.issues.is_empty() {
            fail("issues", "a scenario needs at least one issue")?;
        }
        if self.actors.len() < 2 {
            fail("actors", format!("a decision needs at least two actors (got {})", self.actors.len()))?;
        }
        unique_ids(self.issues.iter().map(|i| i.id.as_str()), "issues")?;
        for (i, issue) in self.issues.iter().enumerate() {
            let n = issue.options.as_ref().map_or(0, Vec::len);
            at_most(&format!("issues[{i}].options"), n, validate::limits::OPTIONS, "options")?;
            validate::check_space(i, issue.scale.as_ref(), issue.options.as_deref())?;
        }
        unique_ids(self.actors.iter().map(|a| a.id.as_str()), "actors")?;
        let issue_ids: BTreeSet<&str> = self.issues.iter().map(|i| i.id.as_str()).collect();
        for (a, actor) in self.actors.iter().enumerate() {
            if let Some(key) = actor.positions.keys().find(|k| !issue_ids.contains(k.as_str())) {
                fail(format!("actors[{a}].positions.{key}"), format!("unknown issue `{key}`"))?;
            }
            if let Some(issue) = self.issues.iter().find(|i| !actor.positions.contains_key(&i.id)) {
                fail(
                    format!("actors[{a}].positions"),
                    format!("actor `{}` has no position on issue `{}`", actor.id, issue.id),
                )?;
            }
        }
        let m = &self.model;
        match (m.kind, m.rounds) {
            (SpatialKind::Compromise, Some(_)) => fail("model.rounds", "the compromise model has no rounds")?,
            (SpatialKind::ExpectedUtility, None) => {
                fail("model", "the expected-utility model needs `rounds` (1 to 200)")?
            }
            (SpatialKind::ExpectedUtility, Some(rounds)) if !(1..=ROUNDS_MAX).contains(&rounds) => {
                fail("model.rounds", format!("between 1 and {ROUNDS_MAX} rounds are allowed (got {rounds})"))?
            }
            (SpatialKind::ExpectedUtility, Some(rounds)) => {
                let n = self.actors.len() as u64;
                let work = n.pow(3) * self.issues.len() as u64 * rounds as u64;
                if work > WORK_MAX {
                    fail(
                        "model.rounds",
                        format!(
                            "{n} actors, {} issues and {rounds} rounds make actors³ × issues × rounds = {work}; at most \
                             {WORK_MAX} are allowed (fewer rounds, issues or actors)",
                            self.issues.len()
                        ),
                    )?
                }
            }
            _ => {}
        }
        match (m.kind, &m.options) {
            (SpatialKind::Compromise, Some(_)) => fail("model.options", "the compromise model has no options")?,
            (_, Some(options)) => {
                if let Err((path, rule)) = options.check() {
                    fail(format!("model.options.{path}"), rule)?;
                }
            }
            (_, None) => {}
        }
        validate::check_params(&self.params(), self.meta.forecast_as_of(), evidence)
    }
}
