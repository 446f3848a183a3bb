//! Aggregates of many trials, shaped by a model's [`Layout`]: integer counts, fixed-bin
//! histograms and fixed-point sums, so memory does not grow with the number of trials and
//! merging is exact: any split of the trials into parts, merged in any order, gives the same
//! tally.

use serde::{Deserialize, Serialize};

use super::{Layout, TermKind, TrialRecord};

/// Bins of the histogram kept for each continuous value and term.
pub const TERM_BINS: usize = 1000;

/// Fractional bits of the fixed-point sums of a continuous value: each value is stored as
/// round((x - min) / (max - min) * 2^SUM_BITS), an integer in [0, 2^40], so its square is below
/// 2^80 and 10^12 trials (< 2^40) sum to below 2^120: a `u128` cannot overflow. The
/// quantisation is at most (max - min) * 2^-41 per value.
pub const SUM_BITS: u32 = 40;
const SUM_SCALE: f64 = (1u64 << SUM_BITS) as f64;

/// The per-round aggregates sit in flat vectors, round after round, as in a [`TrialRecord`],
/// so adding a trial is a few passes over short slices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub trials: u64,
    /// Rounds, and outcomes, flags and values per round.
    pub shape: [usize; 4],
    /// Count of each outcome: round `t`'s outcome `o` at `t * outcomes + o`.
    pub outcomes: Vec<u64>,
    /// Trials with each flag set: round `t`'s flag `f` at `t * flags + f`.
    pub flags: Vec<u64>,
    /// Each continuous value: round `t`'s value `v` at `t * values + v`.
    pub values: Vec<Continuous>,
    pub events: Vec<EventTally>,
    /// Per question, the trials that answered yes.
    pub answers: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventTally {
    /// Trials that reached the event.
    pub count: u64,
    /// Among them, those with each mark set.
    pub marks: Vec<u64>,
    pub terms: Vec<TermTally>,
}

/// A term's values among the trials that reached its event; a NaN value (no term) is not
/// counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermTally {
    Continuous(Continuous),
    /// Count of each option.
    Options(Vec<u64>),
}

/// The values of one continuous quantity: a histogram over [min, max] and the fixed-point sums
/// described at [`SUM_BITS`] of the values and of their squares. A NaN value is not counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Continuous {
    pub min: f64,
    pub max: f64,
    pub count: u64,
    pub bins: Vec<u64>,
    #[serde(with = "decimal")]
    pub sum: u128,
    #[serde(with = "decimal")]
    pub sum_sq: u128,
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

impl Continuous {
    pub fn new(min: f64, max: f64) -> Continuous {
        Continuous { min, max, count: 0, bins: vec![0; TERM_BINS], sum: 0, sum_sq: 0 }
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        let unit = (x - self.min) / (self.max - self.min);
        let pos = (unit * TERM_BINS as f64).floor();
        self.bins[(pos.max(0.0) as usize).min(TERM_BINS - 1)] += 1;
        // Values lie in [min, max] by declaration; the clamp only bounds the sums.
        let fixed = (unit.clamp(0.0, 1.0) * SUM_SCALE).round() as u128;
        self.count += 1;
        self.sum += fixed;
        self.sum_sq += fixed * fixed;
    }

    fn merge(&mut self, other: &Continuous) {
        self.count += other.count;
        add_all(&mut self.bins, &other.bins);
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    /// Mean and sample variance of the values; `None` when there is none.
    pub fn moments(&self) -> Option<(f64, f64)> {
        let n = self.count;
        if n == 0 {
            return None;
        }
        let (nf, s, s2) = (n as f64, self.sum as f64, self.sum_sq as f64);
        let width = self.max - self.min;
        let mean = self.min + width * (s / nf) / SUM_SCALE;
        let var_fixed = if n > 1 { ((s2 - s * s / nf) / (nf - 1.0)).max(0.0) } else { 0.0 };
        Some((mean, var_fixed * (width / SUM_SCALE) * (width / SUM_SCALE)))
    }

    /// The tally has the declared range, at most `n` values, and sums that `count` values
    /// can give (so merged sums stay within the bounds of [`SUM_BITS`]).
    fn check(&self, min: f64, max: f64, n: u64) -> bool {
        let count = u128::from(self.count);
        self.min == min
            && self.max == max
            && self.bins.len() == TERM_BINS
            && self.bins.iter().try_fold(0u64, |a, &x| a.checked_add(x)) == Some(self.count)
            && self.count <= n
            && self.sum <= count << SUM_BITS
            && self.sum_sq <= count << (2 * SUM_BITS)
    }
}

impl TermTally {
    /// The continuous term's values; `None` for an option term.
    pub fn continuous(&self) -> Option<&Continuous> {
        match self {
            TermTally::Continuous(c) => Some(c),
            TermTally::Options(_) => None,
        }
    }

    /// The number of values, their mean and their sample variance; for an options term, of
    /// the chosen option's index (0 for the first). `None` without values.
    pub fn summary(&self) -> Option<(u64, f64, f64)> {
        match self {
            TermTally::Continuous(c) => c.moments().map(|(m, v)| (c.count, m, v)),
            TermTally::Options(counts) => {
                let n: u64 = counts.iter().sum();
                if n == 0 {
                    return None;
                }
                let nf = n as f64;
                let weighted = |f: &dyn Fn(f64) -> f64| {
                    counts.iter().enumerate().map(|(k, &c)| c as f64 * f(k as f64)).sum::<f64>()
                };
                let mean = weighted(&|k| k) / nf;
                let var = if n > 1 { weighted(&|k| (k - mean) * (k - mean)) / (nf - 1.0) } else { 0.0 };
                Some((n, mean, var))
            }
        }
    }
}

impl Tally {
    pub fn new(layout: &Layout) -> Tally {
        let rounds = layout.rounds.len();
        Tally {
            trials: 0,
            shape: [rounds, layout.outcomes.len(), layout.flags.len(), layout.values.len()],
            outcomes: vec![0; rounds * layout.outcomes.len()],
            flags: vec![0; rounds * layout.flags.len()],
            values: (0..rounds).flat_map(|_| layout.values.iter().map(|v| Continuous::new(v.min, v.max))).collect(),
            events: layout
                .events
                .iter()
                .map(|e| EventTally {
                    count: 0,
                    marks: vec![0; e.marks.len()],
                    terms: e
                        .terms
                        .iter()
                        .map(|t| match &t.kind {
                            TermKind::Continuous { min, max, .. } => TermTally::Continuous(Continuous::new(*min, *max)),
                            TermKind::Index(o) => {
                                TermTally::Continuous(Continuous::new(0.0, o.len().saturating_sub(1) as f64))
                            }
                            TermKind::Options(o) => TermTally::Options(vec![0; o.len()]),
                        })
                        .collect(),
                })
                .collect(),
            answers: vec![0; layout.questions.len()],
        }
    }

    /// Round `t`'s count of each outcome.
    pub fn round_outcomes(&self, t: usize) -> &[u64] {
        let k = self.shape[1];
        &self.outcomes[t * k..(t + 1) * k]
    }

    /// Round `t`'s count of each flag.
    pub fn round_flags(&self, t: usize) -> &[u64] {
        let k = self.shape[2];
        &self.flags[t * k..(t + 1) * k]
    }

    /// Round `t`'s continuous values.
    pub fn round_values(&self, t: usize) -> &[Continuous] {
        let k = self.shape[3];
        &self.values[t * k..(t + 1) * k]
    }

    /// Adds one trial, recorded in the shape of this tally's layout.
    pub fn add(&mut self, r: &TrialRecord) {
        self.trials += 1;
        let outcomes = self.shape[1];
        for (t, &o) in r.outcome.iter().enumerate() {
            self.outcomes[t * outcomes + o] += 1;
        }
        for (count, &flag) in self.flags.iter_mut().zip(&r.flags) {
            *count += u64::from(flag);
        }
        for (tally, &x) in self.values.iter_mut().zip(&r.values) {
            tally.add(x);
        }
        let (mut m, mut k) = (0, 0);
        for (event, &reached) in self.events.iter_mut().zip(&r.events) {
            let (marks, terms) = (event.marks.len(), event.terms.len());
            if reached {
                event.count += 1;
                for (count, &mark) in event.marks.iter_mut().zip(&r.marks[m..m + marks]) {
                    *count += u64::from(mark);
                }
                for (term, &x) in event.terms.iter_mut().zip(&r.terms[k..k + terms]) {
                    match term {
                        TermTally::Continuous(c) => c.add(x),
                        TermTally::Options(counts) if !x.is_nan() => counts[x as usize] += 1,
                        TermTally::Options(_) => {}
                    }
                }
            }
            (m, k) = (m + marks, k + terms);
        }
        for (count, &yes) in self.answers.iter_mut().zip(&r.answers) {
            *count += u64::from(yes);
        }
    }

    /// Adds `other`'s trials. Everything is an integer, so merging is exact and the order of
    /// merging does not matter.
    pub fn merge(&mut self, other: &Tally) {
        self.trials += other.trials;
        add_all(&mut self.outcomes, &other.outcomes);
        add_all(&mut self.flags, &other.flags);
        for (x, y) in self.values.iter_mut().zip(&other.values) {
            x.merge(y);
        }
        for (a, b) in self.events.iter_mut().zip(&other.events) {
            a.count += b.count;
            add_all(&mut a.marks, &b.marks);
            for (x, y) in a.terms.iter_mut().zip(&b.terms) {
                match (x, y) {
                    (TermTally::Continuous(x), TermTally::Continuous(y)) => x.merge(y),
                    (TermTally::Options(x), TermTally::Options(y)) => add_all(x, y),
                    _ => unreachable!("tallies of one layout have the same term kinds"),
                }
            }
        }
        add_all(&mut self.answers, &other.answers);
    }

    /// Checks that a tally read from a file has the shape of `layout` and counts that `n`
    /// trials can give: what a merge relies on.
    pub fn check(&self, layout: &Layout, n: u64) -> Result<(), String> {
        layout.check()?;
        if layout.rounds.is_empty() {
            return Err("a layout without rounds".into());
        }
        if self.trials != n {
            return Err(format!("the tally holds {} trials, not {n}", self.trials));
        }
        let counts_ok = |c: &[u64]| c.iter().all(|&x| x <= n);
        let shape = [layout.rounds.len(), layout.outcomes.len(), layout.flags.len(), layout.values.len()];
        let [rounds, outcomes, flags, values] = shape;
        if self.shape != shape
            || self.outcomes.len() != rounds * outcomes
            || self.flags.len() != rounds * flags
            || self.values.len() != rounds * values
        {
            return Err("the tally's shape (rounds, outcomes, flags, values) does not match its layout".into());
        }
        for (t, r) in layout.rounds.iter().enumerate() {
            if self.round_outcomes(t).iter().try_fold(0u64, |a, &x| a.checked_add(x)) != Some(n) {
                return Err(format!("the outcome counts of round `{}` do not add up to {n} trials", r.id));
            }
            let values_ok = self.round_values(t).iter().zip(&layout.values).all(|(v, s)| v.check(s.min, s.max, n));
            if !counts_ok(self.round_flags(t)) || !values_ok {
                return Err(format!("a flag or value count of round `{}` exceeds {n} trials", r.id));
            }
        }
        if self.events.len() != layout.events.len() || self.answers.len() != layout.questions.len() {
            return Err("the tally's events or questions do not match its layout".into());
        }
        for (event, spec) in self.events.iter().zip(&layout.events) {
            let c = event.count;
            let shape = event.marks.len() == spec.marks.len() && event.terms.len() == spec.terms.len();
            let terms_ok = event.terms.iter().zip(&spec.terms).all(|(t, s)| match (t, &s.kind) {
                (TermTally::Continuous(v), TermKind::Continuous { min, max, .. }) => v.check(*min, *max, c),
                (TermTally::Continuous(v), TermKind::Index(o)) => v.check(0.0, o.len().saturating_sub(1) as f64, c),
                (TermTally::Options(counts), TermKind::Options(o)) => {
                    counts.len() == o.len()
                        && counts.iter().try_fold(0u64, |a, &x| a.checked_add(x)).is_some_and(|s| s <= c)
                }
                _ => false,
            });
            if !shape || c > n || !event.marks.iter().all(|&x| x <= c) || !terms_ok {
                return Err(format!("the counts of event `{}` are inconsistent", spec.key));
            }
        }
        if !counts_ok(&self.answers) {
            return Err(format!("an answer count exceeds {n} trials"));
        }
        Ok(())
    }
}

fn add_all(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}
