//! Bytes as a variant file beside the bundled variants: its bases are read, the patches applied
//! and the merged scenario validated against the evidence base, exactly as `sim run` loads a
//! file; a scenario that loads is then run.

#![no_main]

mod common;

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

/// Not a file on disk: its folder is where `"base": "../istanbul_summit.json"` is looked for.
static FILE: LazyLock<PathBuf> =
    LazyLock::new(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/variants/fuzz.json"));

fuzz_target!(|bytes: &[u8]| {
    match sim::scenario::load_bytes(&FILE, bytes.to_vec()).and_then(|loaded| sim::model::compile(&loaded).map(|_| loaded)) {
        Ok(loaded) => common::run_trials(&loaded.body),
        Err(e) => common::check_message(&e),
    }
});
