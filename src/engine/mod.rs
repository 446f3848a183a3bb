//! The Monte Carlo engine: trials, random streams and aggregation, for any model that
//! implements [`Model`] and declares what it reports in a [`Layout`].

mod chacha;
pub mod layout;
pub mod paired;
pub mod precision;
pub mod rng;
pub mod stats;
pub mod tally;

use std::ops::Range;

use rayon::prelude::*;

pub use layout::{
    EventSpec, FigureOf, FigureSpec, FlagSpec, Layout, Name, Reads, RoundInfo, TermKind, TermSpec, TrialRecord,
    ValueSpec,
};
pub use rng::{Site, TrialRng};
pub use tally::Tally;

/// A model the engine can run: one trial at a time, from the trial's random source.
pub trait Model: Sync {
    /// Per-thread working memory, reused across trials.
    type Scratch: Send;

    /// What the model reports; every trial's record has this shape.
    fn layout(&self) -> &Layout;
    fn scratch(&self) -> Self::Scratch;
    /// Simulates one trial and overwrites `record` with its results.
    fn run_trial(&self, rng: &TrialRng, scratch: &mut Self::Scratch, record: &mut TrialRecord);
}

/// A model whose uncertain inputs can be drawn apart from the rest of a trial's randomness and
/// set by the caller: what variance-based sensitivity needs (`study::sobol`, docs/SENSITIVITY.md).
pub trait Inputs: Model {
    /// The uncertain inputs' keys, in the order of the `inputs` slices below.
    fn input_keys(&self) -> Vec<String>;
    /// Draws trial `rng`'s inputs exactly as [`Model::run_trial`] draws them.
    fn draw_inputs(&self, rng: &TrialRng, scratch: &mut Self::Scratch, inputs: &mut [f64]);
    /// Runs trial `rng` with `inputs` in place of its own draws; everything else random in the
    /// trial comes from `rng`. With the inputs `draw_inputs` gives for `rng`, the record is
    /// the one `run_trial` writes.
    fn run_with_inputs(&self, rng: &TrialRng, scratch: &mut Self::Scratch, inputs: &[f64], record: &mut TrialRecord);
}

/// Trials per chunk: the unit of parallel work and of ordered merging.
pub const CHUNK: u64 = 4096;
/// Chunks run in parallel between two merges into the running total.
const CHUNKS_PER_BATCH: u64 = 64;

#[derive(Debug, Clone, Copy)]
pub struct RunConfig {
    pub trials: u64,
    pub seed: u64,
}

/// Runs `cfg.trials` trials on the current rayon pool. Trial `t` always uses stream `t`,
/// chunks are tallied independently and merged exactly, so the result does not depend on the
/// number of threads. `progress` is told the trials done after each chunk.
pub fn run<M: Model>(model: &M, cfg: RunConfig, progress: &(dyn Fn(u64) + Sync)) -> Tally {
    run_range(model, cfg.seed, 0..cfg.trials, progress)
}

/// Runs the trials `trials` (indices, e.g. one shard's) of the run with `seed`. The tallies of
/// any partition of `0..n` merge to exactly the tally of `run` over `n` trials.
pub fn run_range<M: Model>(model: &M, seed: u64, trials: Range<u64>, progress: &(dyn Fn(u64) + Sync)) -> Tally {
    let layout = model.layout();
    in_chunks(
        seed,
        trials,
        || (model.scratch(), TrialRecord::new(layout)),
        || Tally::new(layout),
        |(scratch, record), tally, rng| {
            model.run_trial(rng, scratch, record);
            tally.add(record);
        },
        Tally::merge,
        progress,
    )
}

/// The chunked driver behind every run: `trial` is called for each trial index of `trials`
/// with its random source, per-thread scratch `S` and its chunk's accumulator `A`; `merge`
/// adds one accumulator to another. The chunks' accumulators are merged pairwise in chunk
/// order as soon as both are done, so only a few exist at any time, whatever the number of
/// trials. `progress` hears the number of trials done after
/// every chunk (from any thread; it never affects the result).
pub(crate) fn in_chunks<S: Send, A: Send>(
    seed: u64,
    trials: Range<u64>,
    scratch: impl Fn() -> S + Sync + Send,
    accumulator: impl Fn() -> A + Sync + Send,
    trial: impl Fn(&mut S, &mut A, &TrialRng) + Sync + Send,
    merge: impl Fn(&mut A, &A) + Sync + Send,
    progress: &(dyn Fn(u64) + Sync),
) -> A {
    let chunks = (trials.end.saturating_sub(trials.start)).div_ceil(CHUNK);
    let done = std::sync::atomic::AtomicU64::new(0);
    let mut total = accumulator();
    let mut first = 0;
    while first < chunks {
        let last = (first + CHUNKS_PER_BATCH).min(chunks);
        let part = (first..last)
            .into_par_iter()
            .map_init(&scratch, |s, chunk| {
                let mut acc = accumulator();
                let start = trials.start + chunk * CHUNK;
                let end = (start + CHUNK).min(trials.end);
                for t in start..end {
                    trial(s, &mut acc, &TrialRng::new(seed, t));
                }
                progress(done.fetch_add(end - start, std::sync::atomic::Ordering::Relaxed) + end - start);
                acc
            })
            .reduce_with(|mut a, b| {
                merge(&mut a, &b);
                a
            });
        if let Some(part) = part {
            merge(&mut total, &part);
        }
        first = last;
    }
    total
}
