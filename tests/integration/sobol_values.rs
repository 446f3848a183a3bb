//! Sensitivity of a continuous value (docs/SENSITIVITY.md) through the scenario path: the
//! compromise model is linear in each position with fixed weights, so with independent
//! uniform positions the Sobol indices and the one-at-a-time swings have closed forms.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sim::study::sobol::{Design, Options};

use crate::sobol::check;
use crate::util::*;

/// Actors of the test: (id, weight = capability × salience, position uniform on [low, high]).
const ACTORS: [(&str, f64, f64, f64); 3] = [("a", 1.0, 0.0, 10.0), ("b", 2.0, 2.0, 8.0), ("c", 0.5, 1.0, 9.0)];

/// A compromise scenario on one 0–10 issue, the actors' capability their weight, salience 1,
/// each position uniform on its range, written to `dir`.
fn scenario(dir: &Path) -> PathBuf {
    let actors: Vec<Value> = ACTORS
        .iter()
        .map(|&(id, w, low, high)| {
            json!({
                "id": id, "name": id, "capability": w,
                "positions": { "x": {
                    "position": { "dist": "uniform", "low": low, "high": high, "assumption": "test" },
                    "salience": 1.0
                } }
            })
        })
        .collect();
    let v = json!({
        "meta": { "title": "test", "description": "test", "as_of": "2020-01-01", "evidence": seeds_dir() },
        "run": { "trials": 1000, "seed": 1 },
        "model": { "kind": "compromise" },
        "issues": [{ "id": "x", "label": "X", "scale": { "min": 0, "max": 10, "unit": "points", "min_label": "0", "max_label": "10" } }],
        "actors": actors,
    });
    let file = dir.join("compromise.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&v).expect("JSON")).expect("write");
    file
}

fn total_weight() -> f64 {
    ACTORS.iter().map(|a| a.1).sum()
}

/// S_i = T_i = w_i² Var(x_i) / Σ_j w_j² Var(x_j) (additive, so first = total); the group of
/// every input explains all; nothing is left to the trial's randomness (deterministic model).
#[test]
fn compromise_value_indices_have_their_closed_form() {
    let dir = tempfile::tempdir().expect("tempdir");
    let loaded = sim::scenario::load(&scenario(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    // No --figure: the model's headline value, the weighted mean of the first issue.
    let design = Design::new(&loaded, None, 0).unwrap_or_else(|e| panic!("{e}"));
    let study = design.run(Options { rows: 20_000, seed: 5, resamples: 200 }, &|_| {}).expect("the study runs");
    assert_eq!(study.output.key(), "mean.x");
    assert_eq!(study.output.unit(), Some("points"));
    let part: Vec<f64> = ACTORS.iter().map(|&(_, w, lo, hi)| w * w * (hi - lo).powi(2) / 12.0).collect();
    let var: f64 = part.iter().sum();
    let ix = &study.indices;
    let sw = total_weight();
    assert!((ix.variance - var / (sw * sw)).abs() < 0.05 * var / (sw * sw), "variance {}", ix.variance);
    assert_eq!(ix.residual.value, Some(0.0), "a deterministic model leaves nothing to its randomness");
    let mut pairs = Vec::new();
    for c in &ix.columns {
        let truth = match ACTORS.iter().position(|a| c.key == format!("actors.{}.positions.x.position", a.0)) {
            Some(i) => part[i] / var,
            // A group by actor holds that actor's one input; the provenance group holds all.
            None if c.key == "provenance:assumption" => 1.0,
            None => part[ACTORS.iter().position(|a| c.key == format!("actor:{}", a.0)).expect("a known column")] / var,
        };
        pairs.push((format!("S {}", c.key), c.first, truth));
        pairs.push((format!("T {}", c.key), c.total, truth));
    }
    check("compromise", &pairs);
}

fn sensitivity(file: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["sensitivity", file.to_str().expect("a UTF-8 path"), "-q"];
    args.extend(extra);
    sim_output(args)
}

/// A value's Sobol study: the same bytes on 1 and 2 threads, and shards merge to them, in every
/// format; its JSON names the value and its unit, not a figure.
#[test]
fn a_value_study_is_the_same_at_any_thread_count_and_across_shards() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = scenario(dir.path());
    let base = ["--method", "sobol", "--figure", "mean.x", "-n", "301", "--resamples", "20"];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend(extra);
        sensitivity(&file, &args)
    };
    let parts: Vec<String> =
        (1..=3).map(|k| dir.path().join(format!("p{k}.json")).to_str().unwrap().to_string()).collect();
    for (k, part) in parts.iter().enumerate() {
        success(&run(&["--shard", &format!("{}/3", k + 1), "-o", part]));
    }
    for format in ["table", "json", "csv", "markdown"] {
        let whole = success(&run(&["-f", format, "-j", "1"])).to_vec();
        assert_eq!(success(&run(&["-f", format, "-j", "2"])), whole.as_slice(), "{format}");
        let merged = sim_output(["merge", &parts[1], &parts[2], &parts[0], "-f", format]);
        assert_eq!(success(&merged), whole.as_slice(), "{format}");
    }
    let json: Value = serde_json::from_slice(success(&run(&["-f", "json"]))).expect("JSON");
    assert_eq!((json["value"].as_str(), json["unit"].as_str()), (Some("mean.x"), Some("points")));
    assert!(json.get("figure").is_none());
    // A part of an earlier layout is refused, saying why.
    let mut part: Value = serde_json::from_slice(&std::fs::read(&parts[0]).unwrap()).unwrap();
    part["sim_part"] = json!(3);
    std::fs::write(&parts[0], serde_json::to_vec(&part).unwrap()).unwrap();
    let out = sim_output(["merge", &parts[0], &parts[1], &parts[2]]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("part file layout 3; this sim reads layout 4"), "{}", stderr_of(&out));
}

/// One at a time, the swing of the mean of a compromise when position i goes from its low to
/// its high quantile is w_i (q_hi − q_lo) / Σ w in every trial, so its mean is exactly that (up
/// to the fixed-point resolution of the sums, 2^-40 of the range) and its interval has no width.
#[test]
fn the_swing_of_a_compromise_position_is_its_weight_share() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = scenario(dir.path());
    // No --figure: the headline value.
    let json: Value = serde_json::from_slice(success(&sensitivity(&file, &["-n", "500", "-f", "json"]))).unwrap();
    assert_eq!(json["value"], "mean.x");
    let inputs = json["inputs"].as_array().expect("inputs");
    assert_eq!(inputs.len(), ACTORS.len());
    let tolerance = 10.0 * 2f64.powi(-40) * 10.0;
    for &(id, w, lo, hi) in &ACTORS {
        let e = inputs.iter().find(|e| e["key"] == format!("actors.{id}.positions.x.position")).expect("the input");
        let (q_lo, q_hi) = (lo + 0.1 * (hi - lo), lo + 0.9 * (hi - lo));
        let expected = w * (q_hi - q_lo) / total_weight();
        let swing = &e["swing"];
        let diff = swing["diff"].as_f64().unwrap();
        assert!((diff - expected).abs() <= tolerance, "{id}: swing {diff} vs {expected}");
        assert!(swing["se"].as_f64().unwrap() <= tolerance, "{id}: {swing}");
        let (at_lo, at_hi) = (e["at_low"]["mean"].as_f64().unwrap(), e["at_high"]["mean"].as_f64().unwrap());
        assert!((at_hi - at_lo - expected).abs() <= tolerance, "{id}: {at_lo} -> {at_hi}");
    }
    let table = String::from_utf8(success(&sensitivity(&file, &["-n", "200"])).to_vec()).unwrap();
    assert!(table.contains("mean of weighted mean of x"), "{table}");
    let out = sensitivity(&file, &["-n", "10", "--figure", "median.x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("its values are mean.x"), "{}", stderr_of(&out));
}

/// On the bundled Istanbul case for the classic models, `sim sensitivity --method sobol` and the
/// HTML report explain the predicted land term (the weighted median of `territory` at the last
/// round), not the `stopped` outcome.
#[test]
fn the_classic_istanbul_case_explains_the_predicted_land_term() {
    let file = root().join("scenarios/istanbul_classic.json");
    let args = ["--method", "sobol", "-n", "64", "--resamples", "20", "-f", "json"];
    let json: Value = serde_json::from_slice(success(&sensitivity(&file, &args))).expect("JSON");
    assert_eq!((json["value"].as_str(), json["round"].as_str()), (Some("median.territory"), Some("round_10")));
    assert!(json["inputs"][0]["total"]["value"].as_f64().unwrap() > 0.0);
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("classic.html");
    let f = file.to_str().unwrap();
    let budget = ["--sensitivity-method", "sobol", "--sensitivity-budget", "3000"];
    let mut args = vec!["report", f, "-n", "100", "-q", "-o", page.to_str().unwrap()];
    args.extend(budget);
    success(&sim_output(args));
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(
        html.contains("weighted median of territory at round round_10"),
        "the Sobol section explains the land term"
    );
}
