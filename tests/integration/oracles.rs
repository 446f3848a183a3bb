//! Closed-form answers. In the `duel` scenario (one issue, ideals 1 and 0, saliences 1,
//! utilities u_north = x and u_south = 1 - x on the frontier u_north + u_south = 1) a side's
//! disagreement payoff is its utility at the front less its cost of war, so the settled
//! territory is the (weighted) Nash solution on that frontier, the same in every trial.

use serde_json::json;

use crate::util::{duel, remove, report, round, set};

const TRIALS: u64 = 200;

/// Every trial settles in the first round with territory `expected`: the report's mean is
/// exact, and its quantiles (from a 1000-bin histogram) lie within one bin of it.
fn assert_settles_at(v: &serde_json::Value, expected: f64, what: &str) {
    let r = report(v, TRIALS, 3);
    assert_eq!(r.rounds[0].outcomes.settlement.count, TRIALS, "{what}: not every trial settled in round 1");
    assert_eq!(r.settlement.reached.count, TRIALS, "{what}");
    let ((min, max), mean, quantiles) = r.continuous_term("territory");
    let mean = mean.expect("a mean when there are settlements");
    assert!((mean - expected).abs() < 1e-9, "{what}: mean territory {mean}, expected {expected}");
    let bin = (max - min) / 1000.0;
    let q = quantiles.expect("quantiles when there are settlements");
    for q in [q.p05, q.p25, q.p50, q.p75, q.p95] {
        assert!((q - expected).abs() <= bin, "{what}: quantile {q} is more than a bin ({bin}) from {expected}");
    }
}

/// Costs 0.3 and 0.4, front at 0.5: disagreement (0.5 - 0.3, 0.5 - 0.4) = (0.2, 0.1); the
/// symmetric Nash solution splits the surplus 0.7 equally: (0.55, 0.45).
#[test]
fn nash_splits_the_surplus_over_the_disagreement_point() {
    assert_settles_at(&duel(), 0.55, "nash");
    // The issue's units do not matter: on [0, 100] with the front at 50 the deal is 55.
    let mut v = duel();
    set(&mut v, "issues[0].scale.max", json!(100.0));
    set(&mut v, "model.battlefield.initial", json!(50.0));
    set(&mut v, "parties[0].positions.territory.ideal", json!(100.0));
    assert_settles_at(&v, 55.0, "nash on [0, 100]");
}

/// Costs 0.5 each at a front of 0.5: disagreement (0, 0). The Rubinstein share of the first
/// proposer with discount factors d_f (its own) and d_o (the other's) is
/// (1 - d_o) / (1 - d_f d_o); the weighted Nash solution with that weight on u0 + u1 = 1 and
/// d = 0 gives the first proposer exactly that share, which the settled territory is checked
/// against as the equilibrium of the alternating-offers game solved by backward induction.
/// The first proposer's share in the subgame-perfect equilibrium of alternating offers over a
/// unit pie, by backward induction from a last round where the proposer takes everything: with
/// n rounds left the proposer offers the responder what the responder would get proposing with
/// n - 1 left, discounted. Computed without the closed form, which it converges to.
fn alternating_offers_share(first: f64, other: f64) -> f64 {
    let (mut own, mut others) = (1.0, 1.0); // shares of the proposer with one round left
    for _ in 0..10_000 {
        (own, others) = (1.0 - other * others, 1.0 - first * own);
    }
    own
}

#[test]
fn rubinstein_gives_the_first_proposer_its_share() {
    let mut v = duel();
    for i in 0..2 {
        set(&mut v, &format!("parties[{i}].cost_of_war"), json!(0.5));
    }
    set(&mut v, "parties[0].patience", json!(0.9));
    set(&mut v, "parties[1].patience", json!(0.8));
    set(&mut v, "model.proposal", json!({ "rule": "rubinstein", "first_proposer": "north" }));
    assert_settles_at(&v, alternating_offers_share(0.9, 0.8), "rubinstein, north first");

    set(&mut v, "model.proposal.first_proposer", json!("south"));
    assert_settles_at(&v, 1.0 - alternating_offers_share(0.8, 0.9), "rubinstein, south first");

    // The limit of alternating offers as the time between offers shrinks: weights
    // ln d_other / (ln d_own + ln d_other).
    set(&mut v, "model.proposal", json!({ "rule": "patience_nash" }));
    let (l0, l1) = (0.9_f64.ln(), 0.8_f64.ln());
    assert_settles_at(&v, l1 / (l0 + l1), "patience_nash");
}

/// Fearon (1995): with a front at p = 0.6 and costs 0.1 and 0.15, north accepts any x >= 0.5
/// and south any x <= 0.75; the bargaining range (0.5, 0.75) is never empty, so leaders who
/// meet always agree; the symmetric Nash point is its middle, 0.625.
#[test]
fn fearon_bargaining_range_means_no_war() {
    let mut v = duel();
    set(&mut v, "model.battlefield.initial", json!(0.6));
    set(&mut v, "parties[0].cost_of_war", json!(0.1));
    set(&mut v, "parties[1].cost_of_war", json!(0.15));
    let r = report(&v, TRIALS, 8);
    let mean = r.continuous_term("territory").1.expect("settlements");
    assert!(0.5 < mean && mean < 0.75, "settled share {mean} outside the bargaining range");
    assert_settles_at(&v, 0.625, "fearon");

    // Mutual optimism g on each side shrinks the range to [0.5 + g, 0.75 - g]: with g = 0.1
    // it is [0.6, 0.65], still centred on 0.625.
    for i in 0..2 {
        set(&mut v, &format!("parties[{i}].optimism"), json!(0.1));
    }
    assert_settles_at(&v, 0.625, "fearon, optimism 0.1");

    // With g = 0.15 > (0.1 + 0.15) / 2 the range is empty: the sides meet and never agree.
    for i in 0..2 {
        set(&mut v, &format!("parties[{i}].optimism"), json!(0.15));
    }
    let r = report(&v, TRIALS, 8);
    assert_eq!(r.rounds[0].outcomes.talks_no_deal.count, TRIALS, "mutual optimism should leave no deal");
    assert_eq!(r.settlement.reached.count, 0);
}

/// Model 0.3 (issue 15): a red line may move with the front. North (conceding downwards)
/// keeps at least the front less 0.02, south (conceding upwards) cedes at most the front plus
/// 0.02. At the front 0.5 the Nash point 0.55 is cut to south's line 0.52. An event that moves
/// the front to 0.7 before the round moves the disagreement point to (0.4, -0.1), the Nash
/// point to 0.75, and south's line with the front to 0.72, where the deal lands. The same red
/// lines fixed where the front started (0.48 and 0.52, as in 0.2) hold the deal at 0.52
/// whatever the front does.
#[test]
fn a_red_line_relative_to_the_front_follows_it() {
    let mut v = duel();
    set(&mut v, "parties[0].positions.territory.red_line_from_front", json!(0.02));
    set(&mut v, "parties[1].positions.territory.red_line_from_front", json!(0.02));
    assert_settles_at(&v, 0.52, "relative red lines at the initial front");
    let push = json!([{
        "id": "push",
        "label": "north advances",
        "probability": 1.0,
        "effects": { "battlefield_shift": 0.2 }
    }]);
    set(&mut v, "events", push.clone());
    assert_settles_at(&v, 0.72, "relative red lines after the front moved to 0.7");

    let mut fixed = duel();
    set(&mut fixed, "parties[0].positions.territory.red_line", json!(0.48));
    set(&mut fixed, "parties[1].positions.territory.red_line", json!(0.52));
    set(&mut fixed, "events", push);
    assert_settles_at(&fixed, 0.52, "fixed red lines after the front moved to 0.7");
}

/// Model 0.3 (issue 15): a settlement can break, and one made by leverage breaks when the
/// leverage fades (Beardsley 2008). In `duel` with mistrust 0.1 on each side, costs 0 and
/// pressure 0.3 on each side from a mediator present at the first round only, the disagreement
/// point is (0.5 - 0.3, 0.5 - 0.3) = (0.2, 0.2) and any deal is worth 0.1 less: the deal is 0.5,
/// each side's surplus 0.2 is below its leverage 0.3 (flagged). At the second round the pressure
/// is gone: war is worth 0.5 to each, the settlement 0.5 - 0.1 = 0.4, so it breaks in every
/// trial. The equal deal reached through costs of war of 0.3 (no mediator) is not flagged, and
/// at the second round war is worth 0.5 - 0.3 = 0.2 < 0.4: it holds in every trial.
#[test]
fn a_settlement_made_by_leverage_breaks_when_the_leverage_fades() {
    let base = |cost: f64, pressure: Option<f64>| {
        let mut v = duel();
        for side in 0..2 {
            set(&mut v, &format!("parties[{side}].cost_of_war"), json!(cost));
            set(&mut v, &format!("parties[{side}].mistrust"), json!(0.1));
        }
        set(&mut v, "rounds", json!([round("r1", "leaders", 0.0), round("r2", "ministers", 1.0)]));
        if let Some(p) = pressure {
            let lev = json!({ "pressure": p });
            set(
                &mut v,
                "mediators",
                json!([{ "id": "broker", "name": "broker", "leverage": { "north": lev, "south": lev } }]),
            );
            set(&mut v, "rounds[0].mediators", json!(["broker"]));
        }
        v
    };
    let holds = |v: &serde_json::Value| {
        let r = report(v, TRIALS, 3);
        assert_eq!(r.rounds[0].settlement_signed.count, TRIALS, "every trial signs in round 1");
        (r.rounds[1].settlement_in_force.count, r.settlement.leverage_dependent.count)
    };
    assert_eq!(holds(&base(0.0, Some(0.3))), (0, TRIALS), "a leverage-made settlement must break");
    // The same deal through the cost of war: not leverage-dependent, and it holds.
    assert_eq!(holds(&base(0.3, None)), (TRIALS, 0), "a settlement made by the cost of war must hold");
}

/// Model 0.3 (issue 15): a side that walks out of an agreement makes later talks likelier to
/// collapse (Kydd 2005; MODEL.md §6 step 13). The duel with mistrust 0.1 settles in round 1
/// under pressure 0.3 that is gone in round 2, where both sides walk out (war 0.5 against the
/// settlement's 0.4, as above). Talks without a deal collapse with h = 0.2 in round 2, as the
/// state at its start holds no walk-out, and in round 3 with the odds doubled,
/// 0.2·2 / (0.2·2 + 0.8) = 1/3. Without the pressure nothing is signed and every meeting
/// collapses with 0.2 (the constant law of 0.2 gives 0.2 in round 3 in both).
#[test]
fn a_walk_out_raises_the_odds_that_later_talks_collapse() {
    const N: u64 = 20_000;
    let collapse_given_standing = |pressure: bool| {
        let mut v = duel();
        for side in 0..2 {
            set(&mut v, &format!("parties[{side}].cost_of_war"), json!(0.0));
            set(&mut v, &format!("parties[{side}].mistrust"), json!(0.1));
        }
        set(&mut v, "model.collapse_hazard", json!(0.2));
        set(
            &mut v,
            "rounds",
            json!([round("r1", "leaders", 0.0), round("r2", "ministers", 1.0), round("r3", "officials", 1.0)]),
        );
        if pressure {
            let lev = json!({ "pressure": 0.3 });
            set(
                &mut v,
                "mediators",
                json!([{ "id": "broker", "name": "broker", "leverage": { "north": lev, "south": lev } }]),
            );
            set(&mut v, "rounds[0].mediators", json!(["broker"]));
        }
        let r = report(&v, N, 5);
        let walked_out = r.rounds[0].settlement_signed.count == N && r.rounds[1].settlement_in_force.count == 0;
        assert_eq!(walked_out, pressure, "the settlement is signed in round 1 and left in round 2 iff pressed");
        [1, 2].map(|t| {
            let standing = N - r.rounds[t - 1].outcomes.collapse.count;
            (r.rounds[t].collapsed.count as f64 / standing as f64, standing as f64)
        })
    };
    for (pressure, expected) in [(false, [0.2, 0.2]), (true, [0.2, 1.0 / 3.0])] {
        for ((p, n), want) in collapse_given_standing(pressure).into_iter().zip(expected) {
            let se = (want * (1.0 - want) / n).sqrt();
            assert!((p - want).abs() < 4.0 * se, "pressure {pressure}: collapse chance {p}, expected {want} (se {se})");
        }
    }
}

/// Model 0.3 (issue 15): concave utility. With curvatures γ (ζ in docs/MODEL.md) the duel's utilities are
/// u_north = 1 - (1 - x)^γ0 and u_south = 1 - x^γ1, and at the front 0.5 the disagreement
/// payoffs are 1 - 0.5^γ_i less the costs. γ = (2, 2), costs 0.1 and 0.395: d = (0.65, 0.355),
/// and the first-order condition of the Nash product, γ0 (1 - x)^(γ0 - 1) / e0 =
/// γ1 x^(γ1 - 1) / e1, reads (1 - x)(0.645 - x^2) = x (0.35 - (1 - x)^2), which x = 0.6
/// satisfies (0.4 * 0.285 = 0.6 * 0.19). With linear utilities (0.2) the same costs give
/// d = (0.4, 0.105) and the deal 0.6475.
#[test]
fn concave_utilities_settle_at_their_nash_point() {
    let mut v = duel();
    set(&mut v, "parties[0].cost_of_war", json!(0.1));
    set(&mut v, "parties[1].cost_of_war", json!(0.395));
    assert_settles_at(&v, 0.6475, "linear");
    for i in 0..2 {
        set(&mut v, &format!("parties[{i}].curvature"), json!(2.0));
    }
    assert_settles_at(&v, 0.6, "curvature 2 on both sides");

    // Curvature 1 written out is the linear model of 0.2.
    let mut linear = duel();
    for i in 0..2 {
        set(&mut linear, &format!("parties[{i}].curvature"), json!(1.0));
    }
    assert_settles_at(&linear, 0.55, "curvature 1 on both sides");
}

/// Kihlstrom, Roth and Schmeidler (1981): the more risk-averse side gets less under the Nash
/// solution. Costs equal to each side's utility of the front make the disagreement point
/// (0, 0): with both sides linear the split is 0.5; with north's curvature 2 the product
/// (1 - y^2) y of y = 1 - x peaks at y = 1/sqrt(3), so north gets 1 - 1/sqrt(3) = 0.4226; with
/// south's curvature 2 instead, south gets that much and north 1/sqrt(3).
#[test]
fn the_more_risk_averse_side_gets_less() {
    let with = |gamma: [f64; 2]| {
        let mut v = duel();
        for (i, g) in gamma.into_iter().enumerate() {
            set(&mut v, &format!("parties[{i}].curvature"), json!(g));
            set(&mut v, &format!("parties[{i}].cost_of_war"), json!(1.0 - 0.5f64.powf(g)));
        }
        v
    };
    assert_settles_at(&with([1.0, 1.0]), 0.5, "both linear");
    assert_settles_at(&with([2.0, 1.0]), 1.0 - 1.0 / 3f64.sqrt(), "north risk-averse");
    assert_settles_at(&with([1.0, 2.0]), 1.0 / 3f64.sqrt(), "south risk-averse");
}

/// Model 0.3 (issue 15), calendar time: costs are per month and refusing a deal costs the war
/// until the next chance to settle, each month discounted by the side's patience. One round two
/// months after the start (the last round looks ahead by its own spacing), patience 0.9, costs
/// 0.1 and 0.15 a month: the discounted months are (1 - 0.9^2) / -ln 0.9, the disagreement point
/// (0.5 - 0.1 A, 0.5 - 0.15 A), and the Nash split (1 + d_north - d_south) / 2.
#[test]
fn in_calendar_time_refusing_costs_the_war_until_the_next_chance() {
    let mut v = duel();
    set(&mut v, "model.time", json!("calendar"));
    set(&mut v, "rounds[0].months_before", json!(2.0));
    set(&mut v, "parties[0].cost_of_war", json!(0.1));
    set(&mut v, "parties[1].cost_of_war", json!(0.15));
    let months = (1.0 - 0.9f64.powi(2)) / -(0.9f64.ln());
    let (north, south) = (0.5 - 0.1 * months, 0.5 - 0.15 * months);
    assert_settles_at(&v, (1.0 + north - south) / 2.0, "calendar time");

    // A real advance is no misperception: north three times as strong (balance 0.5) with a
    // drift of 0.02 a month moves the front to 0.52 by the round, and both sides value the war
    // at where it is heading by the next chance to settle, 0.54 (in rounds time, at 0.52).
    set(&mut v, "parties[0].capability", json!(3.0));
    set(&mut v, "model.battlefield.max_drift_per_month", json!(0.02));
    let heading = 0.5 + 2.0 * 0.02 * 0.5 * 2.0;
    let (north, south) = (heading - 0.1 * months, 1.0 - heading - 0.15 * months);
    assert_settles_at(&v, (1.0 + north - south) / 2.0, "calendar time with a drift");

    // War weariness counts from the war's start: 366 days before `as_of` (2025-01-01) is
    // 366 / 30.436875 months, and the round two months later.
    set(&mut v, "meta.war_start", json!("2024-01-01"));
    set(&mut v, "model.war_weariness_per_month", json!(0.1));
    let weary = 1.0 + 0.1 * (366.0 / 30.436_875 + 2.0);
    let (north, south) = (heading - 0.1 * weary * months, 1.0 - heading - 0.15 * weary * months);
    assert_settles_at(&v, (1.0 + north - south) / 2.0, "calendar time from the war's start");

    // Refusing also risks the talks' breakdown: with a collapse hazard of 0.1, the war after
    // the next chance counts for ever with chance 0.1 (0.2 and 0.3 before: not at all).
    set(&mut v, "model.collapse_hazard", json!(0.1));
    let at_risk = (1.0 - 0.81 + 0.1 * 0.81) / -(0.9f64.ln());
    let (north, south) = (heading - 0.1 * weary * at_risk, 1.0 - heading - 0.15 * weary * at_risk);
    assert_settles_at(&v, (1.0 + north - south) / 2.0, "calendar time with a risk of breakdown");

    // A meeting that agrees a humanitarian step does not collapse (steps 12-13), so with a
    // humanitarian rate of 0.5 the risk a refusal runs is 0.1 × 0.5.
    set(&mut v, "model.humanitarian_rate", json!(0.5));
    let at_risk = (1.0 - 0.81 + 0.05 * 0.81) / -(0.9f64.ln());
    let (north, south) = (heading - 0.1 * weary * at_risk, 1.0 - heading - 0.15 * weary * at_risk);
    assert_settles_at(&v, (1.0 + north - south) / 2.0, "calendar time, breakdown spared by humanitarian steps");
}

/// The implementation hazard (MODEL.md §6 step 5): a settlement signed at the first round,
/// tested three months later with a hazard of 0.1 a month and standing guarantees of 0.5 on
/// both sides, breaks with chance 1 - (1 - 0.1 (1 - 0.5))^3 = 0.142625; nothing else can break
/// it (war is worth 0.2 and 0.1 to the sides, the settlement 0.55 and 0.45). Checked within 4
/// standard errors of 20,000 trials.
#[test]
fn the_implementation_hazard_breaks_settlements_at_its_monthly_rate() {
    let mut v = duel();
    set(&mut v, "model.implementation_hazard_per_month", json!(0.1));
    set(&mut v, "rounds", json!([round("r1", "leaders", 0.0), round("r2", "officials", 3.0)]));
    let lev = json!({ "guarantees": 0.5 });
    set(
        &mut v,
        "mediators",
        json!([{ "id": "guarantor", "name": "guarantor", "leverage": { "north": lev, "south": lev }, "standing": ["guarantees"] }]),
    );
    let n = 20_000;
    let r = report(&v, n, 5);
    assert_eq!(r.rounds[0].settlement_signed.count, n, "every trial settles at the first round");
    let p = 1.0 - 0.95f64.powi(3);
    let broke = (n - r.rounds[1].settlement_in_force.count) as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!((broke - p).abs() < 4.0 * se, "broken in {broke} of trials, expected {p} ± {}", 4.0 * se);
}

/// `duel` with south's red line at 0.5, a give of `give` that opens fully at a pressure of 0.2,
/// and a mediator in the first round pressing south with `pressure`: the disagreement point is
/// (0.5 - 0.3, 0.5 - 0.4 - pressure) = (0.2, 0.1 - pressure), and the Nash point without red
/// lines (1 + 0.2 - 0.1 + pressure) / 2 = 0.55 + pressure / 2.
fn pressed(give: f64, pressure: f64) -> serde_json::Value {
    let mut v = duel();
    set(&mut v, "parties[1].positions.territory.red_line", json!(0.5));
    set(&mut v, "parties[1].positions.territory.red_line_give", json!(give));
    set(&mut v, "parties[1].red_line_pressure", json!(0.2));
    let lev = json!({ "south": { "pressure": pressure } });
    set(&mut v, "mediators", json!([{ "id": "broker", "name": "broker", "leverage": lev }]));
    set(&mut v, "rounds[0].mediators", json!(["broker"]));
    v
}

/// Model 0.3 (issue 15): leverage moves a red line within its stated bound (MODEL.md §5). South's
/// line 0.5 gives 0.1 · min(1, P / 0.2) under a pressure P. Without pressure the deal stops at the
/// old line, 0.5 (Nash point 0.55); at P = 0.1 the line opens halfway, to 0.55, and the deal
/// lands there (Nash point 0.6); at P = 0.2 it opens fully, to 0.6 (Nash point 0.65); at P = 0.4
/// no further than its bound, 0.6 (Nash point 0.75). The same pressure on a line that does not
/// give holds the deal at 0.5, as in 0.2. On the battlefield, a line that moves with the front
/// (0.02 beyond it) gives the same way: 0.52 without pressure, 0.62 at P = 0.2.
#[test]
fn pressure_opens_a_red_line_within_its_stated_bound() {
    assert_settles_at(&pressed(0.1, 0.0), 0.5, "no pressure: the old line");
    assert_settles_at(&pressed(0.1, 0.1), 0.55, "half the pressure: half the give");
    assert_settles_at(&pressed(0.1, 0.2), 0.6, "full pressure: the whole give");
    assert_settles_at(&pressed(0.1, 0.4), 0.6, "more pressure: no more than the give");
    let mut rigid = pressed(0.1, 0.4);
    remove(&mut rigid, "parties[1].positions.territory.red_line_give");
    remove(&mut rigid, "parties[1].red_line_pressure");
    assert_settles_at(&rigid, 0.5, "a line without give does not move");

    for (pressure, deal) in [(0.0, 0.52), (0.2, 0.62)] {
        let mut v = pressed(0.1, pressure);
        remove(&mut v, "parties[1].positions.territory.red_line");
        set(&mut v, "parties[1].positions.territory.red_line_from_front", json!(0.02));
        assert_settles_at(&v, deal, &format!("a line from the front under pressure {pressure}"));
    }
    // A deal past the old line rests on the pressure: it is flagged leverage-dependent, though
    // each side's surplus (0.4 and 0.4 at 0.6) exceeds the leverage 0.2.
    let r = report(&pressed(0.1, 0.2), TRIALS, 3);
    assert_eq!(r.settlement.leverage_dependent.count, TRIALS);
    let r = report(&pressed(0.1, 0.0), TRIALS, 3);
    assert_eq!(r.settlement.leverage_dependent.count, 0);
}

/// Model 0.3 (issue 15): conceding past the old red line costs south κ per unit (audience costs),
/// so past 0.5 its utility is 1 - x - κ (x - 0.5). With the line free to open to 1 (give 0.5) at
/// the full pressure 0.2, d = (0.2, -0.1) and the Nash point on the costly piece is
/// x = (1 + 0.5 κ - d1 + (1 + κ) d0) / (2 (1 + κ)): 0.65 at κ = 0, 0.55 at κ = 0.5. A cost of 2
/// puts that point below 0.5, so the deal stays at the old line. On a scale of 0 to 100 the give
/// (50) and the cost (0.005 per unit) are the same in normalized terms: 55.
#[test]
fn conceding_past_a_red_line_costs_its_stated_price() {
    let with_cost = |cost: f64| {
        let mut v = pressed(0.5, 0.2);
        set(&mut v, "parties[1].positions.territory.past_red_line_cost", json!(cost));
        v
    };
    let deal = |k: f64| (1.0 + 0.5 * k + 0.1 + (1.0 + k) * 0.2) / (2.0 * (1.0 + k));
    assert_settles_at(&with_cost(0.0), deal(0.0), "no cost");
    assert!((deal(0.5) - 0.55).abs() < 1e-12);
    assert_settles_at(&with_cost(0.5), deal(0.5), "cost 0.5 per unit");
    assert_settles_at(&with_cost(2.0), 0.5, "a cost that holds the line");

    let mut v = with_cost(0.005);
    set(&mut v, "issues[0].scale.max", json!(100.0));
    set(&mut v, "model.battlefield.initial", json!(50.0));
    set(&mut v, "parties[0].positions.territory.ideal", json!(100.0));
    set(&mut v, "parties[1].positions.territory.red_line", json!(50.0));
    set(&mut v, "parties[1].positions.territory.red_line_give", json!(50.0));
    assert_settles_at(&v, 100.0 * deal(0.5), "on [0, 100]");
}

/// Model 0.3 (issue 15): a settlement past a red line that pressure opened breaks when the
/// pressure fades (MODEL.md §6 step 5), while the same terms inside the red lines hold. South's
/// line 0.5 opened to 0.6 by pressure 0.2 at the first round gives the deal 0.6; at the second
/// round the mediator is gone, the line closes, and south repudiates the terms in every trial,
/// although the deal is still worth more to it than war (0.4 against 0.1). With the pressure
/// standing it stays open and the deal holds. The same deal under a fixed line at 0.6 is not
/// leverage-dependent (surpluses 0.4 and 0.5 above the leverage) and holds.
#[test]
fn a_settlement_past_a_red_line_breaks_when_the_pressure_fades() {
    let two_rounds = |mut v: serde_json::Value| {
        set(&mut v, "rounds", json!([round("r1", "leaders", 0.0), round("r2", "ministers", 1.0)]));
        set(&mut v, "rounds[0].mediators", json!(["broker"]));
        v
    };
    let holds = |v: &serde_json::Value| {
        let r = report(v, TRIALS, 3);
        assert_eq!(r.rounds[0].settlement_signed.count, TRIALS, "every trial signs in round 1");
        let mean = r.continuous_term("territory").1.expect("settlements");
        assert!((mean - 0.6).abs() < 1e-9, "the deal is 0.6, not {mean}");
        (r.rounds[1].settlement_in_force.count, r.settlement.leverage_dependent.count)
    };
    let opened = two_rounds(pressed(0.1, 0.2));
    assert_eq!(holds(&opened), (0, TRIALS), "terms past a closed red line must break");
    let mut standing = opened.clone();
    set(&mut standing, "mediators[0].standing", json!(["pressure"]));
    assert_eq!(holds(&standing), (TRIALS, TRIALS), "standing pressure keeps the line open");
    let mut inside = opened;
    set(&mut inside, "parties[1].positions.territory.red_line", json!(0.6));
    remove(&mut inside, "parties[1].positions.territory.red_line_give");
    remove(&mut inside, "parties[1].red_line_pressure");
    assert_eq!(holds(&inside), (TRIALS, 0), "the same terms inside the red lines must hold");
}

/// `duel` with a ceasefire issue whose one truce halts all the fighting and lasts `days` (none:
/// until it breaks), wanted by both sides (salience 0.2 each, territory 0.8), and north the
/// stronger (capabilities 3 and 1: balance 0.5, so the front drifts 0.02 × 0.5 = 0.01 a month
/// towards north while the war goes on).
fn drifting_truce(days: Option<f64>) -> serde_json::Value {
    let mut v = duel();
    let mut issue = json!({
        "id": "ceasefire",
        "label": "ceasefire",
        "track": "ceasefire",
        "options": ["none", "truce"],
        "scope": [0.0, 1.0]
    });
    if let Some(d) = days {
        issue["duration_days"] = json!([null, d]);
    }
    crate::util::at(&mut v, "issues").as_array_mut().expect("issues").push(issue);
    for i in 0..2 {
        set(&mut v, &format!("parties[{i}].positions.territory.salience"), json!(0.8));
        set(&mut v, &format!("parties[{i}].positions.ceasefire"), json!({ "ideal": 1.0, "salience": 0.2 }));
    }
    set(&mut v, "parties[0].capability", json!(3.0));
    set(&mut v, "model.battlefield.max_drift_per_month", json!(0.02));
    v
}

/// Model 0.3 (issue 15): a truce of fixed duration holds its days, then ends by itself and the
/// war resumes. The ministers sign a 30-day truce at r1; r2 comes two months later. The truce
/// halted the fighting for 30 / 30.436875 of those months and then ended, so the front moved
/// F = 0.5 + 0.01 (2 - 30 / 30.436875) and no ceasefire holds at r2. At r3 (leaders, no time in
/// between) the sides settle from the war: e_north = 0.8 x + 0.2 - (0.8 F - 0.3) and
/// e_south = 0.8 (1 - x) + 0.2 - (0.8 (1 - F) - 0.4) are equal at x = F + 0.1 / 1.6. Without a
/// duration (0.2's truce, "for ever") the truce still holds at r2 and the front has not moved.
/// A ministers' round after the truce ended may sign it again.
#[test]
fn a_truce_of_fixed_duration_holds_its_days_then_the_war_resumes() {
    let rounds =
        |second: &str| json!([round("r1", "ministers", 0.0), round("r2", second, 2.0), round("r3", "leaders", 0.0)]);
    let mut v = drifting_truce(Some(30.0));
    set(&mut v, "rounds", rounds("officials"));
    let r = report(&v, TRIALS, 3);
    assert_eq!(r.rounds[0].ceasefire_signed.count, TRIALS, "every trial signs the truce at r1");
    assert_eq!(r.rounds[1].ceasefire_in_force.count, 0, "the 30-day truce is over two months later");
    assert_eq!(r.rounds[2].settlement_signed.count, TRIALS, "every trial settles at r3");
    let front = 0.5 + 0.01 * (2.0 - 30.0 / 30.436875);
    let (_, mean, _) = r.continuous_term("territory");
    let mean = mean.expect("a mean when there are settlements");
    let expected = front + 0.1 / 1.6;
    assert!((mean - expected).abs() < 1e-9, "territory {mean}, expected {expected} (front {front})");

    let mut forever = drifting_truce(None);
    set(&mut forever, "rounds", rounds("officials"));
    let r = report(&forever, TRIALS, 3);
    assert_eq!(r.rounds[1].ceasefire_in_force.count, TRIALS, "a truce without a duration still holds");

    set(&mut v, "rounds", rounds("ministers"));
    let r = report(&v, TRIALS, 3);
    assert_eq!(r.rounds[1].ceasefire_signed.count, TRIALS, "the truce is signed again once it ended");
    assert_eq!(r.rounds[1].ceasefire_in_force.count, TRIALS);
}
