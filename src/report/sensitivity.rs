//! The summary of `sim sensitivity`: the inputs ranked by how much they move a headline figure
//! (the data of a tornado chart).

use serde::Serialize;

use super::run::estimate_rows;
use super::sweep::StudyRun;
use super::{Estimate, Grid, Summary, ToolInfo, paired_cell, pct};
use crate::engine::RunConfig;
use crate::scenario::LoadedScenario;
use crate::study::sensitivity::{Effect, Options, Sensitivity};

#[derive(Debug, Clone, Serialize)]
pub struct SensitivityReport {
    pub sim: ToolInfo,
    pub run: StudyRun,
    pub figure: String,
    #[serde(skip)]
    pub figure_label: String,
    pub round: String,
    pub low_quantile: f64,
    pub high_quantile: f64,
    /// The figure with every input drawn as usual.
    pub base: Estimate,
    /// Largest swing first.
    pub inputs: Vec<Effect>,
}

impl SensitivityReport {
    pub fn new(
        loaded: &LoadedScenario,
        round: &str,
        opts: &Options,
        cfg: RunConfig,
        study: Sensitivity,
    ) -> SensitivityReport {
        SensitivityReport {
            sim: ToolInfo::new(&study.model),
            run: StudyRun::new(loaded, cfg),
            figure: study.figure.key,
            figure_label: study.figure.label,
            round: round.to_string(),
            low_quantile: opts.low,
            high_quantile: opts.high,
            base: study.base,
            inputs: study.inputs,
        }
    }
}

impl Summary for SensitivityReport {
    fn hindsight(&self) -> bool {
        self.run.hindsight
    }

    fn heading(&self) -> Vec<String> {
        let label = &self.figure_label;
        vec![
            format!("Sensitivity of {} ({})", self.run.title, self.run.scenario),
            format!(
                "Figure: {label}, round `{}`: {}% with every input drawn. Each input held at its {:.0}th and {:.0}th \
                 percentile, {} trials each, seed {} (common random numbers).",
                self.round,
                pct(self.base.p),
                100.0 * self.low_quantile,
                100.0 * self.high_quantile,
                self.run.trials,
                self.run.seed
            ),
        ]
    }

    fn grids(&self) -> Vec<Grid> {
        vec![Grid {
            text_columns: 3,
            title: "Inputs ranked by swing (figure at high minus at low, percentage points, ± 95% paired interval)"
                .into(),
            headers: ["rank", "input", "law", "low -> high", "figure at low", "at high", "swing"]
                .map(String::from)
                .to_vec(),
            rows: self
                .inputs
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    vec![
                        format!("{}", i + 1),
                        e.key.clone(),
                        e.law.clone(),
                        format!("{:.4} -> {:.4}", e.low_value, e.high_value),
                        pct(e.at_low.p),
                        pct(e.at_high.p),
                        {
                            let (swing, star) = paired_cell(&e.swing);
                            format!("{swing}{star}")
                        },
                    ]
                })
                .collect(),
        }]
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut rows = Vec::new();
        estimate_rows(&mut rows, &["0", "base", "", ""], &self.base);
        for (i, e) in self.inputs.iter().enumerate() {
            let rank = (i + 1).to_string();
            let low = e.low_value.to_string();
            let high = e.high_value.to_string();
            estimate_rows(&mut rows, &[&rank, &e.key, "low", &low], &e.at_low);
            estimate_rows(&mut rows, &[&rank, &e.key, "high", &high], &e.at_high);
            for (stat, value) in [
                ("diff", e.swing.diff),
                ("diff_se", e.swing.se),
                ("diff_ci95_low", e.swing.ci95[0]),
                ("diff_ci95_high", e.swing.ci95[1]),
            ] {
                rows.push(vec![
                    rank.clone(),
                    e.key.clone(),
                    "swing".into(),
                    String::new(),
                    stat.into(),
                    value.to_string(),
                ]);
            }
        }
        (["rank", "input", "setting", "input_value", "statistic", "value"].map(String::from).to_vec(), rows)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report serializes")
    }
}
