//! The summary of `sim compare`: each scenario's headline figures and each variant's paired
//! difference from the base.

use serde::Serialize;

use super::run::{capitalized, estimate_rows};
use super::{Estimate, Grid, Mean, RNG_DESCRIPTION, ScenarioId, Summary, ToolInfo, paired_cell, pct};
use crate::engine::paired::{Paired, PairedDifference, Streams};
use crate::engine::stats::Z95;
use crate::engine::tally::TermTally;
use crate::engine::{CHUNK, FigureSpec, Layout, RunConfig, TermSpec};

#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    pub sim: ToolInfo,
    pub run: CompareRun,
    /// The base first, then the variants in the order given.
    pub scenarios: Vec<ScenarioInfo>,
    /// Per round of the base: each figure in every scenario (matched by round id).
    pub rounds: Vec<CompareRound>,
    /// Each figure at the last round of every scenario ("by the end").
    pub end: Vec<FigureRow>,
    /// Mean terms on continuous issues, given their event.
    pub terms: Vec<TermRow>,
    /// The base's declaration.
    #[serde(skip)]
    pub layout: Layout,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompareRun {
    pub seed: u64,
    pub trials: u64,
    pub rng: String,
    pub chunk: u64,
    pub common_random_numbers: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioInfo {
    pub file: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    pub digest: String,
    #[serde(skip)]
    pub hindsight: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompareRound {
    pub id: String,
    pub label: String,
    pub figures: Vec<FigureRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FigureRow {
    pub figure: String,
    pub base: Estimate,
    /// One per variant; null where the variant has no such round.
    pub variants: Vec<Option<VariantFigure>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VariantFigure {
    pub value: Estimate,
    /// Variant minus base, from the paired per-trial differences.
    pub difference: PairedDifference,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermRow {
    /// The event the term is conditional on.
    pub event: String,
    pub issue: String,
    pub label: String,
    /// The base's mean.
    pub base: Option<f64>,
    pub base_sd: Option<f64>,
    pub base_se: Option<f64>,
    pub variants: Vec<Option<TermDifference>>,
}

/// Difference of conditional means; the interval treats the two sets of trials with the event
/// as independent samples, which is conservative under common random numbers.
#[derive(Debug, Clone, Serialize)]
pub struct TermDifference {
    #[serde(flatten)]
    pub mean: Mean,
    pub diff: Option<f64>,
    pub ci95: Option<[f64; 2]>,
}

impl CompareReport {
    /// The report of a paired run of the scenarios `loaded` (the base first).
    pub fn of(
        loaded: &[ScenarioId],
        layouts: &[&Layout],
        cfg: RunConfig,
        streams: Streams,
        paired: &Paired,
    ) -> CompareReport {
        let n = cfg.trials;
        let base_layout = layouts[0];
        let base_tally = &paired.tallies[0];
        let row = |figure: &FigureSpec, t_base: usize, t_variants: &dyn Fn(usize) -> Option<(usize, u64)>| {
            let base = figure.of.count(base_tally, t_base);
            FigureRow {
                figure: figure.key.clone(),
                base: Estimate::new(base, n),
                variants: (1..loaded.len())
                    .map(|v| {
                        t_variants(v).map(|(tv, discordant)| {
                            let count = figure.of.count(&paired.tallies[v], tv);
                            VariantFigure {
                                value: Estimate::new(count, n),
                                difference: PairedDifference::new(base, count, discordant, n),
                            }
                        })
                    })
                    .collect(),
            }
        };
        let rounds = base_layout
            .rounds
            .iter()
            .enumerate()
            .map(|(t, info)| CompareRound {
                id: info.id.clone(),
                label: info.label.clone(),
                figures: base_layout
                    .figures
                    .iter()
                    .enumerate()
                    .map(|(f, figure)| {
                        row(figure, t, &|v| {
                            let tv = paired.aligned[v - 1][t]?;
                            Some((tv, paired.discordant[v - 1][t].as_ref()?[f]))
                        })
                    })
                    .collect(),
            })
            .collect();
        let last = |v: usize| layouts[v].rounds.len() - 1;
        let end = base_layout
            .figures
            .iter()
            .enumerate()
            .map(|(f, figure)| row(figure, last(0), &|v| Some((last(v), paired.discordant_end[v - 1].as_ref()?[f]))))
            .collect();
        // A variant's term: the same issue of the event with the same key, on the same scale.
        let term_of = |v: usize, event: &str, spec: &TermSpec| {
            let e = layouts[v].events.iter().position(|x| x.key == event)?;
            let k = layouts[v].events[e].terms.iter().position(|t| t.issue == spec.issue)?;
            let same = layouts[v].events[e].terms[k].kind.same_scale(&spec.kind);
            same.then(|| &paired.tallies[v].events[e].terms[k])
        };
        // A term on ordered options is compared by its mean option index where another scenario
        // predicts the same issue on their index scale (a spatial model beside mediated_nash).
        let compared = |event: &str, spec: &TermSpec, t: &TermTally| {
            t.continuous().is_some()
                || (1..loaded.len()).any(|v| term_of(v, event, spec).is_some_and(|tv| tv.continuous().is_some()))
        };
        let terms = base_layout
            .events
            .iter()
            .zip(&base_tally.events)
            .flat_map(|(event, tally)| event.terms.iter().zip(&tally.terms).map(move |(spec, t)| (event, spec, t)))
            .filter(|(event, spec, t)| compared(&event.key, spec, t))
            .map(|(event, spec, t)| {
                let base = t.summary();
                let label = match t {
                    TermTally::Continuous(_) => spec.label.clone(),
                    TermTally::Options(_) => format!("{} (option index)", spec.label),
                };
                let base_mean = Mean::of_summary(base);
                TermRow {
                    event: event.key.clone(),
                    issue: spec.issue.clone(),
                    label,
                    base: base_mean.mean,
                    base_sd: base_mean.sd,
                    base_se: base_mean.se,
                    variants: (1..loaded.len())
                        .map(|v| {
                            let variant = term_of(v, &event.key, spec)?.summary();
                            let diff = match (base, variant) {
                                (Some((nb, mb, vb)), Some((nv, mv, vv))) => {
                                    let se = (vb / nb as f64 + vv / nv as f64).sqrt();
                                    Some((mv - mb, [mv - mb - Z95 * se, mv - mb + Z95 * se]))
                                }
                                _ => None,
                            };
                            Some(TermDifference {
                                mean: Mean::of_summary(variant),
                                diff: diff.map(|d| d.0),
                                ci95: diff.map(|d| d.1),
                            })
                        })
                        .collect(),
                }
            })
            .collect();
        CompareReport {
            sim: ToolInfo::new(&base_layout.model),
            run: CompareRun {
                seed: cfg.seed,
                trials: n,
                rng: RNG_DESCRIPTION.into(),
                chunk: CHUNK,
                common_random_numbers: streams == Streams::Common,
            },
            scenarios: loaded
                .iter()
                .map(|l| ScenarioInfo {
                    file: l.file.clone(),
                    title: l.title.clone(),
                    rationale: l.rationale.clone(),
                    digest: l.digest.clone(),
                    hindsight: l.hindsight,
                })
                .collect(),
            rounds,
            end,
            terms,
            layout: base_layout.clone(),
        }
    }

    fn figure_rows(rows: &mut Vec<Vec<String>>, section: &str, round: &str, names: &[String], r: &FigureRow) {
        estimate_rows(rows, &[section, round, &names[0], &r.figure], &r.base);
        for (v, x) in r.variants.iter().enumerate() {
            let Some(x) = x else { continue };
            let key = [section, round, &names[v + 1], &r.figure];
            estimate_rows(rows, &key, &x.value);
            let d = &x.difference;
            for (stat, value) in [
                ("diff", d.diff.to_string()),
                ("diff_se", d.se.to_string()),
                ("diff_ci95_low", d.ci95[0].to_string()),
                ("diff_ci95_high", d.ci95[1].to_string()),
                ("significant", u8::from(d.significant).to_string()),
            ] {
                rows.push(key.iter().map(|k| k.to_string()).chain([stat.to_string(), value]).collect());
            }
        }
    }
}

impl CompareReport {
    /// A grid with one row per scenario (base first) and one column per entry of `columns`;
    /// `cell(variant, column)` fills it, with `variant` None for the base.
    fn scenario_grid(
        &self,
        title: String,
        columns: Vec<String>,
        cell: impl Fn(Option<usize>, usize) -> String,
    ) -> Grid {
        Grid {
            text_columns: 1,
            title,
            rows: self
                .scenarios
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    std::iter::once(s.title.clone())
                        .chain((0..columns.len()).map(|j| cell(i.checked_sub(1), j)))
                        .collect()
                })
                .collect(),
            headers: std::iter::once("scenario".to_string()).chain(columns).collect(),
        }
    }
}

impl Summary for CompareReport {
    fn hindsight(&self) -> bool {
        self.scenarios.iter().any(|s| s.hindsight)
    }

    fn heading(&self) -> Vec<String> {
        let mut lines = vec![
            if self.run.common_random_numbers {
                format!("Comparison of {} scenarios with common random numbers", self.scenarios.len())
            } else {
                format!(
                    "Comparison of {} scenarios on independent streams (scenario i uses seed + i)",
                    self.scenarios.len()
                )
            },
            format!("{} trials each, seed {}, sim {}", self.run.trials, self.run.seed, self.sim.version),
        ];
        for (i, s) in self.scenarios.iter().enumerate() {
            let role = if i == 0 { "base" } else { "variant" };
            let why = s.rationale.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
            lines.push(format!("  {role} {} ({}){why}", s.title, s.file));
        }
        lines
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let names: Vec<String> = self.scenarios.iter().map(|s| s.file.clone()).collect();
        let mut rows = Vec::new();
        for r in &self.rounds {
            for f in &r.figures {
                Self::figure_rows(&mut rows, "round", &r.id, &names, f);
            }
        }
        for f in &self.end {
            Self::figure_rows(&mut rows, "end", "", &names, f);
        }
        for t in &self.terms {
            if let Some(m) = t.base {
                rows.push(vec![
                    "terms".into(),
                    String::new(),
                    names[0].clone(),
                    t.issue.clone(),
                    "mean".into(),
                    m.to_string(),
                ]);
            }
            for (v, d) in t.variants.iter().enumerate() {
                let Some(d) = d else { continue };
                let key = ["terms".to_string(), String::new(), names[v + 1].clone(), t.issue.clone()];
                let stats = [
                    ("mean", d.mean.mean),
                    ("diff", d.diff),
                    ("diff_ci95_low", d.ci95.map(|c| c[0])),
                    ("diff_ci95_high", d.ci95.map(|c| c[1])),
                ];
                for (stat, value) in stats {
                    if let Some(x) = value {
                        rows.push(key.iter().cloned().chain([stat.to_string(), x.to_string()]).collect());
                    }
                }
            }
        }
        (["section", "round", "scenario", "figure", "statistic", "value"].map(String::from).to_vec(), rows)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report serializes")
    }

    fn grids(&self) -> Vec<Grid> {
        let layout = &self.layout;
        let shown: Vec<&FigureSpec> = layout.headline.iter().map(|&f| &layout.figures[f]).collect();
        // The base's value, or a variant's value with its paired difference.
        let cell = |r: Option<&FigureRow>, v: Option<usize>| match (r, v) {
            (None, _) => "-".into(),
            (Some(r), None) => pct(r.base.p),
            (Some(r), Some(v)) => match &r.variants[v] {
                None => "-".into(),
                Some(x) => {
                    let (difference, star) = paired_cell(&x.difference);
                    format!("{} ({difference}){star}", pct(x.value.p))
                }
            },
        };
        let mut grids = vec![self.scenario_grid(
            "By the end of each scenario, % of trials (variant: difference from the base, ± 95% paired interval; * \
             the interval excludes 0)"
                .into(),
            shown.iter().map(|f| f.label.clone()).collect(),
            |v, j| cell(by_key(&self.end, &shown[j].key), v),
        )];
        for figure in layout.per_round.iter().map(|&f| &layout.figures[f]) {
            grids.push(self.scenario_grid(
                format!("{} per round of the base, %", capitalized(&figure.label)),
                self.rounds.iter().map(|r| r.label.clone()).collect(),
                |v, j| cell(by_key(&self.rounds[j].figures, &figure.key), v),
            ));
        }
        for event in &layout.events {
            let terms: Vec<&TermRow> = self.terms.iter().filter(|t| t.event == event.key).collect();
            if terms.is_empty() {
                continue;
            }
            let label = &event.label;
            grids.push(self.scenario_grid(
                format!("Mean {label} terms, given a {label} (variant: difference, ± 95% interval)"),
                terms.iter().map(|t| t.label.clone()).collect(),
                |v, j| {
                    let t = terms[j];
                    match v {
                        None => t.base.map_or("-".into(), |m| format!("{m:.3}")),
                        Some(v) => match &t.variants[v] {
                            Some(TermDifference {
                                mean: Mean { mean: Some(m), .. },
                                diff: Some(d),
                                ci95: Some(ci),
                            }) => {
                                format!("{m:.3} ({d:+.3} ±{:.3})", ci[1] - d)
                            }
                            Some(TermDifference { mean: Mean { mean: Some(m), .. }, .. }) => format!("{m:.3}"),
                            _ => "-".into(),
                        },
                    }
                },
            ));
        }
        grids
    }
}

fn by_key<'a>(rows: &'a [FigureRow], key: &str) -> Option<&'a FigureRow> {
    rows.iter().find(|r| r.figure == key)
}
