//! Invalid input, through the command line: exit code 2, exactly one line on stderr that
//! starts with `sim: error:`, names the file and (where there is one) the JSON path, no panic,
//! nothing on stdout, and no output file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util::{at, get, index_of, remove, set, sim_output, stderr_of, summit};

/// What the error line must say.
pub(crate) struct Expect<'a> {
    /// The JSON path, when the error is about one value.
    pub path: Option<&'a str>,
    /// Words of the broken rule.
    pub words: &'a [&'a str],
}

/// Runs `sim run FILE --format json --output OUT` and `sim validate FILE` and checks both
/// failures; returns the error line of `run`.
pub(crate) fn assert_rejected(dir: &Path, file: &Path, expect: Expect) -> String {
    let before = listing(dir);
    let out_file = dir.join("out.json");
    let start = Instant::now();
    let run = sim_output([
        "run".as_ref(),
        file.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--trials".as_ref(),
        "10".as_ref(),
        "--output".as_ref(),
        out_file.as_os_str(),
    ]);
    let validate = sim_output(["validate".as_ref(), file.as_os_str()]);
    let elapsed = start.elapsed();
    assert!(elapsed < 2 * PROMPT, "`sim run` and `sim validate` on {} took {elapsed:?}", file.display());
    let mut lines = Vec::new();
    for (cmd, out) in [("run", &run), ("validate", &validate)] {
        let stderr = stderr_of(out);
        let what = format!("`sim {cmd} {}`", file.display());
        assert_eq!(out.status.code(), Some(2), "{what}: exit code; stderr:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{what} panicked:\n{stderr}");
        assert!(out.stdout.is_empty(), "{what} printed to stdout: {}", String::from_utf8_lossy(&out.stdout));
        let line = match stderr.lines().collect::<Vec<_>>()[..] {
            [line] => line.to_string(),
            _ => panic!("{what}: stderr must be exactly one line, got:\n{stderr}"),
        };
        assert!(line.starts_with("sim: error:"), "{what}: {line}");
        assert!(line.contains(&file.display().to_string()), "{what}: the error does not name the file: {line}");
        if let Some(path) = expect.path {
            assert!(line.contains(&format!("at {path}")), "{what}: the error does not name `{path}`: {line}");
        }
        for w in expect.words {
            assert!(line.contains(w), "{what}: the error does not say `{w}`: {line}");
        }
        lines.push(line);
    }
    assert_eq!(lines[0], lines[1], "`run` and `validate` report the same error");
    assert!(!out_file.exists(), "an output file was written for invalid input");
    assert_eq!(listing(dir), before, "files appeared next to the output");
    lines.remove(0)
}

fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

/// A message says each thing once: no `: `-separated clause of some length appears twice
/// (e.g. an OS error printed by the error and again by its cause).
fn assert_no_repeated_clause(line: &str) {
    let clauses: Vec<&str> = line.split(": ").filter(|c| c.len() >= 12).collect();
    for (i, c) in clauses.iter().enumerate() {
        assert!(!clauses[i + 1..].contains(c), "the error repeats `{c}`: {line}");
    }
}

/// Writes `text` as `name` in a fresh temporary directory.
fn write(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join(name);
    std::fs::write(&file, text).expect("writable");
    (dir, file)
}

/// The bundled scenario changed by `edit`, written to a temporary directory; its evidence
/// folder is the repository's `seeds/` (absolute), so every rule can be checked.
fn mutated(edit: impl FnOnce(&mut Value)) -> (tempfile::TempDir, PathBuf) {
    let mut v = summit();
    edit(&mut v);
    write("scenario.json", &serde_json::to_string_pretty(&v).unwrap())
}

fn rejects(edit: impl FnOnce(&mut Value), path: &str, words: &[&str]) {
    let (dir, file) = mutated(edit);
    assert_rejected(dir.path(), &file, Expect { path: Some(path), words });
}

#[test]
fn the_unmodified_scenario_is_accepted() {
    // The fixture the other cases start from is valid, so each failure below is due to its edit.
    let (dir, file) = mutated(|_| {});
    let out = sim_output(["validate".as_ref(), file.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    drop(dir);
}

#[test]
fn malformed_json_names_line_and_column() {
    let text = serde_json::to_string_pretty(&summit()).unwrap();
    // Drop the comma after the first string value: the next line's key is then unexpected.
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let i = lines.iter().position(|l| l.ends_with("\",")).expect("a string value followed by a comma");
    lines[i].pop();
    let (dir, file) = write("scenario.json", &lines.join("\n"));
    let line = assert_rejected(dir.path(), &file, Expect { path: None, words: &["invalid JSON"] });
    let expected_line = i + 2;
    assert!(line.contains(&format!("line {expected_line}, column ")), "expected line {expected_line}: {line}");
}

#[test]
fn empty_file() {
    let (dir, file) = write("empty.json", "");
    assert_rejected(dir.path(), &file, Expect { path: None, words: &["line 1"] });
}

#[test]
fn a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("scenarios.json");
    std::fs::create_dir(&sub).unwrap();
    assert_rejected(dir.path(), &sub, Expect { path: None, words: &["directory"] });
}

#[test]
fn a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    assert_rejected(dir.path(), &dir.path().join("missing.json"), Expect { path: None, words: &["cannot read"] });
}

/// An OS error is stated once, not once by the error and again by its cause.
#[test]
fn io_errors_state_their_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let sub = dir.path().join("scenarios.json");
    std::fs::create_dir(&sub).unwrap();
    for file in [&missing, &sub] {
        let out = sim_output(["validate".as_ref(), file.as_os_str()]);
        assert_eq!(out.status.code(), Some(2));
        assert_no_repeated_clause(stderr_of(&out).trim_end());
    }
}

#[test]
fn a_string_where_a_number_goes() {
    rejects(|v| set(v, "parties[0].cost_of_war", json!("high")), "parties[0].cost_of_war", &["invalid type"]);
}

#[test]
fn a_value_out_of_range() {
    rejects(|v| set(v, "parties[0].patience", json!(1.5)), "parties[0].patience", &["between 0 and 1"]);
}

/// Issue 13: an event's `capability_change` or `cost_change` near 4.5e307 passed `sim validate`
/// and overflowed to NaN in `sim run` (a panic in the Nash solver). Every numeric field now has a
/// finite range; each of these is just over its bound.
#[test]
fn values_that_would_overflow_a_trial_are_out_of_range() {
    let cases: [(&str, Value, &[&str]); 11] = [
        ("events[0].effects.capability_change.russia", json!(4.5e307), &["a change of capability", "1000000]"]),
        (
            "events[0].effects.cost_change.russia",
            json!(4.5e307),
            &["a change of the cost of war must lie in [-100, 100] (got 4.5e307)"],
        ),
        ("events[0].effects.cost_change.russia", json!(100.5), &["a change of the cost of war"]),
        ("events[0].effects.attendance_factor.russia", json!(10.5), &["an attendance factor", "[0, 10]"]),
        ("parties[0].capability", json!(1.5e6), &["capability must lie in (0, 1000000]"]),
        ("parties[0].cost_of_war", json!(1e300), &["the cost of war must lie in [0, 100]"]),
        ("parties[1].mistrust", json!(101), &["mistrust must lie in [0, 100]"]),
        ("parties[1].optimism", json!(1.5), &["optimism must lie in [0, 1]"]),
        ("parties[0].curvature", json!(0.5), &["a curvature must lie in [1, 4] (got 0.5)"]),
        ("parties[1].curvature", json!(1e300), &["a curvature must lie in [1, 4]"]),
        ("model.war_weariness_per_month", json!(2), &["war weariness must lie in [0, 1]"]),
    ];
    for (path, value, words) in cases {
        rejects(
            |v| {
                // The effect's map may be new to the event.
                let map = path.rsplit_once('.').expect("a dotted path").0;
                if let Some(field) = map.strip_prefix("events[0].effects.")
                    && at(v, "events[0].effects").get(field).is_none()
                {
                    set(v, map, json!({}));
                }
                set(v, path, value);
            },
            path,
            words,
        );
    }
    rejects(
        |v| set(v, "issues[0].scale.max", json!(1e300)),
        "issues[0].scale",
        &["scale needs min < max, both within [-1e12, 1e12]"],
    );
}

#[test]
fn saliences_that_do_not_sum_to_one() {
    rejects(|v| set(v, "parties[1].positions.territory.salience", json!(0.9)), "parties[1].positions", &["sum to 1"]);
}

#[test]
fn an_unknown_party_in_a_round() {
    rejects(
        |v| set(v, "rounds[0].delegations.belarus", json!({ "level": "ministers", "attendance": 1.0 })),
        "rounds[0].delegations.belarus",
        &["unknown party"],
    );
}

/// A law over delegation levels: probabilities in [0, 1] that sum to 1, known levels, the
/// `levels` law, cited facts that exist and predate `as_of`; `attend` is `always` or `to_sign`.
#[test]
fn a_broken_law_over_levels() {
    let at = "rounds[3].delegations.russia.level";
    let law = |p: Value| json!({ "dist": "levels", "p": p, "assumption": "a test" });
    let cases: [(Value, String, &[&str]); 7] = [
        (
            law(json!({ "ministers": 0.7, "leaders": 0.2 })),
            format!("{at}.p"),
            &["must sum to 1 (within 1e-9)", "they sum to 0.899"],
        ),
        (
            law(json!({ "ministers": 1.2, "leaders": -0.2 })),
            format!("{at}.p.ministers"),
            &["must lie in [0, 1]", "1.2"],
        ),
        (law(json!({ "president": 1.0 })), format!("{at}.p"), &["unknown variant `president`"]),
        (json!({ "dist": "uniform", "p": { "leaders": 1.0 } }), format!("{at}.dist"), &["expected `levels`"]),
        (json!("president"), at.to_string(), &["unknown variant `president`"]),
        (
            json!({ "dist": "levels", "p": { "leaders": 1.0 }, "sources": ["nope.fact"] }),
            format!("{at}.sources[0]"),
            &["unknown evidence id `nope.fact`"],
        ),
        (
            json!({ "dist": "levels", "p": { "leaders": 1.0 }, "sources": ["deepstate.region-shares"] }),
            format!("{at}.sources[0]"),
            &["after the scenario's as_of"],
        ),
    ];
    for (level, path, words) in cases {
        rejects(|v| set(v, at, level), &path, words);
    }
    rejects(
        |v| set(v, "rounds[3].delegations.russia.attend", json!("sometimes")),
        "rounds[3].delegations.russia.attend",
        &["unknown variant `sometimes`", "`always` or `to_sign`"],
    );
}

#[test]
fn a_standing_channel_listed_twice_or_unknown() {
    rejects(
        |v| set(v, "mediators[0].standing", json!(["pressure", "pressure"])),
        "mediators[0].standing[1]",
        &["listed twice"],
    );
    rejects(
        |v| set(v, "mediators[0].standing", json!(["sanctions"])),
        "mediators[0].standing[0]",
        &["unknown variant"],
    );
}

#[test]
fn a_red_line_from_the_front_off_the_battlefield_or_beside_a_fixed_one() {
    rejects(
        |v| set(v, "parties[0].positions.guarantees.red_line_from_front", json!(1.0)),
        "parties[0].positions.guarantees.red_line_from_front",
        &["only to the battlefield issue"],
    );
    rejects(
        |v| set(v, "parties[0].positions.territory.red_line", json!(0.9)),
        "parties[0].positions.territory.red_line_from_front",
        &["not both"],
    );
    rejects(
        |v| set(v, "parties[0].positions.territory.red_line_from_front", json!(1.5)),
        "parties[0].positions.territory.red_line_from_front",
        &["must lie in [-1, 1]"],
    );
}

#[test]
fn bad_truce_durations_scopes_and_parties() {
    rejects(
        |v| set(v, "issues[3].duration_days", json!([null, 30.0])),
        "issues[3].duration_days",
        &["one value per option (3 options, 2 values)"],
    );
    rejects(
        |v| set(v, "issues[3].duration_days", json!([1.0, 30.0, null])),
        "issues[3].duration_days[0]",
        &["give `null`"],
    );
    rejects(
        |v| set(v, "issues[3].duration_days", json!([null, 0.0, null])),
        "issues[3].duration_days[1]",
        &["a truce lasts more than 0 and at most 36525 days (got 0)"],
    );
    rejects(
        |v| set(v, "issues[0].duration_days", json!([null])),
        "issues[0].duration_days",
        &["belongs only to the ceasefire issue"],
    );
    let truce = |by: &str, scope: f64, days: f64, reciprocated: f64| json!({ "by": by, "scope": scope, "duration_days": days, "reciprocated": reciprocated });
    rejects(
        |v| set(v, "events[0].effects.truce", truce("kremlin", 1.0, 3.0, 0.5)),
        "events[0].effects.truce.by",
        &["unknown party `kremlin`"],
    );
    rejects(
        |v| set(v, "events[0].effects.truce", truce("russia", 1.0, -3.0, 0.5)),
        "events[0].effects.truce.duration_days",
        &["a truce lasts more than 0"],
    );
    rejects(
        |v| set(v, "events[0].effects.truce", truce("russia", 0.0, 3.0, 0.5)),
        "events[0].effects.truce.scope",
        &["a truce's scope must be greater than 0"],
    );
    rejects(
        |v| set(v, "events[0].effects.truce", truce("russia", 1.5, 3.0, 0.5)),
        "events[0].effects.truce.scope",
        &["must lie in (0, 1]"],
    );
    rejects(
        |v| set(v, "events[0].effects.truce", truce("russia", 1.0, 3.0, 1.5)),
        "events[0].effects.truce.reciprocated",
        &["a probability must lie in [0, 1]"],
    );
}

#[test]
fn a_war_that_starts_after_the_as_of_date() {
    rejects(|v| set(v, "meta.war_start", json!("2030-01-01")), "meta.war_start", &["must not come after `as_of`"]);
    rejects(|v| set(v, "meta.war_start", json!("2022-02-30")), "meta.war_start", &["must exist"]);
}

#[test]
fn an_unknown_issue_in_positions() {
    rejects(
        |v| set(v, "parties[1].positions.crimea", json!({ "ideal": 0.0, "salience": 0.0 })),
        "parties[1].positions.crimea",
        &["unknown issue"],
    );
}

#[test]
fn an_unknown_evidence_id() {
    rejects(
        |v| {
            let sources = at(v, "parties[0].cost_of_war.sources").as_array_mut().expect("the parameter cites sources");
            sources.push(json!("nope.no-such-fact"));
        },
        "parties[0].cost_of_war.sources[",
        &["unknown evidence id", "nope.no-such-fact"],
    );
}

#[test]
fn an_empty_list_of_rounds() {
    rejects(|v| set(v, "rounds", json!([])), "rounds", &["at least one round"]);
}

#[test]
fn a_red_line_on_the_wrong_side_of_the_ideal() {
    // Ukraine concedes upwards on territory (towards Russia's ideal 1), from an ideal of 0.3: a
    // red line at 0.2 lies behind it.
    rejects(
        |v| {
            let ukraine = index_of(v, "parties", "ukraine");
            remove(v, &format!("parties[{ukraine}].positions.territory.red_line_from_front"));
            set(v, &format!("parties[{ukraine}].positions.territory.ideal"), json!(0.3));
            set(v, &format!("parties[{ukraine}].positions.territory.red_line"), json!(0.2));
        },
        "parties[1].positions.territory.red_line",
        &["wrong side"],
    );
}

#[test]
fn a_uniform_with_low_above_high() {
    rejects(
        |v| set(v, "parties[0].cost_of_war", json!({ "dist": "uniform", "low": 0.3, "high": 0.1 })),
        "parties[0].cost_of_war",
        &["low < high"],
    );
}

#[test]
fn a_beta_with_an_impossible_spread() {
    rejects(
        |v| set(v, "parties[0].cost_of_war", json!({ "dist": "beta", "mean": 0.3, "spread": 0.6 })),
        "parties[0].cost_of_war",
        &["spread"],
    );
}

/// The bundled scenario with `1e999` (valid JSON, but beyond f64) as a uniform's `low`.
fn too_large() -> (tempfile::TempDir, PathBuf) {
    let mut v = summit();
    set(&mut v, "parties[0].cost_of_war", json!({ "dist": "uniform", "low": "HUGE", "high": 0.1 }));
    write("scenario.json", &serde_json::to_string_pretty(&v).unwrap().replace("\"HUGE\"", "1e999"))
}

#[test]
fn a_number_too_large_for_f64() {
    let (dir, file) = too_large();
    assert_rejected(dir.path(), &file, Expect { path: None, words: &["out of range", "line ", "column "] });
}

/// `1e999` is well-formed JSON: the problem is one value, whose path the error should give
/// like every other value error (README: "the place in it (a JSON path ...)").
#[test]
fn a_number_too_large_for_f64_names_its_json_path() {
    let (dir, file) = too_large();
    assert_rejected(dir.path(), &file, Expect { path: Some("parties[0].cost_of_war.low"), words: &[] });
}

#[test]
fn an_unknown_field() {
    rejects(
        |v| {
            let x = remove(v, "parties[0].cost_of_war");
            set(v, "parties[0].cost_of_wat", x);
        },
        "parties[0].cost_of_wat",
        &["unknown field", "cost_of_wat"],
    );
}

#[test]
fn the_paths_in_the_expectations_match_the_fixture() {
    // Cases above name parties by index in the expected paths; make sure the fixture still has
    // Russia first and Ukraine second.
    let v = summit();
    assert_eq!(index_of(&v, "parties", "russia"), 0);
    assert_eq!(index_of(&v, "parties", "ukraine"), 1);
}

#[test]
fn a_missing_required_field() {
    rejects(
        |v| {
            remove(v, "parties[0].patience");
        },
        "parties[0]",
        &["missing field `patience`"],
    );
}

#[test]
fn a_round_without_a_delegation_for_a_party() {
    rejects(
        |v| {
            remove(v, "rounds[1].delegations.ukraine");
        },
        "rounds[1].delegations",
        &["no delegation given for party `ukraine`"],
    );
}

#[test]
fn an_evidence_folder_that_does_not_exist() {
    rejects(
        |v| set(v, "meta.evidence", json!("/no/such/folder")),
        "meta.evidence",
        &["cannot read the evidence folder"],
    );
}

#[test]
fn a_truncated_normal_with_no_mass() {
    rejects(
        |v| {
            set(
                v,
                "model.learning_per_month",
                json!({"dist": "truncated_normal", "mean": 0.0, "sd": 0.01, "low": 0.5, "high": 0.6}),
            )
        },
        "model.learning_per_month",
        &["almost no mass"],
    );
}

#[test]
fn a_beta_too_narrow_to_draw_from() {
    rejects(
        |v| set(v, "model.humanitarian_rate", json!({"dist": "beta", "mean": 0.75, "spread": 1e-160})),
        "model.humanitarian_rate",
        &["beta spread 1e-160 is too small to draw from"],
    );
}

/// Appends copies of the first element of the array at `list`, with fresh ids, until it has
/// `n` elements.
fn grow(v: &mut Value, list: &str, n: usize) {
    let items = at(v, list).as_array_mut().expect("an array");
    let first = items[0].clone();
    for i in items.len()..n {
        let mut copy = first.clone();
        copy["id"] = json!(format!("extra{i}"));
        items.push(copy);
    }
}

/// One case per limit of docs/SCENARIO.md that a scenario file can break, each just over it.
#[test]
fn a_scenario_over_each_limit() {
    rejects(|v| grow(v, "issues", 33), "issues", &["33 issues; at most 32"]);
    rejects(
        |v| {
            let options: Vec<Value> = (0..65).map(|i| json!(format!("option {i}"))).collect();
            set(v, "issues[1].options", Value::Array(options));
        },
        "issues[1].options",
        &["65 options; at most 64"],
    );
    rejects(
        |v| {
            // 4 × 50 × 50 × 50 orderings of the settlement options: each issue is within limits.
            for i in 0..3 {
                let options: Vec<Value> = (0..50).map(|j| json!(format!("option {j}"))).collect();
                let issue =
                    json!({ "id": format!("extra{i}"), "label": "x", "track": "settlement", "options": options });
                at(v, "issues").as_array_mut().expect("issues").push(issue);
            }
        },
        "issues",
        &["500000 combinations of ordered settlement options; at most 100000"],
    );
    rejects(
        |v| {
            for i in 0..7 {
                crate::util::add_stakeholder(v, &format!("s{i}"), false);
            }
        },
        "parties",
        &["9 parties; at most 8"],
    );
    rejects(|v| grow(v, "mediators", 33), "mediators", &["33 mediators; at most 32"]);
    rejects(|v| grow(v, "rounds", 201), "rounds", &["201 rounds; at most 200"]);
    rejects(|v| grow(v, "events", 201), "events", &["201 events; at most 200"]);
    rejects(|v| set(v, "run.trials", json!(1_000_000_000_001u64)), "run.trials", &["at most 1000000000000"]);
}

/// Variants stacked nine deep on the bundled scenario: one more than allowed.
#[test]
fn a_variant_chain_over_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut base = crate::util::root().join(crate::util::SUMMIT).display().to_string();
    for i in 0..=9 {
        let name = format!("v{i}.json");
        let variant = json!({ "base": base, "title": format!("v{i}"), "rationale": "r", "merge_patch": { "run": { "seed": i } } });
        std::fs::write(dir.path().join(&name), variant.to_string()).unwrap();
        base = name;
    }
    let ok = sim_output(["validate".as_ref(), dir.path().join("v7.json").as_os_str()]);
    assert_eq!(ok.status.code(), Some(0), "eight variants are allowed: {}", stderr_of(&ok));
    assert_rejected(
        dir.path(),
        &dir.path().join("v8.json"),
        Expect { path: Some("base"), words: &["more than 8 variants"] },
    );
}

/// A command-line failure: exit code 2 within a few seconds, nothing on stdout, one line on
/// stderr that says `words`; returns the line.
fn assert_refused(args: &[&str], words: &[&str]) -> String {
    let start = Instant::now();
    let out = sim_output(args);
    let elapsed = start.elapsed();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "sim {args:?}: {stderr}");
    assert!(elapsed < PROMPT, "sim {args:?} took {elapsed:?}");
    assert!(out.stdout.is_empty(), "sim {args:?} printed to stdout");
    let first = stderr.lines().next().unwrap_or_default();
    for w in words {
        assert!(first.contains(w), "sim {args:?}: no `{w}` in {stderr}");
    }
    first.to_string()
}

/// Refusals are immediate (a second in a release build); debug builds and a loaded machine
/// get some slack.
const PROMPT: Duration = Duration::from_secs(5);

#[test]
fn trial_counts_and_sweep_grids_over_the_limit() {
    let line = assert_refused(&["run", crate::util::SUMMIT, "--trials", "1000000000000000000"], &["--trials"]);
    assert!(line.starts_with("error:") && line.contains("1000000000000000000"), "{line}");
    let values: Vec<String> = (0..101).map(|i| format!("{}", i as f64 / 1000.0)).collect();
    let set = format!("/parties/0/cost_of_war={}", values.join(","));
    let line = assert_refused(
        &["sweep", crate::util::SUMMIT, "--set", &set, "--set", &set.replace("/0/", "/1/")],
        &["at --set", "10201 points; at most 10000"],
    );
    assert!(line.starts_with("sim: error:"), "{line}");
}

#[test]
fn sensitivity_arguments_that_do_not_fit() {
    let low_high = assert_refused(
        &["sensitivity", crate::util::SUMMIT, "--low", "0.9", "--high", "0.1"],
        &["--low must be below --high"],
    );
    let round =
        assert_refused(&["sensitivity", crate::util::SUMMIT, "--round", "nope"], &["no round `nope`", "(rounds: "]);
    for line in [low_high, round] {
        assert!(line.starts_with("sim: error:"), "{line}");
    }
}

/// Checked by size before a byte is read.
#[test]
fn a_hundred_megabyte_json_array_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.json");
    let chunk = "1,".repeat(1 << 20);
    {
        use std::io::Write;
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        w.write_all(b"[").unwrap();
        for _ in 0..50 {
            w.write_all(chunk.as_bytes()).unwrap();
        }
        w.write_all(b"1]").unwrap();
    }
    assert!(std::fs::metadata(&file).unwrap().len() > 100_000_000);
    assert_rejected(
        dir.path(),
        &file,
        Expect { path: None, words: &["the file has 104857603 bytes", "limited to 8388608"] },
    );
}

#[test]
fn json_nested_ten_thousand_deep() {
    let (dir, file) = write("deep.json", &format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)));
    assert_rejected(dir.path(), &file, Expect { path: None, words: &["recursion limit exceeded"] });
}

#[test]
fn a_binary_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("binary.json");
    std::fs::write(&file, (0..=255u8).rev().cycle().take(100_000).collect::<Vec<u8>>()).unwrap();
    assert_rejected(dir.path(), &file, Expect { path: None, words: &["invalid JSON at line 1, column 1"] });
}

/// A device has no length to check beforehand; reading stops one byte past the limit instead of
/// filling memory.
#[cfg(target_os = "linux")]
#[test]
fn an_endless_device() {
    let dir = tempfile::tempdir().unwrap();
    assert_rejected(dir.path(), Path::new("/dev/zero"), Expect { path: None, words: &["limited to 8388608"] });
}

/// A scenario's own trial count is bounded like `--trials`, or a run could never end.
#[test]
fn a_trial_count_in_the_scenario_over_the_limit() {
    rejects(
        |v| set(v, "run.trials", json!(1_000_000_000_000_000_000u64)),
        "run.trials",
        &["1000000000000000000 trials; at most 1000000000000"],
    );
}

/// Text from the file echoed in a message keeps it on one line and in reading order (found by
/// the mutation suite: an id with a line break).
#[test]
fn control_characters_in_an_id_are_escaped() {
    rejects(
        |v| set(v, "rounds[0].mediators[0]", json!("line\nbreak\u{202E}")),
        "rounds[0].mediators[0]",
        &["unknown mediator `line\\nbreak\\u{202e}`"],
    );
}

/// Found by `cargo fuzz` (fuzz/, docs/ROBUSTNESS.md): an unknown key written with `\n` escapes,
/// then bytes that are not JSON. Read as a scenario (the fuzz target's path), the unknown key
/// came first and its message spread over several lines; `sim` reads the whole JSON first and
/// reports the syntax error.
#[test]
fn fuzz_an_unknown_key_with_escaped_line_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let file = crate::util::root().join("tests/data/fuzz-unknown-key-with-escapes.json");
    let bytes = std::fs::read(&file).unwrap();
    let message = sim::scenario::parse(&file, &bytes).expect_err("not a scenario").to_string();
    assert!(message.contains("unknown field") && !message.contains('\n'), "{message}");
    assert_rejected(dir.path(), &file, Expect { path: None, words: &["invalid JSON", "control character"] });
}

#[test]
fn a_red_line_that_gives_without_what_it_needs() {
    let ukraine = "parties[1]";
    let give = |v: &mut Value, issue: &str, x: f64| {
        set(v, &format!("{ukraine}.positions.{issue}.red_line_give"), json!(x));
        set(v, &format!("{ukraine}.red_line_pressure"), json!(0.1));
    };
    rejects(
        |v| set(v, &format!("{ukraine}.positions.territory.red_line_give"), json!(0.05)),
        &format!("{ukraine}.positions.territory.red_line_give"),
        &["needs `parties.ukraine.red_line_pressure`"],
    );
    rejects(
        |v| give(v, "alignment", 1.0),
        &format!("{ukraine}.positions.alignment.red_line_give"),
        &["only on a continuous (`scale`) settlement issue"],
    );
    rejects(
        |v| {
            remove(v, &format!("{ukraine}.positions.guarantees.red_line"));
            give(v, "guarantees", 0.1);
        },
        &format!("{ukraine}.positions.guarantees.red_line_give"),
        &["needs a red line"],
    );
    rejects(
        |v| set(v, &format!("{ukraine}.positions.guarantees.past_red_line_cost"), json!(0.1)),
        &format!("{ukraine}.positions.guarantees.past_red_line_cost"),
        &["needs `red_line_give`"],
    );
    rejects(
        |v| set(v, &format!("{ukraine}.red_line_pressure"), json!(0.1)),
        &format!("{ukraine}.red_line_pressure"),
        &["moves only red lines that give"],
    );
    rejects(
        |v| give(v, "territory", 1.5),
        &format!("{ukraine}.positions.territory.red_line_give"),
        &["a red line's give must lie in [0, 1]"],
    );
    rejects(
        |v| {
            give(v, "territory", 0.05);
            set(v, &format!("{ukraine}.red_line_pressure"), json!(0.0));
        },
        &format!("{ukraine}.red_line_pressure"),
        &["must be greater than 0"],
    );
    rejects(
        |v| {
            give(v, "territory", 0.05);
            set(v, &format!("{ukraine}.positions.territory.past_red_line_cost"), json!(-0.1));
        },
        &format!("{ukraine}.positions.territory.past_red_line_cost"),
        &["must lie in [0, 100]"],
    );
}

/// The rules of more than two sides (docs/MODEL.md §7b), each broken on the bundled scenario.
#[test]
fn n_party_rules() {
    use crate::util::add_stakeholder;
    rejects(
        |v| {
            // A third party complete in every other respect: only the model's rule is broken.
            let mut third = at(v, "parties[0]").clone();
            third["id"] = json!("third");
            at(v, "parties").as_array_mut().expect("parties").push(third);
            for round in at(v, "rounds").as_array_mut().expect("rounds") {
                let delegation = round["delegations"]["russia"].clone();
                round["delegations"]["third"] = delegation;
            }
        },
        "parties[2].role",
        &["exactly two parties are belligerents", "`third` would be a third"],
    );
    rejects(
        |v| {
            for i in 0..2 {
                set(v, &format!("parties[{i}].veto"), json!(false));
                let id = get(v, &format!("parties[{i}].id")).as_str().unwrap().to_string();
                for round in at(v, "rounds").as_array_mut().expect("rounds") {
                    round["delegations"].as_object_mut().unwrap().remove(&id);
                }
            }
        },
        "parties",
        &["at least one party is a veto player"],
    );
    rejects(
        |v| set(v, "model.proposal.proposer", json!("nobody")),
        "model.proposal.proposer",
        &["unknown proposer `nobody`", "no party or mediator"],
    );
    rejects(
        |v| set(v, "model.proposal.proposer", json!("united_states")),
        "model.proposal.proposer",
        &["mediator `united_states` sets the agenda", "no `positions`"],
    );
    rejects(
        |v| {
            add_stakeholder(v, "eu", false);
            set(v, "model.proposal", json!({ "rule": "rubinstein", "first_proposer": "russia" }));
        },
        "model.proposal.rule",
        &["rubinstein rule is two-party only"],
    );
    rejects(
        |v| {
            add_stakeholder(v, "eu", false);
            set(v, "parties[0].curvature", json!(2.0));
        },
        "parties[0].curvature",
        &["n-party solver is linear", "curvature must be 1"],
    );
    rejects(
        |v| {
            set(v, "forums", json!([{ "id": "istanbul", "label": "Istanbul" }]));
            for round in at(v, "rounds").as_array_mut().expect("rounds") {
                round["forum"] = json!("istanbul");
            }
            set(v, "rounds[1].forum", json!("geneva"));
        },
        "rounds[1].forum",
        &["unknown forum `geneva`"],
    );
    rejects(
        |v| {
            add_stakeholder(v, "eu", true);
            at(v, "rounds[2].delegations").as_object_mut().unwrap().remove("eu");
        },
        "rounds[2].delegations",
        &["no delegation given for party `eu`"],
    );
    rejects(
        |v| {
            add_stakeholder(v, "eu", false);
            set(v, "rounds[0].delegations.eu", json!({ "level": "leaders", "attendance": 1.0 }));
        },
        "rounds[0].delegations.eu",
        &["not a veto player", "sends no delegation"],
    );
    rejects(
        |v| {
            add_stakeholder(v, "eu", false);
            set(v, "parties[2].capability", json!(1.0));
        },
        "parties[2].capability",
        &["a stakeholder does not fight"],
    );
    rejects(
        |v| {
            add_stakeholder(v, "eu", false);
            set(v, "mediators[0].leverage.eu", json!({ "information": 0.5 }));
        },
        "mediators[0].leverage.eu.information",
        &["information acts on a belligerent's optimism only"],
    );
    rejects(
        |v| {
            add_stakeholder(v, "eu", false);
            set(v, "mediators[0].positions", json!({ "territory": { "ideal": 0.5, "salience": 1.0 } }));
        },
        "mediators[0].positions",
        &["only a mediator that sets the agenda"],
    );
    // A bystander sends no delegation, so an attendance factor on it would act on nothing.
    rejects(
        |v| {
            add_stakeholder(v, "eu", false);
            set(v, "events[0].effects.attendance_factor.eu", json!(0.5));
        },
        "events[0].effects.attendance_factor.eu",
        &["`eu` is not a veto player", "sends no delegation", "attendance"],
    );
    // A bystander's cost of war acts only on its own surplus, which only a bystander that
    // sets the agenda consults.
    rejects(
        |v| {
            add_stakeholder(v, "eu", false);
            set(v, "events[1].effects.cost_change.eu", json!(0.1));
        },
        "events[1].effects.cost_change.eu",
        &["`eu` is not a veto player", "sets the agenda"],
    );
    // So does a mediator's leverage on it.
    rejects(
        |v| {
            add_stakeholder(v, "eu", false);
            set(v, "mediators[0].leverage.eu", json!({ "pressure": 0.1 }));
        },
        "mediators[0].leverage.eu",
        &["`eu` is not a veto player", "sets the agenda", "leverage on it acts on nothing"],
    );
}

/// The bystander rule refuses only what is inert: a bystander that sets the agenda weighs its
/// own surplus, so a change of its cost of war and a mediator's leverage on it are accepted.
#[test]
fn a_bystander_that_sets_the_agenda_may_have_its_cost_changed() {
    let (dir, file) = mutated(|v| {
        crate::util::add_stakeholder(v, "eu", false);
        set(v, "model.proposal.proposer", json!("eu"));
        set(v, "events[1].effects.cost_change.eu", json!(0.1));
        set(v, "mediators[0].leverage.eu", json!({ "pressure": 0.1 }));
    });
    let out = sim_output(["validate".as_ref(), file.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    drop(dir);
}

/// `veto: false` on a belligerent is reported as that rule, whether or not its delegations were
/// removed to match, not as the delegation rule it makes the rounds break.
#[test]
fn a_belligerent_without_a_veto_is_refused_as_such() {
    for drop_delegations in [false, true] {
        rejects(
            |v| {
                set(v, "parties[1].veto", json!(false));
                if drop_delegations {
                    for round in at(v, "rounds").as_array_mut().expect("rounds") {
                        round["delegations"].as_object_mut().unwrap().remove("ukraine");
                    }
                }
            },
            "parties[1].veto",
            &["a belligerent is a veto player"],
        );
    }
}
