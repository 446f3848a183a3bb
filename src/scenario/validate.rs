//! The rules every scenario must satisfy beyond its JSON shape, whatever model runs it: ids,
//! references between parts, limits, and every parameter's law and range (the declared table
//! of `walk`). The rules of one model live with its compile step (`model::rules`). Each
//! failure names the JSON path and the rule; the first failure found is reported.

use std::collections::BTreeSet;

use super::evidence::Evidence;
use super::question::{self, Question};
use super::schema::{DelegationLevel, LevelLaw, Meta, RunDefaults, Scale, Scenario, Track};
use super::walk::{BELLIGERENTS, EFFECTS, ParamRef, SCALE_MAX, TRUCE_DAYS_MAX, number};

/// A broken rule at a JSON path.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub path: String,
    pub message: String,
}

pub type Check = Result<(), Violation>;

pub fn fail(path: impl Into<String>, message: impl Into<String>) -> Check {
    Err(Violation { path: path.into(), message: message.into() })
}

/// Limits that keep any accepted scenario's run time and memory bounded before it starts.
pub mod limits {
    pub const ISSUES: usize = 32;
    pub const OPTIONS: usize = 64;
    /// Combinations of ordered settlement options the proposal search may enumerate per round.
    pub const PACKAGES: usize = 100_000;
    pub const MEDIATORS: usize = 32;
    /// Sides of a bargaining scenario: two belligerents and up to six stakeholders.
    pub const PARTIES: usize = 8;
    pub const ROUNDS: usize = 200;
    pub const EVENTS: usize = 200;
    /// Trials of one run, from `run.trials` or `--trials`.
    pub const TRIALS: u64 = 1_000_000_000_000;
}

pub(crate) fn at_most(path: &str, n: usize, max: usize, what: &str) -> Check {
    if n > max {
        return fail(path, format!("{n} {what}; at most {max} are allowed"));
    }
    Ok(())
}

pub(crate) fn unique_ids<'a>(items: impl Iterator<Item = &'a str>, list: &str) -> Check {
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

/// Months of war from `meta.war_start` to `meta.as_of` (days / 30.436875); 0 when the start is
/// not given.
pub fn war_months(s: &Scenario) -> Result<f64, Violation> {
    let Some(start) = &s.meta.war_start else { return Ok(0.0) };
    let broken = |message: String| Violation { path: "meta.war_start".into(), message };
    let start = question::date(start).map_err(broken)?;
    let as_of = question::date(&s.meta.as_of).map_err(|m| Violation { path: "meta.as_of".into(), message: m })?;
    if start > as_of {
        return Err(broken(format!("the war's start ({start}) must not come after `as_of` ({as_of})")));
    }
    Ok((as_of.day_number() - start.day_number()) as f64 / DAYS_PER_MONTH)
}

/// The mean length of a month in the Gregorian calendar.
pub const DAYS_PER_MONTH: f64 = 30.436_875;

/// A truce's duration in days: more than 0, at most [`TRUCE_DAYS_MAX`]; the broken rule
/// if not.
pub fn truce_days(days: f64) -> Result<(), String> {
    if days > 0.0 && days <= TRUCE_DAYS_MAX {
        Ok(())
    } else {
        Err(format!("a truce lasts more than 0 and at most {} days (got {})", number(TRUCE_DAYS_MAX), number(days)))
    }
}

/// The scenario's own questions, validated as `questions.json` is (docs/CASES.md); `as_of`,
/// when given, equals `meta.as_of`.
pub fn questions(s: &Scenario) -> Result<Vec<Question>, Violation> {
    let as_of = question::date(&s.meta.as_of).map_err(|m| Violation { path: "meta.as_of".into(), message: m })?;
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(s.questions.len());
    for (i, q) in s.questions.iter().enumerate() {
        let broken = |field: &str, message: String| Violation { path: format!("questions[{i}].{field}"), message };
        question::check_id(&q.id).map_err(|m| broken("id", m))?;
        if !seen.insert(q.id.as_str()) {
            return Err(broken("id", format!("question id `{}` is used twice", q.id)));
        }
        if let Some(own) = &q.as_of
            && *own != s.meta.as_of
        {
            return Err(broken("as_of", format!("a scenario asks as of its `meta.as_of` ({as_of}), not {own}")));
        }
        let by = question::date(&q.by).map_err(|m| broken("by", m))?;
        if by <= as_of {
            return Err(broken("by", format!("`by` ({by}) must come after `as_of` ({as_of})")));
        }
        let rule = question::rule(q.kind, q.scope, q.min_days).map_err(|(field, m)| broken(field, m))?;
        out.push(Question { id: q.id.clone(), as_of, by, rule });
    }
    Ok(out)
}

/// Checks every rule; `evidence`, when given, must hold every cited id.
pub fn validate(s: &Scenario, evidence: Option<&Evidence>) -> Check {
    check_header(&s.meta, &s.run)?;
    at_most("issues", s.issues.len(), limits::ISSUES, "issues")?;
    at_most("parties", s.parties.len(), limits::PARTIES, "parties")?;
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
    check_forums(s)?;
    check_rounds(s)?;
    check_events(s)?;
    questions(s)?;
    war_months(s)?;
    check_params(&s.params(), s.meta.forecast_as_of(), evidence)?;
    match evidence {
        Some(ev) => check_level_sources(s, s.meta.forecast_as_of(), ev),
        None => Ok(()),
    }
}

/// The rules of the header every scenario shape shares: `meta.as_of` is a date, and the
/// default trial count is within limits.
pub(crate) fn check_header(meta: &Meta, run: &RunDefaults) -> Check {
    if !valid_date(&meta.as_of) {
        fail("meta.as_of", format!("dates are written YYYY-MM-DD (got `{}`)", meta.as_of))?;
    }
    if run.trials == 0 {
        fail("run.trials", "at least one trial is needed")?;
    }
    if run.trials > limits::TRIALS {
        fail("run.trials", format!("{} trials; at most {} are allowed", run.trials, limits::TRIALS))?;
    }
    Ok(())
}

/// Every parameter's law and range, and (with `evidence`) that each cited fact exists and,
/// in a forecast, was published by its as-of date.
pub(crate) fn check_params(
    params: &[ParamRef<'_>],
    forecast_as_of: Option<question::Date>,
    evidence: Option<&Evidence>,
) -> Check {
    for p in params {
        if let Err(rule) = p.param.check_shape() {
            fail(p.path.clone(), rule)?;
        }
        if let Err(rule) = p.check_bound() {
            fail(p.path.clone(), rule)?;
        }
        if let Some(ev) = evidence {
            for (j, id) in p.param.sources.iter().enumerate() {
                cited(ev, id, forecast_as_of, || format!("{}.sources[{j}]", p.path))?;
            }
        }
    }
    Ok(())
}

/// The fact `id` exists in `ev` and, in a forecast as of `as_of`, was published by then.
pub(crate) fn cited(
    ev: &Evidence,
    id: &str,
    forecast_as_of: Option<question::Date>,
    path: impl Fn() -> String,
) -> Check {
    let Some(fact) = ev.get(id) else {
        return fail(path(), format!("unknown evidence id `{id}`: no fact with that id in {}", ev.dir.display()));
    };
    match forecast_as_of.and_then(|as_of| fact.after(as_of)) {
        Some(late) => fail(path(), late),
        None => Ok(()),
    }
}

fn check_issues(s: &Scenario) -> Check {
    if s.issues.is_empty() {
        fail("issues", "a scenario needs at least one issue")?;
    }
    unique_ids(s.issues.iter().map(|i| i.id.as_str()), "issues")?;
    for (i, issue) in s.issues.iter().enumerate() {
        check_space(i, issue.scale.as_ref(), issue.options.as_deref())?;
    }
    Ok(())
}

/// Issue `i` has either a scale with min < max or at least two distinct options.
pub(crate) fn check_space(i: usize, scale: Option<&Scale>, options: Option<&[String]>) -> Check {
    let at = |f: &str| format!("issues[{i}].{f}");
    match (scale, options) {
        (Some(_), Some(_)) | (None, None) => {
            fail(format!("issues[{i}]"), "an issue has either `scale` (continuous) or `options` (ordered)")?
        }
        (Some(sc), None) => {
            let within = |x: f64| x.is_finite() && x.abs() <= SCALE_MAX;
            if !(within(sc.min) && within(sc.max) && sc.min < sc.max) {
                fail(
                    at("scale"),
                    format!(
                        "scale needs min < max, both within [-{SCALE_MAX:e}, {SCALE_MAX:e}] (got {} and {})",
                        number(sc.min),
                        number(sc.max)
                    ),
                )?;
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
    Ok(())
}

fn check_parties(s: &Scenario) -> Check {
    if s.parties.len() < 2 {
        fail("parties", format!("a bargaining scenario needs at least two parties (got {})", s.parties.len()))?;
    }
    unique_ids(s.parties.iter().map(|p| p.id.as_str()), "parties")?;
    // Before the rounds' delegations, which follow from `veto`: a belligerent without a veto
    // would otherwise be reported as a delegation it should not send.
    if !s.parties.iter().any(|p| p.veto) {
        fail("parties", "at least one party is a veto player (`veto`: true, the default)")?;
    }
    if let Some(i) = s.parties.iter().take(BELLIGERENTS).position(|p| !p.veto) {
        fail(format!("parties[{i}].veto"), "a belligerent is a veto player: the war stops only with its signature")?;
    }
    let issue_ids: BTreeSet<&str> = s.issues.iter().map(|i| i.id.as_str()).collect();
    for (i, party) in s.parties.iter().enumerate() {
        let at = |f: &str| format!("parties[{i}].{f}");
        for key in party.positions.keys() {
            if !issue_ids.contains(key.as_str()) {
                fail(at(&format!("positions.{key}")), format!("unknown issue `{key}`"))?;
            }
        }
        for issue in &s.issues {
            if !party.positions.contains_key(&issue.id) {
                return fail(at("positions"), format!("party `{}` has no position on issue `{}`", party.id, issue.id));
            }
        }
    }
    Ok(())
}

fn check_model(s: &Scenario) -> Check {
    let m = &s.model;
    if let Some(p) = &m.proposal.first_proposer
        && !s.parties.iter().any(|x| &x.id == p)
    {
        fail("model.proposal.first_proposer", format!("unknown party `{p}`"))?;
    }
    let bf = &m.battlefield.issue;
    if !s.issues.iter().any(|i| &i.id == bf) {
        fail("model.battlefield.issue", format!("unknown issue `{bf}`"))?;
    }
    if let Some(p) = &m.proposal.proposer {
        known_proposer(s, p, "model.proposal.proposer")?;
    }
    Ok(())
}

/// A proposer names a party or a mediator.
fn known_proposer(s: &Scenario, id: &str, path: &str) -> Check {
    if s.parties.iter().any(|p| p.id == id) || s.mediators.iter().any(|m| m.id == id) {
        return Ok(());
    }
    fail(path, format!("unknown proposer `{id}`: no party or mediator has that id"))
}

fn check_forums(s: &Scenario) -> Check {
    unique_ids(s.forums.iter().map(|f| f.id.as_str()), "forums")?;
    let forum_ids: BTreeSet<&str> = s.forums.iter().map(|f| f.id.as_str()).collect();
    for (i, round) in s.rounds.iter().enumerate() {
        match &round.forum {
            Some(f) if !forum_ids.contains(f.as_str()) => {
                fail(format!("rounds[{i}].forum"), format!("unknown forum `{f}`: no `forums[].id` is `{f}`"))?
            }
            None if !s.forums.is_empty() => {
                fail(format!("rounds[{i}]"), "a scenario with `forums` names the forum of every round (`forum`)")?
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_mediators(s: &Scenario) -> Check {
    unique_ids(s.mediators.iter().map(|m| m.id.as_str()), "mediators")?;
    let party_ids: BTreeSet<&str> = s.parties.iter().map(|p| p.id.as_str()).collect();
    for (i, med) in s.mediators.iter().enumerate() {
        if party_ids.contains(med.id.as_str()) {
            fail(format!("mediators[{i}].id"), format!("`{}` is already a party id", med.id))?;
        }
        for issue in med.positions.keys() {
            if !s.issues.iter().any(|x| &x.id == issue) {
                fail(format!("mediators[{i}].positions.{issue}"), format!("unknown issue `{issue}`"))?;
            }
        }
        for target in med.leverage.keys() {
            if !party_ids.contains(target.as_str()) {
                fail(format!("mediators[{i}].leverage.{target}"), format!("unknown party `{target}`"))?;
            }
        }
        for (j, channel) in med.standing.iter().enumerate() {
            if med.standing[..j].contains(channel) {
                fail(format!("mediators[{i}].standing[{j}]"), "a channel is listed twice")?;
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
        if let Some(d) = &round.date
            && !valid_date(d)
        {
            fail(at("date"), format!("dates are written YYYY-MM-DD (got `{d}`)"))?;
        }
        let mut seen = BTreeSet::new();
        for (j, m) in round.mediators.iter().enumerate() {
            let id = m.id();
            if !mediator_ids.contains(id) {
                fail(format!("rounds[{i}].mediators[{j}]"), format!("unknown mediator `{id}`"))?;
            }
            if !seen.insert(id) {
                fail(format!("rounds[{i}].mediators[{j}]"), format!("mediator `{id}` is listed twice"))?;
            }
        }
        for key in round.delegations.keys() {
            if !s.parties.iter().any(|p| &p.id == key) {
                fail(at(&format!("delegations.{key}")), format!("unknown party `{key}`"))?;
            }
        }
        for party in &s.parties {
            match (party.veto, round.delegations.contains_key(&party.id)) {
                (true, false) => {
                    return fail(at("delegations"), format!("no delegation given for party `{}`", party.id));
                }
                (false, true) => fail(
                    at(&format!("delegations.{}", party.id)),
                    format!(
                        "`{}` is not a veto player: its signature is not needed, so it sends no delegation",
                        party.id
                    ),
                )?,
                _ => {}
            }
        }
        if let Some(p) = &round.proposer {
            known_proposer(s, p, &at("proposer"))?;
        }
        for (party, d) in &round.delegations {
            if let DelegationLevel::Uncertain(law) = &d.level {
                check_level_law(law, &at(&format!("delegations.{party}.level")))?;
            }
        }
    }
    Ok(())
}

/// The largest distance from 1 of the sum of a level law's probabilities.
pub const LEVEL_SUM_TOLERANCE: f64 = 1e-9;

/// A law over levels: each probability in [0, 1], summing to 1, and a real assumption note.
fn check_level_law(law: &LevelLaw, at: &str) -> Check {
    for (level, &p) in &law.p {
        if !(0.0..=1.0).contains(&p) {
            fail(format!("{at}.p.{}", level.key()), format!("a probability must lie in [0, 1] (got {})", number(p)))?;
        }
    }
    let sum: f64 = law.p.values().sum();
    if (sum - 1.0).abs() > LEVEL_SUM_TOLERANCE {
        fail(
            format!("{at}.p"),
            format!(
                "the probabilities of the levels must sum to 1 (within {LEVEL_SUM_TOLERANCE:e}), but they sum to {sum}"
            ),
        )?;
    }
    if law.assumption.as_ref().is_some_and(|a| a.trim().is_empty()) {
        fail(format!("{at}.assumption"), "`assumption` must give a reason, not an empty string")?;
    }
    Ok(())
}

/// Every fact a law over levels cites exists and, in a forecast, was published by `as_of`.
fn check_level_sources(s: &Scenario, forecast_as_of: Option<question::Date>, ev: &Evidence) -> Check {
    for r in s.level_laws() {
        for (j, id) in r.law.sources.iter().enumerate() {
            cited(ev, id, forecast_as_of, || format!("{}.sources[{j}]", r.path))?;
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
        for f in &EFFECTS {
            for party in (f.get)(&ev.effects).keys() {
                if !party_ids.contains(party.as_str()) {
                    fail(at(&format!("effects.{}.{party}", f.name)), format!("unknown party `{party}`"))?;
                }
            }
        }
        if let Some(truce) = &ev.effects.truce {
            if !party_ids.contains(truce.by.as_str()) {
                fail(at("effects.truce.by"), format!("unknown party `{}`", truce.by))?;
            }
            if let Err(m) = truce_days(truce.duration_days) {
                fail(at("effects.truce.duration_days"), m)?;
            }
        }
    }
    Ok(())
}
