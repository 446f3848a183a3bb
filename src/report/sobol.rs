//! The summary of `sim sensitivity --method sobol`: first-order and total Sobol indices of a
//! figure or a value for every uncertain input and for groups of inputs (docs/SENSITIVITY.md).

use serde::Serialize;

use super::sensitivity::number;
use super::sweep::StudyRun;
use super::{Explained, Grid, ScenarioId, Summary, ToolInfo, pct};
use crate::engine::RunConfig;
use crate::scenario::LoadedScenario;
use crate::study::sobol::{Index, ScenarioSobol};

#[derive(Debug, Clone, Serialize)]
pub struct SobolReport {
    pub sim: ToolInfo,
    pub run: StudyRun,
    pub method: &'static str,
    /// The figure or value explained.
    #[serde(flatten)]
    pub output: Explained,
    pub round: String,
    /// Base samples N of the design; the study ran `trials` = N (columns + 3) trials.
    pub rows: u64,
    pub trials: u64,
    pub resamples: usize,
    /// The figure's probability and the variance of its 0/1 outcome over the design, or the
    /// value's mean and variance.
    pub mean: f64,
    pub variance: f64,
    /// Share of that variance the inputs leave to the trial's own randomness.
    pub residual: Index,
    /// Largest total index first.
    pub inputs: Vec<InputRow>,
    pub groups: Vec<GroupRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputRow {
    pub key: String,
    pub path: String,
    pub law: String,
    pub provenance: String,
    pub owner: String,
    pub first: Index,
    pub total: Index,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub key: String,
    pub members: usize,
    pub first: Index,
    pub total: Index,
}

/// Largest total first; undefined last; ties by key.
fn by_total(a: &Index, b: &Index) -> std::cmp::Ordering {
    let t = |i: &Index| i.value.unwrap_or(f64::NEG_INFINITY);
    t(b).total_cmp(&t(a))
}

impl SobolReport {
    pub fn new(loaded: &LoadedScenario, round: &str, seed: u64, resamples: usize, study: ScenarioSobol) -> SobolReport {
        SobolReport::of(&ScenarioId::of(loaded), round, seed, resamples, study)
    }

    /// The report of a study of the scenario `id` (from a merge of parts, or a whole run).
    pub fn of(id: &ScenarioId, round: &str, seed: u64, resamples: usize, study: ScenarioSobol) -> SobolReport {
        let ix = study.indices;
        // The design's columns are the inputs, then the groups.
        let k = study.inputs.len();
        let mut inputs: Vec<InputRow> = study
            .inputs
            .into_iter()
            .zip(&ix.columns)
            .map(|(i, c)| InputRow {
                key: i.key,
                path: i.path,
                law: i.law,
                provenance: i.provenance,
                owner: i.owner,
                first: c.first,
                total: c.total,
            })
            .collect();
        inputs.sort_by(|a, b| by_total(&a.total, &b.total).then_with(|| a.key.cmp(&b.key)));
        let mut groups: Vec<GroupRow> = study
            .groups
            .into_iter()
            .zip(&ix.columns[k..])
            .map(|((key, members), c)| GroupRow { key, members, first: c.first, total: c.total })
            .collect();
        groups.sort_by(|a, b| by_total(&a.total, &b.total).then_with(|| a.key.cmp(&b.key)));
        SobolReport {
            sim: ToolInfo::new(&study.model),
            run: StudyRun::of(id, RunConfig { trials: ix.rows, seed }),
            method: "sobol",
            output: study.output.into(),
            round: round.to_string(),
            rows: ix.rows,
            trials: ix.trials,
            resamples,
            mean: ix.mean,
            variance: ix.variance,
            residual: ix.residual,
            inputs,
            groups,
        }
    }

    fn group(&self, key: &str) -> Option<&GroupRow> {
        self.groups.iter().find(|g| g.key == key)
    }
}

/// An index in percent with its interval: `31.4 [28.0, 35.1]`; `-` where undefined.
fn cell(i: &Index) -> String {
    match (i.value, i.ci95) {
        (Some(v), Some([lo, hi])) => format!("{} [{}, {}]", pct(v), pct(lo), pct(hi)),
        (Some(v), None) => pct(v),
        _ => "-".into(),
    }
}

impl Summary for SobolReport {
    fn hindsight(&self) -> bool {
        self.run.hindsight
    }

    fn heading(&self) -> Vec<String> {
        let label = self.output.measure.label();
        let (what, of) = match self.output.measure.unit() {
            None => (format!("{label} by round {}: {}% of trials", self.round, pct(self.mean)), "the trial's outcome"),
            Some(unit) => (
                format!(
                    "{label} at round {}: mean {}, standard deviation {}{}",
                    self.round,
                    number(self.mean),
                    number(self.variance.max(0.0).sqrt()),
                    if unit.is_empty() { String::new() } else { format!(" ({unit})") }
                ),
                "the value",
            ),
        };
        let mut lines = vec![
            format!("Sobol sensitivity of {} ({})", self.run.title, self.run.scenario),
            format!(
                "{what}; {} base samples, {} trials, seed {}, {} bootstrap resamples; sim {}",
                self.rows, self.trials, self.run.seed, self.resamples, self.sim.version
            ),
            format!(
                "Indices are % of the variance of {of} across trials: first order = the input alone, total = with all \
                 its interactions, the trial's own randomness included. That randomness alone leaves {}% unexplained \
                 by any input (its total index){}.",
                cell(&self.residual),
                if self.output.measure.unit().is_some() {
                    "; 0 for a model that is deterministic given its inputs"
                } else {
                    ""
                }
            ),
        ];
        if let Some(a) = self.group("provenance:assumption") {
            lines.push(format!(
                "Inputs that cite no evidence ({} of {}) account for {}% of it alone and {}% with their interactions.",
                a.members,
                self.inputs.len(),
                cell(&a.first),
                cell(&a.total)
            ));
        }
        lines
    }

    fn grids(&self) -> Vec<Grid> {
        vec![
            Grid {
                title: "Groups of inputs, by total index (%, 95% bootstrap interval)".into(),
                text_columns: 2,
                headers: ["group", "inputs", "first order", "total"].map(String::from).to_vec(),
                rows: self
                    .groups
                    .iter()
                    .map(|g| vec![g.key.clone(), g.members.to_string(), cell(&g.first), cell(&g.total)])
                    .collect(),
            },
            Grid {
                title: "Inputs, by total index (%, 95% bootstrap interval)".into(),
                text_columns: 4,
                headers: ["input", "law", "provenance", "owner", "first order", "total"].map(String::from).to_vec(),
                rows: self
                    .inputs
                    .iter()
                    .map(|i| {
                        vec![
                            i.key.clone(),
                            i.law.clone(),
                            i.provenance.to_string(),
                            i.owner.clone(),
                            cell(&i.first),
                            cell(&i.total),
                        ]
                    })
                    .collect(),
            },
        ]
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut rows = Vec::new();
        let mut push = |kind: &str, key: &str, index: &str, i: &Index| {
            let v = |x: Option<f64>| x.map_or_else(String::new, |x| x.to_string());
            rows.push(vec![kind.into(), key.into(), index.into(), "value".into(), v(i.value)]);
            rows.push(vec![kind.into(), key.into(), index.into(), "ci95_low".into(), v(i.ci95.map(|c| c[0]))]);
            rows.push(vec![kind.into(), key.into(), index.into(), "ci95_high".into(), v(i.ci95.map(|c| c[1]))]);
        };
        push("residual", "", "residual", &self.residual);
        for g in &self.groups {
            push("group", &g.key, "first", &g.first);
            push("group", &g.key, "total", &g.total);
        }
        for i in &self.inputs {
            push("input", &i.key, "first", &i.first);
            push("input", &i.key, "total", &i.total);
        }
        (["kind", "key", "index", "statistic", "value"].map(String::from).to_vec(), rows)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report serializes")
    }
}
