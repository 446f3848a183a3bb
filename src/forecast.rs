//! Scoring the model on a reference class of cases (docs/SCORING.md): every case's frozen
//! scenarios (`scenario-<as_of>.json`) are run with the case's questions asked as of their date,
//! and the answers are scored against the case's resolution. Above scenario, model, engine and
//! score; below report.

use std::path::{Path, PathBuf};

use crate::engine::{self, Model, RunConfig};
use crate::model;
use crate::scenario::question::{Date, Question};
use crate::scenario::resolution::Probability;
use crate::scenario::{self, ScenarioError};
use crate::score::{self, Case, NothingToScore, Record, Scores};

/// The questions of `case` asked as of `as_of`: those `sim score` attaches to a scenario whose
/// `meta.as_of` is that date.
pub fn questions_as_of(questions: &[Question], as_of: Date) -> Vec<Question> {
    questions.iter().filter(|q| q.as_of == as_of).cloned().collect()
}

/// Why a reference class could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Nothing(#[from] NothingToScore),
}

/// The records of a reference class, and what was left out and why.
#[derive(Debug, Clone)]
pub struct Forecasts {
    pub records: Vec<Record>,
    /// One line per case or question left out (no resolution, no scenario as of its date).
    pub skipped: Vec<String>,
}

/// The frozen scenarios of a case folder (`scenario-YYYY-MM-DD.json`), in date order.
fn scenarios_of(dir: &Path) -> Result<Vec<PathBuf>, ScenarioError> {
    let io = |cause| ScenarioError::Io { file: dir.to_path_buf(), cause };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let date = name.strip_prefix("scenario-").and_then(|n| n.strip_suffix(".json"));
        if date.and_then(Date::parse).is_some() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The case folders named by `dirs`: a folder with `questions.json` is a case; any other folder
/// stands for the folders inside it that hold one, in name order (so `sim score cases/` scores
/// the whole reference class). A case reached twice is an error, as it would count twice.
pub fn case_folders(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, ScenarioError> {
    let mut cases = Vec::new();
    for dir in dirs {
        if dir.join("questions.json").is_file() {
            cases.push(dir.clone());
            continue;
        }
        let io = |cause| ScenarioError::Io { file: dir.clone(), cause };
        let mut inner = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.join("questions.json").is_file() {
                inner.push(path);
            }
        }
        if inner.is_empty() {
            return Err(ScenarioError::Folder {
                file: dir.clone(),
                message: "not a case folder (no questions.json) and no case folder inside it".into(),
            });
        }
        inner.sort();
        cases.extend(inner);
    }
    let mut seen = std::collections::BTreeMap::new();
    for case in &cases {
        let key = std::fs::canonicalize(case).unwrap_or_else(|_| case.clone());
        if let Some(first) = seen.insert(key, case) {
            return Err(ScenarioError::Folder {
                file: case.clone(),
                message: format!("the case is given twice (also as {}); it would be scored twice", first.display()),
            });
        }
    }
    Ok(cases)
}

/// Runs every case folder's scenarios (folders of cases stand for the cases inside, see
/// [`case_folders`]) with its questions (`trials` at `seed` each, on the
/// current rayon pool: the answers are the same at any thread count) and pairs each answer with
/// its resolution. A case without `resolution.json` is skipped, and so is a question no
/// scenario is dated for; `skipped` says so.
pub fn forecast_cases(dirs: &[PathBuf], cfg: RunConfig) -> Result<Forecasts, ScenarioError> {
    let mut out = Forecasts { records: Vec::new(), skipped: Vec::new() };
    for dir in &case_folders(dirs)? {
        if !dir.join("resolution.json").is_file() {
            out.skipped.push(format!("{}: no resolution.json, case skipped", dir.display()));
            continue;
        }
        let case = Case::load(dir)?;
        let mut answered = vec![None; case.questions.len()];
        for file in scenarios_of(dir)? {
            let loaded = scenario::load(&file)?;
            if loaded.hindsight() {
                return Err(ScenarioError::Invalid {
                    file,
                    path: "meta.purpose".into(),
                    message: "a replay is conditioned on hindsight, so it cannot be scored; only forecasts are".into(),
                });
            }
            let as_of = scenario::question::date(&loaded.meta().as_of).map_err(|message| ScenarioError::Invalid {
                file: file.clone(),
                path: "meta.as_of".into(),
                message,
            })?;
            let asked = questions_as_of(&case.questions, as_of);
            if asked.is_empty() {
                continue;
            }
            let m = model::compile_asking(&loaded, &asked)?;
            let tally = engine::run(&m, cfg, &|_| {});
            // The scenario's own questions come first in the layout, then the attached ones.
            let own = m.layout().questions.len() - asked.len();
            for (q, &yes) in asked.iter().zip(&tally.answers[own..]) {
                let i = case.questions.iter().position(|c| c.id == q.id).expect("asked from the case");
                answered[i] = Some(Probability::new(yes as f64 / tally.trials as f64).expect("a share is in [0, 1]"));
            }
        }
        for (i, q) in case.questions.iter().enumerate() {
            let Some(forecast) = answered[i] else {
                out.skipped.push(format!("{}: question `{}`: no scenario as of {}, skipped", case.name, q.id, q.as_of));
                continue;
            };
            let r = &case.resolutions[i];
            out.records.push(Record {
                case: case.name.clone(),
                question: q.id.clone(),
                kind: q.rule.kind(),
                forecast,
                outcome: r.outcome.clone(),
                crowd: r.forecasts.clone(),
            });
        }
    }
    Ok(out)
}

/// [`forecast_cases`], then [`score::score`].
pub fn score_cases(
    dirs: &[PathBuf],
    cfg: RunConfig,
    opts: &score::Options,
) -> Result<(Scores, Vec<String>), ScoreError> {
    let f = forecast_cases(dirs, cfg)?;
    Ok((score::score(&f.records, opts)?, f.skipped))
}
