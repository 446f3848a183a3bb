//! Studies built from many runs of one scenario: parameter sweeps and sensitivity rankings.
//! Every run of a study uses the same seed, so the runs share their random numbers wherever
//! they share structure (common random numbers).

pub mod sensitivity;
pub mod sobol;
pub mod sweep;

use serde_json::Value;

use crate::model::MediatedNash;
use crate::scenario::{LoadedScenario, Scenario, ScenarioError, validate};

/// The scenario with the values at the given JSON Pointers replaced, parsed, validated and
/// compiled. `what` names the change in error messages.
pub(crate) fn modified(
    loaded: &LoadedScenario,
    changes: &[(&str, &Value)],
    what: &str,
) -> Result<MediatedNash, ScenarioError> {
    let invalid =
        |message: String| ScenarioError::Invalid { file: loaded.file.clone(), path: what.to_string(), message };
    let mut doc = loaded.document.clone();
    for (pointer, value) in changes {
        let slot = doc
            .pointer_mut(pointer)
            .ok_or_else(|| invalid(format!("the scenario has no value at JSON Pointer `{pointer}`")))?;
        *slot = (*value).clone();
    }
    let scenario: Scenario =
        serde_path_to_error::deserialize(&doc).map_err(|e| invalid(format!("at {}: {}", e.path(), e.inner())))?;
    validate::validate(&scenario, Some(&loaded.evidence))
        .and_then(|()| MediatedNash::new(&scenario))
        .map_err(|v| invalid(format!("at {}: {}", v.path, v.message)))
}
