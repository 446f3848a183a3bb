//! Scoring forecasts of dated questions against their outcomes (docs/SCORING.md): Brier and
//! log scores, Murphy's decomposition, case-level bootstrap intervals, skill against
//! baselines, and the reliability diagram's data. A layer above scenario and engine, below
//! report: it takes forecasts as numbers, whatever produced them.

pub mod baseline;
pub mod bootstrap;
pub mod case;
pub mod murphy;

use std::collections::BTreeSet;
use std::num::{NonZeroU32, NonZeroUsize};

use serde::Serialize;

use crate::scenario::question::QuestionKind;
use crate::scenario::resolution::{CrowdForecast, Outcome, Probability};

pub use baseline::{BaseRate, Basis};
pub use case::Case;
pub use murphy::{Bin, Decomposition};

/// Forecasts are clipped to [CLIP_LOW, CLIP_HIGH] in the log score (docs/SCORING.md §1).
pub const CLIP_LOW: f64 = 0.001;
pub const CLIP_HIGH: f64 = 0.999;

/// Brier score of forecast `p` of an outcome `o` (1 for Yes, 0 for No): (p - o)^2.
pub fn brier(p: f64, o: f64) -> f64 {
    (p - o).powi(2)
}

/// Log score: -ln of the probability given to what happened, p clipped to [0.001, 0.999].
pub fn log_score(p: f64, o: f64) -> f64 {
    let p = p.clamp(CLIP_LOW, CLIP_HIGH);
    -(if o == 1.0 { p } else { 1.0 - p }).ln()
}

/// One forecast question with its outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub case: String,
    pub question: String,
    pub kind: QuestionKind,
    pub forecast: Probability,
    pub outcome: Outcome,
    /// Recorded crowd or market forecasts of the question, at most one per source.
    pub crowd: Vec<CrowdForecast>,
}

/// How the scores are computed; every setting is stated in the output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Options {
    /// Equal-width forecast bins of [0, 1] for the decomposition and the reliability diagram.
    pub bins: NonZeroUsize,
    /// Bootstrap resamples.
    pub resamples: NonZeroU32,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Fewest scored questions of a kind in the other cases for a kind's own base rate.
    pub min_kind_questions: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            bins: NonZeroUsize::new(10).expect("10 > 0"),
            resamples: NonZeroU32::new(2000).expect("2000 > 0"),
            seed: 1,
            min_kind_questions: baseline::MIN_KIND_QUESTIONS,
        }
    }
}

/// A statistic with its case-level bootstrap 95% percentile interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Statistic {
    /// `None` where undefined (a skill score against a baseline scoring 0).
    pub value: Option<f64>,
    pub ci95: Option<[f64; 2]>,
    /// Resamples in which the statistic is defined, of which the interval is made.
    pub resamples: u32,
}

/// One question's line: every question is listed; open and annulled ones are not scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionScore {
    pub case: String,
    pub question: String,
    pub kind: QuestionKind,
    pub forecast: Probability,
    /// `yes`, `no`, `annulled` or `open`.
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub brier: Option<f64>,
    pub log: Option<f64>,
    pub base_rate: BaseRate,
    pub crowd: Vec<CrowdForecast>,
}

/// Skill against one baseline, on the scored questions the baseline forecasts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skill {
    /// `half`, `base_rate` or `crowd:<source>`.
    pub baseline: String,
    pub questions: usize,
    pub cases: usize,
    /// Mean Brier score of the forecasts on those questions, and of the baseline.
    pub brier: f64,
    pub brier_baseline: f64,
    /// 1 - brier / brier_baseline.
    pub brier_skill: Statistic,
    pub log: f64,
    pub log_baseline: f64,
    /// 1 - log / log_baseline.
    pub log_skill: Statistic,
}

/// Everything `sim score` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    pub options: Options,
    pub clip: [f64; 2],
    pub cases: usize,
    pub scored: usize,
    pub open: usize,
    pub annulled: usize,
    pub questions: Vec<QuestionScore>,
    /// Mean Brier and log score over the scored questions, each question weighted equally.
    pub brier: Statistic,
    pub log: Statistic,
    pub decomposition: Decomposition,
    pub reliability: Vec<Bin>,
    pub skill: Vec<Skill>,
}

/// No question of the records resolved Yes or No.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("nothing to score: {open} questions open and {annulled} annulled, none resolved yes or no")]
pub struct NothingToScore {
    pub open: usize,
    pub annulled: usize,
}

/// A baseline: a forecast for some questions, by record index.
struct Baseline {
    key: String,
    forecasts: Vec<Option<f64>>,
}

/// Per case, the sums that the statistics are ratios of: [n, sum BS, sum LS], then for each
/// baseline [n_b, sum BS, sum LS, sum BS_b, sum LS_b] over the questions it forecasts.
const HEAD: usize = 3;
const PER_BASELINE: usize = 5;

/// Scores `records` (docs/SCORING.md).
pub fn score(records: &[Record], opts: &Options) -> Result<Scores, NothingToScore> {
    let count = |key: &str| records.iter().filter(|r| r.outcome.key() == key).count();
    let (open, annulled) = (count("open"), count("annulled"));
    let scored: Vec<usize> = (0..records.len()).filter(|&i| records[i].outcome.indicator().is_some()).collect();
    if scored.is_empty() {
        return Err(NothingToScore { open, annulled });
    }
    let cases: Vec<&str> = {
        let mut seen = BTreeSet::new();
        records.iter().map(|r| r.case.as_str()).filter(|c| seen.insert(*c)).collect()
    };
    let case_of = |r: &Record| cases.iter().position(|c| *c == r.case).expect("listed above");
    let asked: Vec<baseline::Asked> = records
        .iter()
        .map(|r| baseline::Asked { case: case_of(r), kind: r.kind, yes: r.outcome.indicator().map(|o| o == 1.0) })
        .collect();
    let base_rates = baseline::leave_one_case_out(&asked, opts.min_kind_questions);
    let baselines = baselines(records, &base_rates);

    let width = HEAD + PER_BASELINE * baselines.len();
    let mut sums = vec![vec![0.0; width]; cases.len()];
    for &i in &scored {
        let r = &records[i];
        let (p, o) = (r.forecast.get(), r.outcome.indicator().expect("scored"));
        let s = &mut sums[asked[i].case];
        for (slot, x) in s.iter_mut().zip([1.0, brier(p, o), log_score(p, o)]) {
            *slot += x;
        }
        for (b, base) in baselines.iter().enumerate() {
            if let Some(q) = base.forecasts[i] {
                let at = HEAD + PER_BASELINE * b;
                let terms = [1.0, brier(p, o), log_score(p, o), brier(q, o), log_score(q, o)];
                for (slot, x) in s[at..at + PER_BASELINE].iter_mut().zip(terms) {
                    *slot += x;
                }
            }
        }
    }
    // Only cases with a scored question are resampled.
    let scored_cases: Vec<Vec<f64>> = sums.into_iter().filter(|s| s[0] > 0.0).collect();
    let total = scored_cases.iter().fold(vec![0.0; width], |mut t, s| {
        t.iter_mut().zip(s).for_each(|(t, s)| *t += s);
        t
    });
    let resampled = bootstrap::resample(&scored_cases, opts.resamples.get(), opts.seed);
    let statistic = |f: &dyn Fn(&[f64]) -> f64| {
        let value = f(&total);
        let (ci95, used) = bootstrap::percentile_interval(resampled.iter().map(|t| f(t)));
        Statistic { value: (!value.is_nan()).then_some(value), ci95, resamples: used }
    };
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };

    let f: Vec<f64> = scored.iter().map(|&i| records[i].forecast.get()).collect();
    let o: Vec<f64> = scored.iter().map(|&i| records[i].outcome.indicator().expect("scored")).collect();
    let (decomposition, reliability) = murphy::decompose(&f, &o, opts.bins.get());

    let skill = baselines
        .iter()
        .enumerate()
        .filter(|(b, _)| total[HEAD + PER_BASELINE * b] > 0.0)
        .map(|(b, base)| {
            let at = HEAD + PER_BASELINE * b;
            let n = total[at];
            Skill {
                baseline: base.key.clone(),
                questions: n as usize,
                cases: scored_cases.iter().filter(|s| s[at] > 0.0).count(),
                brier: total[at + 1] / n,
                brier_baseline: total[at + 3] / n,
                brier_skill: statistic(&|t| 1.0 - ratio(t[at + 1], t[at + 3])),
                log: total[at + 2] / n,
                log_baseline: total[at + 4] / n,
                log_skill: statistic(&|t| 1.0 - ratio(t[at + 2], t[at + 4])),
            }
        })
        .collect();

    let questions = records
        .iter()
        .zip(&base_rates)
        .map(|(r, base_rate)| {
            let o = r.outcome.indicator();
            QuestionScore {
                case: r.case.clone(),
                question: r.question.clone(),
                kind: r.kind,
                forecast: r.forecast,
                outcome: r.outcome.key(),
                reason: match &r.outcome {
                    Outcome::Annulled { reason } => Some(reason.clone()),
                    _ => None,
                },
                brier: o.map(|o| brier(r.forecast.get(), o)),
                log: o.map(|o| log_score(r.forecast.get(), o)),
                base_rate: *base_rate,
                crowd: r.crowd.clone(),
            }
        })
        .collect();

    Ok(Scores {
        options: *opts,
        clip: [CLIP_LOW, CLIP_HIGH],
        cases: scored_cases.len(),
        scored: scored.len(),
        open,
        annulled,
        questions,
        brier: statistic(&|t| ratio(t[1], t[0])),
        log: statistic(&|t| ratio(t[2], t[0])),
        decomposition,
        reliability,
        skill,
    })
}

/// The baselines: 1/2 for every question; the leave-one-case-out base rate; and each crowd or
/// market source (by name) for the questions it forecast.
fn baselines(records: &[Record], base_rates: &[BaseRate]) -> Vec<Baseline> {
    let sources: BTreeSet<&str> = records.iter().flat_map(|r| r.crowd.iter().map(|c| c.source.as_str())).collect();
    let mut out = vec![
        Baseline { key: "half".into(), forecasts: vec![Some(0.5); records.len()] },
        Baseline { key: "base_rate".into(), forecasts: base_rates.iter().map(|b| Some(b.p)).collect() },
    ];
    out.extend(sources.into_iter().map(|s| Baseline {
        key: format!("crowd:{s}"),
        forecasts: records.iter().map(|r| r.crowd.iter().find(|c| c.source == s).map(|c| c.p.get())).collect(),
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::question::Date;

    fn p(x: f64) -> Probability {
        Probability::new(x).unwrap()
    }

    fn record(case: &str, kind: QuestionKind, forecast: f64, outcome: Outcome) -> Record {
        Record {
            case: case.into(),
            question: format!("{case}-{forecast}"),
            kind,
            forecast: p(forecast),
            outcome,
            crowd: vec![],
        }
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn brier_and_log_scores_by_hand() {
        close(brier(0.7, 1.0), 0.09);
        close(brier(0.7, 0.0), 0.49);
        close(log_score(0.7, 1.0), -(0.7f64).ln());
        close(log_score(0.7, 0.0), -(0.3f64).ln());
        close(log_score(0.5, 0.0), std::f64::consts::LN_2);
        // The clip: p = 0 of a Yes scores -ln 0.001 = 6.9078, not infinity; p = 1 of a No too.
        close(log_score(0.0, 1.0), 6.907_755_278_982_137);
        close(log_score(1.0, 0.0), 6.907_755_278_982_137);
        close(log_score(1.0, 1.0), -(0.999f64).ln());
    }

    /// Three cases, hand-worked:
    /// a: L 0.8 yes, T 0.4 no;  b: L 0.6 no, T 0.3 open;  c: L 0.9 yes, T 0.2 annulled, L 0.5 yes.
    /// Scored: 0.8/1, 0.4/0, 0.6/0, 0.9/1, 0.5/1.
    /// BS = (.04 + .16 + .36 + .01 + .25) / 5 = .82 / 5 = .164
    /// LS = -(ln .8 + ln .6 + ln .4 + ln .9 + ln .5) / 5
    /// Skill vs 1/2: 1 - .164 / .25 = .344.
    /// Base rates (leave one case out, min 2 of a kind, L only has enough):
    ///   a/L: b, c L = no, yes, yes -> 2/3; a/T: other T scored: none -> all of b, c: 2/3
    ///   b/L: a, c L = yes, yes, yes -> 1;  b/T: one scored T elsewhere -> all of a, c: 3/4
    ///   c/L: a, b L = yes, no -> 1/2 (both);  c/T: one scored T elsewhere -> all of a, b: 1/3.
    /// Base-rate Brier = ((1/3)^2 + (2/3)^2 + 1 + (1/2)^2 + (1/2)^2) / 5 = (5/9 + 3/2) / 5 = 37/90
    #[test]
    fn totals_and_skill_by_hand() {
        use QuestionKind::{LeadersMeet as L, TalksCollapse as T};
        let annulled = Outcome::Annulled { reason: "unclear".into() };
        let records = vec![
            record("a", L, 0.8, Outcome::Yes),
            record("a", T, 0.4, Outcome::No),
            record("b", L, 0.6, Outcome::No),
            record("b", T, 0.3, Outcome::Open),
            record("c", L, 0.9, Outcome::Yes),
            record("c", T, 0.2, annulled),
            record("c", L, 0.5, Outcome::Yes),
        ];
        let opts = Options { min_kind_questions: 2, ..Options::default() };
        let s = score(&records, &opts).unwrap();
        assert_eq!((s.cases, s.scored, s.open, s.annulled), (3, 5, 1, 1));
        close(s.brier.value.unwrap(), 0.164);
        let ls = -[0.8f64, 0.6, 0.4, 0.9, 0.5].iter().map(|x| x.ln()).sum::<f64>() / 5.0;
        close(s.log.value.unwrap(), ls);
        close(s.decomposition.brier, 0.164);
        let half = &s.skill[0];
        assert_eq!((half.baseline.as_str(), half.questions, half.cases), ("half", 5, 3));
        close(half.brier_skill.value.unwrap(), 0.344);
        close(half.log_skill.value.unwrap(), 1.0 - ls / std::f64::consts::LN_2);
        let rates: Vec<f64> = s.questions.iter().map(|q| q.base_rate.p).collect();
        for (got, want) in rates.iter().zip([2.0 / 3.0, 2.0 / 3.0, 1.0, 0.75, 0.5, 1.0 / 3.0, 0.5]) {
            close(*got, want);
        }
        let base = &s.skill[1];
        close(base.brier_baseline, 37.0 / 90.0);
        close(base.brier_skill.value.unwrap(), 1.0 - 0.164 / (37.0 / 90.0));
        // The base rate 1 for a No is clipped to .999: -ln .001.
        let base_ls = -((2.0f64 / 3.0).ln() + (1.0f64 / 3.0).ln() + 0.001f64.ln() + 0.5f64.ln() + 0.5f64.ln()) / 5.0;
        close(base.log_baseline, base_ls);
        assert_eq!(s.questions[3].brier, None);
        assert_eq!(s.questions[5].reason.as_deref(), Some("unclear"));
        for stat in [s.brier, s.log, half.brier_skill, base.brier_skill] {
            let [lo, hi] = stat.ci95.unwrap();
            assert!(lo <= stat.value.unwrap() && stat.value.unwrap() <= hi, "{stat:?}");
        }
    }

    /// Crowd skill uses only the questions with a reading from that source:
    /// a/L 0.8 yes (crowd .6) and b/L 0.6 no (crowd .5): model BS (.04 + .36) / 2 = .2,
    /// crowd (.16 + .25) / 2 = .205, skill 1 - .2 / .205.
    #[test]
    fn crowd_skill_on_the_questions_it_forecast() {
        use QuestionKind::LeadersMeet as L;
        let reading = |x: f64| CrowdForecast {
            source: "Metaculus".into(),
            read_on: Date::parse("2020-01-01").unwrap(),
            p: p(x),
            by: None,
        };
        let mut records = vec![
            record("a", L, 0.8, Outcome::Yes),
            record("b", L, 0.6, Outcome::No),
            record("c", L, 0.9, Outcome::Yes),
        ];
        records[0].crowd.push(reading(0.6));
        records[1].crowd.push(reading(0.5));
        let s = score(&records, &Options::default()).unwrap();
        let crowd = &s.skill[2];
        assert_eq!((crowd.baseline.as_str(), crowd.questions, crowd.cases), ("crowd:Metaculus", 2, 2));
        close(crowd.brier, 0.2);
        close(crowd.brier_baseline, 0.205);
        close(crowd.brier_skill.value.unwrap(), 1.0 - 0.2 / 0.205);
        // Resamples that draw only case c have no crowd question: the interval leaves them out.
        assert!(crowd.brier_skill.resamples < s.brier.resamples);
    }

    /// Two cases of one question each: a 0.8 yes (BS .04), b 0.6 no (BS .36). A resample is
    /// aa, ab, ba or bb, with mean Brier .04, .2, .2 or .36; each of aa and bb comes up in about
    /// a quarter of 2000 resamples, far more than the 50 each side the 95% interval leaves out,
    /// so the interval is exactly [.04, .36].
    #[test]
    fn a_two_case_bootstrap_spans_the_two_cases() {
        use QuestionKind::LeadersMeet as L;
        let records = vec![record("a", L, 0.8, Outcome::Yes), record("b", L, 0.6, Outcome::No)];
        let s = score(&records, &Options::default()).unwrap();
        close(s.brier.value.unwrap(), 0.2);
        let [lo, hi] = s.brier.ci95.unwrap();
        close(lo, 0.04);
        close(hi, 0.36);
        let [lo, hi] = s.log.ci95.unwrap();
        close(lo, -(0.8f64).ln());
        close(hi, -(0.4f64).ln());
    }

    #[test]
    fn nothing_resolved_is_an_error() {
        let records = vec![record("a", QuestionKind::LeadersMeet, 0.5, Outcome::Open)];
        assert_eq!(score(&records, &Options::default()).unwrap_err(), NothingToScore { open: 1, annulled: 0 });
    }
}
