//! Extreme legal inputs (issue 13): every numeric parameter has a finite range
//! (`sim::scenario::walk`), and any scenario within the ranges must run without a panic and
//! compute only finite numbers. Each case gives a few parameters of a bundled scenario laws at
//! the edges of their ranges: a fixed value at either bound, the whole range, a sliver of it,
//! triangles with the mode at a bound, truncated normals with tiny and huge sds, betas with
//! extreme means and the smallest and largest spreads allowed; sometimes the battlefield issue's
//! scale is widened to its own bound. Such a scenario may still break a rule of the model (two
//! ideals that overlap, saliences that no longer sum to 1); then it must be refused in one line
//! by the model's compile step, never by a range check, since every value drawn is in range.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};
use serde_json::{Value, json};
use sim::engine::{Model, TrialRecord, TrialRng};
use sim::scenario::walk::{Bound, SCALE_MAX, pointer};

use crate::util::{root, seeds_dir, set, summit};

const TRIALS: u64 = 24;

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(13),
        ..Config::default()
    }
}

fn scenarios() -> Vec<Value> {
    // The summit (calendar time, red lines that move with the front, standing channels,
    // leaders who come only to sign) with concave utilities (curvature drawn over its whole
    // range) and an implementation hazard, so that the concave solver and the breakdown of
    // agreements meet the extremes too.
    let mut curved = summit();
    for i in 0..2 {
        set(&mut curved, &format!("parties[{i}].curvature"), json!({ "dist": "uniform", "low": 1.0, "high": 4.0 }));
    }
    set(&mut curved, "model.implementation_hazard_per_month", json!({ "dist": "uniform", "low": 0.0, "high": 1.0 }));
    // Red lines that give under pressure at a cost, on the territory line that moves with the
    // front and on the fixed guarantees line, with side 0 concave: the pieces and both solvers.
    let mut giving = summit();
    for i in 0..2 {
        for (issue, give, cost) in [("territory", 0.1, 0.5), ("guarantees", 5.0, 0.01)] {
            set(&mut giving, &format!("parties[{i}].positions.{issue}.red_line_give"), json!(give));
            set(&mut giving, &format!("parties[{i}].positions.{issue}.past_red_line_cost"), json!(cost));
        }
        set(&mut giving, &format!("parties[{i}].red_line_pressure"), json!(0.05));
    }
    set(&mut giving, "parties[0].curvature", json!({ "dist": "uniform", "low": 1.0, "high": 4.0 }));
    let mut all = vec![summit(), curved, giving];
    for file in ["istanbul_2025.json", "istanbul_2025_replay.json", "istanbul_classic.json", "bdm1994_emissions.json"] {
        let text = std::fs::read_to_string(root().join("scenarios").join(file)).expect("bundled scenario");
        let mut other: Value = serde_json::from_str(&text).expect("JSON");
        set(&mut other, "meta.evidence", json!(seeds_dir()));
        all.push(other);
    }
    all
}

/// The interval a law of the parameter may fill: its range with open ends moved to the nearest
/// allowed value.
fn interval(bound: Bound) -> (f64, f64) {
    match bound {
        Bound::Closed(lo, hi) => (lo, hi),
        Bound::Positive(hi) => (f64::MIN_POSITIVE, hi),
        // serde_json reads 1 - 2^-53 as 1 (it parses floats fast rather than exactly).
        Bound::OpenUnit => (f64::MIN_POSITIVE, 1.0 - 1e-15),
        other => unreachable!("the walker resolves {other:?}"),
    }
}

/// Law `kind` (with `variant` picking among betas) filling `[lo, hi]` at its edges, as JSON.
fn law(kind: usize, variant: usize, lo: f64, hi: f64) -> Value {
    let width = hi - lo;
    match kind {
        0 => json!(lo),
        1 => json!(hi),
        2 if width > 0.0 => json!({ "dist": "uniform", "low": lo, "high": hi }),
        3 if width > 0.0 => {
            // The narrowest sliver above `lo` that is still an interval.
            let high = (lo + width * 1e-12).max(next_up(lo));
            json!({ "dist": "uniform", "low": lo, "high": high })
        }
        4 if width > 0.0 => json!({ "dist": "triangular", "low": lo, "mode": lo, "high": hi }),
        5 if width > 0.0 => json!({ "dist": "triangular", "low": lo, "mode": hi, "high": hi }),
        6 if width > 0.0 => {
            let sd = if variant.is_multiple_of(2) { width * 1e-12 } else { width * 1e5 };
            json!({ "dist": "truncated_normal", "mean": hi, "sd": sd, "low": lo, "high": hi })
        }
        7 if lo <= 0.0 && hi >= 1.0 => {
            let mean: f64 = [1e-9, 0.5, 1.0 - 1e-9][variant % 3];
            let widest = (mean * (1.0 - mean)).sqrt();
            // A spread so small the shapes are near 1e300, or nearly the largest allowed.
            let spread = if variant < 3 { widest * 1e-150 } else { widest * 0.999 };
            json!({ "dist": "beta", "mean": mean, "spread": spread })
        }
        _ => json!(0.5 * (lo + hi)),
    }
}

fn next_up(x: f64) -> f64 {
    if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

/// Checks one compiled scenario: trials run, every draw and every term is finite, and the
/// story of a trial never mentions an infinite or undefined number.
fn runs_finite(model: &sim::model::Compiled, seed: u64) -> Result<(), TestCaseError> {
    let mut scratch = model.scratch();
    let mut record = TrialRecord::new(model.layout());
    for t in 0..TRIALS {
        let rng = TrialRng::new(seed, t);
        model.run_trial(&rng, &mut scratch, &mut record);
        prop_assert!(record.terms.iter().all(|x| x.is_finite()), "trial {t}: terms {:?}", record.terms);
        let Some(nash) = model.nash() else { continue };
        let trace = nash.trace(&rng);
        for (key, x) in &trace.draws {
            prop_assert!(x.is_finite(), "trial {t}: {key} drawn as {x}");
        }
        for (round, note) in &trace.notes {
            // Whole words: a label may well contain "inf" ("energy infrastructure").
            let mut words = note.split(|c: char| !c.is_alphanumeric());
            prop_assert!(!words.any(|w| w == "NaN" || w == "inf"), "trial {t}, round {round}: {note}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(192))]

    #[test]
    fn extreme_legal_values_run_with_finite_numbers(
        which in 0usize..7,
        wide_scale in any::<bool>(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), 0usize..9, 0usize..6), 1..=5),
    ) {
        let mut doc = scenarios().swap_remove(which);
        if wide_scale {
            // The battlefield issue is the first in every bargaining scenario; its scale at the
            // bound widens the ranges of the front, drift, volatility, optimism and shifts with it
            // (in a spatial scenario, the first issue's positions).
            set(&mut doc, "issues[0].scale.min", json!(-SCALE_MAX));
            set(&mut doc, "issues[0].scale.max", json!(SCALE_MAX));
        }
        let file = Path::new("extreme.json");
        for (index, kind, variant) in &picks {
            let parsed = sim::scenario::parse(file, &serde_json::to_vec(&doc).expect("JSON")).expect("parses");
            let params = parsed.params();
            let p = &params[index.index(params.len())];
            let (lo, hi) = interval(p.bound);
            let value = law(*kind, *variant, lo, hi);
            *doc.pointer_mut(&pointer(&p.path)).expect("the parameter is there") = value;
        }
        let bytes = serde_json::to_vec(&doc).expect("JSON");
        let loaded = sim::scenario::load_bytes(file, bytes).map_err(|e| TestCaseError::fail(format!("in range, yet refused: {e}")))?;
        match sim::model::compile(&loaded) {
            Err(e) => {
                let message = e.to_string();
                prop_assert!(!message.contains('\n'), "{message}");
            }
            Ok(model) => runs_finite(&model, loaded.body.run().seed)?,
        }
    }
}

/// Learning at its bound (λ = 1) under a full ceasefire: the war step's exponent is 0, and
/// the share of optimism kept must be 1, not 0 × ln 0 (NaN in every later belief). The summit
/// signs a full ceasefire in about a tenth of its trials by its second round, so 200 trials
/// meet it.
#[test]
fn full_learning_under_a_full_ceasefire_stays_finite() {
    let mut doc = summit();
    set(&mut doc, "model.learning_per_month", json!(1.0));
    let file = Path::new("extreme.json");
    let loaded = sim::scenario::load_bytes(file, serde_json::to_vec(&doc).expect("JSON")).expect("valid");
    let model = sim::model::compile(&loaded).expect("compiles");
    let nash = model.nash().expect("a bargaining model");
    let mut truces = 0;
    for t in 0..200 {
        let trace = nash.trace(&TrialRng::new(1, t));
        truces += usize::from(trace.notes.iter().any(|(_, n)| n.contains("ceasefire signed: full")));
        for (round, note) in &trace.notes {
            let mut words = note.split(|c: char| !c.is_alphanumeric());
            assert!(!words.any(|w| w == "NaN" || w == "inf"), "trial {t}, round {round}: {note}");
        }
    }
    assert!(truces > 0, "no full ceasefire in 200 trials: the test proves nothing");
}
