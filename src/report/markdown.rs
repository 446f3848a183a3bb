//! Markdown tables, for pasting into briefs and issues.

use std::io::{self, Write};

use super::{Export, RunReport, grids};

pub struct MarkdownExport;

impl Export for MarkdownExport {
    fn write(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        let run = &report.run;
        writeln!(out, "## {}", run.title)?;
        writeln!(out)?;
        writeln!(
            out,
            "As of {}. {} trials, seed {}, scenario `{}` (`{}`), sim {}.",
            run.as_of, run.trials, run.seed, run.scenario, run.digest, report.sim.version
        )?;
        for grid in grids(report) {
            writeln!(out)?;
            writeln!(out, "**{}**", grid.title)?;
            writeln!(out)?;
            let escape = |c: &String| c.replace('|', "\\|");
            writeln!(out, "| {} |", grid.headers.iter().map(escape).collect::<Vec<_>>().join(" | "))?;
            let align: Vec<&str> =
                (0..grid.headers.len()).map(|i| if i < grid.text_columns { "---" } else { "---:" }).collect();
            writeln!(out, "| {} |", align.join(" | "))?;
            for row in &grid.rows {
                writeln!(out, "| {} |", row.iter().map(escape).collect::<Vec<_>>().join(" | "))?;
            }
        }
        Ok(())
    }
}
