//! Properties every trial or every report must have: red lines hold, an absent side blocks any
//! deal, more pressure never delays the first agreement (under common random numbers),
//! outcomes are consistent across rounds.

use proptest::prelude::*;
use serde_json::{Value, json};
use sim::engine::{Layout, Model, TrialRecord, TrialRng};
use sim::model::Outcome;

use crate::util::{
    ALIGNMENT_RED_LINES, Read, TERRITORY_RED_LINES, at, first_agreement, get, index_of, model, records, remove, report,
    rugged, set, summit, summit_report, uniform,
};

/// Slack the model allows against rounding when it compares a position with a red line.
const EPS: f64 = 1e-9;

/// Red lines as bounds on the settled terms: territory in [lo, hi], alignment option in [lo, hi].
#[derive(Debug, Clone, Copy)]
struct Bounds {
    territory: (f64, f64),
    alignment: (usize, usize),
}

/// Checks every settled record against the bounds; returns the settled records and those whose
/// territory sits on a red line (where the red line binds).
fn check_red_lines(layout: &Layout, recs: &[TrialRecord], b: Bounds) -> Result<(usize, usize), String> {
    let (mut settled, mut binding) = (0, 0);
    for (t, r) in recs.iter().enumerate().filter(|(_, r)| Read { layout, record: r }.settled()) {
        settled += 1;
        let read = Read { layout, record: r };
        let terms = read.terms();
        let (territory, option) = (terms[0], terms[1]);
        if !(b.territory.0 - EPS <= territory && territory <= b.territory.1 + EPS) {
            return Err(format!("trial {t}: territory {territory} crosses the red lines {:?}: {r:?}", b.territory));
        }
        if option.fract() != 0.0 || !(b.alignment.0 as f64 <= option && option <= b.alignment.1 as f64) {
            return Err(format!("trial {t}: alignment option {option} outside {:?}: {r:?}", b.alignment));
        }
        binding += usize::from((territory - b.territory.0).abs() < 1e-6 || (territory - b.territory.1).abs() < 1e-6);
    }
    Ok((settled, binding))
}

#[test]
fn settlements_never_cross_a_red_line() {
    let n = 20_000;
    let bounds = Bounds { territory: TERRITORY_RED_LINES, alignment: ALIGNMENT_RED_LINES };
    let v = rugged();
    let m = model(&v);
    let recs = records(&m, 42, 0..n);
    let (settled, binding) = check_red_lines(m.layout(), &recs, bounds).unwrap_or_else(|e| panic!("{e}"));
    assert!(settled >= n as usize / 20, "only {settled} of {n} trials settled: the test would prove little");
    assert!(binding > 0, "no settlement sits on a red line: the red lines never bind, the test proves little");

    // The test has teeth: without the red lines, the same trials (common random numbers)
    // settle outside the band.
    let mut free = v.clone();
    for p in ["parties[0]", "parties[1]"] {
        for issue in ["territory", "alignment"] {
            remove(&mut free, &format!("{p}.positions.{issue}.red_line"));
        }
    }
    let m = model(&free);
    let recs = records(&m, 42, 0..n);
    let outside = check_red_lines(m.layout(), &recs, bounds).is_err();
    assert!(outside, "without red lines every settlement stays inside them anyway");
}

/// Model 0.3 (issue 15): with linear utilities the Nash solution lands on a corner of the
/// bargaining range, here the red lines, in many settlements; with curvature 2 on both sides
/// deals land strictly inside it far more often. Same trials (common random numbers); the
/// curvature is fixed, so it reads no slot and leaves every other draw alone.
#[test]
fn concave_utilities_settle_inside_the_red_lines() {
    let n = 20_000;
    let bounds = Bounds { territory: TERRITORY_RED_LINES, alignment: ALIGNMENT_RED_LINES };
    let inside = |curvature: Option<f64>| {
        let mut v = rugged();
        if let Some(g) = curvature {
            for i in 0..2 {
                set(&mut v, &format!("parties[{i}].curvature"), json!(g));
            }
        }
        let m = model(&v);
        let (settled, binding) =
            check_red_lines(m.layout(), &records(&m, 42, 0..n), bounds).unwrap_or_else(|e| panic!("{e}"));
        assert!(settled >= n as usize / 20, "only {settled} of {n} trials settled: the test would prove little");
        (settled - binding) as f64 / settled as f64
    };
    let (linear, concave) = (inside(None), inside(Some(2.0)));
    // Each share is a proportion of at least 1000 settlements: its standard error is below
    // 0.016, so a gap of 0.2 is more than eight combined standard errors.
    assert!(concave > linear + 0.2, "inside the red lines: {concave:.3} with curvature 2, {linear:.3} linear");
}

/// Strategy: an ordered issue of `n` options with south's ideal, north's ideal above it, north's
/// red line at or below its ideal and south's at or above its own.
fn ordered_lines() -> impl Strategy<Value = (usize, usize, usize, usize, usize)> {
    (3usize..=6)
        .prop_flat_map(|n| (Just(n), 0..n - 1))
        .prop_flat_map(|(n, south)| (Just(n), Just(south), south + 1..n))
        .prop_flat_map(|(n, south, north)| (Just(n), Just(south), Just(north), 0..=north, south..n))
}

/// `rugged` with fixed ideals and red lines on both issues.
fn with_lines(territory: [f64; 4], alignment: (usize, usize, usize, usize, usize)) -> Value {
    let [north_ideal, north_red, south_ideal, south_red] = territory;
    let (n, south_a, north_a, north_red_a, south_red_a) = alignment;
    let mut v = rugged();
    let k = index_of(&v, "issues", "alignment");
    set(&mut v, &format!("issues[{k}].options"), json!((0..n).map(|i| format!("option {i}")).collect::<Vec<_>>()));
    set(&mut v, &format!("issues[{k}].reversion"), json!((n - 1) as f64 / 2.0));
    for (p, ideal, red, ideal_a, red_a) in
        [(0, north_ideal, north_red, north_a, north_red_a), (1, south_ideal, south_red, south_a, south_red_a)]
    {
        let pos = format!("parties[{p}].positions");
        set(&mut v, &format!("{pos}.territory.ideal"), json!(ideal));
        set(&mut v, &format!("{pos}.territory.red_line"), json!(red));
        set(&mut v, &format!("{pos}.alignment.ideal"), json!(ideal_a as f64));
        set(&mut v, &format!("{pos}.alignment.red_line"), json!(red_a as f64));
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Red lines and ideals drawn by proptest, fixed within a case; costs, saliences, noise and
    /// the war stay random across the case's trials.
    #[test]
    fn settlements_never_cross_red_lines_drawn_at_random(
        north_ideal in 0.55..=1.0f64,
        north_frac in 0.0..=1.0f64,
        south_ideal in 0.0..=0.45f64,
        south_frac in 0.0..=1.0f64,
        alignment in ordered_lines(),
        seed in any::<u64>(),
    ) {
        let north_red = north_frac * north_ideal;
        let south_red = south_ideal + south_frac * (1.0 - south_ideal);
        let v = with_lines([north_ideal, north_red, south_ideal, south_red], alignment);
        let (_, _, _, north_red_a, south_red_a) = alignment;
        let bounds = Bounds { territory: (north_red, south_red), alignment: (north_red_a, south_red_a) };
        let m = model(&v);
        let recs = records(&m, seed, 0..1000);
        if let Err(e) = check_red_lines(m.layout(), &recs, bounds) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// A side that attends with probability 0 makes the round a no-meeting, even when an event
/// multiplies its attendance; later rounds where it is absent carry a settlement or collapse
/// over, or are no-meetings.
#[test]
fn an_absent_side_blocks_every_deal_in_its_round() {
    let n = 10_000;
    let mut v = rugged();
    set(&mut v, "rounds[0].delegations.north.level", json!("leaders"));
    set(&mut v, "rounds[0].delegations.south.level", json!("leaders"));
    // Without the absence, the first round does produce deals: the test has teeth.
    let present = report(&v, n, 5);
    let deals = |o: &crate::util::Outcomes| o.ceasefire.count + o.settlement.count + o.humanitarian.count;
    assert!(deals(&present.rounds[0].outcomes) > 0, "round 1 never gives a deal even with both sides present");

    set(&mut v, "rounds[0].delegations.north.attendance", json!(0.0));
    set(&mut v, "rounds[2].delegations.south.attendance", json!(0.0));
    set(
        &mut v,
        "events",
        json!([{
            "id": "summons",
            "label": "a summons that doubles attendance",
            "probability": 1.0,
            "effects": { "attendance_factor": { "north": 2.0, "south": 2.0 } }
        }]),
    );
    let r = report(&v, n, 5);
    assert_eq!(r.rounds[0].outcomes.no_meeting.count, n, "P(no meeting in round 1) must be exactly 1");
    assert_eq!(r.rounds[0].outcomes.no_meeting.p, 1.0);

    for (t, rec) in records(&model(&v), 5, 0..n).iter().enumerate() {
        let outcomes = Read { layout: model(&v).layout(), record: rec }.outcomes();
        let (before, absent) = (outcomes[1], outcomes[2]);
        let carried = matches!(before, Outcome::Settlement | Outcome::Collapse) && absent == before;
        assert!(absent == Outcome::NoMeeting || carried, "trial {t}: round 3 without south gave {absent:?}: {rec:?}");
    }
}

/// docs/MODEL.md §10: before the first agreement pressure enters only the disagreement payoff,
/// so under common random numbers a run with more pressure on a side reaches its first
/// agreement (ceasefire or settlement) no later than the run with less, trial by trial.
#[test]
fn more_pressure_never_delays_the_first_agreement() {
    let base = summit();
    let mut raised = base.clone();
    let us = index_of(&base, "mediators", "united_states");
    let pressure = format!("mediators[{us}].leverage.russia.pressure");
    assert_eq!(get(&base, &format!("{pressure}.dist")), "uniform", "a shifted uniform is coupled pointwise");
    for end in ["low", "high"] {
        let x = at(&mut raised, &format!("{pressure}.{end}"));
        *x = json!(x.as_f64().expect("a number") + 0.05);
    }
    let (m0, m1) = (model(&base), model(&raised));
    let (mut s0, mut s1) = (m0.scratch(), m1.scratch());
    let (mut r0, mut r1) = (TrialRecord::new(m0.layout()), TrialRecord::new(m1.layout()));
    let seed = 20_251_119;
    let n = 5000;
    let (mut reached0, mut reached1, mut earlier) = (0, 0, 0);
    let mut violations = Vec::new();
    for t in 0..n {
        let rng = TrialRng::new(seed, t);
        m0.run_trial(&rng, &mut s0, &mut r0);
        m1.run_trial(&rng, &mut s1, &mut r1);
        let (f0, f1) = (first_agreement(&r0).unwrap_or(usize::MAX), first_agreement(&r1).unwrap_or(usize::MAX));
        reached0 += u64::from(f0 != usize::MAX);
        reached1 += u64::from(f1 != usize::MAX);
        earlier += u64::from(f1 < f0);
        if f1 > f0 {
            violations.push(format!("trial {t}:\n  base:   {r0:?}\n  raised: {r1:?}"));
        }
    }
    assert!(
        violations.is_empty(),
        "more pressure delayed the first agreement in {} of {n} trials (seed {seed}); first ones:\n{}",
        violations.len(),
        violations.iter().take(3).cloned().collect::<Vec<_>>().join("\n")
    );
    assert!(reached1 >= reached0, "P(agreement by the last round) fell from {reached0} to {reached1} of {n}");
    assert!(earlier > 0, "raising the pressure changed nothing: the test proves little");
}

/// Reports of the bundled scenario: the six outcomes of a round partition the trials, and the
/// cumulative measures never fall.
#[test]
fn outcomes_partition_the_trials_and_cumulative_measures_never_fall() {
    let n = crate::statistics::shared_trials();
    let r = summit_report(n, crate::statistics::SEED_A);
    assert_eq!(r.run.trials, n);
    let mut last: Option<&crate::util::RoundReport> = None;
    for round in &r.rounds {
        let o = &round.outcomes;
        let counts: u64 = o.all().iter().map(|(_, e)| e.count).sum();
        assert_eq!(counts, n, "round {}: outcome counts sum to {counts}, not {n}", round.id);
        let p: f64 = o.all().iter().map(|(_, e)| e.p).sum();
        assert!((p - 1.0).abs() < 1e-12, "round {}: probabilities sum to {p}", round.id);
        assert_eq!(round.settlement_in_force.count, o.settlement.count, "the outcome settlement is one in force");
        assert!(round.settlement_in_force.count <= round.settlement_reached.count, "a settlement in force was signed");
        assert!(round.settlement_reached.count <= round.ceasefire_reached.count, "a settlement is an agreement");
        if let Some(prev) = last {
            for (what, a, b) in [
                ("settlement reached", prev.settlement_reached.count, round.settlement_reached.count),
                ("ceasefire reached", prev.ceasefire_reached.count, round.ceasefire_reached.count),
                ("collapse", prev.outcomes.collapse.count, o.collapse.count),
            ] {
                assert!(a <= b, "{what} fell from {a} to {b} between rounds {} and {}", prev.id, round.id);
            }
        }
        last = Some(round);
    }
    let last = last.expect("rounds");
    assert_eq!(r.settlement.reached.count, last.settlement_reached.count);
    let ceasefire = r.ceasefire.as_ref().expect("the bundled scenario has a ceasefire issue");
    assert!(ceasefire.reached.count <= last.ceasefire_reached.count, "a first ceasefire is an agreement");
    let shares: u64 = ceasefire.first_terms().iter().map(|o| o.share.count).sum();
    assert_eq!(shares, ceasefire.reached.count, "every first ceasefire has its option");
    assert!(last.ceasefire_reached.count > 0, "no agreement at all in {n} trials: the checks above prove little");
}

/// Trial records are consistent: collapse absorbs, the outcome settlement is a settlement in
/// force, a trial that signed one has its terms inside the issues' ranges, the first
/// ceasefire's option is recorded exactly when a ceasefire was signed.
#[test]
fn trial_records_are_consistent() {
    for (name, v, n) in [("bundled", summit(), 2000), ("rugged", rugged(), 5000)] {
        let m = model(&v);
        let layout = m.layout();
        let terms = &layout.events[0].terms;
        // The first ceasefire's term lists the options but "no ceasefire".
        let ceasefire_options = layout.events.get(1).map_or(0, |e| match &e.terms[0].kind {
            sim::engine::TermKind::Options(o) => o.len() + 1,
            sim::engine::TermKind::Continuous { .. } | sim::engine::TermKind::Index(_) => 0,
        });
        for (t, record) in records(&m, 3, 0..n).iter().enumerate() {
            let r = Read { layout, record };
            let fail = |why: &str| panic!("{name}, trial {t}: {why}: {record:?}");
            let outcomes = r.outcomes();
            for w in outcomes.windows(2) {
                if w[0] == Outcome::Collapse && w[1] != w[0] {
                    fail("collapse is absorbing");
                }
            }
            if r.settled() != outcomes.contains(&Outcome::Settlement) {
                fail("a settlement was signed iff some round has one in force");
            }
            if (0..outcomes.len()).any(|t| r.flag(t, "settlement_in_force") != (outcomes[t] == Outcome::Settlement)) {
                fail("the outcome settlement is exactly a settlement in force");
            }
            if r.leverage_dependent() && !r.settled() {
                fail("only a settlement can depend on leverage");
            }
            if outcomes
                .iter()
                .enumerate()
                .any(|(t, x)| matches!(x, Outcome::Settlement | Outcome::Collapse) && r.ceasefire_in_force(t))
            {
                fail("no ceasefire is in force after a settlement or a collapse");
            }
            let signed = outcomes.contains(&Outcome::Ceasefire);
            match r.first_ceasefire() {
                Some(o) if !signed || o == 0 || o >= ceasefire_options => fail("bad first-ceasefire option"),
                None if signed => fail("a ceasefire was signed but its option is not recorded"),
                _ => {}
            }
            if r.settled() {
                for (spec, &x) in terms.iter().zip(r.terms()) {
                    let ok = match &spec.kind {
                        sim::engine::TermKind::Continuous { min, max, .. } => *min <= x && x <= *max,
                        sim::engine::TermKind::Index(o) => 0.0 <= x && x <= (o.len() - 1) as f64,
                        sim::engine::TermKind::Options(o) => x.fract() == 0.0 && 0.0 <= x && x < o.len() as f64,
                    };
                    if !ok {
                        fail(&format!("term {} = {x} outside its range", spec.issue));
                    }
                }
            }
        }
    }
}

/// Model 0.3 (issue 15): a round's results are not exclusive. With a humanitarian step agreed
/// at every meeting, every round that signs a ceasefire or a settlement records the exchange
/// too (0.2 recorded only the ceasefire), and the in-round flags agree with the outcomes.
#[test]
fn a_round_can_record_an_exchange_and_a_ceasefire_together() {
    let mut v = rugged();
    set(&mut v, "model.humanitarian_rate", json!(1.0));
    let m = model(&v);
    let layout = m.layout();
    let mut together = 0;
    for (t, record) in records(&m, 11, 0..3000).iter().enumerate() {
        let r = Read { layout, record };
        let outcomes = r.outcomes();
        for (round, &o) in outcomes.iter().enumerate() {
            let flag = |key: &str| r.flag(round, key);
            let fail = |why: &str| panic!("trial {t}, round {round}: {why}: {record:?}");
            // A round is carried over, unheld, after a collapse, or while a settlement signed
            // earlier holds (a settlement that broke at the round's start and was signed again
            // in it is a held round).
            let carried = round > 0
                && (outcomes[round - 1] == Outcome::Collapse
                    || r.flag(round - 1, "settlement_in_force")
                        && o == Outcome::Settlement
                        && !flag("settlement_signed"));
            let in_round = ["met", "humanitarian_step", "ceasefire_signed", "settlement_signed", "collapsed"];
            if carried && in_round.iter().any(|&k| flag(k)) {
                fail("a carried-over round records something happening in it");
            }
            if !carried && flag("met") != (o != Outcome::NoMeeting) {
                fail("`met` is not 'both came to a round that was held'");
            }
            if flag("met") && !flag("humanitarian_step") {
                fail("a meeting without the humanitarian step a rate of 1 guarantees");
            }
            if !carried
                && (flag("ceasefire_signed") != (o == Outcome::Ceasefire)
                    || flag("settlement_signed") != (o == Outcome::Settlement)
                    || flag("collapsed") != (o == Outcome::Collapse))
            {
                fail("the in-round flags disagree with the outcome");
            }
            together += usize::from(flag("ceasefire_signed") && flag("humanitarian_step"));
        }
    }
    assert!(together > 0, "no round signed a ceasefire with an exchange: the test proves little");
}

/// Model 0.3 (issue 15): a channel listed as `standing` acts in every round, also where its
/// mediator is not at the table; the same channel in the room acts only where it engages. With
/// the United States at no round, its in-room leverage changes nothing, byte for byte, and its
/// pressure made standing brings first agreements forward, trial by trial (MODEL.md §10).
#[test]
fn standing_pressure_acts_in_rounds_without_its_mediator() {
    let mut absent = summit();
    let rounds = get(&absent, "rounds").as_array().expect("rounds").len();
    for t in 0..rounds {
        let list = at(&mut absent, &format!("rounds[{t}].mediators")).as_array_mut().expect("a list");
        list.retain(|m| m != "united_states" && m["id"] != "united_states");
    }
    let us = index_of(&absent, "mediators", "united_states");
    set(&mut absent, &format!("mediators[{us}].standing"), json!([]));
    let mut without = absent.clone();
    set(&mut without, &format!("mediators[{us}].leverage"), json!({}));
    let mut standing = absent.clone();
    set(&mut standing, &format!("mediators[{us}].standing"), json!(["pressure"]));

    let (n, seed) = (4000, 7);
    let (m_absent, m_without, m_standing) = (model(&absent), model(&without), model(&standing));
    let (r_absent, r_without, r_standing) =
        (records(&m_absent, seed, 0..n), records(&m_without, seed, 0..n), records(&m_standing, seed, 0..n));
    assert!(r_absent == r_without, "in-room leverage acted in rounds its mediator missed");
    let mut earlier = 0;
    for (t, (a, b)) in r_without.iter().zip(&r_standing).enumerate() {
        let (f0, f1) = (first_agreement(a).unwrap_or(usize::MAX), first_agreement(b).unwrap_or(usize::MAX));
        assert!(f1 <= f0, "trial {t}: standing pressure delayed the first agreement:\n{a:?}\n{b:?}");
        earlier += usize::from(f1 < f0);
    }
    assert!(earlier > 0, "standing pressure never acted in {n} trials");
}

/// Model 0.3 (issue 15): in calendar time more months between rounds raise the chance of a
/// deal, since refusing one costs the war until the next chance to settle. With no learning,
/// drift, volatility or weariness, the spacing of rounds changes nothing when time is counted
/// in rounds (0.2: the same counts exactly), and raises the chance of a first agreement by the
/// last round in calendar time.
#[test]
fn more_months_between_rounds_raise_the_chance_of_a_deal() {
    let agreed = |time: &str, spacing: f64| {
        let mut v = rugged();
        set(&mut v, "model.time", json!(time));
        for key in ["learning_per_month", "war_weariness_per_month"] {
            set(&mut v, &format!("model.{key}"), json!(0.0));
        }
        for key in ["max_drift_per_month", "volatility_per_month"] {
            set(&mut v, &format!("model.battlefield.{key}"), json!(0.0));
        }
        let rounds = get(&v, "rounds").as_array().expect("rounds").len();
        for t in 0..rounds {
            set(&mut v, &format!("rounds[{t}].months_before"), json!(spacing));
        }
        report(&v, 20_000, 9).rounds.last().expect("rounds").ceasefire_reached.count
    };
    let by_rounds: Vec<u64> = [0.25, 1.0, 4.0].map(|s| agreed("rounds", s)).to_vec();
    assert!(by_rounds.windows(2).all(|w| w[0] == w[1]), "rounds time: spacing should change nothing: {by_rounds:?}");
    let calendar: Vec<u64> = [0.25, 1.0, 4.0].map(|s| agreed("calendar", s)).to_vec();
    assert!(
        calendar.windows(2).all(|w| w[0] < w[1]),
        "calendar time: more months should mean more deals: {calendar:?}"
    );
}

/// Model 0.3 (issue 15): pressure opens red lines that give (MODEL.md §5, §10). `rugged` with a
/// give of 0.1 on both sides' territory lines (0.45 and 0.6), opening fully at a pressure of 0.1,
/// and a random cost of conceding past them; the broker presses both sides in every round. North's
/// pressure raised by 0.05 (a shifted uniform, coupled pointwise), same trials: the first
/// agreement never comes later, every settlement lies within the lines as that trial's pressure
/// opened them (never beyond the give), and under more pressure settlements land past the line
/// the lower pressure would have allowed.
#[test]
fn more_pressure_opens_red_lines_and_never_delays_the_first_agreement() {
    let mut base = rugged();
    let (north_line, south_line) = TERRITORY_RED_LINES;
    for i in 0..2 {
        set(&mut base, &format!("parties[{i}].positions.territory.red_line_give"), json!(0.1));
        set(&mut base, &format!("parties[{i}].positions.territory.past_red_line_cost"), uniform(0.0, 0.3));
        set(&mut base, &format!("parties[{i}].red_line_pressure"), json!(0.1));
    }
    let mut raised = base.clone();
    set(&mut raised, "mediators[0].leverage.north.pressure", uniform(0.05, 0.15));
    let (m0, m1) = (model(&base), model(&raised));
    let pressure = |draws: &[(String, f64)], side: &str| {
        let key = format!("mediators.broker.leverage.{side}.pressure");
        draws.iter().find(|(k, _)| *k == key).map(|d| d.1).expect("a drawn pressure")
    };
    let n = 3000;
    let (mut reached0, mut reached1, mut earlier, mut wider) = (0, 0, 0, 0);
    for t in 0..n {
        let rng = TrialRng::new(11, t);
        let (a, b) = (m0.trace(&rng), m1.trace(&rng));
        let (f0, f1) = (first_agreement(&a.record), first_agreement(&b.record));
        let (f0, f1) = (f0.unwrap_or(usize::MAX), f1.unwrap_or(usize::MAX));
        assert!(f1 <= f0, "trial {t}: more pressure delayed the first agreement from {f0} to {f1}");
        reached0 += u64::from(f0 != usize::MAX);
        reached1 += u64::from(f1 != usize::MAX);
        earlier += u64::from(f1 < f0);
        let mut lowest = [0.0; 2];
        for (run, (m, trace)) in [(&m0, &a), (&m1, &b)].into_iter().enumerate() {
            let opened = |side: &str| (pressure(&trace.draws, side) / 0.1).min(1.0) * 0.1;
            let (lo, hi) = (north_line - opened("north"), south_line + opened("south"));
            lowest[run] = lo;
            let read = Read { layout: m.layout(), record: &trace.record };
            if read.settled() {
                let x = read.terms()[0];
                assert!(
                    lo - EPS <= x && x <= hi + EPS,
                    "trial {t}: territory {x} outside the opened lines [{lo}, {hi}]"
                );
                wider += u64::from(run == 1 && x < lowest[0] - 1e-6);
            }
        }
    }
    assert!(reached1 >= reached0, "first agreements fell from {reached0} to {reached1} of {n}");
    assert!(earlier > 0, "raising the pressure changed nothing: the test proves little");
    assert!(wider > 0, "no settlement went past the line the lower pressure allowed: the lines never opened");
}

/// Model 0.3 (issue 15): a unilateral truce declared by an event damps the front for its days
/// and counts as a signed ceasefire only if the other side reciprocates. In `duel` with north
/// the stronger (the front drifts 0.01 a month towards it), south declares a full truce of 30
/// days before r2 (one month in); r3 comes two months later. The front moved
/// 0.01 (1 + 2 - 30 / 30.436875) and the leaders settle at r3 from the war, at F + 0.05 (the
/// Nash point with costs 0.3 and 0.4), in every trial, reciprocated or not. Reciprocated with
/// chance 0.3, the truce is a ceasefire signed, and holding, at r2 in a share of the trials within
/// 4 standard errors of 0.3 (20,000 trials), though the round's talks sign nothing; never
/// reciprocated, it is never counted as signed.
#[test]
fn a_declared_truce_damps_the_front_and_counts_as_signed_only_if_reciprocated() {
    let with = |reciprocated: Option<f64>| {
        let mut v = crate::util::duel();
        set(&mut v, "parties[0].capability", json!(3.0));
        set(&mut v, "model.battlefield.max_drift_per_month", json!(0.02));
        set(
            &mut v,
            "rounds",
            json!([
                crate::util::round("r1", "officials", 0.0),
                crate::util::round("r2", "officials", 1.0),
                crate::util::round("r3", "leaders", 2.0)
            ]),
        );
        let mut truce = json!({ "by": "south", "scope": 1.0, "duration_days": 30.0 });
        if let Some(p) = reciprocated {
            truce["reciprocated"] = json!(p);
        }
        set(
            &mut v,
            "events",
            json!([{ "id": "easter", "label": "south's truce", "probability": 1.0, "rounds": ["r2"], "effects": { "truce": truce } }]),
        );
        v
    };
    let n = 20_000;
    let expected = 0.5 + 0.01 * (3.0 - 30.0 / 30.436875) + 0.05;
    for (reciprocated, p) in [(None, 0.0), (Some(0.3), 0.3)] {
        let r = report(&with(reciprocated), n, 11);
        assert_eq!(r.rounds[2].settlement_signed.count, n, "every trial settles at r3");
        let (_, mean, _) = r.continuous_term("territory");
        let mean = mean.expect("a mean when there are settlements");
        assert!((mean - expected).abs() < 1e-9, "territory {mean}, expected {expected}");
        let signed = r.rounds[1].ceasefire_signed.count;
        assert_eq!(r.rounds[1].outcomes.talks_no_deal.count, n, "officials' talks sign nothing");
        assert_eq!(r.rounds[1].ceasefire_in_force.count, signed, "a reciprocated truce holds at its round");
        assert_eq!(r.rounds[1].ceasefire_reached.count, signed);
        let share = signed as f64 / n as f64;
        let se = (p * (1.0 - p) / n as f64).sqrt();
        assert!((share - p).abs() <= 4.0 * se, "signed in {share} of trials, expected {p} ± {}", 4.0 * se);
    }
}
