//! The `sim` command: a thin shell over the library.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{CommandFactory, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use sim::RunConfig;
use sim::engine::paired::{Figure, Streams};
use sim::report::{Format, SensitivityReport, SourcesReport, Summary, SweepReport, TraceReport};
use sim::scenario::validate::limits;
use sim::scenario::{self, ScenarioError};

/// Seeded, reproducible Monte Carlo estimates of negotiation outcomes.
#[derive(Debug, Parser)]
#[command(name = "sim", version, about, max_term_width = 100)]
#[command(after_help = "Examples:\n  sim run scenarios/istanbul_summit.json\n  \
    sim run scenarios/istanbul_summit.json --format json --seed 7 --trials 200000 -o out.json\n  \
    sim run scenarios/istanbul_summit.json --plot outcomes.svg\n  \
    sim report scenarios/istanbul_summit.json -o report.html\n  \
    sim compare scenarios/istanbul_summit.json scenarios/variants/*.json\n  \
    sim sweep scenarios/istanbul_summit.json --set /mediators/1/leverage/russia/pressure=0,0.05,0.1\n  \
    sim sensitivity scenarios/istanbul_summit.json --plot tornado.svg\n  \
    sim run scenarios/istanbul_summit.json --shard 2/4 -o part-2.json && sim merge part-*.json\n  \
    sim trace scenarios/istanbul_summit.json --trial 6\n  \
    sim validate scenarios/*.json\n  sim schema > scenario.schema.json\n\n\
    Exit codes: 0 success, 1 runtime failure, 2 invalid input or usage.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario and report the distribution of outcomes per round.
    Run(RunArgs),
    /// Check scenario files against the rules and their evidence base.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run a base scenario and variants on common random numbers and report the differences.
    Compare(CompareArgs),
    /// Write a self-contained HTML report: tables, charts, sensitivity ranking and evidence.
    Report(ReportArgs),
    /// Headline figures over a grid of values of one or two parameters.
    Sweep(SweepArgs),
    /// Merge the part files of a sharded run (`--shard K/N`) into the report of the whole run.
    Merge(MergeArgs),
    /// Rank the uncertain inputs by how much they move a headline figure (tornado data).
    Sensitivity(SensitivityArgs),
    /// Tell one trial round by round: the draws, events, attendance, proposals and why each side
    /// accepted or refused.
    Trace {
        /// Scenario or variant file (JSON).
        file: PathBuf,
        /// The trial index (as in `sim run`: trials are numbered from 0).
        #[arg(long, short = 't')]
        trial: u64,
        /// Seed [default: the scenario's `run.seed`].
        #[arg(long, short = 's')]
        seed: Option<u64>,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List every parameter with its value or law and the evidence it cites.
    Sources {
        /// Scenario or variant file (JSON).
        file: PathBuf,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Print the JSON Schema of scenario files.
    Schema,
    /// Print a shell completion script, e.g. `sim completions bash > ~/.local/share/bash-completion/completions/sim`.
    Completions { shell: clap_complete::Shell },
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim run scenarios/istanbul_summit.json\n  sim run scenarios/istanbul_summit.json -f json --seed 7 --trials 200000 -o out.json\n  sim run scenarios/istanbul_summit.json -f csv | head\n  sim run scenarios/istanbul_summit.json --plot outcomes.svg\n  sim run scenarios/variants/us_pressure_up.json --print-scenario"
)]
struct RunArgs {
    /// Scenario or variant file (JSON).
    file: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    shard: ShardArgs,
    /// Run trials in batches of 65,536 until every headline probability's 95% half-width is at
    /// most EPS (from 65,536 trials on); `--trials` is then the cap [default: 10,000,000].
    #[arg(long, value_name = "EPS", value_parser = parse_precision)]
    precision: Option<f64>,
    /// Print the scenario as run (a variant merged onto its base), without validating or
    /// running it.
    #[arg(long)]
    print_scenario: bool,
}

fn parse_precision(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(eps) if eps > 0.0 && eps <= 0.5 => Ok(eps),
        _ => Err(format!("`{s}` is not a half-width above 0 and at most 0.5")),
    }
}

/// A sharded run (docs/SCALING.md).
#[derive(Debug, clap::Args)]
struct ShardArgs {
    /// Run only shard K of N (1 <= K <= N <= 100000; trials [floor((K-1)T/N), floor(KT/N)) of
    /// T) and write its part file for `sim merge` instead of a report.
    #[arg(long, value_name = "K/N", value_parser = sim::shard::Shard::parse)]
    shard: Option<sim::shard::Shard>,
}

impl ShardArgs {
    /// The shard to run, after checking that the rest of the command fits a sharded run.
    fn checked(&self, common: &CommonArgs, trials: u64) -> anyhow::Result<Option<sim::shard::Shard>> {
        let Some(shard) = self.shard else { return Ok(None) };
        if common.plot.is_some() {
            return Err(usage("--plot draws the merged result: give it to `sim merge`, not to a shard"));
        }
        if shard.count > trials {
            return Err(usage(&format!("--shard {shard}: {trials} trials cannot be cut into {} shards", shard.count)));
        }
        Ok(Some(shard))
    }
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim merge part-*.json\n  sim merge part-*.json -f json -o result.json --plot outcomes.svg"
)]
struct MergeArgs {
    /// The part files written by `--shard K/N`, one per shard, in any order.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write to this file instead of standard output (written whole, or not at all); `-` is
    /// standard output.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Also draw the results as an SVG chart into this file.
    #[arg(long, value_name = "PATH.svg")]
    plot: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim compare scenarios/istanbul_summit.json scenarios/variants/*.json\n  sim compare scenarios/istanbul_summit.json scenarios/variants/us_aid_cut.json --independent\n  sim compare scenarios/istanbul_summit.json scenarios/variants/summit_held.json -f csv -o diff.csv --plot diff.svg"
)]
struct CompareArgs {
    /// The base scenario.
    base: PathBuf,
    /// Variants (or other scenarios) to compare with it.
    #[arg(required = true)]
    variants: Vec<PathBuf>,
    /// Give each scenario its own seed (seed + position) instead of common random numbers, to
    /// see how much wider the intervals of the differences become.
    #[arg(long)]
    independent: bool,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    shard: ShardArgs,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim report scenarios/istanbul_summit.json -o report.html\n  sim report scenarios/variants/summit_held.json -o summit_held.html --sensitivity-trials 0"
)]
struct ReportArgs {
    /// Scenario or variant file (JSON).
    file: PathBuf,
    /// The HTML file to write.
    #[arg(long, short = 'o')]
    output: PathBuf,
    /// Trials of the main run [default: the scenario's `run.trials`].
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u64).range(1..=limits::TRIALS))]
    trials: Option<u64>,
    /// Seed [default: the scenario's `run.seed`].
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Trials per run of the sensitivity ranking (two runs per uncertain input); 0 leaves the
    /// ranking out.
    #[arg(long, default_value_t = 2000)]
    sensitivity_trials: u64,
    /// Worker threads [default: all cores]; the output does not depend on it.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim sweep scenarios/istanbul_summit.json --set /mediators/1/leverage/russia/pressure=0,0.04,0.08,0.12\n  sim sweep scenarios/istanbul_summit.json --set /parties/0/cost_of_war=0.02,0.05 --set /rounds/3/delegations/russia/level=ministers,leaders --plot grid.svg"
)]
struct SweepArgs {
    /// Scenario or variant file (JSON).
    file: PathBuf,
    /// A parameter and its values: POINTER=v1,v2,... with POINTER a JSON Pointer into the
    /// scenario (see `sim run FILE --print-scenario`). Give one or two.
    #[arg(long = "set", required = true, value_parser = parse_axis)]
    axes: Vec<sim::study::sweep::Axis>,
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    shard: ShardArgs,
}

fn parse_axis(spec: &str) -> Result<sim::study::sweep::Axis, String> {
    sim::study::sweep::Axis::parse(spec)
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim sensitivity scenarios/istanbul_summit.json\n  sim sensitivity scenarios/istanbul_summit.json --figure settlement_reached --round summit --plot tornado.svg\n  sim sensitivity scenarios/istanbul_2025.json --figure humanitarian --round jul23 --low 0.05 --high 0.95"
)]
struct SensitivityArgs {
    /// Scenario or variant file (JSON).
    file: PathBuf,
    /// The headline figure to explain.
    #[arg(long, value_enum, default_value_t = Figure::CeasefireReached)]
    figure: Figure,
    /// Round id at which the figure is read [default: the last round].
    #[arg(long)]
    round: Option<String>,
    /// Low quantile at which each input is held.
    #[arg(long, default_value_t = 0.1, value_parser = parse_quantile)]
    low: f64,
    /// High quantile at which each input is held.
    #[arg(long, default_value_t = 0.9, value_parser = parse_quantile)]
    high: f64,
    #[command(flatten)]
    common: CommonArgs,
}

fn parse_quantile(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(q) if (0.0..=1.0).contains(&q) => Ok(q),
        _ => Err(format!("`{s}` is not a quantile between 0 and 1")),
    }
}

/// Options shared by the commands that run trials.
#[derive(Debug, clap::Args)]
struct CommonArgs {
    /// Number of trials [default: the (base) scenario's `run.trials`].
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u64).range(1..=limits::TRIALS))]
    trials: Option<u64>,
    /// Seed of the random streams [default: the (base) scenario's `run.seed`].
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Worker threads [default: all cores]; the output does not depend on it.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write to this file instead of standard output (written whole, or not at all); `-` is
    /// standard output.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// No progress bar (it shows only on a terminal, and only for runs over half a second).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Also draw the results as an SVG chart into this file.
    #[arg(long, value_name = "PATH.svg")]
    plot: Option<PathBuf>,
}

impl CommonArgs {
    fn progress(&self, total: u64) -> Progress {
        Progress::new(total, !self.quiet && io::stderr().is_terminal())
    }

    fn config(&self, defaults: &scenario::RunDefaults) -> RunConfig {
        RunConfig { trials: self.trials.unwrap_or(defaults.trials), seed: self.seed.unwrap_or(defaults.seed) }
    }

    /// Runs `job` on a pool of the requested size.
    fn pool(&self) -> anyhow::Result<rayon::ThreadPool> {
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(n) = self.threads {
            pool = pool.num_threads(n as usize);
        }
        pool.build().context("cannot start worker threads")
    }

    /// Writes the chart, if `--plot` asks for one.
    fn chart(&self, svg: impl FnOnce() -> String) -> anyhow::Result<()> {
        match &self.plot {
            Some(path) => write_atomically(path, |out| out.write_all(svg().as_bytes())),
            None => Ok(()),
        }
    }

    /// Writes a summary in the chosen format to the chosen place.
    fn emit(&self, summary: &dyn Summary) -> anyhow::Result<ExitCode> {
        let exporter = self.format.exporter();
        match self.output.as_ref().filter(|p| p.as_os_str() != "-") {
            None => {
                let mut stdout = io::stdout().lock();
                exporter.write(summary, &mut stdout)?;
                stdout.flush()?;
            }
            Some(path) => write_atomically(path, |out| exporter.write(summary, out))?,
        }
        Ok(ExitCode::SUCCESS)
    }

    /// Writes a shard's part file (compact JSON) to the chosen place.
    fn emit_part(&self, part: &sim::shard::Part) -> anyhow::Result<ExitCode> {
        let write = |out: &mut dyn Write| {
            serde_json::to_writer(&mut *out, part)?;
            writeln!(out)
        };
        match self.output.as_ref().filter(|p| p.as_os_str() != "-") {
            None => {
                let mut stdout = io::stdout().lock();
                write(&mut stdout)?;
                stdout.flush()?;
            }
            Some(path) => write_atomically(path, write)?,
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("sim: error: {err:#}");
            let invalid_input = err.downcast_ref::<ScenarioError>().is_some()
                || err.downcast_ref::<UsageError>().is_some()
                || err.downcast_ref::<sim::shard::PartError>().is_some();
            ExitCode::from(if invalid_input { 2 } else { 1 })
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    ctrlc::set_handler(interrupted).context("cannot install the Ctrl-C handler")?;
    match cli.command {
        Command::Run(args) => run_scenario(args),
        Command::Compare(args) => compare(args),
        Command::Report(args) => html_report(args),
        Command::Sweep(args) => sweep(args),
        Command::Merge(args) => merge(args),
        Command::Sensitivity(args) => sensitivity(args),
        Command::Validate { files } => {
            let mut stdout = io::stdout().lock();
            for file in files {
                let loaded = scenario::load(&file)?;
                sim::model::compile(&loaded)?;
                let params = loaded.scenario.params();
                let cited = params.iter().filter(|p| !p.param.sources.is_empty()).count();
                let assumed = params.iter().filter(|p| p.param.assumption.is_some()).count();
                writeln!(
                    stdout,
                    "ok: {} ({} parameters: {cited} cite evidence, {assumed} marked as assumptions)",
                    file.display(),
                    params.len()
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Trace { file, trial, seed, format } => {
            let loaded = scenario::load(&file)?;
            let seed = seed.unwrap_or(loaded.scenario.run.seed);
            let model = sim::model::compile(&loaded)?;
            let trace = model.trace(&sim::engine::TrialRng::new(seed, trial));
            let report = TraceReport::new(&loaded, sim::engine::Model::layout(&model), seed, trial, &trace);
            let mut stdout = io::stdout().lock();
            format.exporter().write(&report, &mut stdout)?;
            stdout.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Sources { file, format } => {
            let loaded = scenario::load(&file)?;
            sim::model::compile(&loaded)?;
            let mut stdout = io::stdout().lock();
            format.exporter().write(&SourcesReport::new(&loaded), &mut stdout)?;
            stdout.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "sim", &mut io::stdout().lock());
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            let schema = schemars::schema_for!(scenario::Scenario);
            let mut stdout = io::stdout().lock();
            serde_json::to_writer_pretty(&mut stdout, &schema)?;
            writeln!(stdout)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_scenario(args: RunArgs) -> anyhow::Result<ExitCode> {
    if args.print_scenario {
        // Printed before validation, so a merge that breaks a rule can be inspected.
        let resolved = scenario::variant::resolve(&args.file)?;
        let mut stdout = io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, &resolved.document)?;
        writeln!(stdout)?;
        return Ok(ExitCode::SUCCESS);
    }
    let loaded = scenario::load(&args.file)?;
    let cfg = args.common.config(&loaded.scenario.run);
    if let Some(shard) = args.shard.checked(&args.common, cfg.trials)? {
        if args.precision.is_some() {
            return Err(usage("--precision decides the trial count as it runs, so it cannot be sharded"));
        }
        let progress = args.common.progress(shard.trials(cfg.trials).count() as u64);
        let part =
            args.common.pool()?.install(|| sim::shard::run_part(&loaded, cfg, shard, &|n| progress.update(n)))?;
        drop(progress);
        return args.common.emit_part(&part);
    }
    let report = match args.precision {
        Some(eps) => {
            let cap = args.common.trials.unwrap_or(sim::engine::precision::DEFAULT_MAX_TRIALS);
            let progress = args.common.progress(cap);
            let pool = args.common.pool()?;
            pool.install(|| sim::simulate_to_precision(&loaded, cfg.seed, eps, cap, &|n| progress.update(n)))?
        }
        None => {
            let progress = args.common.progress(cfg.trials);
            args.common.pool()?.install(|| sim::simulate_loaded(&loaded, cfg, &|n| progress.update(n)))?
        }
    };
    args.common.chart(|| sim::plot::run_chart(&report))?;
    args.common.emit(&report)
}

fn compare(args: CompareArgs) -> anyhow::Result<ExitCode> {
    let files: Vec<&PathBuf> = std::iter::once(&args.base).chain(&args.variants).collect();
    let loaded = files.iter().map(|f| scenario::load(f)).collect::<Result<Vec<_>, _>>()?;
    let cfg = args.common.config(&loaded[0].scenario.run);
    let streams = if args.independent { Streams::Independent } else { Streams::Common };
    if let Some(shard) = args.shard.checked(&args.common, cfg.trials)? {
        let progress = args.common.progress(shard.trials(cfg.trials).count() as u64);
        let part = args
            .common
            .pool()?
            .install(|| sim::shard::compare_part(&loaded, cfg, streams, shard, &|n| progress.update(n)))?;
        drop(progress);
        return args.common.emit_part(&part);
    }
    let progress = args.common.progress(cfg.trials);
    let report = args.common.pool()?.install(|| sim::compare_loaded(&loaded, cfg, streams, &|n| progress.update(n)))?;
    drop(progress);
    args.common.chart(|| sim::plot::compare_chart(&report))?;
    args.common.emit(&report)
}

fn html_report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let loaded = scenario::load(&args.file)?;
    let common = CommonArgs {
        trials: args.trials,
        seed: args.seed,
        threads: args.threads,
        format: Format::Table,
        output: None,
        quiet: args.quiet,
        plot: None,
    };
    let cfg = common.config(&loaded.scenario.run);
    let pool = common.pool()?;
    let uncertain = loaded.scenario.params().iter().filter(|p| !p.param.is_fixed()).count() as u64;
    let sensitivity_work = if args.sensitivity_trials == 0 { 0 } else { (1 + 2 * uncertain) * args.sensitivity_trials };
    let progress = common.progress(cfg.trials + sensitivity_work);
    let run = pool.install(|| sim::simulate_loaded(&loaded, cfg, &|n| progress.update(n)))?;
    let sensitivity = if args.sensitivity_trials == 0 {
        None
    } else {
        let scfg = RunConfig { trials: args.sensitivity_trials, seed: cfg.seed };
        let opts = sim::study::sensitivity::Options { figure: Figure::CeasefireReached, low: 0.1, high: 0.9 };
        let last = loaded.scenario.rounds.len() - 1;
        let (base, inputs) = pool.install(|| {
            sim::study::sensitivity::sensitivity(&loaded, last, opts, scfg, &|n| progress.update(cfg.trials + n))
        })?;
        Some(SensitivityReport::new(&loaded, &loaded.scenario.rounds[last].id, opts, scfg, base, inputs))
    };
    drop(progress);
    let html = sim::page::html_report(&run, sensitivity.as_ref(), &loaded);
    write_atomically(&args.output, |out| out.write_all(html.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}

fn sweep(args: SweepArgs) -> anyhow::Result<ExitCode> {
    if args.axes.len() > 2 {
        return Err(usage("sweep takes one or two --set parameters"));
    }
    let loaded = scenario::load(&args.file)?;
    let cfg = args.common.config(&loaded.scenario.run);
    let count: u64 = args.axes.iter().map(|a| a.values.len() as u64).product();
    if let Some(shard) = args.shard.checked(&args.common, cfg.trials)? {
        let progress = args.common.progress(count.saturating_mul(shard.trials(cfg.trials).count() as u64));
        let part = args
            .common
            .pool()?
            .install(|| sim::shard::sweep_part(&loaded, &args.axes, cfg, shard, &|n| progress.update(n)))?;
        drop(progress);
        return args.common.emit_part(&part);
    }
    let progress = args.common.progress(count.saturating_mul(cfg.trials));
    let points =
        args.common.pool()?.install(|| sim::study::sweep::sweep(&loaded, &args.axes, cfg, &|n| progress.update(n)))?;
    drop(progress);
    let report = SweepReport::new(&loaded, &args.axes, cfg, &points);
    args.common.chart(|| sim::plot::sweep_chart(&report))?;
    args.common.emit(&report)
}

fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let parts = args
        .parts
        .iter()
        .map(|file| Ok((file.clone(), sim::shard::read_part(file)?)))
        .collect::<Result<Vec<_>, sim::shard::PartError>>()?;
    let merged = sim::shard::merge(&parts)?;
    let common = CommonArgs {
        trials: None,
        seed: None,
        threads: None,
        format: args.format,
        output: args.output,
        quiet: true,
        plot: args.plot,
    };
    match merged {
        sim::shard::Merged::Run(report) => {
            common.chart(|| sim::plot::run_chart(&report))?;
            common.emit(report.as_ref())
        }
        sim::shard::Merged::Compare(report) => {
            common.chart(|| sim::plot::compare_chart(&report))?;
            common.emit(&report)
        }
        sim::shard::Merged::Sweep(report) => {
            common.chart(|| sim::plot::sweep_chart(&report))?;
            common.emit(&report)
        }
    }
}

fn sensitivity(args: SensitivityArgs) -> anyhow::Result<ExitCode> {
    if args.low >= args.high {
        return Err(usage("--low must be below --high"));
    }
    let loaded = scenario::load(&args.file)?;
    let rounds = &loaded.scenario.rounds;
    let round = match &args.round {
        None => rounds.len() - 1,
        Some(id) => rounds.iter().position(|r| &r.id == id).ok_or_else(|| {
            let ids: Vec<&str> = rounds.iter().map(|r| r.id.as_str()).collect();
            usage(&format!("no round `{id}` in {} (rounds: {})", args.file.display(), ids.join(", ")))
        })?,
    };
    let cfg = RunConfig {
        trials: args.common.trials.unwrap_or(SENSITIVITY_TRIALS),
        seed: args.common.seed.unwrap_or(loaded.scenario.run.seed),
    };
    let opts = sim::study::sensitivity::Options { figure: args.figure, low: args.low, high: args.high };
    let uncertain = loaded.scenario.params().iter().filter(|p| !p.param.is_fixed()).count() as u64;
    let progress = args.common.progress((1 + 2 * uncertain).saturating_mul(cfg.trials));
    let (base, inputs) = args
        .common
        .pool()?
        .install(|| sim::study::sensitivity::sensitivity(&loaded, round, opts, cfg, &|n| progress.update(n)))?;
    drop(progress);
    let report = SensitivityReport::new(&loaded, &rounds[round].id, opts, cfg, base, inputs);
    args.common.chart(|| sim::plot::sensitivity_chart(&report))?;
    args.common.emit(&report)
}

/// Trials per run of a sensitivity study when `--trials` is not given: two runs per uncertain
/// input, each paired, so fewer trials than a single run already give tight swings.
const SENSITIVITY_TRIALS: u64 = 10_000;

/// Arguments that do not fit together: exit code 2, like clap's own usage errors.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

fn usage(message: &str) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.to_string()))
}

/// Held while an output file is written and renamed into place, so that Ctrl-C lands either
/// before (nothing written) or after (the file complete), never in between.
static WRITING: Mutex<()> = Mutex::new(());

/// The progress bar on screen, if any, for Ctrl-C to clear.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Ctrl-C: stop at once with exit code 130 (128 + SIGINT, as shells report it), leaving
/// earlier outputs untouched and no temporary file behind.
fn interrupted() {
    let _writing = WRITING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(bar) = BAR.lock().ok().and_then(|mut b| b.take()) {
        bar.finish_and_clear();
    }
    eprintln!("sim: interrupted");
    std::process::exit(130);
}

/// A progress bar on stderr that appears only if enabled and the work has already taken half a
/// second, so quick runs and pipes stay silent.
struct Progress {
    bar: ProgressBar,
    start: Instant,
    enabled: bool,
    shown: AtomicBool,
}

impl Progress {
    fn new(total: u64, enabled: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {human_pos}/{human_len} trials [{wide_bar}] {percent}% ETA {eta}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        Progress { bar, start: Instant::now(), enabled, shown: AtomicBool::new(false) }
    }

    fn update(&self, done: u64) {
        if !self.enabled {
            return;
        }
        self.bar.set_position(done);
        if !self.shown.load(Ordering::Relaxed) && self.start.elapsed() > Duration::from_millis(500) {
            self.shown.store(true, Ordering::Relaxed);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            if let Ok(mut shown) = BAR.lock() {
                *shown = Some(self.bar.clone());
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Ok(mut shown) = BAR.lock() {
            shown.take();
        }
        self.bar.finish_and_clear();
    }
}

/// Writes to a temporary file beside `path` and renames it into place, so a failed or
/// interrupted run never leaves a partial file.
fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> anyhow::Result<()> {
    let _writing = WRITING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot create a file in {}", dir.display()))?;
    {
        let mut buf = io::BufWriter::new(tmp.as_file_mut());
        write(&mut buf).with_context(|| format!("cannot write {}", path.display()))?;
        buf.flush()?;
    }
    // Temporary files are private (0600); an output file gets the usual permissions.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
