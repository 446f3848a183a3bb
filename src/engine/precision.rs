//! Precision-targeted stopping: trials run in fixed batches until every headline probability
//! is known to a given 95% half-width. The rule is checked only at batch boundaries, on the
//! exact tally of trials `0..k·BATCH`, so where it stops does not depend on the thread count.

use serde::Serialize;

use super::stats::{Z95, wilson};
use super::{Model, Tally, run_range};

/// Trials per batch: the rule is checked after each.
pub const BATCH: u64 = 65_536;
/// The rule is not checked before this many trials (unless the cap is lower).
pub const MIN_TRIALS: u64 = BATCH;
/// The cap when `--trials` is not given.
pub const DEFAULT_MAX_TRIALS: u64 = 10_000_000;

/// The rule of a precision-targeted run and where it stopped; the trials used are the run's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stopping {
    pub rule: String,
    /// The target: largest 95% half-width allowed.
    pub half_width: f64,
    pub batch: u64,
    pub min_trials: u64,
    pub max_trials: u64,
    /// The widest 95% half-width of a headline probability when the run stopped.
    pub widest_half_width: f64,
    /// The target was reached (false: the cap stopped the run).
    pub met: bool,
}

impl Stopping {
    /// One line for the text formats.
    pub fn sentence(&self, trials: u64) -> String {
        let verdict = if self.met {
            format!("target met at {trials} trials")
        } else {
            format!("target NOT met: stopped at the cap of {trials} trials")
        };
        format!(
            "Precision: every headline probability to ±{} (95% Wilson, wider side), checked every {} trials \
             from {}, cap {}; {verdict} (widest ±{:.5})",
            self.half_width, self.batch, self.min_trials, self.max_trials, self.widest_half_width
        )
    }

    /// Statistic names and values, for the CSV format.
    pub fn figures(&self, trials: u64) -> Vec<(&'static str, String)> {
        vec![
            ("half_width", self.half_width.to_string()),
            ("batch", self.batch.to_string()),
            ("min_trials", self.min_trials.to_string()),
            ("max_trials", self.max_trials.to_string()),
            ("trials", trials.to_string()),
            ("widest_half_width", self.widest_half_width.to_string()),
            ("met", self.met.to_string()),
        ]
    }
}

/// The wider side of the 95% Wilson interval of `k` in `n`.
fn half_width(k: u64, n: u64) -> f64 {
    let (lo, hi) = wilson(k, n, Z95);
    let p = if n == 0 { 0.0 } else { k as f64 / n as f64 };
    (p - lo).max(hi - p)
}

/// The widest half-width among the headline probabilities: in every round, each outcome's
/// and each flag's probability, and each question's answer.
pub fn widest_half_width(tally: &Tally) -> f64 {
    let n = tally.trials;
    let counts = tally.outcomes.iter().chain(&tally.flags).chain(&tally.answers);
    counts.fold(0.0, |widest: f64, &k| widest.max(half_width(k, n)))
}

/// Runs batches of [`BATCH`] trials, in trial order, until [`widest_half_width`] is at most
/// `target` (from [`MIN_TRIALS`] on) or `max_trials` have run.
pub fn run_to_precision<M: Model>(
    model: &M,
    seed: u64,
    target: f64,
    max_trials: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> (Tally, Stopping) {
    let mut total = Tally::new(model.layout());
    loop {
        let start = total.trials;
        let end = (start + BATCH).min(max_trials);
        total.merge(&run_range(model, seed, start..end, &|n| progress(start + n)));
        let widest = widest_half_width(&total);
        let met = total.trials >= MIN_TRIALS.min(max_trials) && widest <= target;
        if met || total.trials >= max_trials {
            let answers = if total.answers.is_empty() { "," } else { ", and every question's answer," };
            let stopping = Stopping {
                rule: format!(
                    "every outcome probability of every round, and every \"by the end of the round\" \
                     probability{answers} has a 95% Wilson half-width (wider side) of at most {target}; \
                     checked after each batch of {BATCH} trials in trial order, from {MIN_TRIALS} trials, up \
                     to {max_trials} trials"
                ),
                half_width: target,
                batch: BATCH,
                min_trials: MIN_TRIALS,
                max_trials,
                widest_half_width: widest,
                met,
            };
            return (total, stopping);
        }
    }
}
