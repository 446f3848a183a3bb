//! Summaries of runs and comparisons, and the output formats that write them: one file per
//! format behind [`Export`], one file per summary behind [`Summary`].

mod compare;
mod csv;
mod json;
mod markdown;
mod run;
pub mod score;
mod sensitivity;
mod sobol;
mod sources;
mod sweep;
mod table;
mod trace;

use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::engine::paired::PairedDifference;
use crate::engine::stats::Estimate;
use crate::scenario::LoadedScenario;

pub use compare::{CompareReport, FigureRow};
pub(crate) use run::capitalized;
pub use run::{EventReport, Mean, OptionShare, Quantiles, RunReport, TermReport};
pub use score::ScoreReport;
pub use sensitivity::SensitivityReport;
pub use sobol::SobolReport;
pub use sources::SourcesReport;
pub use sweep::{SweepPoint, SweepReport};
pub use trace::TraceReport;

/// What a study explains, as its report names it: a figure (its probability), or a value with
/// its unit (its mean).
#[derive(Debug, Clone, Serialize)]
pub struct Explained {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip)]
    pub measure: crate::study::Measure,
}

impl From<crate::study::Measure> for Explained {
    fn from(measure: crate::study::Measure) -> Explained {
        let figure = matches!(measure, crate::study::Measure::Figure(_));
        Explained {
            figure: figure.then(|| measure.key().to_string()),
            value: (!figure).then(|| measure.key().to_string()),
            unit: measure.unit().map(str::to_string),
            measure,
        }
    }
}

/// Version of the JSON layouts; bumped on any incompatible change.
pub const LAYOUT_VERSION: u32 = 2;

/// The random number scheme, stated in every report.
pub const RNG_DESCRIPTION: &str = "ChaCha8; key = seed (u64, little-endian) + 24 zero bytes; stream = trial index; one 64-bit slot per draw in sub-streams named by ids (docs/MODEL.md §8)";

/// Quantiles reported for continuous settlement terms.
pub const QUANTILES: [(&str, f64); 5] = [("p05", 0.05), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p95", 0.95)];

#[derive(Debug, Clone, Serialize)]
pub struct ToolInfo {
    pub version: String,
    pub layout: u32,
    pub model: String,
}

impl ToolInfo {
    /// This sim, running the model of kind `model`.
    pub fn new(model: &str) -> ToolInfo {
        ToolInfo { version: env!("CARGO_PKG_VERSION").into(), layout: LAYOUT_VERSION, model: model.into() }
    }
}

/// Values under the keys a layout declares, written as one JSON object in declaration order.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyed<T>(pub Vec<(String, T)>);

impl<T> Keyed<T> {
    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: Serialize> Serialize for Keyed<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// What the reports show of a scenario they ran; a part file of a sharded run carries it, so
/// `sim merge` renders exactly what `sim run` would.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioId {
    /// The file as named on the command line.
    pub file: String,
    pub title: String,
    pub as_of: String,
    /// `sha256:` and the hex digest (see `LoadedScenario::digest`).
    pub digest: String,
    /// The outermost variant's rationale, for a variant.
    pub rationale: Option<String>,
    /// A replay, conditioned on hindsight (`meta.purpose`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hindsight: bool,
}

impl ScenarioId {
    pub fn of(loaded: &LoadedScenario) -> ScenarioId {
        ScenarioId {
            file: loaded.file.display().to_string(),
            title: loaded.title().to_string(),
            as_of: loaded.meta().as_of.clone(),
            digest: format!("sha256:{}", loaded.digest),
            rationale: loaded.variants.first().map(|(_, v)| v.rationale.clone()),
            hindsight: loaded.hindsight(),
        }
    }
}

/// What every summary offers the output formats.
pub trait Summary {
    /// Lines that introduce the summary (title, run identity).
    fn heading(&self) -> Vec<String>;
    /// The content as titled grids, for text and Markdown.
    fn grids(&self) -> Vec<Grid>;
    /// Column names and rows of the tidy long CSV form.
    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>);
    /// The documented JSON layout.
    fn json(&self) -> serde_json::Value;
    /// Whether the summary is of a replay: every format then says so in its header
    /// ([`crate::scenario::HINDSIGHT`]).
    fn hindsight(&self) -> bool {
        false
    }
}

/// An output format.
pub trait Export {
    fn write(&self, summary: &dyn Summary, out: &mut dyn Write) -> io::Result<()>;
}

/// The output formats offered by every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned text for the terminal.
    Table,
    /// The documented JSON layout (docs/OUTPUT.md).
    Json,
    /// Tidy long CSV: one value per row.
    Csv,
    /// Markdown tables.
    Markdown,
}

impl Format {
    pub fn exporter(self) -> Box<dyn Export> {
        match self {
            Format::Table => Box::new(table::TableExport),
            Format::Json => Box::new(json::JsonExport),
            Format::Csv => Box::new(csv::CsvExport),
            Format::Markdown => Box::new(markdown::MarkdownExport),
        }
    }
}

/// A percentage with one decimal.
pub(crate) fn pct(p: f64) -> String {
    format!("{:.1}", 100.0 * p)
}

/// A probability and the wider side of its 95% interval, in percent ("53.7 ±0.3"), with enough
/// decimals that the widest interval possible at `trials` trials shows a non-zero digit: one
/// decimal up to about 10^6 trials, two up to 10^8, so a long run never prints "±0.0" for an
/// uncertain figure.
pub(crate) fn estimate_cell(e: &Estimate, trials: u64) -> String {
    // The widest 95% interval, at p = 1/2, is about 98 / sqrt(n) percentage points.
    let d = decimals(98.0 / (trials.max(1) as f64).sqrt());
    format!("{:.d$} ±{:.d$}", 100.0 * e.p, half_width(e))
}

/// A paired difference and the half-width of its 95% interval, both in percentage points, with
/// enough decimals that a nonzero half-width shows a nonzero digit (one to four decimals).
pub(crate) fn difference_cell(diff: f64, half_width: f64) -> String {
    let d = decimals(half_width);
    format!("{diff:+.d$} ±{half_width:.d$}")
}

/// A paired difference as [`difference_cell`] shows it, and `*` if its interval excludes 0.
pub(crate) fn paired_cell(d: &PairedDifference) -> (String, &'static str) {
    (difference_cell(100.0 * d.diff, 100.0 * (d.ci95[1] - d.diff)), if d.significant { "*" } else { "" })
}

/// Decimals (one to four) that show a nonzero digit of a half-width in percentage points.
fn decimals(half_width: f64) -> usize {
    if half_width > 0.0 { (-half_width.log10()).ceil().clamp(1.0, 4.0) as usize } else { 1 }
}

/// The larger side of an interval around p, in percentage points.
pub(crate) fn half_width(e: &Estimate) -> f64 {
    100.0 * (e.p - e.ci95[0]).max(e.ci95[1] - e.p)
}

/// A titled grid of cells, shared by the text and Markdown formats.
pub struct Grid {
    pub title: String,
    /// Leading columns that hold text (left-aligned); the rest hold figures.
    pub text_columns: usize,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_cells_keep_a_nonzero_digit_of_the_interval() {
        // p = 1/2 has the widest interval: 98/sqrt(n) percentage points.
        let cell = |n: u64| estimate_cell(&Estimate::new(n / 2, n), n);
        assert_eq!(cell(100_000), "50.0 ±0.3");
        assert_eq!(cell(1_000_000), "50.00 ±0.10");
        assert_eq!(cell(10_000_000), "50.00 ±0.03");
        assert_eq!(cell(100_000_000), "50.000 ±0.010");
        assert_eq!(cell(10), "50.0 ±26.3");
    }

    #[test]
    fn difference_cells_keep_a_nonzero_digit_of_the_interval() {
        assert_eq!(difference_cell(35.9, 0.3), "+35.9 ±0.3");
        assert_eq!(difference_cell(-0.042, 0.031), "-0.04 ±0.03");
        assert_eq!(difference_cell(0.0004, 0.0061), "+0.000 ±0.006");
        assert_eq!(difference_cell(0.0, 0.0), "+0.0 ±0.0");
        assert_eq!(difference_cell(-1e-9, 1e-9), "-0.0000 ±0.0000");
    }
}
