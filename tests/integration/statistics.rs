//! Monte Carlo error: standard errors shrink as 1/sqrt(n), independent seeds agree within
//! their errors, reported intervals are the Wilson intervals of their counts.

use sim::engine::stats::{Z95, standard_error, wilson};

use crate::util::{Estimate, summit_report};

pub const SEED_A: u64 = 20_251_119;
const SEED_B: u64 = 7_777;

/// Trials of the bundled scenario's reports shared by several tests (computed once).
pub fn shared_trials() -> u64 {
    16_000
}

fn ceasefire_reached(trials: u64, seed: u64) -> Estimate {
    summit_report(trials, seed).ceasefire.as_ref().expect("the bundled scenario has a ceasefire issue").reached
}

/// se(n) = sqrt(p(1-p)/n), so se(n) / se(4n) = 2 sqrt(v1 / v2) with v = p(1-p) estimated at
/// each n. The ratio is not exactly 2 because p-hat moves: by the delta method
/// d ln sqrt(v) = (1 - 2p) / (2v) dp and Var(p-hat) = v / n, so
/// sd(ln ratio) <= |1 - 2p| / (2 sqrt v) * sqrt(1/n1 + 1/n2) (the bound ignores the positive
/// correlation between the nested runs, which only narrows the ratio), plus a second-order
/// term of order 1/n1. With p near 0.25 (the bundled scenario), n1 = 4000 and n2 = 16000,
/// four such sds (+ 2/n1) give about [1.92, 2.08], inside the [1.9, 2.1] of the brief, which is
/// then asserted as well.
#[test]
fn standard_error_shrinks_as_one_over_root_n() {
    let n2 = shared_trials();
    let n1 = n2 / 4;
    let (e1, e2) = (ceasefire_reached(n1, SEED_A), ceasefire_reached(n2, SEED_A));
    for (e, n) in [(e1, n1), (e2, n2)] {
        assert!(0 < e.count && e.count < n, "p-hat must be inside (0, 1) for the ratio to mean anything: {e:?}");
        assert!((e.se - standard_error(e.count, n)).abs() <= 1e-15, "reported se {} for {}/{n}", e.se, e.count);
    }
    let ratio = e1.se / e2.se;
    let p = e2.p;
    let v = p * (1.0 - p);
    let sd_log = (1.0 - 2.0 * p).abs() / (2.0 * v.sqrt()) * (1.0 / n1 as f64 + 1.0 / n2 as f64).sqrt();
    let tolerance = 4.0 * sd_log + 2.0 / n1 as f64;
    assert!(
        (ratio / 2.0).ln().abs() <= tolerance,
        "se({n1}) / se({n2}) = {ratio}, expected 2 within a factor exp(±{tolerance:.4}) (p = {p})"
    );
    assert!((1.9..=2.1).contains(&ratio), "ratio {ratio}");
}

/// Two independent seeds estimate the same probability: their difference is normal with sd
/// sqrt(se_A^2 + se_B^2), so it exceeds four of those with probability 6e-5.
#[test]
fn independent_seeds_agree_within_their_standard_errors() {
    let n = 64_000;
    let (a, b) = (ceasefire_reached(n, SEED_A), ceasefire_reached(n, SEED_B));
    let bound = 4.0 * (a.se * a.se + b.se * b.se).sqrt();
    assert!((a.p - b.p).abs() < bound, "seed {SEED_A}: {}, seed {SEED_B}: {}, bound {bound}", a.p, b.p);
    // The seed does change the random numbers.
    let (ra, rb) = (summit_report(n, SEED_A), summit_report(n, SEED_B));
    let counts = |r: &crate::util::Report| r.estimates().iter().map(|(_, e)| e.count).collect::<Vec<_>>();
    assert_ne!(counts(ra), counts(rb), "two seeds gave the same counts everywhere");
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[test]
fn wilson_interval_matches_known_values() {
    let (lo, hi) = wilson(30, 100, Z95);
    assert_eq!((round3(lo), round3(hi)), (0.219, 0.396));
    let (lo, hi) = wilson(0, 50, Z95);
    assert_eq!((lo, round3(hi)), (0.0, 0.071));
    let (lo, hi) = wilson(50, 50, Z95);
    assert_eq!((round3(lo), hi), (0.929, 1.0));
    assert_eq!(wilson(0, 0, Z95), (0.0, 1.0));
}

/// Every per-round estimate of a report carries p = count / n, the standard error and the
/// Wilson interval of its count (up to the last digit of the JSON round trip).
#[test]
fn reported_estimates_are_their_counts_intervals() {
    let n = shared_trials();
    let r = summit_report(n, SEED_A);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-15;
    for round in &r.rounds {
        let named = round.outcomes.all().map(|(name, e)| (name, *e));
        let cumulative = [
            ("ceasefire_reached", round.ceasefire_reached),
            ("settlement_reached", round.settlement_reached),
            ("ceasefire_in_force", round.ceasefire_in_force),
        ];
        for (name, e) in named.into_iter().chain(cumulative) {
            let (lo, hi) = wilson(e.count, n, Z95);
            assert!(
                close(e.p, e.count as f64 / n as f64)
                    && close(e.se, standard_error(e.count, n))
                    && close(e.ci95[0], lo)
                    && close(e.ci95[1], hi),
                "round {}, {name}: {e:?} is not the estimate of {}/{n}",
                round.id,
                e.count
            );
            assert!(e.ci95[0] <= e.p && e.p <= e.ci95[1], "round {}, {name}: p outside its interval", round.id);
        }
    }
}
