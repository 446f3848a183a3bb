//! Variance-based global sensitivity: first-order and total Sobol indices of one per-trial
//! output for every uncertain input and for groups of inputs, by Saltelli's design with the
//! Saltelli (2010) first-order and Jansen (1999) total estimators, and Poisson-bootstrap
//! intervals (docs/SENSITIVITY.md gives the equations).
//!
//! Row `j` of the design evaluates the model at the input vectors A_j (trial `j`'s own draws,
//! on trial `j`'s randomness) and B_j (trial `rows + j`'s, on its randomness), and, for every
//! column (an input or a group), at A_j with that column's inputs taken from B_j, on trial
//! `j`'s randomness; a last evaluation keeps A_j's inputs on trial `rows + j`'s randomness.
//! The rounds' own randomness (who attends, whether a deal is struck) is thus one more input,
//! ω, held with A in every column: a first-order index is Var E[Y | x_i] / Var Y (the same as
//! for the probability given the inputs, scaled by Var Y), a total index counts the input's
//! interactions with ω too, and the last evaluation gives ω's total index, the residual: the
//! share of Var Y that no input explains, E[Var(Y | x)] / Var Y.
//! Every sum is an integer (outputs in fixed point, bootstrap weights whole numbers), so the
//! result is the same at any thread count.

use super::Measure;
use crate::engine::rng::uniform01;
use crate::engine::{self, FigureOf, Inputs, Model, Site, TrialRecord, TrialRng};
use crate::scenario::{Body, LoadedScenario, ScenarioError};

/// Fixed-point scale of an output: 2^-24 resolution, exact integer sums of products.
const SCALE: f64 = (1u64 << 24) as f64;
/// Largest output magnitude: with 2^24 scaling, sums of squared outputs over 10^9 rows with
/// bootstrap weights stay within i128.
pub const MAX_OUTPUT: f64 = 1e6;

/// What the indices explain: one number per trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Output {
    /// 1 if the figure holds at the round, else 0: its mean is the figure's probability.
    Figure { of: FigureOf, round: usize },
    /// A continuous value of a round, at `TrialRecord::values[index]`.
    Value(usize),
}

impl Output {
    fn of(self, record: &TrialRecord) -> f64 {
        match self {
            Output::Figure { of, round } => f64::from(u8::from(of.holds(record, round))),
            Output::Value(i) => record.values[i],
        }
    }
}

/// A column of the design: the inputs that are taken from B together.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub key: String,
    pub members: Vec<usize>,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Rows of the design (base samples N); the study runs N (columns + 3) trials.
    pub rows: u64,
    pub seed: u64,
    /// Bootstrap replicates for the intervals.
    pub resamples: usize,
}

/// An index with its 95% percentile-bootstrap interval; `None` where the output does not vary.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Index {
    pub value: Option<f64>,
    pub ci95: Option<[f64; 2]>,
}

/// The indices of one column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ColumnIndices {
    pub key: String,
    pub first: Index,
    pub total: Index,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Indices {
    /// Mean and variance of the output over the 2N evaluations at A and B.
    pub mean: f64,
    pub variance: f64,
    /// The share of the output's variance that the inputs leave to the rounds' own randomness,
    /// E[Var(Y | x)] / Var Y (for a 0/1 output, E[p(x)(1 − p(x))] / Var Y): the total index of
    /// that randomness. The inputs' indices are shares of Var Y too.
    pub residual: Index,
    /// One per column, in the order given.
    pub columns: Vec<ColumnIndices>,
    pub rows: u64,
    /// Trials run: rows × (columns + 3).
    pub trials: u64,
}

/// The running sums of every bootstrap replicate (replicate 0 weighs every row once), in
/// replicate order. Per replicate: [w, a, b, aa, bb, ba, then per column and for the noise:
/// b·c, (a − c)²]. In a part file each sum is a decimal string (128-bit integers).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sums {
    stride: usize,
    #[serde(with = "decimal")]
    v: Vec<i128>,
}

/// 128-bit integers as decimal strings: JSON readers lose digits of large numbers.
mod decimal {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[i128], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(i128::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i128>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|x| x.parse().map_err(|_| serde::de::Error::custom(format!("`{x}` is not a whole number"))))
            .collect()
    }
}

const HEAD: usize = 6;

impl Sums {
    fn new(columns: usize, resamples: usize) -> Sums {
        let stride = HEAD + 2 * (columns + 1);
        Sums { stride, v: vec![0; stride * (resamples + 1)] }
    }

    /// Adds another range of rows' sums; false if they are not of the same design.
    pub fn merge(&mut self, other: &Sums) -> bool {
        if self.stride != other.stride || self.v.len() != other.v.len() {
            return false;
        }
        for (x, y) in self.v.iter_mut().zip(&other.v) {
            *x += y;
        }
        true
    }

    /// Whether the sums fit a design of `columns` columns and `resamples` replicates over
    /// `rows` rows (replicate 0 counts each row once; no weight is negative).
    pub fn fits(&self, columns: usize, resamples: usize, rows: u64) -> bool {
        self.stride == HEAD + 2 * (columns + 1)
            && self.v.len() == self.stride * (resamples + 1)
            && self.v[0] == i128::from(rows)
            && self.v.chunks_exact(self.stride).all(|r| r[0] >= 0 && r[3] >= 0 && r[4] >= 0)
    }

    fn replicates(&self) -> usize {
        self.v.len() / self.stride
    }

    /// Replicate `r`: mean, variance, residual share and per column (first, total); `None`
    /// where the inputs explain no variance.
    fn estimate(&self, r: usize) -> Option<Estimate> {
        let s = &self.v[r * self.stride..(r + 1) * self.stride];
        let f = |x: i128| x as f64;
        let w = f(s[0]);
        if w == 0.0 {
            return None;
        }
        let mean = (f(s[1]) + f(s[2])) / (2.0 * w);
        let variance = (f(s[3]) + f(s[4])) / (2.0 * w) - mean * mean;
        // Every output equal: (Σ y)² = 2W Σ y² exactly in fixed point.
        let sum = s[1] + s[2];
        let constant = match (sum.checked_mul(sum), (2 * s[0]).checked_mul(s[3] + s[4])) {
            (Some(l), Some(r)) => l == r,
            _ => variance <= 0.0,
        };
        if constant || variance <= 0.0 {
            return None;
        }
        let noise = &s[s.len() - 2..];
        let residual = f(noise[1]) / (2.0 * w) / variance;
        let cols = s[HEAD..s.len() - 2]
            .chunks_exact(2)
            .map(|c| ((f(c[0]) - f(s[5])) / w / variance, f(c[1]) / (2.0 * w) / variance))
            .collect();
        Some(Estimate { mean: mean / SCALE, variance: variance / (SCALE * SCALE), residual, columns: cols })
    }
}

/// One replicate's estimates.
struct Estimate {
    mean: f64,
    variance: f64,
    residual: f64,
    columns: Vec<(f64, f64)>,
}

/// Poisson(1) from one uniform by its inverse CDF (the table covers all but 1e-16 of the mass).
fn poisson1(u: f64) -> i128 {
    let mut p = (-1.0f64).exp();
    let mut cdf = p;
    let mut k = 0;
    while u > cdf && k < 20 {
        k += 1;
        p /= k as f64;
        cdf += p;
    }
    k
}

fn fixed(y: f64) -> i128 {
    (y * SCALE).round() as i128
}

/// Runs rows `rows` of the design of `opts.rows` rows and returns their sums (the sums of any
/// partition of the rows add up to those of the whole); `progress` hears trials done.
pub fn sums<M: Inputs>(
    model: &M,
    output: Output,
    columns: &[Column],
    opts: Options,
    rows: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Sums, String> {
    let k = model.input_keys().len();
    if let Some(c) = columns.iter().find(|c| c.members.is_empty() || c.members.iter().any(|&i| i >= k)) {
        return Err(format!("column `{}` names no input, or one the model does not have", c.key));
    }
    let n = opts.rows;
    let per_row = columns.len() as u64 + 3;
    let bad = std::sync::atomic::AtomicBool::new(false);
    let layout = model.layout();
    let sums = engine::in_chunks(
        opts.seed,
        rows,
        || (model.scratch(), TrialRecord::new(layout), vec![0.0; k], vec![0.0; k], Vec::new()),
        || Sums::new(columns.len(), opts.resamples),
        |(scratch, record, xa, xb, q), sums, rng_a| {
            let rng_b = TrialRng::new(opts.seed, n + rng_a.trial());
            model.draw_inputs(rng_a, scratch, xa);
            model.draw_inputs(&rng_b, scratch, xb);
            let mut eval = |rng: &TrialRng, inputs: &[f64]| {
                model.run_with_inputs(rng, scratch, inputs, record);
                let y = output.of(record);
                if !(y.is_finite() && y.abs() <= MAX_OUTPUT) {
                    bad.store(true, std::sync::atomic::Ordering::Relaxed);
                    return 0;
                }
                fixed(y)
            };
            q.clear();
            let (a, b) = (eval(rng_a, xa), eval(&rng_b, xb));
            // A_B^c: the column's inputs swapped in from B for one evaluation, then back.
            for c in columns {
                c.members.iter().for_each(|&i| std::mem::swap(&mut xa[i], &mut xb[i]));
                q.push(eval(rng_a, xa));
                c.members.iter().for_each(|&i| std::mem::swap(&mut xa[i], &mut xb[i]));
            }
            q.push(eval(&rng_b, xa));
            let mut weights = rng_a.stream(Site::named("sobol.bootstrap"));
            for r in 0..sums.replicates() {
                let w = if r == 0 { 1 } else { poisson1(uniform01(&mut weights)) };
                if w == 0 {
                    continue;
                }
                let s = &mut sums.v[r * sums.stride..(r + 1) * sums.stride];
                s[0] += w;
                s[1] += w * a;
                s[2] += w * b;
                s[3] += w * a * a;
                s[4] += w * b * b;
                s[5] += w * b * a;
                for (pair, &c) in s[HEAD..].chunks_exact_mut(2).zip(q.iter()) {
                    pair[0] += w * b * c;
                    pair[1] += w * (a - c) * (a - c);
                }
            }
        },
        |a, b| {
            a.merge(b);
        },
        &|rows| progress(rows * per_row),
    );
    if bad.into_inner() {
        return Err(format!("the output is not a finite number of size at most {MAX_OUTPUT:e} in every trial"));
    }
    Ok(sums)
}

/// The indices and their intervals from the sums of a design whose columns have the keys `keys`.
pub fn indices(sums: &Sums, keys: &[String], rows: u64) -> Indices {
    let full = sums.estimate(0);
    let replicates: Vec<Estimate> = (1..sums.replicates()).filter_map(|r| sums.estimate(r)).collect();
    let index = |pick: &dyn Fn(&Estimate) -> f64| -> Index {
        let Some(full) = &full else { return Index { value: None, ci95: None } };
        let mut v: Vec<f64> = replicates.iter().map(pick).filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let at = |p: f64| v[((p * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
        Index { value: Some(pick(full)), ci95: (v.len() >= 2).then(|| [at(0.025), at(0.975)]) }
    };
    Indices {
        mean: full.as_ref().map_or(0.0, |e| e.mean),
        variance: full.as_ref().map_or(0.0, |e| e.variance),
        residual: index(&|e| e.residual),
        columns: keys
            .iter()
            .enumerate()
            .map(|(c, key)| ColumnIndices {
                key: key.clone(),
                first: index(&|e| e.columns[c].0),
                total: index(&|e| e.columns[c].1),
            })
            .collect(),
        rows,
        trials: rows * (keys.len() as u64 + 3),
    }
}

/// [`sums`] then [`indices`].
pub fn sobol<M: Inputs>(
    model: &M,
    output: Output,
    columns: &[Column],
    opts: Options,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Indices, String> {
    let sums = sums(model, output, columns, opts, 0..opts.rows, progress)?;
    let keys: Vec<String> = columns.iter().map(|c| c.key.clone()).collect();
    Ok(indices(&sums, &keys, opts.rows))
}

/// One uncertain input of a scenario, as the Sobol report shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputInfo {
    pub key: String,
    pub path: String,
    pub law: String,
    /// `evidence` if the parameter cites a fact, `assumption` if it only carries a note (or
    /// nothing).
    pub provenance: String,
    /// The part of the scenario it belongs to: `party:russia`, `mediator:turkiye`,
    /// `round:summit`, `event:…`, or `model`.
    pub owner: String,
}

/// A scenario's Sobol study: every uncertain input alone, then the groups by owner and by
/// provenance (docs/SENSITIVITY.md).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioSobol {
    pub model: String,
    pub output: Measure,
    pub inputs: Vec<InputInfo>,
    /// Per group column: its key (`party:russia`, `provenance:assumption`) and member count.
    pub groups: Vec<(String, usize)>,
    pub indices: Indices,
}

/// The owner of a parameter by its path's first step.
fn owner(body: &Body, path: &str) -> String {
    let index = |prefix: &str| {
        path.strip_prefix(prefix).and_then(|r| r.split(']').next()).and_then(|i| i.parse::<usize>().ok())
    };
    let s = match body {
        Body::Bargaining(s) => s,
        Body::Spatial(s) => {
            return index("actors[").map_or_else(|| "model".into(), |i| format!("actor:{}", s.actors[i].id));
        }
    };
    if let Some(i) = index("parties[") {
        return format!("party:{}", s.parties[i].id);
    }
    if let Some(i) = index("mediators[") {
        return format!("mediator:{}", s.mediators[i].id);
    }
    if let Some(i) = index("rounds[") {
        return format!("round:{}", s.rounds[i].id);
    }
    if let Some(i) = index("events[") {
        return format!("event:{}", s.events[i].id);
    }
    "model".into()
}

/// The design of a scenario's study, before it runs: its model, output and columns.
pub struct Design {
    model: crate::model::Compiled,
    output: Output,
    measure: Measure,
    round: usize,
    round_id: String,
    inputs: Vec<InputInfo>,
    groups: Vec<(String, usize)>,
    columns: Vec<Column>,
}

impl Design {
    /// The study of `figure` (a figure or value key of the model's layout; `None`: its first
    /// headline value, else its first headline figure, see [`Measure::of`]) at round `round`
    /// of a loaded scenario: every uncertain input alone, then the groups by owner and by
    /// provenance.
    pub fn new(loaded: &LoadedScenario, figure: Option<&str>, round: usize) -> Result<Design, ScenarioError> {
        let model = crate::model::compile(loaded)?;
        let invalid = |path: &str, message: String| ScenarioError::Invalid {
            file: loaded.file.clone(),
            path: path.into(),
            message,
        };
        let layout = model.layout();
        let measure = Measure::of(layout, figure).map_err(|m| invalid("--figure", m))?;
        let output = measure.output(round, layout.values.len());
        let round_id = layout.rounds.get(round).map_or_else(String::new, |r| r.id.clone());
        let params = loaded.body.params();
        let mut inputs = Vec::new();
        for key in model.input_keys() {
            let p = params.iter().find(|p| p.key == key).ok_or_else(|| {
                invalid("(model)", format!("the model draws `{key}`, which the scenario does not declare"))
            })?;
            inputs.push(InputInfo {
                key: key.clone(),
                path: p.path.clone(),
                law: p.param.describe(),
                provenance: if p.param.sources.is_empty() { "assumption" } else { "evidence" }.into(),
                owner: owner(&loaded.body, &p.path),
            });
        }
        let mut columns: Vec<Column> =
            inputs.iter().enumerate().map(|(i, input)| Column { key: input.key.clone(), members: vec![i] }).collect();
        let mut groups = std::collections::BTreeMap::<String, Vec<usize>>::new();
        for (i, input) in inputs.iter().enumerate() {
            groups.entry(input.owner.clone()).or_default().push(i);
            groups.entry(format!("provenance:{}", input.provenance)).or_default().push(i);
        }
        let group_list = groups.iter().map(|(k, m)| (k.clone(), m.len())).collect();
        columns.extend(groups.into_iter().map(|(key, members)| Column { key, members }));
        Ok(Design { model, output, measure, round, round_id, inputs, groups: group_list, columns })
    }

    /// The id of the round the output is read at.
    pub fn round_id(&self) -> &str {
        &self.round_id
    }

    /// Trials the study runs with `rows` base samples.
    pub fn trials(&self, rows: u64) -> u64 {
        rows.saturating_mul(self.columns.len() as u64 + 3)
    }

    /// Runs rows `rows` of the design: a shard's part, or the whole study.
    pub fn part(
        &self,
        opts: Options,
        rows: std::ops::Range<u64>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<SobolPart, String> {
        Ok(SobolPart {
            model: self.model.layout().model.clone(),
            output: self.measure.clone(),
            round: self.round,
            resamples: opts.resamples,
            inputs: self.inputs.clone(),
            groups: self.groups.clone(),
            sums: sums(&self.model, self.output, &self.columns, opts, rows, progress)?,
        })
    }

    /// Runs the whole design.
    pub fn run(&self, opts: Options, progress: &(dyn Fn(u64) + Sync)) -> Result<ScenarioSobol, String> {
        Ok(self.part(opts, 0..opts.rows, progress)?.finish(opts.rows))
    }
}

/// What a shard of a scenario's Sobol study computed: the design's description and the sums
/// of its rows. Parts of one study add up exactly.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SobolPart {
    pub model: String,
    /// The figure or value explained.
    pub output: Measure,
    /// Index of the round the output is read at.
    pub round: usize,
    pub resamples: usize,
    pub inputs: Vec<InputInfo>,
    pub groups: Vec<(String, usize)>,
    pub sums: Sums,
}

impl SobolPart {
    /// Adds another part's sums; false if it is of another design.
    pub fn merge(&mut self, other: &SobolPart) -> bool {
        let same = self.model == other.model
            && self.output == other.output
            && self.round == other.round
            && self.resamples == other.resamples
            && self.inputs == other.inputs
            && self.groups == other.groups;
        same && self.sums.merge(&other.sums)
    }

    /// The study's indices, once the parts of all `rows` rows are added.
    pub fn finish(self, rows: u64) -> ScenarioSobol {
        // The design's columns: the inputs, then the groups.
        let keys: Vec<String> =
            self.inputs.iter().map(|i| i.key.clone()).chain(self.groups.iter().map(|(k, _)| k.clone())).collect();
        let indices = indices(&self.sums, &keys, rows);
        ScenarioSobol { model: self.model, output: self.output, inputs: self.inputs, groups: self.groups, indices }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_weights_have_the_poisson_law() {
        // P(K = k) = e^-1 / k!: the inverse CDF at the midpoints of a fine grid.
        let n = 1_000_000;
        let mut counts = [0u64; 21];
        for i in 0..n {
            counts[poisson1((i as f64 + 0.5) / n as f64) as usize] += 1;
        }
        let mut p = (-1.0f64).exp();
        for (k, &c) in counts.iter().enumerate().take(6) {
            if k > 0 {
                p /= k as f64;
            }
            assert!((c as f64 / n as f64 - p).abs() < 2.0 / n as f64, "k = {k}: {c}");
        }
    }
}
