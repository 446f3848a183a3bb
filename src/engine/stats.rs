//! Estimates and their uncertainty.

use serde::{Deserialize, Serialize};

/// Two-sided 95% normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score interval for `k` successes in `n` trials at normal quantile `z`.
pub fn wilson(k: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n_f = n as f64;
    let p = k as f64 / n_f;
    let z2 = z * z;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = z * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    // At k = 0 or k = n the interval touches the bound exactly.
    let lo = if k == 0 { 0.0 } else { (centre - half).max(0.0) };
    let hi = if k == n { 1.0 } else { (centre + half).min(1.0) };
    (lo, hi)
}

/// Monte Carlo standard error of a proportion estimated from `k` of `n`.
pub fn standard_error(k: u64, n: u64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let p = k as f64 / n as f64;
    (p * (1.0 - p) / n as f64).sqrt()
}

/// The `q` quantile of values binned into `bins` equal bins over [min, max], interpolating
/// linearly within the bin that holds it. `None` when the histogram is empty.
pub fn histogram_quantile(bins: &[u64], min: f64, max: f64, q: f64) -> Option<f64> {
    let n: u64 = bins.iter().sum();
    if n == 0 {
        return None;
    }
    let width = (max - min) / bins.len() as f64;
    let target = q.clamp(0.0, 1.0) * n as f64;
    let mut below = 0u64;
    for (i, &count) in bins.iter().enumerate() {
        if count > 0 && (below + count) as f64 >= target {
            let frac = ((target - below as f64) / count as f64).clamp(0.0, 1.0);
            return Some(min + (i as f64 + frac) * width);
        }
        below += count;
    }
    Some(max)
}

/// A proportion of trials with its Monte Carlo uncertainty (read back from a report's JSON too).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Estimate {
    pub count: u64,
    pub p: f64,
    /// Standard error sqrt(p (1 - p) / n).
    pub se: f64,
    /// 95% Wilson score interval.
    pub ci95: [f64; 2],
}

impl Estimate {
    pub fn new(count: u64, n: u64) -> Estimate {
        let (lo, hi) = wilson(count, n, Z95);
        Estimate {
            count,
            p: if n == 0 { 0.0 } else { count as f64 / n as f64 },
            se: standard_error(count, n),
            ci95: [lo, hi],
        }
    }
}

/// The mean of a continuous quantity over trials with its Monte Carlo uncertainty.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mean {
    pub count: u64,
    pub mean: f64,
    /// Standard error sqrt(s² / n), s² the sample variance.
    pub se: f64,
    /// Normal 95% interval.
    pub ci95: [f64; 2],
}

impl Mean {
    /// From the mean and sample variance of `n` values.
    pub fn new(mean: f64, variance: f64, n: u64) -> Mean {
        let se = if n == 0 { 0.0 } else { (variance.max(0.0) / n as f64).sqrt() };
        Mean { count: n, mean, se, ci95: [mean - Z95 * se, mean + Z95 * se] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_the_brief() {
        let (lo, hi) = wilson(30, 100, Z95);
        assert!((lo - 0.219).abs() < 5e-4, "{lo}");
        assert!((hi - 0.396).abs() < 5e-4, "{hi}");
        let (lo, hi) = wilson(0, 50, Z95);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.071).abs() < 5e-4, "{hi}");
    }

    #[test]
    fn wilson_is_symmetric() {
        let (lo, hi) = wilson(70, 100, Z95);
        let (lo2, hi2) = wilson(30, 100, Z95);
        assert!((lo - (1.0 - hi2)).abs() < 1e-12 && (hi - (1.0 - lo2)).abs() < 1e-12);
    }

    #[test]
    fn quantiles_of_a_uniform_histogram() {
        let bins = vec![10u64; 100];
        assert!((histogram_quantile(&bins, 0.0, 1.0, 0.5).unwrap() - 0.5).abs() < 1e-12);
        assert!((histogram_quantile(&bins, 0.0, 1.0, 0.05).unwrap() - 0.05).abs() < 1e-12);
        assert_eq!(histogram_quantile(&[0, 0], 0.0, 1.0, 0.5), None);
    }
}
