//! Shared helpers: paths, the `sim` command, scenario builders (JSON values edited by path, so
//! each test states only what it varies), running scenarios through the library, and the
//! report's JSON layout as small `Deserialize` structs.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Mutex, OnceLock};

use serde::Deserialize;
use serde_json::{Value, json};
use sim::RunConfig;
use sim::engine::{Layout, Model, TrialRecord, TrialRng};
use sim::model::MediatedNash;
use sim::model::Outcome;
use sim::scenario::Scenario;

/// The package root; `cargo test` also runs the tests from here.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn seeds_dir() -> PathBuf {
    root().join("seeds")
}

/// The bundled scenario, relative to the package root (as a user would type it).
pub const SUMMIT: &str = "scenarios/istanbul_summit.json";

/// A blind forecast that settles now and then (about 0.5% of trials): the 2025 Istanbul case as
/// of 14 May 2025. The bundled forecast, encoded separately, settles in 0.04%.
pub const FORECAST_CASE: &str = "cases/istanbul-2025/scenario-2025-05-14.json";

// ---------------------------------------------------------------------------------------------
// The command line

/// `sim`, run from the package root.
pub fn sim() -> assert_cmd::Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("sim");
    cmd.current_dir(root());
    cmd
}

/// Runs `sim` with `args` and returns its output, whatever the exit code.
pub fn sim_output<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    sim().args(args).output().expect("sim starts")
}

pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts exit code 0 and returns stdout.
pub fn success(out: &Output) -> &[u8] {
    assert_eq!(out.status.code(), Some(0), "sim failed; stderr:\n{}", stderr_of(out));
    &out.stdout
}

// ---------------------------------------------------------------------------------------------
// Editing JSON values by path: `parties[0].positions.territory.red_line`, the syntax of the
// loader's error messages.

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !name.is_empty() {
            out.push(Seg::Key(name.to_string()));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped.find(']').unwrap_or_else(|| panic!("unclosed `[` in path `{path}`"));
            out.push(Seg::Index(stripped[..end].parse().unwrap_or_else(|_| panic!("bad index in path `{path}`"))));
            rest = &stripped[end + 1..];
        }
    }
    out
}

fn step<'a>(v: &'a mut Value, seg: &Seg, path: &str) -> &'a mut Value {
    match seg {
        Seg::Key(k) => v.get_mut(k.as_str()),
        Seg::Index(i) => v.get_mut(*i),
    }
    .unwrap_or_else(|| panic!("test scenario has nothing at `{path}` ({seg:?} missing)"))
}

/// The value at `path`; panics when it does not exist.
pub fn at<'a>(v: &'a mut Value, path: &str) -> &'a mut Value {
    segments(path).iter().fold(v, |v, seg| step(v, seg, path))
}

/// Sets `path` to `x`; the parent must exist, the last key may be new.
pub fn set(v: &mut Value, path: &str, x: Value) {
    let segs = segments(path);
    let (last, parents) = segs.split_last().expect("non-empty path");
    let parent = parents.iter().fold(v, |v, seg| step(v, seg, path));
    match last {
        Seg::Key(k) => {
            parent.as_object_mut().unwrap_or_else(|| panic!("`{path}`: parent is not an object")).insert(k.clone(), x);
        }
        Seg::Index(i) => *step(parent, &Seg::Index(*i), path) = x,
    }
}

/// Removes the key at `path` and returns its value.
pub fn remove(v: &mut Value, path: &str) -> Value {
    let segs = segments(path);
    let Some((Seg::Key(k), parents)) = segs.split_last() else { panic!("`{path}` must end with a key") };
    let parent = parents.iter().fold(v, |v, seg| step(v, seg, path));
    parent.as_object_mut().and_then(|o| o.shift_remove(k)).unwrap_or_else(|| panic!("nothing to remove at `{path}`"))
}

/// The value at `path`, read only; panics when it does not exist.
pub fn get<'a>(v: &'a Value, path: &str) -> &'a Value {
    segments(path).iter().fold(v, |v, seg| {
        match seg {
            Seg::Key(k) => v.get(k.as_str()),
            Seg::Index(i) => v.get(*i),
        }
        .unwrap_or_else(|| panic!("test scenario has nothing at `{path}` ({seg:?} missing)"))
    })
}

/// Index of the element of the array at `list` whose `id` is `id`.
pub fn index_of(v: &Value, list: &str, id: &str) -> usize {
    get(v, list)
        .as_array()
        .and_then(|a| a.iter().position(|x| x["id"] == id))
        .unwrap_or_else(|| panic!("no `{id}` in `{list}`"))
}

/// Calls `f` on every object of `v`, depth first (children before their parent).
pub fn visit_objects(v: &mut Value, f: &mut dyn FnMut(&mut serde_json::Map<String, Value>)) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                visit_objects(child, f);
            }
            f(map);
        }
        Value::Array(items) => {
            for child in items {
                visit_objects(child, f);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Scenario builders

pub fn uniform(low: f64, high: f64) -> Value {
    json!({ "dist": "uniform", "low": low, "high": high })
}

/// The bundled scenario, with its evidence folder made absolute so that the value can be
/// written anywhere.
pub fn summit() -> Value {
    let text = std::fs::read_to_string(root().join(SUMMIT)).expect("the bundled scenario is readable");
    let mut v: Value = serde_json::from_str(&text).expect("the bundled scenario is JSON");
    set(&mut v, "meta.evidence", json!(seeds_dir()));
    v
}

fn party(id: &str, territory_ideal: f64, cost_of_war: f64) -> Value {
    json!({
        "id": id,
        "name": id,
        "role": "belligerent",
        "capability": 1.0,
        "cost_of_war": cost_of_war,
        "patience": 0.9,
        "optimism": 0.0,
        "mistrust": 0.0,
        "positions": { "territory": { "ideal": territory_ideal, "salience": 1.0 } }
    })
}

/// A stakeholder built from `v`'s second party: its positions without red lines, no capability
/// or optimism, a veto player or not; appended to `parties`, and given a delegation that always
/// comes at leaders' level in every round if it is a veto player.
pub fn add_stakeholder(v: &mut Value, id: &str, veto: bool) {
    let mut p = get(v, "parties[1]").clone();
    let o = p.as_object_mut().expect("a party");
    for field in ["capability", "optimism", "curvature", "red_line_pressure"] {
        o.remove(field);
    }
    o.insert("id".into(), json!(id));
    o.insert("name".into(), json!(id));
    o.insert("role".into(), json!("stakeholder"));
    o.insert("veto".into(), json!(veto));
    for pos in o["positions"].as_object_mut().expect("positions").values_mut() {
        let pos = pos.as_object_mut().expect("a position");
        pos.retain(|k, _| k == "ideal" || k == "salience");
    }
    at(v, "parties").as_array_mut().expect("parties").push(p);
    if veto {
        for round in at(v, "rounds").as_array_mut().expect("rounds") {
            round["delegations"][id] = json!({ "level": "leaders", "attendance": 1.0 });
        }
    }
}

/// A round at `level` where both sides come for sure.
pub fn round(id: &str, level: &str, months_before: f64) -> Value {
    json!({
        "id": id,
        "label": format!("round {id}"),
        "months_before": months_before,
        "delegations": {
            "north": { "level": level, "attendance": 1.0 },
            "south": { "level": level, "attendance": 1.0 }
        }
    })
}

/// The simplest scenario, deterministic: `north` (ideal 1) and `south` (ideal 0) bargain over
/// `territory` on [0, 1], which is also the battlefield, front at 0.5; costs of war 0.3 and
/// 0.4; no optimism, mistrust, noise, mediators or events; symmetric Nash; one leaders' round
/// with no war before it.
pub fn duel() -> Value {
    json!({
        "meta": {
            "title": "duel",
            "description": "two sides, one issue",
            "as_of": "2025-01-01",
            "evidence": seeds_dir()
        },
        "run": { "trials": 1000, "seed": 1 },
        "model": {
            "kind": "mediated_nash",
            "proposal": { "rule": "nash" },
            "battlefield": {
                "issue": "territory",
                "initial": 0.5,
                "max_drift_per_month": 0.0,
                "volatility_per_month": 0.0
            },
            "learning_per_month": 0.0,
            "war_weariness_per_month": 0.0,
            "political_will_noise": 0.0,
            "humanitarian_rate": 0.0,
            "collapse_hazard": 0.0,
            "ceasefire_fragility": 0.0
        },
        "issues": [{
            "id": "territory",
            "label": "territory",
            "track": "settlement",
            "scale": { "min": 0.0, "max": 1.0, "unit": "share", "min_label": "south's", "max_label": "north's" }
        }],
        "parties": [party("north", 1.0, 0.3), party("south", 0.0, 0.4)],
        "mediators": [],
        "rounds": [round("r1", "leaders", 0.0)],
        "events": []
    })
}

/// Red lines of the `rugged` scenario: north concedes territory down to 0.45 and alignment
/// down to option 1; south concedes territory up to 0.6 and alignment up to option 2.
pub const TERRITORY_RED_LINES: (f64, f64) = (0.45, 0.6);
pub const ALIGNMENT_RED_LINES: (usize, usize) = (1, 2);

/// A noisy two-issue scenario built on `duel`: territory (continuous, the battlefield) and
/// `alignment` (four ordered options), fixed red lines on both for both sides, random ideals,
/// saliences, costs, optimism, mistrust, front, drift, volatility and political will, a
/// ceasefire issue, a mediator with pressure and side payments, and four rounds.
pub fn rugged() -> Value {
    let mut v = duel();
    let issues = at(&mut v, "issues").as_array_mut().unwrap();
    issues.push(json!({
        "id": "alignment",
        "label": "alignment",
        "track": "settlement",
        "options": ["a0", "a1", "a2", "a3"],
        "reversion": uniform(1.0, 2.0)
    }));
    issues.push(json!({
        "id": "ceasefire",
        "label": "ceasefire",
        "track": "ceasefire",
        "options": ["none", "partial", "full"],
        "scope": [0.0, 0.5, 1.0]
    }));
    let (t_north, t_south) = TERRITORY_RED_LINES;
    let (a_north, a_south) = ALIGNMENT_RED_LINES;
    set(
        &mut v,
        "parties[0].positions",
        json!({
            "territory": { "ideal": uniform(0.8, 1.0), "salience": uniform(0.4, 0.6), "red_line": t_north },
            "alignment": { "ideal": uniform(2.5, 3.0), "salience": uniform(0.2, 0.4), "red_line": a_north },
            "ceasefire": { "ideal": 0.0, "salience": 0.2 }
        }),
    );
    set(
        &mut v,
        "parties[1].positions",
        json!({
            "territory": { "ideal": uniform(0.0, 0.2), "salience": uniform(0.3, 0.5), "red_line": t_south },
            "alignment": { "ideal": uniform(0.0, 0.5), "salience": uniform(0.2, 0.4), "red_line": a_south },
            "ceasefire": { "ideal": 2.0, "salience": 0.3 }
        }),
    );
    for i in 0..2 {
        set(&mut v, &format!("parties[{i}].cost_of_war"), uniform(0.02, 0.2));
        set(&mut v, &format!("parties[{i}].optimism"), uniform(0.0, 0.1));
        set(&mut v, &format!("parties[{i}].mistrust"), uniform(0.0, 0.05));
        set(&mut v, &format!("parties[{i}].capability"), uniform(0.5, 1.5));
        set(&mut v, &format!("parties[{i}].patience"), uniform(0.8, 0.95));
    }
    set(&mut v, "model.proposal.rule", json!("patience_nash"));
    set(&mut v, "model.battlefield.initial", uniform(0.3, 0.7));
    set(&mut v, "model.battlefield.max_drift_per_month", uniform(0.0, 0.03));
    set(&mut v, "model.battlefield.volatility_per_month", uniform(0.005, 0.03));
    set(&mut v, "model.learning_per_month", uniform(0.0, 0.1));
    set(&mut v, "model.war_weariness_per_month", uniform(0.0, 0.05));
    set(&mut v, "model.political_will_noise", uniform(0.02, 0.1));
    set(&mut v, "model.humanitarian_rate", uniform(0.1, 0.5));
    set(&mut v, "model.collapse_hazard", uniform(0.0, 0.1));
    set(&mut v, "model.ceasefire_fragility", uniform(0.0, 0.3));
    set(
        &mut v,
        "mediators",
        json!([{
            "id": "broker",
            "name": "broker",
            "leverage": {
                "north": { "pressure": uniform(0.0, 0.1), "side_payments": uniform(0.0, 0.05) },
                "south": { "pressure": uniform(0.0, 0.1), "guarantees": uniform(0.0, 0.5) }
            }
        }]),
    );
    let mut rounds = vec![round("r1", "ministers", 1.0), round("r2", "leaders", 2.0)];
    rounds.push(round("r3", "leaders", 2.0));
    rounds.push(round("r4", "leaders", 3.0));
    for r in &mut rounds {
        set(r, "mediators", json!(["broker"]));
        set(r, "delegations.north.attendance", json!({ "dist": "beta", "mean": 0.8, "spread": 0.1 }));
    }
    set(&mut v, "rounds", json!(rounds));
    v
}

// ---------------------------------------------------------------------------------------------
// Running scenarios through the library

/// Parses and validates a scenario value (evidence ids are not checked); panics with the
/// loader's message when the test built an invalid scenario.
pub fn scenario(v: &Value) -> Scenario {
    let bytes = serde_json::to_vec(v).expect("serializable");
    let body = sim::scenario::parse(Path::new("test-scenario.json"), &bytes).unwrap_or_else(|e| panic!("{e}"));
    if let Err(e) = body.validate(None) {
        panic!("invalid test scenario at {}: {}", e.path, e.message);
    }
    match body {
        sim::scenario::Body::Bargaining(s) => *s,
        sim::scenario::Body::Spatial(_) => panic!("a spatial scenario where a bargaining one was built"),
    }
}

pub fn model(v: &Value) -> MediatedNash {
    MediatedNash::new(&scenario(v)).unwrap_or_else(|e| panic!("invalid test scenario at {}: {}", e.path, e.message))
}

/// The records of trials `trials` of `model` at `seed`, one fresh record per trial, with one
/// scratch reused across them (as the engine does).
pub fn records<M: Model>(model: &M, seed: u64, trials: Range<u64>) -> Vec<TrialRecord> {
    let mut scratch = model.scratch();
    trials
        .map(|t| {
            let mut record = TrialRecord::new(model.layout());
            model.run_trial(&TrialRng::new(seed, t), &mut scratch, &mut record);
            record
        })
        .collect()
}

/// Writes a scenario value to a temporary file, loads it as `sim run` would (evidence
/// included), runs it through the engine and the report, and reads the report back through its
/// JSON form.
pub fn report(v: &Value, trials: u64, seed: u64) -> Report {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("scenario.json");
    std::fs::write(&file, serde_json::to_vec_pretty(v).expect("serializable")).expect("writable");
    let report = sim::simulate(&file, RunConfig { trials, seed }, &|_| {}).unwrap_or_else(|e| panic!("{e}"));
    reread(&report)
}

/// The report of the bundled scenario, computed once per (trials, seed) for the whole suite.
pub fn summit_report(trials: u64, seed: u64) -> &'static Report {
    type Cells = HashMap<(u64, u64), &'static OnceLock<Report>>;
    static CACHE: OnceLock<Mutex<Cells>> = OnceLock::new();
    let cell = *CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry((trials, seed))
        .or_insert_with(|| Box::leak(Box::default()));
    cell.get_or_init(|| {
        let report = sim::simulate(&root().join(SUMMIT), RunConfig { trials, seed }, &|_| {})
            .unwrap_or_else(|e| panic!("the bundled scenario loads: {e}"));
        reread(&report)
    })
}

fn reread(report: &sim::RunReport) -> Report {
    serde_json::from_value(serde_json::to_value(report).expect("the report serializes"))
        .expect("the report has the documented JSON layout")
}

/// A mediated-Nash trial record read back through its layout.
pub struct Read<'a> {
    pub layout: &'a Layout,
    pub record: &'a TrialRecord,
}

impl Read<'_> {
    pub fn flag(&self, t: usize, key: &str) -> bool {
        let f = self.layout.flags.iter().position(|x| x.name.key == key).expect("a declared flag");
        self.record.flags_of(t)[f]
    }

    fn event(&self, key: &str) -> Option<usize> {
        self.layout.events.iter().position(|e| e.key == key)
    }

    /// The outcome of each round.
    pub fn outcomes(&self) -> Vec<Outcome> {
        self.record.outcome.iter().map(|&o| Outcome::ALL[o]).collect()
    }

    pub fn ceasefire_in_force(&self, t: usize) -> bool {
        self.flag(t, "ceasefire_in_force")
    }

    pub fn settled(&self) -> bool {
        self.record.events[self.event("settlement").expect("a settlement event")]
    }

    pub fn leverage_dependent(&self) -> bool {
        self.record.marks[self.layout.mark_offset(self.event("settlement").expect("a settlement event"))]
    }

    /// The settlement's terms, in the order of the settlement issues.
    pub fn terms(&self) -> &[f64] {
        let e = self.event("settlement").expect("a settlement event");
        let at = self.layout.term_offset(e);
        &self.record.terms[at..at + self.layout.events[e].terms.len()]
    }

    /// The option of the first ceasefire signed, as an index into the ceasefire issue's options.
    pub fn first_ceasefire(&self) -> Option<usize> {
        let e = self.event("ceasefire")?;
        self.record.events[e].then(|| self.record.terms[self.layout.term_offset(e)] as usize + 1)
    }
}

/// Index of the first round whose outcome is a ceasefire or a settlement, if any.
pub fn first_agreement(r: &TrialRecord) -> Option<usize> {
    let agreed = [Outcome::Ceasefire.index(), Outcome::Settlement.index()];
    r.outcome.iter().position(|o| agreed.contains(o))
}

// ---------------------------------------------------------------------------------------------
// The JSON report (docs/OUTPUT.md layout 2), read back with serde

pub use sim::engine::stats::Estimate;
pub use sim::report::{OptionShare, Quantiles, TermReport};

#[derive(Debug, Clone, Deserialize)]
pub struct Report {
    pub sim: ToolInfo,
    pub run: RunInfo,
    pub rounds: Vec<RoundReport>,
    pub settlement: SettlementReport,
    #[serde(default)]
    pub ceasefire: Option<CeasefireReport>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ToolInfo {
    pub version: String,
    pub layout: u32,
    pub model: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunInfo {
    pub scenario: String,
    pub seed: u64,
    pub trials: u64,
    pub digest: String,
    /// Present with `--precision`.
    #[serde(default)]
    pub precision: Option<Stopping>,
}

/// The stopping rule of a `--precision` run.
#[derive(Debug, Clone, Deserialize)]
pub struct Stopping {
    pub rule: String,
    pub half_width: f64,
    pub batch: u64,
    pub max_trials: u64,
    pub widest_half_width: f64,
    pub met: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RoundReport {
    pub id: String,
    pub outcomes: Outcomes,
    pub ceasefire_reached: Estimate,
    pub settlement_reached: Estimate,
    pub ceasefire_in_force: Estimate,
    pub met: Estimate,
    pub humanitarian_step: Estimate,
    pub ceasefire_signed: Estimate,
    pub settlement_signed: Estimate,
    pub collapsed: Estimate,
    pub settlement_in_force: Estimate,
    pub agreement_in_force: Estimate,
}

impl RoundReport {
    /// The round's flags: what holds by its end, then what happened in it.
    pub fn flags(&self) -> [(&'static str, &Estimate); 10] {
        [
            ("ceasefire_reached", &self.ceasefire_reached),
            ("settlement_reached", &self.settlement_reached),
            ("ceasefire_in_force", &self.ceasefire_in_force),
            ("met", &self.met),
            ("humanitarian_step", &self.humanitarian_step),
            ("ceasefire_signed", &self.ceasefire_signed),
            ("settlement_signed", &self.settlement_signed),
            ("collapsed", &self.collapsed),
            ("settlement_in_force", &self.settlement_in_force),
            ("agreement_in_force", &self.agreement_in_force),
        ]
    }
}

/// The six outcomes; unknown fields are refused so that a seventh outcome fails the
/// sum-to-one tests loudly instead of being ignored.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcomes {
    pub no_meeting: Estimate,
    pub talks_no_deal: Estimate,
    pub humanitarian: Estimate,
    pub ceasefire: Estimate,
    pub settlement: Estimate,
    pub collapse: Estimate,
}

impl Outcomes {
    pub fn all(&self) -> [(&'static str, &Estimate); 6] {
        [
            ("no_meeting", &self.no_meeting),
            ("talks_no_deal", &self.talks_no_deal),
            ("humanitarian", &self.humanitarian),
            ("ceasefire", &self.ceasefire),
            ("settlement", &self.settlement),
            ("collapse", &self.collapse),
        ]
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct SettlementReport {
    pub reached: Estimate,
    pub leverage_dependent: Estimate,
    pub terms: Vec<TermReport>,
}

/// The first ceasefire signed: its share of trials and its option.
#[derive(Debug, Clone, Deserialize)]
pub struct CeasefireReport {
    pub reached: Estimate,
    pub terms: Vec<TermReport>,
}

impl CeasefireReport {
    /// The shares of the options of the first ceasefire, among trials that signed one.
    pub fn first_terms(&self) -> &[OptionShare] {
        match self.terms.as_slice() {
            [TermReport::Options { options, .. }] => options,
            other => panic!("the first ceasefire has one option term: {other:?}"),
        }
    }
}

impl Report {
    /// Every estimate in the report with a name saying where it is.
    pub fn estimates(&self) -> Vec<(String, Estimate)> {
        let mut out = Vec::new();
        for r in &self.rounds {
            for (name, e) in r.outcomes.all() {
                out.push((format!("{}.{name}", r.id), *e));
            }
            for (name, e) in r.flags() {
                out.push((format!("{}.{name}", r.id), *e));
            }
        }
        out.push(("settlement.reached".into(), self.settlement.reached));
        out.push(("settlement.leverage_dependent".into(), self.settlement.leverage_dependent));
        for t in &self.settlement.terms {
            if let TermReport::Options { issue, options, .. } = t {
                for o in options {
                    out.push((format!("terms.{issue}={}", o.option), o.share));
                }
            }
        }
        if let Some(c) = &self.ceasefire {
            out.push(("ceasefire.reached".into(), c.reached));
            for o in c.first_terms() {
                out.push((format!("ceasefire.first={}", o.option), o.share));
            }
        }
        out
    }

    /// The continuous term on `issue`: its scale (min, max), mean and quantiles.
    pub fn continuous_term(&self, issue: &str) -> ((f64, f64), Option<f64>, Option<Quantiles>) {
        self.settlement
            .terms
            .iter()
            .find_map(|t| match t {
                TermReport::Continuous { issue: i, min, max, mean, quantiles, .. } if i == issue => {
                    Some(((*min, *max), *mean, *quantiles))
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("no continuous term `{issue}` in the report"))
    }
}
