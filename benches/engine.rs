//! Criterion benchmarks of the engine on the bundled scenarios. Results and the machine they
//! ran on are recorded in BENCHMARKS.md.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};
use sim::engine::{self, Model, RunConfig, TrialRecord, TrialRng};
use sim::model::Compiled;
use sim::scenario;

// The 2025 replay, not the forecast, so that the recorded `trial/istanbul_2025` figures stay
// comparable (the file was renamed when the forecast took its name).
const SCENARIOS: [&str; 2] = ["istanbul_summit", "istanbul_2025_replay"];

fn model(name: &str) -> Compiled {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.json"));
    let loaded = scenario::load(&file).expect("bundled scenario loads");
    sim::model::compile(&loaded).expect("bundled scenario compiles")
}

/// The cost of one trial, single-threaded.
fn one_trial(c: &mut Criterion) {
    let mut group = c.benchmark_group("trial");
    for name in SCENARIOS {
        let m = model(name);
        let mut scratch = m.scratch();
        let mut record = TrialRecord::new(m.layout());
        let mut t = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                m.run_trial(&TrialRng::new(1, t), &mut scratch, &mut record);
                t += 1;
                black_box(&record);
            })
        });
    }
    group.finish();
}

/// A whole run, at two sizes and on one and two threads.
fn whole_run(c: &mut Criterion) {
    let m = model("istanbul_summit");
    let mut group = c.benchmark_group("run");
    group.sample_size(10);
    for trials in [10_000u64, 100_000] {
        group.throughput(Throughput::Elements(trials));
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
            group.bench_with_input(BenchmarkId::new(format!("{threads}-thread"), trials), &trials, |b, &trials| {
                b.iter(|| pool.install(|| black_box(engine::run(&m, RunConfig { trials, seed: 1 }, &|_| {}))))
            });
        }
    }
    group.finish();
}

/// Trials per measured run in the growth benchmarks: enough that the fixed cost of a run
/// (thread pool, tallies) is a small share.
const GROWTH_TRIALS: u64 = 4096;

/// A family of generated scenarios: a name, the sizes to measure, and how to build each.
type Axis = (&'static str, &'static [usize], fn(&Value, usize) -> Value);

/// How the cost of a trial grows with the size of the scenario: the summit scenario with more
/// rounds, settlement issues, options on its ordered issue, mediators, or parties (stakeholders
/// after its two belligerents, which move it to the n-party path of docs/MODEL.md §7b).
fn growth(c: &mut Criterion) {
    let base = summit_json();
    let axes: [Axis; 5] = [
        ("rounds", &[1, 2, 4, 8, 16, 32], with_rounds),
        ("issues", &[4, 6, 10, 18, 32], with_issues),
        ("options", &[2, 4, 8, 16, 32], with_options),
        ("mediators", &[1, 2, 4, 8, 16], with_mediators),
        ("parties", &[2, 3, 4, 6, 8], with_parties),
    ];
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("thread pool");
    for (axis, sizes, grow) in axes {
        let mut group = c.benchmark_group(format!("growth/{axis}"));
        group.sample_size(10).throughput(Throughput::Elements(GROWTH_TRIALS));
        for &n in sizes {
            let m = compile(&grow(&base, n), &format!("{axis}-{n}"));
            group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
                b.iter(|| {
                    pool.install(|| black_box(engine::run(&m, RunConfig { trials: GROWTH_TRIALS, seed: 1 }, &|_| {})))
                })
            });
        }
        group.finish();
    }
    let m = model("istanbul_summit");
    let mut group = c.benchmark_group("growth/trials");
    group.sample_size(10);
    for trials in [1_000u64, 10_000, 100_000, 1_000_000] {
        group.throughput(Throughput::Elements(trials));
        group.bench_with_input(BenchmarkId::from_parameter(trials), &trials, |b, &trials| {
            b.iter(|| pool.install(|| black_box(engine::run(&m, RunConfig { trials, seed: 1 }, &|_| {}))))
        });
    }
    group.finish();
}

/// Trials per measured run of the spatial models' growth: the expected-utility model costs
/// O(n³) per round in the number of actors n, so the large sizes need few trials.
const SPATIAL_TRIALS: u64 = 256;

/// How the cost of a trial of the spatial models grows with the number of actors (compromise
/// and expected utility, 10 rounds) and with the rounds of the expected-utility model (the ten
/// actors of the emission case): generated copies of the emission case, each position drawn
/// within a point of the published one.
fn spatial(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("thread pool");
    let mut bench = |group: String, sizes: &[usize], doc: &dyn Fn(usize) -> Value| {
        let mut group = c.benchmark_group(group);
        group.sample_size(10).throughput(Throughput::Elements(SPATIAL_TRIALS));
        for &n in sizes {
            let bytes = serde_json::to_vec(&doc(n)).expect("JSON");
            let body = scenario::parse(Path::new("generated-spatial.json"), &bytes).unwrap_or_else(|e| panic!("{e}"));
            body.validate(None).unwrap_or_else(|v| panic!("at {}: {}", v.path, v.message));
            let m = sim::model::compile_body(&body, &[]).unwrap_or_else(|v| panic!("at {}: {}", v.path, v.message));
            group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
                b.iter(|| {
                    pool.install(|| black_box(engine::run(&m, RunConfig { trials: SPATIAL_TRIALS, seed: 1 }, &|_| {})))
                })
            });
        }
        group.finish();
    };
    let actors = [2, 4, 8, 16, 32, 64];
    bench("spatial/compromise/actors".into(), &actors, &|n| emissions_like(json!({ "kind": "compromise" }), n));
    let eu = |rounds: usize| json!({ "kind": "expected_utility", "rounds": rounds });
    bench("spatial/expected_utility/actors".into(), &actors, &|n| emissions_like(eu(10), n));
    bench("spatial/expected_utility/rounds".into(), &[1, 2, 5, 10, 20, 40], &|t| emissions_like(eu(t), 10));
}

/// `n` actors cycling through the ten of the EC car-emission case (Bueno de Mesquita 1994),
/// each position uniform within a point of its published one, on a 0–10 issue.
fn emissions_like(model: Value, n: usize) -> Value {
    const CASE: [(f64, f64, f64); 10] = [
        (0.08, 4.0, 0.8),
        (0.08, 7.0, 0.4),
        (0.03, 4.0, 0.2),
        (0.16, 4.0, 0.8),
        (0.16, 10.0, 0.6),
        (0.16, 10.0, 0.6),
        (0.16, 10.0, 0.9),
        (0.05, 7.0, 0.1),
        (0.05, 4.0, 1.0),
        (0.08, 7.0, 0.7),
    ];
    let actors: Vec<Value> = (0..n)
        .map(|i| {
            let (c, x, s) = CASE[i % CASE.len()];
            let position = json!({ "dist": "uniform", "low": (x - 1.0).max(0.0), "high": (x + 1.0).min(10.0), "assumption": "benchmark" });
            json!({ "id": format!("a{i}"), "name": format!("actor {i}"), "capability": c,
                    "positions": { "emissions": { "position": position, "salience": s } } })
        })
        .collect();
    json!({
        "meta": { "title": "benchmark", "description": "generated", "as_of": "1994-12-31", "evidence": "../seeds" },
        "model": model,
        "issues": [{ "id": "emissions", "label": "emission standards", "scale": { "min": 0, "max": 10, "unit": "points", "min_label": "lax", "max_label": "strict" } }],
        "actors": actors,
    })
}

fn summit_json() -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/istanbul_summit.json");
    serde_json::from_slice(&std::fs::read(file).expect("bundled scenario")).expect("bundled scenario is JSON")
}

/// Validates a generated scenario as `sim run` would (evidence included) and compiles it.
fn compile(doc: &Value, name: &str) -> Compiled {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("generated-{name}.json"));
    let bytes = serde_json::to_vec(doc).expect("JSON");
    match scenario::load_bytes(&file, bytes) {
        Ok(loaded) => sim::model::compile(&loaded).unwrap_or_else(|e| panic!("{e}")),
        Err(e) => panic!("generated scenario {name} is invalid: {e}"),
    }
}

/// `n` rounds: the summit's first four repeated in turn under new ids, a month apart; events
/// may fire in any round.
fn with_rounds(base: &Value, n: usize) -> Value {
    let mut doc = base.clone();
    let rounds: Vec<Value> = (0..n)
        .map(|i| {
            let mut r = base["rounds"][i % 4].clone();
            r["id"] = json!(format!("r{i}"));
            r["months_before"] = json!(1.0);
            // A month apart from January 2026, so that the rounds answering questions stay in
            // date order.
            r["date"] = json!(format!("{}-{:02}-01", 2026 + i / 12, i % 12 + 1));
            r
        })
        .collect();
    doc["rounds"] = Value::Array(rounds);
    for ev in doc["events"].as_array_mut().expect("events") {
        ev.as_object_mut().expect("event").remove("rounds");
    }
    doc
}

/// `n` issues: the summit's four plus copies of the guarantees issue (continuous, settlement
/// track), with every salience fixed and rescaled to sum to one.
fn with_issues(base: &Value, n: usize) -> Value {
    let mut doc = base.clone();
    let extra = n.saturating_sub(4);
    let template = base["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .find(|i| i["id"] == "guarantees")
        .expect("guarantees issue")
        .clone();
    let issues = doc["issues"].as_array_mut().expect("issues");
    issues.truncate(n.min(4));
    let kept: Vec<String> = issues.iter().map(|i| i["id"].as_str().expect("id").to_owned()).collect();
    for k in 0..extra {
        let mut issue = template.clone();
        issue["id"] = json!(format!("extra{k}"));
        issues.push(issue);
    }
    for (i, party) in doc["parties"].as_array_mut().expect("parties").iter_mut().enumerate() {
        let positions = party["positions"].as_object_mut().expect("positions");
        positions.retain(|id, _| kept.contains(id));
        let total: f64 = positions.values().map(|p| central(&p["salience"])).sum();
        let share = kept.len() as f64 / (kept.len() + extra) as f64;
        for p in positions.values_mut() {
            p["salience"] = fixed(central(&p["salience"]) / total * share);
        }
        let mut copy = base["parties"][i]["positions"]["guarantees"].clone();
        copy["salience"] = fixed(1.0 / (kept.len() + extra) as f64);
        for k in 0..extra {
            positions.insert(format!("extra{k}"), copy.clone());
        }
    }
    doc
}

/// `n` options on the NATO-status issue, every position on it stretched to the new range.
fn with_options(base: &Value, n: usize) -> Value {
    let mut doc = base.clone();
    let old = base["issues"].as_array().expect("issues").iter().find(|i| i["id"] == "alignment").expect("alignment")["options"]
        .as_array()
        .expect("options")
        .len();
    let stretch = (n - 1) as f64 / (old - 1) as f64;
    for issue in doc["issues"].as_array_mut().expect("issues") {
        if issue["id"] == "alignment" {
            issue["options"] = json!((0..n).map(|o| format!("option {o}")).collect::<Vec<_>>());
            scale(&mut issue["reversion"], stretch);
        }
    }
    for party in doc["parties"].as_array_mut().expect("parties") {
        let position = &mut party["positions"]["alignment"];
        scale(&mut position["ideal"], stretch);
        scale(&mut position["red_line"], stretch);
    }
    doc
}

/// `n` mediators: Türkiye and copies of it, all at every round.
fn with_mediators(base: &Value, n: usize) -> Value {
    let mut doc = base.clone();
    let template = base["mediators"][0].clone();
    let mediators: Vec<Value> = (0..n)
        .map(|j| {
            let mut m = template.clone();
            m["id"] = json!(format!("m{j}"));
            m
        })
        .collect();
    let ids: Vec<Value> = (0..n).map(|j| json!(format!("m{j}"))).collect();
    doc["mediators"] = Value::Array(mediators);
    for round in doc["rounds"].as_array_mut().expect("rounds") {
        round["mediators"] = Value::Array(ids.clone());
    }
    doc
}

/// `n` parties: the summit's two belligerents and `n - 2` copies of a generated stakeholder, a
/// veto player with Ukraine's positions (no red lines), costs, patience and mistrust, whose
/// delegation comes for sure at Ukraine's level in every round. With two it is the summit.
fn with_parties(base: &Value, n: usize) -> Value {
    let mut doc = base.clone();
    let mut template = base["parties"][1].clone();
    let t = template.as_object_mut().expect("party");
    for field in ["capability", "optimism", "curvature", "red_line_pressure"] {
        t.remove(field);
    }
    t.insert("role".into(), json!("stakeholder"));
    for pos in t["positions"].as_object_mut().expect("positions").values_mut() {
        pos.as_object_mut().expect("position").retain(|k, _| k == "ideal" || k == "salience");
    }
    let ukraine = base["parties"][1]["id"].as_str().expect("id").to_string();
    for j in 2..n {
        let id = format!("s{j}");
        let mut p = template.clone();
        p["id"] = json!(id);
        p["name"] = json!(id);
        doc["parties"].as_array_mut().expect("parties").push(p);
        for round in doc["rounds"].as_array_mut().expect("rounds") {
            let mut d = round["delegations"][&ukraine].clone();
            d["attendance"] = json!(1.0);
            round["delegations"][&id] = d;
        }
    }
    doc
}

/// A parameter's central value as the validator sees it (a fixed value or a distribution's
/// mean), for the shapes the summit scenario uses.
fn central(p: &Value) -> f64 {
    if let Some(v) = p.as_f64() {
        return v;
    }
    if let Some(v) = p["value"].as_f64() {
        return v;
    }
    let get = |k: &str| p[k].as_f64().expect("distribution field");
    match p["dist"].as_str().expect("dist") {
        "uniform" => (get("low") + get("high")) / 2.0,
        "triangular" => (get("low") + get("mode") + get("high")) / 3.0,
        "beta" => get("mean"),
        other => panic!("no central value for {other} in the generator"),
    }
}

fn fixed(v: f64) -> Value {
    json!({ "value": v, "assumption": "generated for a benchmark" })
}

/// Multiplies every number of a parameter (value, bounds, mode) by `k`.
fn scale(p: &mut Value, k: f64) {
    match p {
        Value::Number(x) => *p = json!(x.as_f64().expect("number") * k),
        Value::Object(map) => {
            for key in ["value", "low", "mode", "high", "mean", "sd"] {
                if let Some(x) = map.get(key).and_then(Value::as_f64) {
                    map.insert(key.into(), json!(x * k));
                }
            }
        }
        _ => {}
    }
}

/// One settlement solve with concave utilities (curvatures 2 and 1.5, so the inner step takes
/// Newton's method rather than a closed form): three continuous issues and one ordered issue of
/// four options, against the linear solver on the same package.
fn concave_solve(c: &mut Criterion) {
    use sim::model::nash::{self, Choice, Segment};
    let segments = [
        Segment::between(0.1, 0.8, 1.0, 0.0, 0.30, 0.20),
        Segment::between(0.2, 0.9, 0.0, 1.0, 0.15, 0.25),
        Segment::between(0.3, 0.7, 0.9, 0.1, 0.20, 0.15),
    ];
    let gamma = [2.0, 1.5];
    let u = |w: f64, a: f64, g: f64, z: f64| w * (1.0 - (z - a).abs().powf(g));
    let choices = [Choice {
        options: vec![0, 1, 2, 3],
        utility: (0..4)
            .map(|j| j as f64 / 3.0)
            .map(|z| [u(0.35, 1.0, gamma[0], z), u(0.4, 0.0, gamma[1], z)])
            .collect(),
    }];
    let base = [-0.6, 0.2];
    let alpha = [0.45, 0.55];
    assert!(nash::solve_concave(base, &segments, &choices, alpha, gamma).is_some(), "the bench must solve a package");
    let mut group = c.benchmark_group("nash");
    group.bench_function("concave_3x4", |b| {
        b.iter(|| black_box(nash::solve_concave(black_box(base), &segments, &choices, alpha, gamma)))
    });
    let mut order = Vec::new();
    group.bench_function("linear_3x4", |b| {
        b.iter(|| black_box(nash::solve(black_box(base), &segments, &choices, alpha, &mut order)))
    });
    group.finish();
}

/// A fixed random table of `sides` veto players (equal weights) over four continuous issues
/// cut to [0.1, 0.9] and two ordered issues of three options; each side's saliences sum to 1
/// and its disagreement payoff is 0.05 below its utility of the middle positions with the options
/// worst for it, so every combination of options has packages all sides accept.
fn parties_table(sides: usize) -> sim::model::nparty::Table {
    use rand::{Rng, SeedableRng};
    use sim::model::nparty::{Options, Role, Span, Table};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
    let mut uniform = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let ideal: Vec<Vec<f64>> = (0..6).map(|_| (0..sides).map(|_| uniform()).collect()).collect();
    let mut weight: Vec<Vec<f64>> = (0..6).map(|_| (0..sides).map(|_| uniform()).collect()).collect();
    for i in 0..sides {
        let total: f64 = weight.iter().map(|w| w[i]).sum();
        weight.iter_mut().for_each(|w| w[i] /= total);
    }
    let u = |k: usize, i: usize, z: f64| weight[k][i] * (1.0 - (z - ideal[k][i]).abs());
    let spans = (0..4).map(|k| Span { lo: 0.1, hi: 0.9, ideal: ideal[k].clone(), weight: weight[k].clone() }).collect();
    let choices = (4..6)
        .map(|k| Options {
            options: vec![0, 1, 2],
            utility: (0..3).map(|j| (0..sides).map(|i| u(k, i, j as f64 / 2.0)).collect()).collect(),
        })
        .collect();
    let worst = |k: usize, i: usize| (0..3).map(|j| u(k, i, j as f64 / 2.0)).fold(f64::INFINITY, f64::min);
    let base =
        (0..sides).map(|i| -((0..4).map(|k| u(k, i, 0.5)).sum::<f64>() + worst(4, i) + worst(5, i) - 0.05)).collect();
    Table::new(base, vec![Role::Veto(1.0); sides], spans, choices).expect("a valid table")
}

/// How the n-party solvers' cost grows with the number of parties P (all veto players), on
/// [`parties_table`]: the Nash solution and side 0's offer as agenda setter.
fn parties(c: &mut Criterion) {
    use sim::model::nparty;
    let mut group = c.benchmark_group("nparty");
    for sides in [2usize, 3, 4, 6, 8] {
        let table = parties_table(sides);
        assert!(nparty::nash(&table).is_some(), "the bench must solve a package");
        assert!(nparty::setter(&table, 0).is_some(), "the bench must find an offer");
        group.bench_with_input(BenchmarkId::new("solve", sides), &table, |b, t| {
            b.iter(|| black_box(nparty::nash(black_box(t))))
        });
        group.bench_with_input(BenchmarkId::new("setter", sides), &table, |b, t| {
            b.iter(|| black_box(nparty::setter(black_box(t), 0)))
        });
    }
    group.finish();
}

criterion_group!(benches, one_trial, whole_run, growth, spatial, concave_solve, parties);
criterion_main!(benches);
