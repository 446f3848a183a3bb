//! The n-party path of a round (docs/MODEL.md §7b): the package space the veto players' red
//! lines leave, the sides of the table, and the proposal by the weighted n-party Nash rule or
//! an agenda setter's take-it-or-leave-it offer ([`super::nparty`]).

use super::nash::Package;
use super::nparty::{self, Options, Role, Span};
use super::redline::{Base, Line};
use super::round::{EPS, TrialState};
use super::{MediatedNash, P, PositionC, Proposal, Solved, TableC};
use crate::scenario::schema::ProposalRule;

impl TableC {
    /// The parties: the two belligerents, then the stakeholders.
    pub(super) fn parties(&self) -> usize {
        2 + self.stakeholders.len()
    }

    /// The sides of the table: the parties, then the mediators that set the agenda.
    pub(super) fn sides(&self) -> usize {
        self.parties() + self.setters.len()
    }

    /// Whether party `i` is a veto player (a belligerent always is).
    pub(super) fn veto(&self, i: usize) -> bool {
        i < 2 || self.stakeholders[i - 2].veto
    }
}

/// Party `i`'s position on issue `k`.
fn position<'a>(m: &'a MediatedNash, t: &'a TableC, i: usize, k: usize) -> &'a PositionC {
    if i < 2 { &m.parties[i].positions[k] } else { &t.stakeholders[i - 2].positions[k] }
}

/// Whether position `z` respects party `i`'s red line on issue `k`: a red line above the
/// party's ideal is a ceiling, below it a floor (`direction` +1 and -1).
fn within(m: &MediatedNash, t: &TableC, draws: &[f64], i: usize, k: usize, z: f64) -> bool {
    let pos = position(m, t, i, k);
    pos.red_line.is_none_or(|r| (z - m.position(draws, k, r)) * pos.direction <= EPS)
}

/// Whether every veto player's red line allows position `z` on issue `k`.
pub(super) fn allowed(m: &MediatedNash, t: &TableC, draws: &[f64], k: usize, z: f64) -> bool {
    (0..t.parties()).all(|i| !t.veto(i) || within(m, t, draws, i, k, z))
}

/// Fills the weights and ideals of the stakeholders and setters (after the belligerents'), and
/// the package space of the trial: on each continuous settlement issue the bounds the veto
/// players' fixed red lines leave, and the belligerents' red lines that move with the front;
/// on each ordered one the options every veto player's red lines allow, with every side's
/// utility. False when the fixed red lines leave no package.
pub(super) fn prepare(m: &MediatedNash, t: &TableC, draws: &[f64], st: &mut TrialState) -> bool {
    let sides = t.sides();
    st.w.resize_with(sides, Vec::new);
    st.ideal.resize_with(sides, Vec::new);
    st.gamma.resize(sides, 1.0);
    for (s, party) in t.stakeholders.iter().enumerate() {
        let prefs = party.positions.iter().map(|p| Some((p.ideal, p.salience)));
        fill(m, draws, st, 2 + s, prefs);
    }
    for (j, setter) in t.setters.iter().enumerate() {
        fill(m, draws, st, t.parties() + j, setter.positions.iter().copied());
    }
    st.limits.clear();
    st.moving.clear();
    let mut n_options = 0;
    let mut feasible = true;
    for term in &m.settlement {
        let k = term.issue;
        match term.solved {
            Solved::Segment(j) => {
                let (mut lo, mut hi) = (0.0f64, 1.0f64);
                for i in (0..t.parties()).filter(|&i| t.veto(i)) {
                    let pos = position(m, t, i, k);
                    if let Some(r) = pos.red_line {
                        let r = m.position(draws, k, r);
                        if pos.direction > 0.0 { hi = hi.min(r) } else { lo = lo.max(r) }
                    }
                    if let Some(p) = pos.from_front {
                        let base = Base::Front(m.battlefield.length(draws[p.0]));
                        let line = Line { base, direction: pos.direction, own: st.ideal[i][k], give: 0.0, cost: 0.0 };
                        st.moving.push((j, line));
                    }
                }
                feasible &= lo <= hi + EPS;
                st.limits.push((k, lo, hi));
            }
            Solved::Choice { n, .. } => {
                if st.options.len() == n_options {
                    st.options.push(Options::default());
                }
                // The options keep their buffers from trial to trial: only their contents are
                // cleared.
                let mut o = std::mem::take(&mut st.options[n_options]);
                o.options.clear();
                o.utility.clear();
                for j in 0..n {
                    let z = j as f64 / (n - 1) as f64;
                    if allowed(m, t, draws, k, z) {
                        o.options.push(j);
                        o.utility.push((0..sides).map(|i| utility(st, i, k, z)).collect());
                    }
                }
                feasible &= !o.options.is_empty();
                st.options[n_options] = o;
                n_options += 1;
            }
        }
    }
    st.options.truncate(n_options);
    feasible
}

/// Linear utility of side `i` for position `z` on issue `k` (the n-party path is linear).
fn utility(st: &TrialState, i: usize, k: usize, z: f64) -> f64 {
    st.w[i][k] * (1.0 - (z - st.ideal[i][k]).abs())
}

/// Side `side`'s saliences (normalized to sum to 1) and ideals from its preferences per issue
/// (none: weight 0).
fn fill(
    m: &MediatedNash,
    draws: &[f64],
    st: &mut TrialState,
    side: usize,
    prefs: impl Iterator<Item = Option<(P, P)>> + Clone,
) {
    let total: f64 = prefs.clone().flatten().map(|(_, s)| draws[s.0]).sum();
    st.w[side].clear();
    st.ideal[side].clear();
    for (k, pref) in prefs.enumerate() {
        let (w, a) = pref.map_or((0.0, 0.0), |(ideal, s)| {
            (if total > 0.0 { draws[s.0] / total } else { 0.0 }, m.position(draws, k, ideal))
        });
        st.w[side].push(w);
        st.ideal[side].push(a);
    }
}

/// The Nash weight of each party (0 for a bystander): 1 under `nash`, 1 / -ln δ_i under
/// `patience_nash` (docs/MODEL.md §7b).
pub(super) fn weight(m: &MediatedNash, t: &TableC, draws: &[f64], i: usize) -> f64 {
    if !t.veto(i) {
        return 0.0;
    }
    let patience = if i < 2 { m.parties[i].patience } else { t.stakeholders[i - 2].patience };
    match m.settings.rule {
        ProposalRule::PatienceNash => -1.0 / draws[patience.0].ln(),
        _ => 1.0,
    }
}

/// The proposal of a round at front `front`: every side's base surplus (`base`, the value of
/// the package's outside less its disagreement payoff), the package space of the trial cut by
/// the belligerents' red lines at the front and to the hull of the ideals that matter, then
/// the Nash package or the setter's offer. `None` when the red lines leave no package, no
/// package gives every veto player at least its disagreement payoff, or the setter values
/// every such package below its own status quo. The belligerents' surpluses are the package's,
/// every side's in `surplus`.
pub(super) fn propose(
    m: &MediatedNash,
    draws: &[f64],
    st: &TrialState,
    proposal: Proposal,
    front: f64,
    base: &[f64],
    surplus: &mut Vec<f64>,
) -> Option<Package> {
    let t = m.table.as_ref()?;
    let sides = t.sides();
    let setter = match proposal {
        Proposal::Nash => None,
        Proposal::Setter(p) => Some(p),
    };
    let mut spans = Vec::with_capacity(st.limits.len());
    for (j, &(k, lo, hi)) in st.limits.iter().enumerate() {
        let (mut a, mut b) = (f64::INFINITY, f64::NEG_INFINITY);
        for i in (0..t.parties()).filter(|&i| t.veto(i)).chain(setter) {
            a = a.min(st.ideal[i][k]);
            b = b.max(st.ideal[i][k]);
        }
        let (mut lo, mut hi) = (lo.max(a), hi.min(b));
        for (_, line) in st.moving.iter().filter(|(s, _)| *s == j) {
            let r = line.base(front);
            if line.direction > 0.0 { hi = hi.min(r) } else { lo = lo.max(r) }
        }
        if lo > hi + EPS {
            return None;
        }
        let ideal = (0..sides).map(|i| st.ideal[i][k]).collect();
        let weight = (0..sides).map(|i| st.w[i][k]).collect();
        spans.push(Span { lo, hi: hi.max(lo), ideal, weight });
    }
    let roles = (0..sides)
        .map(|i| if i < t.parties() && t.veto(i) { Role::Veto(weight(m, t, draws, i)) } else { Role::Bystander })
        .collect();
    let table = nparty::Table::new(base.to_vec(), roles, spans, st.options.clone()).ok()?;
    let deal = match setter {
        None => nparty::nash(&table)?,
        Some(p) => nparty::setter(&table, p).filter(|d| d.surplus[p] >= 0.0)?,
    };
    surplus.clear();
    surplus.extend_from_slice(&deal.surplus);
    Some(Package { positions: deal.positions, options: deal.options, surplus: [deal.surplus[0], deal.surplus[1]] })
}
