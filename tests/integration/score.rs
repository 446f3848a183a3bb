//! Questions, resolutions and the scoring core: every case's questions read; the fixture cases
//! under tests/data/cases load, and each broken rule of a resolution file gives its one-line
//! message; the Murphy identity holds on random inputs; the bootstrap reproduces at any thread
//! count.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};
use serde_json::{Value, json};
use sim::scenario::question::{Question, load_questions};
use sim::scenario::resolution::{Outcome, Probability, parse_resolution};
use sim::score::{self, Case, Options, Record, murphy};

use crate::util::{root, set};

fn fixtures() -> PathBuf {
    root().join("tests/data/cases")
}

fn fixture_cases() -> Vec<Case> {
    ["alpha", "beta", "gamma"]
        .iter()
        .map(|c| Case::load(&fixtures().join(c)).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// The fixture forecasts, in the cases' question order.
fn fixture_records() -> Vec<Record> {
    let forecasts = [[0.6, 0.45, 0.3], [0.2, 0.55, 0.1], [0.85, 0.5, 0.25]];
    fixture_cases()
        .iter()
        .zip(forecasts)
        .flat_map(|(c, f)| c.records(&f.map(|p| Probability::new(p).unwrap())))
        .collect()
}

#[test]
fn every_case_in_the_repository_has_valid_questions() {
    let mut read = 0;
    for entry in std::fs::read_dir(root().join("cases")).expect("cases/ exists") {
        let dir = entry.expect("a folder entry").path();
        if dir.join("resolution.json").exists() {
            Case::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        } else if dir.join("questions.json").exists() {
            load_questions(&dir.join("questions.json")).unwrap_or_else(|e| panic!("{e}"));
        } else {
            continue;
        }
        read += 1;
    }
    assert!(read > 0, "no case found under cases/");
}

#[test]
fn the_fixture_cases_load_in_question_order() {
    let cases = fixture_cases();
    let beta = &cases[1];
    let outcomes: Vec<&str> = beta.resolutions.iter().map(|r| r.outcome.key()).collect();
    assert_eq!(outcomes, ["yes", "no", "open"]);
    let alpha = &cases[0];
    let crowd = &alpha.resolutions[0].forecasts;
    assert_eq!((crowd[0].by, crowd[1].by.map(|d| d.to_string())), (None, Some("2020-04-30".into())));
    assert_eq!(
        cases[2].resolutions[1].outcome,
        Outcome::Annulled { reason: "the reports disagree whether the truce held".into() }
    );
}

/// The alpha fixture's resolution with `edit` applied, parsed as if it were alpha's file.
fn resolve_edited(edit: impl FnOnce(&mut Value)) -> String {
    let file = fixtures().join("alpha/resolution.json");
    let questions: Vec<Question> = load_questions(&fixtures().join("alpha/questions.json")).unwrap();
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    edit(&mut doc);
    let err = parse_resolution(&file, &serde_json::to_vec(&doc).unwrap(), &questions).unwrap_err().to_string();
    let shown = file.display().to_string();
    assert!(err.starts_with(&format!("{shown}: at ")), "{err}");
    assert!(!err.contains('\n'), "{err}");
    err[shown.len() + 2..].to_string()
}

#[test]
fn each_broken_rule_of_a_resolution_names_its_path() {
    let seeds = fixtures().join("alpha/../seeds").display().to_string();
    let no_fact = format!("unknown evidence id `fix.nowhere`: no fact with that id in {seeds}");
    let q = "questions";
    let f = "questions[0].forecasts";
    let edits = [
        ("questions[0].id", json!("alpha-x"), "at questions[0].id: no question `alpha-x` in the case's questions.json"),
        (
            "questions[1].id",
            json!("alpha-ceasefire-by-0331"),
            "at questions[1].id: question `alpha-ceasefire-by-0331` is resolved twice",
        ),
        ("questions[1].facts[0]", json!("fix.nowhere"), &format!("at questions[1].facts[0]: {no_fact}")),
        ("questions[1].facts", json!([]), "at questions[1].facts: a Yes or No cites at least one fact that shows it"),
        ("questions[1].reason", json!("why"), "at questions[1].reason: only an annulled question gives a `reason`"),
        (
            "questions[1].outcome",
            json!("annulled"),
            "at questions[1].reason: an annulled question says why in `reason`",
        ),
        (
            "written",
            json!("2020-06-30"),
            &format!(
                "at {q}[2].outcome: `no` before the question's date has passed (by 2020-12-31, written 2020-06-30): write `open`"
            ),
        ),
        (
            "questions[2].outcome",
            json!("open"),
            &format!(
                "at {q}[2].outcome: `open` after the question's date has passed (by 2020-12-31, written 2021-01-15)"
            ),
        ),
        ("written", json!("2021-02-29"), "at written: dates are written YYYY-MM-DD and must exist (got `2021-02-29`)"),
        (
            "questions[0].forecasts[0].p",
            json!(1.5),
            &format!("at {f}[0].p: a probability is between 0 and 1 (got 1.5)"),
        ),
        (
            "questions[0].forecasts[0].read_on",
            json!("2020-04-01"),
            &format!("at {f}[0].read_on: read on 2020-04-01, after the question's date 2020-03-31"),
        ),
        (
            "questions[0].forecasts[1].by",
            json!("2020-05-02"),
            &format!("at {f}[1].by: 2020-05-02 is 32 days from the question's date 2020-03-31; at most 31 are allowed"),
        ),
        (
            "questions[0].forecasts[1].source",
            json!("Invented Market"),
            &format!("at {f}[1].source: a second forecast from `Invented Market`"),
        ),
        ("questions[0].forecasts[1].source", json!(" "), &format!("at {f}[1].source: name the source of the forecast")),
        ("evidence", json!("../no-such-folder"), "at evidence: cannot read the evidence folder"),
    ];
    for (path, value, message) in edits {
        let err = resolve_edited(|d| set(d, path, value));
        assert!(err.starts_with(message), "{path}: got `{err}`, want `{message}`");
    }
    let missing = resolve_edited(|d| {
        d["questions"].as_array_mut().unwrap().pop();
    });
    let want =
        "at questions: question `alpha-leaders-by-1231` has no resolution (write `open` if its date has not passed)";
    assert_eq!(missing, want);
    let unknown = resolve_edited(|d| set(d, "questions[0].note", json!("x")));
    assert!(unknown.starts_with("at questions[0].note (line 1, column "), "{unknown}");
    assert!(unknown.contains("unknown field `note`"), "{unknown}");
    let p_31 = resolve_edited(|d| {
        set(d, "questions[0].forecasts[1].by", json!("2020-05-01"));
        set(d, "questions[0].forecasts[0].p", json!(-0.1));
    });
    assert!(p_31.starts_with("at questions[0].forecasts[0].p:"), "31 days is allowed; then the next rule: {p_31}");
}

/// The error path through the binary's error type: a `ScenarioError`, which `sim` maps to exit 2.
#[test]
fn a_missing_resolution_is_an_input_error() {
    let dir = fixtures().join("seeds");
    match Case::load(&dir) {
        Err(sim::scenario::ScenarioError::Io { file, .. }) => assert_eq!(file, dir.join("questions.json")),
        other => panic!("{other:?}"),
    }
}

/// The bootstrap gives the same bytes on 1, 2 and 3 threads, and each interval holds its point
/// estimate; the totals are those of the fixture forecasts.
#[test]
fn the_bootstrap_reproduces_at_any_thread_count() {
    let records = fixture_records();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| score::score(&records, &Options { seed: 11, ..Options::default() }).unwrap())
    };
    let one = run(1);
    let json = serde_json::to_string(&one).unwrap();
    for threads in [2, 3] {
        assert_eq!(serde_json::to_string(&run(threads)).unwrap(), json, "{threads} threads");
    }
    // Scored: alpha .6 yes, .45 yes, .3 no; beta .2 yes, .55 no; gamma .85 yes, .25 no.
    let bs = (0.16 + 0.3025 + 0.09 + 0.64 + 0.3025 + 0.0225 + 0.0625) / 7.0;
    assert!((one.brier.value.unwrap() - bs).abs() < 1e-12);
    assert_eq!((one.cases, one.scored, one.open, one.annulled), (3, 7, 1, 1));
    let mut stats = vec![one.brier, one.log];
    stats.extend(one.skill.iter().flat_map(|s| [s.brier_skill, s.log_skill]));
    for s in stats {
        let [lo, hi] = s.ci95.unwrap();
        let v = s.value.unwrap();
        assert!(lo <= v && v <= hi, "{s:?}");
    }
    assert_eq!(one.brier.resamples, 2000);
    let baselines: Vec<&str> = one.skill.iter().map(|s| s.baseline.as_str()).collect();
    assert_eq!(baselines, ["half", "base_rate", "crowd:Invented Crowd", "crowd:Invented Market"]);
    assert_ne!(json, serde_json::to_string(&score::score(&records, &Options::default()).unwrap()).unwrap());
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(14),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// BS = REL - RES + UNC + WBV - WBC (Stephenson et al. 2008) to 1e-12, whatever the
    /// forecasts, outcomes and bins.
    #[test]
    fn the_murphy_identity_holds(pairs in prop::collection::vec((0.0f64..=1.0, any::<bool>()), 1..300), bins in 1usize..25) {
        let f: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let o: Vec<f64> = pairs.iter().map(|p| f64::from(u8::from(p.1))).collect();
        let (d, table) = murphy::decompose(&f, &o, bins);
        let direct = f.iter().zip(&o).map(|(f, o)| score::brier(*f, *o)).sum::<f64>() / f.len() as f64;
        let sum = d.reliability - d.resolution + d.uncertainty + d.within_bin_variance - d.within_bin_covariance;
        prop_assert!((direct - sum).abs() < 1e-12, "BS {direct} vs terms {sum}");
        prop_assert!((d.brier - direct).abs() < 1e-12);
        prop_assert_eq!(table.iter().map(|b| b.count).sum::<u64>(), f.len() as u64);
    }
}

/// The fixture cases' scenarios answer their questions: the answers with a closed form match it
/// within 4 Monte Carlo standard errors, the records are the same on 1 and 2 threads, and they
/// score. Alpha: north comes to the ministers' round (2020-03-01, which signs a general truce
/// when both come) with chance 0.6. Beta: the officials' round (2020-05-01) collapses with
/// chance 0.2; otherwise north comes to the ministers' round with chance 0.7, which signs a
/// truce (P = 0.8 x 0.7 = 0.56). Gamma: north comes to the leaders' round with chance 0.4.
#[test]
fn the_fixture_cases_are_forecast_by_their_scenarios() {
    let dirs: Vec<PathBuf> = ["alpha", "beta", "gamma"].iter().map(|c| fixtures().join(c)).collect();
    let n = 20_000;
    let cfg = sim::RunConfig { trials: n, seed: 3 };
    let at = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| sim::forecast::forecast_cases(&dirs, cfg).unwrap_or_else(|e| panic!("{e}")))
    };
    let f = at(1);
    assert!(f.skipped.is_empty(), "{:?}", f.skipped);
    assert_eq!(f.records, at(2).records);
    assert_eq!(f.records.len(), 9);
    let forecast = |id: &str| f.records.iter().find(|r| r.question == id).expect("a record").forecast.get();
    for (id, p) in [
        ("alpha-ceasefire-by-0331", 0.6),
        ("beta-collapse-by-0630", 0.2),
        ("beta-ceasefire-by-0630", 0.56),
        ("beta-settlement-by-2030", 0.0),
        ("gamma-leaders-by-0831", 0.4),
    ] {
        let se = (p * (1.0 - p) / n as f64).sqrt();
        assert!((forecast(id) - p).abs() <= 4.0 * se, "{id}: {}, expected {p}", forecast(id));
    }
    let (scores, skipped) = sim::forecast::score_cases(&dirs, cfg, &Options::default()).unwrap();
    assert!(skipped.is_empty());
    assert_eq!((scores.cases, scores.scored, scores.open, scores.annulled), (3, 7, 1, 1));
}

/// A case without a resolution is skipped and said to be; a broken scenario is an input error.
#[test]
fn reference_class_scoring_skips_unresolved_cases_and_refuses_broken_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("delta");
    std::fs::create_dir(&case).unwrap();
    std::fs::create_dir(dir.path().join("seeds")).unwrap();
    std::fs::copy(fixtures().join("seeds/fixture.json"), dir.path().join("seeds/fixture.json")).unwrap();
    std::fs::copy(fixtures().join("alpha/questions.json"), case.join("questions.json")).unwrap();
    let cfg = sim::RunConfig { trials: 100, seed: 1 };
    let f = sim::forecast::forecast_cases(std::slice::from_ref(&case), cfg).unwrap();
    assert!(f.records.is_empty());
    assert_eq!(f.skipped, [format!("{}: no resolution.json, case skipped", case.display())]);

    std::fs::copy(fixtures().join("alpha/resolution.json"), case.join("resolution.json")).unwrap();
    std::fs::write(case.join("scenario-2020-02-01.json"), b"{\"meta\": 1}").unwrap();
    let err = sim::forecast::forecast_cases(std::slice::from_ref(&case), cfg).unwrap_err().to_string();
    assert!(err.contains("scenario-2020-02-01.json"), "{err}");
}

/// `sim score` on the fixture cases: the same bytes on 1 and 2 threads in every format, the
/// JSON read back; a broken case is exit 2 with one line naming the file.
#[test]
fn sim_score_is_the_same_at_any_thread_count_and_refuses_a_broken_case() {
    let dirs: Vec<String> =
        ["alpha", "beta", "gamma"].iter().map(|c| fixtures().join(c).to_str().expect("UTF-8").to_string()).collect();
    let score_with = |extra: &[&str]| {
        let mut args = vec!["score"];
        args.extend(dirs.iter().map(String::as_str));
        args.extend(["--trials", "3000", "--seed", "5"]);
        args.extend(extra);
        crate::util::sim_output(args)
    };
    for format in ["table", "json", "csv", "markdown"] {
        let one = crate::util::success(&score_with(&["-f", format, "-j", "1"])).to_vec();
        let two = crate::util::success(&score_with(&["-f", format, "-j", "2"])).to_vec();
        assert!(!one.is_empty() && one == two, "{format}");
    }
    let json: Value = serde_json::from_slice(crate::util::success(&score_with(&["-f", "json"]))).unwrap();
    assert_eq!((json["cases"].as_u64(), json["scored"].as_u64()), (Some(3), Some(7)));
    assert_eq!((json["run"]["trials"].as_u64(), json["run"]["seed"].as_u64()), (Some(3000), Some(5)));

    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("alpha");
    std::fs::create_dir_all(dir.path().join("seeds")).unwrap();
    std::fs::copy(fixtures().join("seeds/fixture.json"), dir.path().join("seeds/fixture.json")).unwrap();
    std::fs::create_dir(&case).unwrap();
    for f in ["questions.json", "resolution.json", "scenario-2020-02-01.json"] {
        std::fs::copy(fixtures().join("alpha").join(f), case.join(f)).unwrap();
    }
    let mut v: Value = serde_json::from_slice(&std::fs::read(case.join("scenario-2020-02-01.json")).unwrap()).unwrap();
    crate::util::remove(&mut v, "rounds[0].date");
    std::fs::write(case.join("scenario-2020-02-01.json"), serde_json::to_vec(&v).unwrap()).unwrap();
    let out = crate::util::sim_output(["score", case.to_str().unwrap(), "--trials", "100"]);
    assert_eq!(out.status.code(), Some(2));
    let err = crate::util::stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("scenario-2020-02-01.json") && err.contains("rounds[0].date"), "{err}");
}

/// A folder of cases stands for the cases inside it, in name order (`sim score cases/`); a case
/// reached twice, or a folder with no case in it, is exit 2 with one line.
#[test]
fn a_folder_of_cases_scores_the_cases_inside_it() {
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    std::fs::create_dir_all(class.join("seeds")).unwrap();
    std::fs::copy(fixtures().join("seeds/fixture.json"), class.join("seeds/fixture.json")).unwrap();
    for case in ["alpha", "beta"] {
        std::fs::create_dir(class.join(case)).unwrap();
        for entry in std::fs::read_dir(fixtures().join(case)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, class.join(case).join(path.file_name().unwrap())).unwrap();
        }
    }
    let run = |dirs: &[&Path]| {
        let mut args: Vec<&str> = vec!["score", "--trials", "500", "-f", "json"];
        args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
        crate::util::sim_output(args)
    };
    let whole = run(&[&class]);
    let each = run(&[&class.join("alpha"), &class.join("beta")]);
    assert_eq!(crate::util::success(&whole), crate::util::success(&each));
    let json: Value = serde_json::from_slice(&whole.stdout).unwrap();
    assert_eq!(json["cases"].as_u64(), Some(2));

    for (dirs, words) in
        [(vec![class.clone(), class.join("beta")], "given twice"), (vec![class.join("seeds")], "not a case folder")]
    {
        let refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
        let out = run(&refs);
        assert_eq!(out.status.code(), Some(2));
        let err = crate::util::stderr_of(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(words), "{err}");
    }
}
