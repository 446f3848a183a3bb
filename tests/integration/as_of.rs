//! As-of discipline (issue 14 item 1): a forecast cites only facts published by its `as_of`,
//! partial publication dates read as their last day; a replay may cite later facts and every
//! output says it is conditioned on hindsight; `sim score` refuses replays.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::bad_input::{Expect, assert_rejected};
use crate::util::{duel, set, sim_output, stderr_of, success};

/// An evidence folder of three cards, one fact each, published on 2025-01-02, in January 2025
/// (a month only) and in 2025 (a year only).
fn evidence(dir: &Path) -> PathBuf {
    let seeds = dir.join("seeds");
    std::fs::create_dir(&seeds).unwrap();
    for (key, date, id) in
        [("day", "2025-01-02", "late.day"), ("month", "2025-01", "late.month"), ("year", "2025", "late.year")]
    {
        let card = json!({
            "source": { "key": key, "title": key, "publication": "test", "date": date, "kind": "news", "origin": "test" },
            "facts": [{ "id": id, "statement": "a fact", "figures": { "x": 1 } }]
        });
        std::fs::write(seeds.join(format!("{key}.json")), serde_json::to_vec_pretty(&card).unwrap()).unwrap();
    }
    seeds
}

/// `duel` as of `as_of`, its learning rate citing `fact`, written to a fresh folder.
fn citing(fact: &str, as_of: &str, purpose: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut v: Value = duel();
    set(&mut v, "meta.evidence", json!(evidence(dir.path())));
    set(&mut v, "meta.as_of", json!(as_of));
    if let Some(p) = purpose {
        set(&mut v, "meta.purpose", json!(p));
    }
    set(&mut v, "model.learning_per_month", json!({ "value": 0.0, "sources": [fact] }));
    let file = dir.path().join("scenario.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    (dir, file)
}

fn accepted(file: &Path) {
    let out = sim_output(["validate".as_ref(), file.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

const PATH: &str = "model.learning_per_month.sources[0]";

#[test]
fn a_forecast_cannot_cite_a_fact_published_after_its_as_of() {
    let (dir, file) = citing("late.day", "2025-01-01", None);
    let line = assert_rejected(
        dir.path(),
        &file,
        Expect { path: Some(PATH), words: &["`late.day`", "published 2025-01-02", "as_of 2025-01-01", "replay"] },
    );
    assert!(!line.contains("read as"), "a full date is not reinterpreted: {line}");
    // Published on the as-of day itself is public by then.
    accepted(&citing("late.day", "2025-01-02", None).1);
    // `forecast` is the default, and may be written out.
    let (dir, file) = citing("late.day", "2025-01-01", Some("forecast"));
    assert_rejected(dir.path(), &file, Expect { path: Some(PATH), words: &["`late.day`"] });
}

#[test]
fn partial_publication_dates_are_read_as_their_last_day() {
    let (dir, file) = citing("late.month", "2025-01-30", None);
    assert_rejected(
        dir.path(),
        &file,
        Expect { path: Some(PATH), words: &["published 2025-01 (read as 2025-01-31)", "as_of 2025-01-30"] },
    );
    accepted(&citing("late.month", "2025-01-31", None).1);
    let (dir, file) = citing("late.year", "2025-12-30", None);
    assert_rejected(
        dir.path(),
        &file,
        Expect { path: Some(PATH), words: &["published 2025 (read as 2025-12-31)", "as_of 2025-12-30"] },
    );
    accepted(&citing("late.year", "2025-12-31", None).1);
}

#[test]
fn a_publication_date_that_is_not_a_date_is_refused() {
    let (dir, file) = citing("late.day", "2025-06-01", None);
    let card = dir.path().join("seeds/day.json");
    let text = std::fs::read_to_string(&card).unwrap().replace("2025-01-02", "2025-02-30");
    std::fs::write(&card, text).unwrap();
    // The broken file is the card, so the error names it rather than the scenario.
    let out = sim_output(["validate".as_ref(), file.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("seeds/day.json: at source.date:") && err.contains("`2025-02-30`"), "{err}");
}

#[test]
fn a_variant_of_a_forecast_cannot_cite_a_later_fact() {
    let (dir, base) = citing("late.day", "2025-01-02", None);
    let variant = dir.path().join("variant.json");
    let v = json!({ "base": base, "title": "v", "rationale": "r", "sources": ["late.year"], "merge_patch": {} });
    std::fs::write(&variant, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    let line = assert_rejected(
        dir.path(),
        &variant,
        Expect { path: Some("sources[0]"), words: &["`late.year`", "read as 2025-12-31"] },
    );
    assert!(line.contains("variant.json"), "{line}");
}

/// A replay may cite the later fact; the header of every format says it is conditioned on
/// hindsight, and a forecast's output does not.
#[test]
fn a_replay_cites_later_facts_and_every_output_says_so() {
    let (_dir, file) = citing("late.year", "2025-01-01", Some("replay"));
    let out = success(&sim_output(["validate".as_ref(), file.as_os_str()])).to_vec();
    assert!(String::from_utf8(out).unwrap().contains("a replay, conditioned on hindsight"));
    let hindsight = sim::scenario::HINDSIGHT;
    let run = |file: &Path, format: &str| {
        let out = sim_output(["run", file.to_str().unwrap(), "--trials", "50", "-f", format]);
        String::from_utf8(success(&out).to_vec()).unwrap()
    };
    for format in ["table", "markdown", "csv"] {
        let text = run(&file, format);
        let head: Vec<&str> = text.lines().take(3).collect();
        assert!(head.iter().any(|l| l.contains(hindsight)), "{format}: {head:?}");
    }
    let json: Value = serde_json::from_str(&run(&file, "json")).unwrap();
    assert_eq!(json["hindsight"], json!(hindsight));
    assert!(json["run"]["title"].as_str().unwrap().ends_with("(replay)"));

    let (_dir, forecast) = citing("late.day", "2025-01-02", None);
    for format in ["table", "markdown", "csv", "json"] {
        assert!(!run(&forecast, format).contains("hindsight"), "{format}");
    }
}

#[test]
fn sim_score_refuses_a_replay() {
    let fixtures = crate::util::root().join("tests/data/cases");
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("alpha");
    std::fs::create_dir_all(dir.path().join("seeds")).unwrap();
    std::fs::copy(fixtures.join("seeds/fixture.json"), dir.path().join("seeds/fixture.json")).unwrap();
    std::fs::create_dir(&case).unwrap();
    for f in ["questions.json", "resolution.json", "scenario-2020-02-01.json"] {
        std::fs::copy(fixtures.join("alpha").join(f), case.join(f)).unwrap();
    }
    let scenario = case.join("scenario-2020-02-01.json");
    let ok = sim_output(["score", case.to_str().unwrap(), "--trials", "100"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr_of(&ok));
    let mut v: Value = serde_json::from_slice(&std::fs::read(&scenario).unwrap()).unwrap();
    set(&mut v, "meta.purpose", json!("replay"));
    std::fs::write(&scenario, serde_json::to_vec(&v).unwrap()).unwrap();
    let out = sim_output(["score", case.to_str().unwrap(), "--trials", "100"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("scenario-2020-02-01.json") && err.contains("meta.purpose") && err.contains("replay"),
        "{err}"
    );
}
