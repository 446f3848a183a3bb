//! Markdown tables, for pasting into briefs and issues.

use std::io::{self, Write};

use super::{Export, Summary};

pub struct MarkdownExport;

impl Export for MarkdownExport {
    fn write(&self, summary: &dyn Summary, out: &mut dyn Write) -> io::Result<()> {
        let heading = summary.heading();
        if let Some((title, rest)) = heading.split_first() {
            writeln!(out, "## {title}")?;
            if summary.hindsight() {
                writeln!(out)?;
                writeln!(out, "**{}**", crate::scenario::HINDSIGHT)?;
            }
            for line in rest {
                writeln!(out)?;
                writeln!(out, "{line}")?;
            }
        }
        let escape = |c: &String| c.replace('|', "\\|");
        for grid in summary.grids() {
            writeln!(out)?;
            writeln!(out, "**{}**", grid.title)?;
            writeln!(out)?;
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
