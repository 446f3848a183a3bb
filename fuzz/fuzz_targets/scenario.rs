//! Bytes as a scenario file: parse, validate (as `sim run` does for a plain scenario, the
//! evidence check aside), then run the model.

#![no_main]

mod common;

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sim::scenario::ScenarioError;

fuzz_target!(|bytes: &[u8]| {
    let file = Path::new("fuzz.json");
    let scenario = match sim::scenario::parse(file, bytes) {
        Ok(s) => s,
        Err(e) => return common::check_message(&e),
    };
    if let Err(v) = scenario.validate(None).and_then(|()| common::compile(&scenario)) {
        // As `load` reports it.
        let err = ScenarioError::Invalid { file: file.to_path_buf(), path: v.path, message: v.message };
        return common::check_message(&err);
    }
    common::run_trials(&scenario);
});
