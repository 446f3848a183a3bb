//! The integration test suite of `sim`, built as one test binary (`tests/integration/main.rs`
//! and its modules), so the crate and the shared helpers compile once.
//!
//! - `util`: paths, the `sim` command, scenario builders, the report's JSON layout.
//! - `determinism`: byte-identical output at any thread count; all-fixed inputs give identical
//!   trials; a trial does not depend on the trials run before it.
//! - `oracles`: closed-form answers (Nash, Rubinstein, patience-weighted Nash, Fearon).
//! - `properties`: red lines, absent parties, pressure monotonicity under common random
//!   numbers, and the consistency of reports and trial records.
//! - `statistics`: Monte Carlo error and the Wilson interval.
//! - `engine`: a model defined here (a coin flip) runs through run, compare, sweep, shards,
//!   merge, every format and chart, and matches the binomial law.
//! - `as_of`: a forecast cites only facts published by its as-of date (partial dates read as
//!   their last day); replays say so in every output; `sim score` refuses them.
//! - `bad_input`: every kind of invalid input gives exit code 2 and one clear line, promptly;
//!   each declared limit; regressions found by the fuzzer (fuzz/).
//! - `extremes`: scenarios whose parameters sit at the edges of their ranges (proptest) run
//!   with finite numbers only, or are refused by a rule of the model, never panic.
//! - `mutation`: randomly damaged scenarios and variants (proptest) give a one-line error or
//!   a scenario that runs, never a panic.
//! - `cli`: `validate`, `schema` and a snapshot of the JSON report.
//! - `outputs`: output files: only regular files, checked before the run, links followed,
//!   permissions kept, written together, nothing left by SIGTERM; the long-run warning.
//! - `score`: questions and resolutions of cases (fixtures in tests/data/cases), the scoring
//!   core's decomposition identity and its bootstrap at any thread count.
//! - `nparty`: more than two sides: n-party Nash and setter closed forms at trial level, a
//!   bystander that cannot block, determinism and shards, invariants under common random numbers.
//! - `questions`: forecast questions answered by the model: closed-form answers, errors, shards.
//! - `recipes`: docs/SCALING.md shows the Slurm and GNU parallel scripts as they are.
//! - `sobol`: Sobol indices of the Ishigami function, the g-function (with a group) and a
//!   Bernoulli output (its residual share) within their bootstrap intervals; any thread count.
//! - `sobol_values`: Sobol indices and one-at-a-time swings of a continuous value (a compromise
//!   model's prediction) against their closed forms; shards, threads; the spatial defaults.
//! - `spatial`: the compromise and expected-utility models: closed forms, the published round-0
//!   figures, determinism and shards, cross-model comparison, their input rules.
//! - `shards`: sharded runs merge to the bytes of one run; `sim merge` refuses what is not one
//!   complete run; `--precision` stops at the same trial count at any thread count.
//!
//! Dependencies are optimized even in debug builds (Cargo.toml), so the statistical tests run
//! at full trial counts under a plain `cargo test`.

mod util;

mod as_of;
mod bad_input;
mod cli;
mod commands;
mod determinism;
mod engine;
mod extremes;
mod mutation;
mod nparty;
mod oracles;
mod outputs;
mod properties;
mod questions;
mod recipes;
mod score;
mod shards;
mod sobol;
mod sobol_values;
mod spatial;
mod statistics;
mod variants;
