//! Variant files, `sim compare`, `sim sweep` and `sim sensitivity`.

use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};
use sim::scenario::walk::pointer;

use crate::util::{SUMMIT, root, sim_output, stderr_of, success};

const VARIANTS: &str = "scenarios/variants";

#[derive(Debug, Deserialize)]
struct Difference {
    diff: f64,
    se: f64,
    ci95: [f64; 2],
    significant: bool,
}

#[derive(Debug, Deserialize)]
struct Estimate {
    count: u64,
    p: f64,
}

#[derive(Debug, Deserialize)]
struct VariantFigure {
    value: Estimate,
    difference: Difference,
}

#[derive(Debug, Deserialize)]
struct FigureRow {
    figure: String,
    base: Estimate,
    variants: Vec<Option<VariantFigure>>,
}

#[derive(Debug, Deserialize)]
struct CompareRound {
    id: String,
    figures: Vec<FigureRow>,
}

#[derive(Debug, Deserialize)]
struct CompareRun {
    trials: u64,
    common_random_numbers: bool,
}

#[derive(Debug, Deserialize)]
struct Compare {
    run: CompareRun,
    rounds: Vec<CompareRound>,
    end: Vec<FigureRow>,
}

fn compare(files: &[&str], extra: &[&str]) -> Compare {
    let args: Vec<&str> = ["compare"].into_iter().chain(files.iter().copied()).chain(extra.iter().copied()).collect();
    let out = sim_output(&args);
    serde_json::from_slice(success(&out)).expect("compare --format json parses")
}

fn variant(name: &str) -> String {
    format!("{VARIANTS}/{name}.json")
}

/// Comparing a scenario with itself gives exactly zero differences with zero-width intervals.
#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let c = compare(&[SUMMIT, SUMMIT], &["--trials", "5000", "--format", "json"]);
    assert!(c.run.common_random_numbers);
    assert_eq!(c.run.trials, 5000);
    let rows = c.rounds.iter().flat_map(|r| &r.figures).chain(&c.end);
    let mut checked = 0;
    for row in rows {
        let v = row.variants[0].as_ref().expect("same rounds");
        assert_eq!(v.value.count, row.base.count, "{}", row.figure);
        let d = &v.difference;
        assert_eq!((d.diff, d.se, d.ci95, d.significant), (0.0, 0.0, [0.0, 0.0], false), "{}", row.figure);
        checked += 1;
    }
    assert_eq!(checked, 5 * (c.rounds.len() + 1), "five figures in every round and at the end");
    assert_eq!(c.rounds.len(), 6, "the summit scenario's rounds");
}

/// Dropping the summit round (and, in `summit_not_held`, the later leaders' meeting) changes
/// nothing in the rounds before the one that precedes it: every figure there has exactly zero
/// difference, because random sites are named by ids, not positions. (In calendar time the round
/// just before a change looks ahead to the next chance to settle, which the change moves.)
#[test]
fn a_change_to_a_later_round_leaves_earlier_rounds_exactly_unchanged() {
    for name in ["summit_not_held", "summit_held"] {
        let c = compare(&[SUMMIT, &variant(name)], &["--trials", "8000", "--format", "json"]);
        let before = c.rounds.iter().take_while(|r| r.id != "ministers_2");
        assert_eq!(before.clone().count(), 2, "two rounds before the one that precedes the summit");
        for r in before {
            for row in &r.figures {
                let d = &row.variants[0].as_ref().expect("earlier rounds exist in the variant").difference;
                assert_eq!((d.diff, d.se), (0.0, 0.0), "{name}: round {} figure {}", r.id, row.figure);
            }
        }
        let summit = c.rounds.iter().find(|r| r.id == "summit").expect("the base has a summit");
        let shown = summit.figures[0].variants[0].is_some();
        assert_eq!(shown, name == "summit_held", "{name}: a dropped round is null in the comparison");
    }
}

/// The documented example (docs/MODEL.md §12, README): the US aid cut against the base. Under
/// common random numbers the 95% interval of the change in P(ceasefire or settlement by the end)
/// is at least three times narrower than with independent streams.
#[test]
fn common_random_numbers_narrow_the_paired_interval_at_least_threefold() {
    let files = [SUMMIT, &variant("us_aid_cut")];
    let half = |c: &Compare| {
        let row = c.end.iter().find(|r| r.figure == "ceasefire_reached").expect("figure");
        let d = &row.variants[0].as_ref().expect("variant").difference;
        d.ci95[1] - d.diff
    };
    let common = compare(&files, &["--trials", "40000", "--format", "json"]);
    let independent = compare(&files, &["--trials", "40000", "--format", "json", "--independent"]);
    assert!(!independent.run.common_random_numbers);
    let (h_common, h_independent) = (half(&common), half(&independent));
    assert!(h_common > 0.0, "the aid cut changes some trials");
    assert!(
        3.0 * h_common <= h_independent,
        "common {h_common:.5} vs independent {h_independent:.5}: ratio {:.2}",
        h_independent / h_common
    );
}

/// compare, sweep and sensitivity print the same bytes at one and two threads.
#[test]
fn studies_are_identical_at_any_thread_count() {
    let runs: [Vec<String>; 3] = [
        ["compare", SUMMIT, &variant("gulf_rival"), &variant("summit_not_held"), "--trials", "9000"]
            .map(String::from)
            .to_vec(),
        ["sweep", SUMMIT, "--set", "/parties/0/cost_of_war=0.02,0.05", "--set", "/model/collapse_hazard=0,0.1"]
            .map(String::from)
            .to_vec(),
        ["sensitivity", "scenarios/istanbul_2025_replay.json", "--trials", "400"].map(String::from).to_vec(),
    ];
    for args in runs {
        let outputs: Vec<Vec<u8>> = ["1", "2"]
            .iter()
            .map(|t| {
                let mut a = args.clone();
                a.extend(["--threads", t, "--format", "json", "--trials", "6000"].map(String::from));
                // A later --trials overrides an earlier one; keep the study's own count if given.
                if args.iter().any(|x| x == "--trials") {
                    a.truncate(a.len() - 2);
                }
                success(&sim_output(&a)).to_vec()
            })
            .collect();
        assert!(outputs[0] == outputs[1], "{} differs between 1 and 2 threads", args[0]);
    }
}

#[derive(Debug, Deserialize)]
struct FigureEstimate {
    figure: String,
    estimate: Estimate,
}

#[derive(Debug, Deserialize)]
struct SweepPoint {
    values: Vec<Value>,
    end: Vec<FigureEstimate>,
}

#[derive(Debug, Deserialize)]
struct Axis {
    pointer: String,
    values: Vec<Value>,
}

#[derive(Debug, Deserialize)]
struct Sweep {
    parameters: Vec<Axis>,
    points: Vec<SweepPoint>,
}

/// A two-parameter sweep lists the full grid, first parameter slowest, and more US pressure
/// on Russia never lowers the chance of an agreement (common random numbers make this exact).
#[test]
fn sweep_covers_the_grid_and_parses_back() {
    let out = sim_output([
        "sweep",
        SUMMIT,
        "--set",
        "/mediators/1/leverage/russia/pressure=0,0.05,0.1",
        "--set",
        "/rounds/3/delegations/russia/level=ministers,leaders",
        "--trials",
        "6000",
        "--format",
        "json",
    ]);
    let s: Sweep = serde_json::from_slice(success(&out)).expect("sweep JSON parses");
    assert_eq!(s.parameters.len(), 2);
    assert_eq!(s.parameters[0].pointer, "/mediators/1/leverage/russia/pressure");
    assert_eq!(s.parameters[1].values, vec![json!("ministers"), json!("leaders")]);
    let grid: Vec<Vec<Value>> = s.points.iter().map(|p| p.values.clone()).collect();
    assert_eq!(
        grid,
        vec![
            vec![json!(0), json!("ministers")],
            vec![json!(0), json!("leaders")],
            vec![json!(0.05), json!("ministers")],
            vec![json!(0.05), json!("leaders")],
            vec![json!(0.1), json!("ministers")],
            vec![json!(0.1), json!("leaders")],
        ]
    );
    let reached =
        |p: &SweepPoint| p.end.iter().find(|f| f.figure == "ceasefire_reached").expect("figure").estimate.count;
    for level in 0..2 {
        let counts: Vec<u64> = (0..3).map(|i| reached(&s.points[2 * i + level])).collect();
        assert!(counts.windows(2).all(|w| w[0] <= w[1]), "level {level}: {counts:?}");
        assert!(counts[0] < counts[2], "pressure matters: {counts:?}");
    }
    let settled = |p: &SweepPoint| p.end.iter().find(|f| f.figure == "settlement_reached").expect("figure").estimate.p;
    assert_eq!(settled(&s.points[0]), 0.0, "ministers cannot sign a settlement");
}

#[test]
fn sweep_refuses_a_pointer_that_is_not_in_the_scenario() {
    let out = sim_output(["sweep", SUMMIT, "--set", "/parties/7/cost_of_war=1,2", "--trials", "10"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.starts_with("sim: error:") && err.contains("/parties/7/cost_of_war"), "{err}");
    let out = sim_output(["sweep", SUMMIT, "--set", "/parties/0/patience=2", "--trials", "10"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("patience"), "{}", stderr_of(&out));
}

#[derive(Debug, Deserialize)]
struct Effect {
    key: String,
    path: String,
    low_value: f64,
    high_value: f64,
    at_low: Estimate,
    at_high: Estimate,
    swing: Difference,
}

#[derive(Debug, Deserialize)]
struct Sensitivity {
    figure: String,
    round: String,
    inputs: Vec<Effect>,
}

/// `--figure` takes any figure key the scenario's model declares (and defaults to its first
/// headline figure); another key is refused with exit code 2 and one line naming the keys this
/// model reports. The keys are read from the compiled model, not listed here.
#[test]
fn sensitivity_takes_any_figure_key_of_the_model() {
    let loaded = sim::scenario::load(Path::new(SUMMIT)).expect("the summit loads");
    let model = sim::model::compile(&loaded).expect("the summit compiles");
    let layout = sim::engine::Model::layout(&model);
    let keys: Vec<&str> = layout.figures.iter().map(|f| f.key.as_str()).collect();
    let figure_of = |extra: &[&str]| {
        let mut args = vec!["sensitivity", SUMMIT, "--trials", "40", "--format", "json"];
        args.extend(extra.iter().copied());
        let s: Sensitivity = serde_json::from_slice(success(&sim_output(&args))).expect("sensitivity JSON parses");
        s.figure
    };
    assert_eq!(figure_of(&[]), keys[layout.headline[0]], "the default is the first headline figure");
    for key in &keys {
        assert_eq!(figure_of(&["--figure", key]), *key);
    }
    let out = sim_output(["sensitivity", SUMMIT, "--figure", "heads", "--trials", "40"]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty() && err.lines().count() == 1 && !err.contains("panicked"), "{err}");
    assert!(err.contains("--figure") && err.contains("`heads`") && err.contains(&layout.model), "{err}");
    for key in &keys {
        assert!(err.contains(key), "the refusal does not name `{key}`: {err}");
    }
    let help = String::from_utf8(success(&sim_output(["sensitivity", "--help"])).to_vec()).expect("UTF-8");
    assert!(help.contains("--figure <KEY>") && help.contains("ceasefire_in_force"), "{help}");
}

/// Every uncertain input appears once, ranked by the size of its swing, and the figure at each
/// setting is what a run with the input fixed at that setting gives.
#[test]
fn sensitivity_ranks_every_uncertain_input() {
    let out = sim_output([
        "sensitivity",
        SUMMIT,
        "--figure",
        "ceasefire_in_force",
        "--round",
        "ministers_2",
        "--trials",
        "800",
        "--format",
        "json",
    ]);
    let s: Sensitivity = serde_json::from_slice(success(&out)).expect("sensitivity JSON parses");
    assert_eq!((s.figure.as_str(), s.round.as_str()), ("ceasefire_in_force", "ministers_2"));
    let doc: Value = serde_json::from_slice(&std::fs::read(root().join(SUMMIT)).expect("scenario")).expect("JSON");
    let mut distributions = 0;
    count_distributions(&doc, &mut distributions);
    assert_eq!(s.inputs.len(), distributions, "one entry per distribution in the scenario");
    for w in s.inputs.windows(2) {
        assert!(w[0].swing.diff.abs() >= w[1].swing.diff.abs(), "{} before {}", w[0].key, w[1].key);
    }
    for e in &s.inputs {
        assert!(e.low_value <= e.high_value, "{}", e.key);
    }
    let top = &s.inputs[0];
    assert!(top.swing.significant && top.swing.se > 0.0, "the largest swing is resolved: {top:?}");
    // Each setting of the top inputs is what `sim run` gives with the input fixed there by a
    // variant: the same trials and seed, so the same counts exactly (common random numbers).
    let dir = tempfile::tempdir().expect("tempdir");
    let round = |report: &crate::util::Report| {
        report.rounds.iter().find(|r| r.id == "ministers_2").expect("round ministers_2").ceasefire_in_force.count
    };
    for e in s.inputs.iter().take(3) {
        for (value, expected) in [(e.low_value, e.at_low.count), (e.high_value, e.at_high.count)] {
            let file = write_variant(
                dir.path(),
                "held.json",
                json!({ "base": root().join(SUMMIT), "title": "held", "rationale": "r",
                        "json_patch": [ { "op": "replace", "path": pointer(&e.path), "value": value } ] }),
            );
            let out = sim_output(["run", &file, "--trials", "800", "--format", "json"]);
            let report: crate::util::Report = serde_json::from_slice(success(&out)).expect("run JSON parses");
            assert_eq!(round(&report), expected, "{} held at {value}", e.key);
        }
    }
}

fn count_distributions(v: &Value, n: &mut usize) {
    match v {
        Value::Object(m) if m.contains_key("dist") => *n += 1,
        Value::Object(m) => m.values().for_each(|x| count_distributions(x, n)),
        Value::Array(a) => a.iter().for_each(|x| count_distributions(x, n)),
        _ => {}
    }
}

/// Writes a variant next to a copy of nothing: the base is the bundled scenario, by absolute path.
fn write_variant(dir: &Path, name: &str, body: Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(&body).expect("JSON")).expect("write");
    path.display().to_string()
}

fn print_scenario(file: &str) -> Value {
    let out = sim_output(["run", file, "--print-scenario"]);
    serde_json::from_slice(success(&out)).expect("--print-scenario prints JSON")
}

/// RFC 7396: objects merge key by key (siblings kept), `null` deletes, anything else replaces.
#[test]
fn merge_patch_replaces_deletes_and_merges_nested_objects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = root().join(SUMMIT).display().to_string();
    let file = write_variant(
        dir.path(),
        "v.json",
        json!({
            "base": base,
            "title": "t",
            "rationale": "r",
            "merge_patch": {
                "run": { "seed": 99 },
                "meta": { "description": null },
                "model": { "battlefield": { "initial": 0.8 } },
                "events": []
            }
        }),
    );
    let original: Value = serde_json::from_slice(&std::fs::read(&base).expect("base")).expect("JSON");
    let merged = print_scenario(&file);
    assert_eq!(merged["run"]["seed"], json!(99));
    assert_eq!(merged["run"]["trials"], original["run"]["trials"], "siblings survive");
    assert_eq!(merged["model"]["battlefield"]["initial"], json!(0.8));
    assert_eq!(merged["model"]["battlefield"]["issue"], original["model"]["battlefield"]["issue"]);
    assert_eq!(merged["events"], json!([]), "arrays are replaced whole");
    assert!(merged["meta"].get("description").is_none(), "null deletes");
    // Deleting a required field makes the merged scenario invalid, and the error says so.
    let out = sim_output(["validate", &file]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("description") && err.contains("merged scenario"), "{err}");
}

#[test]
fn json_patch_and_stacked_variants_apply_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = root().join(SUMMIT).display().to_string();
    write_variant(
        dir.path(),
        "a.json",
        json!({ "base": base, "title": "a", "rationale": "r",
                "json_patch": [ { "op": "remove", "path": "/rounds/3" } ] }),
    );
    let b = write_variant(
        dir.path(),
        "b.json",
        json!({ "base": "a.json", "title": "b", "rationale": "r",
                "merge_patch": { "run": { "seed": 5 } },
                "json_patch": [ { "op": "replace", "path": "/run/seed", "value": 6 } ] }),
    );
    let merged = print_scenario(&b);
    let original: Value = serde_json::from_slice(&std::fs::read(root().join(SUMMIT)).expect("base")).expect("JSON");
    let rounds = original["rounds"].as_array().expect("rounds").len();
    assert_eq!(merged["rounds"].as_array().expect("rounds").len(), rounds - 1);
    assert_eq!(merged["run"]["seed"], json!(6), "the merge patch applies first, then the JSON patch");
    let out = sim_output(["run", &b, "--trials", "100", "--format", "json"]);
    let report: Value = serde_json::from_slice(success(&out)).expect("JSON");
    // The outermost variant's title (with " (replay)" when the base scenario is a replay).
    let title = report["run"]["title"].as_str().expect("a title");
    assert!(title == "b" || title == "b (replay)", "{title}");
    assert_eq!(report["run"]["seed"], json!(6));
}

#[test]
fn cycles_missing_bases_and_bad_patches_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let patch = json!({ "run": { "seed": 1 } });
    let a = write_variant(
        dir.path(),
        "a.json",
        json!({ "base": "b.json", "title": "a", "rationale": "r", "merge_patch": patch }),
    );
    write_variant(
        dir.path(),
        "b.json",
        json!({ "base": "a.json", "title": "b", "rationale": "r", "merge_patch": patch }),
    );
    let missing = write_variant(
        dir.path(),
        "m.json",
        json!({ "base": "nowhere.json", "title": "m", "rationale": "r", "merge_patch": patch }),
    );
    let bad = write_variant(
        dir.path(),
        "p.json",
        json!({ "base": root().join(SUMMIT), "title": "p", "rationale": "r",
                "json_patch": [ { "op": "remove", "path": "/rounds/9" } ] }),
    );
    let unknown = write_variant(
        dir.path(),
        "u.json",
        json!({ "base": root().join(SUMMIT), "title": "u", "rationale": "r", "sources": ["no.such-fact"], "merge_patch": patch }),
    );
    for (file, needle) in [
        (&a, "cycle"),
        (&missing, "does not exist"),
        (&bad, "json_patch[0]"),
        (&unknown, "unknown evidence id `no.such-fact`"),
    ] {
        let out = sim_output(["run", file.as_str(), "--trials", "10"]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let err = stderr_of(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("sim: error:") && err.contains(needle), "{needle}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// Holding one salience at a quantile leaves the party's declared saliences summing to less or
/// more than 1; the study runs anyway (the model renormalizes the drawn saliences in every
/// trial), and every uncertain salience is ranked. A file written that way is still refused.
#[test]
fn sensitivity_holds_saliences_that_then_do_not_sum_to_one() {
    let file = "scenarios/istanbul_2025.json";
    let out = sim_output(["sensitivity", file, "--trials", "200", "--format", "json"]);
    let s: Sensitivity = serde_json::from_slice(success(&out)).expect("sensitivity JSON parses");
    let held: Vec<&str> = s.inputs.iter().map(|e| e.key.as_str()).filter(|k| k.ends_with(".salience")).collect();
    assert!(held.len() >= 4, "{held:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    let e = s.inputs.iter().find(|e| e.key.ends_with(".salience")).expect("a salience");
    let variant = write_variant(
        dir.path(),
        "held.json",
        json!({ "base": root().join(file), "title": "held", "rationale": "r",
                "json_patch": [ { "op": "replace", "path": pointer(&e.path), "value": e.low_value } ] }),
    );
    let out = sim_output(["validate", variant.as_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("must sum to 1"), "{}", stderr_of(&out));
}
