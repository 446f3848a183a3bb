//! Variance-based sensitivity (`sim::study::sobol`) against functions whose Sobol indices are
//! known in closed form, run as models through the same code path as scenarios: the Ishigami
//! function (a = 7, b = 0.1), the Sobol g-function, and a Bernoulli output whose noise share is
//! known. Each estimate must lie within z bootstrap standard errors of the truth, z set for a
//! family-wise error of 1% over all the checks of a test (Bonferroni), the standard error read
//! off the 95% percentile interval as its width / (2 × 1.96).

use std::f64::consts::PI;

use sim::engine::rng::uniform01;
use sim::engine::{Inputs, Layout, Model, Name, RoundInfo, Site, TrialRecord, TrialRng, ValueSpec};
use sim::study::sobol::{Column, Index, Indices, Options, Output, sobol};

/// A function of `k` independent inputs, each drawn uniform on `range` from the trial's
/// stream `inputs`; with `noisy`, the output is 1 with probability f(x) (a uniform of the
/// stream `noise`), else f(x) itself, reported as the round's value.
struct Function {
    layout: Layout,
    k: usize,
    range: (f64, f64),
    f: fn(&[f64]) -> f64,
    noisy: bool,
}

impl Function {
    fn new(k: usize, range: (f64, f64), f: fn(&[f64]) -> f64, noisy: bool) -> Function {
        let layout = Layout {
            model: "function".into(),
            rounds: vec![RoundInfo { id: "r1".into(), label: "evaluation".into(), date: None }],
            outcomes: vec![Name::new("done", "done")],
            stack: vec![0],
            flags: vec![],
            values: vec![ValueSpec { key: "y".into(), label: "y".into(), unit: "".into(), min: -1e3, max: 1e3 }],
            events: vec![],
            questions: vec![],
            figures: vec![],
            headline: vec![],
            per_round: vec![],
            headline_values: vec![],
        };
        Function { layout, k, range, f, noisy }
    }
}

impl Model for Function {
    type Scratch = Vec<f64>;

    fn layout(&self) -> &Layout {
        &self.layout
    }

    fn scratch(&self) -> Vec<f64> {
        vec![0.0; self.k]
    }

    fn run_trial(&self, rng: &TrialRng, x: &mut Vec<f64>, record: &mut TrialRecord) {
        let mut inputs = std::mem::take(x);
        self.draw_inputs(rng, &mut Vec::new(), &mut inputs);
        self.run_with_inputs(rng, &mut Vec::new(), &inputs, record);
        *x = inputs;
    }
}

impl Inputs for Function {
    fn input_keys(&self) -> Vec<String> {
        (1..=self.k).map(|i| format!("x{i}")).collect()
    }

    fn draw_inputs(&self, rng: &TrialRng, _: &mut Vec<f64>, inputs: &mut [f64]) {
        let mut s = rng.stream(Site::named("inputs"));
        for x in inputs {
            *x = self.range.0 + (self.range.1 - self.range.0) * uniform01(&mut s);
        }
    }

    fn run_with_inputs(&self, rng: &TrialRng, _: &mut Vec<f64>, inputs: &[f64], record: &mut TrialRecord) {
        let y = (self.f)(inputs);
        record.outcome[0] = 0;
        record.values_mut(0)[0] =
            if self.noisy { f64::from(u8::from(uniform01(&mut rng.stream(Site::named("noise"))) < y)) } else { y };
    }
}

fn singles(k: usize) -> Vec<Column> {
    (0..k).map(|i| Column { key: format!("x{}", i + 1), members: vec![i] }).collect()
}

fn run(model: &Function, columns: &[Column], rows: u64) -> Indices {
    let opts = Options { rows, seed: 11, resamples: 200 };
    sobol(model, Output::Value(0), columns, opts, &|_| {}).expect("the design runs")
}

/// Φ⁻¹(1 − α/2) by bisection on the error function's complement (erfc from its continued
/// fraction would do as well; bisection keeps the test free of a numerics crate).
pub(crate) fn z_two_sided(alpha: f64) -> f64 {
    // Φ(z) via the Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7.
    let phi = |z: f64| {
        let x = z / std::f64::consts::SQRT_2;
        let t = 1.0 / (1.0 + 0.3275911 * x.abs());
        let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        let erf = 1.0 - poly * (-x * x).exp();
        0.5 * (1.0 + erf.copysign(x))
    };
    let (mut lo, mut hi) = (0.0, 10.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if 1.0 - phi(mid) > alpha / 2.0 { lo = mid } else { hi = mid }
    }
    0.5 * (lo + hi)
}

/// Checks each (estimate, truth) pair: |estimate − truth| ≤ z se, family-wise error 1%.
pub(crate) fn check(what: &str, pairs: &[(String, Index, f64)]) {
    let z = z_two_sided(0.01 / pairs.len() as f64);
    for (name, index, truth) in pairs {
        let (value, [lo, hi]) = (index.value.expect("an index"), index.ci95.expect("an interval"));
        let se = (hi - lo) / (2.0 * 1.959964);
        assert!(se > 0.0, "{what} {name}: a zero-width interval");
        assert!(
            (value - truth).abs() <= z * se,
            "{what} {name}: {value:.4} (95% [{lo:.4}, {hi:.4}]) is more than {z:.2} se from the true {truth:.4}"
        );
    }
}

fn pairs(ix: &Indices, first: &[f64], total: &[f64]) -> Vec<(String, Index, f64)> {
    let mut out = Vec::new();
    for (c, (s, t)) in ix.columns.iter().zip(first.iter().zip(total)) {
        out.push((format!("S {}", c.key), c.first, *s));
        out.push((format!("T {}", c.key), c.total, *t));
    }
    out
}

fn ishigami(x: &[f64]) -> f64 {
    let (a, b) = (7.0, 0.1);
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

/// Ishigami and Homma (1990); indices as in Saltelli et al. (2008), §4.
#[test]
fn ishigami_indices() {
    let (a, b) = (7.0f64, 0.1f64);
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    let model = Function::new(3, (-PI, PI), ishigami, false);
    let ix = run(&model, &singles(3), 20_000);
    assert!((ix.variance - v).abs() < 0.05 * v, "variance {} vs {v}", ix.variance);
    check("ishigami", &pairs(&ix, &[v1 / v, v2 / v, 0.0], &[(v1 + v13) / v, v2 / v, v13 / v]));
    // No noise: the rounds' randomness explains nothing, exactly.
    assert_eq!(ix.residual.value, Some(0.0));
}

const G_A: [f64; 6] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];

fn g_function(x: &[f64]) -> f64 {
    x.iter().zip(G_A).map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a)).product()
}

/// Sobol's g-function: V_i = 1 / (3 (1 + a_i)²), V = Π (1 + V_i) − 1, S_i = V_i / V,
/// T_i = V_i Π_{j≠i} (1 + V_j) / V; a group's closed index is Π_{i∈G} (1 + V_i) − 1 over V.
#[test]
fn g_function_indices_and_a_group() {
    let vi: Vec<f64> = G_A.iter().map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a))).collect();
    let v = vi.iter().map(|x| 1.0 + x).product::<f64>() - 1.0;
    let first: Vec<f64> = vi.iter().map(|x| x / v).collect();
    let total: Vec<f64> = vi.iter().map(|x| x * vi.iter().map(|y| 1.0 + y).product::<f64>() / (1.0 + x) / v).collect();
    let mut columns = singles(6);
    columns.push(Column { key: "x1+x2".into(), members: vec![0, 1] });
    let model = Function::new(6, (0.0, 1.0), g_function, false);
    let ix = run(&model, &columns, 20_000);
    let mut p = pairs(&ix, &first, &total);
    let closed = ((1.0 + vi[0]) * (1.0 + vi[1]) - 1.0) / v;
    let group_total = 1.0 - ((1.0 + vi[2]) * (1.0 + vi[3]) * (1.0 + vi[4]) * (1.0 + vi[5]) - 1.0) / v;
    let g = &ix.columns[6];
    p.push(("S x1+x2".into(), g.first, closed));
    p.push(("T x1+x2".into(), g.total, group_total));
    check("g-function", &p);
}

/// A 0/1 output Y = 1[U < x1] with U the trial's own randomness, x1 and x2 uniform on [0, 1],
/// x2 unused. Var Y = 1/4; S1 = Var E[Y | x1] / Var Y = (1/12) / (1/4) = 1/3; T1 counts x1's
/// interaction with U: E_U[Var_x1 1[U < x1]] / Var Y = E[U (1 − U)] / (1/4) = 2/3; the residual
/// (U's total index) is E[x1 (1 − x1)] / Var Y = 2/3; x2's indices are exactly 0.
#[test]
fn the_noise_of_a_bernoulli_output_is_its_residual_share() {
    let model = Function::new(2, (0.0, 1.0), |x| x[0], true);
    let ix = run(&model, &singles(2), 40_000);
    let mut p = pairs(&ix, &[1.0 / 3.0], &[2.0 / 3.0]);
    p.push(("residual".into(), ix.residual, 2.0 / 3.0));
    check("bernoulli", &p);
    assert!((ix.variance - 0.25).abs() < 0.01, "Var Y {}", ix.variance);
    assert_eq!((ix.columns[1].first.value, ix.columns[1].total.value), (Some(0.0), Some(0.0)));
}

/// The same design gives the same indices at any thread count (integer sums).
#[test]
fn indices_are_the_same_at_any_thread_count() {
    let model = Function::new(3, (-PI, PI), ishigami, false);
    let at = |threads| {
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| run(&model, &singles(3), 3000))
    };
    assert_eq!(at(1), at(2));
}

/// The contract `Inputs` promises and the design rests on: a trial run with the inputs it
/// draws is the trial `run_trial` runs, for the bundled scenarios' model.
#[test]
fn mediated_nash_runs_a_trial_the_same_with_its_own_inputs() {
    for file in [crate::util::SUMMIT, "scenarios/istanbul_2025.json"] {
        let loaded = sim::scenario::load(&crate::util::root().join(file)).expect("loads");
        let model = sim::model::compile(&loaded).expect("compiles");
        let (mut scratch, mut own, mut given) =
            (model.scratch(), TrialRecord::new(model.layout()), TrialRecord::new(model.layout()));
        let mut inputs = vec![0.0; model.input_keys().len()];
        assert!(!inputs.is_empty());
        for t in 0..300 {
            let rng = TrialRng::new(5, t);
            model.run_trial(&rng, &mut scratch, &mut own);
            model.draw_inputs(&rng, &mut scratch, &mut inputs);
            model.run_with_inputs(&rng, &mut scratch, &inputs, &mut given);
            assert_eq!(own, given, "{file}, trial {t}");
        }
    }
}

/// `sim sensitivity --method sobol`: the same bytes on 1 and 2 threads, the JSON read back
/// with an index per input and the groups by provenance.
#[test]
fn sim_sensitivity_sobol_is_the_same_at_any_thread_count() {
    let out = |threads: &str, format: &str| {
        let args = ["sensitivity", crate::util::SUMMIT, "--method", "sobol", "-n", "300", "--resamples", "20"];
        let mut args: Vec<&str> = args.to_vec();
        args.extend(["-j", threads, "-f", format]);
        crate::util::success(&crate::util::sim_output(args)).to_vec()
    };
    for format in ["table", "json", "csv", "markdown"] {
        assert_eq!(out("1", format), out("2", format), "{format}");
    }
    let json: serde_json::Value = serde_json::from_slice(&out("2", "json")).unwrap();
    assert_eq!(json["method"], "sobol");
    assert_eq!(
        json["trials"].as_u64(),
        Some(300 * (json["inputs"].as_array().unwrap().len() + json["groups"].as_array().unwrap().len() + 3) as u64)
    );
    let groups: Vec<&str> = json["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert!(groups.contains(&"provenance:evidence") && groups.contains(&"party:russia"), "{groups:?}");
}

/// A Sobol study cut into 3 shards merges to the bytes of the whole study in every format; a
/// part whose sums were edited is refused; `--shard` without `--method sobol` is a usage error.
#[test]
fn a_sharded_sobol_study_merges_to_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let base = ["sensitivity", crate::util::SUMMIT, "--method", "sobol", "-n", "301", "--resamples", "20", "-q"];
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend(extra);
        crate::util::sim_output(args)
    };
    let parts: Vec<String> =
        (1..=3).map(|k| dir.path().join(format!("p{k}.json")).to_str().unwrap().to_string()).collect();
    for (k, part) in parts.iter().enumerate() {
        crate::util::success(&run(&["--shard", &format!("{}/3", k + 1), "-o", part]));
    }
    for format in ["table", "json", "csv", "markdown"] {
        let whole = crate::util::success(&run(&["-f", format])).to_vec();
        let merged = crate::util::sim_output(["merge", &parts[2], &parts[0], &parts[1], "-f", format]);
        assert_eq!(crate::util::success(&merged), whole.as_slice(), "{format}");
    }
    let mut part: serde_json::Value = serde_json::from_slice(&std::fs::read(&parts[1]).unwrap()).unwrap();
    part["result"]["sobol"]["sums"]["v"][0] = serde_json::json!("1");
    std::fs::write(&parts[1], serde_json::to_vec(&part).unwrap()).unwrap();
    let out = crate::util::sim_output(["merge", &parts[0], &parts[1], &parts[2]]);
    assert_eq!(out.status.code(), Some(2));
    assert!(crate::util::stderr_of(&out).contains("inconsistent aggregates"), "{}", crate::util::stderr_of(&out));

    let oat =
        crate::util::sim_output(["sensitivity", crate::util::SUMMIT, "-n", "10", "--shard", "1/2", "-o", &parts[0]]);
    assert_eq!(oat.status.code(), Some(2));
    assert!(crate::util::stderr_of(&oat).contains("--method sobol"));
}
