//! The `sim` command: a thin shell over the library.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use sim::RunConfig;
use sim::report::Format;
use sim::scenario::{self, ScenarioError};

/// Seeded, reproducible Monte Carlo estimates of negotiation outcomes.
#[derive(Debug, Parser)]
#[command(name = "sim", version, about, max_term_width = 100)]
#[command(after_help = "Examples:\n  sim run scenarios/istanbul_summit.json\n  \
    sim run scenarios/istanbul_summit.json --format json --seed 7 --trials 200000 -o out.json\n  \
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
    /// Print the JSON Schema of scenario files.
    Schema,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Scenario file (JSON).
    file: PathBuf,
    /// Number of trials [default: the scenario's `run.trials`].
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u64).range(1..=1_000_000_000_000))]
    trials: Option<u64>,
    /// Seed of the random streams [default: the scenario's `run.seed`].
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Worker threads [default: all cores]; the output does not depend on it.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write to this file instead of standard output (written whole, or not at all).
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Print the scenario as run (a variant merged onto its base) instead of running it.
    #[arg(long)]
    print_scenario: bool,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("sim: error: {err:#}");
            if err.downcast_ref::<ScenarioError>().is_some() { ExitCode::from(2) } else { ExitCode::from(1) }
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run_scenario(args),
        Command::Validate { files } => {
            let mut stdout = io::stdout().lock();
            for file in files {
                let loaded = scenario::load(&file)?;
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
    let loaded = scenario::load(&args.file)?;
    if args.print_scenario {
        let mut stdout = io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, &loaded.document)?;
        writeln!(stdout)?;
        return Ok(ExitCode::SUCCESS);
    }
    let defaults = &loaded.scenario.run;
    let cfg = RunConfig { trials: args.trials.unwrap_or(defaults.trials), seed: args.seed.unwrap_or(defaults.seed) };
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        pool = pool.num_threads(n as usize);
    }
    let pool = pool.build().context("cannot start worker threads")?;
    let report = pool.install(|| sim::simulate_loaded(&loaded, cfg, &|_| {}));
    let exporter = args.format.exporter();
    match &args.output {
        None => {
            let mut stdout = io::stdout().lock();
            exporter.write(&report, &mut stdout)?;
            stdout.flush()?;
        }
        Some(path) => write_atomically(path, |out| exporter.write(&report, out))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes to a temporary file beside `path` and renames it into place, so a failed or
/// interrupted run never leaves a partial file.
fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> anyhow::Result<()> {
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
    tmp.persist(path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
