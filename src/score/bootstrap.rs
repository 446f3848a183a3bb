//! The case-level bootstrap (Efron & Tibshirani 1993; docs/SCORING.md §6): whole cases drawn
//! with replacement, percentile intervals. Seeded and independent of the thread count.

use rand::Rng;
use rayon::prelude::*;

use crate::engine::{Site, TrialRng};

/// The random sub-stream of resample `b`: site `score:bootstrap` of stream `b` of the ChaCha8
/// generator keyed by the seed, as the engine keys trials (docs/MODEL.md §8).
pub const SITE: &str = "score:bootstrap";

/// For each resample b = 0..resamples: draws as many cases as `sums` holds, each uniformly with
/// replacement (index = floor(u C / 2^64) of a 64-bit word u), and adds their sum vectors in
/// the order drawn. Rayon spreads the resamples over threads; each is computed alone, so the
/// result does not depend on the thread count.
pub fn resample(sums: &[Vec<f64>], resamples: u32, seed: u64) -> Vec<Vec<f64>> {
    let cases = sums.len();
    let width = sums.first().map_or(0, Vec::len);
    let site = Site::named(SITE);
    (0..resamples)
        .into_par_iter()
        .map(|b| {
            let mut rng = TrialRng::new(seed, u64::from(b)).stream(site);
            let mut total = vec![0.0; width];
            for _ in 0..cases {
                let i = ((u128::from(rng.next_u64()) * cases as u128) >> 64) as usize;
                for (t, s) in total.iter_mut().zip(&sums[i]) {
                    *t += s;
                }
            }
            total
        })
        .collect()
}

/// The 95% percentile interval of `values` (NaN values, statistics undefined in a resample,
/// are left out): the sorted values' entries floor(0.025 m) and ceil(0.975 m) - 1, 0-based, of
/// the m that remain. `None` when none remain.
pub fn percentile_interval(values: impl Iterator<Item = f64>) -> (Option<[f64; 2]>, u32) {
    let mut v: Vec<f64> = values.filter(|x| !x.is_nan()).collect();
    let m = v.len();
    if m == 0 {
        return (None, 0);
    }
    v.sort_by(f64::total_cmp);
    let lo = (0.025 * m as f64).floor() as usize;
    let hi = ((0.975 * m as f64).ceil() as usize).max(1) - 1;
    (Some([v[lo], v[hi]]), m as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_leave_two_and_a_half_percent_each_side() {
        let (ci, m) = percentile_interval((0..2000).rev().map(f64::from));
        assert_eq!((ci, m), (Some([50.0, 1949.0]), 2000));
        let (ci, m) = percentile_interval([3.0, f64::NAN, 1.0].into_iter());
        assert_eq!((ci, m), (Some([1.0, 3.0]), 2));
        assert_eq!(percentile_interval([f64::NAN].into_iter()), (None, 0));
    }

    #[test]
    fn resamples_draw_every_case_about_equally() {
        // Case i contributes the unit vector e_i; over 2000 resamples of 4 cases each case is
        // drawn Binomial(8000, 1/4) times: 2000 ± 38.7 (sd), so ± 200 is over 5 sd.
        let sums: Vec<Vec<f64>> = (0..4).map(|i| (0..4).map(|j| f64::from(u8::from(i == j))).collect()).collect();
        let totals = resample(&sums, 2000, 7);
        for j in 0..4 {
            let drawn: f64 = totals.iter().map(|t| t[j]).sum();
            assert!((drawn - 2000.0).abs() < 200.0, "case {j} drawn {drawn} times");
        }
        assert!(totals.iter().all(|t| t.iter().sum::<f64>() == 4.0));
        assert_ne!(totals, resample(&sums, 2000, 8), "the seed keys the draws");
    }
}
