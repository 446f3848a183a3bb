//! Same inputs, same outputs: at any thread count, whatever trials ran before, and, with every
//! input fixed and every chance 0 or 1, in every trial.

use serde_json::{Map, Value, json};
use sim::engine::{Model, TrialRecord, TrialRng};
use sim::model::Outcome;

use crate::util::{Report, SUMMIT, model, records, report, rugged, set, sim_output, success, summit, visit_objects};

/// `sim run` on the bundled scenario with `--threads 1`, then with `--threads 2` `repeats`
/// times, must print the same bytes.
fn same_output_at_any_thread_count(format: &str, trials: u64, repeats: usize) -> Vec<u8> {
    let trials = trials.to_string();
    let run = |threads: &str| {
        let args = ["run", SUMMIT, "--format", format, "--seed", "7", "--trials", &trials, "--threads", threads];
        success(&sim_output(args)).to_vec()
    };
    let one = run("1");
    assert!(!one.is_empty(), "empty {format} output");
    for i in 0..repeats {
        let two = run("2");
        if two != one {
            let (a, b) = (String::from_utf8_lossy(&one), String::from_utf8_lossy(&two));
            let (line, (x, y)) =
                a.lines().zip(b.lines()).enumerate().find(|(_, (x, y))| x != y).unwrap_or((0, ("(length)", "")));
            panic!(
                "{format} output, run {i} with --threads 2, differs from --threads 1 at line {}:\n{x}\n{y}",
                line + 1
            );
        }
    }
    one
}

/// The JSON report holds every figure of the run with full precision, over more than one
/// chunk so that two threads really share the work and the chunks' tallies are merged.
#[test]
fn json_output_is_identical_at_any_thread_count() {
    let trials = 20_000;
    let out = same_output_at_any_thread_count("json", trials, 2);
    let report: Report = serde_json::from_slice(&out).expect("--format json prints the report");
    assert_eq!(report.run.trials, trials);
    assert_eq!(report.run.seed, 7);
}

/// CSV and Markdown are written from the same report as JSON; these check the writers too.
fn text_trials() -> u64 {
    20_000
}

#[test]
fn csv_output_is_identical_at_any_thread_count() {
    let out = same_output_at_any_thread_count("csv", text_trials(), 1);
    let text = String::from_utf8(out).expect("UTF-8");
    // A replay's CSV starts with a `#` line saying so (tests/integration/as_of.rs).
    let mut lines = text.lines().skip_while(|l| l.starts_with("# "));
    assert_eq!(lines.next(), Some("section,round,measure,statistic,value"));
    assert!(lines.all(|l| l.split(',').count() >= 5), "every CSV row has five fields");
}

#[test]
fn markdown_output_is_identical_at_any_thread_count() {
    let out = same_output_at_any_thread_count("markdown", text_trials(), 1);
    assert!(String::from_utf8(out).expect("UTF-8").starts_with("## "));
}

/// The centre of a distribution given in JSON, for fixing it.
fn centre(param: &Map<String, Value>) -> Option<f64> {
    let f = |k: &str| param.get(k).and_then(Value::as_f64);
    Some(match param.get("dist")?.as_str()? {
        "uniform" => (f("low")? + f("high")?) / 2.0,
        "triangular" => (f("low")? + f("mode")? + f("high")?) / 3.0,
        "beta" => f("mean")?,
        "truncated_normal" => f("mean")?.clamp(f("low")?, f("high")?),
        other => panic!("unknown distribution `{other}`"),
    })
}

/// Fixes every parameter at the centre of its law, sets every noise to 0, and every chance
/// to 0 or 1: the model then has nothing left to draw that could change an outcome.
fn all_fixed(mut v: Value) -> Value {
    visit_objects(&mut v, &mut |map| {
        for child in map.values_mut() {
            if let Some(c) = child.as_object().and_then(centre) {
                *child = json!(c);
            }
        }
        for (key, x) in [
            ("political_will_noise", 0.0),
            ("volatility_per_month", 0.0),
            ("humanitarian_rate", 1.0),
            ("collapse_hazard", 0.0),
            ("ceasefire_fragility", 0.0),
            ("attendance", 1.0),
            ("presence", 1.0),
            ("probability", 1.0),
        ] {
            if let Some(slot) = map.get_mut(key) {
                *slot = json!(x);
            }
        }
        if let Some(Value::Object(factors)) = map.get_mut("attendance_factor") {
            for f in factors.values_mut() {
                *f = json!(1.0);
            }
        }
    });
    v
}

fn assert_every_trial_identical(v: &Value, what: &str) {
    let m = model(v);
    let first = records(&m, 1, 0..1).remove(0);
    for seed in [1, 2, 0xDEAD_BEEF] {
        for (t, r) in records(&m, seed, 0..100).iter().enumerate() {
            assert_eq!(r, &first, "{what}: trial {t} at seed {seed} differs from trial 0 at seed 1");
        }
    }
    assert!(
        first.outcome.iter().any(|&o| o != Outcome::NoMeeting.index()),
        "{what}: the fixed scenario should reach the table, or the test proves little: {first:?}"
    );
    let r = report(v, 300, 4);
    for (name, e) in r.estimates() {
        assert!(e.p == 0.0 || e.p == 1.0, "{what}: {name} has p = {} with every input fixed", e.p);
    }
}

#[test]
fn all_inputs_fixed_and_no_noise_gives_identical_trials() {
    assert_every_trial_identical(&all_fixed(summit()), "bundled scenario, fixed");
    assert_every_trial_identical(&all_fixed(rugged()), "rugged scenario, fixed");
    // Every chance at 0 instead of 1 (where 0 is allowed to differ from 1 in effect).
    let mut v = all_fixed(summit());
    visit_objects(&mut v, &mut |map| {
        for key in ["humanitarian_rate", "probability", "presence"] {
            if let Some(slot) = map.get_mut(key) {
                *slot = json!(0.0);
            }
        }
    });
    assert_every_trial_identical(&v, "bundled scenario, fixed, chances 0");
}

/// The engine reuses one scratch and one record across a thread's trials, and which trials a
/// thread runs depends on the thread count: a trial's result must not depend on them.
#[test]
fn a_trial_does_not_depend_on_the_trials_run_before_it() {
    // `rugged` with uncertain levels, leaders who come only to sign, and a leaders' question.
    let mut levels = rugged();
    for (t, date) in ["2025-02-01", "2025-04-01", "2025-06-01", "2025-09-01"].iter().enumerate() {
        set(&mut levels, &format!("rounds[{t}].date"), json!(date));
        set(&mut levels, &format!("rounds[{t}].delegations.south.attend"), json!("to_sign"));
        let law = json!({ "dist": "levels", "p": { "officials": 0.1, "ministers": 0.3, "leaders": 0.6 } });
        set(&mut levels, &format!("rounds[{t}].delegations.north.level"), law);
    }
    set(&mut levels, "questions", json!([{ "id": "leaders", "kind": "leaders_meet", "by": "2025-09-01" }]));
    for (name, v, n) in [("bundled", summit(), 400), ("rugged", rugged(), 400), ("levels", levels, 400)] {
        let m = model(&v);
        let seed = 11;
        let fresh: Vec<TrialRecord> = (0..n).map(|t| records(&m, seed, t..t + 1)[0].clone()).collect();
        let mut scratch = m.scratch();
        let mut record = TrialRecord::new(m.layout());
        let mut reused = Vec::new();
        for t in (0..n).rev() {
            m.run_trial(&TrialRng::new(seed, t), &mut scratch, &mut record);
            reused.push(record.clone());
        }
        reused.reverse();
        for (t, (a, b)) in fresh.iter().zip(&reused).enumerate() {
            assert_eq!(a, b, "{name}: trial {t} with a fresh scratch and record differs from the reused ones");
        }
        let in_order: Vec<TrialRecord> = records(&m, seed, 0..n);
        assert_eq!(fresh, in_order, "{name}: in-order reuse differs");
    }
}
