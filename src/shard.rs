//! Sharded runs and their exact merge (docs/SCALING.md).
//!
//! Shard K of N (1 ≤ K ≤ N) runs the trial indices [⌊(K−1)T/N⌋, ⌊KT/N⌋) of a run of T trials,
//! each trial on its own random stream, and writes a part file: the run's identity and the
//! exact aggregates of its trials. Every aggregate is an integer, so the merged parts give the
//! very tally of the unsharded run, and `sim merge` renders it through the same report code.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::paired::{Paired, Streams};
use crate::engine::tally::{SUM_BITS, TERM_BINS, TermTally};
use crate::engine::{self, Layout, RunConfig, Tally, TermKind};
use crate::report::{CompareReport, RunReport, ScenarioId, SweepReport};
use crate::scenario::{LoadedScenario, ScenarioError};
use crate::study::sweep::{Axis, Point};

/// Version of the part file layout; bumped on any incompatible change.
pub const PART_LAYOUT: u32 = 1;
/// Most shards a run may be cut into.
pub const MAX_SHARDS: u64 = 100_000;
/// Most trials of a run (as `--trials` allows): the fixed-point sums cannot overflow below it.
pub const MAX_TRIALS: u64 = 1_000_000_000_000;
/// Largest part file read.
pub const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;

/// Shard `index` of `count`, numbered from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses `K/N`.
    pub fn parse(spec: &str) -> Result<Shard, String> {
        let (k, n) = spec.split_once('/').ok_or_else(|| format!("`{spec}`: expected K/N, e.g. 3/8"))?;
        let number = |s: &str| s.trim().parse::<u64>().map_err(|_| format!("`{spec}`: `{s}` is not a whole number"));
        Shard::new(number(k)?, number(n)?).map_err(|e| format!("`{spec}`: {e}"))
    }

    pub fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("the number of shards must be between 1 and {MAX_SHARDS}"));
        }
        if index == 0 || index > count {
            return Err(format!("the shard must be between 1 and {count} (shards are numbered from 1)"));
        }
        Ok(Shard { index, count })
    }

    /// The trial indices of this shard of a run of `total` trials: contiguous blocks whose
    /// sizes differ by at most one.
    pub fn trials(self, total: u64) -> Range<u64> {
        let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What every part of one run shares; `sim merge` refuses parts whose identities differ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunIdentity {
    /// `run`, `compare` or `sweep`.
    pub command: String,
    /// The sim version that ran the shard.
    pub version: String,
    pub seed: u64,
    /// Trials of the whole run.
    pub trials: u64,
    /// The scenarios, as the report shows them (base first for `compare`).
    pub scenarios: Vec<ScenarioId>,
    /// The command's options: `common_random_numbers` for compare, `parameters` for sweep.
    pub options: serde_json::Map<String, Value>,
}

/// A part file: one shard's exact aggregates and the identity of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub sim_part: u32,
    pub identity: RunIdentity,
    pub shard: Shard,
    /// The shard's trial indices, [first, end).
    pub trial_range: [u64; 2],
    pub result: PartResult,
}

/// The aggregates of a shard, per command.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartResult {
    Run { layout: Layout, tally: Tally },
    Compare { layouts: Vec<Layout>, paired: Paired },
    Sweep { points: Vec<Point> },
}

fn part(command: &str, scenarios: Vec<ScenarioId>, cfg: RunConfig, shard: Shard, result: PartResult) -> Part {
    let range = shard.trials(cfg.trials);
    Part {
        sim_part: PART_LAYOUT,
        identity: RunIdentity {
            command: command.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            seed: cfg.seed,
            trials: cfg.trials,
            scenarios,
            options: serde_json::Map::new(),
        },
        shard,
        trial_range: [range.start, range.end],
        result,
    }
}

/// Runs shard `shard` of `sim run`.
pub fn run_part(
    loaded: &LoadedScenario,
    cfg: RunConfig,
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Part, ScenarioError> {
    let model = crate::model::compile(loaded)?;
    let tally = engine::run_range(&model, cfg.seed, shard.trials(cfg.trials), progress);
    let layout = engine::Model::layout(&model).clone();
    Ok(part("run", vec![ScenarioId::of(loaded)], cfg, shard, PartResult::Run { layout, tally }))
}

/// Runs shard `shard` of `sim compare`.
pub fn compare_part(
    loaded: &[LoadedScenario],
    cfg: RunConfig,
    streams: Streams,
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Part, ScenarioError> {
    let models = loaded.iter().map(crate::model::compile).collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&crate::model::MediatedNash> = models.iter().collect();
    let paired = engine::paired::run_paired_range(&refs, cfg.seed, shard.trials(cfg.trials), streams, progress);
    let layouts = models.iter().map(|m| engine::Model::layout(m).clone()).collect();
    let mut p = part(
        "compare",
        loaded.iter().map(ScenarioId::of).collect(),
        cfg,
        shard,
        PartResult::Compare { layouts, paired },
    );
    p.identity.options.insert("common_random_numbers".into(), Value::Bool(streams == Streams::Common));
    Ok(p)
}

/// Runs shard `shard` of `sim sweep`.
pub fn sweep_part(
    loaded: &LoadedScenario,
    axes: &[Axis],
    cfg: RunConfig,
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Part, ScenarioError> {
    let points = crate::study::sweep::sweep_range(loaded, axes, cfg.seed, shard.trials(cfg.trials), progress)?;
    let mut p = part("sweep", vec![ScenarioId::of(loaded)], cfg, shard, PartResult::Sweep { points });
    p.identity.options.insert("parameters".into(), serde_json::to_value(axes).expect("axes serialize"));
    Ok(p)
}

/// A part file that cannot be read or merged: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", file.display())]
pub struct PartError {
    pub file: PathBuf,
    pub message: String,
}

fn refuse(file: &Path, message: impl Into<String>) -> PartError {
    PartError { file: file.to_path_buf(), message: message.into() }
}

/// Reads and parses a part file.
pub fn read_part(file: &Path) -> Result<Part, PartError> {
    let meta = std::fs::metadata(file).map_err(|e| refuse(file, format!("cannot read the part file: {e}")))?;
    if meta.len() > MAX_PART_BYTES {
        return Err(refuse(
            file,
            format!("the file has {} bytes; part files are limited to {MAX_PART_BYTES}", meta.len()),
        ));
    }
    let bytes = std::fs::read(file).map_err(|e| refuse(file, format!("cannot read the part file: {e}")))?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    let part: Part = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        refuse(file, format!("not a sim part file: at {path}: {}", e.into_inner()))
    })?;
    de.end().map_err(|e| refuse(file, format!("not a sim part file: {e}")))?;
    Ok(part)
}

/// The merged report, for the command the parts ran.
pub enum Merged {
    Run(Box<RunReport>),
    Compare(CompareReport),
    Sweep(SweepReport),
}

/// Merges the parts of one run (in any order) into the report of the unsharded run. Refuses
/// parts of different runs, duplicate or missing shards, and inconsistent aggregates.
pub fn merge(parts: &[(PathBuf, Part)]) -> Result<Merged, PartError> {
    let (first_file, first) = parts.first().ok_or_else(|| refuse(Path::new("-"), "no part files given"))?;
    let count = first.shard.count;
    let mut by_index: Vec<Option<&(PathBuf, Part)>> = vec![None; count.min(MAX_SHARDS) as usize];
    for entry in parts {
        let (file, p) = entry;
        check_part(file, p)?;
        if let Some((key, ours, theirs)) = difference(&p.identity, &first.identity) {
            return Err(refuse(
                file,
                format!("not a part of the same run as {}: {key} {ours} here, {theirs} there", first_file.display()),
            ));
        }
        if p.shard.count != count {
            return Err(refuse(
                file,
                format!("shard {} is of {} shards, but {} is of {count}", p.shard, p.shard.count, first_file.display()),
            ));
        }
        let slot = &mut by_index[(p.shard.index - 1) as usize];
        if let Some((other, _)) = slot {
            return Err(refuse(file, format!("shard {} is given twice (also {})", p.shard, other.display())));
        }
        *slot = Some(entry);
    }
    let missing: Vec<String> =
        by_index.iter().enumerate().filter(|(_, s)| s.is_none()).map(|(i, _)| format!("{}/{count}", i + 1)).collect();
    if !missing.is_empty() {
        let shown = if missing.len() > 10 {
            format!("{} and {} more", missing[..10].join(", "), missing.len() - 10)
        } else {
            missing.join(", ")
        };
        return Err(refuse(first_file, format!("incomplete set of parts: missing shard {shown}")));
    }
    // Merging is exact in any order; shard order only picks whose copy of the shared data is used.
    let ordered: Vec<&(PathBuf, Part)> = by_index.into_iter().flatten().collect();
    let (first_file, first) = ordered[0];
    let id = &first.identity;
    let cfg = RunConfig { trials: id.trials, seed: id.seed };
    match &first.result {
        PartResult::Run { layout, .. } => {
            let mut total = Tally::new(layout);
            for (file, p) in &ordered {
                match &p.result {
                    PartResult::Run { layout: l, tally: t } if l == layout => total.merge(t),
                    _ => return Err(refuse(file, "its results have another shape than the first part's")),
                }
            }
            Ok(Merged::Run(Box::new(RunReport::of(&id.scenarios[0], cfg, layout, &total, None))))
        }
        PartResult::Compare { layouts, paired } => {
            let mut total = paired.clone();
            for (file, p) in &ordered[1..] {
                match &p.result {
                    PartResult::Compare { layouts: l, paired: x } if l == layouts && x.aligned == paired.aligned => {
                        total.merge(x)
                    }
                    _ => return Err(refuse(file, "its results have another shape than the first part's")),
                }
            }
            let streams = if id.options.get("common_random_numbers") == Some(&Value::Bool(false)) {
                Streams::Independent
            } else {
                Streams::Common
            };
            let refs: Vec<&Layout> = layouts.iter().collect();
            Ok(Merged::Compare(CompareReport::of(&id.scenarios, &refs, cfg, streams, &total)))
        }
        PartResult::Sweep { points } => {
            let mut total = points.clone();
            for (file, p) in &ordered[1..] {
                match &p.result {
                    PartResult::Sweep { points: x } if same_grid(x, points) => {
                        for (a, b) in total.iter_mut().zip(x) {
                            a.tally.merge(&b.tally);
                        }
                    }
                    _ => return Err(refuse(file, "its results have another shape than the first part's")),
                }
            }
            let axes: Vec<Axis> = id
                .options
                .get("parameters")
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .ok_or_else(|| refuse(first_file, "a sweep part without its parameters"))?;
            Ok(Merged::Sweep(SweepReport::of(&id.scenarios[0], &axes, cfg, &total)))
        }
    }
}

fn same_grid(a: &[Point], b: &[Point]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.values == y.values && x.layout == y.layout)
}

/// The first field in which two identities differ: its name and both values.
fn difference(a: &RunIdentity, b: &RunIdentity) -> Option<(String, String, String)> {
    let (Value::Object(a), Value::Object(b)) =
        (serde_json::to_value(a).expect("serializes"), serde_json::to_value(b).expect("serializes"))
    else {
        unreachable!("an identity is an object")
    };
    a.iter().find(|(k, v)| b.get(*k) != Some(v)).map(|(k, v)| {
        let name = if k == "scenarios" { "scenario (file, title or digest)".to_string() } else { k.clone() };
        (name, v.to_string(), b.get(k).map_or("absent".into(), Value::to_string))
    })
}

/// The checks that make a part safe to merge: its layout version, shard and trial range, and
/// aggregates consistent with its layout and its number of trials.
fn check_part(file: &Path, p: &Part) -> Result<(), PartError> {
    if p.sim_part != PART_LAYOUT {
        return Err(refuse(file, format!("part file layout {}; this sim reads layout {PART_LAYOUT}", p.sim_part)));
    }
    let id = &p.identity;
    if id.trials == 0 || id.trials > MAX_TRIALS {
        return Err(refuse(file, format!("identity.trials must be between 1 and {MAX_TRIALS}")));
    }
    let shard = Shard::new(p.shard.index, p.shard.count).map_err(|e| refuse(file, format!("shard: {e}")))?;
    let range = shard.trials(id.trials);
    if p.trial_range != [range.start, range.end] {
        return Err(refuse(
            file,
            format!(
                "trial_range {:?} is not shard {shard}'s [{}, {}) of {} trials",
                p.trial_range, range.start, range.end, id.trials
            ),
        ));
    }
    let n = range.end - range.start;
    let expected = match id.command.as_str() {
        "run" => matches!(p.result, PartResult::Run { .. }) && id.scenarios.len() == 1,
        "compare" => {
            matches!(&p.result, PartResult::Compare { layouts, .. } if layouts.len() == id.scenarios.len() && layouts.len() >= 2)
        }
        "sweep" => matches!(p.result, PartResult::Sweep { .. }) && id.scenarios.len() == 1,
        _ => false,
    };
    if !expected {
        return Err(refuse(file, format!("its results do not fit the command `{}`", id.command)));
    }
    let bad = |what: String| refuse(file, format!("inconsistent aggregates: {what}"));
    match &p.result {
        PartResult::Run { layout, tally } => check_tally(layout, tally, n).map_err(bad),
        PartResult::Compare { layouts, paired } => {
            if paired.tallies.len() != layouts.len() || paired.discordant_end.len() + 1 != layouts.len() {
                return Err(bad("one tally per scenario".into()));
            }
            for (i, (l, t)) in layouts.iter().zip(&paired.tallies).enumerate() {
                check_tally(l, t, n).map_err(|e| bad(format!("scenario {}: {e}", i + 1)))?;
            }
            let base_rounds = layouts[0].rounds.len();
            for (v, (rounds, aligned)) in paired.discordant.iter().zip(&paired.aligned).enumerate() {
                let rounds_ok = rounds.len() == base_rounds && aligned.len() == base_rounds;
                let aligned_ok = aligned.iter().zip(rounds).all(|(a, r)| {
                    a.is_some_and(|t| t < layouts[v + 1].rounds.len()) == r.is_some()
                        && r.is_none_or(|c| c.iter().all(|&x| x <= n))
                });
                if !rounds_ok || !aligned_ok {
                    return Err(bad(format!("discordant counts of variant {}", v + 1)));
                }
            }
            if paired.discordant.len() + 1 != layouts.len() || paired.discordant_end.iter().flatten().any(|&x| x > n) {
                return Err(bad("discordant counts".into()));
            }
            Ok(())
        }
        PartResult::Sweep { points } => {
            let Some(Value::Array(axes)) = id.options.get("parameters") else {
                return Err(refuse(file, "a sweep part without its parameters"));
            };
            let grid: usize =
                axes.iter().map(|a| a.get("values").and_then(Value::as_array).map_or(0, Vec::len)).product();
            if points.len() != grid {
                return Err(bad(format!("{} points for a grid of {grid}", points.len())));
            }
            for (i, point) in points.iter().enumerate() {
                check_tally(&point.layout, &point.tally, n).map_err(|e| bad(format!("point {}: {e}", i + 1)))?;
            }
            Ok(())
        }
    }
}

/// A tally of `n` trials fits `layout` and its counts are possible, so reports never index out
/// of range and merged sums stay within the bounds of [`SUM_BITS`].
fn check_tally(layout: &Layout, tally: &Tally, n: u64) -> Result<(), String> {
    let rounds = layout.rounds.len();
    if rounds == 0 {
        return Err("a layout without rounds".into());
    }
    if tally.trials != n {
        return Err(format!("tally.trials is {}, but the shard has {n} trials", tally.trials));
    }
    if tally.outcomes.len() != rounds || tally.in_force.len() != rounds || tally.reached_ceasefire.len() != rounds {
        return Err(format!("the tally does not have the layout's {rounds} rounds"));
    }
    if tally.outcomes.iter().any(|c| c.iter().try_fold(0u64, |a, &x| a.checked_add(x)) != Some(n)) {
        return Err("the outcomes of a round do not add up to the trials".into());
    }
    let counts_ok = tally.in_force.iter().chain(&tally.reached_ceasefire).all(|&x| x <= n)
        && tally.settled <= n
        && tally.leverage_dependent <= tally.settled;
    // Option 0 of a ceasefire issue is "no ceasefire": the report lists the others.
    if layout.ceasefire_options.as_ref().is_some_and(Vec::is_empty) {
        return Err("a ceasefire issue without options".into());
    }
    let options = layout.ceasefire_options.as_ref().map_or(0, Vec::len);
    let ceasefire_ok = tally.ceasefire_options.len() == options
        && tally.ceasefire_options.iter().try_fold(0u64, |a, &x| a.checked_add(x)).is_some_and(|s| s <= n);
    if !counts_ok || !ceasefire_ok {
        return Err("counts exceed the trials".into());
    }
    if tally.terms.len() != layout.terms.len() {
        return Err("the tally does not have the layout's terms".into());
    }
    let settled = u128::from(tally.settled);
    let adds_to_settled = |c: &[u64]| c.iter().try_fold(0u64, |a, &x| a.checked_add(x)) == Some(tally.settled);
    for (spec, term) in layout.terms.iter().zip(&tally.terms) {
        let ok = match (&spec.kind, term) {
            (TermKind::Continuous { min, max, .. }, TermTally::Continuous { min: a, max: b, bins, sum, sum_sq }) => {
                min == a
                    && max == b
                    && bins.len() == TERM_BINS
                    && adds_to_settled(bins)
                    && *sum <= settled << SUM_BITS
                    && *sum_sq <= settled << (2 * SUM_BITS)
            }
            (TermKind::Options(labels), TermTally::Options(counts)) => {
                counts.len() == labels.len() && adds_to_settled(counts)
            }
            _ => false,
        };
        if !ok {
            return Err(format!("term `{}` does not fit the layout or the settlements", spec.issue));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn shards_partition_the_trials_into_blocks_that_differ_by_at_most_one() {
        for (total, count) in [(10, 3), (5003, 7), (7, 7), (1_000_000_000_000, 99_991), (1, 1)] {
            let mut next = 0;
            let mut sizes = Vec::new();
            for index in 1..=count {
                let r = Shard::new(index, count).expect("a valid shard").trials(total);
                assert_eq!(r.start, next, "shard {index}/{count} starts where the last ended");
                sizes.push(r.end - r.start);
                next = r.end;
            }
            assert_eq!(next, total, "the shards of {count} cover all {total} trials");
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(hi - lo <= 1, "{count} shards of {total}: sizes {lo} to {hi}");
        }
    }

    #[test]
    fn shard_specs_are_parsed_and_checked() {
        assert_eq!(Shard::parse("3/8"), Ok(Shard { index: 3, count: 8 }));
        for bad in ["0/8", "9/8", "1/0", "1/100001", "a/8", "3", "-1/8"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
