//! The summary of `sim trace`: one trial told round by round.

use serde::Serialize;

use super::{Grid, Keyed, Summary, ToolInfo};
use crate::engine::Layout;
use crate::model::Trace;
use crate::scenario::LoadedScenario;

#[derive(Debug, Clone, Serialize)]
pub struct TraceReport {
    pub sim: ToolInfo,
    pub scenario: String,
    pub title: String,
    pub digest: String,
    #[serde(skip)]
    pub hindsight: bool,
    pub seed: u64,
    pub trial: u64,
    /// Every parameter as drawn in this trial.
    pub draws: Vec<Draw>,
    pub rounds: Vec<TraceRound>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Draw {
    pub key: String,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TraceRound {
    pub id: String,
    pub label: String,
    /// The key of the round's outcome.
    pub outcome: String,
    /// Each flag of the round, under its key.
    #[serde(flatten)]
    pub flags: Keyed<bool>,
    pub notes: Vec<String>,
}

impl TraceReport {
    pub fn new(loaded: &LoadedScenario, layout: &Layout, seed: u64, trial: u64, trace: &Trace) -> TraceReport {
        TraceReport {
            sim: ToolInfo::new(&layout.model),
            scenario: loaded.file.display().to_string(),
            title: loaded.title().to_string(),
            digest: format!("sha256:{}", loaded.digest),
            hindsight: loaded.hindsight(),
            seed,
            trial,
            draws: trace.draws.iter().map(|(key, value)| Draw { key: key.clone(), value: *value }).collect(),
            rounds: layout
                .rounds
                .iter()
                .enumerate()
                .map(|(t, r)| TraceRound {
                    id: r.id.clone(),
                    label: r.label.clone(),
                    outcome: layout.outcomes[trace.record.outcome[t]].key.clone(),
                    flags: Keyed(
                        layout
                            .flags
                            .iter()
                            .zip(trace.record.flags_of(t))
                            .map(|(f, &x)| (f.name.key.clone(), x))
                            .collect(),
                    ),
                    notes: trace.notes.iter().filter(|(round, _)| *round == t).map(|(_, n)| n.clone()).collect(),
                })
                .collect(),
        }
    }
}

impl Summary for TraceReport {
    fn hindsight(&self) -> bool {
        self.hindsight
    }

    fn heading(&self) -> Vec<String> {
        vec![
            format!("Trial {} of {} ({}), seed {}", self.trial, self.title, self.scenario, self.seed),
            "The same draws as this trial in `sim run` with the same seed; utilities are on the model's 0-1 scale."
                .into(),
        ]
    }

    fn grids(&self) -> Vec<Grid> {
        let mut grids = vec![Grid {
            text_columns: 1,
            title: "Parameters drawn".into(),
            headers: vec!["parameter".into(), "value".into()],
            rows: self.draws.iter().map(|d| vec![d.key.clone(), format!("{:.4}", d.value)]).collect(),
        }];
        for (t, r) in self.rounds.iter().enumerate() {
            grids.push(Grid {
                text_columns: 2,
                title: format!("Round {}: {} -> {}", t + 1, r.label, r.outcome),
                headers: vec!["step".into(), "what happened".into()],
                rows: r.notes.iter().enumerate().map(|(i, n)| vec![format!("{}", i + 1), n.clone()]).collect(),
            });
        }
        grids
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut rows: Vec<Vec<String>> =
            self.draws.iter().map(|d| vec!["draw".into(), String::new(), d.key.clone(), d.value.to_string()]).collect();
        for r in &self.rounds {
            for (i, n) in r.notes.iter().enumerate() {
                rows.push(vec!["note".into(), r.id.clone(), (i + 1).to_string(), n.clone()]);
            }
            rows.push(vec!["outcome".into(), r.id.clone(), String::new(), r.outcome.to_string()]);
        }
        (["kind", "round", "key", "value"].map(String::from).to_vec(), rows)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report serializes")
    }
}
