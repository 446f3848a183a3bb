//! The `sim` command: parses the arguments and dispatches to the commands (src/cli/), which
//! are thin shells over the library.

mod cli;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::args::{Cli, Command};
use cli::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = sim::output::install_handler()
        .map_err(|e| anyhow::anyhow!("cannot install the handler of Ctrl-C and SIGTERM: {e}"))
        .and_then(|()| dispatch(cli.command));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // One line, whatever a file or folder name holds.
            eprintln!("sim: error: {}", sim::scenario::error::shown(&format!("{err:#}")));
            ExitCode::from(exit_code(&err))
        }
    }
}

fn dispatch(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Run(args) => commands::run(args),
        Command::Compare(args) => commands::compare(args),
        Command::Report(args) => commands::report(args),
        Command::Sweep(args) => commands::sweep(args),
        Command::Merge(args) => commands::merge(args),
        Command::Sensitivity(args) => commands::sensitivity(args),
        Command::Validate { files } => commands::validate(&files),
        Command::Trace { file, trial, seed, format } => commands::trace(&file, trial, seed, format),
        Command::Sources { file, format } => commands::sources(&file, format),
        Command::Score(args) => commands::score(args),
        Command::Schema => commands::schema(),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "sim", &mut std::io::stdout().lock());
            Ok(())
        }
    }
}

/// 2 for invalid input or usage (a scenario, a part file, an output target, arguments that do
/// not fit together), 1 for a failure at run time.
fn exit_code(err: &anyhow::Error) -> u8 {
    let invalid = err.downcast_ref::<sim::scenario::ScenarioError>().is_some()
        || err.downcast_ref::<cli::UsageError>().is_some()
        || err.downcast_ref::<sim::shard::PartError>().is_some()
        || err.downcast_ref::<sim::StudyError>().is_some()
        || err.downcast_ref::<sim::output::TargetError>().is_some();
    if invalid { 2 } else { 1 }
}

/// A closed pipe (`sim run … | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<sim::output::WriteError>().is_some_and(sim::output::WriteError::is_broken_pipe)
        || err
            .chain()
            .any(|e| e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}
