//! Tidy long CSV, one value per row, ready for pandas or R (RFC 4180 quoting).

use std::io::{self, Write};

use super::{Export, Summary};

pub struct CsvExport;

/// Quotes a field that holds a comma, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

impl Export for CsvExport {
    fn write(&self, summary: &dyn Summary, out: &mut dyn Write) -> io::Result<()> {
        let (header, rows) = summary.csv();
        // A comment line (pandas: `comment="#"`) only for replays, so forecasts stay plain CSV.
        if summary.hindsight() {
            writeln!(out, "# {}", crate::scenario::HINDSIGHT)?;
        }
        writeln!(out, "{}", header.join(","))?;
        for row in rows {
            writeln!(out, "{}", row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","))?;
        }
        Ok(())
    }
}
