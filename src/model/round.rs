//! One trial of `mediated_nash`, round by round: events, the ceasefire's durability, the war
//! between rounds, attendance, and the negotiation at the table.

use rand_distr::{Distribution, StandardNormal};

use super::nash::{self, Choice, Segment};
use super::nparty::Options;
use super::outputs::{Happened, Outcome, Signed, Writer};
use super::redline::{self, Base, Fitted, Line, Living};
use super::{LevelC, LeverageC, MediatedNash, OtherC, P, PartyC, Proposal, Solved, Space, TermC, TruceC, table};
use crate::engine::rng::{SlotRef, slot_tape, slot_uniform};
use crate::engine::{TrialRecord, TrialRng};
use crate::scenario::schema::{Level, ProposalRule, Time};
use crate::scenario::validate::limits;

/// Slack for comparing positions with red lines, against rounding in normalization.
pub(super) const EPS: f64 = 1e-9;

/// How much likelier a side is to walk out of an agreement it signed if it does not mean to
/// keep talking than if it does: the Bayes factor, per walk-out, against the talks (docs/MODEL.md
/// §6 step 13, a stated judgement, not fitted).
const MISTRUST_PER_WALKOUT: f64 = 2.0;

/// This round's chance that talks without a deal collapse, after `walkouts` earlier rounds in
/// which a side walked out of an agreement in force: each multiplies the odds of a collapse by
/// [`MISTRUST_PER_WALKOUT`] (Kydd 2005). Without one it is the scenario's, bit for bit.
fn mistrusted(collapse: f64, walkouts: i32) -> f64 {
    if walkouts == 0 {
        return collapse;
    }
    let odds = MISTRUST_PER_WALKOUT.powi(walkouts);
    collapse * odds / (collapse * odds + 1.0 - collapse)
}

/// Receives the story of a trial, for `sim trace`. The text is built only if a tracer wants it,
/// so [`Silent`] costs nothing in ordinary runs.
pub trait Tracer {
    fn note(&mut self, round: usize, text: impl FnOnce() -> String);
}

/// The tracer of ordinary runs.
pub struct Silent;

impl Tracer for Silent {
    #[inline(always)]
    fn note(&mut self, _: usize, _: impl FnOnce() -> String) {}
}

/// Keeps every note, by round.
#[derive(Debug, Default)]
pub struct Recorder(pub Vec<(usize, String)>);

impl Tracer for Recorder {
    fn note(&mut self, round: usize, text: impl FnOnce() -> String) {
        self.0.push((round, text()));
    }
}

/// Values fixed for the whole trial once the parameters are drawn, kept to reuse buffers.
#[derive(Debug, Default)]
pub struct TrialState {
    /// Salience weights, normalized to sum to 1, per side and issue: the two belligerents, then
    /// on the n-party path the stakeholders and the setters (§7b).
    pub(super) w: Vec<Vec<f64>>,
    /// Ideal points on [0, 1], per side and issue.
    pub(super) ideal: Vec<Vec<f64>>,
    /// Curvature of each side's utility in distance (1: linear).
    pub(super) gamma: Vec<f64>,
    /// The n-party path: per continuous settlement issue (in the order of the segments), the
    /// issue and the bounds the veto players' fixed red lines leave; the belligerents' red
    /// lines that move with the front, by segment; per ordered settlement issue the options the
    /// veto players allow, with every side's utility.
    pub(super) limits: Vec<(usize, f64, f64)>,
    pub(super) moving: Vec<(usize, Line)>,
    pub(super) options: Vec<Options>,
    /// Continuous settlement issues as Pareto segments ([`Solved::Segment`] indexes them).
    segments: Vec<Segment>,
    /// Ordered settlement issues ([`Solved::Choice`] indexes them).
    choices: Vec<Choice>,
    /// The segments whose red lines move with the front or give under pressure, set anew
    /// each time a settlement is sought.
    living: Vec<Living>,
    /// Every side's utility of each ceasefire option, side by side: side i's option o at
    /// `i * options + o`.
    truce_utility: Vec<f64>,
}

/// Reusable buffers of a trial.
#[derive(Debug, Default)]
pub struct Work {
    pub order: Vec<usize>,
    /// The trial's blocks, computed before the parameters are drawn (`MediatedNash::draw`).
    pub blocks: Vec<[u32; 16]>,
    /// The settlement's segments with the red lines of the round ([`redline::fit`]).
    pub fit: Fitted,
    /// The n-party path: each side's base surplus for the proposal, each side's surplus from
    /// the deal, and each stakeholder's value of the settlement in force (§7b).
    base: Vec<f64>,
    surplus: Vec<f64>,
    peace: Vec<f64>,
    /// The n-party path, per round: every party's channels acting, what any agreement adds,
    /// its leverage, and every side's disagreement payoff. Kept here, filled only on that path,
    /// so a two-party round does not clear them.
    act: Vec<Channels>,
    extra: Vec<f64>,
    lever: Vec<f64>,
    d_all: Vec<f64>,
}

/// The trial's random slots, with their blocks.
struct RoundRandom<'a> {
    rng: &'a TrialRng,
    blocks: &'a [[u32; 16]],
}

impl RoundRandom<'_> {
    fn uniform(&self, slot: SlotRef) -> f64 {
        slot_uniform(slot, self.blocks)
    }

    /// From the slot's 64 bits alone unless the ziggurat reads on (rarely). Inlined: a call
    /// would cost more than the draw.
    #[inline(always)]
    fn normal(&self, slot: SlotRef) -> f64 {
        let mut tape = slot_tape(slot, self.blocks);
        let x = StandardNormal.sample(&mut tape);
        if tape.is_short() { StandardNormal.sample(&mut self.rng.slot(slot, self.blocks)) } else { x }
    }
}

impl MediatedNash {
    pub(super) fn position(&self, draws: &[f64], k: usize, p: P) -> f64 {
        self.issues[k].normalize(draws[p.0])
    }

    fn term_value(&self, k: usize, z: f64) -> f64 {
        match self.issues[k] {
            Space::Continuous { min, max } => min + z * (max - min),
            Space::Ordered { n } => (z * (n - 1) as f64).round(),
        }
    }
}

/// Utility of side `i` for position `z` on issue `k`: w (1 - |z - ideal|^γ), linear (and
/// computed as in 0.2) when γ = 1.
#[inline(always)]
fn utility(st: &TrialState, i: usize, k: usize, z: f64) -> f64 {
    let d = (z - st.ideal[i][k]).abs();
    let g = st.gamma[i];
    st.w[i][k] * (1.0 - if g == 1.0 { d } else { d.powf(g) })
}

/// Nash weights of the two sides; `ln_patience` is ln δ of each side wherever the rule or the
/// calendar needs it.
fn weights(m: &MediatedNash, draws: &[f64], ln_patience: [f64; 2]) -> [f64; 2] {
    let delta = [0, 1].map(|i| draws[m.parties[i].patience.0]);
    match m.settings.rule {
        ProposalRule::Nash => [0.5, 0.5],
        ProposalRule::PatienceNash => {
            let [l0, l1] = ln_patience;
            [l1 / (l0 + l1), l0 / (l0 + l1)]
        }
        ProposalRule::Rubinstein => {
            let f = m.settings.first_proposer;
            let share = (1.0 - delta[1 - f]) / (1.0 - delta[f] * delta[1 - f]);
            let mut a = [1.0 - share; 2];
            a[f] = share;
            a
        }
    }
}

/// Whether position `z` respects side `i`'s red line on issue `k`.
fn within_red_line(m: &MediatedNash, draws: &[f64], i: usize, k: usize, z: f64) -> bool {
    let pos = &m.parties[i].positions[k];
    match pos.red_line {
        None => true,
        Some(r) => (z - m.position(draws, k, r)) * pos.direction <= EPS,
    }
}

/// Prepares the trial's weights, ideals and the settlement space; false when the red lines
/// leave no settlement possible at all.
fn prepare(m: &MediatedNash, draws: &[f64], st: &mut TrialState) -> bool {
    if st.w.len() < 2 {
        st.w.resize_with(2, Vec::new);
        st.ideal.resize_with(2, Vec::new);
        st.gamma.resize(2, 1.0);
    }
    for i in 0..2 {
        let party: &PartyC = &m.parties[i];
        st.w[i].clear();
        st.ideal[i].clear();
        st.gamma[i] = party.curvature.map_or(1.0, |p| draws[p.0]);
        let total: f64 = party.positions.iter().map(|p| draws[p.salience.0]).sum();
        for (k, pos) in party.positions.iter().enumerate() {
            st.w[i].push(if total > 0.0 { draws[pos.salience.0] / total } else { 0.0 });
            st.ideal[i].push(m.position(draws, k, pos.ideal));
        }
    }
    st.segments.clear();
    st.living.clear();
    if let Some(t) = &m.table {
        return table::prepare(m, t, draws, st);
    }
    // The choices keep their buffers from trial to trial: only their contents are cleared.
    let mut n_choices = 0;
    let mut feasible = true;
    for term in &m.settlement {
        let k = term.issue;
        let (a0, a1) = (st.ideal[0][k], st.ideal[1][k]);
        match term.solved {
            Solved::Segment(_) => {
                let (mut lo, mut hi) = (a0.min(a1), a0.max(a1));
                // Red lines that move with the front or give under pressure are set each round.
                let mut lines = [None; 2];
                for (i, line) in lines.iter_mut().enumerate() {
                    let pos = &m.parties[i].positions[k];
                    let width = m.issues[k].width();
                    let living = |base| Line {
                        base,
                        direction: pos.direction,
                        own: st.ideal[i][k],
                        give: pos.give.map_or(0.0, |p| draws[p.0] / width),
                        cost: pos.past_cost.map_or(0.0, |p| draws[p.0] * width),
                    };
                    if let Some(r) = pos.red_line {
                        let r = m.position(draws, k, r);
                        if pos.give.is_some() {
                            *line = Some(living(Base::Fixed(r)));
                        } else if pos.direction > 0.0 {
                            hi = hi.min(r)
                        } else {
                            lo = lo.max(r)
                        }
                    }
                    if let Some(p) = pos.from_front {
                        *line = Some(living(Base::Front(m.battlefield.length(draws[p.0]))));
                    }
                }
                if lo > hi + EPS {
                    feasible = false;
                }
                let hi = hi.max(lo);
                if lines.iter().any(Option::is_some) {
                    st.living.push(Living { segment: st.segments.len(), lo, hi, ideals: [a0, a1], lines });
                }
                st.segments.push(Segment::between(lo, hi, a0, a1, st.w[0][k], st.w[1][k]));
            }
            Solved::Choice { n, .. } => {
                if st.choices.len() == n_choices {
                    st.choices.push(Choice::default());
                }
                let mut c = std::mem::take(&mut st.choices[n_choices]);
                c.options.clear();
                c.utility.clear();
                for j in 0..n {
                    let z = j as f64 / (n - 1) as f64;
                    if within_red_line(m, draws, 0, k, z) && within_red_line(m, draws, 1, k, z) {
                        c.options.push(j);
                        c.utility.push([utility(st, 0, k, z), utility(st, 1, k, z)]);
                    }
                }
                feasible &= !c.options.is_empty();
                st.choices[n_choices] = c;
                n_choices += 1;
            }
        }
    }
    st.choices.truncate(n_choices);
    feasible
}

/// The capability balance B in [-1, 1], positive when the high side is stronger.
fn balance(m: &MediatedNash, capability: &[f64; 2]) -> f64 {
    let (hi, lo) = (capability[m.high_side].max(0.0), capability[1 - m.high_side].max(0.0));
    if hi + lo > 0.0 { (hi - lo) / (hi + lo) } else { 0.0 }
}

/// What refusing a deal costs a side (docs/MODEL.md §6 step 4): the war until the next chance
/// to settle, and the war after it should the talks break down instead.
#[derive(Debug, Clone, Copy)]
struct Refusal {
    waiting: f64,
    breakdown: f64,
}

impl Refusal {
    fn total(self) -> f64 {
        self.waiting + self.breakdown
    }
}

/// Months of war a side risks by refusing a deal now, each discounted by its monthly patience:
/// the war until the next chance to settle, `months` away, (1 − δ^Δ) / −ln δ, and with chance
/// `breakdown` that the talks collapse instead the war for ever after it, b δ^Δ / −ln δ; one
/// `expm1` for both.
fn months_at_risk(ln_patience: f64, months: f64, breakdown: f64) -> [f64; 2] {
    // δ^Δ − 1, exactly 0 with no months to wait.
    let decay = if months <= 0.0 { 0.0 } else { (months * ln_patience).exp_m1() };
    [-decay / -ln_patience, breakdown * (1.0 + decay) / -ln_patience]
}

/// What the active mediators bring to one side in one round.
#[derive(Debug, Clone, Copy, Default)]
struct Channels {
    pressure: f64,
    side_payments: f64,
    /// Combined guarantee strength: 1 - prod(1 - g).
    guarantees: f64,
    /// Combined information: 1 - prod(1 - I).
    information: f64,
}

/// The channels of `levers` combined, starting from `from`: pressure and side payments add up,
/// guarantees and information combine as independent effects.
fn channels<'a>(
    draws: &[f64],
    from: [Channels; 2],
    levers: impl Iterator<Item = &'a [LeverageC; 2]> + Clone,
) -> [Channels; 2] {
    [0, 1].map(|i| combine(draws, from[i], levers.clone().map(|lev| &lev[i])))
}

/// One side's channels `levers` combined, starting from `from`.
fn combine<'a>(draws: &[f64], from: Channels, levers: impl Iterator<Item = &'a LeverageC>) -> Channels {
    let value = |p: Option<P>| p.map_or(0.0, |p| draws[p.0]);
    let mut c = from;
    let (mut no_guarantee, mut no_info) = (1.0 - c.guarantees, 1.0 - c.information);
    for lev in levers {
        c.pressure += value(lev.pressure);
        c.side_payments += value(lev.side_payments);
        no_guarantee *= 1.0 - value(lev.guarantees);
        no_info *= 1.0 - value(lev.information);
    }
    c.guarantees = 1.0 - no_guarantee;
    c.information = 1.0 - no_info;
    c
}

/// The most sides of a table: the parties and the mediators that set the agenda.
const SIDES: usize = limits::PARTIES + limits::MEDIATORS;

/// The evolving state of one trial.
struct War {
    /// Front position on [0, 1] of the battlefield issue.
    front: f64,
    /// Each side's belief gap, [0, 1] units, towards its own ideal.
    gap: [f64; 2],
    base_cost: [f64; 2],
    capability: [f64; 2],
    months: f64,
    /// The truce in force, if any.
    truce: Option<Truce>,
}

/// A truce in force: a ceasefire signed at the table, or a truce an event declared.
#[derive(Debug, Clone, Copy)]
struct Truce {
    /// The ceasefire option signed at the table; none for a declared truce.
    option: Option<usize>,
    /// Share of the fighting it halts.
    scope: f64,
    /// When it ends by itself, on the clock of [`War::months`] (infinite: only when it breaks).
    end: f64,
    /// Both sides keep it: signed at the table, or declared and reciprocated.
    mutual: bool,
}

pub fn run_trial<T: Tracer>(
    m: &MediatedNash,
    draws: &[f64],
    rng: &TrialRng,
    st: &mut TrialState,
    work: &mut Work,
    record: &mut TrialRecord,
    tr: &mut T,
) {
    if m.table.is_some() {
        trial::<T, true>(m, draws, rng, st, work, record, tr);
    } else {
        trial::<T, false>(m, draws, rng, st, work, record, tr);
    }
}

/// [`run_trial`], compiled once for the n-party path (`TABLE`) and once for two parties, so that
/// the two-party code carries none of the n-party branches and loops: a smaller, faster loop.
fn trial<T: Tracer, const TABLE: bool>(
    m: &MediatedNash,
    draws: &[f64],
    rng: &TrialRng,
    st: &mut TrialState,
    work: &mut Work,
    record: &mut TrialRecord,
    tr: &mut T,
) {
    let table = if TABLE { m.table.as_ref() } else { None };
    let mut out = Writer::new(record, &m.answering);
    let settlement_possible = prepare(m, draws, st);
    // The n-party path's sides: the parties, then the setters (§7b).
    let (n_parties, n_sides) = table.map_or((2, 2), |tb| (tb.parties(), tb.sides()));
    // Every side's utility of every ceasefire option, fixed for the trial: read many times a
    // round (the war's value, each option at the table).
    st.truce_utility.clear();
    if let Some((k, scope)) = &m.ceasefire {
        for i in 0..n_sides {
            for o in 0..scope.len() {
                st.truce_utility.push(utility(st, i, *k, o as f64 / (scope.len() - 1) as f64));
            }
        }
    }
    let st: &TrialState = st;
    let s = &m.settings;
    let get = |p: P| draws[p.0];
    let bf = m.battlefield.issue;
    let sides = [0usize, 1];
    // The front's fastest drift a month, in [0, 1] units; the capability balance sets its share.
    let pace = m.battlefield.length(get(s.bf_max_drift));
    let mut war = War {
        front: m.position(draws, bf, s.bf_initial),
        gap: sides.map(|i| m.battlefield.length(get(m.parties[i].optimism))),
        base_cost: sides.map(|i| get(m.parties[i].cost_of_war)),
        capability: sides.map(|i| get(m.parties[i].capability)),
        months: s.war_months,
        truce: None,
    };
    let calendar = s.time == Time::Calendar;
    let patience = |i: usize| match table {
        Some(tb) if i >= 2 => tb.stakeholders[i - 2].patience,
        _ => m.parties[i].patience,
    };
    // Fixed for the trial: one logarithm per party, not one per round, and none in rounds time
    // but the two belligerents' when their Nash weights are patience-weighted.
    let mut ln_patience = [0.0; limits::PARTIES];
    for (i, l) in ln_patience.iter_mut().enumerate().take(n_parties) {
        if calendar || (i < 2 && s.rule == ProposalRule::PatienceNash) {
            *l = get(patience(i)).ln();
        }
    }
    let alpha = weights(m, draws, [ln_patience[0], ln_patience[1]]);
    // Value of the settlement issues other than the battlefield at their reversion points.
    let mut reversion = [0.0; SIDES];
    for (i, r) in reversion.iter_mut().enumerate().take(n_sides) {
        *r = m.reverting.iter().map(|&(k, r)| utility(st, i, k, m.position(draws, k, r))).sum();
    }
    // Each stakeholder's cost of war, before weariness (events change it).
    let mut other_cost = [0.0; limits::PARTIES];
    if let Some(tb) = table {
        for (c, party) in other_cost.iter_mut().skip(2).zip(&tb.stakeholders) {
            *c = get(party.cost_of_war);
        }
    }
    let ceasefire_options = m.ceasefire.as_ref().map_or(0, |(_, scope)| scope.len());
    let ceasefire_utility =
        |i: usize, o: usize| if ceasefire_options == 0 { 0.0 } else { st.truce_utility[i * ceasefire_options + o] };
    let scope = |o: usize| m.ceasefire.as_ref().map_or(0.0, |(_, scope)| scope[o]);
    // How long option o's truce lasts, in months (infinite: until it breaks).
    let length = |o: usize| m.truce_length[o].map_or(f64::INFINITY, |(months, _)| months);
    let signed = |o: usize| Signed { general: scope(o) >= 1.0, days: m.truce_length[o].map(|(_, days)| days) };
    let will_noise = get(s.will_noise);
    // Sanctions, aid and standing guarantees act in every round, at the table or not.
    let standing = channels(draws, [Channels::default(); 2], m.standing.iter());
    let mut collapsed = false;
    // Earlier rounds of the trial in which a side walked out of an agreement in force.
    let mut walkouts = 0;
    // The share of optimism a month of full fighting keeps, as a logarithm taken once per
    // trial: each war step then needs an `exp`, not a `powf`.
    let ln_unlearned = (-get(s.learning)).ln_1p();
    // The settlement in force, if any: its value to each side (its terms, and the ceasefire
    // question made moot).
    let mut peace: Option<[f64; 2]> = None;
    // How far the settlement in force needed each side's red lines opened by pressure: the
    // share of their give (0 if its terms cross no red line).
    let mut crossed = [0.0; 2];
    let names = &m.names;
    let front = |x: f64| m.term_value(bf, x);
    // A ceasefire holds: signed at the table, or declared and reciprocated.
    let mutual = |war: &War| war.truce.is_some_and(|t| t.mutual);

    for (t, round) in m.rounds.iter().enumerate() {
        // The round's stakeholders: none on the two-party path.
        let others: &[OtherC] = if TABLE { &round.others } else { &[] };
        if collapsed {
            tr.note(t, || "outcome: collapse (carried over from an earlier round)".into());
            out.round(t, Outcome::Collapse, false, Happened::default());
            continue;
        }
        let random = RoundRandom { rng, blocks: &work.blocks };
        let dt = get(round.months);
        war.months += dt;
        // A fixed array rather than a Vec: this runs every round of every trial, and validation
        // caps the number of mediators.
        let mut engaged_buf = [0usize; limits::MEDIATORS];
        let mut n_engaged = 0;
        for &(med, presence, slot) in &round.mediators {
            if presence.is_none_or(|p| random.uniform(slot) < get(p)) {
                engaged_buf[n_engaged] = med;
                n_engaged += 1;
            }
        }
        let engaged = &engaged_buf[..n_engaged];
        let active = channels(draws, standing, engaged.iter().map(|&med| &m.mediators[med]));
        // What any agreement adds (side payments, less mistrust not covered by guarantees), and
        // the leverage, as they act in this round.
        let extras = sides.map(|i| active[i].side_payments - get(m.parties[i].mistrust) * (1.0 - active[i].guarantees));
        let leverage = sides.map(|i| active[i].side_payments + active[i].pressure);
        // The same for every party on the n-party path (the belligerents' as above).
        if let Some(tb) = table {
            work.act.clear();
            work.extra.clear();
            work.lever.clear();
            work.act.extend_from_slice(&active);
            work.extra.extend_from_slice(&extras);
            work.lever.extend_from_slice(&leverage);
            for (s, party) in tb.stakeholders.iter().enumerate() {
                let from = combine(draws, Channels::default(), tb.standing.iter().map(|v| &v[s]));
                let a = combine(draws, from, engaged.iter().map(|&med| &tb.in_room[med][s]));
                work.act.push(a);
                work.extra.push(a.side_payments - get(party.mistrust) * (1.0 - a.guarantees));
                work.lever.push(a.side_payments + a.pressure);
            }
        }
        // The share of its give by which the pressure of this round opens each side's red lines.
        let opening =
            sides.map(|i| m.parties[i].red_line_pressure.map_or(0.0, |p| (active[i].pressure / get(p)).min(1.0)));
        tr.note(t, || {
            let who: Vec<&str> = engaged.iter().map(|&e| names.mediators[e].as_str()).collect();
            format!(
                "{dt} months of war since the previous round ({} in all); mediators at work: {}",
                war.months,
                if who.is_empty() { "none".into() } else { who.join(", ") }
            )
        });

        // Events fire before the round, while the war goes on.
        let mut attendance_factor = [1.0; limits::PARTIES];
        let mut collapse_extra = 0.0;
        // A truce declared by an event: it starts once the war up to this round has been fought
        // (after the war step below); the last one declared wins.
        let mut declared: Option<(TruceC, bool)> = None;
        let events = if peace.is_some() { &[][..] } else { &round.events[..] };
        for re in events {
            let (e, ev) = (re.event, &m.events[re.event]);
            if random.uniform(re.fires) >= get(ev.probability) {
                continue;
            }
            tr.note(t, || format!("event: {}", names.events[e]));
            let fx = &ev.effects;
            if let Some(truce) = &fx.truce {
                let reciprocated = match (truce.reciprocated, re.reciprocated) {
                    (Some(p), Some(slot)) => random.uniform(slot) < get(p),
                    _ => false,
                };
                declared = Some((*truce, reciprocated));
            }
            if let Some(p) = fx.battlefield_shift {
                war.front = (war.front + m.battlefield.length(get(p))).clamp(0.0, 1.0);
            }
            for &(i, p) in &fx.cost_change {
                war.base_cost[i] += get(p);
            }
            for &(i, p) in &fx.capability_change {
                war.capability[i] += get(p);
            }
            for &(i, p) in &fx.optimism_change {
                war.gap[i] = (war.gap[i] + m.battlefield.length(get(p))).max(0.0);
            }
            for &(i, p) in &fx.attendance_factor {
                attendance_factor[i] *= get(p);
            }
            if let Some(p) = fx.collapse_hazard {
                collapse_extra += get(p);
            }
            if let Some(tb) = table {
                for &(i, p) in &tb.cost_change[e] {
                    other_cost[i] += get(p);
                }
                for &(i, p) in &tb.attendance_factor[e] {
                    attendance_factor[i] *= get(p);
                }
            }
        }

        // In calendar time the cost of refusing a deal is the war until the next chance to
        // settle, `ahead` months, and after it if the talks break down, discounted by each
        // side's monthly patience.
        let next = get(round.next_months);
        let ahead = if calendar { next } else { 0.0 };
        // This round's chance that talks without a deal collapse (drawn at the round's end);
        // in calendar time a refusal risks it, unless the round agrees a humanitarian step,
        // which leaves the talks standing (step 4).
        // Known before the round opens: it follows from the walk-outs of earlier rounds.
        let breakdown = mistrusted((get(s.collapse) + collapse_extra).clamp(0.0, 1.0), walkouts);
        if walkouts > 0 {
            tr.note(t, || {
                format!(
                    "{walkouts} earlier walk-out(s) from an agreement: talks without a deal collapse with chance \
                     {breakdown:.3}"
                )
            });
        }
        let risk = breakdown * (1.0 - get(s.humanitarian).clamp(0.0, 1.0));
        let cost_of = |i: usize, war: &War| {
            let base = if i < 2 { war.base_cost[i] } else { other_cost[i] };
            let flow = base.max(0.0) * (1.0 + get(s.weariness) * war.months);
            if calendar {
                let [waiting, breakdown] = months_at_risk(ln_patience[i], ahead, risk);
                Refusal { waiting: flow * waiting, breakdown: flow * breakdown }
            } else {
                Refusal { waiting: flow, breakdown: 0.0 }
            }
        };
        let cost_now = |war: &War| sides.map(|i| cost_of(i, war));
        // Computed once, when first needed: most rounds of most trials have no agreement in
        // force and no meeting, and need no cost (the discount is an `expm1` per side).
        let mut cost: Option<[Refusal; 2]> = None;
        let sign = |i: usize| if i == m.high_side { 1.0 } else { -1.0 };
        // Where the war is heading by the next chance to settle: in calendar time the front's
        // expected drift is the truth that beliefs are measured from, not a misperception.
        // The drift a month at this round's capability balance (only events change it, and they
        // have fired).
        let push = pace * balance(m, &war.capability);
        let course = |war: &War| {
            if calendar { (war.front + push * ahead).clamp(0.0, 1.0) } else { war.front }
        };
        // A stakeholder has no optimism: it expects the war's course.
        let war_value = |i: usize, war: &War| {
            let gap = if i < 2 { war.gap[i] } else { 0.0 };
            let belief = (course(war) + sign(i) * gap).clamp(0.0, 1.0);
            reversion[i] + utility(st, i, bf, belief) + ceasefire_utility(i, 0)
        };
        // The share of the wait for the next chance to settle that falls in the `left` months a
        // truce still runs: 1 when it outlasts the wait.
        let within = |i: usize, left: f64| {
            if left >= next {
                1.0
            } else if calendar {
                months_at_risk(ln_patience[i], left, 0.0)[0] / months_at_risk(ln_patience[i], next, 0.0)[0]
            } else {
                left / next
            }
        };
        // A ceasefire with option o, `left` months still to run: the line as it stands, and the
        // unhalted share of the wait while it runs; signing one ends this round's breakdown risk.
        let signed_truce = |i: usize, o: usize, left: f64, war: &War, cost: &Refusal| {
            reversion[i] + utility(st, i, bf, war.front) + ceasefire_utility(i, o)
                - (1.0 - scope(o) * within(i, left)) * cost.waiting
        };
        // A truce in force also bears the breakdown risk in full, as the talks may still collapse
        // and end it.
        let truce_value = |i: usize, o: usize, left: f64, war: &War, cost: &Refusal| {
            signed_truce(i, o, left, war, cost) - cost.breakdown
        };
        // The status quo: the war, a ceasefire in force, or the war damped by a declared truce.
        let status_quo = |i: usize, war: &War, cost: &Refusal| match war.truce {
            None => war_value(i, war) - cost.total(),
            Some(truce) => {
                let left = truce.end - war.months;
                match truce.option {
                    Some(o) => truce_value(i, o, left, war, cost),
                    None => war_value(i, war) - (1.0 - truce.scope * within(i, left)) * cost.waiting - cost.breakdown,
                }
            }
        };

        // The chance that the implementation of an agreement breaks down in the `dt` months
        // since the last round, given the guarantees.
        let guarantee = 0.5 * (active[0].guarantees + active[1].guarantees);
        let implementation = |h: P| 1.0 - (1.0 - get(h) * (1.0 - guarantee)).powf(dt);

        // A settlement in force holds unless its implementation breaks down or a side now
        // prefers war, with the leverage and guarantees acting now (Walter 2002; Beardsley 2008).
        if let Some(value) = peace {
            let cost = *cost.get_or_insert_with(|| cost_now(&war));
            let hazard = s.implementation.map_or(0.0, implementation);
            let mut broken = random.uniform(round.slot_incident) < hazard;
            let mut walked = false;
            if broken {
                tr.note(t, || "the settlement's implementation breaks down".into());
            }
            for i in sides {
                let shock = if will_noise > 0.0 { will_noise * random.normal(round.slot_defect[i]) } else { 0.0 };
                let hold = value[i] + extras[i];
                let fight = war_value(i, &war) - cost[i].total() - active[i].pressure + shock;
                if hold < fight {
                    tr.note(t, || {
                        format!(
                            "{} leaves the settlement: war is worth {fight:.3} to it (after pressure and a will shock \
                             of {shock:+.3}), the settlement {hold:.3} (after side payments and mistrust)",
                            names.parties[i]
                        )
                    });
                }
                walked |= hold < fight;
                // Terms past a red line hold only while pressure keeps that line open.
                if opening[i] < crossed[i] {
                    tr.note(t, || {
                        format!(
                            "{} repudiates the settlement: its terms need {:.0}% of its red lines' give, the pressure now \
                             opens {:.0}%",
                            names.parties[i],
                            100.0 * crossed[i],
                            100.0 * opening[i]
                        )
                    });
                    walked = true;
                }
            }
            // Every veto stakeholder signed it and may leave it too (§7b).
            for (s, other) in others.iter().enumerate() {
                let Some(dg) = &other.delegation else { continue };
                let i = 2 + s;
                let shock = if will_noise > 0.0 { will_noise * random.normal(dg.slot_defect) } else { 0.0 };
                let hold = work.peace[s] + work.extra[i];
                let fight = war_value(i, &war) - cost_of(i, &war).total() - work.act[i].pressure + shock;
                if hold < fight {
                    tr.note(t, || {
                        format!("{} leaves the settlement: the status quo is worth {fight:.3} to it, the settlement {hold:.3}", names.sides[i])
                    });
                    walked = true;
                }
            }
            // A side that walks out of the settlement, not an implementation that breaks down.
            walkouts += i32::from(walked);
            broken |= walked;
            if !broken {
                tr.note(t, || "outcome: settlement (in force since an earlier round)".into());
                out.round(t, Outcome::Settlement, false, Happened::default());
                continue;
            }
            peace = None;
            out.settlement_broke(t);
        }

        // A truce whose days are over ends by itself: it is not broken. The war step below damps
        // the part of the interval it still covered.
        let mut expired_halted = 0.0;
        if let Some(truce) = war.truce
            && truce.end <= war.months
        {
            let covered = (truce.end - (war.months - dt)).clamp(0.0, dt);
            if dt > 0.0 {
                expired_halted = truce.scope * covered / dt;
            }
            war.truce = None;
            if truce.mutual {
                out.truce_expired();
            }
            tr.note(t, || {
                let what = truce
                    .option
                    .map_or("the declared truce".into(), |o| format!("the ceasefire ({})", names.ceasefire_options[o]));
                format!("{what} has run its course and ends ({covered:.3} months of it before this round)")
            });
        }

        // A ceasefire in force holds unless an incident breaks it or a side now prefers war. A
        // declared truce runs its days.
        if let Some(truce) = war.truce
            && let Some(o) = truce.option
        {
            let cost = *cost.get_or_insert_with(|| cost_now(&war));
            let incident = get(s.fragility) * (1.0 - guarantee);
            let incident = match s.implementation {
                None => incident,
                Some(h) => 1.0 - (1.0 - incident) * (1.0 - implementation(h)),
            };
            let mut broken = random.uniform(round.slot_incident) < incident;
            let mut walked = false;
            if broken {
                tr.note(t, || format!("an incident breaks the ceasefire ({})", names.ceasefire_options[o]));
            }
            for i in sides {
                let shock = if will_noise > 0.0 { will_noise * random.normal(round.slot_defect[i]) } else { 0.0 };
                let hold = truce_value(i, o, truce.end - war.months, &war, &cost[i]) + active[i].side_payments;
                let fight = war_value(i, &war) - cost[i].total() - active[i].pressure + shock;
                if hold < fight {
                    tr.note(t, || {
                        format!(
                            "{} leaves the ceasefire: war is worth {fight:.3} to it (after pressure and a will shock \
                             of {shock:+.3}), the truce {hold:.3}",
                            names.parties[i]
                        )
                    });
                }
                walked |= hold < fight;
            }
            for (s, other) in others.iter().enumerate() {
                let Some(dg) = &other.delegation else { continue };
                let i = 2 + s;
                let shock = if will_noise > 0.0 { will_noise * random.normal(dg.slot_defect) } else { 0.0 };
                let c = cost_of(i, &war);
                let hold = truce_value(i, o, truce.end - war.months, &war, &c) + work.act[i].side_payments;
                let fight = war_value(i, &war) - c.total() - work.act[i].pressure + shock;
                if hold < fight {
                    tr.note(t, || {
                        format!(
                            "{} leaves the ceasefire: war is worth {fight:.3} to it, the truce {hold:.3}",
                            names.sides[i]
                        )
                    });
                    walked = true;
                }
            }
            // A side that walks out of the ceasefire, not an incident.
            walkouts += i32::from(walked);
            broken |= walked;
            if broken {
                war.truce = None;
                out.truce_broke(t);
            } else {
                tr.note(t, || format!("the ceasefire ({}) holds", names.ceasefire_options[o]));
            }
        }

        // The war between rounds: the front moves with the capability balance, and fighting
        // reveals information that shrinks each side's optimism.
        if dt > 0.0 {
            let halted = war.truce.map_or(expired_halted, |truce| truce.scope);
            let drift = push * dt;
            let vol = m.battlefield.length(get(s.bf_volatility));
            let shock =
                if vol > 0.0 && halted < 1.0 { vol * dt.sqrt() * random.normal(round.slot_battlefield) } else { 0.0 };
            war.front = (war.front + (1.0 - halted) * (drift + shock)).clamp(0.0, 1.0);
            // A full ceasefire halts learning: no power at all (with λ = 1 the logarithm is
            // −∞, and 0 × −∞ would be NaN).
            let exponent = dt * (1.0 - halted);
            let keep = if exponent == 0.0 { 1.0 } else { (exponent * ln_unlearned).exp() };
            for g in &mut war.gap {
                *g *= keep;
            }
        }
        for i in sides {
            war.gap[i] *= 1.0 - active[i].information;
        }
        if let Some((truce, reciprocated)) = declared {
            match war.truce.and_then(|t| t.option) {
                Some(_) => {
                    tr.note(t, || "the declared truce changes nothing: a ceasefire signed at the table binds".into())
                }
                None => {
                    let scope = get(truce.scope);
                    war.truce =
                        Some(Truce { option: None, scope, end: war.months + truce.months, mutual: reciprocated });
                    if reciprocated {
                        out.declared(t, Signed { general: scope >= 1.0, days: Some(truce.days.floor() as i64) });
                    }
                    tr.note(t, || {
                        let answer = if reciprocated { "reciprocated: a ceasefire" } else { "not reciprocated" };
                        format!(
                            "{} declares a truce halting {scope:.3} of the fighting for {} days; {answer}",
                            names.parties[truce.by], truce.days
                        )
                    });
                }
            }
        }
        tr.note(t, || {
            let belief = |i: usize| front((course(&war) + sign(i) * war.gap[i]).clamp(0.0, 1.0));
            let cost = cost_now(&war);
            format!(
                "front at {:.4} ({}); {} expects the war to end at {:.4}, {} at {:.4}; cost of refusing a deal: {} {:.3}, \
                 {} {:.3}",
                front(war.front),
                names.battlefield_unit,
                names.parties[0],
                belief(0),
                names.parties[1],
                belief(1),
                names.parties[0],
                cost[0].total(),
                names.parties[1],
                cost[1].total()
            )
        });

        let present = sides.map(|i| {
            let p = (get(round.attendance[i]) * attendance_factor[i]).clamp(0.0, 1.0);
            let here = p >= 1.0 || (p > 0.0 && random.uniform(round.slot_attend[i]) < p);
            tr.note(t, || {
                let verb = if here { "comes" } else { "stays away" };
                format!("{} {verb} (chance {p:.3})", names.parties[i])
            });
            here
        });
        // Every veto stakeholder's delegation must come too; a bystander sends none.
        let mut others_here = true;
        for (s, other) in others.iter().enumerate() {
            let Some(dg) = &other.delegation else { continue };
            let i = 2 + s;
            let p = (get(dg.attendance) * attendance_factor[i]).clamp(0.0, 1.0);
            let here = p >= 1.0 || (p > 0.0 && random.uniform(dg.slot_attend) < p);
            tr.note(t, || format!("{} {} (chance {p:.3})", names.sides[i], if here { "comes" } else { "stays away" }));
            others_here &= here;
        }
        if !(present[0] && present[1] && others_here) {
            tr.note(t, || "outcome: no meeting".into());
            out.round(t, Outcome::NoMeeting, mutual(&war), Happened::default());
            continue;
        }

        let level = sides.map(|i| draw_level(round.level[i], &random, tr, t, &names.parties[i]));
        let mut level = level[0].min(level[1]);
        let mut signs_only = round.to_sign[0] || round.to_sign[1];
        for (s, other) in others.iter().enumerate() {
            let Some(dg) = &other.delegation else { continue };
            level = level.min(draw_level(dg.level, &random, tr, t, &names.sides[2 + s]));
            signs_only |= dg.to_sign;
        }
        // A leaders' delegation that comes only to sign sits at leaders' level only if a
        // settlement is signed (decided below).
        let to_sign = level == Level::Leaders && signs_only;
        // For the trace: the parties whose leaders come only to sign.
        let signers_only = || {
            let who: Vec<&str> =
                sides.iter().filter(|&&i| round.to_sign[i]).map(|&i| names.parties[i].as_str()).collect();
            who.join(" and ")
        };
        tr.note(t, || format!("delegations can sign: {}", level_scope(level)));
        if to_sign {
            tr.note(t, || {
                format!(
                    "{}'s leader comes only to sign: ministers head the delegation unless a settlement is signed",
                    signers_only()
                )
            });
        }

        let cost = *cost.get_or_insert_with(|| cost_now(&war));
        // At the table: each side's disagreement payoff is the status quo (war, or the truce in
        // force) less the mediators' pressure, plus this round's political-will shock.
        let disagreement = sides.map(|i| {
            let status_quo = status_quo(i, &war, &cost[i]);
            let shock = if will_noise > 0.0 { will_noise * random.normal(round.slot_will[i]) } else { 0.0 };
            let d = status_quo - active[i].pressure + shock;
            tr.note(t, || {
                format!(
                    "{}: disagreement payoff {d:.3} = status quo {status_quo:.3} - pressure {:.3} + will shock {shock:+.3}",
                    names.parties[i], active[i].pressure
                )
            });
            d
        });

        // On the n-party path: every side's disagreement payoff, the belligerents' as above; a
        // setter's is the issues where they stand, with no cost of war.
        if let Some(tb) = table {
            work.d_all.clear();
            work.d_all.extend_from_slice(&disagreement);
            for (s, other) in others.iter().enumerate() {
                let i = 2 + s;
                let status_quo = status_quo(i, &war, &cost_of(i, &war));
                let shock = if will_noise > 0.0 { will_noise * random.normal(other.slot_will) } else { 0.0 };
                let pressure = work.act[i].pressure;
                let d = status_quo - pressure + shock;
                work.d_all.push(d);
                tr.note(t, || {
                    format!(
                        "{}: disagreement payoff {d:.3} = status quo {status_quo:.3} - pressure {pressure:.3} + will shock {shock:+.3}",
                        names.sides[i]
                    )
                });
            }
            let current = war.truce.and_then(|t| t.option).unwrap_or(0);
            for (i, r) in reversion.iter().enumerate().take(tb.sides()).skip(tb.parties()) {
                work.d_all.push(r + utility(st, i, bf, course(&war)) + ceasefire_utility(i, current));
            }
        }

        let mut outcome = Outcome::TalksNoDeal;
        // Red lines that move with the front cut the battlefield issue where the front now is,
        // and red lines that give open under the pressure of the round.
        let living = !st.living.is_empty() && level == Level::Leaders && settlement_possible;
        let possible = if living {
            let fits = redline::fit(&st.segments, &st.living, opening, war.front, &mut work.fit);
            for l in &work.fit.stood {
                tr.note(t, || {
                    let k = m
                        .settlement
                        .iter()
                        .find(|t| matches!(t.solved, Solved::Segment(j) if j == l.segment))
                        .map_or(bf, |t| t.issue);
                    format!(
                        "{}'s red line on {}: {} before pressure, {} opened by it",
                        names.parties[l.side],
                        names.issues[k],
                        m.describe_term(k, m.term_value(k, l.base)),
                        m.describe_term(k, m.term_value(k, l.opened))
                    )
                });
            }
            fits
        } else {
            settlement_possible
        };
        let segments: &[Segment] = if living { &work.fit.segments } else { &st.segments };
        if level == Level::Leaders && !possible {
            tr.note(t, || "no settlement: the red lines leave no package both sides could accept".into());
        }
        if level == Level::Leaders && possible {
            let base = || {
                sides.map(|i| {
                    let start: f64 = m
                        .settlement
                        .iter()
                        .filter_map(|t| match t.solved {
                            Solved::Segment(j) => Some(utility(st, i, t.issue, segments[j].start)),
                            Solved::Choice { .. } => None,
                        })
                        .sum();
                    // A settlement ends the war on agreed terms, so the ceasefire question is moot:
                    // each side gets its full ceasefire-issue utility.
                    let ceasefire_moot = m.ceasefire.as_ref().map_or(0.0, |(k, _)| st.w[i][*k]);
                    // Past a red line at a segment's start, the cost of being there.
                    let past = if living { work.fit.start_cost[i] } else { 0.0 };
                    start - past + ceasefire_moot + extras[i] - disagreement[i]
                })
            };
            // Where conceding past a red line costs, the solver works on the pieces between
            // the lines.
            let pieces = if living { work.fit.for_solver() } else { segments };
            let deal = if let Some(tb) = table {
                work.base.clear();
                for i in 0..tb.sides() {
                    let moot = m.ceasefire.as_ref().map_or(0.0, |(k, _)| st.w[i][*k]);
                    let gain = match i.checked_sub(tb.parties()) {
                        None => work.extra[i],
                        Some(j) => tb.setters[j].deal_value.map_or(0.0, get),
                    };
                    work.base.push(moot + gain - work.d_all[i]);
                }
                table::propose(m, draws, st, round.proposal, war.front, &work.base, &mut work.surplus)
            } else if st.gamma == [1.0; 2] {
                nash::solve(base(), pieces, &st.choices, alpha, &mut work.order)
            } else {
                nash::solve_concave(base(), pieces, &st.choices, alpha, [st.gamma[0], st.gamma[1]])
            };
            if let Some(mut deal) = deal {
                if living {
                    work.fit.join(&mut deal.positions);
                }
                // Terms past a red line rest on the pressure that opened it.
                let need = if living { work.fit.need(&deal.positions) } else { [0.0; 2] };
                let term_of = |t: &TermC| {
                    let z = match t.solved {
                        Solved::Segment(j) => deal.positions[j],
                        Solved::Choice { index, n } => deal.options[index] as f64 / (n - 1) as f64,
                    };
                    m.term_value(t.issue, z)
                };
                let leverage_dependent = sides.into_iter().any(|i| deal.surplus[i] < leverage[i] || need[i] > 0.0)
                    || (2..n_parties).any(|i| others[i - 2].delegation.is_some() && work.surplus[i] < work.lever[i]);
                // The event records the trial's first settlement; a later one, after the first
                // broke, is signed and reported per round only.
                if !out.settled_before() {
                    for (term, t) in m.settlement.iter().enumerate() {
                        out.term(term, term_of(t));
                    }
                    out.settle(leverage_dependent);
                }
                peace = Some(sides.map(|i| deal.surplus[i] + disagreement[i] - extras[i]));
                work.peace.clear();
                work.peace.extend((2..n_parties).map(|i| work.surplus[i] + work.d_all[i] - work.extra[i]));
                crossed = need;
                war.truce = None;
                outcome = Outcome::Settlement;
                tr.note(t, || {
                    let terms: Vec<String> = m
                        .settlement
                        .iter()
                        .map(|t| format!("{} {}", names.issues[t.issue], m.describe_term(t.issue, term_of(t))))
                        .collect();
                    let values: Vec<String> = sides
                        .iter()
                        .map(|&i| {
                            format!(
                                "{} values it at {:.3} against {:.3}",
                                names.parties[i],
                                deal.surplus[i] + disagreement[i],
                                disagreement[i]
                            )
                        })
                        .collect();
                    let others: Vec<String> = (2..n_sides)
                        .map(|i| {
                            format!("{} gains {:.3} over its disagreement payoff", names.sides[i], work.surplus[i])
                        })
                        .collect();
                    let others = if others.is_empty() { String::new() } else { format!("; {}", others.join("; ")) };
                    let lever = if leverage_dependent { "; it rests on the mediators' leverage" } else { "" };
                    format!("settlement signed: {}; {}{others}{lever}", terms.join(", "), values.join("; "))
                });
            } else {
                tr.note(t, || "no settlement: no package gives both sides at least their disagreement payoff".into());
            }
        }
        let level = if to_sign && outcome != Outcome::Settlement {
            tr.note(t, || {
                format!(
                    "nothing to sign: ministers head {}'s delegation, so the round runs at ministers' level",
                    signers_only()
                )
            });
            Level::Ministers
        } else {
            level
        };
        if outcome != Outcome::Settlement
            && level >= Level::Ministers
            && war.truce.is_none_or(|truce| truce.option.is_none())
            && let Some((k, _)) = &m.ceasefire
        {
            let mut best: Option<(f64, usize)> = None;
            for o in 1..ceasefire_options {
                let z = o as f64 / (ceasefire_options - 1) as f64;
                let allowed = match table {
                    Some(tb) => table::allowed(m, tb, draws, *k, z),
                    None => within_red_line(m, draws, 0, *k, z) && within_red_line(m, draws, 1, *k, z),
                };
                if !allowed {
                    continue;
                }
                let e = sides.map(|i| signed_truce(i, o, length(o), &war, &cost[i]) + extras[i] - disagreement[i]);
                tr.note(t, || {
                    format!(
                        "ceasefire option {}: surplus over disagreement {} {:+.3}, {} {:+.3}",
                        names.ceasefire_options[o], names.parties[0], e[0], names.parties[1], e[1]
                    )
                });
                let value = match table {
                    None => nash::log_nash(e, alpha),
                    Some(tb) => {
                        // Every veto player must gain; the Nash rule weighs them, a setter
                        // offers the option it gains most from, if it gains at all (§7b).
                        let gain = |i: usize| {
                            signed_truce(i, o, length(o), &war, &cost_of(i, &war)) + work.extra[i] - work.d_all[i]
                        };
                        let mut nash_value = 0.0;
                        let mut acceptable = true;
                        for i in (0..tb.parties()).filter(|&i| tb.veto(i)) {
                            let e = gain(i);
                            acceptable &= e >= 0.0;
                            nash_value += table::weight(m, tb, draws, i) * e.ln();
                        }
                        let own = match round.proposal {
                            Proposal::Nash => Some(nash_value),
                            Proposal::Setter(p) if p < tb.parties() => Some(gain(p)),
                            Proposal::Setter(p) => Some(ceasefire_utility(p, o) - ceasefire_utility(p, 0)),
                        };
                        own.filter(|&v| acceptable && (round.proposal == Proposal::Nash || v >= 0.0))
                    }
                };
                if let Some(v) = value
                    && best.is_none_or(|(b, _)| v > b)
                {
                    best = Some((v, o));
                }
            }
            if let Some((_, o)) = best {
                war.truce = Some(Truce { option: Some(o), scope: scope(o), end: war.months + length(o), mutual: true });
                out.ceasefire(o, m.settlement.len());
                outcome = Outcome::Ceasefire;
                tr.note(t, || format!("ceasefire signed: {}", names.ceasefire_options[o]));
            } else {
                tr.note(t, || "no ceasefire: no option leaves both sides better off than the status quo".into());
            }
        }
        let humanitarian = random.uniform(round.slot_humanitarian) < get(s.humanitarian);
        tr.note(t, || format!("humanitarian step {}", if humanitarian { "agreed" } else { "not agreed" }));
        if outcome == Outcome::TalksNoDeal && humanitarian {
            outcome = Outcome::Humanitarian;
        }
        if outcome == Outcome::TalksNoDeal && breakdown > 0.0 && random.uniform(round.slot_collapse) < breakdown {
            outcome = Outcome::Collapse;
            collapsed = true;
            war.truce = None;
        }
        tr.note(t, || format!("outcome: {}", outcome.label()));
        let happened = Happened {
            met: true,
            leaders: level == Level::Leaders,
            humanitarian,
            ceasefire: (outcome == Outcome::Ceasefire).then(|| war.truce.and_then(|t| t.option).map(signed)).flatten(),
            settlement: outcome == Outcome::Settlement,
            collapse: outcome == Outcome::Collapse,
        };
        out.round(t, outcome, mutual(&war), happened);
    }
    out.finish();
}

/// The level of a delegation whose law is `level` (its draw, if any, noted for the trace).
fn draw_level<T: Tracer>(level: LevelC, random: &RoundRandom, tr: &mut T, t: usize, name: &str) -> Level {
    match level {
        LevelC::Fixed(level) => level,
        LevelC::Drawn { below, slot } => {
            let u = random.uniform(slot);
            let level = if u < below[0] {
                Level::Officials
            } else if u < below[1] {
                Level::Ministers
            } else {
                Level::Leaders
            };
            tr.note(t, || {
                format!(
                    "{name}'s delegation: {} (drawn: U = {u:.4}; officials if U < {:.4}, else ministers if U < {:.4}, else leaders)",
                    level.key(),
                    below[0],
                    below[1]
                )
            });
            level
        }
    }
}

fn level_scope(level: Level) -> &'static str {
    match level {
        Level::Officials => "a humanitarian step only (officials)",
        Level::Ministers => "a ceasefire or a humanitarian step (ministers)",
        Level::Leaders => "a settlement, a ceasefire or a humanitarian step (leaders)",
    }
}
