//! The rules of `mediated_nash` beyond those of every scenario (`scenario::validate`): two
//! belligerents, one ceasefire issue at most, a continuous battlefield issue, reversion points,
//! red lines on the conceding side, saliences that sum to 1. Checked by the compile step, so
//! `sim validate` reports them as it reports the generic rules.

use crate::scenario::param::Param;
use crate::scenario::schema::{Issue, Offer, Party, Position, ProposalRule, Role, Scenario, Track};
use crate::scenario::validate::{Check, fail, truce_days};

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

/// Which rules apply: all of them to a scenario as written; to a copy a study has changed
/// (`sim sweep`, `sim sensitivity`), all but the authoring check that a party's declared
/// saliences sum to 1, since holding one salience at a value breaks the sum while the model
/// renormalizes the saliences drawn in every trial anyway (docs/MODEL.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Written,
    Studied,
}

/// Whether a scenario takes the n-party path (docs/MODEL.md §7b): more than two parties, a
/// party that is not a veto player, or a proposer. Any other scenario runs the two-party path
/// of §6 and §7 unchanged.
pub fn n_party(s: &Scenario) -> bool {
    s.parties.len() > 2
        || s.parties.iter().any(|p| !p.veto)
        || s.model.proposal.proposer.is_some()
        || s.rounds.iter().any(|r| r.proposer.is_some())
}

/// Checks the model's rules on a scenario that passed `scenario::validate`.
pub fn check(s: &Scenario, scope: Scope) -> Check {
    check_parties(s)?;
    check_issues(s)?;
    check_model(s)?;
    check_positions(s, scope)?;
    if n_party(s) {
        check_n_party(s)?;
    }
    Ok(())
}

/// Two belligerents, first in `parties`, with a capability and an optimism (that both are veto
/// players is `scenario::validate`'s rule, checked before the delegations it implies); every
/// other party a stakeholder, which does not fight.
fn check_parties(s: &Scenario) -> Check {
    for (i, party) in s.parties.iter().enumerate() {
        let at = |f: &str| format!("parties[{i}].{f}");
        let belligerent = i < crate::scenario::walk::BELLIGERENTS;
        match (party.role, belligerent) {
            (Role::Stakeholder, true) => fail(
                at("role"),
                "the first two parties are the belligerents (`role`: `belligerent`); stakeholders come after them",
            )?,
            (Role::Belligerent, false) => fail(
                at("role"),
                format!(
                    "exactly two parties are belligerents, the first two: `{}` would be a third (make it a `stakeholder`)",
                    party.id
                ),
            )?,
            _ => {}
        }
        if belligerent {
            for (name, given) in [("capability", party.capability.is_some()), ("optimism", party.optimism.is_some())] {
                if !given {
                    fail(at(name), format!("a belligerent needs `{name}`"))?;
                }
            }
        } else {
            for (name, given) in [("capability", party.capability.is_some()), ("optimism", party.optimism.is_some())] {
                if given {
                    fail(at(name), format!("a stakeholder does not fight: remove `{name}`"))?;
                }
            }
        }
    }
    Ok(())
}

/// The rules of the n-party path (docs/MODEL.md §7b): linear utilities, red lines that do not
/// give, a Nash rule that generalizes, a setter with preferences, and leverage and events that
/// act on what a stakeholder has.
fn check_n_party(s: &Scenario) -> Check {
    let m = &s.model;
    if m.proposal.rule == ProposalRule::Rubinstein {
        fail(
            "model.proposal.rule",
            "the rubinstein rule is two-party only: with more parties, a party that is not a veto player or a \
             proposer, use `nash` or `patience_nash`",
        )?;
    }
    for (i, party) in s.parties.iter().enumerate() {
        if let Some(c) = &party.curvature
            && c.support() != (1.0, 1.0)
        {
            fail(
                format!("parties[{i}].curvature"),
                "the n-party solver is linear: with more parties, a party that is not a veto player or a proposer, \
                 curvature must be 1 (or omitted)",
            )?;
        }
        if party.red_line_pressure.is_some() {
            fail(
                format!("parties[{i}].red_line_pressure"),
                "red lines that give under pressure are two-party only: the n-party path takes red lines that \
                 stand or move with the front",
            )?;
        }
        for (issue, pos) in &party.positions {
            if pos.red_line_give.is_some() {
                fail(
                    format!("parties[{i}].positions.{issue}.red_line_give"),
                    "a red line that gives under pressure is two-party only: the n-party path takes red lines that \
                     stand or move with the front",
                )?;
            }
        }
    }
    let stakeholder = |id: &str| s.parties.iter().skip(2).any(|p| p.id == id);
    let offer = m.proposal.offer.unwrap_or(Offer::Setter);
    let proposers: Vec<(&String, String)> = m
        .proposal
        .proposer
        .iter()
        .map(|p| (p, "model.proposal.proposer".to_string()))
        .chain(
            s.rounds
                .iter()
                .enumerate()
                .filter_map(|(t, r)| Some((r.proposer.as_ref()?, format!("rounds[{t}].proposer")))),
        )
        .collect();
    // A bystander's quantities reach the outcome only through its own surplus, which only a
    // bystander that sets the agenda consults (docs/MODEL.md §7b).
    let inert = |id: &str| {
        s.parties.iter().skip(2).any(|p| p.id == id && !p.veto)
            && !(offer == Offer::Setter && proposers.iter().any(|(p, _)| p.as_str() == id))
    };
    for (k, med) in s.mediators.iter().enumerate() {
        for (target, lev) in &med.leverage {
            if stakeholder(target) && lev.information.is_some() {
                fail(
                    format!("mediators[{k}].leverage.{target}.information"),
                    "information acts on a belligerent's optimism only; a stakeholder has none",
                )?;
            }
            if inert(target) {
                fail(
                    format!("mediators[{k}].leverage.{target}"),
                    format!(
                        "`{target}` is not a veto player and never sets the agenda (a proposer, with `offer` \
                         `setter`): leverage on it acts on nothing"
                    ),
                )?;
            }
        }
    }
    for (e, ev) in s.events.iter().enumerate() {
        let fx = &ev.effects;
        for (name, map) in [("capability_change", &fx.capability_change), ("optimism_change", &fx.optimism_change)] {
            if let Some(id) = map.keys().find(|id| stakeholder(id)) {
                fail(
                    format!("events[{e}].effects.{name}.{id}"),
                    format!("`{id}` is a stakeholder: it has no capability or optimism to change"),
                )?;
            }
        }
        if let Some(t) = &fx.truce
            && stakeholder(&t.by)
        {
            fail(format!("events[{e}].effects.truce.by"), "only a belligerent declares a truce")?;
        }
        if let Some(id) = fx.attendance_factor.keys().find(|id| s.parties.iter().any(|p| &p.id == *id && !p.veto)) {
            fail(
                format!("events[{e}].effects.attendance_factor.{id}"),
                format!("`{id}` is not a veto player: it sends no delegation, so an attendance factor acts on nothing"),
            )?;
        }
        if let Some(id) = fx.cost_change.keys().find(|id| inert(id)) {
            fail(
                format!("events[{e}].effects.cost_change.{id}"),
                format!(
                    "`{id}` is not a veto player and never sets the agenda (a proposer, with `offer` `setter`): a \
                     change of its cost of war acts on nothing"
                ),
            )?;
        }
    }
    let mut setters = Vec::new();
    for (id, path) in proposers {
        if let Some(k) = s.mediators.iter().position(|x| &x.id == id)
            && offer == Offer::Setter
        {
            if s.mediators[k].positions.is_empty() {
                fail(
                    path,
                    format!("mediator `{id}` sets the agenda (`offer`: `setter`) but has no `positions` to set it by"),
                )?;
            }
            setters.push(k);
        }
    }
    unused_preferences(s, &setters)
}

/// A mediator's `positions` and `deal_value` act only when it sets the agenda.
fn unused_preferences(s: &Scenario, setters: &[usize]) -> Check {
    for (k, med) in s.mediators.iter().enumerate() {
        if setters.contains(&k) {
            continue;
        }
        let why = "only a mediator that sets the agenda (a proposer, with `offer` `setter`) has preferences";
        if !med.positions.is_empty() {
            fail(format!("mediators[{k}].positions"), why)?;
        }
        if med.deal_value.is_some() {
            fail(format!("mediators[{k}].deal_value"), why)?;
        }
    }
    Ok(())
}

fn check_issues(s: &Scenario) -> Check {
    let mut ceasefire_issues = 0;
    for (i, issue) in s.issues.iter().enumerate() {
        let at = |f: &str| format!("issues[{i}].{f}");
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
                if let Some(days) = &issue.duration_days {
                    if days.len() != opts.len() {
                        fail(
                            at("duration_days"),
                            format!(
                                "`duration_days` needs one value per option ({} options, {} values)",
                                opts.len(),
                                days.len()
                            ),
                        )?;
                    }
                    if days.first().is_some_and(Option::is_some) {
                        fail(at("duration_days[0]"), "\"no ceasefire\" has no duration: give `null`")?;
                    }
                    for (j, d) in days.iter().enumerate() {
                        if let Some(Err(m)) = d.map(truce_days) {
                            fail(format!("issues[{i}].duration_days[{j}]"), m)?;
                        }
                    }
                }
            }
            Track::Settlement => {
                if issue.scope.is_some() {
                    fail(at("scope"), "`scope` belongs only to the ceasefire issue")?;
                }
                if issue.duration_days.is_some() {
                    fail(at("duration_days"), "`duration_days` belongs only to the ceasefire issue")?;
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
                    _ => {}
                }
            }
        }
    }
    if !s.issues.iter().any(|i| i.track == Track::Settlement) {
        fail("issues", "at least one issue must be on the settlement track")?;
    }
    Ok(())
}

fn check_model(s: &Scenario) -> Check {
    let m = &s.model;
    if m.proposal.offer.is_some() && m.proposal.proposer.is_none() && !s.rounds.iter().any(|r| r.proposer.is_some()) {
        fail("model.proposal.offer", "`offer` says what a proposer tables: name one (`proposer`), or remove it")?;
    }
    match (m.proposal.rule, &m.proposal.first_proposer) {
        (ProposalRule::Rubinstein, None) => {
            fail("model.proposal.first_proposer", "the rubinstein rule needs `first_proposer`")?
        }
        (ProposalRule::Rubinstein, Some(_)) | (_, None) => {}
        (_, Some(_)) => fail("model.proposal.first_proposer", "`first_proposer` belongs only to the rubinstein rule")?,
    }
    let bf = &m.battlefield;
    let Some(issue) = s.issues.iter().find(|i| i.id == bf.issue) else {
        return fail("model.battlefield.issue", format!("unknown issue `{}`", bf.issue));
    };
    if issue.scale.is_none() || issue.track != Track::Settlement {
        fail("model.battlefield.issue", "the battlefield issue must be a continuous (`scale`) settlement issue")?;
    }
    let (a, b) = (&s.parties[0], &s.parties[1]);
    if let (Some(pa), Some(pb)) = (a.positions.get(&issue.id), b.positions.get(&issue.id)) {
        let path = format!("parties[0].positions.{}.ideal", issue.id);
        separated_ideals(&path, &pa.ideal, &pb.ideal, &b.id)?;
    }
    Ok(())
}

/// Red lines on the conceding side of the ideal, and saliences that sum to 1.
fn check_positions(s: &Scenario, scope: Scope) -> Check {
    for (i, party) in s.parties.iter().enumerate() {
        let at = |f: &str| format!("parties[{i}].{f}");
        if i >= crate::scenario::walk::BELLIGERENTS {
            check_stakeholder_positions(s, i, party, scope)?;
            continue;
        }
        let other = &s.parties[1 - i];
        let mut salience_sum = 0.0;
        for issue in &s.issues {
            let Some(pos) = party.positions.get(&issue.id) else {
                return fail(at("positions"), format!("party `{}` has no position on issue `{}`", party.id, issue.id));
            };
            let pat = |f: &str| at(&format!("positions.{}.{f}", issue.id));
            salience_sum += pos.salience.central();
            if pos.red_line_from_front.is_some() {
                if issue.id != s.model.battlefield.issue {
                    fail(
                        pat("red_line_from_front"),
                        "a red line relative to the front belongs only to the battlefield issue",
                    )?;
                }
                if pos.red_line.is_some() {
                    fail(pat("red_line_from_front"), "give `red_line` or `red_line_from_front`, not both")?;
                }
            }
            check_give(party, issue, pos, &pat)?;
            let (Some(red), Some(other_pos)) = (&pos.red_line, other.positions.get(&issue.id)) else { continue };
            separated_ideals(&pat("ideal"), &pos.ideal, &other_pos.ideal, &other.id)?;
            let dir = concession_direction(&pos.ideal, &other_pos.ideal);
            let (ideal_lo, ideal_hi) = pos.ideal.support();
            let (red_lo, red_hi) = red.support();
            if dir == 0.0 {
                fail(pat("red_line"), "both sides share this ideal point, so a red line has no direction; remove it")?;
            } else if dir > 0.0 && red_lo < ideal_hi {
                fail(
                    pat("red_line"),
                    format!(
                        "red line on the wrong side of the ideal point: `{}` concedes upwards (towards `{}`), so its \
                         red line must not lie below its ideal ({red_lo} < {ideal_hi})",
                        party.id, other.id
                    ),
                )?;
            } else if dir < 0.0 && red_hi > ideal_lo {
                fail(
                    pat("red_line"),
                    format!(
                        "red line on the wrong side of the ideal point: `{}` concedes downwards (towards `{}`), so its \
                         red line must not lie above its ideal ({red_hi} > {ideal_lo})",
                        party.id, other.id
                    ),
                )?;
            }
        }
        if party.red_line_pressure.is_some() && !party.positions.values().any(|p| p.red_line_give.is_some()) {
            fail(
                at("red_line_pressure"),
                "`red_line_pressure` moves only red lines that give: add `red_line_give` to a position, or remove it",
            )?;
        }
        check_salience_sum(&at("positions"), party, salience_sum, scope)?;
    }
    Ok(())
}

/// A stakeholder's positions: a red line is a floor below its ideal and a ceiling above it
/// (docs/MODEL.md §7b), so it may not overlap the ideal; no red line moves with the front;
/// saliences sum to 1.
fn check_stakeholder_positions(s: &Scenario, i: usize, party: &Party, scope: Scope) -> Check {
    let at = |f: &str| format!("parties[{i}].{f}");
    let mut salience_sum = 0.0;
    for issue in &s.issues {
        let Some(pos) = party.positions.get(&issue.id) else {
            return fail(at("positions"), format!("party `{}` has no position on issue `{}`", party.id, issue.id));
        };
        let pat = |f: &str| at(&format!("positions.{}.{f}", issue.id));
        salience_sum += pos.salience.central();
        if pos.red_line_from_front.is_some() {
            fail(pat("red_line_from_front"), "a red line that moves with the front is a belligerent's")?;
        }
        check_give(party, issue, pos, &pat)?;
        if let Some(red) = &pos.red_line {
            let ((a_lo, a_hi), (r_lo, r_hi)) = (pos.ideal.support(), red.support());
            if !(r_lo >= a_hi || r_hi <= a_lo) || red.central() == pos.ideal.central() {
                fail(
                    pat("red_line"),
                    format!(
                        "a stakeholder's red line is a floor below its ideal or a ceiling above it, so it must not \
                         overlap the ideal ([{r_lo}, {r_hi}] against [{a_lo}, {a_hi}])"
                    ),
                )?;
            }
        }
    }
    check_salience_sum(&at("positions"), party, salience_sum, scope)
}

/// A party's saliences, by the means of their laws, sum to 1 where the scenario writes them.
fn check_salience_sum(path: &str, party: &Party, salience_sum: f64, scope: Scope) -> Check {
    if scope == Scope::Written && (salience_sum - 1.0).abs() > SALIENCE_SUM_TOLERANCE {
        fail(
            path.to_string(),
            format!(
                "the saliences of `{}` must sum to 1 (within {SALIENCE_SUM_TOLERANCE}; means of distributions are \
                 used), but they sum to {salience_sum:.4}",
                party.id
            ),
        )?;
    }
    Ok(())
}

/// A red line that gives under pressure: on a continuous settlement issue, to a red line the
/// position has, with the party's pressure that opens it; a cost of crossing only with a give.
fn check_give(party: &Party, issue: &Issue, pos: &Position, pat: &dyn Fn(&str) -> String) -> Check {
    if pos.past_red_line_cost.is_some() && pos.red_line_give.is_none() {
        fail(
            pat("past_red_line_cost"),
            "`past_red_line_cost` needs `red_line_give`: a red line that does not give is never crossed",
        )?;
    }
    if pos.red_line_give.is_none() {
        return Ok(());
    }
    if issue.scale.is_none() || issue.track != Track::Settlement {
        fail(pat("red_line_give"), "a red line gives only on a continuous (`scale`) settlement issue")?;
    }
    if pos.red_line.is_none() && pos.red_line_from_front.is_none() {
        fail(pat("red_line_give"), "a red line that gives needs a red line: `red_line` or `red_line_from_front`")?;
    }
    if party.red_line_pressure.is_none() {
        fail(
            pat("red_line_give"),
            format!(
                "a red line that gives needs `parties.{}.red_line_pressure`: the pressure at which it gives fully",
                party.id
            ),
        )?;
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
