//! The documented JSON layouts (docs/OUTPUT.md).

use std::io::{self, Write};

use super::{Export, Summary};

pub struct JsonExport;

impl Export for JsonExport {
    fn write(&self, summary: &dyn Summary, out: &mut dyn Write) -> io::Result<()> {
        let mut json = summary.json();
        // A replay says so first, before any figure.
        if summary.hindsight()
            && let serde_json::Value::Object(rest) = json
        {
            let mut object = serde_json::Map::new();
            object.insert("hindsight".into(), crate::scenario::HINDSIGHT.into());
            object.extend(rest);
            json = object.into();
        }
        serde_json::to_writer_pretty(&mut *out, &json)?;
        writeln!(out)
    }
}
