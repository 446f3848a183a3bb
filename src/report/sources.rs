//! The summary of `sim sources`: every parameter of a scenario with its value or law and the
//! evidence it cites, then every cited fact.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{Grid, Summary, ToolInfo};
use crate::scenario::LoadedScenario;

#[derive(Debug, Clone, Serialize)]
pub struct SourcesReport {
    pub sim: ToolInfo,
    pub scenario: String,
    pub title: String,
    pub digest: String,
    #[serde(skip)]
    pub hindsight: bool,
    pub parameters: Vec<ParameterSource>,
    /// Every fact cited, by id.
    pub facts: Vec<FactSource>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParameterSource {
    pub key: String,
    pub path: String,
    pub law: String,
    pub sources: Vec<String>,
    pub assumption: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FactSource {
    pub id: String,
    pub statement: String,
    pub publication: String,
    pub date: String,
    pub title: String,
}

impl SourcesReport {
    pub fn new(loaded: &LoadedScenario) -> SourcesReport {
        let parameters: Vec<ParameterSource> = loaded
            .body
            .params()
            .iter()
            .map(|p| ParameterSource {
                key: p.key.clone(),
                path: p.path.clone(),
                law: p.param.describe(),
                sources: p.param.sources.clone(),
                assumption: p.param.assumption.clone(),
            })
            .chain(loaded.body.level_laws().into_iter().map(|r| ParameterSource {
                key: r.key,
                path: r.path,
                law: r.law.describe(),
                sources: r.law.sources.clone(),
                assumption: r.law.assumption.clone(),
            }))
            .collect();
        let cited: BTreeSet<&str> = parameters
            .iter()
            .flat_map(|p| p.sources.iter().map(String::as_str))
            .chain(loaded.variants.iter().flat_map(|(_, v)| v.sources.iter().map(String::as_str)))
            .collect();
        let facts = cited
            .into_iter()
            .filter_map(|id| loaded.evidence.get(id).map(|c| (id, c)))
            .map(|(id, c)| FactSource {
                id: id.to_string(),
                statement: c.fact.statement.clone(),
                publication: c.source.publication.clone(),
                date: c.source.date.clone(),
                title: c.source.title.clone(),
            })
            .collect();
        SourcesReport {
            sim: ToolInfo::new(crate::model::KIND),
            scenario: loaded.file.display().to_string(),
            title: loaded.title().to_string(),
            digest: format!("sha256:{}", loaded.digest),
            hindsight: loaded.hindsight(),
            parameters,
            facts,
        }
    }
}

impl Summary for SourcesReport {
    fn hindsight(&self) -> bool {
        self.hindsight
    }

    fn heading(&self) -> Vec<String> {
        let cited = self.parameters.iter().filter(|p| !p.sources.is_empty()).count();
        let assumed = self.parameters.iter().filter(|p| p.assumption.is_some()).count();
        vec![
            format!("Sources of {} ({})", self.title, self.scenario),
            format!(
                "{} parameters: {cited} cite evidence, {assumed} are marked as assumptions; {} facts cited",
                self.parameters.len(),
                self.facts.len()
            ),
        ]
    }

    fn grids(&self) -> Vec<Grid> {
        vec![
            Grid {
                text_columns: 4,
                title: "Parameters".into(),
                headers: ["parameter", "value or law", "evidence", "assumption"].map(String::from).to_vec(),
                rows: self
                    .parameters
                    .iter()
                    .map(|p| {
                        vec![
                            p.key.clone(),
                            p.law.clone(),
                            p.sources.join(" "),
                            p.assumption.clone().unwrap_or_default(),
                        ]
                    })
                    .collect(),
            },
            Grid {
                text_columns: 3,
                title: "Evidence cited".into(),
                headers: ["id", "source", "fact"].map(String::from).to_vec(),
                rows: self
                    .facts
                    .iter()
                    .map(|f| vec![f.id.clone(), format!("{}, {}", f.publication, f.date), f.statement.clone()])
                    .collect(),
            },
        ]
    }

    fn csv(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut rows = Vec::new();
        for p in &self.parameters {
            let sources = if p.sources.is_empty() { vec![String::new()] } else { p.sources.clone() };
            for s in sources {
                rows.push(vec![p.key.clone(), p.law.clone(), s, p.assumption.clone().unwrap_or_default()]);
            }
        }
        (["parameter", "law", "evidence_id", "assumption"].map(String::from).to_vec(), rows)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report serializes")
    }
}
