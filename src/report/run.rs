//! The summary of `sim run`: outcome probabilities per round, cumulative chances, settlement
//! terms.

use serde::Serialize;

use super::{Estimate, Grid, QUANTILES, RNG_DESCRIPTION, ScenarioId, Summary, ToolInfo, estimate_cell, pct};
use crate::engine::precision::Stopping;
use crate::engine::stats::histogram_quantile;
use crate::engine::tally::TermTally;
use crate::engine::{CHUNK, Layout, Outcome, RunConfig, Tally, TermKind};
use crate::scenario::LoadedScenario;

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub sim: ToolInfo,
    pub run: RunInfo,
    pub rounds: Vec<RoundReport>,
    pub settlement: SettlementReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ceasefire: Option<CeasefireReport>,
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
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundReport {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Probability of each outcome of the round; they sum to 1.
    pub outcomes: Outcomes,
    /// A ceasefire or a settlement signed in this round or before.
    pub ceasefire_reached: Estimate,
    /// A settlement signed in this round or before.
    pub settlement_reached: Estimate,
    /// A ceasefire (without settlement) holds at the end of the round.
    pub ceasefire_in_force: Estimate,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcomes {
    pub no_meeting: Estimate,
    pub talks_no_deal: Estimate,
    pub humanitarian: Estimate,
    pub ceasefire: Estimate,
    pub settlement: Estimate,
    pub collapse: Estimate,
}

impl Outcomes {
    pub fn get(&self, o: Outcome) -> &Estimate {
        match o {
            Outcome::NoMeeting => &self.no_meeting,
            Outcome::TalksNoDeal => &self.talks_no_deal,
            Outcome::Humanitarian => &self.humanitarian,
            Outcome::Ceasefire => &self.ceasefire,
            Outcome::Settlement => &self.settlement,
            Outcome::Collapse => &self.collapse,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SettlementReport {
    /// Settled by the last round.
    pub reached: Estimate,
    /// Among settlements: those that at least one side would have refused without the
    /// mediators' pressure and side payments.
    pub leverage_dependent: Estimate,
    /// Terms per settlement issue, conditional on a settlement.
    pub terms: Vec<TermReport>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TermReport {
    Continuous {
        issue: String,
        label: String,
        unit: String,
        min: f64,
        max: f64,
        /// Mean over settlements; null when there is none.
        mean: Option<f64>,
        /// Quantiles from a 1000-bin histogram, interpolated within the bin.
        quantiles: Option<Quantiles>,
    },
    Options {
        issue: String,
        label: String,
        options: Vec<OptionShare>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Quantiles {
    pub p05: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OptionShare {
    pub option: String,
    /// Share among the agreements, with its interval.
    pub share: Estimate,
}

#[derive(Debug, Clone, Serialize)]
pub struct CeasefireReport {
    /// A ceasefire or settlement signed by the last round.
    pub reached: Estimate,
    /// Option of the first ceasefire signed, among trials that signed one (every option but
    /// the first, "no ceasefire").
    pub first_ceasefire_terms: Vec<OptionShare>,
}

impl RunReport {
    pub fn new(loaded: &LoadedScenario, cfg: RunConfig, layout: &Layout, tally: &Tally) -> RunReport {
        RunReport::of(&ScenarioId::of(loaded), cfg, layout, tally, None)
    }

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
        let rounds = layout
            .rounds
            .iter()
            .enumerate()
            .map(|(t, info)| {
                let c = &tally.outcomes[t];
                let est = |o: Outcome| Estimate::new(c[o.index()], n);
                RoundReport {
                    id: info.id.clone(),
                    label: info.label.clone(),
                    date: info.date.clone(),
                    outcomes: Outcomes {
                        no_meeting: est(Outcome::NoMeeting),
                        talks_no_deal: est(Outcome::TalksNoDeal),
                        humanitarian: est(Outcome::Humanitarian),
                        ceasefire: est(Outcome::Ceasefire),
                        settlement: est(Outcome::Settlement),
                        collapse: est(Outcome::Collapse),
                    },
                    ceasefire_reached: Estimate::new(tally.reached_ceasefire[t], n),
                    settlement_reached: est(Outcome::Settlement),
                    ceasefire_in_force: Estimate::new(tally.in_force[t], n),
                }
            })
            .collect();
        let settled = tally.settled;
        let terms = layout
            .terms
            .iter()
            .zip(&tally.terms)
            .map(|(spec, term)| match (&spec.kind, term) {
                (TermKind::Continuous { unit, .. }, TermTally::Continuous { min, max, bins, .. }) => {
                    let q = |p| histogram_quantile(bins, *min, *max, p);
                    TermReport::Continuous {
                        issue: spec.issue.clone(),
                        label: spec.label.clone(),
                        unit: unit.clone(),
                        min: *min,
                        max: *max,
                        mean: term.moments(settled).map(|(mean, _)| mean),
                        quantiles: q(0.5).map(|_| Quantiles {
                            p05: q(QUANTILES[0].1).unwrap_or(f64::NAN),
                            p25: q(QUANTILES[1].1).unwrap_or(f64::NAN),
                            p50: q(QUANTILES[2].1).unwrap_or(f64::NAN),
                            p75: q(QUANTILES[3].1).unwrap_or(f64::NAN),
                            p95: q(QUANTILES[4].1).unwrap_or(f64::NAN),
                        }),
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
        let last = layout.rounds.len() - 1;
        RunReport {
            sim: ToolInfo::current(),
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
            },
            rounds,
            settlement: SettlementReport {
                reached: Estimate::new(settled, n),
                leverage_dependent: Estimate::new(tally.leverage_dependent, settled),
                terms,
            },
            ceasefire: layout.ceasefire_options.as_ref().map(|labels| CeasefireReport {
                reached: Estimate::new(tally.reached_ceasefire[last], n),
                // Option 0 is "no ceasefire", never the term of a signed ceasefire.
                first_ceasefire_terms: shares(&labels[1..], &tally.ceasefire_options[1..]),
            }),
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

/// The report's content as grids: outcomes per round, cumulative chances, settlement terms.
fn run_grids(report: &RunReport) -> Vec<Grid> {
    let cell = |e: &Estimate| estimate_cell(e, report.run.trials);
    let mut out = vec![Grid {
        text_columns: 1,
        title: "Outcome of each round, % of trials (± 95% Wilson interval, wider side)".into(),
        headers: std::iter::once("round".to_string())
            .chain(Outcome::ALL.iter().map(|o| o.label().to_string()))
            .collect(),
        rows: report
            .rounds
            .iter()
            .map(|r| {
                std::iter::once(round_name(r)).chain(Outcome::ALL.iter().map(|&o| cell(r.outcomes.get(o)))).collect()
            })
            .collect(),
    }];
    out.push(Grid {
        text_columns: 1,
        title: "By the end of each round, % of trials".into(),
        headers: ["round", "ceasefire or settlement signed", "settlement signed", "ceasefire holding"]
            .map(String::from)
            .to_vec(),
        rows: report
            .rounds
            .iter()
            .map(|r| {
                vec![
                    round_name(r),
                    cell(&r.ceasefire_reached),
                    cell(&r.settlement_reached),
                    cell(&r.ceasefire_in_force),
                ]
            })
            .collect(),
    });
    let s = &report.settlement;
    let mut rows = Vec::new();
    for term in &s.terms {
        match term {
            TermReport::Continuous { label, unit, mean, quantiles, .. } => {
                let name = format!("{label} ({unit})");
                match (mean, quantiles) {
                    (Some(m), Some(q)) => {
                        rows.push(vec![name, "mean".into(), format!("{m:.3}")]);
                        rows.push(vec![String::new(), "median".into(), format!("{:.3}", q.p50)]);
                        rows.push(vec![String::new(), "middle 50%".into(), format!("{:.3} to {:.3}", q.p25, q.p75)]);
                        rows.push(vec![String::new(), "middle 90%".into(), format!("{:.3} to {:.3}", q.p05, q.p95)]);
                    }
                    _ => rows.push(vec![name, "no settlement".into(), "-".into()]),
                }
            }
            TermReport::Options { label, options, .. } => {
                for (j, o) in options.iter().enumerate() {
                    let name = if j == 0 { label.clone() } else { String::new() };
                    rows.push(vec![name, o.option.clone(), format!("{}%", pct(o.share.p))]);
                }
            }
        }
    }
    out.push(Grid {
        text_columns: 2,
        title: if s.reached.count == 0 {
            format!("Settlement terms: no settlement in {} trials", report.run.trials)
        } else {
            format!(
                "Settlement terms, given a settlement ({} of {} trials; {}% of them depend on leverage)",
                s.reached.count,
                report.run.trials,
                pct(s.leverage_dependent.p)
            )
        },
        headers: vec!["issue".into(), "".into(), "value".into()],
        rows,
    });
    if let Some(c) = &report.ceasefire {
        out.push(Grid {
            text_columns: 1,
            title: format!(
                "First ceasefire signed, given one ({} trials)",
                c.first_ceasefire_terms.iter().map(|o| o.share.count).sum::<u64>()
            ),
            headers: vec!["option".into(), "share".into()],
            rows: c
                .first_ceasefire_terms
                .iter()
                .map(|o| vec![o.option.clone(), format!("{}%", pct(o.share.p))])
                .collect(),
        });
    }
    out
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
        run_grids(self)
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut rows = Vec::new();
        if let Some(p) = &self.run.precision {
            for (stat, value) in p.figures(self.run.trials) {
                rows.push(vec!["precision".into(), String::new(), "rule".into(), stat.into(), value]);
            }
        }
        for r in &self.rounds {
            for o in Outcome::ALL {
                estimate_rows(&mut rows, &["outcome", &r.id, o.key()], r.outcomes.get(o));
            }
            estimate_rows(&mut rows, &["cumulative", &r.id, "ceasefire_reached"], &r.ceasefire_reached);
            estimate_rows(&mut rows, &["cumulative", &r.id, "settlement_reached"], &r.settlement_reached);
            estimate_rows(&mut rows, &["cumulative", &r.id, "ceasefire_in_force"], &r.ceasefire_in_force);
        }
        let s = &self.settlement;
        estimate_rows(&mut rows, &["settlement", "", "reached"], &s.reached);
        estimate_rows(&mut rows, &["settlement", "", "leverage_dependent"], &s.leverage_dependent);
        for term in &s.terms {
            match term {
                TermReport::Continuous { issue, mean, quantiles, .. } => {
                    if let (Some(m), Some(q)) = (mean, quantiles) {
                        rows.push(vec!["terms".into(), String::new(), issue.clone(), "mean".into(), m.to_string()]);
                        let values = [q.p05, q.p25, q.p50, q.p75, q.p95];
                        for ((name, _), v) in QUANTILES.iter().zip(values) {
                            rows.push(vec![
                                "terms".into(),
                                String::new(),
                                issue.clone(),
                                name.to_string(),
                                v.to_string(),
                            ]);
                        }
                    }
                }
                TermReport::Options { issue, options, .. } => {
                    for o in options {
                        estimate_rows(&mut rows, &["terms", "", &format!("{issue}={}", o.option)], &o.share);
                    }
                }
            }
        }
        if let Some(c) = &self.ceasefire {
            for o in &c.first_ceasefire_terms {
                estimate_rows(&mut rows, &["ceasefire_terms", "", &o.option], &o.share);
            }
        }
        (["section", "round", "measure", "statistic", "value"].map(String::from).to_vec(), rows)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report serializes")
    }
}
