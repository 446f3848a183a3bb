//! `sim`: a seeded, reproducible Monte Carlo simulator of mediated negotiation outcomes.
//!
//! Flow: a scenario file is loaded and validated ([`scenario`]), compiled into a bargaining
//! model ([`model`]), run over many trials by the engine ([`engine`]), and summarized into a
//! report that any output format can write ([`report`]); [`plot`] draws the reports and
//! [`page`] lays out the HTML report of a run.
//!
//! Every run takes one path: the trials of a shard are tallied into a part ([`shard`]), and
//! the report is the merge of the parts; an unsharded run is shard 1/1 merged on its own
//! ([`Study::whole`]). In one call: [`simulate`] (a scenario file), [`simulate_loaded`] (a
//! loaded scenario) and [`compare_loaded`] (a base and its variants) take that path and give
//! the report `sim run` and `sim compare` print.

pub mod engine;
pub mod forecast;
pub mod model;
pub mod output;
pub mod page;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod score;
pub mod shard;
pub mod study;

use std::path::Path;

pub use engine::RunConfig;
pub use report::{CompareReport, RunReport};
pub use shard::{Merged, Study, StudyError};

/// Loads `file`, runs it with `cfg` on the current rayon pool and summarizes the result.
pub fn simulate(file: &Path, cfg: RunConfig, progress: &(dyn Fn(u64) + Sync)) -> Result<RunReport, StudyError> {
    let loaded = scenario::load(file)?;
    simulate_loaded(&loaded, cfg, progress)
}

/// Compiles and runs an already loaded scenario: [`Study::Run`] run whole, the path of
/// `sim run` (shard 1/1 and its merge).
pub fn simulate_loaded(
    loaded: &scenario::LoadedScenario,
    cfg: RunConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunReport, StudyError> {
    Ok(Study::Run(loaded).whole(cfg, progress)?.into_run()?)
}

/// Runs an already loaded scenario in batches until every headline probability is known to
/// the 95% half-width `target`, or `max_trials` have run (`engine::precision`). The trial count
/// is decided as the run goes, so this run is not sharded.
pub fn simulate_to_precision(
    loaded: &scenario::LoadedScenario,
    seed: u64,
    target: f64,
    max_trials: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunReport, scenario::ScenarioError> {
    let model = model::compile(loaded)?;
    let (tally, stopping) = engine::precision::run_to_precision(&model, seed, target, max_trials, progress);
    let cfg = RunConfig { trials: tally.trials, seed };
    let id = report::ScenarioId::of(loaded);
    Ok(RunReport::of(&id, cfg, engine::Model::layout(&model), &tally, Some(stopping)))
}

/// Runs a base scenario and its variants, on common random numbers unless `streams` says
/// otherwise: [`Study::Compare`] run whole, the path of `sim compare`.
pub fn compare_loaded(
    loaded: &[scenario::LoadedScenario],
    cfg: RunConfig,
    streams: engine::paired::Streams,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<CompareReport, StudyError> {
    Ok(Study::Compare(loaded, streams).whole(cfg, progress)?.into_compare()?)
}
