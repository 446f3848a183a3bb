//! `sim trace`, `sim sources`, `sim completions`, output files, pipes and the progress bar.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;
use sim::engine::{Model, TrialRecord, TrialRng};

use crate::util::{FORECAST_CASE, SUMMIT, model, root, sim_output, stderr_of, success};

#[derive(Debug, Deserialize)]
struct TraceRound {
    outcome: String,
    notes: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Trace {
    seed: u64,
    trial: u64,
    draws: Vec<Value>,
    rounds: Vec<TraceRound>,
}

/// A traced trial is the same trial as in a run: same outcomes, round by round.
#[test]
fn trace_replays_the_trial_of_a_run() {
    let scenario: Value = serde_json::from_slice(&std::fs::read(root().join(SUMMIT)).expect("scenario")).expect("JSON");
    let m = model(&scenario);
    let seed = 11;
    for trial in [0u64, 5, 6, 4097] {
        let out =
            sim_output(["trace", SUMMIT, "--trial", &trial.to_string(), "--seed", &seed.to_string(), "-f", "json"]);
        let trace: Trace = serde_json::from_slice(success(&out)).expect("trace JSON parses");
        assert_eq!((trace.seed, trace.trial), (seed, trial));
        assert!(!trace.draws.is_empty());
        let mut record = TrialRecord::new(m.layout());
        m.run_trial(&TrialRng::new(seed, trial), &mut m.scratch(), &mut record);
        let outcomes: Vec<&str> = record.outcome.iter().map(|&o| m.layout().outcomes[o].key.as_str()).collect();
        let traced: Vec<&str> = trace.rounds.iter().map(|r| r.outcome.as_str()).collect();
        assert_eq!(traced, outcomes, "trial {trial}");
        for r in &trace.rounds {
            let last = r.notes.last().expect("every round ends with its outcome");
            assert!(last.starts_with("outcome:"), "{last}");
        }
    }
}

#[derive(Debug, Deserialize)]
struct Parameter {
    key: String,
    sources: Vec<String>,
    assumption: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Fact {
    id: String,
    statement: String,
}

#[derive(Debug, Deserialize)]
struct Sources {
    parameters: Vec<Parameter>,
    facts: Vec<Fact>,
}

/// Every parameter of the bundled scenario has a provenance (it cites evidence, or its note says
/// it is a judgement), and every cited fact is listed with its statement.
#[test]
fn sources_lists_every_parameter_and_fact() {
    let out = sim_output(["sources", SUMMIT, "-f", "json"]);
    let s: Sources = serde_json::from_slice(success(&out)).expect("sources JSON parses");
    assert!(s.parameters.len() > 50);
    assert!(s.parameters.iter().filter(|p| !p.sources.is_empty()).count() > 50);
    for p in &s.parameters {
        let noted = p.assumption.as_ref().is_some_and(|a| !a.trim().is_empty());
        assert!(!p.sources.is_empty() || noted, "{} cites no evidence and states no judgement", p.key);
        if let Some(a) = &p.assumption {
            assert!(!a.trim().is_empty(), "{}", p.key);
        }
    }
    let cited: std::collections::BTreeSet<&str> =
        s.parameters.iter().flat_map(|p| p.sources.iter().map(String::as_str)).collect();
    let listed: std::collections::BTreeSet<&str> = s.facts.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(cited, listed);
    assert!(s.facts.iter().all(|f| !f.statement.is_empty()));
}

/// A delegation's law over levels is listed with the parameters, with its law, the evidence it
/// cites and its note; the facts it cites are listed too.
#[test]
fn sources_lists_a_law_over_levels() {
    let mut v = crate::util::summit();
    crate::util::set(
        &mut v,
        "rounds[3].delegations.russia.level",
        serde_json::json!({
            "dist": "levels",
            "p": { "ministers": 0.7, "leaders": 0.3 },
            "sources": ["tass0723.russia-sign-only"],
            "assumption": "a test"
        }),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("s.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&v).expect("serializable")).expect("writable");
    let out = sim_output(["sources", file.to_str().expect("UTF-8"), "-f", "json"]);
    let s: Value = serde_json::from_slice(success(&out)).expect("sources JSON parses");
    let law = s["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["key"] == "rounds.summit.delegations.russia.level")
        .expect("the law is listed");
    assert_eq!(law["law"], "levels(ministers 0.7, leaders 0.3)");
    assert_eq!(law["path"], "rounds[3].delegations.russia.level");
    assert_eq!(law["sources"], serde_json::json!(["tass0723.russia-sign-only"]));
    assert_eq!(law["assumption"], "a test");
    assert!(s["facts"].as_array().expect("facts").iter().any(|f| f["id"] == "tass0723.russia-sign-only"));
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = sim_output(["completions", shell]);
        let script = String::from_utf8(success(&out).to_vec()).expect("UTF-8");
        assert!(script.contains("sensitivity"), "{shell}");
    }
    assert_eq!(sim_output(["completions", "tcsh"]).status.code(), Some(2));
}

/// With stderr not a terminal (as here), a run long enough to show a bar prints nothing there.
#[test]
fn no_progress_output_when_stderr_is_not_a_terminal() {
    let out = sim_output(["run", SUMMIT, "--trials", "60000", "--format", "json"]);
    success(&out);
    assert_eq!(stderr_of(&out), "");
}

/// Closing the pipe early (`sim run … | head`) is not an error.
#[test]
fn a_closed_pipe_is_not_an_error() {
    let bin = assert_cmd::cargo::cargo_bin!("sim");
    let mut child = Command::new(bin)
        .current_dir(root())
        .args(["run", SUMMIT, "--trials", "3000", "--format", "csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sim starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let out = child.wait_with_output().expect("sim ends");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr_of(&out));
    assert_eq!(stderr_of(&out), "");
}

/// Ctrl-C (SIGINT) stops a long run within seconds with exit code 130; the output file of an
/// earlier run is untouched and no temporary file is left beside it.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_promptly_and_leaves_earlier_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.json");
    std::fs::write(&path, "an earlier run's output").expect("write");
    let out = path.to_str().expect("UTF-8 path");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("sim"))
        .current_dir(root())
        .args(["run", SUMMIT, "--trials", "100000000", "-f", "json", "-o", out, "--quiet", "-j", "1"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("sim starts");
    // Long enough for the scenario to load and the trials to start.
    std::thread::sleep(Duration::from_secs(1));
    assert!(child.try_wait().expect("sim is waitable").is_none(), "10^8 trials take longer than a second");
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill runs");
    assert!(kill.success());
    let sent = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("sim is waitable") {
            break status;
        }
        assert!(sent.elapsed() < Duration::from_secs(5), "sim did not stop within 5 s of Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("stderr");
    assert_eq!(status.code(), Some(130), "stderr: {stderr}");
    // On a loaded machine the measured rate may put the run over an hour: its warning may come
    // first (docs/ERRORS.md, "Warnings"); nothing else may.
    let stderr: String =
        stderr.lines().filter(|l| !l.starts_with("sim: warning: ")).map(|l| format!("{l}\n")).collect();
    assert_eq!(stderr, "sim: interrupted\n");
    assert_eq!(std::fs::read_to_string(&path).expect("still there"), "an earlier run's output");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1, "no temporary file is left behind");
}

/// `--output` writes the same bytes as stdout, and replaces an existing file whole.
#[test]
fn output_file_matches_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("out.json");
    std::fs::write(&path, "old contents").expect("write");
    let args = ["run", SUMMIT, "--trials", "2000", "--format", "json"];
    let to_file = sim_output(args.iter().copied().chain(["--output", path.to_str().expect("UTF-8 path")]));
    assert!(success(&to_file).is_empty());
    let to_stdout = sim_output(args);
    assert_eq!(std::fs::read(&path).expect("written"), success(&to_stdout));
    let entries = std::fs::read_dir(dir.path()).expect("dir").count();
    assert_eq!(entries, 1, "no temporary file is left behind");
}

/// Oversized, deeply nested and binary files are refused with exit code 2 and one line.
#[test]
fn hostile_files_are_refused_quickly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.json");
    std::fs::write(&big, format!("[{}1]", "1,".repeat(5_000_000))).expect("write");
    let deep = dir.path().join("deep.json");
    std::fs::write(&deep, format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))).expect("write");
    let binary = dir.path().join("binary.json");
    std::fs::write(&binary, (0..=255u8).cycle().take(100_000).collect::<Vec<u8>>()).expect("write");
    for (file, needle) in [(&big, "limited to"), (&deep, "recursion limit"), (&binary, "invalid JSON")] {
        let out = sim_output(["run", file.to_str().expect("UTF-8 path")]);
        assert_eq!(out.status.code(), Some(2), "{}", file.display());
        let err = stderr_of(&out);
        assert!(err.starts_with("sim: error:") && err.contains(needle) && err.lines().count() == 1, "{err}");
    }
}

/// `--plot` writes an SVG chart with its title and series; `sim report` writes one HTML file
/// that embeds every chart inline and refers to nothing outside itself.
#[test]
fn plots_and_the_html_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let svg = dir.path().join("run.svg");
    // The 2025 case's forecast settles in about 0.5% of trials, so 20,000 trials chart
    // settlement terms.
    let forecast = FORECAST_CASE;
    let out = sim_output(["run", forecast, "--trials", "20000", "--plot", svg.to_str().expect("UTF-8"), "-f", "json"]);
    success(&out);
    let chart = std::fs::read_to_string(&svg).expect("chart written");
    assert!(chart.starts_with("<svg") && chart.trim_end().ends_with("</svg>"), "an SVG document");
    for label in ["ceasefire or settlement", "humanitarian deal", "Share of Ukraine"] {
        assert!(chart.contains(label), "chart lacks {label}");
    }
    let html = dir.path().join("report.html");
    let out = sim_output([
        "report",
        SUMMIT,
        "-o",
        html.to_str().expect("UTF-8"),
        "--trials",
        "2000",
        "--sensitivity-trials",
        "200",
    ]);
    assert!(success(&out).is_empty());
    let page = std::fs::read_to_string(&html).expect("report written");
    assert!(page.starts_with("<!DOCTYPE html>") || page.starts_with("<!doctype html>"), "an HTML document");
    assert!(!page.contains("http://") && !page.contains("https://"), "no external URL");
    assert!(!page.contains("<script"), "readable without JavaScript");
    assert_eq!(page.matches("<svg").count(), 2, "the run chart and the tornado chart are inline");
    assert!(page.contains("tass0602.memo-russia-territory"), "the evidence list cites facts by id");
}
