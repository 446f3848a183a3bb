//! Murphy's decomposition of the Brier score over forecast bins, with the within-bin terms of
//! Stephenson, Coelho & Jolliffe (2008) that make it exact, and the reliability diagram's data
//! (docs/SCORING.md §3–4).

use serde::Serialize;

use crate::engine::stats::{Z95, wilson};

/// The bin of forecast `p` among `bins` equal-width bins of [0, 1]: `min(floor(bins p), bins - 1)`,
/// so that p = 1 falls in the last bin.
pub fn bin_of(p: f64, bins: usize) -> usize {
    ((p * bins as f64).floor() as usize).min(bins - 1)
}

/// BS = REL - RES + UNC + WBV - WBC, each term a mean over the N scored questions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Decomposition {
    pub brier: f64,
    /// (1/N) sum_k n_k (fbar_k - obar_k)^2
    pub reliability: f64,
    /// (1/N) sum_k n_k (obar_k - obar)^2
    pub resolution: f64,
    /// obar (1 - obar)
    pub uncertainty: f64,
    /// (1/N) sum_k sum_{i in k} (f_i - fbar_k)^2
    pub within_bin_variance: f64,
    /// (2/N) sum_k sum_{i in k} (f_i - fbar_k) (o_i - obar_k)
    pub within_bin_covariance: f64,
    /// obar: the observed frequency of Yes.
    pub observed_frequency: f64,
}

/// One bin of the reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bin {
    pub lower: f64,
    pub upper: f64,
    pub count: u64,
    pub yes: u64,
    /// fbar_k; `None` for an empty bin.
    pub mean_forecast: Option<f64>,
    /// obar_k; `None` for an empty bin.
    pub observed_frequency: Option<f64>,
    /// 95% Wilson score interval of obar_k; [0, 1] for an empty bin.
    pub ci95: [f64; 2],
}

/// The decomposition and the reliability bins of forecasts `f` against outcomes `o` (0 or 1),
/// over `bins` equal-width bins. `f` must not be empty.
pub fn decompose(f: &[f64], o: &[f64], bins: usize) -> (Decomposition, Vec<Bin>) {
    assert!(!f.is_empty() && f.len() == o.len() && bins > 0, "forecasts and outcomes pair up");
    let n = f.len() as f64;
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); bins];
    for (i, &p) in f.iter().enumerate() {
        members[bin_of(p, bins)].push(i);
    }
    let obar = o.iter().sum::<f64>() / n;
    let (mut rel, mut res, mut wbv, mut wbc, mut brier) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut table = Vec::with_capacity(bins);
    for (k, idx) in members.iter().enumerate() {
        let (lower, upper) = (k as f64 / bins as f64, (k + 1) as f64 / bins as f64);
        let count = idx.len() as u64;
        let yes = idx.iter().filter(|&&i| o[i] == 1.0).count() as u64;
        let (lo, hi) = wilson(yes, count, Z95);
        if idx.is_empty() {
            table.push(Bin { lower, upper, count, yes, mean_forecast: None, observed_frequency: None, ci95: [lo, hi] });
            continue;
        }
        let nk = idx.len() as f64;
        let fbar = idx.iter().map(|&i| f[i]).sum::<f64>() / nk;
        let obar_k = idx.iter().map(|&i| o[i]).sum::<f64>() / nk;
        rel += nk * (fbar - obar_k).powi(2);
        res += nk * (obar_k - obar).powi(2);
        for &i in idx {
            wbv += (f[i] - fbar).powi(2);
            wbc += 2.0 * (f[i] - fbar) * (o[i] - obar_k);
            brier += (f[i] - o[i]).powi(2);
        }
        table.push(Bin {
            lower,
            upper,
            count,
            yes,
            mean_forecast: Some(fbar),
            observed_frequency: Some(obar_k),
            ci95: [lo, hi],
        });
    }
    let d = Decomposition {
        brier: brier / n,
        reliability: rel / n,
        resolution: res / n,
        uncertainty: obar * (1.0 - obar),
        within_bin_variance: wbv / n,
        within_bin_covariance: wbc / n,
        observed_frequency: obar,
    };
    (d, table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_half_open_and_the_last_is_closed() {
        assert_eq!(bin_of(0.0, 10), 0);
        assert_eq!(bin_of(0.0999, 10), 0);
        assert_eq!(bin_of(0.1, 10), 1);
        assert_eq!(bin_of(0.95, 10), 9);
        assert_eq!(bin_of(1.0, 10), 9);
        assert_eq!(bin_of(0.5, 2), 1);
    }

    /// Forecasts 0.1, 0.3, 0.35, 0.8, 0.9 with outcomes 0, 1, 0, 1, 1 in 2 bins ([0, .5), [.5, 1]),
    /// worked by hand:
    /// bin 0: f = .1, .3, .35 (fbar = 0.25), o = 0, 1, 0 (obar_0 = 1/3);
    /// bin 1: f = .8, .9 (fbar = .85), o = 1, 1 (obar_1 = 1); obar = 3/5.
    /// BS = (.01 + .49 + .1225 + .04 + .01) / 5 = .6725 / 5 = .1345
    /// REL = (3 (1/12)^2 + 2 (.15)^2) / 5 = (1/48 + .045) / 5
    /// RES = (3 (1/3 - 3/5)^2 + 2 (2/5)^2) / 5 = (3 (16/225) + 8/25) / 5 = (48/225 + 72/225) / 5 = 120/1125
    /// UNC = .6 * .4 = .24
    /// WBV = (.0225 + .0025 + .01 + .0025 + .0025) / 5 = .04 / 5 = .008
    /// WBC = 2 ((-.15)(-1/3) + (.05)(2/3) + (.1)(-1/3) + 0 + 0) / 5 = 2 (.05 + 1/30 - 1/30) / 5 = .02
    #[test]
    fn a_hand_worked_decomposition() {
        let (d, bins) = decompose(&[0.1, 0.3, 0.35, 0.8, 0.9], &[0.0, 1.0, 0.0, 1.0, 1.0], 2);
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-14, "{a} vs {b}");
        close(d.brier, 0.1345);
        close(d.reliability, (1.0 / 48.0 + 0.045) / 5.0);
        close(d.resolution, 120.0 / 1125.0);
        close(d.uncertainty, 0.24);
        close(d.within_bin_variance, 0.008);
        close(d.within_bin_covariance, 0.02);
        close(d.reliability - d.resolution + d.uncertainty + d.within_bin_variance - d.within_bin_covariance, d.brier);
        assert_eq!((bins[0].count, bins[0].yes, bins[1].count, bins[1].yes), (3, 1, 2, 2));
        close(bins[0].mean_forecast.unwrap(), 0.25);
        close(bins[1].observed_frequency.unwrap(), 1.0);
        assert_eq!(bins[1].ci95[1], 1.0);
    }

    #[test]
    fn empty_bins_are_reported_without_means() {
        let (_, bins) = decompose(&[0.05], &[1.0], 10);
        assert_eq!(bins.len(), 10);
        assert_eq!((bins[3].count, bins[3].mean_forecast, bins[3].ci95), (0, None, [0.0, 1.0]));
        assert!((bins[9].upper - 1.0).abs() < 1e-15 && (bins[3].lower - 0.3).abs() < 1e-15);
    }
}
