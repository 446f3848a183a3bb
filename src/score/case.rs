//! A case of the reference class on disk: `cases/<case>/questions.json` and, once written,
//! `resolution.json` (docs/CASES.md).

use std::path::{Path, PathBuf};

use super::Record;
use crate::scenario::ScenarioError;
use crate::scenario::question::{Question, load_questions};
use crate::scenario::resolution::{Probability, Resolution, load_resolution};

/// A case's questions, each with its resolution.
#[derive(Debug, Clone)]
pub struct Case {
    /// The folder's name (`minsk-2015`).
    pub name: String,
    pub dir: PathBuf,
    pub questions: Vec<Question>,
    /// One per question, in the same order.
    pub resolutions: Vec<Resolution>,
}

impl Case {
    /// Reads and validates the case in folder `dir`.
    pub fn load(dir: &Path) -> Result<Case, ScenarioError> {
        let questions = load_questions(&dir.join("questions.json"))?;
        let resolutions = load_resolution(&dir.join("resolution.json"), &questions)?;
        let name = dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned());
        Ok(Case { name, dir: dir.to_path_buf(), questions, resolutions })
    }

    /// The records to score, given the forecast of each question (in the order of `questions`).
    pub fn records(&self, forecasts: &[Probability]) -> Vec<Record> {
        assert_eq!(forecasts.len(), self.questions.len(), "one forecast per question");
        self.questions
            .iter()
            .zip(&self.resolutions)
            .zip(forecasts)
            .map(|((q, r), &forecast)| Record {
                case: self.name.clone(),
                question: q.id.clone(),
                kind: q.rule.kind(),
                forecast,
                outcome: r.outcome.clone(),
                crowd: r.forecasts.clone(),
            })
            .collect()
    }
}
