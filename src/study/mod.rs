//! Studies built from many runs of one scenario: parameter sweeps and sensitivity rankings.
//! Every run of a study uses the same seed, so the runs share their random numbers wherever
//! they share structure (common random numbers).

pub mod sensitivity;
pub mod sobol;
pub mod sweep;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::{FigureSpec, Layout, ValueSpec};
use crate::model::Compiled;
use crate::scenario::{LoadedScenario, ScenarioError};

/// What a study explains: a per-round yes/no figure (its mean over trials is a probability)
/// or a per-round continuous value of the layout (its mean is a mean of that quantity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Measure {
    Figure(FigureSpec),
    /// Value `index` of [`Layout::values`].
    Value {
        index: usize,
        spec: ValueSpec,
    },
}

impl Measure {
    /// The measure `key` names, a figure or a value of the layout; `None`: the layout's first
    /// headline value if it declares one, else its first headline figure.
    pub fn of(layout: &Layout, key: Option<&str>) -> Result<Measure, String> {
        let value = |index: usize| Measure::Value { index, spec: layout.values[index].clone() };
        let figure = |f: usize| layout.figures.get(f).cloned().map(Measure::Figure);
        match key {
            Some(key) => match layout.figures.iter().position(|f| f.key == key) {
                Some(f) => Ok(Measure::Figure(layout.figures[f].clone())),
                None => layout.value(key).map(value).ok_or_else(|| {
                    let keys = |k: Vec<&str>| if k.is_empty() { "none".to_string() } else { k.join(", ") };
                    format!(
                        "the model `{}` reports no figure or value `{key}`; its figures are {}; its values are {}",
                        layout.model,
                        keys(layout.figures.iter().map(|f| f.key.as_str()).collect()),
                        keys(layout.values.iter().map(|v| v.key.as_str()).collect())
                    )
                }),
            },
            None => match layout.headline_values.first() {
                Some(&v) => Ok(value(v)),
                None => figure(layout.headline.first().copied().unwrap_or(0)).ok_or_else(|| {
                    format!(
                        "the model `{}` reports no per-round yes/no figure and no headline value, which this study \
                         reads",
                        layout.model
                    )
                }),
            },
        }
    }

    pub fn key(&self) -> &str {
        match self {
            Measure::Figure(f) => &f.key,
            Measure::Value { spec, .. } => &spec.key,
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Measure::Figure(f) => &f.label,
            Measure::Value { spec, .. } => &spec.label,
        }
    }

    /// The value's unit; `None` for a figure.
    pub fn unit(&self) -> Option<&str> {
        match self {
            Measure::Figure(_) => None,
            Measure::Value { spec, .. } => Some(&spec.unit),
        }
    }

    /// Where the measure sits in a trial's record at round `round` of a layout with
    /// `values_per_round` values per round.
    pub fn output(&self, round: usize, values_per_round: usize) -> sobol::Output {
        match self {
            Measure::Figure(f) => sobol::Output::Figure { of: f.of, round },
            Measure::Value { index, .. } => sobol::Output::Value(round * values_per_round + index),
        }
    }
}

/// The scenario with the values at the given JSON Pointers replaced, parsed, validated and
/// compiled. `what` names the change in error messages.
pub(crate) fn modified(
    loaded: &LoadedScenario,
    changes: &[(&str, &Value)],
    what: &str,
) -> Result<Compiled, ScenarioError> {
    let invalid =
        |message: String| ScenarioError::Invalid { file: loaded.file.clone(), path: what.to_string(), message };
    let mut doc = loaded.document.clone();
    for (pointer, value) in changes {
        let slot = doc
            .pointer_mut(pointer)
            .ok_or_else(|| invalid(format!("the scenario has no value at JSON Pointer `{pointer}`")))?;
        *slot = (*value).clone();
    }
    let body = crate::scenario::from_value(&doc).map_err(|(path, rule)| invalid(format!("at {path}: {rule}")))?;
    body.validate(Some(&loaded.evidence))
        .and_then(|()| crate::model::compile_studied(&body))
        .map_err(|v| invalid(format!("at {}: {}", v.path, v.message)))
}
