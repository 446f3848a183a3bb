//! Monte Carlo error: the reported standard error is the measured spread of estimates across
//! seeds and shrinks as 1/sqrt(n), independent seeds agree within their errors, reported
//! intervals are the Wilson intervals of their counts.

use sim::engine::stats::{Z95, standard_error, wilson};
use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor};

use crate::util::{Estimate, summit_report};

pub const SEED_A: u64 = 20_251_119;
const SEED_B: u64 = 7_777;

/// Trials of the bundled scenario's reports shared by several tests (computed once).
pub fn shared_trials() -> u64 {
    16_000
}

fn ceasefire_reached(trials: u64, seed: u64) -> Estimate {
    summit_report(trials, seed).rounds.last().expect("rounds").ceasefire_reached
}

/// The reported standard error is the actual spread of the estimate: `SEEDS` independent runs of
/// n trials give `SEEDS` estimates of P(ceasefire by the end) whose sample variance s^2, against
/// the reported se^2 (its mean over the runs), satisfies (K-1) s^2 / se^2 ~ chi^2(K-1) (the
/// estimates are near normal at these n). And the error shrinks as 1/sqrt(n), measured: with
/// four times the trials, (s1^2 / se1^2) / (s2^2 / se2^2) ~ F(K-1, K-1). Each is checked at
/// two-sided level 1e-4; a standard error reported 1.5 times too large or too small fails.
#[test]
fn the_measured_spread_of_estimates_is_the_reported_standard_error() {
    const SEEDS: u64 = 128;
    let n1 = 500;
    let n2 = 4 * n1;
    let df = (SEEDS - 1) as f64;
    let chi2 = ChiSquared::new(df).expect("chi-square law");
    let (lo, hi) = (chi2.inverse_cdf(0.5e-4), chi2.inverse_cdf(1.0 - 0.5e-4));
    let mut ratios = Vec::new();
    for n in [n1, n2] {
        let estimates: Vec<Estimate> = (0..SEEDS).map(|k| ceasefire_reached(n, 1_000 + k)).collect();
        let mean = estimates.iter().map(|e| e.p).sum::<f64>() / SEEDS as f64;
        let s2 = estimates.iter().map(|e| (e.p - mean).powi(2)).sum::<f64>() / df;
        let se2 = estimates.iter().map(|e| e.se * e.se).sum::<f64>() / SEEDS as f64;
        let statistic = df * s2 / se2;
        assert!(
            (lo..=hi).contains(&statistic),
            "n = {n}: measured sd {:.5} against reported se {:.5}: (K-1) s^2/se^2 = {statistic:.1} outside [{lo:.1}, {hi:.1}]",
            s2.sqrt(),
            se2.sqrt()
        );
        ratios.push(s2 / se2);
    }
    let f = FisherSnedecor::new(df, df).expect("F law");
    let (f_lo, f_hi) = (f.inverse_cdf(0.5e-4), f.inverse_cdf(1.0 - 0.5e-4));
    let ratio = ratios[0] / ratios[1];
    assert!(
        (f_lo..=f_hi).contains(&ratio),
        "the measured variance at {n1} and {n2} trials does not shrink as 1/n: {ratio:.3} outside [{f_lo:.3}, {f_hi:.3}]"
    );
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
