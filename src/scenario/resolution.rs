//! What happened: `cases/<case>/resolution.json`, kept apart from the scenarios so that a
//! scenario is written without looking at its outcome (docs/CASES.md). Each question of the
//! case's `questions.json` gets its outcome, the facts that show it, and any crowd or market
//! forecasts of the same question. docs/CASES.md gives the file format.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::ScenarioError;
use super::evidence::Evidence;
use super::question::{Date, Question, date};
use super::read_json;

/// A crowd or market forecast may be attached to a question whose date differs from its own by
/// at most this many days (docs/CASES.md, "Resolution").
pub const MAX_DATE_GAP_DAYS: i64 = 31;

/// A probability: a finite number in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Probability(f64);

impl Probability {
    pub fn new(p: f64) -> Option<Probability> {
        (0.0..=1.0).contains(&p).then_some(Probability(p))
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

/// How a question resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Yes,
    No,
    /// The records do not settle it; excluded from scores.
    Annulled {
        reason: String,
    },
    /// Its date has not passed when the resolution was written; reported, not scored.
    Open,
}

impl Outcome {
    /// 1 for Yes, 0 for No; `None` for a question that is not scored.
    pub fn indicator(&self) -> Option<f64> {
        match self {
            Outcome::Yes => Some(1.0),
            Outcome::No => Some(0.0),
            Outcome::Annulled { .. } | Outcome::Open => None,
        }
    }

    /// The name used in files and reports.
    pub fn key(&self) -> &'static str {
        match self {
            Outcome::Yes => "yes",
            Outcome::No => "no",
            Outcome::Annulled { .. } => "annulled",
            Outcome::Open => "open",
        }
    }
}

/// A recorded crowd or market forecast of a question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrowdForecast {
    /// Who forecast (a platform or market, e.g. "Metaculus").
    pub source: String,
    /// The date the forecast was read.
    pub read_on: Date,
    pub p: Probability,
    /// The date the crowd's question asked about, when it is not the question's own `by`
    /// (within [`MAX_DATE_GAP_DAYS`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Date>,
}

/// The resolution of one question.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub outcome: Outcome,
    /// Evidence ids of the facts that show the outcome.
    pub facts: Vec<String>,
    /// At most one per source.
    pub forecasts: Vec<CrowdForecast>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum OutcomeName {
    Yes,
    No,
    Annulled,
    Open,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolutionFile {
    /// Folder of the evidence base, relative to the resolution file (e.g. `../../seeds`).
    evidence: String,
    /// The date the resolution was written.
    written: String,
    questions: Vec<Entry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    outcome: OutcomeName,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    facts: Vec<String>,
    #[serde(default)]
    forecasts: Vec<ForecastEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForecastEntry {
    source: String,
    read_on: String,
    p: f64,
    #[serde(default)]
    by: Option<String>,
}

/// Reads and validates the resolution file `file` of a case whose questions are `questions`.
/// Returns one resolution per question, in the order of `questions`.
pub fn load_resolution(file: &Path, questions: &[Question]) -> Result<Vec<Resolution>, ScenarioError> {
    let bytes = std::fs::read(file).map_err(|cause| ScenarioError::Io { file: file.to_path_buf(), cause })?;
    parse_resolution(file, &bytes, questions)
}

/// As [`load_resolution`], for the contents `bytes` of `file`; the evidence folder is found
/// relative to `file`'s folder.
pub fn parse_resolution(file: &Path, bytes: &[u8], questions: &[Question]) -> Result<Vec<Resolution>, ScenarioError> {
    let doc: ResolutionFile = read_json(file, bytes, "the resolution object")?;
    let invalid = |path: String, message: String| ScenarioError::Invalid { file: file.to_path_buf(), path, message };
    let written = date(&doc.written).map_err(|m| invalid("written".into(), m))?;
    let dir = file.parent().unwrap_or(Path::new(".")).join(&doc.evidence);
    let evidence = Evidence::load(&dir).map_err(|e| match e {
        ScenarioError::Io { cause, .. } => {
            invalid("evidence".into(), format!("cannot read the evidence folder {}: {cause}", dir.display()))
        }
        other => other,
    })?;
    let index: BTreeMap<&str, usize> = questions.iter().enumerate().map(|(i, q)| (q.id.as_str(), i)).collect();
    let mut resolved: Vec<Option<Resolution>> = vec![None; questions.len()];
    for (i, entry) in doc.questions.into_iter().enumerate() {
        let at = |field: &str| format!("questions[{i}].{field}");
        let Some(&qi) = index.get(entry.id.as_str()) else {
            return Err(invalid(at("id"), format!("no question `{}` in the case's questions.json", entry.id)));
        };
        if resolved[qi].is_some() {
            return Err(invalid(at("id"), format!("question `{}` is resolved twice", entry.id)));
        }
        let q = &questions[qi];
        let outcome = outcome(&entry, q, written).map_err(|(field, m)| invalid(at(field), m))?;
        for (j, id) in entry.facts.iter().enumerate() {
            if evidence.get(id).is_none() {
                return Err(invalid(
                    at(&format!("facts[{j}]")),
                    format!("unknown evidence id `{id}`: no fact with that id in {}", dir.display()),
                ));
            }
        }
        let mut sources = BTreeSet::new();
        let forecasts = entry
            .forecasts
            .iter()
            .enumerate()
            .map(|(j, f)| {
                let at = |field: &str| at(&format!("forecasts[{j}].{field}"));
                if !sources.insert(f.source.as_str()) {
                    return Err(invalid(at("source"), format!("a second forecast from `{}`", f.source)));
                }
                crowd(f, q).map_err(|(field, m)| invalid(at(field), m))
            })
            .collect::<Result<Vec<_>, _>>()?;
        resolved[qi] = Some(Resolution { outcome, facts: entry.facts, forecasts });
    }
    resolved
        .into_iter()
        .zip(questions)
        .map(|(r, q)| {
            r.ok_or_else(|| {
                invalid(
                    "questions".into(),
                    format!("question `{}` has no resolution (write `open` if its date has not passed)", q.id),
                )
            })
        })
        .collect()
}

/// The outcome of an entry: Yes and No cite the facts that show them; an annulment says why;
/// No and Open must agree with the date the resolution was written.
fn outcome(e: &Entry, q: &Question, written: Date) -> Result<Outcome, (&'static str, String)> {
    if e.reason.is_some() && e.outcome != OutcomeName::Annulled {
        return Err(("reason", "only an annulled question gives a `reason`".into()));
    }
    let cited = || {
        if e.facts.is_empty() {
            Err(("facts", "a Yes or No cites at least one fact that shows it".into()))
        } else {
            Ok(())
        }
    };
    match e.outcome {
        OutcomeName::Yes => cited().map(|()| Outcome::Yes),
        OutcomeName::No if q.by >= written => Err((
            "outcome",
            format!("`no` before the question's date has passed (by {}, written {written}): write `open`", q.by),
        )),
        OutcomeName::No => cited().map(|()| Outcome::No),
        OutcomeName::Annulled => match &e.reason {
            Some(reason) if !reason.trim().is_empty() => Ok(Outcome::Annulled { reason: reason.clone() }),
            _ => Err(("reason", "an annulled question says why in `reason`".into())),
        },
        OutcomeName::Open if q.by < written => {
            Err(("outcome", format!("`open` after the question's date has passed (by {}, written {written})", q.by)))
        }
        OutcomeName::Open => Ok(Outcome::Open),
    }
}

/// A crowd forecast of question `q`: a probability, read on or before the question's date, of
/// the same question by a date at most [`MAX_DATE_GAP_DAYS`] from `q.by`.
fn crowd(f: &ForecastEntry, q: &Question) -> Result<CrowdForecast, (&'static str, String)> {
    if f.source.trim().is_empty() {
        return Err(("source", "name the source of the forecast".into()));
    }
    let p = Probability::new(f.p).ok_or(("p", format!("a probability is between 0 and 1 (got {})", f.p)))?;
    let read_on = date(&f.read_on).map_err(|m| ("read_on", m))?;
    if read_on > q.by {
        return Err(("read_on", format!("read on {read_on}, after the question's date {}", q.by)));
    }
    let by = f.by.as_deref().map(date).transpose().map_err(|m| ("by", m))?;
    if let Some(by) = by {
        let gap = q.by.days_until(by).abs();
        if gap > MAX_DATE_GAP_DAYS {
            return Err((
                "by",
                format!(
                    "{by} is {gap} days from the question's date {}; at most {MAX_DATE_GAP_DAYS} are allowed",
                    q.by
                ),
            ));
        }
    }
    Ok(CrowdForecast { source: f.source.clone(), read_on, p, by: by.filter(|&b| b != q.by) })
}
