//! Errors in a scenario or evidence file: each names the file, where in it, and the rule broken.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ScenarioError {
    #[error("{}: cannot read: {cause}", shown(&file.display().to_string()))]
    Io { file: PathBuf, cause: std::io::Error },
    #[error("{}: invalid JSON at line {line}, column {column}: {}", shown(&file.display().to_string()), shown(message))]
    Syntax { file: PathBuf, line: usize, column: usize, message: String },
    #[error("{}: at {} (line {line}, column {column}): {}", shown(&file.display().to_string()), shown(path), shown(message))]
    Shape { file: PathBuf, path: String, line: usize, column: usize, message: String },
    #[error("{}: at {}: {}", shown(&file.display().to_string()), shown(path), shown(message))]
    Invalid { file: PathBuf, path: String, message: String },
    /// A folder given where a case folder (or a folder of them) belongs.
    #[error("{}: {}", shown(&file.display().to_string()), shown(message))]
    Folder { file: PathBuf, message: String },
}

impl ScenarioError {
    /// Turns a serde_json error met while reading `file` into the matching variant.
    pub fn from_json(file: PathBuf, err: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let (line, column) = (inner.line(), inner.column());
        let message = strip_position(&inner.to_string());
        // serde_json reports a number beyond f64 as a syntax error, though the JSON is well
        // formed and the path says which value is at fault.
        let out_of_range = message == "number out of range" && path != ".";
        match inner.classify() {
            serde_json::error::Category::Data | serde_json::error::Category::Syntax if out_of_range => {
                ScenarioError::Shape { file, path, line, column, message }
            }
            serde_json::error::Category::Data => ScenarioError::Shape {
                file,
                path: if path == "." { "(top level)".into() } else { path },
                line,
                column,
                message,
            },
            _ => ScenarioError::Syntax { file, line, column, message },
        }
    }

    /// The JSON path the error points at, where it has one.
    pub fn json_path(&self) -> Option<&str> {
        match self {
            ScenarioError::Shape { path, .. } | ScenarioError::Invalid { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// Text from the file (an id, a field name) is echoed in messages: control characters, which
/// would break the one-line message, and bidirectional overrides, which would reorder it on
/// screen, are shown escaped (`\n`, `\u{202e}`).
pub fn shown(text: &str) -> String {
    let hidden = |c: char| {
        c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(hidden) {
        return text.to_string();
    }
    text.chars().map(|c| if hidden(c) { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// serde_json appends " at line L column C"; the variants print the position themselves.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}
