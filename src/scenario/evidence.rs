//! The evidence base: `seeds/*.json`, one file per source, each fact with a stable id.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::ScenarioError;
use super::question::Date;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceFile {
    pub source: Source,
    pub facts: Vec<Fact>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub key: String,
    pub title: String,
    pub publication: String,
    pub date: String,
    pub kind: String,
    pub origin: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub id: String,
    pub statement: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub figures: BTreeMap<String, f64>,
}

/// A fact with the source it comes from.
#[derive(Debug, Clone)]
pub struct Cited {
    pub fact: Fact,
    pub source: Source,
    /// The last day the source may have been published (`source.date`, a partial date read as
    /// its last day): what an as-of check compares.
    pub published: Date,
}

impl Cited {
    /// Why a forecast as of `as_of` may not cite this fact, if it was published after then.
    pub fn after(&self, as_of: Date) -> Option<String> {
        (self.published > as_of).then(|| {
            let date = &self.source.date;
            let when = if date.len() == 10 { date.clone() } else { format!("{date} (read as {})", self.published) };
            format!(
                "fact `{}` was published {when}, after the scenario's as_of {as_of}: a forecast cites only what \
                 was public by then (meta.purpose \"replay\" allows later facts)",
                self.fact.id
            )
        })
    }
}

/// All facts of an evidence folder, by id.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub dir: PathBuf,
    pub facts: BTreeMap<String, Cited>,
}

impl Evidence {
    /// Reads every `*.json` file of `dir`, in file-name order.
    pub fn load(dir: &Path) -> Result<Evidence, ScenarioError> {
        let io = |e| ScenarioError::Io { file: dir.to_path_buf(), cause: e };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        let mut evidence = Evidence { dir: dir.to_path_buf(), facts: BTreeMap::new() };
        for file in files {
            let bytes = std::fs::read(&file).map_err(|e| ScenarioError::Io { file: file.clone(), cause: e })?;
            let de = &mut serde_json::Deserializer::from_slice(&bytes);
            let parsed: EvidenceFile =
                serde_path_to_error::deserialize(de).map_err(|e| ScenarioError::from_json(file.clone(), e))?;
            let Some(published) = Date::last_day_of(&parsed.source.date) else {
                return Err(ScenarioError::Invalid {
                    file,
                    path: "source.date".into(),
                    message: format!(
                        "a publication date is written YYYY-MM-DD, YYYY-MM or YYYY and must exist (got `{}`)",
                        parsed.source.date
                    ),
                });
            };
            for (i, fact) in parsed.facts.into_iter().enumerate() {
                if !valid_id(&fact.id) {
                    return Err(ScenarioError::Invalid {
                        file,
                        path: format!("facts[{i}].id"),
                        message: format!("evidence id `{}` must look like `prefix.slug-words`", fact.id),
                    });
                }
                if evidence.facts.contains_key(&fact.id) {
                    return Err(ScenarioError::Invalid {
                        file,
                        path: format!("facts[{i}].id"),
                        message: format!("evidence id `{}` is used twice in {}", fact.id, dir.display()),
                    });
                }
                let id = fact.id.clone();
                evidence.facts.insert(id, Cited { fact, source: parsed.source.clone(), published });
            }
        }
        Ok(evidence)
    }

    pub fn get(&self, id: &str) -> Option<&Cited> {
        self.facts.get(id)
    }
}

/// `^[a-z0-9]+\.[a-z0-9-]+$`
fn valid_id(id: &str) -> bool {
    let Some((prefix, slug)) = id.split_once('.') else { return false };
    let ok = |s: &str, dash: bool| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || (dash && b == b'-'))
    };
    ok(prefix, false) && ok(slug, true)
}

#[cfg(test)]
mod tests {
    use super::valid_id;

    #[test]
    fn id_rule() {
        assert!(valid_id("tass0602.memo-russia"));
        assert!(!valid_id("Tass.x"));
        assert!(!valid_id("tass"));
        assert!(!valid_id("tass.x.y"));
        assert!(!valid_id(".x"));
    }
}
