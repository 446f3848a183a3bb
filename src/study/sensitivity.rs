//! `sim sensitivity`: for every uncertain input, how much a headline figure or value moves
//! when that input is held at a low and at a high quantile while every other input is drawn as
//! usual. Both runs share their random numbers (common random numbers), so the swing is
//! estimated from paired per-trial differences.

use serde_json::Value;

use super::Measure;
use crate::engine::paired::{PairedDifference, Streams, run_paired};
use crate::engine::stats::{Estimate, Mean};
use crate::engine::tally::SUM_BITS;
use crate::engine::{self, Model, RunConfig, TrialRecord, ValueSpec};
use crate::model::Compiled;
use crate::scenario::walk::pointer;
use crate::scenario::{LoadedScenario, ScenarioError};

#[derive(Debug, Clone)]
pub struct Options {
    /// The key of the figure or value to explain; `None`: the model's first headline value,
    /// else its first headline figure.
    pub figure: Option<String>,
    pub low: f64,
    pub high: f64,
}

/// The result of a sensitivity study.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    /// The kind of the model studied.
    pub model: String,
    pub output: Measure,
    /// The output with every input drawn as usual.
    pub base: Level,
    /// Largest swing first.
    pub inputs: Vec<Effect>,
}

/// The output of a run: a figure's probability, or a value's mean.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Level {
    Probability(Estimate),
    Mean(Mean),
}

impl Level {
    /// The probability or the mean.
    pub fn point(&self) -> f64 {
        match self {
            Level::Probability(e) => e.p,
            Level::Mean(m) => m.mean,
        }
    }
}

/// The effect of one input.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Effect {
    /// Stable key, e.g. `parties.russia.cost_of_war`.
    pub key: String,
    /// Where it sits in the scenario, e.g. `parties[0].cost_of_war`.
    pub path: String,
    pub law: String,
    pub low_value: f64,
    pub high_value: f64,
    pub at_low: Level,
    pub at_high: Level,
    /// Output at the high quantile minus output at the low quantile.
    pub swing: PairedDifference,
}

/// The sums of a paired run of a value, in fixed point relative to the value's range (as the
/// tally keeps them, [`SUM_BITS`]): per-trial values at low and high and their differences.
#[derive(Debug, Clone, Copy, Default)]
struct ValueSums {
    n: u64,
    low: i128,
    low_sq: i128,
    high: i128,
    high_sq: i128,
    diff: i128,
    diff_sq: i128,
    /// A trial gave a value that is not a number.
    nan: bool,
}

impl ValueSums {
    fn merge(&mut self, o: &ValueSums) {
        self.n += o.n;
        self.low += o.low;
        self.low_sq += o.low_sq;
        self.high += o.high;
        self.high_sq += o.high_sq;
        self.diff += o.diff;
        self.diff_sq += o.diff_sq;
        self.nan |= o.nan;
    }
}

/// Runs both models on the same trials and sums value `at` of their records (see
/// [`ValueSums`]); the values are clamped to the declared range, as the tally does.
fn paired_value(
    models: [&Compiled; 2],
    at: usize,
    spec: &ValueSpec,
    cfg: RunConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> (Mean, Mean, PairedDifference, bool) {
    let scale = (1u64 << SUM_BITS) as f64;
    let fixed = |x: f64| ((x - spec.min) / (spec.max - spec.min)).clamp(0.0, 1.0) * scale;
    let sums = engine::in_chunks(
        cfg.seed,
        0..cfg.trials,
        || models.map(|m| (m.scratch(), TrialRecord::new(m.layout()))),
        ValueSums::default,
        |runs, acc, rng| {
            let mut y = [0i128; 2];
            for (slot, (m, (scratch, record))) in y.iter_mut().zip(models.iter().zip(runs.iter_mut())) {
                m.run_trial(rng, scratch, record);
                let x = record.values[at];
                acc.nan |= x.is_nan();
                *slot = fixed(x).round() as i128;
            }
            let d = y[1] - y[0];
            acc.n += 1;
            acc.low += y[0];
            acc.low_sq += y[0] * y[0];
            acc.high += y[1];
            acc.high_sq += y[1] * y[1];
            acc.diff += d;
            acc.diff_sq += d * d;
        },
        ValueSums::merge,
        &|d| progress(2 * d),
    );
    let width = (spec.max - spec.min) / scale;
    let n = sums.n;
    let mean = |s: i128, s2: i128| {
        let (nf, s, s2) = (n as f64, s as f64, s2 as f64);
        let var = if n > 1 { ((s2 - s * s / nf) / (nf - 1.0)).max(0.0) } else { 0.0 };
        Mean::new(spec.min + width * s / nf.max(1.0), var * width * width, n)
    };
    let d = PairedDifference::from_sums(sums.diff as f64 * width, sums.diff_sq as f64 * width * width, n);
    (mean(sums.low, sums.low_sq), mean(sums.high, sums.high_sq), d, sums.nan)
}

/// The base output, and the effects ranked by the size of their swing (largest first; ties
/// in key order).
pub fn sensitivity(
    loaded: &LoadedScenario,
    round: usize,
    opts: &Options,
    cfg: RunConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Sensitivity, ScenarioError> {
    let base_model = crate::model::compile(loaded)?;
    let layout = base_model.layout();
    let invalid =
        |message: String| ScenarioError::Invalid { file: loaded.file.clone(), path: "--figure".into(), message };
    let output = Measure::of(layout, opts.figure.as_deref()).map_err(invalid)?;
    let params: Vec<_> = loaded.body.params().into_iter().filter(|p| !p.param.is_fixed()).collect();
    // Compile every pair first, so a problem shows before any trial runs.
    let mut pairs = Vec::with_capacity(params.len());
    for p in &params {
        let at = pointer(&p.path);
        let (lo, hi) = (p.param.quantile(opts.low), p.param.quantile(opts.high));
        let model_at = |x: f64| {
            let value = Value::from(x);
            super::modified(loaded, &[(at.as_str(), &value)], &format!("{} held at {x}", p.path))
        };
        pairs.push((lo, hi, model_at(lo)?, model_at(hi)?));
    }
    let n = cfg.trials;
    let base = engine::run(&base_model, cfg, progress);
    let base_level = match &output {
        Measure::Figure(f) => Level::Probability(Estimate::new(f.of.count(&base, round), n)),
        Measure::Value { index, .. } => {
            let v = &base.round_values(round)[*index];
            let (mean, var) = v.moments().unwrap_or((f64::NAN, 0.0));
            if v.count < n {
                return Err(invalid(format!("`{}` is not a number in some trial", output.key())));
            }
            Level::Mean(Mean::new(mean, var, n))
        }
    };
    let mut effects = Vec::with_capacity(pairs.len());
    for (i, (p, (lo, hi, low_model, high_model))) in params.iter().zip(&pairs).enumerate() {
        // The base run, then two runs per input.
        let done = (1 + 2 * i as u64) * n;
        let (at_low, at_high, swing) = match &output {
            Measure::Figure(figure) => {
                let f = layout.figures.iter().position(|x| x == figure).expect("the figure of this layout");
                let paired = run_paired(&[low_model, high_model], cfg, Streams::Common, &|d| progress(done + 2 * d));
                let (c_lo, c_hi) =
                    (figure.of.count(&paired.tallies[0], round), figure.of.count(&paired.tallies[1], round));
                // Holding an input changes no round and no figure, so round `round` is always compared.
                let discordant = paired.discordant[0][round].as_ref().map_or(0, |d| d[f]);
                (
                    Level::Probability(Estimate::new(c_lo, n)),
                    Level::Probability(Estimate::new(c_hi, n)),
                    PairedDifference::new(c_lo, c_hi, discordant, n),
                )
            }
            Measure::Value { index, spec } => {
                let at = round * layout.values.len() + index;
                let (lo_mean, hi_mean, swing, nan) =
                    paired_value([low_model, high_model], at, spec, cfg, &|d| progress(done + d));
                if nan {
                    return Err(invalid(format!("`{}` is not a number in some trial", output.key())));
                }
                (Level::Mean(lo_mean), Level::Mean(hi_mean), swing)
            }
        };
        effects.push(Effect {
            key: p.key.clone(),
            path: p.path.clone(),
            law: p.param.describe(),
            low_value: *lo,
            high_value: *hi,
            at_low,
            at_high,
            swing,
        });
    }
    effects.sort_by(|a, b| b.swing.diff.abs().total_cmp(&a.swing.diff.abs()).then_with(|| a.key.cmp(&b.key)));
    Ok(Sensitivity { model: layout.model.clone(), output, base: base_level, inputs: effects })
}
