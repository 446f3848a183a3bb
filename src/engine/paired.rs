//! Several scenarios run on the same trials with the same random numbers (common random
//! numbers), and the per-trial differences between each variant and the base.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{Layout, Model, RunConfig, Tally, TrialRecord, TrialRng, in_chunks};

/// Each figure's value per round of one trial record, round `t`'s figure `f` at
/// `t * figures + f`.
fn figures(layout: &Layout, record: &TrialRecord, out: &mut Vec<bool>) {
    out.clear();
    for t in 0..record.rounds() {
        out.extend(layout.figures.iter().map(|f| f.of.holds(record, t)));
    }
}

/// Round `t`'s figures in a trial's figures of `nf` figures per round.
fn row(figures: &[bool], nf: usize, t: usize) -> &[bool] {
    &figures[t * nf..(t + 1) * nf]
}

/// Compared positions: the base's round `t` against the variant's round of the same id, plus
/// the last round of each ("by the end"). A variant that reports other figures than the base
/// is compared nowhere.
fn alignment(base: &Layout, variant: &Layout) -> Vec<Option<usize>> {
    let same = base.same_figures(variant);
    base.rounds.iter().map(|r| variant.rounds.iter().position(|v| v.id == r.id).filter(|_| same)).collect()
}

/// Results of a paired run: each scenario's tally, and for each variant (scenarios after the
/// first) the number of trials where its figure (of the base's layout) differs from the
/// base's, per base round and "by the end" (last round against last round).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    pub tallies: Vec<Tally>,
    /// `discordant[v - 1][t][f]`: variant `v`, base round `t`, figure `f`; `None` where the
    /// variant has no round of that id.
    pub discordant: Vec<Vec<Option<Vec<u64>>>>,
    /// `None` where the variant reports other figures.
    pub discordant_end: Vec<Option<Vec<u64>>>,
    /// Round of the variant aligned with each base round.
    pub aligned: Vec<Vec<Option<usize>>>,
}

impl Paired {
    fn new(models: &[&impl Model]) -> Paired {
        let base = models[0].layout();
        let figures = base.figures.len();
        let aligned: Vec<Vec<Option<usize>>> = models[1..].iter().map(|m| alignment(base, m.layout())).collect();
        Paired {
            tallies: models.iter().map(|m| Tally::new(m.layout())).collect(),
            discordant: aligned.iter().map(|a| a.iter().map(|x| x.map(|_| vec![0; figures])).collect()).collect(),
            discordant_end: models[1..]
                .iter()
                .map(|m| base.same_figures(m.layout()).then(|| vec![0; figures]))
                .collect(),
            aligned,
        }
    }

    /// Adds `other`'s trials; every aggregate is an integer, so the order does not matter.
    pub fn merge(&mut self, other: &Paired) {
        for (a, b) in self.tallies.iter_mut().zip(&other.tallies) {
            a.merge(b);
        }
        for (va, vb) in self.discordant.iter_mut().zip(&other.discordant) {
            for (ra, rb) in va.iter_mut().zip(vb) {
                if let (Some(x), Some(y)) = (ra, rb) {
                    for (p, q) in x.iter_mut().zip(y) {
                        *p += q;
                    }
                }
            }
        }
        for (x, y) in self.discordant_end.iter_mut().zip(&other.discordant_end) {
            if let (Some(x), Some(y)) = (x, y) {
                for (p, q) in x.iter_mut().zip(y) {
                    *p += q;
                }
            }
        }
    }
}

/// How the scenarios of a paired run draw their random numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streams {
    /// Trial `t` of every model uses stream `t` of the same seed: the models share every draw
    /// whose site they share.
    Common,
    /// Model `i` uses seed `seed + i`: independent runs, for showing what common random numbers
    /// buy.
    Independent,
}

/// Runs every model on the same trial indices and tallies the per-trial differences from the
/// first model.
pub fn run_paired<M: Model>(
    models: &[&M],
    cfg: RunConfig,
    streams: Streams,
    progress: &(dyn Fn(u64) + Sync),
) -> Paired {
    run_paired_range(models, cfg.seed, 0..cfg.trials, streams, progress)
}

/// [`run_paired`] over the trial indices `trials` only (one shard of the run with `seed`).
pub fn run_paired_range<M: Model>(
    models: &[&M],
    seed: u64,
    trials: Range<u64>,
    streams: Streams,
    progress: &(dyn Fn(u64) + Sync),
) -> Paired {
    assert!(!models.is_empty(), "at least one model");
    let template = Paired::new(models);
    let base_layout = models[0].layout();
    in_chunks(
        seed,
        trials,
        || {
            let records: Vec<TrialRecord> = models.iter().map(|m| TrialRecord::new(m.layout())).collect();
            let scratch: Vec<M::Scratch> = models.iter().map(|m| m.scratch()).collect();
            (scratch, records, vec![Vec::new(); models.len()])
        },
        || template.clone(),
        |(scratch, records, figs), acc, rng| {
            for (i, m) in models.iter().enumerate() {
                let own;
                let rng = match streams {
                    Streams::Common => rng,
                    Streams::Independent => {
                        own = TrialRng::new(seed.wrapping_add(i as u64), rng.trial());
                        &own
                    }
                };
                m.run_trial(rng, &mut scratch[i], &mut records[i]);
                acc.tallies[i].add(&records[i]);
                figures(m.layout(), &records[i], &mut figs[i]);
            }
            let nf = base_layout.figures.len();
            let (base, variants) = figs.split_first().expect("at least one model");
            let last_base = records[0].rounds() - 1;
            for (v, fig) in variants.iter().enumerate() {
                for (t, slot) in acc.discordant[v].iter_mut().enumerate() {
                    if let (Some(counts), Some(tv)) = (slot, acc.aligned[v][t]) {
                        for ((count, a), b) in counts.iter_mut().zip(row(base, nf, t)).zip(row(fig, nf, tv)) {
                            *count += u64::from(a != b);
                        }
                    }
                }
                if let Some(counts) = &mut acc.discordant_end[v] {
                    let last = records[v + 1].rounds() - 1;
                    for ((count, a), b) in counts.iter_mut().zip(row(base, nf, last_base)).zip(row(fig, nf, last)) {
                        *count += u64::from(a != b);
                    }
                }
            }
        },
        Paired::merge,
        progress,
    )
}

/// A paired difference of proportions, from the count difference and the discordant pairs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PairedDifference {
    /// Variant minus base.
    pub diff: f64,
    /// Standard error of the mean of the per-trial differences.
    pub se: f64,
    /// Normal 95% interval of the mean difference.
    pub ci95: [f64; 2],
    /// The interval excludes 0.
    pub significant: bool,
}

impl PairedDifference {
    /// With d_t in {-1, 0, 1}: sum d = `count_variant - count_base`, sum d^2 = `discordant`.
    pub fn new(count_base: u64, count_variant: u64, discordant: u64, n: u64) -> PairedDifference {
        PairedDifference::from_sums(count_variant as f64 - count_base as f64, discordant as f64, n)
    }

    /// From the sum and the sum of squares of `n` per-trial differences d_t (variant minus base).
    pub fn from_sums(sum: f64, sum_sq: f64, n: u64) -> PairedDifference {
        let nf = n as f64;
        let mean = if n == 0 { 0.0 } else { sum / nf };
        let var = if n > 1 { ((sum_sq - sum * sum / nf) / (nf - 1.0)).max(0.0) } else { 0.0 };
        let se = if n == 0 { 0.0 } else { (var / nf).sqrt() };
        let half = super::stats::Z95 * se;
        PairedDifference {
            diff: mean,
            se,
            ci95: [mean - half, mean + half],
            significant: mean - half > 0.0 || mean + half < 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PairedDifference;

    #[test]
    fn identical_runs_differ_by_exactly_zero() {
        let d = PairedDifference::new(400, 400, 0, 1000);
        assert_eq!((d.diff, d.se, d.ci95, d.significant), (0.0, 0.0, [0.0, 0.0], false));
    }

    #[test]
    fn paired_variance_of_a_known_sample() {
        // 10 trials: base 1 in trials 0..4, variant 1 in trials 2..8 -> d = -1,-1,0,0,1,1,1,1,0,0.
        let d = PairedDifference::new(4, 6, 6, 10);
        let values = [-1.0, -1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0f64];
        let mean = values.iter().sum::<f64>() / 10.0;
        let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 9.0;
        assert!((d.diff - mean).abs() < 1e-12);
        assert!((d.se - (var / 10.0).sqrt()).abs() < 1e-12);
    }
}
