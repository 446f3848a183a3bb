//! Semantic rules a scenario must satisfy beyond its JSON shape. Each failure names the JSON
//! path and the rule; the first failure found is reported.

use std::collections::{BTreeMap, BTreeSet};

use super::evidence::Evidence;
use super::param::Param;
use super::schema::{Issue, Scenario, Track};

/// A broken rule at a JSON path.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub path: String,
    pub message: String,
}

type Check = Result<(), Violation>;

fn fail(path: impl Into<String>, message: impl Into<String>) -> Check {
    Err(Violation { path: path.into(), message: message.into() })
}

/// Limits that keep any accepted scenario's run time and memory bounded before it starts.
pub mod limits {
    pub const ISSUES: usize = 32;
    pub const OPTIONS: usize = 64;
    /// Combinations of ordered settlement options the proposal search may enumerate per round.
    pub const PACKAGES: usize = 100_000;
    pub const MEDIATORS: usize = 32;
    pub const ROUNDS: usize = 200;
    pub const EVENTS: usize = 200;
    /// Trials of one run, from `run.trials` or `--trials`.
    pub const TRIALS: u64 = 1_000_000_000_000;
}

fn at_most(path: &str, n: usize, max: usize, what: &str) -> Check {
    if n > max {
        return fail(path, format!("{n} {what}; at most {max} are allowed"));
    }
    Ok(())
}

/// Tolerance on the sum of a party's declared saliences.
pub const SALIENCE_SUM_TOLERANCE: f64 = 0.01;

/// How far a party concedes on an issue: +1 when the other side's ideal lies above its own,
/// -1 when below, 0 when both ideals coincide (judged on the distributions' means).
pub fn concession_direction(own_ideal: &Param, other_ideal: &Param) -> f64 {
    let d = other_ideal.central() - own_ideal.central();
    if d > 0.0 {
        1.0
    } else if d < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The range positions on an issue may take: the scale, or option indices.
pub fn issue_range(issue: &Issue) -> (f64, f64) {
    match (&issue.scale, &issue.options) {
        (Some(s), _) => (s.min, s.max),
        (None, Some(o)) => (0.0, o.len().saturating_sub(1) as f64),
        (None, None) => (0.0, 0.0),
    }
}

fn in_range(path: &str, p: &Param, lo: f64, hi: f64, what: &str) -> Check {
    let (a, b) = p.support();
    if a < lo || b > hi {
        let shown = if p.is_fixed() { format!("{a}") } else { format!("draws between {a} and {b}") };
        return fail(path, format!("{what} must lie in [{lo}, {hi}] (got {shown})"));
    }
    Ok(())
}

fn open_unit(path: &str, p: &Param, what: &str) -> Check {
    let (a, b) = p.support();
    if a <= 0.0 || b >= 1.0 {
        return fail(path, format!("{what} must lie strictly between 0 and 1 (got support [{a}, {b}])"));
    }
    Ok(())
}

fn positive(path: &str, p: &Param, what: &str) -> Check {
    if p.support().0 <= 0.0 {
        return fail(path, format!("{what} must be greater than 0 (got a lowest value of {})", p.support().0));
    }
    Ok(())
}

fn unique_ids<'a>(items: impl Iterator<Item = &'a str>, list: &str) -> Check {
    let mut seen = BTreeSet::new();
    for (i, id) in items.enumerate() {
        if !valid_id(id) {
            return fail(
                format!("{list}[{i}].id"),
                format!("ids use letters, digits, `_` and `-` only, and are not empty (got `{id}`)"),
            );
        }
        if !seen.insert(id) {
            return fail(format!("{list}[{i}].id"), format!("id `{id}` is used twice in `{list}`"));
        }
    }
    Ok(())
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

/// Checks every rule; `evidence`, when given, must hold every cited id.
pub fn validate(s: &Scenario, evidence: Option<&Evidence>) -> Check {
    if !valid_date(&s.meta.as_of) {
        fail("meta.as_of", format!("dates are written YYYY-MM-DD (got `{}`)", s.meta.as_of))?;
    }
    if s.run.trials == 0 {
        fail("run.trials", "at least one trial is needed")?;
    }
    if s.run.trials > limits::TRIALS {
        fail("run.trials", format!("{} trials; at most {} are allowed", s.run.trials, limits::TRIALS))?;
    }
    at_most("issues", s.issues.len(), limits::ISSUES, "issues")?;
    at_most("mediators", s.mediators.len(), limits::MEDIATORS, "mediators")?;
    at_most("rounds", s.rounds.len(), limits::ROUNDS, "rounds")?;
    at_most("events", s.events.len(), limits::EVENTS, "events")?;
    for (i, issue) in s.issues.iter().enumerate() {
        let n = issue.options.as_ref().map_or(0, Vec::len);
        at_most(&format!("issues[{i}].options"), n, limits::OPTIONS, "options")?;
    }
    let packages = s
        .issues
        .iter()
        .filter(|i| i.track == Track::Settlement)
        .map(|i| i.options.as_ref().map_or(1, Vec::len))
        .try_fold(1usize, |acc, n| acc.checked_mul(n))
        .unwrap_or(usize::MAX);
    at_most("issues", packages, limits::PACKAGES, "combinations of ordered settlement options")?;
    check_issues(s)?;
    check_parties(s)?;
    check_model(s)?;
    check_mediators(s)?;
    check_rounds(s)?;
    check_events(s)?;
    for p in s.params() {
        if let Err(rule) = p.param.check_shape() {
            fail(p.path.clone(), rule)?;
        }
        if let Some(ev) = evidence {
            for (j, id) in p.param.sources.iter().enumerate() {
                if ev.get(id).is_none() {
                    fail(
                        format!("{}.sources[{j}]", p.path),
                        format!("unknown evidence id `{id}`: no fact with that id in {}", ev.dir.display()),
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn check_issues(s: &Scenario) -> Check {
    if s.issues.is_empty() {
        fail("issues", "a scenario needs at least one issue")?;
    }
    unique_ids(s.issues.iter().map(|i| i.id.as_str()), "issues")?;
    let mut ceasefire_issues = 0;
    for (i, issue) in s.issues.iter().enumerate() {
        let at = |f: &str| format!("issues[{i}].{f}");
        match (&issue.scale, &issue.options) {
            (Some(_), Some(_)) | (None, None) => {
                fail(format!("issues[{i}]"), "an issue has either `scale` (continuous) or `options` (ordered)")?
            }
            (Some(sc), None) => {
                if !(sc.min.is_finite() && sc.max.is_finite() && sc.min < sc.max) {
                    fail(at("scale"), format!("scale needs finite min < max (got {} and {})", sc.min, sc.max))?;
                }
            }
            (None, Some(opts)) => {
                if opts.len() < 2 {
                    fail(at("options"), "an ordered issue needs at least two options")?;
                }
                let mut seen = BTreeSet::new();
                for (j, o) in opts.iter().enumerate() {
                    if o.trim().is_empty() || !seen.insert(o.as_str()) {
                        fail(format!("issues[{i}].options[{j}]"), "option labels must be non-empty and distinct")?;
                    }
                }
            }
        }
        match issue.track {
            Track::Ceasefire => {
                ceasefire_issues += 1;
                if ceasefire_issues > 1 {
                    fail(at("track"), "only one issue may be on the ceasefire track")?;
                }
                let Some(opts) = &issue.options else {
                    return fail(at("options"), "the ceasefire issue must be ordered (`options`)");
                };
                let Some(scope) = &issue.scope else {
                    return fail(
                        at("scope"),
                        "the ceasefire issue needs `scope`: the share of fighting each option halts",
                    );
                };
                if scope.len() != opts.len() {
                    fail(
                        at("scope"),
                        format!("`scope` needs one value per option ({} options, {} values)", opts.len(), scope.len()),
                    )?;
                }
                if scope.first() != Some(&0.0) {
                    fail(at("scope[0]"), "the first ceasefire option must be \"no ceasefire\", with scope 0")?;
                }
                if scope.iter().any(|x| !x.is_finite() || *x > 1.0) {
                    fail(at("scope"), "ceasefire scopes lie in [0, 1]")?;
                }
                for (j, w) in scope.windows(2).enumerate() {
                    if w[1] <= w[0] {
                        fail(format!("issues[{i}].scope[{}]", j + 1), "ceasefire scopes must increase strictly")?;
                    }
                }
                if issue.reversion.is_some() {
                    fail(at("reversion"), "the ceasefire issue reverts to its first option; remove `reversion`")?;
                }
            }
            Track::Settlement => {
                if issue.scope.is_some() {
                    fail(at("scope"), "`scope` belongs only to the ceasefire issue")?;
                }
                let battlefield = issue.id == s.model.battlefield.issue;
                match (&issue.reversion, battlefield) {
                    (Some(_), true) => {
                        fail(at("reversion"), "the battlefield issue reverts to the war's outcome; remove `reversion`")?
                    }
                    (None, false) => fail(
                        format!("issues[{i}]"),
                        "a settlement issue needs `reversion`: where it stands if no settlement is signed",
                    )?,
                    (Some(r), false) => {
                        let (lo, hi) = issue_range(issue);
                        in_range(&at("reversion"), r, lo, hi, "the reversion point")?;
                    }
                    (None, true) => {}
                }
            }
        }
    }
    if !s.issues.iter().any(|i| i.track == Track::Settlement) {
        fail("issues", "at least one issue must be on the settlement track")?;
    }
    Ok(())
}

fn check_parties(s: &Scenario) -> Check {
    if s.parties.len() != 2 {
        fail(
            "parties",
            format!("the mediated_nash model needs exactly two belligerent parties (got {})", s.parties.len()),
        )?;
    }
    unique_ids(s.parties.iter().map(|p| p.id.as_str()), "parties")?;
    let issue_ids: BTreeSet<&str> = s.issues.iter().map(|i| i.id.as_str()).collect();
    for (i, party) in s.parties.iter().enumerate() {
        let at = |f: &str| format!("parties[{i}].{f}");
        positive(&at("capability"), &party.capability, "capability")?;
        in_range(&at("cost_of_war"), &party.cost_of_war, 0.0, f64::INFINITY, "the cost of war")?;
        open_unit(&at("patience"), &party.patience, "patience")?;
        in_range(&at("optimism"), &party.optimism, 0.0, f64::INFINITY, "optimism")?;
        in_range(&at("mistrust"), &party.mistrust, 0.0, f64::INFINITY, "mistrust")?;
        for key in party.positions.keys() {
            if !issue_ids.contains(key.as_str()) {
                fail(at(&format!("positions.{key}")), format!("unknown issue `{key}`"))?;
            }
        }
        let mut salience_sum = 0.0;
        for issue in &s.issues {
            let Some(pos) = party.positions.get(&issue.id) else {
                return fail(at("positions"), format!("party `{}` has no position on issue `{}`", party.id, issue.id));
            };
            let (lo, hi) = issue_range(issue);
            let pat = |f: &str| at(&format!("positions.{}.{f}", issue.id));
            in_range(&pat("ideal"), &pos.ideal, lo, hi, "an ideal point")?;
            in_range(&pat("salience"), &pos.salience, 0.0, 1.0, "a salience")?;
            salience_sum += pos.salience.central();
            if let Some(red) = &pos.red_line {
                in_range(&pat("red_line"), red, lo, hi, "a red line")?;
                let other = &s.parties[1 - i.min(1)];
                let Some(other_pos) = other.positions.get(&issue.id) else { continue };
                separated_ideals(&pat("ideal"), &pos.ideal, &other_pos.ideal, &other.id)?;
                let dir = concession_direction(&pos.ideal, &other_pos.ideal);
                let (ideal_lo, ideal_hi) = pos.ideal.support();
                let (red_lo, red_hi) = red.support();
                if dir == 0.0 {
                    fail(
                        pat("red_line"),
                        "both sides share this ideal point, so a red line has no direction; remove it",
                    )?;
                } else if dir > 0.0 && red_lo < ideal_hi {
                    fail(
                        pat("red_line"),
                        format!(
                            "red line on the wrong side of the ideal point: `{}` concedes upwards (towards `{}`), \
                             so its red line must not lie below its ideal ({red_lo} < {ideal_hi})",
                            party.id, other.id
                        ),
                    )?;
                } else if dir < 0.0 && red_hi > ideal_lo {
                    fail(
                        pat("red_line"),
                        format!(
                            "red line on the wrong side of the ideal point: `{}` concedes downwards (towards `{}`), \
                             so its red line must not lie above its ideal ({red_hi} > {ideal_lo})",
                            party.id, other.id
                        ),
                    )?;
                }
            }
        }
        if (salience_sum - 1.0).abs() > SALIENCE_SUM_TOLERANCE {
            fail(
                at("positions"),
                format!(
                    "the saliences of `{}` must sum to 1 (within {SALIENCE_SUM_TOLERANCE}; means of distributions are \
                     used), but they sum to {salience_sum:.4}",
                    party.id
                ),
            )?;
        }
    }
    Ok(())
}

/// Where the side of each party matters (red lines, the battlefield), the two ideal points may
/// not overlap, so that every draw puts them in the same order as their means.
fn separated_ideals(path: &str, own: &Param, other: &Param, other_id: &str) -> Check {
    let ((a_lo, a_hi), (b_lo, b_hi)) = (own.support(), other.support());
    if a_lo < b_hi && b_lo < a_hi || (a_lo == b_lo && a_hi == b_hi) {
        return fail(
            path,
            format!(
                "this ideal point ([{a_lo}, {a_hi}]) must not overlap `{other_id}`'s ([{b_lo}, {b_hi}]) on an issue with \
                 red lines or on the battlefield issue: which side concedes in which direction must not depend on the draw"
            ),
        );
    }
    Ok(())
}

fn check_model(s: &Scenario) -> Check {
    let m = &s.model;
    let party_ids: Vec<&str> = s.parties.iter().map(|p| p.id.as_str()).collect();
    match (m.proposal.rule, &m.proposal.first_proposer) {
        (super::schema::ProposalRule::Rubinstein, None) => {
            fail("model.proposal.first_proposer", "the rubinstein rule needs `first_proposer`")?
        }
        (super::schema::ProposalRule::Rubinstein, Some(p)) if !party_ids.contains(&p.as_str()) => {
            fail("model.proposal.first_proposer", format!("unknown party `{p}`"))?
        }
        (super::schema::ProposalRule::Rubinstein, Some(_)) => {}
        (_, Some(_)) => fail("model.proposal.first_proposer", "`first_proposer` belongs only to the rubinstein rule")?,
        (_, None) => {}
    }
    let bf = &m.battlefield;
    let Some(issue) = s.issues.iter().find(|i| i.id == bf.issue) else {
        return fail("model.battlefield.issue", format!("unknown issue `{}`", bf.issue));
    };
    if issue.scale.is_none() || issue.track != Track::Settlement {
        fail("model.battlefield.issue", "the battlefield issue must be a continuous (`scale`) settlement issue")?;
    }
    if let (Some(a), Some(b)) = (s.parties.first(), s.parties.get(1)) {
        if let (Some(pa), Some(pb)) = (a.positions.get(&issue.id), b.positions.get(&issue.id)) {
            let path = format!("parties[0].positions.{}.ideal", issue.id);
            separated_ideals(&path, &pa.ideal, &pb.ideal, &b.id)?;
        }
    }
    let (lo, hi) = issue_range(issue);
    in_range("model.battlefield.initial", &bf.initial, lo, hi, "the front's initial position")?;
    in_range("model.battlefield.max_drift_per_month", &bf.max_drift_per_month, 0.0, hi - lo, "the maximum drift")?;
    in_range("model.battlefield.volatility_per_month", &bf.volatility_per_month, 0.0, hi - lo, "the volatility")?;
    in_range("model.learning_per_month", &m.learning_per_month, 0.0, 1.0, "the learning rate")?;
    in_range("model.war_weariness_per_month", &m.war_weariness_per_month, 0.0, f64::INFINITY, "war weariness")?;
    in_range("model.political_will_noise", &m.political_will_noise, 0.0, f64::INFINITY, "the noise")?;
    in_range("model.humanitarian_rate", &m.humanitarian_rate, 0.0, 1.0, "a probability")?;
    in_range("model.collapse_hazard", &m.collapse_hazard, 0.0, 1.0, "a probability")?;
    in_range("model.ceasefire_fragility", &m.ceasefire_fragility, 0.0, 1.0, "a probability")?;
    Ok(())
}

fn check_mediators(s: &Scenario) -> Check {
    unique_ids(s.mediators.iter().map(|m| m.id.as_str()), "mediators")?;
    let party_ids: BTreeSet<&str> = s.parties.iter().map(|p| p.id.as_str()).collect();
    for (i, med) in s.mediators.iter().enumerate() {
        if party_ids.contains(med.id.as_str()) {
            fail(format!("mediators[{i}].id"), format!("`{}` is already a party id", med.id))?;
        }
        for (target, lev) in &med.leverage {
            let at = |f: &str| format!("mediators[{i}].leverage.{target}.{f}");
            if !party_ids.contains(target.as_str()) {
                fail(format!("mediators[{i}].leverage.{target}"), format!("unknown party `{target}`"))?;
            }
            if let Some(p) = &lev.pressure {
                in_range(&at("pressure"), p, 0.0, f64::INFINITY, "pressure")?;
            }
            if let Some(p) = &lev.guarantees {
                in_range(&at("guarantees"), p, 0.0, 1.0, "guarantees")?;
            }
            if let Some(p) = &lev.information {
                in_range(&at("information"), p, 0.0, 1.0, "information")?;
            }
            if let Some(p) = &lev.side_payments {
                in_range(&at("side_payments"), p, 0.0, f64::INFINITY, "side payments")?;
            }
        }
    }
    Ok(())
}

fn check_rounds(s: &Scenario) -> Check {
    if s.rounds.is_empty() {
        fail("rounds", "a scenario needs at least one round")?;
    }
    unique_ids(s.rounds.iter().map(|r| r.id.as_str()), "rounds")?;
    let mediator_ids: BTreeSet<&str> = s.mediators.iter().map(|m| m.id.as_str()).collect();
    for (i, round) in s.rounds.iter().enumerate() {
        let at = |f: &str| format!("rounds[{i}].{f}");
        if let Some(d) = &round.date {
            if !valid_date(d) {
                fail(at("date"), format!("dates are written YYYY-MM-DD (got `{d}`)"))?;
            }
        }
        in_range(&at("months_before"), &round.months_before, 0.0, 600.0, "months of war")?;
        let mut seen = BTreeSet::new();
        for (j, m) in round.mediators.iter().enumerate() {
            let id = m.id();
            if !mediator_ids.contains(id) {
                fail(format!("rounds[{i}].mediators[{j}]"), format!("unknown mediator `{id}`"))?;
            }
            if !seen.insert(id) {
                fail(format!("rounds[{i}].mediators[{j}]"), format!("mediator `{id}` is listed twice"))?;
            }
            if let Some(p) = m.presence() {
                in_range(&format!("rounds[{i}].mediators[{j}].presence"), p, 0.0, 1.0, "a probability")?;
            }
        }
        for key in round.delegations.keys() {
            if !s.parties.iter().any(|p| &p.id == key) {
                fail(at(&format!("delegations.{key}")), format!("unknown party `{key}`"))?;
            }
        }
        for party in &s.parties {
            let Some(d) = round.delegations.get(&party.id) else {
                return fail(at("delegations"), format!("no delegation given for party `{}`", party.id));
            };
            in_range(&at(&format!("delegations.{}.attendance", party.id)), &d.attendance, 0.0, 1.0, "a probability")?;
        }
    }
    Ok(())
}

fn check_events(s: &Scenario) -> Check {
    unique_ids(s.events.iter().map(|e| e.id.as_str()), "events")?;
    let round_ids: BTreeSet<&str> = s.rounds.iter().map(|r| r.id.as_str()).collect();
    let party_ids: BTreeSet<&str> = s.parties.iter().map(|p| p.id.as_str()).collect();
    for (i, ev) in s.events.iter().enumerate() {
        let at = |f: &str| format!("events[{i}].{f}");
        in_range(&at("probability"), &ev.probability, 0.0, 1.0, "a probability")?;
        if let Some(rounds) = &ev.rounds {
            if rounds.is_empty() {
                fail(at("rounds"), "list at least one round, or omit `rounds` for all")?;
            }
            for (j, r) in rounds.iter().enumerate() {
                if !round_ids.contains(r.as_str()) {
                    fail(format!("events[{i}].rounds[{j}]"), format!("unknown round `{r}`"))?;
                }
            }
        }
        let e = &ev.effects;
        let maps: [(&str, &BTreeMap<String, Param>); 4] = [
            ("cost_change", &e.cost_change),
            ("capability_change", &e.capability_change),
            ("optimism_change", &e.optimism_change),
            ("attendance_factor", &e.attendance_factor),
        ];
        for (field, map) in maps {
            for (party, p) in map {
                let path = at(&format!("effects.{field}.{party}"));
                if !party_ids.contains(party.as_str()) {
                    fail(path.clone(), format!("unknown party `{party}`"))?;
                }
                if field == "attendance_factor" {
                    in_range(&path, p, 0.0, f64::INFINITY, "an attendance factor")?;
                }
            }
        }
        if let Some(p) = &e.collapse_hazard {
            in_range(&at("effects.collapse_hazard"), p, -1.0, 1.0, "a change of probability")?;
        }
    }
    Ok(())
}
