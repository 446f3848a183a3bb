//! What a model reports, declared once as a [`Layout`]: the engine tallies exactly what the
//! layout declares, and every report, chart, comparison and merge reads the layout, never the
//! model. A trial's results go into a [`TrialRecord`] of flat vectors sized by the layout, so
//! the hot path neither allocates nor hashes.

use serde::{Deserialize, Serialize};

use super::Tally;

/// A stable key (JSON, CSV, command line) and a label for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    pub key: String,
    pub label: String,
}

impl Name {
    pub fn new(key: &str, label: &str) -> Name {
        Name { key: key.into(), label: label.into() }
    }
}

/// The declaration of a model's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    /// The model's kind, as `model.kind` names it.
    pub model: String,
    pub rounds: Vec<RoundInfo>,
    /// Per round, exactly one of these results (an exclusive categorical result).
    pub outcomes: Vec<Name>,
    /// Order in which charts stack the outcomes, bottom first (indices into `outcomes`).
    pub stack: Vec<usize>,
    /// Per round, independent yes/no flags, each read as its [`Reads`] says.
    pub flags: Vec<FlagSpec>,
    /// Per round, continuous values.
    pub values: Vec<ValueSpec>,
    /// Events of a trial (at most once each) and the terms recorded when they happen.
    pub events: Vec<EventSpec>,
    /// Trial-level yes/no answers, e.g. to forecast questions.
    pub questions: Vec<Name>,
    /// The per-round yes/no figures that `compare`, `sweep` and `sensitivity` report.
    pub figures: Vec<FigureSpec>,
    /// The figures shown where space is short (sweep table and charts), most important first
    /// (indices into `figures`).
    pub headline: Vec<usize>,
    /// The figures `compare` also tabulates round by round (indices into `figures`).
    pub per_round: Vec<usize>,
    /// The values a study explains when none is named, most important first (indices into
    /// `values`): declared by a model whose figures carry little information (the spatial
    /// models), in place of its first headline figure.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headline_values: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundInfo {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// A per-round yes/no flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagSpec {
    #[serde(flatten)]
    pub name: Name,
    pub reads: Reads,
}

impl FlagSpec {
    pub fn new(key: &str, label: &str, reads: Reads) -> FlagSpec {
        FlagSpec { name: Name::new(key, label), reads }
    }
}

/// How a flag is read: it says what happened in the round itself, or what holds (or has
/// happened at least once) by the end of the round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reads {
    InRound,
    ByEnd,
}

/// A continuous value on a known range: tallied in a histogram of that range and in exact
/// fixed-point sums (see [`crate::engine::tally::SUM_BITS`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueSpec {
    pub key: String,
    pub label: String,
    pub unit: String,
    pub min: f64,
    pub max: f64,
}

/// An event a trial may reach once (e.g. a settlement), with yes/no marks among the trials
/// that reach it (e.g. "depends on leverage") and the terms recorded when it happens. Term ids
/// are unique across the events of a layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventSpec {
    pub key: String,
    pub label: String,
    pub marks: Vec<Name>,
    pub terms: Vec<TermSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermSpec {
    pub issue: String,
    pub label: String,
    pub kind: TermKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    /// A value in [min, max]; the record holds the value.
    Continuous { min: f64, max: f64, unit: String },
    /// One of the options; the record holds its index.
    Options(Vec<String>),
    /// A real number on the index scale of these ordered options (0 for the first), as a
    /// spatial model predicts an ordered issue; tallied as a continuous value over [0, n − 1].
    Index(Vec<String>),
}

impl TermKind {
    /// The range of a value tallied as continuous (a `Continuous` or `Index` term).
    pub fn range(&self) -> Option<(f64, f64)> {
        match self {
            TermKind::Continuous { min, max, .. } => Some((*min, *max)),
            TermKind::Index(o) => Some((0.0, o.len().saturating_sub(1) as f64)),
            TermKind::Options(_) => None,
        }
    }

    /// The unit a continuous value is shown in.
    pub fn unit(&self) -> &str {
        match self {
            TermKind::Continuous { unit, .. } => unit,
            TermKind::Index(_) | TermKind::Options(_) => "option index",
        }
    }

    /// Whether two terms measure on one scale, so that their means may be compared: the same
    /// range and unit, or the same ordered options (as options or as their index scale).
    pub fn same_scale(&self, other: &TermKind) -> bool {
        match (self, other) {
            (TermKind::Continuous { .. }, TermKind::Continuous { .. }) => {
                self.range() == other.range() && self.unit() == other.unit()
            }
            (TermKind::Options(a) | TermKind::Index(a), TermKind::Options(b) | TermKind::Index(b)) => a == b,
            _ => false,
        }
    }
}

/// A per-round yes/no figure: an outcome of the round or a flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureSpec {
    pub key: String,
    pub label: String,
    pub of: FigureOf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureOf {
    Outcome(usize),
    Flag(usize),
}

impl FigureOf {
    /// The figure's value in round `t` of a record.
    #[inline]
    pub fn holds(self, record: &TrialRecord, t: usize) -> bool {
        match self {
            FigureOf::Outcome(o) => record.outcome[t] == o,
            FigureOf::Flag(f) => record.flags_of(t)[f],
        }
    }

    /// The figure's count in round `t` of a tally.
    pub fn count(self, tally: &Tally, t: usize) -> u64 {
        match self {
            FigureOf::Outcome(o) => tally.round_outcomes(t)[o],
            FigureOf::Flag(f) => tally.round_flags(t)[f],
        }
    }
}

impl Layout {
    /// Both layouts report the same figures, so they can be compared.
    pub fn same_figures(&self, other: &Layout) -> bool {
        self.figures.iter().map(|f| &f.key).eq(other.figures.iter().map(|f| &f.key))
    }

    /// The index of the figure `key`, or the keys there are.
    pub fn figure(&self, key: &str) -> Result<usize, String> {
        self.figures.iter().position(|f| f.key == key).ok_or_else(|| {
            let keys: Vec<&str> = self.figures.iter().map(|f| f.key.as_str()).collect();
            format!("the model `{}` reports no figure `{key}`; its figures are {}", self.model, keys.join(", "))
        })
    }

    /// The index of the value `key`, if the layout declares one.
    pub fn value(&self, key: &str) -> Option<usize> {
        self.values.iter().position(|v| v.key == key)
    }

    /// Offset of event `e`'s first mark in [`TrialRecord::marks`] and the tally's marks.
    pub fn mark_offset(&self, e: usize) -> usize {
        self.events[..e].iter().map(|ev| ev.marks.len()).sum()
    }

    /// Offset of event `e`'s first term in [`TrialRecord::terms`] and the tally's terms.
    pub fn term_offset(&self, e: usize) -> usize {
        self.events[..e].iter().map(|ev| ev.terms.len()).sum()
    }

    /// Every term with the index of its event, in record order.
    pub fn terms(&self) -> impl Iterator<Item = (usize, &TermSpec)> {
        self.events.iter().enumerate().flat_map(|(e, ev)| ev.terms.iter().map(move |t| (e, t)))
    }

    /// Checks that the layout is coherent: there is an outcome, the indices it holds point into it, a stack lists
    /// every outcome once, an option term has options and a range is not empty.
    pub fn check(&self) -> Result<(), String> {
        if self.outcomes.is_empty() {
            return Err("every round has one outcome, so a layout needs at least one".into());
        }
        let mut stack = self.stack.clone();
        stack.sort_unstable();
        if stack != (0..self.outcomes.len()).collect::<Vec<_>>() {
            return Err("the stack must list every outcome once".into());
        }
        for f in &self.figures {
            let ok = match f.of {
                FigureOf::Outcome(o) => o < self.outcomes.len(),
                FigureOf::Flag(g) => g < self.flags.len(),
            };
            if !ok {
                return Err(format!("figure `{}` points past the outcomes or flags", f.key));
            }
        }
        if self.headline.iter().chain(&self.per_round).any(|&h| h >= self.figures.len()) {
            return Err("a headline or per-round figure points past the figures".into());
        }
        if self.headline_values.iter().any(|&h| h >= self.values.len()) {
            return Err("a headline value points past the values".into());
        }
        let ranges = self.values.iter().map(|v| (v.min, v.max)).chain(self.terms().filter_map(|(_, t)| t.kind.range()));
        for (min, max) in ranges {
            if !(min.is_finite() && max.is_finite() && min < max) {
                return Err(format!("a continuous range [{min}, {max}] is empty or not finite"));
            }
        }
        if self.terms().any(|(_, t)| matches!(&t.kind, TermKind::Options(o) if o.is_empty())) {
            return Err("an option term without options".into());
        }
        if self.terms().any(|(_, t)| matches!(&t.kind, TermKind::Index(o) if o.len() < 2)) {
            return Err("an index term needs at least two options".into());
        }
        Ok(())
    }
}

/// Everything a model reports about one trial, in flat vectors sized by its layout; reused
/// across trials. A model overwrites every field each trial.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialRecord {
    /// Per round, the index of its outcome.
    pub outcome: Vec<usize>,
    /// Round `t`'s flag `f` at `t * flags + f`.
    pub flags: Vec<bool>,
    /// Round `t`'s value `v` at `t * values + v`.
    pub values: Vec<f64>,
    /// Per event, whether the trial reached it.
    pub events: Vec<bool>,
    /// Every event's marks in turn (see [`Layout::mark_offset`]); read only for reached events.
    pub marks: Vec<bool>,
    /// Every event's terms in turn (see [`Layout::term_offset`]): the value, or the option's
    /// index; read only for reached events.
    pub terms: Vec<f64>,
    /// Per question, the trial's answer.
    pub answers: Vec<bool>,
    flags_per_round: usize,
    values_per_round: usize,
}

impl TrialRecord {
    pub fn new(layout: &Layout) -> TrialRecord {
        let rounds = layout.rounds.len();
        TrialRecord {
            outcome: vec![0; rounds],
            flags: vec![false; rounds * layout.flags.len()],
            values: vec![0.0; rounds * layout.values.len()],
            events: vec![false; layout.events.len()],
            marks: vec![false; layout.mark_offset(layout.events.len())],
            terms: vec![0.0; layout.term_offset(layout.events.len())],
            answers: vec![false; layout.questions.len()],
            flags_per_round: layout.flags.len(),
            values_per_round: layout.values.len(),
        }
    }

    pub fn rounds(&self) -> usize {
        self.outcome.len()
    }

    /// Round `t`'s flags.
    pub fn flags_of(&self, t: usize) -> &[bool] {
        &self.flags[t * self.flags_per_round..(t + 1) * self.flags_per_round]
    }

    pub fn flags_mut(&mut self, t: usize) -> &mut [bool] {
        &mut self.flags[t * self.flags_per_round..(t + 1) * self.flags_per_round]
    }

    /// Round `t`'s values.
    pub fn values_of(&self, t: usize) -> &[f64] {
        &self.values[t * self.values_per_round..(t + 1) * self.values_per_round]
    }

    pub fn values_mut(&mut self, t: usize) -> &mut [f64] {
        &mut self.values[t * self.values_per_round..(t + 1) * self.values_per_round]
    }
}
