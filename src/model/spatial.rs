//! The classic spatial models of collective decision (docs/MODELS.md): `compromise`, the
//! capability × salience weighted mean of the positions, and `expected_utility`, Bueno de
//! Mesquita's model of challenges and moves (`expected_utility`). Each trial draws the
//! uncertain inputs and computes the model's prediction per issue; the models themselves are
//! deterministic.

use super::expected_utility::{self, ExpectedUtility};
use super::params::{P, ParamSet, Registry};
use crate::engine::{
    EventSpec, FigureOf, FigureSpec, FlagSpec, Layout, Model, Name, Reads, RoundInfo, TermKind, TermSpec, TrialRecord,
    TrialRng, ValueSpec,
};
use crate::scenario::spatial::{SpatialKind, SpatialScenario};
use crate::scenario::validate::Violation;

/// The kinds, as `model.kind` names them.
pub const COMPROMISE: &str = "compromise";
pub const EXPECTED_UTILITY: &str = "expected_utility";

/// The event every trial reaches: the decision the model predicts, one term per issue. It is
/// keyed as `mediated_nash` keys its settlement, so that `sim compare` lines up the terms the
/// models predict issue by issue.
pub const PREDICTION: &str = "settlement";

#[derive(Debug, Clone)]
struct ActorC {
    capability: P,
    /// Position and salience per issue, in the scenario's issue order.
    stances: Vec<(P, P)>,
}

#[derive(Debug, Clone)]
enum Method {
    Compromise,
    ExpectedUtility { model: ExpectedUtility, rounds: usize },
}

/// A spatial model compiled from a validated scenario.
#[derive(Debug, Clone)]
pub struct Spatial {
    layout: Layout,
    params: ParamSet,
    /// Each issue's range, in its units.
    ranges: Vec<(f64, f64)>,
    actors: Vec<ActorC>,
    method: Method,
}

/// Per-thread working memory of a spatial model.
#[derive(Debug)]
pub struct Scratch {
    draws: Vec<f64>,
    blocks: Vec<[u32; 16]>,
    capability: Vec<f64>,
    salience: Vec<f64>,
    position: Vec<f64>,
    weight: Vec<f64>,
    /// Sized for the model's rounds; a compromise model leaves them unused.
    workspace: expected_utility::Workspace,
    path: expected_utility::Path,
}

impl Spatial {
    /// Compiles a scenario that passed its validation.
    pub fn new(s: &SpatialScenario) -> Result<Spatial, Violation> {
        let mut reg = Registry::default();
        let walked = s.params();
        let mut by_key = std::collections::BTreeMap::new();
        for r in &walked {
            by_key.insert(r.key.as_str(), reg.add(r)?);
        }
        let mut actors = Vec::with_capacity(s.actors.len());
        for (a, actor) in s.actors.iter().enumerate() {
            let param = |field: &str| {
                by_key.get(format!("actors.{}.{field}", actor.id).as_str()).copied().ok_or_else(|| Violation {
                    path: format!("actors[{a}].{field}"),
                    message: format!("actor `{}` has no {field}", actor.id),
                })
            };
            let mut stances = Vec::with_capacity(s.issues.len());
            for issue in &s.issues {
                let at = |f: &str| format!("positions.{}.{f}", issue.id);
                stances.push((param(&at("position"))?, param(&at("salience"))?));
            }
            actors.push(ActorC { capability: param("capability")?, stances });
        }
        let method = match (s.model.kind, s.model.rounds) {
            (SpatialKind::Compromise, _) => Method::Compromise,
            (SpatialKind::ExpectedUtility, Some(rounds)) => Method::ExpectedUtility {
                model: ExpectedUtility::new(&s.model.options.clone().unwrap_or_default()),
                rounds,
            },
            (SpatialKind::ExpectedUtility, None) => {
                return Err(Violation {
                    path: "model".into(),
                    message: "the expected-utility model needs `rounds`".into(),
                });
            }
        };
        let layout = layout(s, &method);
        layout.check().map_err(|rule| Violation { path: "model".into(), message: rule })?;
        Ok(Spatial {
            layout,
            params: reg.finish(),
            ranges: s.issues.iter().map(|i| i.range()).collect(),
            actors,
            method,
        })
    }

    /// The inputs of issue `k` for every actor, from the trial's draws.
    fn gather(&self, k: usize, scratch: &mut Scratch) {
        let d = &scratch.draws;
        for (a, actor) in self.actors.iter().enumerate() {
            let (position, salience) = actor.stances[k];
            scratch.capability[a] = d[actor.capability.0];
            scratch.salience[a] = d[salience.0];
            scratch.position[a] = d[position.0];
            scratch.weight[a] = d[actor.capability.0] * d[salience.0];
        }
    }

    /// Runs the model on the trial's draws.
    fn decide(&self, scratch: &mut Scratch, record: &mut TrialRecord) {
        record.events[0] = true;
        let n = self.actors.len();
        // The first round from which every issue has met the stopping rule, if any.
        let mut stopped = Some(0);
        // Where every weight on an issue is zero, the compromise is the plain mean of the positions.
        let mut unweighted = false;
        for (k, &(lo, hi)) in self.ranges.iter().enumerate() {
            self.gather(k, scratch);
            match &self.method {
                Method::Compromise => {
                    let mean = expected_utility::weighted_mean(&scratch.position, &scratch.weight);
                    record.values_mut(0)[k] = mean;
                    record.terms[k] = mean;
                    if scratch.weight.iter().all(|&w| w <= 0.0) {
                        unweighted = true;
                    }
                }
                Method::ExpectedUtility { model, rounds } => {
                    let path = &mut scratch.path;
                    let (c, s, x) = (&scratch.capability, &scratch.salience, &scratch.position);
                    model.run(c, s, x, lo, hi, &mut scratch.workspace, path);
                    for t in 0..=*rounds {
                        let values = record.values_mut(t);
                        values[2 * k] = path.median[t];
                        values[2 * k + 1] = path.mean[t];
                        // A flag reads "by the end of the round": the actor has moved in this
                        // round or an earlier one.
                        for a in 0..n {
                            let before = t > 0 && record.flags_of(t - 1)[k * n + a];
                            record.flags_mut(t)[k * n + a] = before || path.moved[t * n + a];
                        }
                    }
                    record.terms[k] = path.median[*rounds];
                    stopped = stopped.zip(path.stopped_at).map(|(a, b)| a.max(b));
                }
            }
        }
        match &self.method {
            Method::Compromise => record.outcome[0] = usize::from(unweighted),
            Method::ExpectedUtility { rounds, .. } => {
                for t in 0..=*rounds {
                    record.outcome[t] = usize::from(stopped.is_some_and(|s| s <= t));
                }
            }
        }
    }
}

/// What a spatial model reports (docs/MODELS.md): per round, the prediction per issue (the
/// weighted mean; for `expected_utility` also the weighted median, and which actors moved);
/// the `prediction` event with the final prediction per issue as its terms.
fn layout(s: &SpatialScenario, method: &Method) -> Layout {
    let unit = |k: usize| s.issues[k].unit().to_string();
    let (lo, hi): (Vec<f64>, Vec<f64>) = s.issues.iter().map(|i| i.range()).unzip();
    let value = |k: usize, what: &str, label: &str| ValueSpec {
        key: format!("{what}.{}", s.issues[k].id),
        label: format!("{label} of {}", s.issues[k].id),
        unit: unit(k),
        min: lo[k],
        max: hi[k],
    };
    let terms = s
        .issues
        .iter()
        .enumerate()
        .map(|(k, i)| TermSpec {
            issue: i.id.clone(),
            label: i.label.clone(),
            kind: match (&i.scale, &i.options) {
                (None, Some(options)) => TermKind::Index(options.clone()),
                _ => TermKind::Continuous { min: lo[k], max: hi[k], unit: unit(k) },
            },
        })
        .collect();
    let prediction = EventSpec { key: PREDICTION.into(), label: "predicted decision".into(), marks: vec![], terms };
    match method {
        Method::Compromise => Layout {
            model: COMPROMISE.into(),
            rounds: vec![RoundInfo { id: "prediction".into(), label: "prediction".into(), date: None }],
            outcomes: vec![
                Name::new("weighted", "weighted mean"),
                Name::new("unweighted", "plain mean (every weight zero on an issue)"),
            ],
            stack: vec![0, 1],
            flags: vec![],
            values: (0..s.issues.len()).map(|k| value(k, "mean", "weighted mean")).collect(),
            events: vec![prediction],
            questions: vec![],
            figures: vec![FigureSpec {
                key: "unweighted".into(),
                label: "every weight zero on an issue".into(),
                of: FigureOf::Outcome(1),
            }],
            headline: vec![0],
            per_round: vec![0],
            // The weighted mean of the first issue.
            headline_values: vec![0],
        },
        Method::ExpectedUtility { rounds, .. } => {
            let flags: Vec<FlagSpec> = s
                .issues
                .iter()
                .flat_map(|i| {
                    s.actors.iter().map(move |a| {
                        FlagSpec::new(
                            &format!("moved.{}.{}", i.id, a.id),
                            &format!("{} has moved ({})", a.id, i.id),
                            Reads::ByEnd,
                        )
                    })
                })
                .collect();
            let mut figures = vec![FigureSpec {
                key: "stopped".into(),
                label: "stopping rule met on every issue".into(),
                of: FigureOf::Outcome(1),
            }];
            figures.extend(flags.iter().enumerate().map(|(f, flag)| FigureSpec {
                key: flag.name.key.clone(),
                label: flag.name.label.clone(),
                of: FigureOf::Flag(f),
            }));
            Layout {
                model: EXPECTED_UTILITY.into(),
                rounds: (0..=*rounds)
                    .map(|t| RoundInfo {
                        id: format!("round_{t}"),
                        label: if t == 0 { "round 0 (initial positions)".into() } else { format!("round {t}") },
                        date: None,
                    })
                    .collect(),
                outcomes: vec![Name::new("moving", "still moving"), Name::new("stopped", "stopped")],
                stack: vec![1, 0],
                flags,
                values: (0..s.issues.len())
                    .flat_map(|k| [value(k, "median", "weighted median"), value(k, "mean", "weighted mean")])
                    .collect(),
                events: vec![prediction],
                questions: vec![],
                figures,
                headline: vec![0],
                per_round: vec![0],
                // The weighted median of the first issue.
                headline_values: vec![0],
            }
        }
    }
}

impl Model for Spatial {
    type Scratch = Scratch;

    fn layout(&self) -> &Layout {
        &self.layout
    }

    fn scratch(&self) -> Scratch {
        let n = self.actors.len();
        let rounds = match &self.method {
            Method::ExpectedUtility { rounds, .. } => *rounds,
            Method::Compromise => 0,
        };
        let (workspace, path) = (ExpectedUtility::workspace(n), ExpectedUtility::path(n, rounds));
        Scratch {
            draws: self.params.initial(),
            blocks: Vec::new(),
            capability: vec![0.0; n],
            salience: vec![0.0; n],
            position: vec![0.0; n],
            weight: vec![0.0; n],
            workspace,
            path,
        }
    }

    fn run_trial(&self, rng: &TrialRng, scratch: &mut Scratch, record: &mut TrialRecord) {
        self.params.draw(rng, &mut scratch.blocks, &mut scratch.draws);
        self.decide(scratch, record);
    }
}

impl crate::engine::Inputs for Spatial {
    fn input_keys(&self) -> Vec<String> {
        self.params.input_keys()
    }

    fn draw_inputs(&self, rng: &TrialRng, scratch: &mut Scratch, inputs: &mut [f64]) {
        self.params.draw(rng, &mut scratch.blocks, &mut scratch.draws);
        self.params.read_inputs(&scratch.draws, inputs);
    }

    fn run_with_inputs(&self, _rng: &TrialRng, scratch: &mut Scratch, inputs: &[f64], record: &mut TrialRecord) {
        // The models are deterministic given their inputs: nothing else of the trial is random.
        self.params.write_inputs(inputs, &mut scratch.draws);
        self.decide(scratch, record);
    }
}
