//! The commands: each checks its outputs, loads its inputs, runs and writes. `run`, `compare`
//! and `sweep` take one path: a shard (an unsharded run is shard 1/1), then either its part
//! file or, for the whole run, the merge of that one part.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use sim::RunConfig;
use sim::engine::paired::Streams;
use sim::output::{self, Outputs, Progress, Target};
use sim::page::Ranking;
use sim::report::{Format, SensitivityReport, SourcesReport, TraceReport};
use sim::scenario::{self, LoadedScenario};
use sim::shard::{Merged, Shard, Study};
use sim::study::sensitivity;
use sim::study::sobol::Design;

use super::args::{
    CompareArgs, FormatArg, MergeArgs, Method, OutputOptions, ReportArgs, ReportMethod, RunArgs, RunOptions, ScoreArgs,
    SensitivityArgs, SweepArgs,
};
use super::usage;

impl RunOptions {
    fn progress(&self, total: u64) -> Progress {
        Progress::new(total, !self.quiet && std::io::stderr().is_terminal())
    }

    fn config(&self, defaults: &scenario::RunDefaults) -> RunConfig {
        RunConfig { trials: self.trials.unwrap_or(defaults.trials), seed: self.seed.unwrap_or(defaults.seed) }
    }

    /// A pool of the requested size.
    fn pool(&self) -> anyhow::Result<rayon::ThreadPool> {
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(n) = self.threads {
            pool = pool.num_threads(n as usize);
        }
        pool.build().context("cannot start worker threads")
    }
}

impl OutputOptions {
    /// The outputs, checked before any work; none may be one of `inputs`.
    fn check(&self, inputs: &[&Path]) -> anyhow::Result<Outputs> {
        Ok(Outputs::check(self.format.into(), self.output.as_deref(), self.plot.as_deref(), inputs)?)
    }
}

fn chart(merged: &Merged) -> String {
    match merged {
        Merged::Run(report) => sim::plot::run_chart(report),
        Merged::Compare(report) => sim::plot::compare_chart(report),
        Merged::Sweep(report) => sim::plot::sweep_chart(report),
        Merged::Sobol(report) => sim::plot::sobol_chart(report),
    }
}

/// Runs `study` (shard `shard`, or the whole run) and writes its part file or its report.
fn study(
    study: Study,
    cfg: RunConfig,
    shard: Option<Shard>,
    run: &RunOptions,
    outputs: &Outputs,
) -> anyhow::Result<()> {
    if let Some(shard) = shard {
        if outputs.charts() {
            return Err(usage("--plot draws the merged result: give it to `sim merge`, not to a shard"));
        }
        if shard.count > cfg.trials {
            return Err(usage(&format!(
                "--shard {shard}: {} trials cannot be cut into {} shards",
                cfg.trials, shard.count
            )));
        }
    }
    let progress = run.progress(study.work(shard.unwrap_or(Shard::WHOLE).trials(cfg.trials).count() as u64));
    let pool = run.pool()?;
    if let Some(shard) = shard {
        let part = pool.install(|| study.part(cfg, shard, &|n| progress.update(n)))?;
        drop(progress);
        return Ok(outputs.write_part(&part)?);
    }
    let merged = pool.install(|| study.whole(cfg, &|n| progress.update(n)))?;
    drop(progress);
    Ok(outputs.write(merged.summary(), || chart(&merged))?)
}

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    if args.print_scenario {
        // Printed before validation, so a merge that breaks a rule can be inspected.
        let resolved = scenario::variant::resolve(&args.file)?;
        return Ok(output::to_stdout(|out| {
            serde_json::to_writer_pretty(&mut *out, &resolved.document)?;
            writeln!(out)
        })?);
    }
    let outputs = args.out.check(&[&args.file])?;
    let loaded = scenario::load(&args.file)?;
    let cfg = args.run.config(loaded.body.run());
    let Some(eps) = args.precision else {
        return study(Study::Run(&loaded), cfg, args.shard.shard, &args.run, &outputs);
    };
    if args.shard.shard.is_some() {
        return Err(usage("--precision decides the trial count as it runs, so it cannot be sharded"));
    }
    let cap = args.run.trials.unwrap_or(sim::engine::precision::DEFAULT_MAX_TRIALS);
    // A proportion near 1/2 needs (0.98 / eps)^2 trials: no more are run than that, or the cap.
    let needed = (0.98 / eps).powi(2).ceil().min(cap as f64) as u64;
    let progress = args.run.progress(needed).capped();
    let report = args
        .run
        .pool()?
        .install(|| sim::simulate_to_precision(&loaded, cfg.seed, eps, cap, &|n| progress.update(n)))?;
    drop(progress);
    Ok(outputs.write(&report, || sim::plot::run_chart(&report))?)
}

pub fn compare(args: CompareArgs) -> anyhow::Result<()> {
    let files: Vec<&Path> =
        std::iter::once(args.base.as_path()).chain(args.variants.iter().map(PathBuf::as_path)).collect();
    let outputs = args.out.check(&files)?;
    let loaded = files.iter().map(|f| scenario::load(f)).collect::<Result<Vec<_>, _>>()?;
    let cfg = args.run.config(loaded[0].body.run());
    let streams = if args.independent { Streams::Independent } else { Streams::Common };
    study(Study::Compare(&loaded, streams), cfg, args.shard.shard, &args.run, &outputs)
}

pub fn sweep(args: SweepArgs) -> anyhow::Result<()> {
    if args.axes.len() > 2 {
        return Err(usage("sweep takes one or two --set parameters"));
    }
    let outputs = args.out.check(&[&args.file])?;
    let loaded = scenario::load(&args.file)?;
    let cfg = args.run.config(loaded.body.run());
    study(Study::Sweep(&loaded, &args.axes), cfg, args.shard.shard, &args.run, &outputs)
}

pub fn merge(args: MergeArgs) -> anyhow::Result<()> {
    let inputs: Vec<&Path> = args.parts.iter().map(PathBuf::as_path).collect();
    let outputs = args.out.check(&inputs)?;
    let merged = sim::shard::merge_files(&args.parts)?;
    Ok(outputs.write(merged.summary(), || chart(&merged))?)
}

pub fn report(args: ReportArgs) -> anyhow::Result<()> {
    let target = Target::check("-o", &args.output)?;
    output::check_distinct(&[&target], &[&args.file])?;
    let loaded = scenario::load(&args.file)?;
    let cfg = args.run.config(loaded.body.run());
    let pool = args.run.pool()?;
    let uncertain = loaded.body.params().iter().filter(|p| !p.param.is_fixed()).count() as u64;
    let rounds = sim::engine::Model::layout(&sim::model::compile(&loaded)?).rounds.clone();
    let last = rounds.len() - 1;
    // The Sobol design, and its base samples within the budget (a row runs the design's columns).
    let sobol = if args.sensitivity_trials == 0 || args.sensitivity_method == ReportMethod::Oat {
        None
    } else {
        let design = Design::new(&loaded, None, last)?;
        let rows = (args.sensitivity_budget / design.trials(1).max(1)).min(SOBOL_ROWS);
        match args.sensitivity_method {
            ReportMethod::Sobol => Some((design, rows.max(1))),
            _ if rows >= 1024 => Some((design, rows)),
            _ => None,
        }
    };
    let sensitivity_work = match &sobol {
        Some((design, rows)) => design.trials(*rows),
        None if args.sensitivity_trials == 0 => 0,
        None => (1 + 2 * uncertain) * args.sensitivity_trials,
    };
    let progress = args.run.progress(cfg.trials + sensitivity_work);
    let run = pool.install(|| sim::simulate_loaded(&loaded, cfg, &|n| progress.update(n)))?;
    let after_run = |n: u64| progress.update(cfg.trials + n);
    let last_id = &rounds[last].id;
    let oat;
    let global;
    let ranking = match &sobol {
        Some((design, rows)) => {
            let scfg = RunConfig { trials: *rows, seed: cfg.seed };
            global = pool.install(|| Study::Sobol(&loaded, design, 200).whole(scfg, &after_run))?.into_sobol()?;
            Some(Ranking::Sobol(&global))
        }
        None if args.sensitivity_trials == 0 => None,
        None => {
            let scfg = RunConfig { trials: args.sensitivity_trials, seed: cfg.seed };
            let opts = sensitivity::Options { figure: None, low: 0.1, high: 0.9 };
            let study = pool.install(|| sensitivity::sensitivity(&loaded, last, &opts, scfg, &after_run))?;
            oat = SensitivityReport::new(&loaded, last_id, &opts, scfg, study);
            Some(Ranking::OneAtATime(&oat))
        }
    };
    drop(progress);
    let html = sim::page::html_report(&run, ranking, &loaded);
    Ok(output::write(&target, Box::new(|out: &mut dyn Write| out.write_all(html.as_bytes())))?)
}

/// Trials per run of a sensitivity study when `--trials` is not given: two runs per uncertain
/// input, each paired, so fewer trials than a single run already give tight swings.
const SENSITIVITY_TRIALS: u64 = 10_000;
/// Base samples of a Sobol study when `--trials` is not given.
const SOBOL_ROWS: u64 = 8192;

pub fn sensitivity(args: SensitivityArgs) -> anyhow::Result<()> {
    if args.low >= args.high {
        return Err(usage("--low must be below --high"));
    }
    let outputs = args.out.check(&[&args.file])?;
    let loaded = scenario::load(&args.file)?;
    let rounds = sim::engine::Model::layout(&sim::model::compile(&loaded)?).rounds.clone();
    let round = match &args.round {
        None => rounds.len() - 1,
        Some(id) => rounds.iter().position(|r| &r.id == id).ok_or_else(|| {
            let ids: Vec<&str> = rounds.iter().map(|r| r.id.as_str()).collect();
            usage(&format!("no round `{id}` in {} (rounds: {})", args.file.display(), ids.join(", ")))
        })?,
    };
    let seed = args.run.seed.unwrap_or(loaded.body.run().seed);
    if args.method == Method::Sobol {
        let design = Design::new(&loaded, args.figure.as_deref(), round)?;
        let cfg = RunConfig { trials: args.run.trials.unwrap_or(SOBOL_ROWS), seed };
        let sobol = Study::Sobol(&loaded, &design, args.resamples as usize);
        return study(sobol, cfg, args.shard.shard, &args.run, &outputs);
    }
    if args.shard.shard.is_some() {
        return Err(usage("--shard splits a Sobol study (--method sobol); the one-at-a-time study is not sharded"));
    }
    let cfg = RunConfig { trials: args.run.trials.unwrap_or(SENSITIVITY_TRIALS), seed };
    let opts = sensitivity::Options { figure: args.figure.clone(), low: args.low, high: args.high };
    let uncertain = loaded.body.params().iter().filter(|p| !p.param.is_fixed()).count() as u64;
    let progress = args.run.progress((1 + 2 * uncertain).saturating_mul(cfg.trials));
    let study =
        args.run.pool()?.install(|| sensitivity::sensitivity(&loaded, round, &opts, cfg, &|n| progress.update(n)))?;
    drop(progress);
    let report = SensitivityReport::new(&loaded, &rounds[round].id, &opts, cfg, study);
    Ok(outputs.write(&report, || sim::plot::sensitivity_chart(&report))?)
}

pub fn validate(files: &[PathBuf]) -> anyhow::Result<()> {
    for file in files {
        let loaded = scenario::load(file)?;
        sim::model::compile(&loaded)?;
        let params = loaded.body.params();
        let cited = params.iter().filter(|p| !p.param.sources.is_empty()).count();
        let assumed = params.iter().filter(|p| p.param.assumption.is_some()).count();
        output::to_stdout(|out| {
            writeln!(
                out,
                "ok: {} ({} parameters: {cited} cite evidence, {assumed} marked as assumptions){}",
                file.display(),
                params.len(),
                if loaded.hindsight() { "; a replay, conditioned on hindsight" } else { "" }
            )
        })?;
    }
    Ok(())
}

pub fn trace(file: &Path, trial: u64, seed: Option<u64>, format: FormatArg) -> anyhow::Result<()> {
    let loaded = scenario::load(file)?;
    let seed = seed.unwrap_or(loaded.body.run().seed);
    let compiled = sim::model::compile(&loaded)?;
    let Some(model) = compiled.nash() else {
        return Err(usage(&format!(
            "{}: sim trace follows the trials of mediated_nash scenarios; the `{}` model draws its inputs and decides, with nothing more to tell",
            file.display(),
            sim::engine::Model::layout(&compiled).model
        )));
    };
    let trace = model.trace(&sim::engine::TrialRng::new(seed, trial));
    let report = TraceReport::new(&loaded, sim::engine::Model::layout(model), seed, trial, &trace);
    Ok(output::to_stdout(|out| Format::from(format).exporter().write(&report, out))?)
}

pub fn sources(file: &Path, format: FormatArg) -> anyhow::Result<()> {
    let loaded: LoadedScenario = scenario::load(file)?;
    sim::model::compile(&loaded)?;
    Ok(output::to_stdout(|out| Format::from(format).exporter().write(&SourcesReport::new(&loaded), out))?)
}

pub fn score(args: ScoreArgs) -> anyhow::Result<()> {
    let inputs: Vec<&Path> = args.cases.iter().map(PathBuf::as_path).collect();
    let outputs = args.out.check(&inputs)?;
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        pool = pool.num_threads(n as usize);
    }
    let pool = pool.build().context("cannot start worker threads")?;
    let cfg = RunConfig { trials: args.trials, seed: args.seed };
    let opts = sim::score::Options { seed: args.seed, ..sim::score::Options::default() };
    let (scores, skipped) =
        pool.install(|| sim::forecast::score_cases(&args.cases, cfg, &opts)).map_err(|e| match e {
            sim::forecast::ScoreError::Scenario(e) => anyhow::Error::from(e),
            sim::forecast::ScoreError::Nothing(e) => usage(&e.to_string()),
        })?;
    for line in &skipped {
        eprintln!("sim: note: {line}");
    }
    let report = sim::report::ScoreReport::new(scores, cfg);
    Ok(outputs.write(&report, || sim::plot::score_chart(&report))?)
}

pub fn schema() -> anyhow::Result<()> {
    let schema = schemars::schema_for!(scenario::Body);
    Ok(output::to_stdout(|out| {
        serde_json::to_writer_pretty(&mut *out, &schema)?;
        writeln!(out)
    })?)
}
