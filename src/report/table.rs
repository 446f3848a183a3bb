//! Aligned plain text for the terminal.

use std::io::{self, Write};

use super::{Export, Summary};

pub struct TableExport;

impl Export for TableExport {
    fn write(&self, summary: &dyn Summary, out: &mut dyn Write) -> io::Result<()> {
        for (i, line) in summary.heading().iter().enumerate() {
            writeln!(out, "{line}")?;
            if i == 0 && summary.hindsight() {
                writeln!(out, "{}", crate::scenario::HINDSIGHT)?;
            }
        }
        for grid in summary.grids() {
            writeln!(out)?;
            writeln!(out, "{}", grid.title)?;
            let mut width: Vec<usize> = grid.headers.iter().map(|h| h.chars().count()).collect();
            for row in &grid.rows {
                for (w, c) in width.iter_mut().zip(row) {
                    *w = (*w).max(c.chars().count());
                }
            }
            let line = |cells: &[String]| {
                let padded: Vec<String> = cells
                    .iter()
                    .zip(&width)
                    .enumerate()
                    .map(|(i, (c, w))| if i < grid.text_columns { format!("{c:<w$}") } else { format!("{c:>w$}") })
                    .collect();
                padded.join("  ").trim_end().to_string()
            };
            writeln!(out, "{}", line(&grid.headers))?;
            writeln!(out, "{}", "-".repeat(width.iter().sum::<usize>() + 2 * (width.len() - 1)))?;
            for row in &grid.rows {
                writeln!(out, "{}", line(row))?;
            }
        }
        Ok(())
    }
}
