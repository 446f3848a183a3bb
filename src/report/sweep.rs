//! The summary of `sim sweep`: headline figures at each point of a parameter grid.

use serde::Serialize;
use serde_json::Value;

use super::run::estimate_rows;
use super::{Estimate, Grid, RNG_DESCRIPTION, ScenarioId, Summary, ToolInfo, estimate_cell};
use crate::engine::{CHUNK, FigureSpec, RunConfig};
use crate::scenario::LoadedScenario;
use crate::study::sweep::{Axis, Point};

#[derive(Debug, Clone, Serialize)]
pub struct SweepReport {
    pub sim: ToolInfo,
    pub run: StudyRun,
    pub parameters: Vec<Axis>,
    /// Grid points, the first parameter varying slowest.
    pub points: Vec<SweepPoint>,
    /// The figures' declaration (that of the first point).
    #[serde(skip)]
    pub figures: Vec<FigureSpec>,
    /// The figures shown in the table and charts (indices into `figures`).
    #[serde(skip)]
    pub headline: Vec<usize>,
}

/// The identity of a study's runs.
#[derive(Debug, Clone, Serialize)]
pub struct StudyRun {
    pub scenario: String,
    pub title: String,
    pub digest: String,
    pub seed: u64,
    pub trials: u64,
    pub rng: String,
    pub chunk: u64,
    /// A replay (the JSON format says so at the top level).
    #[serde(skip)]
    pub hindsight: bool,
}

impl StudyRun {
    pub fn new(loaded: &LoadedScenario, cfg: RunConfig) -> StudyRun {
        StudyRun::of(&ScenarioId::of(loaded), cfg)
    }

    pub fn of(id: &ScenarioId, cfg: RunConfig) -> StudyRun {
        StudyRun {
            scenario: id.file.clone(),
            title: id.title.clone(),
            digest: id.digest.clone(),
            seed: cfg.seed,
            trials: cfg.trials,
            rng: RNG_DESCRIPTION.into(),
            chunk: CHUNK,
            hindsight: id.hindsight,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SweepPoint {
    pub values: Vec<Value>,
    /// Each figure at the point's last round.
    pub end: Vec<FigureEstimate>,
    pub rounds: Vec<SweepRound>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SweepRound {
    pub id: String,
    pub figures: Vec<FigureEstimate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FigureEstimate {
    pub figure: String,
    pub estimate: Estimate,
}

fn figures(point: &Point, t: usize) -> Vec<FigureEstimate> {
    point
        .layout
        .figures
        .iter()
        .map(|f| FigureEstimate {
            figure: f.key.clone(),
            estimate: Estimate::new(f.of.count(&point.tally, t), point.tally.trials),
        })
        .collect()
}

impl SweepReport {
    pub fn new(loaded: &LoadedScenario, axes: &[Axis], cfg: RunConfig, points: &[Point]) -> SweepReport {
        SweepReport::of(&ScenarioId::of(loaded), axes, cfg, points)
    }

    pub fn of(id: &ScenarioId, axes: &[Axis], cfg: RunConfig, points: &[Point]) -> SweepReport {
        let layout = points.first().map(|p| &p.layout);
        SweepReport {
            sim: ToolInfo::new(layout.map_or("", |l| l.model.as_str())),
            figures: layout.map_or_else(Vec::new, |l| l.figures.clone()),
            headline: layout.map_or_else(Vec::new, |l| l.headline.clone()),
            run: StudyRun::of(id, cfg),
            parameters: axes.to_vec(),
            points: points
                .iter()
                .map(|p| SweepPoint {
                    values: p.values.clone(),
                    end: figures(p, p.layout.rounds.len() - 1),
                    rounds: p
                        .layout
                        .rounds
                        .iter()
                        .enumerate()
                        .map(|(t, r)| SweepRound { id: r.id.clone(), figures: figures(p, t) })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// A value as a cell: strings without quotes.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Summary for SweepReport {
    fn hindsight(&self) -> bool {
        self.run.hindsight
    }

    fn heading(&self) -> Vec<String> {
        let run = &self.run;
        let mut lines = vec![
            format!("Sweep of {} ({})", run.title, run.scenario),
            format!(
                "{} points, {} trials each, seed {} (common random numbers), sim {}",
                self.points.len(),
                run.trials,
                run.seed,
                self.sim.version
            ),
        ];
        for (i, a) in self.parameters.iter().enumerate() {
            lines.push(format!("  parameter {}: {}", i + 1, a.pointer));
        }
        lines
    }

    fn grids(&self) -> Vec<Grid> {
        let shown: Vec<&FigureSpec> = self.headline.iter().map(|&f| &self.figures[f]).collect();
        vec![Grid {
            text_columns: 0,
            title: "By the last round, % of trials (± 95% Wilson interval, wider side)".into(),
            headers: self
                .parameters
                .iter()
                .map(|a| a.pointer.clone())
                .chain(shown.iter().map(|f| f.label.clone()))
                .collect(),
            rows: self
                .points
                .iter()
                .map(|p| {
                    p.values
                        .iter()
                        .map(show)
                        .chain(shown.iter().map(|f| {
                            p.end
                                .iter()
                                .find(|x| x.figure == f.key)
                                .map_or("-".into(), |x| estimate_cell(&x.estimate, self.run.trials))
                        }))
                        .collect()
                })
                .collect(),
        }]
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut rows = Vec::new();
        for p in &self.points {
            let values: Vec<String> = p.values.iter().map(show).collect();
            let mut key_of = |round: &str, figure: &str, e: &Estimate| {
                let key: Vec<&str> = values.iter().map(String::as_str).chain([round, figure]).collect();
                estimate_rows(&mut rows, &key, e);
            };
            for f in &p.end {
                key_of("end", &f.figure, &f.estimate);
            }
            for r in &p.rounds {
                for f in &r.figures {
                    key_of(&r.id, &f.figure, &f.estimate);
                }
            }
        }
        let header = self
            .parameters
            .iter()
            .map(|a| a.pointer.clone())
            .chain(["round", "figure", "statistic", "value"].map(String::from))
            .collect();
        (header, rows)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report serializes")
    }
}
