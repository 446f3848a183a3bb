//! Aggregates of many trials: integer counts, fixed-bin histograms and fixed-point sums, so
//! memory does not grow with the number of trials and merging is exact: any split of the
//! trials into parts, merged in any order, gives the same tally.

use serde::{Deserialize, Serialize};

use super::{Layout, Outcome, TermKind, TrialRecord};

/// Bins of the histogram kept for each continuous settlement term.
pub const TERM_BINS: usize = 1000;

/// Fractional bits of the fixed-point sums of a continuous term: each value is stored as
/// round((x - min) / (max - min) * 2^SUM_BITS), an integer in [0, 2^40], so its square is below
/// 2^80 and 10^12 trials (< 2^40) sum to below 2^120: a `u128` cannot overflow. The
/// quantisation is at most (max - min) * 2^-41 per value.
pub const SUM_BITS: u32 = 40;
const SUM_SCALE: f64 = (1u64 << SUM_BITS) as f64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub trials: u64,
    /// Per round, count of each outcome (indexed by `Outcome::index`).
    pub outcomes: Vec<[u64; 6]>,
    /// Per round, trials with a ceasefire holding at the end of the round.
    pub in_force: Vec<u64>,
    /// Per round, trials that signed a ceasefire or a settlement in that round or before.
    pub reached_ceasefire: Vec<u64>,
    pub settled: u64,
    pub leverage_dependent: u64,
    pub terms: Vec<TermTally>,
    /// Count of each option of the first ceasefire signed.
    pub ceasefire_options: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermTally {
    /// `sum` and `sum_sq` add the fixed-point values described at [`SUM_BITS`] and their
    /// squares.
    Continuous {
        min: f64,
        max: f64,
        bins: Vec<u64>,
        #[serde(with = "decimal")]
        sum: u128,
        #[serde(with = "decimal")]
        sum_sq: u128,
    },
    Options(Vec<u64>),
}

/// 128-bit sums as decimal strings in part files: JSON tools that read numbers as doubles
/// would round them.
mod decimal {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(x: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(x)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|_| D::Error::custom(format!("`{text}` is not a 128-bit unsigned integer")))
    }
}

impl TermTally {
    /// Mean and sample variance of a continuous term over its `n` values (the settlements);
    /// `None` for an option term or when there is no value.
    pub fn moments(&self, n: u64) -> Option<(f64, f64)> {
        match self {
            TermTally::Continuous { min, max, sum, sum_sq, .. } if n > 0 => {
                let (nf, s, s2) = (n as f64, *sum as f64, *sum_sq as f64);
                let width = max - min;
                let mean = min + width * (s / nf) / SUM_SCALE;
                let var_fixed = if n > 1 { ((s2 - s * s / nf) / (nf - 1.0)).max(0.0) } else { 0.0 };
                Some((mean, var_fixed * (width / SUM_SCALE) * (width / SUM_SCALE)))
            }
            _ => None,
        }
    }
}

impl Tally {
    pub fn new(layout: &Layout) -> Tally {
        let rounds = layout.rounds.len();
        Tally {
            trials: 0,
            outcomes: vec![[0; 6]; rounds],
            in_force: vec![0; rounds],
            reached_ceasefire: vec![0; rounds],
            settled: 0,
            leverage_dependent: 0,
            terms: layout
                .terms
                .iter()
                .map(|t| match &t.kind {
                    TermKind::Continuous { min, max, .. } => {
                        TermTally::Continuous { min: *min, max: *max, bins: vec![0; TERM_BINS], sum: 0, sum_sq: 0 }
                    }
                    TermKind::Options(o) => TermTally::Options(vec![0; o.len()]),
                })
                .collect(),
            ceasefire_options: vec![0; layout.ceasefire_options.as_ref().map_or(0, Vec::len)],
        }
    }

    pub fn add(&mut self, r: &TrialRecord) {
        self.trials += 1;
        let mut reached = false;
        for (i, round) in r.rounds.iter().enumerate() {
            self.outcomes[i][round.outcome.index()] += 1;
            self.in_force[i] += u64::from(round.ceasefire_in_force);
            reached |= matches!(round.outcome, Outcome::Ceasefire | Outcome::Settlement);
            self.reached_ceasefire[i] += u64::from(reached);
        }
        if let Some(o) = r.ceasefire_option {
            self.ceasefire_options[o] += 1;
        }
        if r.settled {
            self.settled += 1;
            self.leverage_dependent += u64::from(r.leverage_dependent);
            for (term, &x) in self.terms.iter_mut().zip(&r.terms) {
                match term {
                    TermTally::Continuous { min, max, bins, sum, sum_sq } => {
                        let unit = (x - *min) / (*max - *min);
                        let pos = (unit * TERM_BINS as f64).floor();
                        bins[(pos.max(0.0) as usize).min(TERM_BINS - 1)] += 1;
                        // Terms lie in [min, max] by construction; the clamp only bounds the sums.
                        let fixed = (unit.clamp(0.0, 1.0) * SUM_SCALE).round() as u128;
                        *sum += fixed;
                        *sum_sq += fixed * fixed;
                    }
                    TermTally::Options(counts) => counts[x as usize] += 1,
                }
            }
        }
    }

    /// Adds `other`'s trials. Everything is an integer, so merging is exact and the order of
    /// merging does not matter.
    pub fn merge(&mut self, other: &Tally) {
        self.trials += other.trials;
        for (a, b) in self.outcomes.iter_mut().zip(&other.outcomes) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        add_all(&mut self.in_force, &other.in_force);
        add_all(&mut self.reached_ceasefire, &other.reached_ceasefire);
        self.settled += other.settled;
        self.leverage_dependent += other.leverage_dependent;
        add_all(&mut self.ceasefire_options, &other.ceasefire_options);
        for (a, b) in self.terms.iter_mut().zip(&other.terms) {
            match (a, b) {
                (
                    TermTally::Continuous { bins, sum, sum_sq, .. },
                    TermTally::Continuous { bins: b2, sum: s2, sum_sq: q2, .. },
                ) => {
                    add_all(bins, b2);
                    *sum += s2;
                    *sum_sq += q2;
                }
                (TermTally::Options(x), TermTally::Options(y)) => add_all(x, y),
                _ => unreachable!("tallies of one layout have the same term kinds"),
            }
        }
    }
}

fn add_all(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}
