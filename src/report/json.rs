//! The documented JSON layout (docs/OUTPUT.md): the report serialized as is.

use std::io::{self, Write};

use super::{Export, RunReport};

pub struct JsonExport;

impl Export for JsonExport {
    fn write(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)
    }
}
