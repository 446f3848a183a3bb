//! Tidy long CSV: `section,round,measure,statistic,value`, one value per row, ready for pandas
//! or R.

use std::io::{self, Write};

use super::{Estimate, Export, QUANTILES, RunReport, TermReport};
use crate::engine::Outcome;

pub struct CsvExport;

fn estimate_rows(out: &mut dyn Write, section: &str, round: &str, measure: &str, e: &Estimate) -> io::Result<()> {
    writeln!(out, "{section},{round},{measure},count,{}", e.count)?;
    writeln!(out, "{section},{round},{measure},p,{}", e.p)?;
    writeln!(out, "{section},{round},{measure},se,{}", e.se)?;
    writeln!(out, "{section},{round},{measure},ci95_low,{}", e.ci95[0])?;
    writeln!(out, "{section},{round},{measure},ci95_high,{}", e.ci95[1])
}

/// Quotes a field that holds a comma, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

impl Export for CsvExport {
    fn write(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "section,round,measure,statistic,value")?;
        for r in &report.rounds {
            let id = field(&r.id);
            for o in Outcome::ALL {
                estimate_rows(out, "outcome", &id, o.key(), r.outcomes.get(o))?;
            }
            estimate_rows(out, "cumulative", &id, "ceasefire_reached", &r.ceasefire_reached)?;
            estimate_rows(out, "cumulative", &id, "settlement_reached", &r.settlement_reached)?;
            estimate_rows(out, "cumulative", &id, "ceasefire_in_force", &r.ceasefire_in_force)?;
        }
        let s = &report.settlement;
        estimate_rows(out, "settlement", "", "reached", &s.reached)?;
        estimate_rows(out, "settlement", "", "leverage_dependent", &s.leverage_dependent)?;
        for term in &s.terms {
            match term {
                TermReport::Continuous { issue, mean, quantiles, .. } => {
                    let issue = field(issue);
                    if let (Some(m), Some(q)) = (mean, quantiles) {
                        writeln!(out, "terms,,{issue},mean,{m}")?;
                        let values = [q.p05, q.p25, q.p50, q.p75, q.p95];
                        for ((name, _), v) in QUANTILES.iter().zip(values) {
                            writeln!(out, "terms,,{issue},{name},{v}")?;
                        }
                    }
                }
                TermReport::Options { issue, options, .. } => {
                    for o in options {
                        estimate_rows(out, "terms", "", &field(&format!("{issue}={}", o.option)), &o.share)?;
                    }
                }
            }
        }
        if let Some(c) = &report.ceasefire {
            for o in &c.first_ceasefire_terms {
                estimate_rows(out, "ceasefire_terms", "", &field(&o.option), &o.share)?;
            }
        }
        Ok(())
    }
}
