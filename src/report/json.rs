//! The documented JSON layouts (docs/OUTPUT.md).

use std::io::{self, Write};

use super::{Export, Summary};

pub struct JsonExport;

impl Export for JsonExport {
    fn write(&self, summary: &dyn Summary, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &summary.json())?;
        writeln!(out)
    }
}
