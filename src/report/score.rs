//! The summary of `sim score`: every question's forecast, outcome and scores; the totals with
//! their decomposition and bootstrap intervals; skill against the baselines; the reliability
//! diagram's bins (docs/SCORING.md).

use serde::Serialize;

use super::{Grid, Summary, ToolInfo, pct};
use crate::score::{Basis, Scores, Statistic};

#[derive(Debug, Clone, Serialize)]
pub struct ScoreReport {
    pub sim: ToolInfo,
    /// The runs that made the forecasts: trials per scenario and the seed.
    pub run: ScoreRun,
    #[serde(flatten)]
    pub scores: Scores,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreRun {
    pub trials: u64,
    pub seed: u64,
}

impl ScoreReport {
    /// The report of `scores`, whose forecasts were run with `cfg`.
    pub fn new(scores: Scores, cfg: crate::engine::RunConfig) -> ScoreReport {
        ScoreReport {
            sim: ToolInfo::new(crate::model::KIND),
            run: ScoreRun { trials: cfg.trials, seed: cfg.seed },
            scores,
        }
    }
}

/// How a baseline is named in the text formats.
pub fn baseline_label(key: &str) -> String {
    match key {
        "half" => "50%".into(),
        "base_rate" => "base rate (leave one case out)".into(),
        other => other.strip_prefix("crowd:").map_or_else(|| other.to_string(), |s| format!("crowd: {s}")),
    }
}

/// A score with three decimals; "-" where undefined.
fn score(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |x| format!("{x:.3}"))
}

/// A skill score, signed, with three decimals.
fn skill(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |x| format!("{x:+.3}"))
}

/// `[lo, hi]` of a statistic's interval, with `fmt`.
fn interval(s: &Statistic, fmt: fn(Option<f64>) -> String) -> String {
    s.ci95.map_or_else(|| "-".into(), |[lo, hi]| format!("[{}, {}]", fmt(Some(lo)), fmt(Some(hi))))
}

impl Summary for ScoreReport {
    fn heading(&self) -> Vec<String> {
        let s = &self.scores;
        vec![
            format!(
                "Forecast scores: {} questions scored from {} cases ({} open and {} annulled, not scored)",
                s.scored, s.cases, s.open, s.annulled
            ),
            format!("Forecasts: each case's scenarios run with {} trials, seed {}.", self.run.trials, self.run.seed),
            format!(
                "Every scored question weighs the same. Log score with p clipped to [{}, {}]. Intervals: 95% \
                 percentile, resampling whole cases, {} resamples, seed {}. Base rate: leave one case out, by kind \
                 where the other cases have at least {} scored questions of it, else over all kinds \
                 (docs/SCORING.md).",
                s.clip[0], s.clip[1], s.options.resamples, s.options.seed, s.options.min_kind_questions
            ),
        ]
    }

    fn grids(&self) -> Vec<Grid> {
        let s = &self.scores;
        let questions = Grid {
            title: "Questions (forecast and base rate in %)".into(),
            text_columns: 4,
            headers: ["case", "question", "kind", "outcome", "forecast", "Brier", "log", "base rate", "crowd"]
                .map(String::from)
                .to_vec(),
            rows: s
                .questions
                .iter()
                .map(|q| {
                    let basis = match q.base_rate.basis {
                        Basis::Kind => "kind",
                        Basis::AllKinds => "all kinds",
                        Basis::None => "none",
                    };
                    let crowd: Vec<String> = q
                        .crowd
                        .iter()
                        .map(|c| {
                            let by = c.by.map_or_else(String::new, |b| format!(", asked by {b}"));
                            format!("{} {} (read {}{by})", c.source, pct(c.p.get()), c.read_on)
                        })
                        .collect();
                    vec![
                        q.case.clone(),
                        q.question.clone(),
                        q.kind.key().into(),
                        q.outcome.into(),
                        pct(q.forecast.get()),
                        score(q.brier),
                        score(q.log),
                        format!("{} ({basis}, {}/{})", pct(q.base_rate.p), q.base_rate.yes, q.base_rate.of),
                        crowd.join("; "),
                    ]
                })
                .collect(),
        };
        let d = &s.decomposition;
        let plain = |name: &str, x: f64| vec![name.to_string(), format!("{x:.4}"), String::new(), String::new()];
        let with_ci = |name: &str, st: &Statistic| {
            vec![name.to_string(), score(st.value), interval(st, score), st.resamples.to_string()]
        };
        let totals = Grid {
            title: format!(
                "Totals over {} questions (95% case-bootstrap interval); Murphy decomposition over {} equal-width bins",
                s.scored, s.options.bins
            ),
            text_columns: 1,
            headers: ["statistic", "value", "95% interval", "resamples"].map(String::from).to_vec(),
            rows: vec![
                with_ci("Brier score", &s.brier),
                with_ci("log score", &s.log),
                plain("reliability REL", d.reliability),
                plain("resolution RES", d.resolution),
                plain("uncertainty UNC", d.uncertainty),
                plain("within-bin variance WBV", d.within_bin_variance),
                plain("within-bin covariance WBC", d.within_bin_covariance),
                plain(
                    "REL - RES + UNC + WBV - WBC",
                    d.reliability - d.resolution + d.uncertainty + d.within_bin_variance - d.within_bin_covariance,
                ),
                plain("observed frequency of yes", d.observed_frequency),
            ],
        };
        let skill_grid = Grid {
            title: "Skill against baselines: 1 - score / baseline's score on the questions the baseline forecasts \
                    (> 0: better than the baseline; 95% case-bootstrap interval)"
                .into(),
            text_columns: 1,
            headers: [
                "baseline",
                "questions",
                "cases",
                "Brier",
                "baseline Brier",
                "Brier skill",
                "95% interval",
                "log",
                "baseline log",
                "log skill",
                "95% interval",
            ]
            .map(String::from)
            .to_vec(),
            rows: s
                .skill
                .iter()
                .map(|k| {
                    vec![
                        baseline_label(&k.baseline),
                        k.questions.to_string(),
                        k.cases.to_string(),
                        score(Some(k.brier)),
                        score(Some(k.brier_baseline)),
                        skill(k.brier_skill.value),
                        interval(&k.brier_skill, skill),
                        score(Some(k.log)),
                        score(Some(k.log_baseline)),
                        skill(k.log_skill.value),
                        interval(&k.log_skill, skill),
                    ]
                })
                .collect(),
        };
        let reliability = Grid {
            title: "Reliability diagram (observed frequency with its 95% Wilson interval, in %)".into(),
            text_columns: 1,
            headers: ["forecast bin", "questions", "yes", "mean forecast", "observed", "95% interval"]
                .map(String::from)
                .to_vec(),
            rows: s
                .reliability
                .iter()
                .map(|b| {
                    let opt = |x: Option<f64>| x.map_or_else(|| "-".into(), pct);
                    vec![
                        format!("{:.0}-{:.0}%", 100.0 * b.lower, 100.0 * b.upper),
                        b.count.to_string(),
                        b.yes.to_string(),
                        opt(b.mean_forecast),
                        opt(b.observed_frequency),
                        format!("[{}, {}]", pct(b.ci95[0]), pct(b.ci95[1])),
                    ]
                })
                .collect(),
        };
        vec![questions, totals, skill_grid, reliability]
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let s = &self.scores;
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut push = |section: &str, case: &str, question: &str, item: &str, stat: &str, value: String| {
            rows.push([section, case, question, item, stat].iter().map(|x| x.to_string()).chain([value]).collect());
        };
        let opt = |x: Option<f64>| x.map_or_else(String::new, |x| x.to_string());
        for (name, value) in [
            ("bins", s.options.bins.to_string()),
            ("resamples", s.options.resamples.to_string()),
            ("seed", s.options.seed.to_string()),
            ("min_kind_questions", s.options.min_kind_questions.to_string()),
            ("clip_low", s.clip[0].to_string()),
            ("clip_high", s.clip[1].to_string()),
        ] {
            push("setting", "", "", "", name, value);
        }
        for q in &s.questions {
            let (c, id) = (q.case.as_str(), q.question.as_str());
            push("question", c, id, q.kind.key(), "outcome", q.outcome.into());
            push("question", c, id, q.kind.key(), "forecast", q.forecast.get().to_string());
            push("question", c, id, q.kind.key(), "brier", opt(q.brier));
            push("question", c, id, q.kind.key(), "log", opt(q.log));
            push("question", c, id, q.kind.key(), "base_rate", q.base_rate.p.to_string());
            for cf in &q.crowd {
                push("question", c, id, &format!("crowd:{}", cf.source), "forecast", cf.p.get().to_string());
            }
        }
        let mut statistic = |section: &str, item: &str, name: &str, st: &Statistic| {
            push(section, "", "", item, name, opt(st.value));
            push(section, "", "", item, &format!("{name}_ci95_low"), opt(st.ci95.map(|c| c[0])));
            push(section, "", "", item, &format!("{name}_ci95_high"), opt(st.ci95.map(|c| c[1])));
            push(section, "", "", item, &format!("{name}_resamples"), st.resamples.to_string());
        };
        statistic("total", "", "brier", &s.brier);
        statistic("total", "", "log", &s.log);
        for k in &s.skill {
            statistic("skill", &k.baseline, "brier_skill", &k.brier_skill);
            statistic("skill", &k.baseline, "log_skill", &k.log_skill);
        }
        let d = &s.decomposition;
        let mut push = |section: &str, item: &str, stat: &str, value: String| {
            rows.push(vec![section.into(), String::new(), String::new(), item.into(), stat.into(), value]);
        };
        for k in &s.skill {
            for (name, v) in [
                ("questions", k.questions as f64),
                ("cases", k.cases as f64),
                ("brier", k.brier),
                ("brier_baseline", k.brier_baseline),
                ("log", k.log),
                ("log_baseline", k.log_baseline),
            ] {
                push("skill", &k.baseline, name, v.to_string());
            }
        }
        for (name, v) in [
            ("brier", d.brier),
            ("reliability", d.reliability),
            ("resolution", d.resolution),
            ("uncertainty", d.uncertainty),
            ("within_bin_variance", d.within_bin_variance),
            ("within_bin_covariance", d.within_bin_covariance),
            ("observed_frequency", d.observed_frequency),
        ] {
            push("decomposition", "", name, v.to_string());
        }
        for (k, b) in s.reliability.iter().enumerate() {
            let bin = k.to_string();
            for (name, v) in [
                ("lower", b.lower.to_string()),
                ("upper", b.upper.to_string()),
                ("count", b.count.to_string()),
                ("yes", b.yes.to_string()),
                ("mean_forecast", opt(b.mean_forecast)),
                ("observed_frequency", opt(b.observed_frequency)),
                ("ci95_low", b.ci95[0].to_string()),
                ("ci95_high", b.ci95[1].to_string()),
            ] {
                push("reliability", &bin, name, v);
            }
        }
        (["section", "case", "question", "item", "statistic", "value"].map(String::from).to_vec(), rows)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report serializes")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::Format;
    use crate::scenario::question::{Date, QuestionKind};
    use crate::scenario::resolution::{CrowdForecast, Outcome, Probability};
    use crate::score::{Options, Record, score};

    /// Three small cases: a/L .8 yes, a/T .4 no (crowd .5); b/L .6 no, b/T .3 open; c/L .9 yes,
    /// c/T .2 annulled.
    pub(crate) fn report() -> ScoreReport {
        use QuestionKind::{LeadersMeet as L, TalksCollapse as T};
        let p = |x| Probability::new(x).unwrap();
        let r = |case: &str, id: &str, kind, f, outcome| Record {
            case: case.into(),
            question: id.into(),
            kind,
            forecast: p(f),
            outcome,
            crowd: vec![],
        };
        let mut records = vec![
            r("a", "a-l", L, 0.8, Outcome::Yes),
            r("a", "a-t", T, 0.4, Outcome::No),
            r("b", "b-l", L, 0.6, Outcome::No),
            r("b", "b-t", T, 0.3, Outcome::Open),
            r("c", "c-l", L, 0.9, Outcome::Yes),
            r("c", "c-t", T, 0.2, Outcome::Annulled { reason: "unclear".into() }),
        ];
        records[1].crowd.push(CrowdForecast {
            source: "Crowd, Inc.".into(),
            read_on: Date::parse("2020-01-02").unwrap(),
            p: p(0.5),
            by: Date::parse("2020-02-01"),
        });
        let cfg = crate::engine::RunConfig { trials: 1000, seed: 3 };
        ScoreReport::new(score(&records, &Options { seed: 3, ..Options::default() }).unwrap(), cfg)
    }

    fn written(format: Format, r: &ScoreReport) -> String {
        let mut out = Vec::new();
        format.exporter().write(r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_format_carries_the_scores() {
        let r = report();
        let table = written(Format::Table, &r);
        assert!(table.starts_with("Forecast scores: 4 questions scored from 3 cases (1 open and 1 annulled"));
        // Brier (.04 + .16 + .36 + .01) / 4 = .1425.
        assert!(table.contains("Crowd, Inc. 50.0 (read 2020-01-02, asked by 2020-02-01)"), "{table}");
        assert!(table.contains("base rate (leave one case out)"));
        let md = written(Format::Markdown, &r);
        assert!(md.starts_with("## Forecast scores"));
        let json: serde_json::Value = serde_json::from_str(&written(Format::Json, &r)).unwrap();
        let brier = json["brier"]["value"].as_f64().unwrap();
        assert!((brier - 0.1425).abs() < 1e-12);
        let cell = format!(" {brier:.3} ");
        assert!(table.lines().any(|l| l.starts_with("Brier score ") && l.contains(&cell)), "{table}");
        assert_eq!(json["clip"], serde_json::json!([0.001, 0.999]));
        assert_eq!(json["questions"][3]["outcome"], "open");
        assert_eq!(json["questions"][3]["brier"], serde_json::Value::Null);
        assert_eq!(json["skill"][2]["baseline"], "crowd:Crowd, Inc.");
        assert_eq!(json["reliability"].as_array().unwrap().len(), 10);
        let csv = written(Format::Csv, &r);
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("section,case,question,item,statistic,value"));
        assert!(csv.contains("\nquestion,a,a-t,\"crowd:Crowd, Inc.\",forecast,0.5\n"), "{csv}");
        assert!(csv.contains("\ntotal,,,,brier,0.1425"), "{csv}");
        assert!(lines.all(|l| !l.is_empty()));
    }
}
