//! Scenario files: schema, parameters, evidence, validation.

pub mod error;
pub mod evidence;
pub mod param;
pub mod schema;
pub mod validate;
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
    pub file: PathBuf,
    pub scenario: Scenario,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub digest: String,
    pub evidence: Evidence,
}

/// Reads, parses and validates a scenario file, and checks its citations.
pub fn load(file: &Path) -> Result<LoadedScenario, ScenarioError> {
    let io = |e| ScenarioError::Io { file: file.to_path_buf(), source: e };
    if std::fs::metadata(file).map_err(io)?.is_dir() {
        return Err(ScenarioError::Io {
            file: file.to_path_buf(),
            source: std::io::Error::other("is a directory, not a scenario file"),
        });
    }
    let bytes = std::fs::read(file).map_err(io)?;
    let scenario = parse(file, &bytes)?;
    let dir = file.parent().unwrap_or(Path::new(".")).join(&scenario.meta.evidence);
    let evidence = Evidence::load(&dir).map_err(|e| match e {
        ScenarioError::Io { source, .. } => ScenarioError::Invalid {
            file: file.to_path_buf(),
            path: "meta.evidence".into(),
            message: format!("cannot read the evidence folder {}: {source}", dir.display()),
        },
        other => other,
    })?;
    validate::validate(&scenario, Some(&evidence)).map_err(|v| ScenarioError::Invalid {
        file: file.to_path_buf(),
        path: v.path,
        message: v.message,
    })?;
    Ok(LoadedScenario { file: file.to_path_buf(), scenario, digest: sha256_hex(&bytes), evidence })
}

/// Parses scenario JSON; checks shape only.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<Scenario, ScenarioError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let scenario: Scenario =
        serde_path_to_error::deserialize(&mut *de).map_err(|e| ScenarioError::from_json(file.to_path_buf(), e))?;
    de.end().map_err(|e| ScenarioError::Syntax {
        file: file.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: "unexpected data after the scenario object".into(),
    })?;
    Ok(scenario)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
