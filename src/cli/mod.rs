//! The binary's side of `sim`: the command line (clap) and the commands. The library knows
//! nothing of clap.

pub mod args;
pub mod commands;

/// Arguments that do not fit together: exit code 2, like clap's own usage errors.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

pub fn usage(message: &str) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.to_string()))
}
