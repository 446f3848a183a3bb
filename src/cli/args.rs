//! The command line: commands, options and their help.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use sim::report::Format;
use sim::scenario::validate::limits;
use sim::shard::Shard;
use sim::study::sweep::Axis;

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
    Exit codes: 0 success, 1 runtime failure, 2 invalid input or usage, 130 interrupted.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
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
        #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
    },
    /// List every parameter with its value or law and the evidence it cites.
    Sources {
        /// Scenario or variant file (JSON).
        file: PathBuf,
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Table)]
        format: FormatArg,
    },
    /// Score the model on past cases: run each case's frozen scenarios with its questions and
    /// score the forecasts against the resolutions (docs/SCORING.md).
    Score(ScoreArgs),
    /// Print the JSON Schema of scenario files.
    Schema,
    /// Print a shell completion script, e.g. `sim completions bash > ~/.local/share/bash-completion/completions/sim`.
    Completions { shell: clap_complete::Shell },
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim run scenarios/istanbul_summit.json\n  sim run scenarios/istanbul_summit.json -f json --seed 7 --trials 200000 -o out.json\n  sim run scenarios/istanbul_summit.json -f csv | head\n  sim run scenarios/istanbul_summit.json --plot outcomes.svg\n  sim run scenarios/variants/us_pressure_up.json --print-scenario"
)]
pub struct RunArgs {
    /// Scenario or variant file (JSON).
    pub file: PathBuf,
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub out: OutputOptions,
    #[command(flatten)]
    pub shard: ShardOption,
    /// Run trials in batches of 65,536 until every headline probability's 95% half-width is at
    /// most EPS (from 65,536 trials on); `--trials` is then the cap [default: 10,000,000].
    #[arg(long, value_name = "EPS", value_parser = parse_precision)]
    pub precision: Option<f64>,
    /// Print the scenario as run (a variant merged onto its base), without validating or
    /// running it.
    #[arg(long)]
    pub print_scenario: bool,
}

fn parse_precision(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(eps) if eps > 0.0 && eps <= 0.5 => Ok(eps),
        _ => Err(format!("`{s}` is not a half-width above 0 and at most 0.5")),
    }
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim score cases/\n  sim score cases/minsk-2014 cases/minsk-2015 -f json -o scores.json --plot reliability.svg"
)]
pub struct ScoreArgs {
    /// Case folders (`questions.json`, `resolution.json`, `scenario-YYYY-MM-DD.json`), or folders
    /// of them (`cases/`); a case without `resolution.json` is skipped with a note.
    #[arg(required = true)]
    pub cases: Vec<PathBuf>,
    /// Trials per scenario.
    #[arg(long, short = 'n', default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=limits::TRIALS))]
    pub trials: u64,
    /// Seed of every scenario's random streams and of the bootstrap.
    #[arg(long, short = 's', default_value_t = 1)]
    pub seed: u64,
    /// Worker threads [default: all cores]; the output does not depend on it.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    #[command(flatten)]
    pub out: OutputOptions,
}

/// A sharded run (docs/SCALING.md).
#[derive(Debug, clap::Args)]
pub struct ShardOption {
    /// Run only shard K of N (1 <= K <= N <= 100000; trials [floor((K-1)T/N), floor(KT/N)) of
    /// T) and write its part file for `sim merge` instead of a report.
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim merge part-*.json\n  sim merge part-*.json -f json -o result.json --plot outcomes.svg"
)]
pub struct MergeArgs {
    /// The part files written by `--shard K/N`, one per shard, in any order.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    #[command(flatten)]
    pub out: OutputOptions,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim compare scenarios/istanbul_summit.json scenarios/variants/*.json\n  sim compare scenarios/istanbul_summit.json scenarios/variants/us_aid_cut.json --independent\n  sim compare scenarios/istanbul_summit.json scenarios/variants/summit_held.json -f csv -o diff.csv --plot diff.svg"
)]
pub struct CompareArgs {
    /// The base scenario.
    pub base: PathBuf,
    /// Variants (or other scenarios) to compare with it.
    #[arg(required = true)]
    pub variants: Vec<PathBuf>,
    /// Give each scenario its own seed (seed + position) instead of common random numbers, to
    /// see how much wider the intervals of the differences become.
    #[arg(long)]
    pub independent: bool,
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub out: OutputOptions,
    #[command(flatten)]
    pub shard: ShardOption,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim report scenarios/istanbul_summit.json -o report.html\n  sim report scenarios/variants/summit_held.json -o summit_held.html --sensitivity-trials 0"
)]
pub struct ReportArgs {
    /// Scenario or variant file (JSON).
    pub file: PathBuf,
    /// The HTML file to write.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    #[command(flatten)]
    pub run: RunOptions,
    /// Trials per run of the one-at-a-time sensitivity ranking (two runs per uncertain input);
    /// 0 leaves the sensitivity section out.
    #[arg(long, default_value_t = 2000)]
    pub sensitivity_trials: u64,
    /// The sensitivity section's method: `sobol` when its design of at least 1,024 base samples
    /// fits --sensitivity-budget trials (`auto`), or as given.
    #[arg(long, value_enum, default_value_t = ReportMethod::Auto)]
    pub sensitivity_method: ReportMethod,
    /// Trials the Sobol study may run (base samples × (inputs + groups + 3)), at most 8,192 base
    /// samples; a budget in trials, not seconds, so the page does not depend on the machine.
    #[arg(long, default_value_t = 2_000_000)]
    pub sensitivity_budget: u64,
}

/// The sensitivity method of `sim report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportMethod {
    /// Sobol if it fits the budget, else one at a time.
    Auto,
    Oat,
    Sobol,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim sweep scenarios/istanbul_summit.json --set /mediators/1/leverage/russia/pressure=0,0.04,0.08,0.12\n  sim sweep scenarios/istanbul_summit.json --set /parties/0/cost_of_war=0.02,0.05 --set /rounds/3/delegations/russia/level=ministers,leaders --plot grid.svg"
)]
pub struct SweepArgs {
    /// Scenario or variant file (JSON).
    pub file: PathBuf,
    /// A parameter and its values: POINTER=v1,v2,... with POINTER a JSON Pointer into the
    /// scenario (see `sim run FILE --print-scenario`). Give one or two.
    #[arg(long = "set", required = true, value_parser = Axis::parse)]
    pub axes: Vec<Axis>,
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub out: OutputOptions,
    #[command(flatten)]
    pub shard: ShardOption,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  sim sensitivity scenarios/istanbul_summit.json\n  sim sensitivity scenarios/istanbul_summit.json --figure settlement_reached --round summit --plot tornado.svg\n  sim sensitivity scenarios/istanbul_summit.json --method sobol --figure ceasefire_reached --plot sobol.svg\n  sim sensitivity scenarios/istanbul_2025_replay.json --figure humanitarian --round jul23 --low 0.05 --high 0.95"
)]
pub struct SensitivityArgs {
    /// Scenario or variant file (JSON).
    pub file: PathBuf,
    /// The figure or value to explain, by its key in the layout of the scenario's model: a
    /// per-round yes/no figure (the study explains its probability) or a per-round continuous
    /// value (it explains the value) [default: the model's first headline value if it declares
    /// one, else its first headline figure]. The figures of `mediated_nash`, for example, are
    /// humanitarian, ceasefire_reached (its default), settlement_reached, collapse and
    /// ceasefire_in_force; the values of `expected_utility` are median.<issue> (the default on
    /// the first issue) and mean.<issue>, those of `compromise` mean.<issue>. A key the model
    /// does not report is refused, naming those it does.
    #[arg(long, value_name = "KEY")]
    pub figure: Option<String>,
    /// Round id at which the figure or value is read [default: the last round].
    #[arg(long)]
    pub round: Option<String>,
    /// Low quantile at which each input is held.
    #[arg(long, default_value_t = 0.1, value_parser = parse_quantile)]
    pub low: f64,
    /// High quantile at which each input is held.
    #[arg(long, default_value_t = 0.9, value_parser = parse_quantile)]
    pub high: f64,
    /// `oat`: each input held at --low and --high in turn; `sobol`: first-order and total Sobol
    /// indices of every input and group of inputs, with bootstrap intervals (docs/SENSITIVITY.md).
    /// With `sobol`, --trials is the number of base samples N [default: 8192].
    #[arg(long, value_enum, default_value_t = Method::Oat)]
    pub method: Method,
    /// Bootstrap resamples for the Sobol indices' intervals.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(10..=10_000))]
    pub resamples: u64,
    #[command(flatten)]
    pub run: RunOptions,
    /// With --method sobol, the shard's trials are rows of the design (base samples).
    #[command(flatten)]
    pub shard: ShardOption,
    #[command(flatten)]
    pub out: OutputOptions,
}

/// How `sim sensitivity` explains a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// One input at a time, at two quantiles.
    Oat,
    /// Variance-based: Sobol indices by Saltelli's design.
    Sobol,
}

fn parse_quantile(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(q) if (0.0..=1.0).contains(&q) => Ok(q),
        _ => Err(format!("`{s}` is not a quantile between 0 and 1")),
    }
}

/// How the commands that run trials run them.
#[derive(Debug, clap::Args)]
pub struct RunOptions {
    /// Number of trials [default: the (base) scenario's `run.trials`].
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u64).range(1..=limits::TRIALS))]
    pub trials: Option<u64>,
    /// Seed of the random streams [default: the (base) scenario's `run.seed`].
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Worker threads [default: all cores]; the output does not depend on it.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// No progress bar (it shows only on a terminal, and only for runs over half a second).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Where and how the result is written.
#[derive(Debug, clap::Args)]
pub struct OutputOptions {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Write to this file instead of standard output (written whole, or not at all); `-` is
    /// standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Also draw the results as an SVG chart into this file.
    #[arg(long, value_name = "PATH.svg")]
    pub plot: Option<PathBuf>,
}

/// The output formats ([`Format`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Aligned text for the terminal.
    Table,
    /// The documented JSON layout (docs/OUTPUT.md).
    Json,
    /// Tidy long CSV: one value per row.
    Csv,
    /// Markdown tables.
    Markdown,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Table => Format::Table,
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
            FormatArg::Markdown => Format::Markdown,
        }
    }
}
