//! The spatial models (`compromise`, `expected_utility`; docs/MODELS.md) through the same
//! scenario loader, engine, shards and reports as `mediated_nash`: closed forms, determinism,
//! cross-model comparison, and their input rules.

use std::path::Path;

use serde_json::{Value, json};
use sim::engine::{Model, TrialRecord};
use sim::model::{Compiled, compile_body};

use crate::util::*;

/// The EC car-emission case of Bueno de Mesquita (1994) as the issue states it: capability,
/// position (0–10) and salience (per cent) of ten members.
const EMISSIONS: [(&str, f64, f64, f64); 10] = [
    ("NL", 0.08, 4.0, 80.0),
    ("BE", 0.08, 7.0, 40.0),
    ("LU", 0.03, 4.0, 20.0),
    ("DE", 0.16, 4.0, 80.0),
    ("FR", 0.16, 10.0, 60.0),
    ("IT", 0.16, 10.0, 60.0),
    ("UK", 0.16, 10.0, 90.0),
    ("IE", 0.05, 7.0, 10.0),
    ("DK", 0.05, 4.0, 100.0),
    ("GR", 0.08, 7.0, 70.0),
];

/// A spatial scenario on one 0–10 issue with the given actors (id, capability, position,
/// salience in [0, 1]), each a JSON parameter.
fn spatial(model: Value, actors: &[(&str, Value, Value, Value)]) -> Value {
    json!({
        "meta": { "title": "test", "description": "test", "as_of": "2020-01-01", "evidence": "../seeds" },
        "run": { "trials": 1000, "seed": 1 },
        "model": model,
        "issues": [{ "id": "x", "label": "X", "scale": { "min": 0, "max": 10, "unit": "points", "min_label": "0", "max_label": "10" } }],
        "actors": actors.iter().map(|(id, c, p, s)| json!({
            "id": id, "name": id, "capability": c,
            "positions": { "x": { "position": p, "salience": s } }
        })).collect::<Vec<_>>(),
    })
}

fn emissions(model: Value) -> Value {
    let actors: Vec<(&str, Value, Value, Value)> =
        EMISSIONS.iter().map(|&(id, c, x, s)| (id, json!(c), json!(x), json!(s / 100.0))).collect();
    spatial(model, &actors)
}

fn compiled(v: &Value) -> Compiled {
    let bytes = serde_json::to_vec(v).expect("JSON");
    let body = sim::scenario::parse(Path::new("spatial-test.json"), &bytes).unwrap_or_else(|e| panic!("{e}"));
    body.validate(None).unwrap_or_else(|e| panic!("at {}: {}", e.path, e.message));
    compile_body(&body, &[]).unwrap_or_else(|e| panic!("at {}: {}", e.path, e.message))
}

/// The compromise is the capability × salience weighted mean, exactly: 500.3 / 67.7 on the
/// emission case, in every trial (all inputs fixed), as the round's value and the predicted term.
#[test]
fn compromise_is_the_weighted_mean_of_the_emission_case() {
    let model = compiled(&emissions(json!({ "kind": "compromise" })));
    let expected: f64 = 500.3 / 67.7;
    assert!((expected - 7.389956).abs() < 5e-7);
    for r in records(&model, 1, 0..8) {
        assert!((r.values_of(0)[0] - expected).abs() < 1e-12, "{}", r.values_of(0)[0]);
        assert!((r.terms[0] - expected).abs() < 1e-12);
        assert_eq!(r.outcome, [0], "a weighted mean exists");
    }
}

/// With an uncertain position, the mean prediction is the weighted mean of the expected
/// positions (the compromise is linear in each position): within 4 Monte Carlo standard errors.
#[test]
fn compromise_is_linear_in_an_uncertain_position() {
    let actors = [
        ("a", json!(2.0), json!({ "dist": "uniform", "low": 0, "high": 10, "assumption": "test" }), json!(0.5)),
        ("b", json!(1.0), json!(8.0), json!(1.0)),
        ("c", json!(3.0), json!(1.0), json!(0.2)),
    ];
    let model = compiled(&spatial(json!({ "kind": "compromise" }), &actors));
    // Weights 1, 1 and 0.6: E = (5 + 8 + 0.6) / 2.6; each trial's sd is 10/sqrt(12) / 2.6.
    let expected = (5.0 + 8.0 + 0.6) / 2.6;
    let sd = 10.0 / 12f64.sqrt() / 2.6;
    let n = 20_000;
    let mean = records(&model, 7, 0..n).iter().map(|r| r.terms[0]).sum::<f64>() / n as f64;
    let se = sd / (n as f64).sqrt();
    assert!((mean - expected).abs() < 4.0 * se, "mean {mean} vs {expected} (s.e. {se})");
}

/// Where every weight on an issue is zero, the compromise is the plain mean of the positions,
/// and the trial's outcome says so.
#[test]
fn a_compromise_without_weight_is_the_plain_mean() {
    let actors = [("a", json!(0.0), json!(3.0), json!(0.5)), ("b", json!(1.0), json!(8.0), json!(0.0))];
    let model = compiled(&spatial(json!({ "kind": "compromise" }), &actors));
    let r = &records(&model, 1, 0..1)[0];
    assert_eq!(r.outcome, [1]);
    assert_eq!(r.terms[0], 5.5);
}

/// The expected-utility model reports round 0 to round T: at round 0 the emission case's
/// weighted mean is 7.389956 and its weighted median 7.0, and the flags say which of the ten
/// members moved in each round (none in round 0).
#[test]
fn expected_utility_reports_the_published_round_zero_figures() {
    let model = compiled(&emissions(json!({ "kind": "expected_utility", "rounds": 6 })));
    let layout = model.layout();
    assert_eq!(layout.rounds.len(), 7);
    assert_eq!(layout.flags.len(), 10);
    let keys: Vec<&str> = layout.values.iter().map(|v| v.key.as_str()).collect();
    assert_eq!(keys, ["median.x", "mean.x"]);
    let r: &TrialRecord = &records(&model, 1, 0..1)[0];
    assert_eq!(r.values_of(0)[0], 7.0);
    assert!((r.values_of(0)[1] - 7.389956).abs() < 5e-7, "{}", r.values_of(0)[1]);
    assert!(r.flags_of(0).iter().all(|&moved| !moved));
    // Flags read "by the end of the round": Belgium moves in round 1 and has moved ever after;
    // the Netherlands never moves (docs/MODELS.md, the replication table).
    for t in 1..=6 {
        assert!(r.flags_of(t)[1] && !r.flags_of(t)[0], "round {t}: {:?}", r.flags_of(t));
        assert!(r.flags_of(t - 1).iter().zip(r.flags_of(t)).all(|(&before, &now)| now || !before));
    }
    assert_eq!(r.terms[0], r.values_of(6)[0], "the predicted decision is the last round's median");
}

/// A spatial run is byte-identical at one and two threads, and its shards merge to the bytes of
/// the whole run, in JSON.
#[test]
fn spatial_runs_are_deterministic_and_shard_exactly() {
    let file = "scenarios/istanbul_classic.json";
    let run = |extra: &[&str]| {
        let mut args = vec!["run", file, "-n", "6000", "--format", "json"];
        args.extend_from_slice(extra);
        success(&sim_output(&args)).to_vec()
    };
    let one = run(&["-j", "1"]);
    assert_eq!(one, run(&["-j", "2"]));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut parts = Vec::new();
    for k in 1..=3 {
        let part = dir.path().join(format!("part{k}.json"));
        let shard = format!("{k}/3");
        let out = sim_output(["run", file, "-n", "6000", "--shard", &shard, "-o", part.to_str().expect("a path")]);
        success(&out);
        parts.push(part);
    }
    let mut args = vec!["merge".to_string()];
    args.extend(parts.iter().map(|p| p.display().to_string()));
    args.extend(["--format".into(), "json".into()]);
    assert_eq!(success(&sim_output(&args)), one.as_slice());
}

/// `sim compare` lines up the terms the models predict issue by issue: the compromise variant's
/// land term beside the expected-utility base's.
#[test]
fn compare_places_the_models_predictions_side_by_side() {
    let out = sim_output([
        "compare",
        "scenarios/istanbul_classic.json",
        "scenarios/variants/istanbul_classic_compromise.json",
        "-n",
        "2000",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(success(&out)).expect("JSON");
    let terms = report["terms"].as_array().expect("terms");
    let land = terms.iter().find(|t| t["issue"] == "territory").expect("the land term");
    let base = land["base"].as_f64().expect("the expected-utility prediction");
    let variant = land["variants"][0]["mean"].as_f64().expect("the compromise prediction");
    assert!((0.0..=1.0).contains(&base) && (0.0..=1.0).contains(&variant));
}

/// Broken spatial scenarios: one line naming the file, the JSON path and the rule; exit 2.
#[test]
fn broken_spatial_scenarios_are_refused_with_their_path() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let cases: Vec<(Value, &str)> = vec![
        (
            {
                let mut v = emissions(json!({ "kind": "compromise" }));
                v["actors"][3]["positions"] = json!({});
                v
            },
            "at actors[3].positions: actor `DE` has no position on issue `x`",
        ),
        (
            {
                let mut v = emissions(json!({ "kind": "compromise" }));
                v["actors"][0]["positions"]["y"] = json!({ "position": 1, "salience": 1 });
                v
            },
            "at actors[0].positions.y: unknown issue `y`",
        ),
        (emissions(json!({ "kind": "expected_utility", "rounds": 201 })), "at model.rounds: between 1 and 200 rounds"),
        (emissions(json!({ "kind": "consensus" })), "at model.kind"),
        (
            emissions(json!({ "kind": "compromise", "rounds": 10 })),
            "at model.rounds: the compromise model has no rounds",
        ),
        (emissions(json!({ "kind": "expected_utility" })), "at model: the expected-utility model needs `rounds`"),
        (emissions(json!({ "kind": "expected_utility", "roundz": 3 })), "unknown field `roundz`"),
        (
            emissions(json!({ "kind": "expected_utility", "rounds": 3, "options": { "stoping": "rounds" } })),
            "at model.options",
        ),
        (
            {
                let mut v = emissions(json!({ "kind": "compromise" }));
                v["actors"][1]["positions"]["x"]["salience"] = json!(1.5);
                v
            },
            "at actors[1].positions.x.salience: a salience must lie in [0, 1]",
        ),
        (
            {
                let mut v = emissions(json!({ "kind": "compromise" }));
                let actors = v["actors"].as_array_mut().expect("actors");
                let first = actors[0].clone();
                actors.extend((0..200).map(|i| {
                    let mut a = first.clone();
                    a["id"] = json!(format!("a{i}"));
                    a
                }));
                v
            },
            "at actors: 210 actors; at most 200 are allowed",
        ),
        (
            {
                let mut v = emissions(json!({ "kind": "expected_utility", "rounds": 200 }));
                let actors = v["actors"].as_array_mut().expect("actors");
                let first = actors[0].clone();
                actors.extend((0..190).map(|i| {
                    let mut a = first.clone();
                    a["id"] = json!(format!("a{i}"));
                    a
                }));
                v
            },
            "at model.rounds: 200 actors, 1 issues and 200 rounds make actors³ × issues × rounds = 1600000000; at most 1000000000",
        ),
    ];
    for (i, (v, expected)) in cases.iter().enumerate() {
        let mut v = v.clone();
        v["meta"]["evidence"] = json!(seeds_dir());
        let file = dir.path().join(format!("case{i}.json"));
        std::fs::write(&file, serde_json::to_vec(&v).expect("JSON")).expect("written");
        let out = sim_output(["validate", file.to_str().expect("a path")]);
        assert_eq!(out.status.code(), Some(2), "case {i}");
        let err = stderr_of(&out);
        assert!(err.contains(expected) && err.contains(&format!("case{i}.json")), "case {i}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "case {i}: {err}");
    }
}

/// `sim trace` tells `mediated_nash` trials; on a spatial scenario it says so, exit 2.
#[test]
fn trace_refuses_a_spatial_scenario() {
    let out = sim_output(["trace", "scenarios/istanbul_classic.json", "--trial", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("mediated_nash"), "{}", stderr_of(&out));
}

/// The figures an evidence card carries, by name.
fn card_figures(file: &str, fact: &str) -> serde_json::Map<String, Value> {
    let card: Value = serde_json::from_slice(&std::fs::read(seeds_dir().join(file)).expect("the card")).expect("JSON");
    let found = card["facts"].as_array().expect("facts").iter().find(|f| f["id"] == fact).expect("the fact");
    found["figures"].as_object().expect("figures").clone()
}

/// The bundled replication case through the command line: the weighted mean of every round is
/// the one logged by the port of Scholz et al.'s code (to 1e-9: the report's fixed-point sums
/// resolve the 0–10 range to 10 × 2^-40, about 1e-11, and the port logs 16 digits) and lies
/// within one step (0.1) of the series transcribed from their published figure.
#[test]
fn the_replication_case_follows_the_published_run() {
    let out = sim_output(["run", "scenarios/bdm1994_emissions.json", "-n", "4", "--format", "json"]);
    let report: Value = serde_json::from_slice(success(&out)).expect("JSON");
    let port = card_figures("mckibben-sanders-2014-bdm-port.json", "mck14.logged-run");
    let published = card_figures("masad-2014-bdm-replication.json", "masad14.original-mean-series");
    let rounds = report["rounds"].as_array().expect("rounds");
    assert_eq!(rounds.len(), 11);
    for (t, round) in rounds.iter().enumerate() {
        let ours = round["values"]["mean.emissions"]["mean"].as_f64().expect("the mean");
        let logged = port[&format!("round_{t}_mean_scale10")].as_f64().expect("logged");
        let figure = published[&format!("round_{t}_mean_scale10")].as_f64().expect("published");
        assert!((ours - logged).abs() < 1e-9, "round {t}: {ours} vs the port's {logged}");
        assert!((ours - figure).abs() <= 0.1 + 1e-9, "round {t}: {ours} vs the published {figure}");
    }
}

/// Beside a `mediated_nash` scenario, the spatial models' predicted terms are compared issue by
/// issue, an ordered issue by its mean option index: the bargaining scenario's alignment term
/// lies within both sides' red lines, and the compromise's is its weighted mean index, exactly.
/// An issue measured on another scale (unit, range or option labels) is left out.
#[test]
fn compare_places_an_ordered_issue_by_its_mean_option_index() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bargaining = dir.path().join("rugged.json");
    std::fs::write(&bargaining, serde_json::to_vec(&rugged()).expect("JSON")).expect("written");
    let mut classic = spatial(
        json!({ "kind": "compromise" }),
        &[("north", json!(1.0), json!(0.8), json!(0.5)), ("south", json!(3.0), json!(0.2), json!(1.0))],
    );
    classic["meta"]["evidence"] = json!(seeds_dir());
    classic["issues"] = json!([
        { "id": "territory", "label": "territory", "scale": { "min": 0, "max": 1, "unit": "share", "min_label": "s", "max_label": "n" } },
        { "id": "alignment", "label": "alignment", "options": ["a0", "a1", "a2", "a3"] }
    ]);
    for (a, x) in [(0, 3.0), (1, 0.0)] {
        classic["actors"][a]["positions"] = json!({
            "territory": classic["actors"][a]["positions"]["x"].clone(),
            "alignment": { "position": x, "salience": 1.0 }
        });
    }
    let spatial_file = dir.path().join("classic.json");
    std::fs::write(&spatial_file, serde_json::to_vec(&classic).expect("JSON")).expect("written");
    // The same issues on other scales: land in per cent, alignment with other option labels.
    let mut other_scales = classic.clone();
    other_scales["issues"][0]["scale"]["unit"] = json!("per cent");
    other_scales["issues"][1]["options"] = json!(["a", "b", "c", "d"]);
    let other_file = dir.path().join("other.json");
    std::fs::write(&other_file, serde_json::to_vec(&other_scales).expect("JSON")).expect("written");
    let out = sim_output([
        "compare",
        bargaining.to_str().expect("a path"),
        spatial_file.to_str().expect("a path"),
        other_file.to_str().expect("a path"),
        "-n",
        "4000",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(success(&out)).expect("JSON");
    let row = |issue: &str| {
        report["terms"].as_array().expect("terms").iter().find(|t| t["issue"] == issue).cloned().expect("a row")
    };
    let alignment = row("alignment");
    assert_eq!(alignment["label"], "alignment (option index)");
    let (lo, hi) = ALIGNMENT_RED_LINES;
    let base = alignment["base"].as_f64().expect("the bargaining model settles sometimes");
    assert!((lo as f64..=hi as f64).contains(&base), "{base}");
    // Weights 1 x 1 and 3 x 1 on positions 3 and 0: the mean index is 3/4.
    assert_eq!(alignment["variants"][0]["mean"].as_f64(), Some(0.75));
    // Territory: weights 0.5 and 3 on 0.8 and 0.2.
    let territory = row("territory")["variants"][0]["mean"].as_f64().expect("a mean");
    assert!((territory - (0.4 + 0.6) / 3.5).abs() < 1e-9, "{territory}");
    // Terms on other scales are not compared.
    assert!(row("territory")["variants"][1].is_null() && alignment["variants"][1].is_null());
}

/// Compiling a spatial scenario that skipped validation cannot panic: a missing stance is the
/// model's broken rule, with its path.
#[test]
fn an_unvalidated_scenario_without_a_stance_is_refused_not_a_panic() {
    let mut v = emissions(json!({ "kind": "compromise" }));
    v["actors"][2]["positions"] = json!({});
    let body = sim::scenario::parse(Path::new("x.json"), &serde_json::to_vec(&v).expect("JSON")).expect("parses");
    let Err(err) = compile_body(&body, &[]) else { panic!("compiled without a stance") };
    assert_eq!(err.path, "actors[2].positions.x.position");
}
