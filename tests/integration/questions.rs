//! Forecast questions answered by `mediated_nash` (docs/MODEL.md, "Questions"): closed-form
//! answers on small deterministic scenarios, a binomial check, the one-line errors, and the
//! answers' byte-identical merge across shards.

use serde_json::{Value, json};

use crate::util::{at, duel, model, records, report, round, set, sim_output, stderr_of};

/// Each question's share of yes among `trials` trials of `v` at seed 1.
fn answers(v: &Value, trials: u64) -> Vec<(String, f64)> {
    let m = model(v);
    let rs = records(&m, 1, 0..trials);
    sim::engine::Model::layout(&m)
        .questions
        .iter()
        .enumerate()
        .map(|(q, name)| (name.key.clone(), rs.iter().filter(|r| r.answers[q]).count() as f64 / trials as f64))
        .collect()
}

fn question(id: &str, kind: &str, by: &str) -> Value {
    json!({ "id": id, "kind": kind, "by": by })
}

fn ceasefire(id: &str, kind: &str, by: &str, scope: &str, min_days: Option<u32>) -> Value {
    let mut q = json!({ "id": id, "kind": kind, "by": by, "scope": scope });
    if let Some(d) = min_days {
        q["min_days"] = json!(d);
    }
    q
}

fn dated(id: &str, level: &str, date: &str) -> Value {
    let mut r = round(id, level, 0.0);
    r["date"] = json!(date);
    r
}

/// `duel` with a ceasefire issue (options `none` and `truce`, of scope `truce_scope`) that both
/// sides want: a ministers' round always signs the truce (surplus: the salience plus the
/// cost of war, for each side) and nothing breaks it. Rounds: officials on 2025-01-15 (nothing
/// can be signed), ministers on 2025-02-01 and 2025-03-01, officials on 2025-04-01.
fn truce(truce_scope: f64) -> Value {
    let mut v = duel();
    at(&mut v, "issues").as_array_mut().unwrap().push(json!({
        "id": "ceasefire",
        "label": "ceasefire",
        "track": "ceasefire",
        "options": ["none", "truce"],
        "scope": [0.0, truce_scope]
    }));
    for i in 0..2 {
        set(&mut v, &format!("parties[{i}].positions.territory.salience"), json!(0.8));
        set(&mut v, &format!("parties[{i}].positions.ceasefire"), json!({ "ideal": 1.0, "salience": 0.2 }));
    }
    let rounds = [
        dated("r0", "officials", "2025-01-15"),
        dated("r1", "ministers", "2025-02-01"),
        dated("r2", "ministers", "2025-03-01"),
        dated("r3", "officials", "2025-04-01"),
    ];
    set(&mut v, "rounds", json!(rounds));
    v
}

fn with_questions(mut v: Value, questions: &[Value]) -> Value {
    set(&mut v, "questions", json!(questions));
    v
}

fn assert_answers(v: &Value, expected: &[(&str, f64)]) {
    let got = answers(v, 200);
    let want: Vec<(String, f64)> = expected.iter().map(|&(k, p)| (k.to_string(), p)).collect();
    assert_eq!(got, want);
}

/// A round that always signs a general ceasefire on 2025-02-01: P = 1 for `by` on or after
/// that date, 0 before it; it holds (fragility 0), so a holding question is yes exactly when
/// signing day + min_days <= by.
#[test]
fn a_sure_general_ceasefire_answers_by_its_date() {
    let v = with_questions(
        truce(1.0),
        &[
            ceasefire("before", "ceasefire_signed", "2025-01-31", "general", None),
            ceasefire("on-the-day", "ceasefire_signed", "2025-02-01", "general", None),
            ceasefire("any", "ceasefire_signed", "2025-12-31", "any", None),
            ceasefire("hold-14-short", "ceasefire_holding", "2025-02-14", "general", Some(14)),
            ceasefire("hold-14", "ceasefire_holding", "2025-02-15", "general", Some(14)),
            ceasefire("hold-45", "ceasefire_holding", "2025-06-30", "general", Some(45)),
            question("settlement", "settlement_signed", "2025-12-31"),
            question("leaders", "leaders_meet", "2025-12-31"),
            question("exchange", "humanitarian_step", "2025-12-31"),
            question("collapse", "talks_collapse", "2025-12-31"),
        ],
    );
    assert_answers(
        &v,
        &[
            ("before", 0.0),
            ("on-the-day", 1.0),
            ("any", 1.0),
            ("hold-14-short", 0.0),
            ("hold-14", 1.0),
            ("hold-45", 1.0),
            ("settlement", 0.0),
            ("leaders", 0.0),
            ("exchange", 0.0),
            ("collapse", 0.0),
        ],
    );
}

/// A partial truce (scope 0.5) answers `any`, never `general`.
#[test]
fn a_partial_truce_counts_only_for_scope_any() {
    let qs = [
        ceasefire("general", "ceasefire_signed", "2025-12-31", "general", None),
        ceasefire("any", "ceasefire_signed", "2025-12-31", "any", None),
        ceasefire("hold-general", "ceasefire_holding", "2025-12-31", "general", Some(30)),
        ceasefire("hold-any", "ceasefire_holding", "2025-12-31", "any", Some(30)),
    ];
    assert_answers(
        &with_questions(truce(0.5), &qs),
        &[("general", 0.0), ("any", 1.0), ("hold-general", 0.0), ("hold-any", 1.0)],
    );
}

/// With fragility 1 every truce breaks at the next round: the first (signed 02-01) is seen over
/// at 03-01 and re-signed there, that one is seen over at 04-01. Holding 14 days is yes (the
/// model sees no break before 03-01 >= 02-15), 30 days is yes through the second truce
/// (03-01 + 30 = 03-31 <= 04-01), 45 days is no (both end before 45 days have passed).
#[test]
fn a_broken_truce_holds_only_until_the_round_that_sees_it_broken() {
    let mut v = truce(1.0);
    set(&mut v, "model.ceasefire_fragility", json!(1.0));
    let qs = [
        ceasefire("hold-14", "ceasefire_holding", "2025-02-20", "general", Some(14)),
        ceasefire("hold-30", "ceasefire_holding", "2025-04-30", "general", Some(30)),
        ceasefire("hold-45", "ceasefire_holding", "2025-06-30", "general", Some(45)),
        ceasefire("signed", "ceasefire_signed", "2025-03-15", "general", None),
    ];
    assert_answers(&with_questions(v, &qs), &[("hold-14", 1.0), ("hold-30", 1.0), ("hold-45", 0.0), ("signed", 1.0)]);
}

/// `duel` settles in its one leaders' round, dated 2025-02-01: a settlement is signed, the
/// leaders meet, and the settlement counts as a general ceasefire that holds.
#[test]
fn a_settlement_answers_the_ceasefire_questions_too() {
    let mut v = duel();
    set(&mut v, "rounds[0].date", json!("2025-02-01"));
    let qs = [
        question("settlement", "settlement_signed", "2025-02-01"),
        question("leaders", "leaders_meet", "2025-02-01"),
        ceasefire("signed", "ceasefire_signed", "2025-02-01", "general", None),
        ceasefire("hold-10", "ceasefire_holding", "2025-02-11", "general", Some(10)),
        ceasefire("hold-10-short", "ceasefire_holding", "2025-02-10", "any", Some(10)),
        question("collapse", "talks_collapse", "2025-02-01"),
    ];
    assert_answers(
        &with_questions(v.clone(), &qs),
        &[
            ("settlement", 1.0),
            ("leaders", 1.0),
            ("signed", 1.0),
            ("hold-10", 1.0),
            ("hold-10-short", 0.0),
            ("collapse", 0.0),
        ],
    );
    // North stays away: no meeting, so nothing at all.
    set(&mut v, "rounds[0].delegations.north.attendance", json!(0.0));
    assert_answers(
        &with_questions(v, &qs),
        &[
            ("settlement", 0.0),
            ("leaders", 0.0),
            ("signed", 0.0),
            ("hold-10", 0.0),
            ("hold-10-short", 0.0),
            ("collapse", 0.0),
        ],
    );
}

/// An officials' round with a sure humanitarian step, then a sure collapse.
#[test]
fn humanitarian_steps_and_collapse_are_read_from_the_outcomes() {
    let mut v = truce(1.0);
    set(&mut v, "model.humanitarian_rate", json!(1.0));
    let qs =
        [question("exchange", "humanitarian_step", "2025-01-15"), question("collapse", "talks_collapse", "2025-12-31")];
    assert_answers(&with_questions(v.clone(), &qs), &[("exchange", 1.0), ("collapse", 0.0)]);
    set(&mut v, "model.humanitarian_rate", json!(0.0));
    set(&mut v, "model.collapse_hazard", json!(1.0));
    let qs = [
        question("collapse", "talks_collapse", "2025-01-15"),
        ceasefire("signed", "ceasefire_signed", "2025-12-31", "any", None),
    ];
    assert_answers(&with_questions(v, &qs), &[("collapse", 1.0), ("signed", 0.0)]);
}

/// North comes to each ministers' round with chance 0.3, independently: P(signed by 02-01) =
/// 0.3 and P(signed by 03-01) = 1 - 0.7^2 = 0.51, matched within 4 Monte Carlo standard errors.
#[test]
fn uncertain_attendance_gives_the_binomial_answer() {
    let mut v = truce(1.0);
    for t in [1, 2] {
        set(&mut v, &format!("rounds[{t}].delegations.north.attendance"), json!(0.3));
    }
    let qs = [
        ceasefire("feb", "ceasefire_signed", "2025-02-01", "general", None),
        ceasefire("mar", "ceasefire_signed", "2025-03-01", "general", None),
    ];
    let n = 20_000;
    for ((key, p), expected) in answers(&with_questions(v, &qs), n).into_iter().zip([0.3, 0.51]) {
        let se = (expected * (1.0 - expected) / n as f64).sqrt();
        assert!((p - expected).abs() < 4.0 * se, "{key}: {p}, expected {expected} ± {}", 4.0 * se);
    }
}

/// Writes `v` to a temporary scenario file and runs `sim validate` on it: exit 2 and the one
/// line expected.
fn assert_refused(v: &Value, line: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("s.json");
    std::fs::write(&file, serde_json::to_vec_pretty(v).expect("serializable")).expect("writable");
    let out = sim_output(["validate", file.to_str().expect("UTF-8")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(line), "{err}");
}

#[test]
fn questions_the_rounds_cannot_answer_are_refused() {
    let q = [ceasefire("early", "ceasefire_signed", "2025-01-10", "general", None)];
    assert_refused(
        &with_questions(truce(1.0), &q),
        "at questions[0].by: `by` (2025-01-10) precedes every round (the first is dated 2025-01-15): no round can answer it",
    );
    let mut v = with_questions(truce(1.0), &[question("l", "leaders_meet", "2025-12-31")]);
    crate::util::remove(&mut v, "rounds[2].date");
    assert_refused(&v, "at rounds[2].date: a scenario that asks questions dates every round (`r2` has no date)");
    let q = [question("l", "leaders_meet", "2024-12-31")];
    assert_refused(
        &with_questions(truce(1.0), &q),
        "at questions[0].by: `by` (2024-12-31) must come after `as_of` (2025-01-01)",
    );
    let q = [json!({ "id": "l", "kind": "leaders_meet", "by": "2025-12-31", "min_days": 3 })];
    assert_refused(&with_questions(truce(1.0), &q), "at questions[0].min_days: `leaders_meet` takes no `min_days`");
}

/// The answers of a run with questions merge from shards to the bytes of one run.
#[test]
fn answers_merge_across_shards_byte_identically() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("summit-questions.json");
    let v = with_questions(
        crate::util::summit(),
        &[
            ceasefire("cf-2026-03", "ceasefire_signed", "2026-03-31", "general", None),
            ceasefire("hold-2026-06", "ceasefire_holding", "2026-06-30", "any", Some(30)),
            question("leaders-2026-06", "leaders_meet", "2026-06-30"),
            question("settlement-2026", "settlement_signed", "2026-12-31"),
        ],
    );
    std::fs::write(&file, serde_json::to_vec_pretty(&v).expect("serializable")).expect("writable");
    crate::shards::assert_merges_to_one_run(
        &["run", file.to_str().expect("UTF-8"), "--trials", "5003", "--seed", "7"],
        &[3],
    );
}

/// A law over levels as a scenario writes it.
fn levels(p: Value) -> Value {
    json!({ "dist": "levels", "p": p, "assumption": "a test" })
}

/// `truce(1.0)` reduced to one leaders' round on 2025-02-01, which settles whenever it sits at
/// leaders' level and signs the truce at ministers' level, with questions on that date.
fn leaders_round() -> Value {
    let mut v = truce(1.0);
    set(&mut v, "rounds", json!([dated("r1", "leaders", "2025-02-01")]));
    let qs = [
        question("leaders", "leaders_meet", "2025-02-01"),
        question("settlement", "settlement_signed", "2025-02-01"),
        ceasefire("signed", "ceasefire_signed", "2025-02-01", "general", None),
    ];
    with_questions(v, &qs)
}

/// North's level is drawn in each trial: the round sits at leaders' level (the leaders meet and
/// settle) with the law's probability of leaders, signs something (a settlement, or the truce at
/// ministers' level) with P(ministers) + P(leaders), and at officials' level signs nothing; each
/// share within 4 Monte Carlo standard errors of 20,000 trials at seed 1.
#[test]
fn an_uncertain_level_sits_at_each_level_with_its_probability() {
    let n = 20_000;
    for (p, leaders, signed) in [
        (json!({ "ministers": 0.3, "leaders": 0.7 }), 0.7, 1.0),
        (json!({ "officials": 0.2, "ministers": 0.3, "leaders": 0.5 }), 0.5, 0.8),
    ] {
        let mut v = leaders_round();
        set(&mut v, "rounds[0].delegations.north.level", levels(p.clone()));
        let got = answers(&v, n);
        for ((key, share), expected) in got.iter().zip([leaders, leaders, signed]) {
            let se = (expected * (1.0 - expected) / n as f64).sqrt();
            assert!(
                (share - expected).abs() <= 4.0 * se,
                "{p}: {key} answered yes in {share} of trials, expected {expected} ± {}",
                4.0 * se
            );
        }
    }
}

/// A law that gives one level probability 1 is that level: it draws nothing, so every trial
/// equals the trial of the fixed level, bit for bit.
#[test]
fn a_law_with_one_level_is_that_fixed_level() {
    // The summit with a leaders' question, so that the answers are compared too.
    let mut fixed = crate::util::summit();
    set(&mut fixed, "questions", json!([{"id": "meet", "kind": "leaders_meet", "by": "2026-12-31"}]));
    let mut law = fixed.clone();
    for (round, level) in [(3, "leaders"), (0, "officials")] {
        set(&mut law, &format!("rounds[{round}].delegations.russia.level"), levels(json!({ level: 1.0 })));
    }
    let (a, b) = (model(&fixed), model(&law));
    for (x, y) in records(&a, 7, 0..2000).iter().zip(&records(&b, 7, 0..2000)) {
        assert_eq!(x.answers.len(), 1, "the leaders' question is answered");
        assert_eq!(
            (&x.outcome, &x.flags, &x.answers, &x.events, &x.marks),
            (&y.outcome, &y.flags, &y.answers, &y.events, &y.marks)
        );
        assert_eq!(
            x.terms.iter().map(|t| t.to_bits()).collect::<Vec<_>>(),
            y.terms.iter().map(|t| t.to_bits()).collect::<Vec<_>>()
        );
    }
}

/// Red lines that leave no package (north keeps at least 0.7 of the territory, south concedes
/// at most 0.4): a leader who comes only to sign never meets the other, and ministers still sign
/// the truce; a leader who always comes meets the other in every trial. `sim trace` says why.
#[test]
fn leaders_who_come_only_to_sign_do_not_meet_when_nothing_can_be_signed() {
    let mut v = leaders_round();
    set(&mut v, "parties[0].positions.territory.red_line", json!(0.7));
    set(&mut v, "parties[1].positions.territory.red_line", json!(0.4));
    assert_answers(&v, &[("leaders", 1.0), ("settlement", 0.0), ("signed", 1.0)]);
    set(&mut v, "rounds[0].delegations.north.attend", json!("to_sign"));
    assert_answers(&v, &[("leaders", 0.0), ("settlement", 0.0), ("signed", 1.0)]);
    let notes: Vec<String> =
        model(&v).trace(&sim::engine::TrialRng::new(1, 0)).notes.into_iter().map(|(_, n)| n).collect();
    for said in [
        "north's leader comes only to sign",
        "nothing to sign: ministers head north's delegation, so the round runs at ministers' level",
        "ceasefire signed: truce",
    ] {
        assert!(notes.iter().any(|n| n.contains(said)), "the trace does not say `{said}`: {notes:#?}");
    }
}

/// Coming only to sign changes no outcome, trial by trial: where a package both sides accept
/// exists the leaders sign it as before (in `duel` always), and where none does the round signs
/// what ministers can. Only the leaders' meetings change: with `to_sign` the leaders have met by
/// a date exactly when a settlement has been signed by then.
#[test]
fn coming_only_to_sign_settles_as_often_and_meets_only_to_sign() {
    let mut duel = leaders_round();
    set(&mut duel, "rounds[0].delegations.south.attend", json!("to_sign"));
    assert_answers(&duel, &[("leaders", 1.0), ("settlement", 1.0), ("signed", 1.0)]);

    let mut always = crate::util::rugged();
    let dates = ["2025-02-01", "2025-04-01", "2025-06-01", "2025-09-01"];
    let mut qs = Vec::new();
    for (t, date) in dates.iter().enumerate() {
        set(&mut always, &format!("rounds[{t}].date"), json!(date));
        qs.push(question(&format!("leaders-{t}"), "leaders_meet", date));
        qs.push(question(&format!("settlement-{t}"), "settlement_signed", date));
    }
    let always = with_questions(always, &qs);
    let mut to_sign = always.clone();
    for t in 0..dates.len() {
        set(&mut to_sign, &format!("rounds[{t}].delegations.north.attend"), json!("to_sign"));
    }
    let n = 4000;
    let (a, b) = (model(&always), model(&to_sign));
    let (ra, rb) = (records(&a, 3, 0..n), records(&b, 3, 0..n));
    let (mut settled, mut met_without_deal) = (0, 0);
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!((&x.outcome, &x.flags, &x.events), (&y.outcome, &y.flags, &y.events), "to_sign changed an outcome");
        for t in 0..dates.len() {
            let (leaders, settlement) = (2 * t, 2 * t + 1);
            assert_eq!(x.answers[settlement], y.answers[settlement]);
            assert_eq!(y.answers[leaders], y.answers[settlement], "with to_sign, the leaders meet only to sign");
            met_without_deal += usize::from(x.answers[leaders] && !x.answers[settlement]);
        }
        settled += usize::from(x.answers[2 * dates.len() - 1]);
    }
    // Neither case is empty: some trials settle, and without `to_sign` leaders meet without a deal.
    assert!(settled > 0 && settled < n as usize, "{settled} of {n} trials settle");
    assert!(met_without_deal > 0, "no leaders' meeting without a deal to compare");
}

/// A truce that breaks at the start of a round ends there, even when that round then signs a
/// settlement (the settlement's truce starts anew): signed 2025-02-01, broken by an incident on
/// 2025-02-10 (fragility 1) where the leaders settle, so 30 days are reached by no truce before
/// 2025-03-12. (It was once carried on as "the truce the settlement replaced".)
#[test]
fn a_truce_broken_before_a_settlement_ends_where_it_broke() {
    let mut v = truce(1.0);
    set(&mut v, "model.ceasefire_fragility", json!(1.0));
    set(&mut v, "rounds", json!([dated("r1", "ministers", "2025-02-01"), dated("r2", "leaders", "2025-02-10")]));
    let v = with_questions(
        v,
        &[
            json!({"id": "h-0305", "kind": "ceasefire_holding", "by": "2025-03-05", "scope": "general", "min_days": 30}),
            json!({"id": "h-0312", "kind": "ceasefire_holding", "by": "2025-03-12", "scope": "general", "min_days": 30}),
        ],
    );
    let r = report(&v, 200, 1);
    assert_eq!(r.rounds[1].settlement_signed.count, 200, "the leaders settle in every trial");
    assert_answers(&v, &[("h-0305", 0.0), ("h-0312", 1.0)]);
}

/// `truce` with the rounds' months as their dates say (17, 28 and 31 days between them), and
/// the truce lasting `days`.
fn truce_of(days: f64) -> Value {
    let mut v = truce(1.0);
    set(&mut v, "issues[1].duration_days", json!([null, days]));
    for (t, gap) in [(1, 17.0), (2, 28.0), (3, 31.0)] {
        set(&mut v, &format!("rounds[{t}].months_before"), json!(gap / 30.436875));
    }
    v
}

/// Model 0.3 (issue 15): a truce of fixed duration holds exactly its days. Signed on 02-01 for
/// 30 days, it is still in force at 03-01 and over by 04-01: it held 30 days, not 31 (without a
/// duration it would hold to the end of the rounds). An expired truce is not broken: with
/// fragility 1 an incident breaks any truce the next round tests, but a 20-day truce signed on
/// 02-01 is over before 03-01 tests it, so it ended on 02-21, not at 03-01 (a break seen at
/// 03-01 would count 21 days and more as held); 03-01 signs it again, and that one too ends
/// after 20 days, on 03-21, before 04-01.
#[test]
fn a_truce_of_fixed_duration_holds_exactly_its_days() {
    let hold = |days: u32| ceasefire(&format!("hold-{days}"), "ceasefire_holding", "2025-12-31", "general", Some(days));
    let v = with_questions(truce_of(30.0), &[hold(30), hold(31)]);
    assert_answers(&v, &[("hold-30", 1.0), ("hold-31", 0.0)]);
    let mut forever = truce(1.0);
    set(&mut forever, "rounds", at(&mut truce_of(30.0), "rounds").clone());
    assert_answers(&with_questions(forever, &[hold(30), hold(31)]), &[("hold-30", 1.0), ("hold-31", 1.0)]);

    let mut v = with_questions(truce_of(20.0), &[hold(20), hold(21)]);
    set(&mut v, "model.ceasefire_fragility", json!(1.0));
    assert_answers(&v, &[("hold-20", 1.0), ("hold-21", 0.0)]);
    let m = model(&v);
    let layout = sim::engine::Model::layout(&m);
    let signed_again =
        records(&m, 1, 0..50).iter().all(|r| crate::util::Read { layout, record: r }.flag(2, "ceasefire_signed"));
    assert!(signed_again, "03-01 signs the truce again");
}

/// Model 0.3 (issue 15): a unilateral truce declared by an event before the round of 02-01, full
/// and for 10 days, with no round able to sign anything (officials only). Reciprocated, it is a
/// general ceasefire signed on 02-01 that held 10 days, not 11; never reciprocated, it is no
/// ceasefire at all (QUESTIONS.md: a unilateral declaration counts only if the other side
/// reciprocates).
#[test]
fn a_declared_truce_answers_as_a_ceasefire_only_if_reciprocated() {
    let qs = [
        ceasefire("signed-0131", "ceasefire_signed", "2025-01-31", "general", None),
        ceasefire("signed-0201", "ceasefire_signed", "2025-02-01", "general", None),
        ceasefire("hold-10", "ceasefire_holding", "2025-12-31", "general", Some(10)),
        ceasefire("hold-11", "ceasefire_holding", "2025-12-31", "any", Some(11)),
    ];
    for (p, yes) in [(1.0, 1.0), (0.0, 0.0)] {
        let mut v = with_questions(truce_of(30.0), &qs);
        for t in 1..3 {
            set(&mut v, &format!("rounds[{t}].delegations.north.level"), json!("officials"));
        }
        let truce = json!({ "by": "north", "scope": 1.0, "duration_days": 10.0, "reciprocated": p });
        set(
            &mut v,
            "events",
            json!([{ "id": "pause", "label": "north's truce", "probability": 1.0, "rounds": ["r1"], "effects": { "truce": truce } }]),
        );
        assert_answers(&v, &[("signed-0131", 0.0), ("signed-0201", yes), ("hold-10", yes), ("hold-11", 0.0)]);
    }
}

/// Forums are labels on rounds: a round of any forum is a meeting, so labelling the rounds
/// changes no answer, and questions are venue-agnostic (QUESTIONS.md's kinds, unchanged): one
/// that names a forum is refused. `truce(1.0)` with two leaders' rounds, Geneva on 2025-02-01
/// (which always settles) and Istanbul on 2025-03-01.
#[test]
fn questions_are_answered_by_the_rounds_of_every_forum() {
    let mut v = truce(1.0);
    set(&mut v, "rounds", json!([dated("r1", "leaders", "2025-02-01"), dated("r2", "leaders", "2025-03-01")]));
    let qs = [
        question("any", "leaders_meet", "2025-02-15"),
        question("any-late", "leaders_meet", "2025-03-15"),
        question("settled", "settlement_signed", "2025-03-15"),
    ];
    let unlabelled = answers(&with_questions(v.clone(), &qs), 50);
    assert_eq!(unlabelled.iter().map(|a| a.1).collect::<Vec<_>>(), [1.0; 3]);
    set(&mut v, "forums", json!([{ "id": "istanbul", "label": "Istanbul" }, { "id": "geneva", "label": "Geneva" }]));
    set(&mut v, "rounds[0].forum", json!("geneva"));
    set(&mut v, "rounds[1].forum", json!("istanbul"));
    assert_eq!(answers(&with_questions(v.clone(), &qs), 50), unlabelled, "labels change no answer");
    let mut venue = question("s", "leaders_meet", "2025-03-15");
    venue["forum"] = json!("geneva");
    assert_refused(&with_questions(v, &[venue]), "at questions[0].forum (line 152, column 13): unknown field `forum`");
}

/// `ceasefire_signed` is what a round itself produced. In `truce(1.0)`, south declares a full
/// truce of 10 days before r1, always reciprocated, and the ministers of r1 then sign the table
/// truce, which replaces it: r1 signs a ceasefire in every trial, and nothing is signed after it
/// (the truce holds and cannot be upgraded; r3 is officials). Found by the independent
/// re-implementation of MODEL.md: the marker of the reciprocated truce survived a round that
/// also signed at the table and showed as a signature in the next round that signed nothing.
#[test]
fn a_reciprocated_truce_replaced_at_the_table_is_signed_once() {
    let mut v = truce(1.0);
    let truce = json!({ "by": "south", "scope": 1.0, "duration_days": 10.0, "reciprocated": 1.0 });
    set(
        &mut v,
        "events",
        json!([{ "id": "truce", "label": "south's truce", "probability": 1.0, "rounds": ["r1"], "effects": { "truce": truce } }]),
    );
    let n = 200;
    let r = report(&v, n, 3);
    assert_eq!(r.rounds[1].outcomes.ceasefire.count, n, "r1 signs the table truce");
    let signed: Vec<u64> = r.rounds.iter().map(|x| x.ceasefire_signed.count).collect();
    assert_eq!(signed, [0, n, 0, 0], "a ceasefire is signed at r1 only");
}
