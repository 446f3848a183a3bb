//! `sim sweep`: headline figures over a grid of values of one or two scenario parameters.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::{self, Model, RunConfig, Tally};
use crate::scenario::{LoadedScenario, ScenarioError};

/// Most grid points a sweep may have.
pub const MAX_POINTS: usize = 10_000;

/// One swept parameter: a JSON Pointer into the scenario and the values it takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    pub pointer: String,
    pub values: Vec<Value>,
}

impl Axis {
    /// Parses `POINTER=v1,v2,...`. Each value is read as JSON (a number, `true`, `"text"`);
    /// a bare word that is not JSON is taken as a string (e.g. `leaders`).
    pub fn parse(spec: &str) -> Result<Axis, String> {
        let (pointer, values) =
            spec.split_once('=').ok_or_else(|| format!("`{spec}`: expected POINTER=v1,v2,... (e.g. /run/seed=1,2)"))?;
        if !pointer.starts_with('/') {
            return Err(format!(
                "`{pointer}` is not a JSON Pointer: it must start with `/` (e.g. /parties/0/cost_of_war)"
            ));
        }
        let values: Vec<Value> = values
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_string())))
            .collect();
        if values.is_empty() {
            return Err(format!("`{spec}`: give at least one value"));
        }
        Ok(Axis { pointer: pointer.to_string(), values })
    }
}

/// One grid point and its tally.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Point {
    pub values: Vec<Value>,
    pub layout: engine::Layout,
    pub tally: Tally,
}

/// Runs every point of the grid (first axis varying slowest) with the same seed.
pub fn sweep(
    loaded: &LoadedScenario,
    axes: &[Axis],
    cfg: RunConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Point>, ScenarioError> {
    sweep_range(loaded, axes, cfg.seed, 0..cfg.trials, progress)
}

/// [`sweep`] over the trial indices `trials` only (one shard): every point runs those trials.
pub fn sweep_range(
    loaded: &LoadedScenario,
    axes: &[Axis],
    seed: u64,
    trials: Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<Point>, ScenarioError> {
    let count: usize = axes.iter().map(|a| a.values.len()).product();
    if count > MAX_POINTS {
        return Err(ScenarioError::Invalid {
            file: loaded.file.clone(),
            path: "--set".into(),
            message: format!("the grid has {count} points; at most {MAX_POINTS} are allowed"),
        });
    }
    // Compile every point first, so a bad value fails before any trial runs.
    let mut models = Vec::with_capacity(count);
    for i in 0..count {
        let mut rest = i;
        let mut pick = vec![0; axes.len()];
        for (k, axis) in axes.iter().enumerate().rev() {
            pick[k] = rest % axis.values.len();
            rest /= axis.values.len();
        }
        let values: Vec<Value> = axes.iter().zip(&pick).map(|(a, &j)| a.values[j].clone()).collect();
        let changes: Vec<(&str, &Value)> = axes.iter().zip(&values).map(|(a, v)| (a.pointer.as_str(), v)).collect();
        let what: Vec<String> = changes.iter().map(|(p, v)| format!("{p}={v}")).collect();
        let model = super::modified(loaded, &changes, &format!("--set {}", what.join(" ")))?;
        models.push((values, model));
    }
    let mut points = Vec::with_capacity(count);
    let mut done = 0;
    for (values, model) in models {
        let tally = engine::run_range(&model, seed, trials.clone(), &|n| progress(done + n));
        done += trials.end - trials.start;
        points.push(Point { values, layout: model.layout().clone(), tally });
    }
    Ok(points)
}
