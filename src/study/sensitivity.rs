//! `sim sensitivity`: for every uncertain input, how much a headline figure moves when that
//! input is held at a low and at a high quantile while every other input is drawn as usual.
//! Both runs share their random numbers (common random numbers), so the swing is estimated
//! from paired per-trial differences.

use serde_json::Value;

use crate::engine::paired::{PairedDifference, Streams, run_paired};
use crate::engine::stats::Estimate;
use crate::engine::{self, FigureSpec, Model, RunConfig};
use crate::scenario::walk::pointer;
use crate::scenario::{LoadedScenario, ScenarioError};

#[derive(Debug, Clone)]
pub struct Options {
    /// The key of the figure to explain; `None`: the model's first headline figure.
    pub figure: Option<String>,
    pub low: f64,
    pub high: f64,
}

/// The result of a sensitivity study.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    /// The kind of the model studied.
    pub model: String,
    pub figure: FigureSpec,
    /// The figure with every input drawn as usual.
    pub base: Estimate,
    /// Largest swing first.
    pub inputs: Vec<Effect>,
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
    pub at_low: Estimate,
    pub at_high: Estimate,
    /// Figure at the high quantile minus figure at the low quantile.
    pub swing: PairedDifference,
}

/// The base figure, and the effects ranked by the size of their swing (largest first; ties
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
    let f = match &opts.figure {
        Some(key) => layout.figure(key).map_err(|message| ScenarioError::Invalid {
            file: loaded.file.clone(),
            path: "--figure".into(),
            message,
        })?,
        None => layout.headline.first().copied().unwrap_or(0),
    };
    let figure = super::figure_at(layout, f).map_err(|message| ScenarioError::Invalid {
        file: loaded.file.clone(),
        path: "--figure".into(),
        message,
    })?;
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
    let base_estimate = Estimate::new(figure.of.count(&base, round), n);
    let mut effects = Vec::with_capacity(pairs.len());
    for (i, (p, (lo, hi, low_model, high_model))) in params.iter().zip(&pairs).enumerate() {
        // The base run, then two runs per input.
        let done = (1 + 2 * i as u64) * n;
        let paired = run_paired(&[low_model, high_model], cfg, Streams::Common, &|d| progress(done + 2 * d));
        debug_assert_eq!(low_model.layout().rounds.len(), high_model.layout().rounds.len());
        let (c_lo, c_hi) = (figure.of.count(&paired.tallies[0], round), figure.of.count(&paired.tallies[1], round));
        // Holding an input changes no round and no figure, so round `round` is always compared.
        let discordant = paired.discordant[0][round].as_ref().map_or(0, |d| d[f]);
        effects.push(Effect {
            key: p.key.clone(),
            path: p.path.clone(),
            law: p.param.describe(),
            low_value: *lo,
            high_value: *hi,
            at_low: Estimate::new(c_lo, n),
            at_high: Estimate::new(c_hi, n),
            swing: PairedDifference::new(c_lo, c_hi, discordant, n),
        });
    }
    effects.sort_by(|a, b| b.swing.diff.abs().total_cmp(&a.swing.diff.abs()).then_with(|| a.key.cmp(&b.key)));
    Ok(Sensitivity { model: layout.model.clone(), figure, base: base_estimate, inputs: effects })
}
