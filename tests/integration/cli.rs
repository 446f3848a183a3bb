//! `sim validate`, `sim schema`, and a snapshot of `sim run --format json`.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::util::{FORECAST_CASE, Report, SUMMIT, TermReport, root, sim_output, success};

/// `scenarios/**/*.json` (scenarios and their variants), relative to the package root, sorted.
fn bundled_scenarios() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a readable directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "json") {
                out.push(path.strip_prefix(root()).expect("under the root").to_path_buf());
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("scenarios"), &mut files);
    files.sort();
    files
}

/// `sim validate` accepts every bundled scenario and variant, one `ok:` line each, in order.
#[test]
fn validate_accepts_every_bundled_scenario() {
    let files = bundled_scenarios();
    assert!(files.iter().any(|f| f == Path::new(SUMMIT)), "{files:?}");
    let out = sim_output(std::iter::once(PathBuf::from("validate")).chain(files.iter().cloned()));
    let stdout = String::from_utf8(success(&out).to_vec()).expect("UTF-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), files.len(), "one line per file:\n{stdout}");
    for (line, file) in lines.iter().zip(&files) {
        assert!(line.starts_with(&format!("ok: {} (", file.display())), "{line}");
    }
}

/// `sim schema` prints a JSON Schema with one shape per model family: the bargaining scenario
/// with its lists, and the spatial scenario with its actors.
#[test]
fn schema_is_json_with_the_scenario_properties() {
    let out = sim_output(["schema"]);
    let schema: Value = serde_json::from_slice(success(&out)).expect("the schema is JSON");
    let shapes: Vec<&str> = schema["anyOf"]
        .as_array()
        .expect("`anyOf`: one shape per model family")
        .iter()
        .filter_map(|s| s["$ref"].as_str())
        .collect();
    assert_eq!(shapes, ["#/$defs/Scenario", "#/$defs/SpatialScenario"]);
    let shape = |name: &str, keys: &[&str], needed: &[&str]| {
        let def = &schema["$defs"][name];
        let properties = def["properties"].as_object().expect("a `properties` object");
        for key in keys {
            assert!(properties.contains_key(*key), "the schema of {name} does not describe `{key}`");
        }
        let required: Vec<&str> =
            def["required"].as_array().expect("`required`").iter().filter_map(Value::as_str).collect();
        for key in needed {
            assert!(required.contains(key), "`{key}` should be required in {name}: {required:?}");
        }
    };
    shape("Scenario", &["meta", "model", "issues", "parties", "mediators", "rounds", "events"], &["parties", "rounds"]);
    shape("SpatialScenario", &["meta", "model", "issues", "actors"], &["model", "actors"]);
}

/// The JSON report of the bundled scenario at a fixed seed, as a reviewed snapshot: any change
/// in the model, the scenario or the layout shows up here as a diff to accept or reject
/// (`INSTA_UPDATE=always cargo test` rewrites `tests/snapshots/`). The version is blanked so
/// that a version bump alone does not churn the snapshot.
#[test]
fn json_report_snapshot() {
    let out = sim_output(["run", SUMMIT, "--format", "json", "--trials", "3000", "--seed", "1"]);
    let mut report: Value = serde_json::from_slice(success(&out)).expect("JSON");
    let typed: Report = serde_json::from_value(report.clone()).expect("the documented layout");
    assert_eq!((typed.run.trials, typed.run.seed, typed.run.scenario.as_str()), (3000, 1, SUMMIT));
    assert_eq!((typed.sim.layout, typed.sim.model.as_str()), (2, "mediated_nash"));
    assert_eq!(typed.sim.version, env!("CARGO_PKG_VERSION"));
    let bytes = std::fs::read(root().join(SUMMIT)).expect("readable");
    assert_eq!(typed.run.digest, format!("sha256:{}", sim::scenario::sha256_hex(&bytes)), "digest of the file's bytes");
    report["sim"]["version"] = json!("[version]");
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!("summit_seed1_3000", report);
    });
}

/// CSV and Markdown of the same run as reviewed snapshots (the version line of the Markdown is
/// blanked, as in the JSON snapshot).
#[test]
fn csv_and_markdown_snapshots() {
    let run = |format: &str| {
        let out = sim_output(["run", SUMMIT, "--format", format, "--trials", "3000", "--seed", "1"]);
        String::from_utf8(success(&out).to_vec()).expect("UTF-8")
    };
    let csv = run("csv");
    let markdown = run("markdown").replace(&format!("sim {}", env!("CARGO_PKG_VERSION")), "sim [version]");
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("summit_seed1_3000_csv", csv);
        insta::assert_snapshot!("summit_seed1_3000_markdown", markdown);
    });
}

/// The summit scenario never settles, so settlement terms (continuous and ordered) are
/// snapshotted on the frozen blind forecast of the 2025 case, which settles in about 0.5% of
/// trials (the bundled forecast, encoded separately, in 0.04%).
#[test]
fn settlement_terms_markdown_snapshot() {
    let args = ["run", FORECAST_CASE, "--format", "markdown", "--trials", "20000", "--seed", "1"];
    let out = sim_output(args);
    let markdown = String::from_utf8(success(&out).to_vec()).expect("UTF-8");
    let markdown = markdown.replace(&format!("sim {}", env!("CARGO_PKG_VERSION")), "sim [version]");
    assert!(markdown.contains("**Settlement terms, given a settlement ("), "{markdown}");
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("forecast2025_seed1_20000_markdown", markdown);
    });
}

/// Each continuous term gives its standard deviation and standard error beside its mean: the
/// se is sd / sqrt(settlements), and the sd of values in [min, max] cannot exceed half the
/// range (times sqrt(n / (n - 1)) for the sample sd). On the 2025 case's forecast, whose
/// territory issue is continuous and which settles in about 0.5% of trials.
#[test]
fn continuous_terms_give_their_spread_beside_the_mean() {
    let out = sim_output(["run", FORECAST_CASE, "--trials", "20000", "--seed", "9", "-f", "json"]);
    let r: Report = serde_json::from_slice(success(&out)).expect("run JSON parses");
    let n = r.settlement.reached.count as f64;
    assert!(n > 10.0, "only {n} settlements");
    let mut seen = 0;
    for t in &r.settlement.terms {
        if let TermReport::Continuous { issue, min, max, mean, sd, se, .. } = t {
            let (mean, sd, se) = (mean.expect("a mean"), sd.expect("an sd"), se.expect("an se"));
            assert!(*min <= mean && mean <= *max, "{issue}: mean {mean}");
            assert!(sd > 0.0 && sd <= (max - min) / 2.0 * (n / (n - 1.0)).sqrt(), "{issue}: sd {sd}");
            assert!((se - sd / n.sqrt()).abs() <= 1e-12 * sd, "{issue}: se {se}, sd {sd}, n {n}");
            seen += 1;
        }
    }
    assert!(seen > 0, "the bundled scenario has a continuous settlement term");
}

/// `model.kind` selects the model: a kind that is not registered is refused when the file is
/// read, with exit code 2, the file, the JSON path and the kinds there are.
#[test]
fn an_unknown_model_kind_is_refused_with_its_path() {
    let mut v: Value = serde_json::from_slice(&std::fs::read(root().join(SUMMIT)).expect("scenario")).expect("JSON");
    v["model"]["kind"] = json!("coin_flip");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("coin.json");
    std::fs::write(&file, serde_json::to_vec(&v).expect("JSON")).expect("written");
    let out = sim_output(["run", file.to_str().expect("UTF-8"), "--trials", "10"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    for needle in ["coin.json", "model.kind", "coin_flip", "mediated_nash"] {
        assert!(err.contains(needle), "missing {needle}: {err}");
    }
}
