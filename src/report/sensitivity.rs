//! The summary of `sim sensitivity`: the inputs ranked by how much they move a headline figure
//! or value (the data of a tornado chart).

use serde::Serialize;

use super::run::estimate_rows;
use super::sweep::StudyRun;
use super::{Explained, Grid, Summary, ToolInfo, paired_cell, pct};
use crate::engine::RunConfig;
use crate::scenario::LoadedScenario;
use crate::study::sensitivity::{Effect, Level, Options, Sensitivity};

#[derive(Debug, Clone, Serialize)]
pub struct SensitivityReport {
    pub sim: ToolInfo,
    pub run: StudyRun,
    /// The figure or value explained.
    #[serde(flatten)]
    pub output: Explained,
    pub round: String,
    pub low_quantile: f64,
    pub high_quantile: f64,
    /// The output with every input drawn as usual.
    pub base: Level,
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
            output: study.output.into(),
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
        let label = self.output.measure.label();
        let (what, base) = match self.output.measure.unit() {
            None => ("Figure", format!("{}%", pct(self.base.point()))),
            Some(unit) => ("Value", format!("mean {}{}", number(self.base.point()), unit_suffix(unit))),
        };
        vec![
            format!("Sensitivity of {} ({})", self.run.title, self.run.scenario),
            format!(
                "{what}: {label}, round `{}`: {base} with every input drawn. Each input held at its {:.0}th and {:.0}th \
                 percentile, {} trials each, seed {} (common random numbers).",
                self.round,
                100.0 * self.low_quantile,
                100.0 * self.high_quantile,
                self.run.trials,
                self.run.seed
            ),
        ]
    }

    fn grids(&self) -> Vec<Grid> {
        let (title, at_low) = match self.output.measure.unit() {
            None => (
                "Inputs ranked by swing (figure at high minus at low, percentage points, ± 95% paired interval)"
                    .to_string(),
                "figure at low",
            ),
            Some(unit) => (
                format!(
                    "Inputs ranked by swing (mean of {} at high minus at low{}, ± 95% paired interval)",
                    self.output.measure.label(),
                    unit_suffix(unit).replace(" (", ", in ").replace(')', "")
                ),
                "mean at low",
            ),
        };
        let level = |l: &Level| match l {
            Level::Probability(e) => pct(e.p),
            Level::Mean(m) => number(m.mean),
        };
        let swing = |e: &Effect| match self.output.measure.unit() {
            None => {
                let (swing, star) = paired_cell(&e.swing);
                format!("{swing}{star}")
            }
            Some(_) => format!(
                "{:+} ± {}{}",
                (e.swing.diff * 1e4).round() / 1e4,
                number(e.swing.ci95[1] - e.swing.diff),
                if e.swing.significant { "*" } else { "" }
            ),
        };
        vec![Grid {
            text_columns: 3,
            title,
            headers: ["rank", "input", "law", "low -> high", at_low, "at high", "swing"].map(String::from).to_vec(),
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
                        level(&e.at_low),
                        level(&e.at_high),
                        swing(e),
                    ]
                })
                .collect(),
        }]
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut rows = Vec::new();
        level_rows(&mut rows, &["0", "base", "", ""], &self.base);
        for (i, e) in self.inputs.iter().enumerate() {
            let rank = (i + 1).to_string();
            let low = e.low_value.to_string();
            let high = e.high_value.to_string();
            level_rows(&mut rows, &[&rank, &e.key, "low", &low], &e.at_low);
            level_rows(&mut rows, &[&rank, &e.key, "high", &high], &e.at_high);
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

/// A probability's rows (`count`, `p`, `se`, `ci95_low`, `ci95_high`), or a mean's (`count`,
/// `mean`, `se`, `ci95_low`, `ci95_high`).
fn level_rows(rows: &mut Vec<Vec<String>>, key: &[&str], level: &Level) {
    match level {
        Level::Probability(e) => estimate_rows(rows, key, e),
        Level::Mean(m) => {
            for (stat, value) in [
                ("count", m.count.to_string()),
                ("mean", m.mean.to_string()),
                ("se", m.se.to_string()),
                ("ci95_low", m.ci95[0].to_string()),
                ("ci95_high", m.ci95[1].to_string()),
            ] {
                rows.push(key.iter().map(|k| k.to_string()).chain([stat.to_string(), value]).collect());
            }
        }
    }
}

/// A mean to four decimals.
pub(crate) fn number(x: f64) -> String {
    format!("{}", (x * 1e4).round() / 1e4)
}

/// ` (unit)`, or nothing for a value without a unit.
fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() { String::new() } else { format!(" ({unit})") }
}
