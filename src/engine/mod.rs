//! The Monte Carlo engine: trials, random streams and aggregation, for any bargaining model
//! that implements [`Model`].

mod chacha;
pub mod paired;
pub mod precision;
pub mod rng;
pub mod stats;
pub mod tally;

use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use rng::{Site, TrialRng};
pub use tally::Tally;

/// What a round of talks produced; `Settlement` and `Collapse` are absorbing: every later
/// round of the trial reports them again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A belligerent stayed away.
    NoMeeting,
    /// Both came; nothing was signed.
    TalksNoDeal,
    /// A humanitarian step (e.g. a prisoner exchange), nothing more.
    Humanitarian,
    /// A ceasefire was signed (no settlement).
    Ceasefire,
    /// A settlement was signed (now or in an earlier round).
    Settlement,
    /// The talks broke down for good (now or in an earlier round).
    Collapse,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::NoMeeting,
        Outcome::TalksNoDeal,
        Outcome::Humanitarian,
        Outcome::Ceasefire,
        Outcome::Settlement,
        Outcome::Collapse,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Outcome::NoMeeting => "no_meeting",
            Outcome::TalksNoDeal => "talks_no_deal",
            Outcome::Humanitarian => "humanitarian",
            Outcome::Ceasefire => "ceasefire",
            Outcome::Settlement => "settlement",
            Outcome::Collapse => "collapse",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::NoMeeting => "no meeting",
            Outcome::TalksNoDeal => "talks, no deal",
            Outcome::Humanitarian => "humanitarian deal",
            Outcome::Ceasefire => "ceasefire",
            Outcome::Settlement => "settlement",
            Outcome::Collapse => "collapse",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One round of one trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundRecord {
    pub outcome: Outcome,
    /// A ceasefire holds at the end of the round.
    pub ceasefire_in_force: bool,
}

/// Everything a model reports about one trial. Reused across trials to avoid allocation.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialRecord {
    pub rounds: Vec<RoundRecord>,
    /// Settlement terms, one value per term of the layout (issue units, or option index);
    /// meaningful only when `settled`.
    pub terms: Vec<f64>,
    pub settled: bool,
    /// The settlement would have been refused without the mediators' pressure and side payments.
    pub leverage_dependent: bool,
    /// The option of the first ceasefire signed, if any.
    pub ceasefire_option: Option<usize>,
}

impl TrialRecord {
    pub fn new(layout: &Layout) -> TrialRecord {
        TrialRecord {
            rounds: vec![RoundRecord { outcome: Outcome::NoMeeting, ceasefire_in_force: false }; layout.rounds.len()],
            terms: vec![0.0; layout.terms.len()],
            settled: false,
            leverage_dependent: false,
            ceasefire_option: None,
        }
    }
}

/// The shape of a model's results: its rounds and the terms it reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    pub rounds: Vec<RoundInfo>,
    pub terms: Vec<TermSpec>,
    /// Labels of the ceasefire options, when the scenario has a ceasefire issue.
    pub ceasefire_options: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundInfo {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermSpec {
    pub issue: String,
    pub label: String,
    pub kind: TermKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    Continuous { min: f64, max: f64, unit: String },
    Options(Vec<String>),
}

/// A bargaining model the engine can run: one trial at a time, from the trial's random source.
pub trait Model: Sync {
    /// Per-thread working memory, reused across trials.
    type Scratch: Send;

    fn layout(&self) -> &Layout;
    fn scratch(&self) -> Self::Scratch;
    /// Simulates one trial and overwrites `record` with its results.
    fn run_trial(&self, rng: &TrialRng, scratch: &mut Self::Scratch, record: &mut TrialRecord);
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
