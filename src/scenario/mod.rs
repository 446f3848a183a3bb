//! Scenario files: schema, parameters, evidence, and the rules every scenario follows (a
//! model's own rules are checked when it is compiled, `model::compile`).

pub mod bdm;
pub mod error;
pub mod evidence;
pub mod param;
pub mod question;
pub mod resolution;
pub mod schema;
pub mod spatial;
pub mod validate;
pub mod variant;
pub mod walk;

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use error::ScenarioError;
pub use evidence::Evidence;
pub use param::{Dist, Param};
pub use schema::*;
pub use spatial::SpatialScenario;

/// A scenario read from disk, validated against the rules and its evidence base.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The file named on the command line (a scenario or a variant).
    pub file: PathBuf,
    pub body: Body,
    /// The scenario as a JSON document, after any variant patches.
    pub document: serde_json::Value,
    /// SHA-256, lowercase hex: of the file's bytes for a plain scenario, of the merged document
    /// (compact JSON) for a variant.
    pub digest: String,
    pub evidence: Evidence,
    /// The variant files applied, outermost first; empty for a plain scenario.
    pub variants: Vec<(PathBuf, variant::VariantFile)>,
}

/// What a scenario file holds: the model family decides the shape (`model.kind`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Body {
    /// Belligerents bargaining round by round (`mediated_nash`, docs/MODEL.md).
    Bargaining(Box<Scenario>),
    /// Actors deciding on issue scales (`compromise`, `expected_utility`, docs/MODELS.md).
    Spatial(Box<SpatialScenario>),
}

impl Body {
    pub fn meta(&self) -> &Meta {
        match self {
            Body::Bargaining(s) => &s.meta,
            Body::Spatial(s) => &s.meta,
        }
    }

    pub fn meta_mut(&mut self) -> &mut Meta {
        match self {
            Body::Bargaining(s) => &mut s.meta,
            Body::Spatial(s) => &mut s.meta,
        }
    }

    /// The trial count and seed used when the command line gives none.
    pub fn run(&self) -> &RunDefaults {
        match self {
            Body::Bargaining(s) => &s.run,
            Body::Spatial(s) => &s.run,
        }
    }

    /// Every numeric parameter, in document order.
    pub fn params(&self) -> Vec<walk::ParamRef<'_>> {
        match self {
            Body::Bargaining(s) => s.params(),
            Body::Spatial(s) => s.params(),
        }
    }

    /// Every delegation's law over levels (none in a spatial scenario).
    pub fn level_laws(&self) -> Vec<walk::LevelLawRef<'_>> {
        match self {
            Body::Bargaining(s) => s.level_laws(),
            Body::Spatial(_) => Vec::new(),
        }
    }

    /// Checks every rule of the scenario's shape; `evidence`, when given, must hold every
    /// cited id.
    pub fn validate(&self, evidence: Option<&Evidence>) -> validate::Check {
        match self {
            Body::Bargaining(s) => validate::validate(s, evidence),
            Body::Spatial(s) => s.validate(evidence),
        }
    }

    /// The bargaining scenario, for the commands only that model family has (e.g. `sim trace`).
    pub fn bargaining(&self) -> Option<&Scenario> {
        match self {
            Body::Bargaining(s) => Some(s),
            Body::Spatial(_) => None,
        }
    }
}

impl LoadedScenario {
    /// The title to show: the outermost variant's, or the scenario's; a replay's says so, so
    /// that every output carries it.
    pub fn title(&self) -> String {
        let meta = self.body.meta();
        let title = self.variants.first().map_or(&meta.title, |(_, v)| &v.title);
        match meta.purpose {
            Purpose::Forecast => title.clone(),
            Purpose::Replay => format!("{title} (replay)"),
        }
    }

    /// Whether the scenario is a replay (see [`HINDSIGHT`]).
    pub fn hindsight(&self) -> bool {
        self.body.meta().purpose == Purpose::Replay
    }

    pub fn meta(&self) -> &Meta {
        self.body.meta()
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
    let (body, digest) = match &resolved.plain_bytes {
        Some(bytes) => (parse(file, bytes)?, sha256_hex(bytes)),
        None => {
            let body = from_value(&resolved.document).map_err(|(path, message)| ScenarioError::Invalid {
                file: file.to_path_buf(),
                path: format!("{path} (of the merged scenario)"),
                message,
            })?;
            let canonical = serde_json::to_vec(&resolved.document).expect("a JSON value serializes");
            (body, sha256_hex(&canonical))
        }
    };
    let root = &resolved.root;
    let dir = root.parent().unwrap_or(Path::new(".")).join(&body.meta().evidence);
    let evidence = Evidence::load(&dir).map_err(|e| match e {
        ScenarioError::Io { cause, .. } => ScenarioError::Invalid {
            file: root.clone(),
            path: "meta.evidence".into(),
            message: format!("cannot read the evidence folder {}: {cause}", dir.display()),
        },
        other => other,
    })?;
    let merged = if resolved.chain.is_empty() { "" } else { " (of the merged scenario)" };
    body.validate(Some(&evidence)).map_err(|v| ScenarioError::Invalid {
        file: file.to_path_buf(),
        path: format!("{}{merged}", v.path),
        message: v.message,
    })?;
    let forecast_as_of = body.meta().forecast_as_of();
    for (vfile, v) in &resolved.chain {
        for (j, id) in v.sources.iter().enumerate() {
            validate::cited(&evidence, id, forecast_as_of, || format!("sources[{j}]"))
                .map_err(|v| ScenarioError::Invalid { file: vfile.clone(), path: v.path, message: v.message })?;
        }
    }
    Ok(LoadedScenario {
        file: file.to_path_buf(),
        body,
        document: resolved.document,
        digest,
        evidence,
        variants: resolved.chain,
    })
}

/// `model.kind` alone: it decides which shape the rest of the file has.
#[derive(Deserialize)]
struct Probe {
    model: ProbeModel,
}

#[derive(Deserialize)]
struct ProbeModel {
    kind: ModelKind,
}

/// Every model a scenario can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ModelKind {
    MediatedNash,
    Compromise,
    ExpectedUtility,
}

impl ModelKind {
    fn is_spatial(self) -> bool {
        matches!(self, ModelKind::Compromise | ModelKind::ExpectedUtility)
    }
}

/// Parses scenario JSON in the shape its `model.kind` selects; checks shape only. A file whose
/// kind cannot be read is parsed as a bargaining scenario, so its first shape error is named,
/// unless the kind itself is what is wrong.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<Body, ScenarioError> {
    match read_json::<Probe>(file, bytes, "the scenario object") {
        Ok(p) if p.model.kind.is_spatial() => {
            Ok(Body::Spatial(Box::new(read_json(file, bytes, "the scenario object")?)))
        }
        Err(e) if matches!(&e, ScenarioError::Shape { path, .. } if path == "model.kind") => Err(e),
        _ => Ok(Body::Bargaining(Box::new(read_json(file, bytes, "the scenario object")?))),
    }
}

/// As [`parse`], for a JSON document (a merged variant); the JSON path and rule of a shape error.
pub fn from_value(doc: &serde_json::Value) -> Result<Body, (String, String)> {
    fn typed<T: serde::de::DeserializeOwned>(doc: &serde_json::Value) -> Result<T, (String, String)> {
        serde_path_to_error::deserialize(doc).map_err(|e| (e.path().to_string(), e.into_inner().to_string()))
    }
    match typed::<Probe>(doc) {
        Ok(p) if p.model.kind.is_spatial() => Ok(Body::Spatial(Box::new(typed(doc)?))),
        Err((path, rule)) if path == "model.kind" => Err((path, rule)),
        _ => Ok(Body::Bargaining(Box::new(typed(doc)?))),
    }
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
