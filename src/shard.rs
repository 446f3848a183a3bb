//! Sharded runs and their exact merge (docs/SCALING.md).
//!
//! Shard K of N (1 ≤ K ≤ N) runs the trial indices [⌊(K−1)T/N⌋, ⌊KT/N⌋) of a run of T trials,
//! each trial on its own random stream, and writes a part file: the run's identity and the
//! exact aggregates of its trials. Every aggregate is an integer, so the merged parts give the
//! very tally of the unsharded run, and `sim merge` renders it through the same report code.

use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::paired::{Paired, Streams};
use crate::engine::{self, Layout, RunConfig, Tally};
use crate::report::{CompareReport, RunReport, ScenarioId, SobolReport, Summary, SweepReport};
use crate::scenario::error::shown;
use crate::scenario::{LoadedScenario, ScenarioError};
use crate::study::sobol::{Design, Options as SobolOptions, SobolPart};
use crate::study::sweep::{Axis, Point};

/// Version of the part file layout; bumped on any incompatible change.
pub const PART_LAYOUT: u32 = 4;
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
    /// The whole run: an unsharded run is shard 1/1, merged on its own.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

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
    /// Counts this part among the parts alive while it lives (not in the file).
    #[serde(skip)]
    pub alive: Alive,
}

/// Parts made (run or read) on one thread: how many are alive, and the most at once.
#[derive(Debug, Default)]
struct Census {
    alive: AtomicUsize,
    peak: AtomicUsize,
}

thread_local! {
    static CENSUS: Arc<Census> = Arc::default();
}

/// Counts a part among those alive on the thread that made it, for as long as the part lives
/// (wherever it is dropped), so a test can check that a merge holds one part at a time.
#[derive(Debug)]
pub struct Alive(Arc<Census>);

impl Default for Alive {
    fn default() -> Alive {
        let census = CENSUS.with(Arc::clone);
        let n = census.alive.fetch_add(1, Ordering::SeqCst) + 1;
        census.peak.fetch_max(n, Ordering::SeqCst);
        Alive(census)
    }
}

impl Clone for Alive {
    fn clone(&self) -> Alive {
        Alive::default()
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.alive.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The most parts alive at once, among those this thread made, since the last call (the count
/// then restarts from the parts alive now). [`merge_files`] keeps it at one: the part being
/// added; the running total is the sum, not a part.
pub fn peak_parts_alive() -> usize {
    CENSUS.with(|c| c.peak.swap(c.alive.load(Ordering::SeqCst), Ordering::SeqCst))
}

/// The aggregates of a shard, per command.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartResult {
    Run {
        layout: Box<Layout>,
        tally: Box<Tally>,
    },
    Compare {
        layouts: Vec<Layout>,
        paired: Paired,
    },
    Sweep {
        points: Vec<Point>,
    },
    /// `sim sensitivity --method sobol`: the sums of the shard's rows of the design.
    Sobol(Box<SobolPart>),
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
        alive: Alive::default(),
    }
}

/// A command that can be sharded, with its inputs.
pub enum Study<'a> {
    Run(&'a LoadedScenario),
    Compare(&'a [LoadedScenario], Streams),
    Sweep(&'a LoadedScenario, &'a [Axis]),
    /// A Sobol study (`study::sobol`): its scenario, design and bootstrap resamples; the trial
    /// count of its `RunConfig` is the design's rows.
    Sobol(&'a LoadedScenario, &'a Design, usize),
}

impl Study<'_> {
    /// Trials run (and counted by `progress`) for `trials` trial indices: one per index, and
    /// one per index and grid point for a sweep.
    pub fn work(&self, trials: u64) -> u64 {
        match self {
            Study::Sweep(_, axes) => axes.iter().map(|a| a.values.len() as u64).product::<u64>().saturating_mul(trials),
            Study::Sobol(_, design, _) => design.trials(trials),
            _ => trials,
        }
    }

    /// Runs the whole study: shard 1/1, merged on its own, exactly as the parts of a sharded
    /// run are merged. This is the one path of an unsharded run, for the CLI and the library.
    pub fn whole(&self, cfg: RunConfig, progress: &(dyn Fn(u64) + Sync)) -> Result<Merged, StudyError> {
        Ok(merge_whole(self.part(cfg, Shard::WHOLE, progress)?)?)
    }

    /// Runs shard `shard` of the study.
    pub fn part(&self, cfg: RunConfig, shard: Shard, progress: &(dyn Fn(u64) + Sync)) -> Result<Part, ScenarioError> {
        match *self {
            Study::Run(loaded) => run_part(loaded, cfg, shard, progress),
            Study::Compare(loaded, streams) => compare_part(loaded, cfg, streams, shard, progress),
            Study::Sweep(loaded, axes) => sweep_part(loaded, axes, cfg, shard, progress),
            Study::Sobol(loaded, design, resamples) => sobol_part(loaded, design, resamples, cfg, shard, progress),
        }
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
    let result = PartResult::Run { layout: Box::new(layout), tally: Box::new(tally) };
    Ok(part("run", vec![ScenarioId::of(loaded)], cfg, shard, result))
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
    let refs: Vec<&crate::model::Compiled> = models.iter().collect();
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

/// Runs shard `shard` (a range of the design's rows) of a Sobol study.
pub fn sobol_part(
    loaded: &LoadedScenario,
    design: &Design,
    resamples: usize,
    cfg: RunConfig,
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Part, ScenarioError> {
    let opts = SobolOptions { rows: cfg.trials, seed: cfg.seed, resamples };
    let result = design.part(opts, shard.trials(cfg.trials), progress).map_err(|message| ScenarioError::Invalid {
        file: loaded.file.clone(),
        path: "--figure".into(),
        message,
    })?;
    let round = design.round_id().to_string();
    let figure = result.output.key().to_string();
    let mut p = part("sensitivity", vec![ScenarioId::of(loaded)], cfg, shard, PartResult::Sobol(Box::new(result)));
    p.identity.options.insert("method".into(), Value::from("sobol"));
    p.identity.options.insert("figure".into(), Value::from(figure));
    p.identity.options.insert("round".into(), Value::from(round));
    p.identity.options.insert("resamples".into(), Value::from(resamples));
    Ok(p)
}

/// Why a study did not run: its scenario is invalid, or (never for a part this sim made) the
/// merge refused its part. Both are invalid input: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Part(#[from] PartError),
}

/// A part file that cannot be read or merged, or a set of parts that is not one run: exit
/// code 2.
#[derive(Debug, thiserror::Error)]
#[error("{}{message}", file.as_ref().map_or(String::new(), |f| format!("{}: ", shown(&f.display().to_string()))))]
pub struct PartError {
    /// The part file at fault, when one is.
    pub file: Option<PathBuf>,
    pub message: String,
}

fn refuse(file: &Path, message: impl Into<String>) -> PartError {
    PartError { file: Some(file.to_path_buf()), message: message.into() }
}

/// Reads and parses a part file, reading at most [`MAX_PART_BYTES`] (and one more byte to
/// tell), so a device or a pipe (`/dev/zero`) is refused promptly and in bounded memory.
pub fn read_part(file: &Path) -> Result<Part, PartError> {
    let cannot = |e: std::io::Error| refuse(file, format!("cannot read the part file: {e}"));
    let too_large =
        |size: String| refuse(file, format!("the file has {size} bytes; part files are limited to {MAX_PART_BYTES}"));
    let meta = std::fs::metadata(file).map_err(cannot)?;
    if meta.is_dir() {
        return Err(refuse(file, "a folder, not a part file"));
    }
    if meta.is_file() && meta.len() > MAX_PART_BYTES {
        return Err(too_large(meta.len().to_string()));
    }
    let mut reader =
        std::io::BufReader::with_capacity(1 << 16, File::open(file).map_err(cannot)?.take(MAX_PART_BYTES + 1));
    let parsed = {
        let de = &mut serde_json::Deserializer::from_reader(&mut reader);
        serde_path_to_error::deserialize::<_, Part>(&mut *de)
            .map_err(|e| {
                let path = e.path().to_string();
                format!("not a sim part file: at {path}: {}", e.into_inner())
            })
            .and_then(|part| de.end().map(|()| part).map_err(|e| format!("not a sim part file: {e}")))
    };
    // The limit was reached: whatever the parser made of the cut, the file is too large.
    if reader.get_ref().limit() == 0 {
        return Err(too_large(format!("more than {MAX_PART_BYTES}")));
    }
    parsed.map_err(|message| refuse(file, message))
}

/// The merged report, for the command the parts ran.
pub enum Merged {
    Run(Box<RunReport>),
    Compare(CompareReport),
    Sweep(SweepReport),
    Sobol(SobolReport),
}

impl Merged {
    /// The report of `sim run` parts (or of [`Study::Run`]); an error for the parts of another
    /// command.
    pub fn into_run(self) -> Result<RunReport, PartError> {
        match self {
            Merged::Run(report) => Ok(*report),
            other => Err(other.not_of("run")),
        }
    }

    /// The report of `sim compare` parts (or of [`Study::Compare`]); an error for the parts of
    /// another command.
    pub fn into_compare(self) -> Result<CompareReport, PartError> {
        match self {
            Merged::Compare(report) => Ok(report),
            other => Err(other.not_of("compare")),
        }
    }

    /// The report of Sobol parts (or of [`Study::Sobol`]); an error for the parts of another
    /// command.
    pub fn into_sobol(self) -> Result<SobolReport, PartError> {
        match self {
            Merged::Sobol(report) => Ok(report),
            other => Err(other.not_of("sensitivity --method sobol")),
        }
    }

    fn not_of(&self, command: &str) -> PartError {
        let of = match self {
            Merged::Run(_) => "run",
            Merged::Compare(_) => "compare",
            Merged::Sweep(_) => "sweep",
            Merged::Sobol(_) => "sensitivity",
        };
        PartError { file: None, message: format!("the parts are of `sim {of}`, not of `sim {command}`") }
    }

    /// The merged report, for any output format.
    pub fn summary(&self) -> &dyn Summary {
        match self {
            Merged::Run(report) => report.as_ref(),
            Merged::Compare(report) => report,
            Merged::Sweep(report) => report,
            Merged::Sobol(report) => report,
        }
    }
}

/// Reads the part files one at a time and merges them into the report of the unsharded run:
/// memory holds one part and the running total, whatever the number of parts.
pub fn merge_files(files: &[PathBuf]) -> Result<Merged, PartError> {
    let mut merge = Merge::default();
    for file in files {
        merge.add(file, read_part(file)?)?;
    }
    merge.finish()
}

/// The report of a whole run (shard 1/1), through the same merge as a sharded one.
pub fn merge_whole(part: Part) -> Result<Merged, PartError> {
    let mut merge = Merge::default();
    merge.add(Path::new("-"), part)?;
    merge.finish()
}

/// A merge in progress: parts are added in any order, each checked against the first, and
/// summed into a running total. Refuses parts of different runs, duplicate or missing shards,
/// and inconsistent aggregates.
#[derive(Default)]
pub struct Merge {
    /// The first part's file, identity and shard count, which every other part must match.
    first: Option<(PathBuf, RunIdentity, u64)>,
    /// The file of each shard given, by index.
    given: Vec<Option<PathBuf>>,
    /// The identity of the lowest shard given: its spelling of the scenario files is shown.
    shown: Option<(u64, RunIdentity)>,
    total: Option<PartResult>,
}

impl Merge {
    pub fn add(&mut self, file: &Path, part: Part) -> Result<(), PartError> {
        check_part(file, &part)?;
        let (first_file, first, count) =
            self.first.get_or_insert_with(|| (file.to_path_buf(), part.identity.clone(), part.shard.count));
        if let Some(difference) = difference(&part.identity, first) {
            return Err(refuse(file, format!("not a part of the same run as {}: {difference}", first_file.display())));
        }
        if part.shard.count != *count {
            return Err(refuse(
                file,
                format!(
                    "shard {} is of {} shards, but {} is of {count}",
                    part.shard,
                    part.shard.count,
                    first_file.display()
                ),
            ));
        }
        if self.given.is_empty() {
            self.given = vec![None; *count as usize];
        }
        let slot = &mut self.given[(part.shard.index - 1) as usize];
        if let Some(other) = slot {
            return Err(refuse(file, format!("shard {} is given twice (also {})", part.shard, other.display())));
        }
        *slot = Some(file.to_path_buf());
        match &mut self.total {
            None => self.total = Some(part.result),
            Some(total) => {
                if !add_result(total, &part.result) {
                    return Err(refuse(file, "its results have another shape than the first part's"));
                }
            }
        }
        if self.shown.as_ref().is_none_or(|(index, _)| part.shard.index < *index) {
            self.shown = Some((part.shard.index, part.identity));
        }
        Ok(())
    }

    /// The merged report, once every shard has been added.
    pub fn finish(self) -> Result<Merged, PartError> {
        let (Some(total), Some((_, id))) = (self.total, self.shown) else {
            return Err(PartError { file: None, message: "no part files given".into() });
        };
        let count = self.given.len();
        let missing: Vec<String> = self
            .given
            .iter()
            .enumerate()
            .filter(|(_, f)| f.is_none())
            .map(|(i, _)| format!("{}/{count}", i + 1))
            .collect();
        if !missing.is_empty() {
            let shown = if missing.len() > 10 {
                format!("{} and {} more", missing[..10].join(", "), missing.len() - 10)
            } else {
                missing.join(", ")
            };
            let message =
                format!("incomplete set of parts: missing shard {shown} ({} of {count} given)", count - missing.len());
            return Err(PartError { file: None, message });
        }
        let cfg = RunConfig { trials: id.trials, seed: id.seed };
        Ok(match total {
            PartResult::Run { layout, tally } => {
                Merged::Run(Box::new(RunReport::of(&id.scenarios[0], cfg, &layout, &tally, None)))
            }
            PartResult::Compare { layouts, paired } => {
                let streams = if id.options.get("common_random_numbers") == Some(&Value::Bool(false)) {
                    Streams::Independent
                } else {
                    Streams::Common
                };
                let refs: Vec<&Layout> = layouts.iter().collect();
                Merged::Compare(CompareReport::of(&id.scenarios, &refs, cfg, streams, &paired))
            }
            PartResult::Sweep { points } => {
                let axes: Vec<Axis> =
                    id.options.get("parameters").and_then(|v| serde_json::from_value(v.clone()).ok()).ok_or_else(
                        || PartError { file: None, message: "a sweep part without its parameters".into() },
                    )?;
                Merged::Sweep(SweepReport::of(&id.scenarios[0], &axes, cfg, &points))
            }
            PartResult::Sobol(part) => {
                let round = id.options.get("round").and_then(Value::as_str).unwrap_or_default().to_string();
                let resamples = part.resamples;
                Merged::Sobol(SobolReport::of(&id.scenarios[0], &round, cfg.seed, resamples, part.finish(cfg.trials)))
            }
        })
    }
}

/// Adds a part's aggregates to the total, if they have its shape.
fn add_result(total: &mut PartResult, x: &PartResult) -> bool {
    match (total, x) {
        (PartResult::Run { layout, tally }, PartResult::Run { layout: l, tally: t }) if l == layout => tally.merge(t),
        (PartResult::Compare { layouts, paired }, PartResult::Compare { layouts: l, paired: p })
            if l == layouts && p.aligned == paired.aligned =>
        {
            paired.merge(p)
        }
        (PartResult::Sweep { points }, PartResult::Sweep { points: x }) if same_grid(x, points) => {
            for (a, b) in points.iter_mut().zip(x) {
                a.tally.merge(&b.tally);
            }
        }
        (PartResult::Sobol(total), PartResult::Sobol(x)) => return total.merge(x),
        _ => return false,
    }
    true
}

fn same_grid(a: &[Point], b: &[Point]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.values == y.values && x.layout == y.layout)
}

/// How two identities differ, said briefly (`seed 8 here, 7 there`), or `None` if they are of
/// one run. Scenario files named by two spellings of one path (`./x.json`, `x.json`) with the
/// same digest are one scenario.
fn difference(a: &RunIdentity, b: &RunIdentity) -> Option<String> {
    let scalar = |key: &str, x: String, y: String| (x != y).then(|| format!("{key} {x} here, {y} there"));
    let quoted = |s: &str| Value::from(s).to_string();
    scalar("command", quoted(&a.command), quoted(&b.command))
        .or_else(|| scalar("version", quoted(&a.version), quoted(&b.version)))
        .or_else(|| scalar("seed", a.seed.to_string(), b.seed.to_string()))
        .or_else(|| scalar("trials", a.trials.to_string(), b.trials.to_string()))
        .or_else(|| scenarios_difference(&a.scenarios, &b.scenarios))
        .or_else(|| {
            a.options.iter().chain(&b.options).find(|(k, _)| a.options.get(*k) != b.options.get(*k)).map(|(k, _)| {
                let shown = |o: &serde_json::Map<String, Value>| o.get(k).map_or("absent".into(), Value::to_string);
                format!("option {k} {} here, {} there", shown(&a.options), shown(&b.options))
            })
        })
}

fn scenarios_difference(a: &[ScenarioId], b: &[ScenarioId]) -> Option<String> {
    if a.len() != b.len() {
        return Some(format!("{} scenarios here, {} there", a.len(), b.len()));
    }
    let normal = |f: &str| Path::new(f).components().filter(|c| *c != Component::CurDir).collect::<PathBuf>();
    a.iter().zip(b).enumerate().find_map(|(i, (x, y))| {
        let which = if a.len() > 1 { format!("scenario {} ", i + 1) } else { "scenario ".into() };
        if x.digest != y.digest {
            Some(format!("{which}{} (digest {}) here, {} (digest {}) there", x.file, short(&x.digest), y.file, short(&y.digest)))
        } else if normal(&x.file) != normal(&y.file) {
            Some(format!(
                "{which}file named {} here, {} there (same content: only the path differs; name it alike on every shard)",
                x.file, y.file
            ))
        } else if *x != (ScenarioId { file: x.file.clone(), ..y.clone() }) {
            Some(format!("{which}{}: title, date or rationale differ", x.file))
        } else {
            None
        }
    })
}

/// A digest shortened for messages: `sha256:` and 12 hex digits.
fn short(digest: &str) -> &str {
    &digest[..digest.len().min(19)]
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
        "sensitivity" => matches!(p.result, PartResult::Sobol(_)) && id.scenarios.len() == 1,
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
            let figures = layouts[0].figures.len();
            let counts_ok = |c: &Vec<u64>| c.len() == figures && c.iter().all(|&x| x <= n);
            for (v, (rounds, aligned)) in paired.discordant.iter().zip(&paired.aligned).enumerate() {
                let rounds_ok = rounds.len() == base_rounds && aligned.len() == base_rounds;
                let aligned_ok = aligned.iter().zip(rounds).all(|(a, r)| {
                    a.is_some_and(|t| t < layouts[v + 1].rounds.len()) == r.is_some()
                        && r.as_ref().is_none_or(counts_ok)
                });
                if !rounds_ok || !aligned_ok {
                    return Err(bad(format!("discordant counts of variant {}", v + 1)));
                }
            }
            if paired.discordant.len() + 1 != layouts.len() || !paired.discordant_end.iter().flatten().all(counts_ok) {
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
        PartResult::Sobol(part) => {
            let columns = part.inputs.len() + part.groups.len();
            if part.sums.fits(columns, part.resamples, n) {
                Ok(())
            } else {
                Err(bad(format!("sums that do not fit {columns} columns, {} resamples and {n} rows", part.resamples)))
            }
        }
    }
}

/// A tally of `n` trials fits `layout` and its counts are possible, so reports never index out
/// of range and merged sums stay within their bounds (see [`Tally::check`]).
fn check_tally(layout: &Layout, tally: &Tally, n: u64) -> Result<(), String> {
    tally.check(layout, n)
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
