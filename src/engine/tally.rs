//! Aggregates of many trials: integer counts and fixed-bin histograms, so memory does not grow
//! with the number of trials and merging is exact.

use super::{Layout, Outcome, TermKind, TrialRecord};

/// Bins of the histogram kept for each continuous settlement term.
pub const TERM_BINS: usize = 1000;

#[derive(Debug, Clone, PartialEq)]
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

#[derive(Debug, Clone, PartialEq)]
pub enum TermTally {
    Continuous { min: f64, max: f64, bins: Vec<u64>, sum: f64, sum_sq: f64 },
    Options(Vec<u64>),
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
                        TermTally::Continuous { min: *min, max: *max, bins: vec![0; TERM_BINS], sum: 0.0, sum_sq: 0.0 }
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
                        let pos = ((x - *min) / (*max - *min) * TERM_BINS as f64).floor();
                        bins[(pos.max(0.0) as usize).min(TERM_BINS - 1)] += 1;
                        *sum += x;
                        *sum_sq += x * x;
                    }
                    TermTally::Options(counts) => counts[x as usize] += 1,
                }
            }
        }
    }

    /// Adds `other`'s trials. Integer counts merge exactly; the floating-point sums are merged
    /// by the engine in chunk order, which keeps them identical at any thread count.
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
