//! The summary of `sim run`, read off the model's layout: outcome and flag probabilities per
//! round, values per round, each event with its terms, and the answers to questions.

use serde::{Deserialize, Serialize};

use super::{Estimate, Grid, Keyed, QUANTILES, RNG_DESCRIPTION, ScenarioId, Summary, ToolInfo, estimate_cell, pct};
use crate::engine::precision::Stopping;
use crate::engine::stats::{Z95, histogram_quantile};
use crate::engine::tally::{Continuous, TermTally};
use crate::engine::{CHUNK, EventSpec, Layout, Name, Reads, RunConfig, Tally, TermKind};

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub sim: ToolInfo,
    pub run: RunInfo,
    pub rounds: Vec<RoundReport>,
    /// Each event the model declares, under its key.
    #[serde(flatten)]
    pub events: Keyed<EventReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<QuestionReport>,
    /// The declaration the report was made from.
    #[serde(skip)]
    pub layout: Layout,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub scenario: String,
    pub title: String,
    pub as_of: String,
    /// `sha256:` and the hex digest of the scenario file's bytes.
    pub digest: String,
    pub seed: u64,
    pub trials: u64,
    pub rng: String,
    pub chunk: u64,
    /// With `--precision`: the stopping rule and where it stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<Stopping>,
    /// A replay (the JSON format says so at the top level).
    #[serde(skip)]
    pub hindsight: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundReport {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Probability of each outcome of the round; they sum to 1.
    pub outcomes: Keyed<Estimate>,
    /// Probability of each flag at the end of the round.
    #[serde(flatten)]
    pub flags: Keyed<Estimate>,
    /// Each continuous value of the round.
    #[serde(skip_serializing_if = "Keyed::is_empty")]
    pub values: Keyed<ValueReport>,
}

/// A continuous quantity: its mean with standard deviation and standard error, and quantiles.
#[derive(Debug, Clone, Serialize)]
pub struct ValueReport {
    pub label: String,
    pub unit: String,
    pub min: f64,
    pub max: f64,
    /// Values counted (NaN values are not).
    pub count: u64,
    #[serde(flatten)]
    pub mean: Mean,
    pub quantiles: Option<Quantiles>,
}

/// A mean with its sample standard deviation and the standard error sd / sqrt(n); all null
/// when there is no value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mean {
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub se: Option<f64>,
}

impl Mean {
    pub fn of(c: &Continuous) -> Mean {
        Mean::of_summary(c.moments().map(|(m, v)| (c.count, m, v)))
    }

    /// From a count, mean and sample variance (`TermTally::summary`).
    pub fn of_summary(summary: Option<(u64, f64, f64)>) -> Mean {
        Mean {
            mean: summary.map(|(_, m, _)| m),
            sd: summary.map(|(_, _, v)| v.sqrt()),
            se: summary.map(|(n, _, v)| (v / n as f64).sqrt()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EventReport {
    /// Trials that reached the event.
    pub reached: Estimate,
    /// Among those, each mark's share.
    #[serde(flatten)]
    pub marks: Keyed<Estimate>,
    /// The terms, conditional on the event.
    pub terms: Vec<TermReport>,
}

impl EventReport {
    /// Each mark's label (of the event's declaration `spec`) with its share.
    pub fn mark_shares<'a>(&'a self, spec: &'a EventSpec) -> impl Iterator<Item = (&'a str, &'a Estimate)> {
        spec.marks.iter().zip(&self.marks.0).map(|(m, (_, e))| (m.label.as_str(), e))
    }
}

/// A term's distribution; read back from a report's JSON too (the integration tests do).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TermReport {
    Continuous {
        issue: String,
        label: String,
        unit: String,
        min: f64,
        max: f64,
        /// Mean over the event's trials, with the standard deviation and the standard error
        /// beside it (see [`Mean`]); null when there is no value.
        mean: Option<f64>,
        sd: Option<f64>,
        se: Option<f64>,
        /// Quantiles from a 1000-bin histogram, interpolated within the bin.
        quantiles: Option<Quantiles>,
    },
    Options {
        issue: String,
        label: String,
        options: Vec<OptionShare>,
    },
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Quantiles {
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

impl Quantiles {
    fn of(c: &Continuous) -> Option<Quantiles> {
        let q = |p| histogram_quantile(&c.bins, c.min, c.max, p);
        q(0.5).map(|_| Quantiles {
            p05: q(QUANTILES[0].1).unwrap_or(f64::NAN),
            p25: q(QUANTILES[1].1).unwrap_or(f64::NAN),
            p50: q(QUANTILES[2].1).unwrap_or(f64::NAN),
            p75: q(QUANTILES[3].1).unwrap_or(f64::NAN),
            p95: q(QUANTILES[4].1).unwrap_or(f64::NAN),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OptionShare {
    pub option: String,
    /// Share among the trials with a term, with its interval.
    pub share: Estimate,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionReport {
    pub key: String,
    pub label: String,
    /// Trials answering yes.
    pub answer: Estimate,
}

impl RunReport {
    /// The report of `tally`, the trials of the scenario `id` (all of them, or those a
    /// precision target stopped at).
    pub fn of(
        id: &ScenarioId,
        cfg: RunConfig,
        layout: &Layout,
        tally: &Tally,
        precision: Option<Stopping>,
    ) -> RunReport {
        let n = tally.trials;
        let keyed = |names: &mut dyn Iterator<Item = &Name>, counts: &[u64], n: u64| {
            Keyed(names.zip(counts).map(|(name, &c)| (name.key.clone(), Estimate::new(c, n))).collect())
        };
        let rounds = layout
            .rounds
            .iter()
            .enumerate()
            .map(|(t, info)| RoundReport {
                id: info.id.clone(),
                label: info.label.clone(),
                date: info.date.clone(),
                outcomes: keyed(&mut layout.outcomes.iter(), tally.round_outcomes(t), n),
                flags: keyed(&mut layout.flags.iter().map(|f| &f.name), tally.round_flags(t), n),
                values: Keyed(
                    layout
                        .values
                        .iter()
                        .zip(tally.round_values(t))
                        .map(|(spec, c)| {
                            let report = ValueReport {
                                label: spec.label.clone(),
                                unit: spec.unit.clone(),
                                min: spec.min,
                                max: spec.max,
                                count: c.count,
                                mean: Mean::of(c),
                                quantiles: Quantiles::of(c),
                            };
                            (spec.key.clone(), report)
                        })
                        .collect(),
                ),
            })
            .collect();
        let events = layout
            .events
            .iter()
            .zip(&tally.events)
            .map(|(spec, event)| {
                let terms = spec
                    .terms
                    .iter()
                    .zip(&event.terms)
                    .map(|(spec, term)| match (&spec.kind, term) {
                        (TermKind::Continuous { .. } | TermKind::Index(_), TermTally::Continuous(c)) => {
                            let Mean { mean, sd, se } = Mean::of(c);
                            TermReport::Continuous {
                                issue: spec.issue.clone(),
                                label: spec.label.clone(),
                                unit: spec.kind.unit().to_string(),
                                min: c.min,
                                max: c.max,
                                mean,
                                sd,
                                se,
                                quantiles: Quantiles::of(c),
                            }
                        }
                        (TermKind::Options(labels), TermTally::Options(counts)) => TermReport::Options {
                            issue: spec.issue.clone(),
                            label: spec.label.clone(),
                            options: shares(labels, counts),
                        },
                        _ => unreachable!("a tally follows its layout"),
                    })
                    .collect();
                let report = EventReport {
                    reached: Estimate::new(event.count, n),
                    marks: keyed(&mut spec.marks.iter(), &event.marks, event.count),
                    terms,
                };
                (spec.key.clone(), report)
            })
            .collect();
        RunReport {
            sim: ToolInfo::new(&layout.model),
            run: RunInfo {
                scenario: id.file.clone(),
                title: id.title.clone(),
                as_of: id.as_of.clone(),
                digest: id.digest.clone(),
                seed: cfg.seed,
                trials: n,
                rng: RNG_DESCRIPTION.into(),
                chunk: CHUNK,
                precision,
                hindsight: id.hindsight,
            },
            rounds,
            events: Keyed(events),
            questions: layout
                .questions
                .iter()
                .zip(&tally.answers)
                .map(|(q, &c)| QuestionReport {
                    key: q.key.clone(),
                    label: q.label.clone(),
                    answer: Estimate::new(c, n),
                })
                .collect(),
            layout: layout.clone(),
        }
    }
}

fn shares(labels: &[String], counts: &[u64]) -> Vec<OptionShare> {
    let total: u64 = counts.iter().sum();
    labels.iter().zip(counts).map(|(l, &c)| OptionShare { option: l.clone(), share: Estimate::new(c, total) }).collect()
}

fn round_name(r: &RoundReport) -> String {
    match &r.date {
        Some(d) => format!("{} ({d})", r.label),
        None => r.label.clone(),
    }
}

impl RunReport {
    /// The per-round grids: outcomes, flags, values.
    pub fn round_grids(&self) -> Vec<Grid> {
        round_grids(self)
    }

    /// The grids after the rounds: the terms of each event, the answers.
    pub fn later_grids(&self) -> Vec<Grid> {
        let n = self.run.trials;
        let mut out: Vec<Grid> =
            self.layout.events.iter().zip(&self.events.0).map(|(spec, (_, e))| event_grid(spec, e, n)).collect();
        if !self.questions.is_empty() {
            out.push(Grid {
                text_columns: 1,
                title: "Questions, % of trials answering yes (± 95% Wilson interval, wider side)".into(),
                headers: vec!["question".into(), "yes".into()],
                rows: self.questions.iter().map(|q| vec![q.label.clone(), estimate_cell(&q.answer, n)]).collect(),
            });
        }
        out
    }
}

fn labels(names: &[Name]) -> Vec<&str> {
    names.iter().map(|x| x.label.as_str()).collect()
}

/// Outcomes, flags and values per round.
fn round_grids(report: &RunReport) -> Vec<Grid> {
    let layout = &report.layout;
    let n = report.run.trials;
    let cell = |e: &Estimate| estimate_cell(e, n);
    let per_round = |title: &str, names: &[&str], cells: &dyn Fn(&RoundReport) -> Vec<String>| Grid {
        text_columns: 1,
        title: title.into(),
        headers: std::iter::once("round").chain(names.iter().copied()).map(String::from).collect(),
        rows: report.rounds.iter().map(|r| std::iter::once(round_name(r)).chain(cells(r)).collect()).collect(),
    };
    let mut out = vec![per_round(
        "Outcome of each round, % of trials (± 95% Wilson interval, wider side)",
        &labels(&layout.outcomes),
        &|r| r.outcomes.0.iter().map(|(_, e)| cell(e)).collect(),
    )];
    for (reads, title) in [
        (Reads::InRound, "In each round, % of trials (not exclusive)"),
        (Reads::ByEnd, "By the end of each round, % of trials"),
    ] {
        let shown: Vec<usize> = (0..layout.flags.len()).filter(|&f| layout.flags[f].reads == reads).collect();
        if shown.is_empty() {
            continue;
        }
        let names: Vec<&str> = shown.iter().map(|&f| layout.flags[f].name.label.as_str()).collect();
        out.push(per_round(title, &names, &|r| shown.iter().map(|&f| cell(&r.flags.0[f].1)).collect()));
    }
    if !layout.values.is_empty() {
        let names: Vec<String> = layout.values.iter().map(|v| format!("{} ({})", v.label, v.unit)).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        out.push(per_round("Values in each round: mean (± 95% interval, 1.96 standard errors)", &names, &|r| {
            r.values
                .0
                .iter()
                .map(|(_, v)| match (v.mean.mean, v.mean.se) {
                    (Some(m), Some(se)) => format!("{m:.3} ±{:.3}", Z95 * se),
                    _ => "-".into(),
                })
                .collect()
        }));
    }
    out
}

/// The terms of an event, given the event, e.g. "Settlement terms, given a settlement (...)".
fn event_grid(spec: &EventSpec, event: &EventReport, n: u64) -> Grid {
    let label = &spec.label;
    let mut rows = Vec::new();
    for term in &event.terms {
        match term {
            TermReport::Continuous { label: name, unit, mean, quantiles, .. } => {
                let name = format!("{name} ({unit})");
                match (mean, quantiles) {
                    (Some(m), Some(q)) => {
                        rows.push(vec![name, "mean".into(), format!("{m:.3}")]);
                        rows.push(vec![String::new(), "median".into(), format!("{:.3}", q.p50)]);
                        rows.push(vec![String::new(), "middle 50%".into(), format!("{:.3} to {:.3}", q.p25, q.p75)]);
                        rows.push(vec![String::new(), "middle 90%".into(), format!("{:.3} to {:.3}", q.p05, q.p95)]);
                    }
                    _ => rows.push(vec![name, format!("no {label}"), "-".into()]),
                }
            }
            TermReport::Options { label: name, options, .. } => {
                for (j, o) in options.iter().enumerate() {
                    let name = if j == 0 { name.clone() } else { String::new() };
                    rows.push(vec![name, o.option.clone(), format!("{}%", pct(o.share.p))]);
                }
            }
        }
    }
    let marks: String = event.mark_shares(spec).map(|(m, e)| format!("; {}% of them {m}", pct(e.p))).collect();
    Grid {
        text_columns: 2,
        title: if event.reached.count == 0 {
            format!("{} terms: no {label} in {n} trials", capitalized(label))
        } else {
            format!("{} terms, given a {label} ({} of {n} trials{marks})", capitalized(label), event.reached.count)
        },
        headers: vec!["issue".into(), "".into(), "value".into()],
        rows,
    }
}

/// `text` with its first letter in upper case.
pub(crate) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Appends the mean and the quantiles of a continuous quantity, when it has values.
fn continuous_rows(rows: &mut Vec<Vec<String>>, key: &[&str], mean: Option<f64>, quantiles: Option<&Quantiles>) {
    if let (Some(m), Some(q)) = (mean, quantiles) {
        let values = [m, q.p05, q.p25, q.p50, q.p75, q.p95];
        let names = std::iter::once("mean").chain(QUANTILES.iter().map(|(name, _)| *name));
        for (name, v) in names.zip(values) {
            rows.push(key.iter().map(|k| k.to_string()).chain([name.to_string(), v.to_string()]).collect());
        }
    }
}

/// Appends the five rows of an estimate to tidy CSV rows that start with `key`.
pub(crate) fn estimate_rows(rows: &mut Vec<Vec<String>>, key: &[&str], e: &Estimate) {
    for (stat, value) in [
        ("count", e.count.to_string()),
        ("p", e.p.to_string()),
        ("se", e.se.to_string()),
        ("ci95_low", e.ci95[0].to_string()),
        ("ci95_high", e.ci95[1].to_string()),
    ] {
        rows.push(key.iter().map(|k| k.to_string()).chain([stat.to_string(), value]).collect());
    }
}

impl Summary for RunReport {
    fn hindsight(&self) -> bool {
        self.run.hindsight
    }

    fn heading(&self) -> Vec<String> {
        let run = &self.run;
        let mut lines = vec![
            format!("{} (as of {})", run.title, run.as_of),
            format!(
                "{} trials, seed {}, scenario {} ({}), sim {}",
                run.trials,
                run.seed,
                run.scenario,
                &run.digest[..run.digest.len().min(19)],
                self.sim.version
            ),
        ];
        if let Some(p) = &run.precision {
            lines.push(p.sentence(run.trials));
        }
        lines
    }

    fn grids(&self) -> Vec<Grid> {
        let mut grids = self.round_grids();
        grids.extend(self.later_grids());
        grids
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut rows = Vec::new();
        if let Some(p) = &self.run.precision {
            for (stat, value) in p.figures(self.run.trials) {
                rows.push(vec!["precision".into(), String::new(), "rule".into(), stat.into(), value]);
            }
        }
        for r in &self.rounds {
            for (key, e) in &r.outcomes.0 {
                estimate_rows(&mut rows, &["outcome", &r.id, key], e);
            }
            for ((key, e), spec) in r.flags.0.iter().zip(&self.layout.flags) {
                let section = match spec.reads {
                    Reads::InRound => "in_round",
                    Reads::ByEnd => "cumulative",
                };
                estimate_rows(&mut rows, &[section, &r.id, key], e);
            }
            for (key, v) in &r.values.0 {
                continuous_rows(&mut rows, &["value", &r.id, key], v.mean.mean, v.quantiles.as_ref());
            }
        }
        for (event, e) in &self.events.0 {
            estimate_rows(&mut rows, &[event, "", "reached"], &e.reached);
            for (mark, m) in &e.marks.0 {
                estimate_rows(&mut rows, &[event, "", mark], m);
            }
            for term in &e.terms {
                match term {
                    TermReport::Continuous { issue, mean, quantiles, .. } => {
                        continuous_rows(&mut rows, &["terms", "", issue], *mean, quantiles.as_ref());
                    }
                    TermReport::Options { issue, options, .. } => {
                        for o in options {
                            estimate_rows(&mut rows, &["terms", "", &format!("{issue}={}", o.option)], &o.share);
                        }
                    }
                }
            }
        }
        for q in &self.questions {
            estimate_rows(&mut rows, &["question", "", &q.key], &q.answer);
        }
        (["section", "round", "measure", "statistic", "value"].map(String::from).to_vec(), rows)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report serializes")
    }
}
