//! Scenario files: schema, parameters, evidence, and the rules every scenario follows (a
//! model's own rules are checked when it is compiled, `model::compile`).

pub mod bdm;
pub mod error;
pub mod evidence;
pub mod param;
pub mod question;
pub mod resolution;
pub mod schema;
pub mod validate;
pub mod variant;
pub mod walk;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use error::ScenarioError;
pub use evidence::Evidence;
pub use param::{Dist, Param};
pub use schema::*;

/// A scenario read from disk, validated against the rules and its evidence base.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The file named on the command line (a scenario or a variant).
    pub file: PathBuf,
    pub scenario: Scenario,
    /// The scenario as a JSON document, after any variant patches.
    pub document: serde_json::Value,
    /// SHA-256, lowercase hex: of the file's bytes for a plain scenario, of the merged document
    /// (compact JSON) for a variant.
    pub digest: String,
    pub evidence: Evidence,
    /// The variant files applied, outermost first; empty for a plain scenario.
    pub variants: Vec<(PathBuf, variant::VariantFile)>,
}

impl LoadedScenario {
    /// The title to show: the outermost variant's, or the scenario's; a replay's says so, so
    /// that every output carries it.
    pub fn title(&self) -> String {
        let title = self.variants.first().map_or(&self.scenario.meta.title, |(_, v)| &v.title);
        match self.scenario.meta.purpose {
            Purpose::Forecast => title.clone(),
            Purpose::Replay => format!("{title} (replay)"),
        }
    }

    /// Whether the scenario is a replay (see [`HINDSIGHT`]).
    pub fn hindsight(&self) -> bool {
        self.scenario.meta.purpose == Purpose::Replay
    }
}

/// Reads a scenario or variant file, resolves and patches its bases, parses, validates, and
/// checks every citation against the evidence folder.
pub fn load(file: &Path) -> Result<LoadedScenario, ScenarioError> {
    load_resolved(file, variant::resolve(file)?)
}

/// As [`load`], for a scenario or variant whose contents are `bytes`: `file` names it in
/// messages, and its folder is where a variant's base and the evidence folder are looked for.
pub fn load_bytes(file: &Path, bytes: Vec<u8>) -> Result<LoadedScenario, ScenarioError> {
    load_resolved(file, variant::resolve_bytes(file, bytes)?)
}

fn load_resolved(file: &Path, resolved: variant::Resolved) -> Result<LoadedScenario, ScenarioError> {
    let (scenario, digest) = match &resolved.plain_bytes {
        Some(bytes) => (parse(file, bytes)?, sha256_hex(bytes)),
        None => {
            let scenario: Scenario =
                serde_path_to_error::deserialize(&resolved.document).map_err(|e| ScenarioError::Invalid {
                    file: file.to_path_buf(),
                    path: format!("{} (of the merged scenario)", e.path()),
                    message: e.into_inner().to_string(),
                })?;
            let canonical = serde_json::to_vec(&resolved.document).expect("a JSON value serializes");
            (scenario, sha256_hex(&canonical))
        }
    };
    let root = &resolved.root;
    let dir = root.parent().unwrap_or(Path::new(".")).join(&scenario.meta.evidence);
    let evidence = Evidence::load(&dir).map_err(|e| match e {
        ScenarioError::Io { cause, .. } => ScenarioError::Invalid {
            file: root.clone(),
            path: "meta.evidence".into(),
            message: format!("cannot read the evidence folder {}: {cause}", dir.display()),
        },
        other => other,
    })?;
    let merged = if resolved.chain.is_empty() { "" } else { " (of the merged scenario)" };
    validate::validate(&scenario, Some(&evidence)).map_err(|v| ScenarioError::Invalid {
        file: file.to_path_buf(),
        path: format!("{}{merged}", v.path),
        message: v.message,
    })?;
    let forecast_as_of = scenario.meta.forecast_as_of();
    for (vfile, v) in &resolved.chain {
        for (j, id) in v.sources.iter().enumerate() {
            validate::cited(&evidence, id, forecast_as_of, || format!("sources[{j}]"))
                .map_err(|v| ScenarioError::Invalid { file: vfile.clone(), path: v.path, message: v.message })?;
        }
    }
    Ok(LoadedScenario {
        file: file.to_path_buf(),
        scenario,
        document: resolved.document,
        digest,
        evidence,
        variants: resolved.chain,
    })
}

/// Parses scenario JSON; checks shape only.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<Scenario, ScenarioError> {
    read_json(file, bytes, "the scenario object")
}

/// Deserializes one JSON document from `bytes`, naming the JSON path of a shape error and
/// refusing trailing data after `what`.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    file: &Path,
    bytes: &[u8],
    what: &str,
) -> Result<T, ScenarioError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value: T =
        serde_path_to_error::deserialize(&mut *de).map_err(|e| ScenarioError::from_json(file.to_path_buf(), e))?;
    de.end().map_err(|e| ScenarioError::Syntax {
        file: file.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: format!("unexpected data after {what}"),
    })?;
    Ok(value)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
