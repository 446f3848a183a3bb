//! More than two sides through the trial (docs/MODEL.md §7b): closed forms with fixed
//! parameters and no noise, a bystander that cannot block, the setter's clipped ideal,
//! determinism across threads and shards, and invariants under common random numbers.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::util::{add_stakeholder, at, duel, model, records, rugged, set, sim_output, success};
use sim::engine::TrialRng;

/// The settlement terms of trial 0 at seed 1 (a deterministic scenario), or `None` if it
/// signed none.
fn terms(v: &Value) -> Option<Vec<f64>> {
    let r = records(&model(v), 1, 0..1).pop().expect("one trial");
    r.events[0].then(|| r.terms.clone())
}

/// Three veto players and a unit of surplus to share, at a leaders' round with no war before
/// it: `north` (ideal 1 on `territory` and `aid`, salience 0.5 each), `south` (ideal 0 on
/// territory, salience 0.5; ceasefire 0.5) and `eu`, a veto stakeholder (ideal 0 on aid,
/// salience 0.5; ceasefire 0.5). Aid reverts to 0, the front stands at 0.5, the ceasefire issue
/// is worth the same with and without a settlement to the two that weigh it. The surpluses of
/// a package (A on territory, B on aid) are then e_north = A/2 + B/2 - 0.25 + c_n,
/// e_south = 0.25 - A/2 + c_s and e_eu = -B/2 + c_eu, with costs of war c = (0.1, 0.1, 0.3):
/// their sum is 0.5 whatever the package.
fn trio(rule: &str, patience: [f64; 3]) -> Value {
    let mut v = duel();
    set(&mut v, "model.proposal.rule", json!(rule));
    let issues = at(&mut v, "issues").as_array_mut().unwrap();
    issues.push(json!({
        "id": "aid", "label": "aid", "track": "settlement", "reversion": 0.0,
        "scale": { "min": 0.0, "max": 1.0, "unit": "share", "min_label": "none", "max_label": "all" }
    }));
    issues.push(json!({
        "id": "ceasefire", "label": "ceasefire", "track": "ceasefire",
        "options": ["none", "truce"], "scope": [0.0, 1.0]
    }));
    let position = |ideal: f64, salience: f64| json!({ "ideal": ideal, "salience": salience });
    set(
        &mut v,
        "parties[0].positions",
        json!({ "territory": position(1.0, 0.5), "aid": position(1.0, 0.5), "ceasefire": position(0.0, 0.0) }),
    );
    set(
        &mut v,
        "parties[1].positions",
        json!({ "territory": position(0.0, 0.5), "aid": position(0.0, 0.0), "ceasefire": position(0.0, 0.5) }),
    );
    add_stakeholder(&mut v, "eu", true);
    set(
        &mut v,
        "parties[2].positions",
        json!({ "territory": position(0.0, 0.0), "aid": position(0.0, 0.5), "ceasefire": position(0.0, 0.5) }),
    );
    for (i, (cost, delta)) in [0.1, 0.1, 0.3].into_iter().zip(patience).enumerate() {
        set(&mut v, &format!("parties[{i}].cost_of_war"), json!(cost));
        set(&mut v, &format!("parties[{i}].patience"), json!(delta));
    }
    v
}

/// The package that gives the three veto players the surpluses `e` (south's fixes territory,
/// the EU's fixes aid).
fn package(e: [f64; 3]) -> [f64; 2] {
    [(0.35 - e[1]) / 0.5, (0.3 - e[2]) / 0.5]
}

fn assert_terms(v: &Value, expected: [f64; 2]) {
    let got = terms(v).expect("a settlement");
    assert!((got[0] - expected[0]).abs() < 1e-9 && (got[1] - expected[1]).abs() < 1e-9, "{got:?} vs {expected:?}");
}

/// Symmetric Nash over three veto players: each gets a third of the surplus of 0.5.
#[test]
fn three_veto_parties_split_the_surplus_in_thirds() {
    assert_terms(&trio("nash", [0.9; 3]), package([0.5 / 3.0; 3]));
}

/// `patience_nash` with three veto players: surplus shares proportional to 1 / -ln δ_i.
#[test]
fn patience_nash_weights_are_inverse_discount_rates() {
    let delta = [0.9, 0.8, 0.5];
    let inverse = delta.map(|d: f64| -1.0 / d.ln());
    let total: f64 = inverse.iter().sum();
    assert_terms(&trio("patience_nash", delta), package(inverse.map(|a| 0.5 * a / total)));
}

/// `duel` (Nash split at territory 0.55: disagreement payoffs 0.2 and 0.1) with `eu`, a
/// stakeholder whose ideal is south's, at no cost of war, with a mistrust of 0.6: no package
/// is worth its status quo (0.5) to it.
fn with_a_loser(veto: bool) -> Value {
    let mut v = duel();
    add_stakeholder(&mut v, "eu", veto);
    set(&mut v, "parties[2].cost_of_war", json!(0.0));
    set(&mut v, "parties[2].mistrust", json!(0.6));
    v
}

/// A bystander that loses from every package cannot stop the settlement the two veto players
/// reach; the same party as a veto player stops it.
#[test]
fn a_bystander_cannot_block_what_a_veto_player_would() {
    let as_bystander = terms(&with_a_loser(false)).expect("the bystander does not block");
    assert!((as_bystander[0] - 0.55).abs() < 1e-9, "{as_bystander:?}");
    assert_eq!(terms(&duel()), Some(as_bystander), "the two-party split is unchanged");
    assert_eq!(terms(&with_a_loser(true)), None, "a veto player blocks");
}

/// `duel` with a mediator `us` that sets the agenda: ideal `ideal` on territory (salience 1),
/// and a settlement worth `deal_value` to it.
fn set_by_us(ideal: f64, deal_value: f64) -> Value {
    let mut v = duel();
    set(
        &mut v,
        "mediators",
        json!([{
            "id": "us", "name": "us", "leverage": {},
            "positions": { "territory": { "ideal": ideal, "salience": 1.0 } },
            "deal_value": deal_value
        }]),
    );
    set(&mut v, "model.proposal.proposer", json!("us"));
    v
}

/// Romer–Rosenthal: the veto players accept territory in [0.2, 0.9] (north needs z >= 0.2,
/// south z <= 0.9), so the setter offers its ideal clipped to that interval; and it offers
/// nothing when every acceptable package is worth less to it than the status quo.
#[test]
fn a_mediator_setter_offers_its_ideal_clipped_to_the_acceptance_interval() {
    for (ideal, term) in [(0.05, 0.2), (0.3, 0.3), (0.5, 0.5), (0.95, 0.9)] {
        let got = terms(&set_by_us(ideal, 0.1)).expect("a settlement");
        assert!((got[0] - term).abs() < 1e-9, "ideal {ideal}: {got:?}, expected {term}");
    }
    // Ideal 0.05: the best acceptable package (0.2) is worth 0.85 - 0.5 to it, its status quo
    // (the front at 0.5) 0.55.
    assert_eq!(terms(&set_by_us(0.05, -0.5)), None);
    assert!(terms(&set_by_us(0.05, -0.2)).is_some());
}

/// A noisy n-party scenario: `rugged` with a veto stakeholder, a bystander and a setter.
fn noisy() -> Value {
    let mut v = rugged();
    add_stakeholder(&mut v, "eu", true);
    add_stakeholder(&mut v, "ngo", false);
    let mut us = json!({
        "id": "us", "name": "us", "leverage": { "eu": { "pressure": 0.05, "side_payments": 0.05 } },
        "positions": { "territory": { "ideal": 0.5, "salience": 0.7 }, "alignment": { "ideal": 2.0, "salience": 0.3 } },
        "deal_value": 0.2
    });
    us["standing"] = json!(["side_payments"]);
    at(&mut v, "mediators").as_array_mut().unwrap().push(us);
    set(&mut v, "rounds[1].proposer", json!("us"));
    set(&mut v, "rounds[2].proposer", json!("north"));
    v
}

#[test]
fn an_n_party_run_is_the_same_at_any_thread_count_and_across_shards() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("noisy.json");
    std::fs::write(&file, serde_json::to_vec(&noisy()).unwrap()).unwrap();
    let file = file.to_str().unwrap();
    let run = |threads: &str| {
        success(&sim_output(["run", file, "-f", "json", "-n", "5003", "-s", "9", "-j", threads])).to_vec()
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let report: Value = serde_json::from_slice(&one).unwrap();
    let reached = &report["settlement"]["reached"]["p"];
    assert!(reached.as_f64().is_some_and(|p| p > 0.05), "the scenario settles: {reached}");
    crate::shards::assert_merges_to_one_run(&["run", file, "--trials", "5003", "--seed", "9"], &[3]);
}

/// The parties' and stakeholders' valuations of each settlement a trial's story tells: for a
/// belligerent its value and its disagreement payoff, for a stakeholder its gain over its own.
fn settlement_gains(v: &Value, seed: u64, trials: u64) -> Vec<f64> {
    let m = model(v);
    let number = |s: &str| s.trim_end_matches([';', ',']).parse::<f64>().expect("a number");
    let mut gains = Vec::new();
    for trial in 0..trials {
        for (_, note) in m.trace(&TrialRng::new(seed, trial)).notes {
            if !note.starts_with("settlement signed") {
                continue;
            }
            let words: Vec<&str> = note.split_whitespace().collect();
            for (i, w) in words.iter().enumerate() {
                if *w == "values" && words[i + 1] == "it" {
                    gains.push(number(words[i + 3]) - number(words[i + 5]));
                }
                if *w == "gains" {
                    gains.push(number(words[i + 1]));
                }
            }
        }
    }
    gains
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Every settlement a setter's offer signs leaves every veto player at least its
    /// disagreement payoff (and the bystander's loss is allowed).
    #[test]
    fn a_setter_never_leaves_a_veto_player_below_its_disagreement_payoff(seed in 0u64..1000) {
        let mut v = noisy();
        at(&mut v, "parties").as_array_mut().unwrap().pop();
        set(&mut v, "model.proposal.proposer", json!("us"));
        let gains = settlement_gains(&v, seed, 60);
        prop_assert!(gains.len() >= 3, "too few settlements to test: {}", gains.len());
        for g in gains {
            // The story prints values to three decimals, so each difference is exact to 1e-3.
            prop_assert!(g >= -1e-3, "a veto player gains {g}");
        }
    }

    /// A bystander that no mediator and no event touches changes no outcome, whatever it wants:
    /// its draws come from its own sites.
    #[test]
    fn adding_a_bystander_with_no_leverage_changes_no_outcome(
        seed in 0u64..1000, ideal in 0.0f64..1.0, salience in 0.0f64..1.0,
    ) {
        let base = noisy();
        let mut more = base.clone();
        add_stakeholder(&mut more, "other", false);
        set(&mut more, "parties[4].positions.territory", json!({ "ideal": ideal, "salience": salience }));
        set(&mut more, "parties[4].positions.alignment", json!({ "ideal": 3.0 * ideal, "salience": 1.0 - salience }));
        set(&mut more, "parties[4].positions.ceasefire", json!({ "ideal": 0.0, "salience": 0.0 }));
        let (a, b) = (records(&model(&base), seed, 0..80), records(&model(&more), seed, 0..80));
        for (x, y) in a.iter().zip(&b) {
            prop_assert_eq!(&x.outcome, &y.outcome);
            prop_assert_eq!(&x.events, &y.events);
            prop_assert_eq!(&x.terms, &y.terms);
            prop_assert_eq!(&x.answers, &y.answers);
        }
    }
}
