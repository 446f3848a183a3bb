//! Hand-edited files, simulated: the bundled scenarios and variants with random damage (a field
//! dropped, a number out of range, a value of the wrong type, a huge array, deep nesting, odd
//! Unicode, a duplicated entry) go through the loader as `sim run` would take them. Each must
//! give a clean one-line error or a scenario that runs; a panic fails the case.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};
use serde_json::{Value, json};
use sim::RunConfig;

use crate::util::{root, seeds_dir, set, sim_output, stderr_of, summit};

/// Fixed cases and seed, so that a failure is reproducible and the suite's run time is stable.
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(7),
        ..Config::default()
    }
}

/// Trials run on a mutant that loads: enough to reach every round and event.
const TRIALS: u64 = 200;

#[derive(Debug, Clone)]
enum Mutation {
    Drop,
    Number(f64),
    BigInteger(i128),
    WrongType(Value),
    HugeArray(usize),
    Nest(usize),
    Text(String),
    DuplicateEntry,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let numbers = prop::sample::select(vec![-1.0, 0.0, 1.0, 2.0, 0.5, 1e-320, -1e308, 1e308, 1e18, f64::EPSILON]);
    let integers = prop::sample::select(vec![u64::MAX as i128, i64::MIN as i128, 1_000_000_000_000_000_000, -1]);
    let wrong = prop::sample::select(vec![
        Value::Null,
        json!(true),
        json!("0.5"),
        json!([]),
        json!({}),
        json!([0.5, 0.5]),
        json!({ "dist": "beta" }),
        json!({ "value": null }),
    ]);
    let texts = prop::sample::select(vec![
        String::new(),
        " ".to_string(),
        "\u{202E}ecnarf\u{202C}".to_string(),
        "nul\0byte".to_string(),
        "\u{FEFF}bom".to_string(),
        "👩‍👩‍👧 🏳️‍🌈".to_string(),
        "e\u{301}\u{302}\u{303}\u{304}".to_string(),
        "line\nbreak".to_string(),
        "\u{10FFFF}\u{FFFD}".to_string(),
        "ü".repeat(50_000),
    ]);
    prop_oneof![
        Just(Mutation::Drop),
        numbers.prop_map(Mutation::Number),
        integers.prop_map(Mutation::BigInteger),
        wrong.prop_map(Mutation::WrongType),
        (0usize..3_000).prop_map(Mutation::HugeArray),
        (1usize..400).prop_map(Mutation::Nest),
        texts.prop_map(Mutation::Text),
        Just(Mutation::DuplicateEntry),
    ]
}

/// JSON Pointers to every value of `v` but the root.
fn pointers(v: &Value, here: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match v {
        Value::Object(map) => map.iter().map(|(k, c)| (k.replace('~', "~0").replace('/', "~1"), c)).collect(),
        Value::Array(items) => items.iter().enumerate().map(|(i, c)| (i.to_string(), c)).collect(),
        _ => Vec::new(),
    };
    for (key, child) in children {
        let p = format!("{here}/{key}");
        out.push(p.clone());
        pointers(child, &p, out);
    }
}

/// Applies `m` at the value `pointer` addresses (which exists).
fn apply(doc: &mut Value, pointer: &str, m: &Mutation) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer below the root");
    if let Mutation::Drop = m {
        match doc.pointer_mut(parent).expect("the parent exists") {
            Value::Object(map) => {
                map.shift_remove(&key.replace("~1", "/").replace("~0", "~"));
            }
            Value::Array(items) => {
                items.remove(key.parse::<usize>().expect("an index"));
            }
            _ => unreachable!("a parent is a container"),
        }
        return;
    }
    let target = doc.pointer_mut(pointer).expect("the pointer exists");
    *target = match m {
        Mutation::Drop => unreachable!("handled above"),
        Mutation::Number(x) => json!(x),
        Mutation::BigInteger(n) => serde_json::from_str(&n.to_string()).expect("an integer is JSON"),
        Mutation::WrongType(v) => v.clone(),
        Mutation::HugeArray(n) => Value::Array(vec![target.clone(); *n]),
        Mutation::Nest(depth) => {
            (0..*depth).fold(target.take(), |v, i| if i % 2 == 0 { json!([v]) } else { json!({ "a": v }) })
        }
        Mutation::Text(s) => json!(s),
        Mutation::DuplicateEntry => match target.take() {
            Value::Array(mut items) if !items.is_empty() => {
                items.push(items[0].clone());
                Value::Array(items)
            }
            other => json!([other.clone(), other]),
        },
    };
}

/// Loads `bytes` as the file `file` and checks the outcome: a one-line error that names the
/// file, or a scenario that runs.
fn load_and_run(file: &Path, bytes: Vec<u8>) -> Result<(), TestCaseError> {
    match sim::scenario::load_bytes(file, bytes).and_then(|loaded| sim::model::compile(&loaded).map(|_| loaded)) {
        Err(e) => {
            let message = e.to_string();
            prop_assert!(!message.contains('\n'), "an error over several lines: {message}");
            prop_assert!(
                message.starts_with(&file.display().to_string()),
                "the error does not name the file: {message}"
            );
            prop_assert!(message.len() > file.display().to_string().len() + 4, "an empty reason: {message}");
        }
        Ok(loaded) => {
            let report = sim::simulate_loaded(&loaded, RunConfig { trials: TRIALS, seed: 3 }, &|_| {})
                .expect("a scenario that compiled runs");
            prop_assert_eq!(report.run.trials, TRIALS);
            prop_assert!(serde_json::to_vec(&report).is_ok(), "the report does not serialize");
        }
    }
    Ok(())
}

fn document(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("a bundled file is readable");
    serde_json::from_str(&text).expect("a bundled file is JSON")
}

/// The bundled scenarios, their evidence folders made absolute so that they load from anywhere.
fn scenarios() -> Vec<Value> {
    let mut others: Vec<Value> =
        ["istanbul_2025.json", "istanbul_2025_replay.json", "istanbul_classic.json", "bdm1994_emissions.json"]
            .iter()
            .map(|f| document(&root().join("scenarios").join(f)))
            .collect();
    for other in &mut others {
        set(other, "meta.evidence", json!(seeds_dir()));
    }
    [vec![summit()], others].concat()
}

fn variants() -> Vec<(String, Value)> {
    let dir = root().join("scenarios/variants");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("variants").map(|e| e.unwrap().path()).collect();
    files.sort();
    files.iter().map(|f| (f.file_name().unwrap().to_string_lossy().into_owned(), document(f))).collect()
}

/// A document, a few places in it and what to do there; mutations apply in order, each to a
/// place chosen among those of the document as the previous ones left it.
fn mutate(doc: &mut Value, picks: &[(prop::sample::Index, Mutation)]) {
    for (place, m) in picks {
        let mut all = Vec::new();
        pointers(doc, "", &mut all);
        if all.is_empty() {
            return;
        }
        apply(doc, &all[place.index(all.len())], m);
    }
}

fn picks() -> impl Strategy<Value = Vec<(prop::sample::Index, Mutation)>> {
    prop::collection::vec((any::<prop::sample::Index>(), mutation()), 1..=3)
}

proptest! {
    #![proptest_config(config(160))]

    #[test]
    fn mutated_scenarios_give_an_error_or_run(which in 0usize..5, picks in picks()) {
        let mut doc = scenarios().swap_remove(which);
        mutate(&mut doc, &picks);
        let bytes = serde_json::to_vec_pretty(&doc).expect("serializable");
        load_and_run(Path::new("mutant.json"), bytes)?;
    }
}

proptest! {
    #![proptest_config(config(96))]

    /// The variant is loaded from beside the bundled ones, so that its base (and the evidence
    /// folder) resolve as they do for them.
    #[test]
    fn mutated_variants_give_an_error_or_run(which in any::<prop::sample::Index>(), picks in picks()) {
        let mut all = variants();
        let (name, mut doc) = all.swap_remove(which.index(all.len()));
        mutate(&mut doc, &picks);
        let file = root().join("scenarios/variants").join(format!("mutant-{name}"));
        load_and_run(&file, serde_json::to_vec(&doc).expect("serializable"))?;
    }
}

/// The loader's verdict is what the command line says: a mutant refused in-process is refused
/// by `sim run` with exit code 2 and its one line.
#[test]
fn the_command_line_reports_mutants_as_the_library_does() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let cases = [
        ("/parties/0/patience", Mutation::Text("\u{202E}0.9".into())),
        ("/issues", Mutation::Nest(200)),
        ("/rounds/0/delegations", Mutation::HugeArray(2_000)),
        ("/run/trials", Mutation::BigInteger(1_000_000_000_000_000_000)),
        ("/meta/title", Mutation::Drop),
    ];
    for (pointer, m) in cases {
        let mut doc = summit();
        apply(&mut doc, pointer, &m);
        let file = dir.path().join("mutant.json");
        std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
        let expected = sim::scenario::load(&file)
            .and_then(|loaded| sim::model::compile(&loaded))
            .expect_err("the mutant is invalid")
            .to_string();
        let out = sim_output(["run".as_ref(), file.as_os_str(), "--quiet".as_ref()]);
        assert_eq!(out.status.code(), Some(2), "{pointer} {m:?}: {}", stderr_of(&out));
        assert_eq!(stderr_of(&out), format!("sim: error: {expected}\n"), "{pointer} {m:?}");
        assert!(out.stdout.is_empty());
    }
}
