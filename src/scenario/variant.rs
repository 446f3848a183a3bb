//! Scenario variants: a file that names a base scenario and states only what differs, as a JSON
//! Merge Patch (RFC 7396), a JSON Patch (RFC 6902), or both (merge patch first).

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::ScenarioError;

/// How many variants may stack on one another before the chain is refused.
pub const MAX_CHAIN: usize = 8;

/// A variant file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VariantFile {
    /// The scenario (or variant) this one changes, relative to this file.
    pub base: String,
    /// Short name shown in comparisons.
    pub title: String,
    /// One line: what the variant asks and why.
    pub rationale: String,
    /// Evidence ids the change rests on.
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_patch: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json_patch: Option<json_patch::Patch>,
}

/// A scenario document after resolving its chain of variants.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub document: serde_json::Value,
    /// The scenario at the bottom of the chain: evidence paths resolve from its folder.
    pub root: PathBuf,
    /// The file's own bytes when it is a plain scenario (kept for exact error positions).
    pub plain_bytes: Option<Vec<u8>>,
    /// The variant files read, outermost first, with their contents.
    pub chain: Vec<(PathBuf, VariantFile)>,
}

/// Largest scenario or variant file read, so that no input exhausts memory before validation.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

fn read(file: &Path) -> Result<Vec<u8>, ScenarioError> {
    let io = |e| ScenarioError::Io { file: file.to_path_buf(), cause: e };
    let too_large = |size: String| {
        io(std::io::Error::other(format!("the file has {size} bytes; scenario files are limited to {MAX_FILE_BYTES}")))
    };
    let meta = std::fs::metadata(file).map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::other("it is a directory, not a scenario file")));
    }
    if meta.is_file() && meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len().to_string()));
    }
    // Devices and pipes (`/dev/zero`, `<(…)`) have no length to check beforehand: read at most
    // one byte past the limit.
    let mut bytes = Vec::new();
    std::fs::File::open(file).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)).map_err(io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(format!("more than {MAX_FILE_BYTES}")));
    }
    Ok(bytes)
}

fn invalid(file: &Path, path: impl Into<String>, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid { file: file.to_path_buf(), path: path.into(), message: message.into() }
}

/// Reads `file` and, if it is a variant, its bases, applying the patches in order.
pub fn resolve(file: &Path) -> Result<Resolved, ScenarioError> {
    resolve_chain(file, &mut Vec::new())
}

/// As [`resolve`], for a file whose contents are `bytes`: `file` names it in messages, and its
/// folder is where a variant's base is looked for.
pub fn resolve_bytes(file: &Path, bytes: Vec<u8>) -> Result<Resolved, ScenarioError> {
    resolve_contents(file, bytes, &mut Vec::new())
}

fn resolve_chain(file: &Path, seen: &mut Vec<PathBuf>) -> Result<Resolved, ScenarioError> {
    let bytes = read(file)?;
    resolve_contents(file, bytes, seen)
}

fn resolve_contents(file: &Path, bytes: Vec<u8>, seen: &mut Vec<PathBuf>) -> Result<Resolved, ScenarioError> {
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    let value: serde_json::Value =
        serde_path_to_error::deserialize(&mut *de).map_err(|e| ScenarioError::from_json(file.to_path_buf(), e))?;
    de.end().map_err(|e| ScenarioError::Syntax {
        file: file.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: "unexpected data after the top-level object".into(),
    })?;
    if value.get("base").is_none() {
        return Ok(Resolved { document: value, root: file.to_path_buf(), plain_bytes: Some(bytes), chain: Vec::new() });
    }
    let variant: VariantFile = serde_path_to_error::deserialize(&value).map_err(|e| {
        let path = e.path().to_string();
        invalid(file, path, format!("not a valid variant file: {}", e.into_inner()))
    })?;
    if variant.merge_patch.is_none() && variant.json_patch.is_none() {
        return Err(invalid(file, "(top level)", "a variant needs `merge_patch` or `json_patch`"));
    }
    // Contents given as bytes (`resolve_bytes`) need not exist on disk under their name.
    let here = std::fs::canonicalize(file)
        .or_else(|_| std::path::absolute(file))
        .map_err(|e| ScenarioError::Io { file: file.to_path_buf(), cause: e })?;
    if let Some(start) = seen.iter().position(|p| p == &here) {
        let cycle: Vec<String> =
            seen[start..].iter().chain(std::iter::once(&here)).map(|p| p.display().to_string()).collect();
        return Err(invalid(file, "base", format!("variants form a cycle: {}", cycle.join(" -> "))));
    }
    if seen.len() >= MAX_CHAIN {
        let chain: Vec<String> = seen.iter().chain(std::iter::once(&here)).map(|p| p.display().to_string()).collect();
        return Err(invalid(
            file,
            "base",
            format!("more than {MAX_CHAIN} variants stacked on one another: {}", chain.join(" -> ")),
        ));
    }
    seen.push(here);
    let base = file.parent().unwrap_or(Path::new(".")).join(&variant.base);
    if !base.is_file() {
        return Err(invalid(file, "base", format!("base scenario {} does not exist", base.display())));
    }
    let mut resolved = resolve_chain(&base, seen)?;
    if let Some(merge) = &variant.merge_patch {
        if !merge.is_object() {
            return Err(invalid(file, "merge_patch", "a merge patch on a scenario must be an object"));
        }
        json_patch::merge(&mut resolved.document, merge);
    }
    if let Some(patch) = &variant.json_patch {
        json_patch::patch(&mut resolved.document, patch).map_err(|e| {
            invalid(file, format!("json_patch[{}]", e.operation), format!("cannot apply the patch: {}", e.kind))
        })?;
    }
    resolved.plain_bytes = None;
    resolved.chain.insert(0, (file.to_path_buf(), variant));
    Ok(resolved)
}
