//! `sim`: a seeded, reproducible Monte Carlo simulator of mediated negotiation outcomes.
//!
//! Flow: a scenario file is loaded and validated ([`scenario`]), compiled into a bargaining
//! model ([`model`]), run over many trials by the engine ([`engine`]), and summarized into a
//! report that any output format can write ([`report`]); [`plot`] draws the reports and
//! [`page`] lays out the HTML report of a run.

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
pub use report::RunReport;

/// Loads `file`, runs it with `cfg` on the current rayon pool and summarizes the result.
pub fn simulate(
    file: &Path,
    cfg: RunConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunReport, scenario::ScenarioError> {
    let loaded = scenario::load(file)?;
    simulate_loaded(&loaded, cfg, progress)
}

/// Compiles and runs an already loaded scenario.
pub fn simulate_loaded(
    loaded: &scenario::LoadedScenario,
    cfg: RunConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunReport, scenario::ScenarioError> {
    let model = model::compile(loaded)?;
    let tally = engine::run(&model, cfg, progress);
    Ok(RunReport::new(loaded, cfg, engine::Model::layout(&model), &tally))
}

/// Runs an already loaded scenario in batches until every headline probability is known to
/// the 95% half-width `target`, or `max_trials` have run (`engine::precision`).
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
/// otherwise.
pub fn compare_loaded(
    loaded: &[scenario::LoadedScenario],
    cfg: RunConfig,
    streams: engine::paired::Streams,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<report::CompareReport, scenario::ScenarioError> {
    let models = loaded.iter().map(model::compile).collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&model::MediatedNash> = models.iter().collect();
    let paired = engine::paired::run_paired(&refs, cfg, streams, progress);
    let layouts: Vec<&engine::Layout> = models.iter().map(engine::Model::layout).collect();
    Ok(report::CompareReport::new(loaded, &layouts, cfg, streams, &paired))
}
