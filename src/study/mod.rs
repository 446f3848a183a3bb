//! Studies built from many runs of one scenario: parameter sweeps and sensitivity rankings.
//! Every run of a study uses the same seed, so the runs share their random numbers wherever
//! they share structure (common random numbers).

pub mod sensitivity;
pub mod sobol;
pub mod sweep;

use serde_json::Value;

use crate::engine::{FigureSpec, Layout};
use crate::model::Compiled;
use crate::scenario::{LoadedScenario, ScenarioError};

/// Figure `f` of a layout, or why a study has nothing to read (a model without per-round
/// yes/no figures, such as `compromise`).
pub(crate) fn figure_at(layout: &Layout, f: usize) -> Result<FigureSpec, String> {
    layout.figures.get(f).cloned().ok_or_else(|| {
        format!("the model `{}` reports no per-round yes/no figure, which this study reads", layout.model)
    })
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
