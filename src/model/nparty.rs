//! The proposal among n sides (issue 16; the trial's n-party path, §7b, calls it): the weighted n-party Nash
//! solution over the veto players' surpluses ([`nash`]) and an agenda setter's
//! take-it-or-leave-it offer (Romer and Rosenthal 1978, [`setter`]), for linear utilities over
//! the package structure of [`super::nash`] (docs/MODEL.md §7a).
//!
//! On a continuous issue cut to [lo, hi] every side's utility w (1 - |z - a|) is concave and
//! piecewise linear with kinks at the ideals, so cutting [lo, hi] at the ideals of the sides
//! that matter gives pieces y_j in [0, L_j] on which every such utility is linear, with slopes
//! that fall from piece to piece. Both problems are then posed over the box of pieces, where
//! surpluses are affine in y; a point of the box maps back to the position lo + Σ_j y_j, which
//! gives each of those sides at least the box's surplus (filling the pieces in order is best
//! for every concave utility at once), so the box and the issue have the same optimum.

use crate::scenario::validate::limits;

/// One continuous issue, already cut to [lo, hi] (normalized units). Side i's utility at z is
/// `weight[i] * (1 - |z - ideal[i]|)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub lo: f64,
    pub hi: f64,
    pub ideal: Vec<f64>,
    pub weight: Vec<f64>,
}

/// An ordered issue: the options the veto players' red lines allow, and `utility[j][i]`, side
/// i's utility of the j-th of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    pub options: Vec<usize>,
    pub utility: Vec<Vec<f64>>,
}

/// What a side's signature counts for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Role {
    /// Its signature is needed: a package must leave it a non-negative surplus, and its
    /// surplus enters the Nash product with this weight (positive).
    Veto(f64),
    /// It gains or loses from a package but can block none: its surplus is reported only.
    Bystander,
}

/// The sides and the package on the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Each side's surplus from everything outside the package: the utility of the issues not
    /// negotiated minus its disagreement payoff.
    base: Vec<f64>,
    roles: Vec<Role>,
    spans: Vec<Span>,
    choices: Vec<Options>,
}

/// The chosen package.
#[derive(Debug, Clone, PartialEq)]
pub struct Deal {
    /// Position on each continuous issue, in the order given.
    pub positions: Vec<f64>,
    /// Option chosen on each ordered issue, in the order given.
    pub options: Vec<usize>,
    /// Each side's surplus over its disagreement payoff, veto player or not.
    pub surplus: Vec<f64>,
}

impl Table {
    /// A table of `base.len()` sides; the first broken rule otherwise: at least one veto player,
    /// with a positive finite weight; every span within [0, 1] with lo <= hi and one ideal and
    /// one non-negative weight per side; every option one utility per side; finite numbers; at
    /// most `limits::ISSUES` issues of each kind and `limits::PACKAGES` combinations of options.
    pub fn new(base: Vec<f64>, roles: Vec<Role>, spans: Vec<Span>, choices: Vec<Options>) -> Result<Table, String> {
        let n = base.len();
        if roles.len() != n {
            return Err(format!("{} roles for {n} sides", roles.len()));
        }
        if !roles.iter().any(|r| matches!(r, Role::Veto(_))) {
            return Err("at least one side is a veto player".into());
        }
        if let Some(i) = roles.iter().position(|r| matches!(r, Role::Veto(a) if !(a.is_finite() && *a > 0.0))) {
            return Err(format!("side {i}: a veto player's Nash weight is positive and finite"));
        }
        if base.iter().any(|b| !b.is_finite()) {
            return Err("every base surplus is finite".into());
        }
        if spans.len() > limits::ISSUES || choices.len() > limits::ISSUES {
            return Err(format!("at most {} continuous and {} ordered issues", limits::ISSUES, limits::ISSUES));
        }
        for (k, s) in spans.iter().enumerate() {
            if !(0.0 <= s.lo && s.lo <= s.hi && s.hi <= 1.0) {
                return Err(format!("span {k}: 0 <= lo <= hi <= 1 (got [{}, {}])", s.lo, s.hi));
            }
            if s.ideal.len() != n || s.weight.len() != n {
                return Err(format!("span {k}: one ideal and one weight per side"));
            }
            if s.ideal.iter().any(|a| !(0.0..=1.0).contains(a))
                || s.weight.iter().any(|w| !(w.is_finite() && *w >= 0.0))
            {
                return Err(format!("span {k}: ideals in [0, 1], weights finite and non-negative"));
            }
        }
        let mut combos = 1usize;
        for (q, c) in choices.iter().enumerate() {
            if c.utility.len() != c.options.len() || c.utility.iter().any(|u| u.len() != n) {
                return Err(format!("choice {q}: one utility per side for each option"));
            }
            if c.utility.iter().flatten().any(|u| !u.is_finite()) {
                return Err(format!("choice {q}: finite utilities"));
            }
            combos = combos.saturating_mul(c.options.len().max(1));
        }
        if combos > limits::PACKAGES {
            return Err(format!("at most {} combinations of options (got {combos})", limits::PACKAGES));
        }
        Ok(Table { base, roles, spans, choices })
    }

    pub fn sides(&self) -> usize {
        self.base.len()
    }

    /// The veto players and their Nash weights, normalized to sum to 1.
    fn veto(&self) -> (Vec<usize>, Vec<f64>) {
        let mut rows = Vec::new();
        let mut alpha = Vec::new();
        for (i, r) in self.roles.iter().enumerate() {
            if let Role::Veto(a) = *r {
                rows.push(i);
                alpha.push(a);
            }
        }
        let total: f64 = alpha.iter().sum();
        alpha.iter_mut().for_each(|a| *a /= total);
        (rows, alpha)
    }

    /// Every side's surplus at `positions` with options `options` (indices into each choice).
    fn surplus_at(&self, positions: &[f64], picks: &[usize]) -> Vec<f64> {
        (0..self.sides())
            .map(|i| {
                let spans: f64 =
                    self.spans.iter().zip(positions).map(|(s, &z)| s.weight[i] * (1.0 - (z - s.ideal[i]).abs())).sum();
                let options: f64 = self.choices.iter().zip(picks).map(|(c, &j)| c.utility[j][i]).sum();
                self.base[i] + spans + options
            })
            .collect()
    }

    /// The package with the chosen pieces filled and options picked.
    fn deal(&self, pieces: &Pieces, y: &[f64], picks: &[usize]) -> Deal {
        let mut positions: Vec<f64> = self.spans.iter().map(|s| s.lo).collect();
        for (j, &k) in pieces.span.iter().enumerate() {
            positions[k] += y[j];
        }
        for (z, s) in positions.iter_mut().zip(&self.spans) {
            *z = z.min(s.hi);
        }
        let surplus = self.surplus_at(&positions, picks);
        Deal { positions, options: self.choices.iter().zip(picks).map(|(c, &j)| c.options[j]).collect(), surplus }
    }
}

/// The continuous issues cut at the ideals of some sides (`rows`): piece j of span `span[j]`
/// has length `len[j]`, and side `rows[r]` gains `slope[j * rows + r]` per unit of it.
/// `at_lo[r]` is that side's utility with every span at lo.
#[derive(Debug, Default)]
struct Pieces {
    span: Vec<usize>,
    len: Vec<f64>,
    slope: Vec<f64>,
    at_lo: Vec<f64>,
}

impl Pieces {
    /// `rows` are the sides whose utilities the pieces must keep linear.
    fn cut(table: &Table, rows: &[usize]) -> Pieces {
        let r = rows.len();
        let mut p = Pieces { at_lo: vec![0.0; r], ..Pieces::default() };
        let mut cuts = Vec::with_capacity(r + 2);
        for (k, s) in table.spans.iter().enumerate() {
            for (q, &i) in rows.iter().enumerate() {
                p.at_lo[q] += s.weight[i] * (1.0 - (s.lo - s.ideal[i]).abs());
            }
            cuts.clear();
            cuts.push(s.lo);
            cuts.extend(rows.iter().map(|&i| s.ideal[i]).filter(|&a| a > s.lo && a < s.hi));
            cuts.push(s.hi);
            cuts.sort_by(f64::total_cmp);
            for w in cuts.windows(2) {
                let len = w[1] - w[0];
                if len <= 0.0 {
                    continue;
                }
                let mid = 0.5 * (w[0] + w[1]);
                p.span.push(k);
                p.len.push(len);
                p.slope.extend(rows.iter().map(|&i| if s.ideal[i] > mid { s.weight[i] } else { -s.weight[i] }));
            }
        }
        p
    }

    fn count(&self) -> usize {
        self.len.len()
    }
}

/// The per-combination constants: side `rows[r]`'s surplus with every piece empty, options
/// `picks` chosen (decoded from `combo`, first choice varying slowest).
fn constants(table: &Table, rows: &[usize], pieces: &Pieces, combo: usize, picks: &mut [usize], c: &mut [f64]) {
    let mut rest = combo;
    for (q, ch) in table.choices.iter().enumerate().rev() {
        picks[q] = rest % ch.options.len();
        rest /= ch.options.len();
    }
    for (r, &i) in rows.iter().enumerate() {
        c[r] = table.base[i]
            + pieces.at_lo[r]
            + table.choices.iter().zip(picks.iter()).map(|(ch, &j)| ch.utility[j][i]).sum::<f64>();
    }
}

/// Every combination of options, in mixed-radix order (`nash::solve`'s order); none when an
/// ordered issue has no allowed option.
fn combinations(table: &Table) -> usize {
    table.choices.iter().map(|c| c.options.len()).product()
}

/// Largest surplus each row can reach over the box: `c` plus every piece that helps it.
fn reach(pieces: &Pieces, rows: usize, c: &[f64], r: usize) -> f64 {
    c[r] + pieces.len.iter().enumerate().map(|(j, &l)| l * pieces.slope[j * rows + r].max(0.0)).sum::<f64>()
}

/// The weighted n-party Nash solution: the package that maximizes Σ_{i∈V} α_i ln e_i over
/// packages with e_i >= 0 for every veto player i ∈ V (weights normalized to sum to 1), or
/// `None` when no package gives every veto player a non-negative surplus. Bystanders' surpluses
/// are reported and nothing else.
///
/// Per combination of options: a phase-one linear program finds a package that maximizes the
/// smallest veto surplus t; t < 0 rules the combination out; t = 0 makes it a candidate of
/// value -inf (an agreement, as in `nash::solve`); t > 0 starts an active-set Newton method
/// on the box of pieces ([`maximize`]) at that package. A combination replaces the best so far
/// only when its value is strictly greater (ties go to the earliest combination).
pub fn nash(table: &Table) -> Option<Deal> {
    let (rows, alpha) = table.veto();
    let r = rows.len();
    let pieces = Pieces::cut(table, &rows);
    let m = pieces.count();
    let mut picks = vec![0usize; table.choices.len()];
    let mut c = vec![0.0; r];
    let mut lp = Simplex::new(r, m);
    let mut newton = Newton::new(r, m);
    let mut best: Option<(f64, usize, Vec<f64>)> = None;
    for combo in 0..combinations(table) {
        constants(table, &rows, &pieces, combo, &mut picks, &mut c);
        // The best this combination could give each veto player: a bound on its value.
        let mut bound = 0.0;
        let mut possible = true;
        for (q, a) in alpha.iter().enumerate() {
            let top = reach(&pieces, r, &c, q);
            possible &= top >= 0.0;
            bound += a * top.ln();
        }
        if !possible || best.as_ref().is_some_and(|(b, ..)| bound <= *b) {
            continue;
        }
        let t_lo = c.iter().copied().fold(f64::INFINITY, f64::min);
        let t = if t_lo > 0.0 {
            newton.y.iter_mut().for_each(|y| *y = 0.0);
            t_lo
        } else {
            lp.start(&pieces, &c, t_lo, f64::INFINITY);
            if !lp.run(&lp.phase_one()) {
                continue;
            }
            newton.y.copy_from_slice(&lp.x[..m]);
            lp.x[m]
        };
        if t < -FEASIBLE_TOL {
            continue;
        }
        let value = if t > 0.0 { newton.maximize(&pieces, &c, &alpha) } else { f64::NEG_INFINITY };
        if best.as_ref().is_none_or(|(b, ..)| value > *b) {
            best = Some((value, combo, newton.y.clone()));
        }
    }
    let (_, combo, y) = best?;
    constants(table, &rows, &pieces, combo, &mut picks, &mut c);
    Some(table.deal(&pieces, &y, &picks))
}

/// The agenda setter's offer (Romer and Rosenthal 1978): side `proposer`'s best package among
/// those that leave every veto player a non-negative surplus, take it or leave it; `None` when
/// no package does, or `proposer` is not a side. A mediator with preferences is a bystander
/// side of the table. Ties: among the setter's best packages, the one with the largest
/// Σ_{i∈V} α_i e_i (weights normalized); across combinations of options, the setter's utility
/// then that sum, strictly greater replacing the best so far (ties to the earliest).
///
/// Per combination: the linear program max Σ_j p_j y_j subject to e_i(y) >= 0 (i ∈ V) and
/// 0 <= y <= L, solved by the simplex method (phase one as in [`nash`]), then the tie rule's
/// objective over the face of the setter's optima.
pub fn setter(table: &Table, proposer: usize) -> Option<Deal> {
    if proposer >= table.sides() {
        return None;
    }
    let (rows, alpha) = table.veto();
    let r = rows.len();
    // The setter's own kinks cut the pieces too, so its utility is linear on each; its slopes
    // are the last row, outside the program's constraints.
    let mut cut_by = rows.clone();
    cut_by.push(proposer);
    let full = Pieces::cut(table, &cut_by);
    let m = full.count();
    let mut pieces = Pieces {
        span: full.span.clone(),
        len: full.len.clone(),
        slope: Vec::with_capacity(m * r),
        at_lo: full.at_lo[..r].to_vec(),
    };
    let mut own = Vec::with_capacity(m + r + 1);
    for j in 0..m {
        pieces.slope.extend_from_slice(&full.slope[j * (r + 1)..j * (r + 1) + r]);
        own.push(full.slope[j * (r + 1) + r]);
    }
    // The tie rule's objective: Σ α_i e_i, up to its constant.
    let mut ties = vec![0.0; m + 1 + r];
    for (tie, slope) in ties.iter_mut().zip(pieces.slope.chunks_exact(r)) {
        *tie = alpha.iter().zip(slope).map(|(a, s)| a * s).sum();
    }
    own.resize(m + 1 + r, 0.0);
    let mut picks = vec![0usize; table.choices.len()];
    let mut c = vec![0.0; r];
    let mut lp = Simplex::new(r, m);
    let mut best: Option<(f64, f64, usize, Vec<f64>)> = None;
    for combo in 0..combinations(table) {
        constants(table, &rows, &pieces, combo, &mut picks, &mut c);
        if (0..r).any(|q| reach(&pieces, r, &c, q) < 0.0) {
            continue;
        }
        let t_lo = c.iter().copied().fold(f64::INFINITY, f64::min);
        if t_lo >= 0.0 {
            lp.start(&pieces, &c, 0.0, 0.0);
        } else {
            lp.start(&pieces, &c, t_lo, f64::INFINITY);
            if !lp.run(&lp.phase_one()) || lp.x[m] < -FEASIBLE_TOL {
                continue;
            }
            lp.raise_t_floor();
        }
        if !lp.run(&own) {
            continue;
        }
        lp.fix_at_optimum(&own);
        if !lp.run(&ties) {
            continue;
        }
        let y = &lp.x[..m];
        let setter_base: f64 = table.base[proposer]
            + full.at_lo[r]
            + table.choices.iter().zip(picks.iter()).map(|(ch, &j)| ch.utility[j][proposer]).sum::<f64>();
        let value = setter_base + own[..m].iter().zip(y).map(|(p, y)| p * y).sum::<f64>();
        let second: f64 = ties[..m].iter().zip(y).map(|(p, y)| p * y).sum();
        if best.as_ref().is_none_or(|&(v, s, ..)| value > v || (value == v && second > s)) {
            best = Some((value, second, combo, y.to_vec()));
        }
    }
    let (_, _, combo, y) = best?;
    constants(table, &rows, &pieces, combo, &mut picks, &mut c);
    Some(table.deal(&pieces, &y, &picks))
}

/// A phase-one optimum this far below 0 rules a combination out; within it, the combination's
/// veto players can at best be held at their disagreement payoffs (utilities are O(1)).
const FEASIBLE_TOL: f64 = 1e-12;
/// A reduced cost or a Nash multiplier's violation below this (relative to the scale of its
/// terms) counts as 0.
const DUAL_TOL: f64 = 1e-12;
/// Coefficients of the tableau below this are not pivots.
const PIVOT_TOL: f64 = 1e-11;
/// Safeguards: no simplex runs more pivots than this times its columns, no Newton search more
/// steps than this times its pieces (both end far sooner; see docs/MODEL.md §7a).
const ITER_FACTOR: usize = 50;

/// The linear programs of both rules, in bounded variables x = (y_1..y_m, t, s_1..s_r): row q
/// reads Σ_j A_qj y_j - t - s_q = -c_q, so s_q = e_q(y) - t >= 0 (e_q the surplus of the q-th
/// veto player), with 0 <= y_j <= L_j, t in [t_lo, t_hi], s_q >= 0. Dense tableau, primal
/// simplex; Bland's rule in degenerate runs (see `run`; ties in the ratio test go to the
/// smallest index), so it cannot cycle.
#[derive(Debug)]
struct Simplex {
    rows: usize,
    cols: usize,
    /// B^-1 times the constraint columns, row-major.
    tab: Vec<f64>,
    basis: Vec<usize>,
    is_basic: Vec<bool>,
    x: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    /// The constraint matrix's y columns and -c, kept to recompute the basic values.
    a: Vec<f64>,
    rhs: Vec<f64>,
    reduced: Vec<f64>,
}

impl Simplex {
    fn new(rows: usize, m: usize) -> Simplex {
        let cols = m + 1 + rows;
        Simplex {
            rows,
            cols,
            tab: vec![0.0; rows * cols],
            basis: vec![0; rows],
            is_basic: vec![false; cols],
            x: vec![0.0; cols],
            lo: vec![0.0; cols],
            hi: vec![0.0; cols],
            a: vec![0.0; rows * m],
            rhs: vec![0.0; rows],
            reduced: vec![0.0; cols],
        }
    }

    /// The slack basis at y = 0, t = t_lo: s_q = c_q - t_lo (non-negative when t_lo <= min c).
    fn start(&mut self, pieces: &Pieces, c: &[f64], t_lo: f64, t_hi: f64) {
        let (r, m, n) = (self.rows, self.cols - 1 - self.rows, self.cols);
        let t = m;
        self.tab.iter_mut().for_each(|v| *v = 0.0);
        self.is_basic.iter_mut().for_each(|b| *b = false);
        for q in 0..r {
            let row = &mut self.tab[q * n..(q + 1) * n];
            for (j, v) in row[..m].iter_mut().enumerate() {
                // B = -I for the slacks, so B^-1 M = -M.
                *v = -pieces.slope[j * r + q];
                self.a[q * m + j] = pieces.slope[j * r + q];
            }
            row[t] = 1.0;
            row[t + 1 + q] = 1.0;
            self.rhs[q] = -c[q];
            self.basis[q] = t + 1 + q;
            self.is_basic[t + 1 + q] = true;
            self.x[t + 1 + q] = c[q] - t_lo;
            self.lo[t + 1 + q] = 0.0;
            self.hi[t + 1 + q] = f64::INFINITY;
        }
        for j in 0..m {
            self.x[j] = 0.0;
            self.lo[j] = 0.0;
            self.hi[j] = pieces.len[j];
        }
        self.x[t] = t_lo;
        self.lo[t] = t_lo;
        self.hi[t] = t_hi;
    }

    /// The objective of phase one: t.
    fn phase_one(&self) -> Vec<f64> {
        let mut cost = vec![0.0; self.cols];
        cost[self.cols - 1 - self.rows] = 1.0;
        cost
    }

    /// After phase one found t >= 0: t may take any value >= 0 (the program's feasible y are
    /// then exactly those with every e_q >= 0).
    fn raise_t_floor(&mut self) {
        let t = self.cols - 1 - self.rows;
        self.lo[t] = 0.0;
        if !self.is_basic[t] {
            self.x[t] = self.x[t].max(0.0);
        }
        self.refresh();
    }

    /// Restricts the program to the face of the optima of `cost`: every non-basic variable
    /// whose reduced cost is not 0 is fixed where it is (complementary slackness).
    fn fix_at_optimum(&mut self, cost: &[f64]) {
        self.price(cost);
        let scale = cost.iter().fold(1.0f64, |s, c| s.max(c.abs()));
        for k in 0..self.cols {
            if !self.is_basic[k] && self.reduced[k].abs() > DUAL_TOL * scale {
                self.lo[k] = self.x[k];
                self.hi[k] = self.x[k];
            }
        }
    }

    fn price(&mut self, cost: &[f64]) {
        let n = self.cols;
        for k in 0..n {
            self.reduced[k] = if self.is_basic[k] {
                0.0
            } else {
                cost[k] - (0..self.rows).map(|q| cost[self.basis[q]] * self.tab[q * n + k]).sum::<f64>()
            };
        }
    }

    /// Maximizes cost · x from the current feasible basis; false if the program is unbounded or
    /// the safeguard ran out (neither happens on these bounded programs).
    fn run(&mut self, cost: &[f64]) -> bool {
        let n = self.cols;
        let scale = cost.iter().fold(1.0f64, |s, c| s.max(c.abs()));
        // Dantzig's rule (the largest improving reduced cost) after a step that moved, Bland's
        // (the smallest improving index) after a degenerate pivot: degenerate runs are Bland's,
        // so no basis repeats.
        let mut degenerate = false;
        for _ in 0..ITER_FACTOR * n {
            self.price(cost);
            let mut entering: Option<(usize, f64, f64)> = None;
            for k in 0..n {
                if self.is_basic[k] || self.lo[k] == self.hi[k] {
                    continue;
                }
                let d = self.reduced[k];
                let dir = if d > DUAL_TOL * scale && self.x[k] < self.hi[k] {
                    1.0
                } else if d < -DUAL_TOL * scale && self.x[k] > self.lo[k] {
                    -1.0
                } else {
                    continue;
                };
                if entering.is_none_or(|(_, _, best)| d.abs() > best) {
                    entering = Some((k, dir, d.abs()));
                }
                if degenerate {
                    break;
                }
            }
            let Some((k, dir, _)) = entering else {
                self.refresh();
                return true;
            };
            // Ratio test: x_k moves by dir θ, basic variable q by -tab[q][k] dir θ.
            let mut theta = self.hi[k] - self.lo[k];
            let mut leave: Option<(usize, f64)> = None;
            for q in 0..self.rows {
                let rate = -self.tab[q * n + k] * dir;
                let b = self.basis[q];
                let room = if rate < -PIVOT_TOL {
                    (self.x[b] - self.lo[b]).max(0.0) / -rate
                } else if rate > PIVOT_TOL && self.hi[b].is_finite() {
                    (self.hi[b] - self.x[b]).max(0.0) / rate
                } else {
                    continue;
                };
                let better = match leave {
                    _ if room < theta => true,
                    Some((q0, _)) if room == theta => b < self.basis[q0],
                    // On a tie with the entering variable's own bound, flip it: no pivot.
                    None if room == theta => false,
                    _ => false,
                };
                if better {
                    theta = room;
                    leave = Some((q, if rate < 0.0 { self.lo[b] } else { self.hi[b] }));
                }
            }
            if !theta.is_finite() {
                return false;
            }
            for q in 0..self.rows {
                let b = self.basis[q];
                self.x[b] -= self.tab[q * n + k] * dir * theta;
            }
            match leave {
                None => {
                    self.x[k] = if dir > 0.0 { self.hi[k] } else { self.lo[k] };
                    degenerate = false;
                }
                Some((q, bound)) => {
                    self.x[k] += dir * theta;
                    degenerate = theta == 0.0;
                    let b = self.basis[q];
                    self.x[b] = bound;
                    self.pivot(q, k);
                }
            }
        }
        false
    }

    /// Gauss-Jordan step: variable k enters the basis in row q.
    fn pivot(&mut self, q: usize, k: usize) {
        let n = self.cols;
        let p = self.tab[q * n + k];
        for v in &mut self.tab[q * n..(q + 1) * n] {
            *v /= p;
        }
        for row in 0..self.rows {
            if row == q {
                continue;
            }
            let f = self.tab[row * n + k];
            if f != 0.0 {
                for col in 0..n {
                    self.tab[row * n + col] -= f * self.tab[q * n + col];
                }
            }
        }
        self.is_basic[self.basis[q]] = false;
        self.basis[q] = k;
        self.is_basic[k] = true;
    }

    /// Recomputes the basic values from the original rows and the non-basic values, so that
    /// rounding does not accumulate over pivots: x_B = B^-1 (b - N x_N), where B^-1 is minus
    /// the tableau's slack columns (the slacks' original columns are -I).
    fn refresh(&mut self) {
        let (r, n) = (self.rows, self.cols);
        let m = n - 1 - r;
        let mut rest = self.rhs.clone();
        for (q, v) in rest.iter_mut().enumerate() {
            for j in 0..m {
                if !self.is_basic[j] {
                    *v -= self.a[q * m + j] * self.x[j];
                }
            }
            if !self.is_basic[m] {
                *v += self.x[m];
            }
            if !self.is_basic[m + 1 + q] {
                *v += self.x[m + 1 + q];
            }
        }
        for q in 0..r {
            let b = self.basis[q];
            let v: f64 = (0..r).map(|p| -self.tab[q * n + m + 1 + p] * rest[p]).sum();
            self.x[b] = v.clamp(self.lo[b], self.hi[b]);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Status {
    Lower,
    Upper,
    Free,
}

/// The active-set Newton method for max f(y) = Σ_q α_q ln e_q(y) over the box 0 <= y <= L,
/// e(y) = c + A y (docs/MODEL.md §7a).
#[derive(Debug)]
struct Newton {
    y: Vec<f64>,
    status: Vec<Status>,
    free: Vec<usize>,
    e: Vec<f64>,
    lambda: Vec<f64>,
    grad: Vec<f64>,
    hess: Vec<f64>,
    step: Vec<f64>,
    moved: Vec<f64>,
}

/// Newton's decrement (squared, of f / min α) below which a face is solved: after a full step
/// from there the decrement is below 1e-39 (quadratic convergence of self-concordant functions).
const DECREMENT_DONE: f64 = 1e-20;
/// Below this decrement rounding dominates the step: the face is solved where it stands.
const DECREMENT_FLOOR: f64 = 1e-30;

impl Newton {
    fn new(r: usize, m: usize) -> Newton {
        Newton {
            y: vec![0.0; m],
            status: vec![Status::Lower; m],
            free: Vec::with_capacity(m),
            e: vec![0.0; r],
            lambda: vec![0.0; r],
            grad: Vec::with_capacity(r),
            hess: Vec::with_capacity(r * r),
            step: Vec::with_capacity(r),
            moved: vec![0.0; r],
        }
    }

    /// Maximizes from `self.y`, a basic solution of the phase-one program (or y = 0) where every
    /// e_q > 0, so the pieces strictly inside their bounds have independent columns; returns f.
    fn maximize(&mut self, pieces: &Pieces, c: &[f64], alpha: &[f64]) -> f64 {
        let (r, m) = (c.len(), pieces.count());
        let a = |j: usize, q: usize| pieces.slope[j * r + q];
        for j in 0..m {
            self.status[j] = if self.y[j] <= 0.0 {
                self.y[j] = 0.0;
                Status::Lower
            } else if self.y[j] >= pieces.len[j] {
                self.y[j] = pieces.len[j];
                Status::Upper
            } else {
                Status::Free
            };
        }
        let amin = alpha.iter().copied().fold(f64::INFINITY, f64::min);
        let value = |e: &[f64]| -> f64 { e.iter().zip(alpha).map(|(e, a)| a * e.ln()).sum() };
        for _ in 0..ITER_FACTOR * (m + 1) {
            for q in 0..r {
                self.e[q] = c[q] + (0..m).map(|j| a(j, q) * self.y[j]).sum::<f64>();
                self.lambda[q] = alpha[q] / self.e[q];
            }
            self.free.clear();
            self.free.extend((0..m).filter(|&j| self.status[j] == Status::Free));
            let f = self.free.len();
            let mut solved = f == 0;
            if f > 0 {
                // Gradient and minus the Hessian of f over the free pieces.
                self.grad.clear();
                self.grad.extend(self.free.iter().map(|&j| (0..r).map(|q| a(j, q) * self.lambda[q]).sum::<f64>()));
                self.hess.clear();
                for &j in &self.free {
                    for &k in &self.free {
                        self.hess.push((0..r).map(|q| a(j, q) * a(k, q) * self.lambda[q] / self.e[q]).sum::<f64>());
                    }
                }
                if let Err(dependent) = cholesky(&mut self.hess, f) {
                    // Only by rounding (see `maximize`'s precondition): move along the null
                    // direction, which leaves e unchanged, until a piece reaches a bound.
                    self.leave_null_direction(pieces, dependent);
                    continue;
                }
                self.step.clone_from(&self.grad);
                solve_cholesky(&self.hess, f, &mut self.step);
                let decrement = self.grad.iter().zip(&self.step).map(|(g, d)| g * d).sum::<f64>() / amin;
                if decrement <= DECREMENT_FLOOR {
                    solved = true;
                } else {
                    // The longest step within the box, and the piece that blocks it.
                    let mut tau_max = 1.0;
                    let mut blocker = None;
                    for (pos, &j) in self.free.iter().enumerate() {
                        let d = self.step[pos];
                        let room = if d > 0.0 {
                            (pieces.len[j] - self.y[j]) / d
                        } else if d < 0.0 {
                            -self.y[j] / d
                        } else {
                            continue;
                        };
                        if room < tau_max {
                            tau_max = room.max(0.0);
                            blocker = Some(pos);
                        }
                    }
                    for q in 0..r {
                        self.moved[q] = self.free.iter().zip(&self.step).map(|(&j, d)| a(j, q) * d).sum();
                    }
                    // Full steps once the decrement is below 1/4 (they stay inside the domain
                    // and converge quadratically); Armijo backtracking before.
                    let f0 = value(&self.e);
                    let slope = decrement * amin;
                    let mut tau = tau_max;
                    let mut accepted = false;
                    for _ in 0..64 {
                        let inside = (0..r).all(|q| self.e[q] + tau * self.moved[q] > 0.0);
                        if inside {
                            let trial: f64 = (0..r).map(|q| alpha[q] * (self.e[q] + tau * self.moved[q]).ln()).sum();
                            if decrement < 0.0625 || trial >= f0 + 0.25 * tau * slope {
                                accepted = true;
                                break;
                            }
                        }
                        tau *= 0.5;
                    }
                    if !accepted {
                        solved = true;
                    } else {
                        for (pos, &j) in self.free.iter().enumerate() {
                            self.y[j] = (self.y[j] + tau * self.step[pos]).clamp(0.0, pieces.len[j]);
                        }
                        if let Some(pos) = blocker.filter(|_| tau == tau_max) {
                            let j = self.free[pos];
                            let up = self.step[pos] > 0.0;
                            self.y[j] = if up { pieces.len[j] } else { 0.0 };
                            self.status[j] = if up { Status::Upper } else { Status::Lower };
                        } else if tau == 1.0 && decrement <= DECREMENT_DONE {
                            solved = true;
                            for q in 0..r {
                                self.e[q] = c[q] + (0..m).map(|j| a(j, q) * self.y[j]).sum::<f64>();
                                self.lambda[q] = alpha[q] / self.e[q];
                            }
                        }
                    }
                }
            }
            if !solved {
                continue;
            }
            // The face is solved: release the bound piece whose multiplier is most wrong.
            let mut release: Option<(usize, f64)> = None;
            for j in 0..m {
                let sign = match self.status[j] {
                    Status::Free => continue,
                    Status::Lower => 1.0,
                    Status::Upper => -1.0,
                };
                let g: f64 = (0..r).map(|q| a(j, q) * self.lambda[q]).sum();
                let scale: f64 = (0..r).map(|q| a(j, q).abs() * self.lambda[q]).sum();
                let wrong = sign * g;
                if wrong > DUAL_TOL * scale && release.is_none_or(|(_, w)| wrong > w) {
                    release = Some((j, wrong));
                }
            }
            match release {
                Some((j, _)) => self.status[j] = Status::Free,
                None => break,
            }
        }
        for (q, e) in self.e.iter_mut().enumerate() {
            *e = c[q] + (0..m).map(|j| a(j, q) * self.y[j]).sum::<f64>();
        }
        value(&self.e)
    }

    /// The free piece at position `dependent` of `self.free` has a column that the earlier free
    /// pieces' columns span (in the metric of the Hessian): with β solving H_11 β = h_12, the
    /// direction d = e_dependent - Σ β_p e_p changes no surplus. Moves along it until a free
    /// piece reaches a bound, and fixes that piece there.
    fn leave_null_direction(&mut self, pieces: &Pieces, dependent: usize) {
        let f = self.free.len();
        let r = self.e.len();
        let a = |j: usize, q: usize| pieces.slope[j * r + q];
        // Rebuild the leading block and its coupling to the dependent column.
        let mut h = Vec::with_capacity(dependent * dependent);
        for p in 0..dependent {
            for s in 0..dependent {
                let (j, k) = (self.free[p], self.free[s]);
                h.push((0..r).map(|q| a(j, q) * a(k, q) * self.lambda[q] / self.e[q]).sum::<f64>());
            }
        }
        let mut beta: Vec<f64> = (0..dependent)
            .map(|p| {
                let (j, k) = (self.free[p], self.free[dependent]);
                (0..r).map(|q| a(j, q) * a(k, q) * self.lambda[q] / self.e[q]).sum::<f64>()
            })
            .collect();
        if dependent > 0 && cholesky(&mut h, dependent).is_ok() {
            solve_cholesky(&h, dependent, &mut beta);
        }
        let mut d = vec![0.0; f];
        d[dependent] = 1.0;
        for p in 0..dependent {
            d[p] = -beta[p];
        }
        let mut theta = f64::INFINITY;
        let mut hit = dependent;
        for (pos, &j) in self.free.iter().enumerate() {
            let room = if d[pos] > 0.0 {
                (pieces.len[j] - self.y[j]) / d[pos]
            } else if d[pos] < 0.0 {
                -self.y[j] / d[pos]
            } else {
                continue;
            };
            if room < theta {
                theta = room;
                hit = pos;
            }
        }
        for (pos, &j) in self.free.iter().enumerate() {
            self.y[j] = (self.y[j] + theta * d[pos]).clamp(0.0, pieces.len[j]);
        }
        let j = self.free[hit];
        let up = d[hit] > 0.0;
        self.y[j] = if up { pieces.len[j] } else { 0.0 };
        self.status[j] = if up { Status::Upper } else { Status::Lower };
    }
}

/// In-place Cholesky factor (lower, row-major n × n) of a symmetric matrix; `Err(k)` when the
/// k-th pivot is not positive beyond rounding (column k depends on the earlier ones).
fn cholesky(h: &mut [f64], n: usize) -> Result<(), usize> {
    for k in 0..n {
        let diag = h[k * n + k];
        let mut v = diag;
        for p in 0..k {
            v -= h[k * n + p] * h[k * n + p];
        }
        if v.is_nan() || v <= 1e-24 * diag.abs().max(f64::MIN_POSITIVE) {
            return Err(k);
        }
        let l = v.sqrt();
        h[k * n + k] = l;
        for i in k + 1..n {
            let mut s = h[i * n + k];
            for p in 0..k {
                s -= h[i * n + p] * h[k * n + p];
            }
            h[i * n + k] = s / l;
        }
    }
    Ok(())
}

/// Solves L L^T x = b in place, L from [`cholesky`].
fn solve_cholesky(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let s: f64 = (0..i).map(|p| l[i * n + p] * b[p]).sum();
        b[i] = (b[i] - s) / l[i * n + i];
    }
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|p| l[p * n + i] * b[p]).sum();
        b[i] = (b[i] - s) / l[i * n + i];
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::nash::{self, Choice, Segment};

    fn span(lo: f64, hi: f64, ideal: &[f64], weight: &[f64]) -> Span {
        Span { lo, hi, ideal: ideal.to_vec(), weight: weight.to_vec() }
    }

    /// n sides dividing a unit of surplus: on issue k < n - 1 (over [0, 1]) side k's utility
    /// is x_k and side n - 1's is 1 - x_k; side n - 1's disagreement payoff is n - 2, so the
    /// surpluses are (x_0, ..., x_{n-2}, 1 - Σ x_k), a simplex.
    fn dividing(roles: Vec<Role>) -> Table {
        let n = roles.len();
        let spans = (0..n - 1)
            .map(|k| {
                let mut weight = vec![0.0; n];
                let mut ideal = vec![0.0; n];
                (weight[k], ideal[k], weight[n - 1]) = (1.0, 1.0, 1.0);
                span(0.0, 1.0, &ideal, &weight)
            })
            .collect();
        let mut base = vec![0.0; n];
        base[n - 1] = -(n as f64 - 2.0);
        Table::new(base, roles, spans, vec![]).unwrap()
    }

    fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    #[test]
    fn symmetric_three_party_split_gives_each_a_third() {
        let deal = nash(&dividing(vec![Role::Veto(1.0); 3])).unwrap();
        assert!(close(&deal.surplus, &[1.0 / 3.0; 3], 1e-12), "{deal:?}");
        assert!(close(&deal.positions, &[1.0 / 3.0; 2], 1e-12), "{deal:?}");
    }

    #[test]
    fn weighted_nash_shares_follow_the_weights_on_a_simplex() {
        for alpha in [vec![0.5, 0.3, 0.2], vec![1.0, 2.0, 3.0, 4.0], vec![0.05, 0.05, 0.1, 0.3, 0.5]] {
            let total: f64 = alpha.iter().sum();
            let deal = nash(&dividing(alpha.iter().map(|&a| Role::Veto(a)).collect())).unwrap();
            let shares: Vec<f64> = alpha.iter().map(|a| a / total).collect();
            assert!(close(&deal.surplus, &shares, 1e-12), "{alpha:?}: {deal:?}");
        }
    }

    #[test]
    fn a_bystander_cannot_block() {
        // Side 2 pays for every concession; as a veto player it holds the others to a third,
        // as a bystander it cannot stop them taking everything, at its own loss.
        let held = nash(&dividing(vec![Role::Veto(1.0), Role::Veto(1.0), Role::Veto(1.0)])).unwrap();
        assert!(held.surplus[2] > 0.3);
        let taken = nash(&dividing(vec![Role::Veto(1.0), Role::Veto(1.0), Role::Bystander])).unwrap();
        assert!(close(&taken.positions, &[1.0, 1.0], 1e-12), "{taken:?}");
        assert!(close(&taken.surplus, &[1.0, 1.0, -1.0], 1e-12), "{taken:?}");
        // A bystander whose every package is a loss changes nothing.
        let mut loser = dividing(vec![Role::Veto(1.0); 3]);
        loser.base.push(-10.0);
        loser.roles.push(Role::Bystander);
        for (k, s) in loser.spans.iter_mut().enumerate() {
            s.ideal.push(0.9 - 0.5 * k as f64);
            s.weight.push(2.0);
        }
        let same = nash(&loser).unwrap();
        assert!(close(&same.positions, &held.positions, 1e-12) && close(&same.surplus[..3], &held.surplus, 1e-12));
        assert!(same.surplus[3] < 0.0, "{same:?}");
    }

    #[test]
    fn no_package_every_veto_player_accepts() {
        // 1 - Σ x_k >= 0 and x_k >= 0.6 for both others cannot hold together.
        let mut t = dividing(vec![Role::Veto(1.0); 3]);
        t.base[0] = -0.6;
        t.base[1] = -0.6;
        assert!(nash(&t).is_none());
        assert!(setter(&t, 0).is_none());
        t.roles[2] = Role::Bystander;
        assert!(nash(&t).is_some() && setter(&t, 2).is_some());
    }

    /// Two veto players on one issue: side 0 (ideal 0.3, weight 1, disagreement 0.8) accepts
    /// [0.1, 0.5], side 1 (ideal 0.6, weight 0.5, disagreement 0.4) accepts [0.4, 0.8]; side
    /// 2, a mediator with ideal `p`, sets the agenda.
    fn one_issue_setter(p: f64, roles: [Role; 3]) -> Table {
        Table::new(
            vec![-0.8, -0.4, 0.0],
            roles.to_vec(),
            vec![span(0.0, 1.0, &[0.3, 0.6, p], &[1.0, 0.5, 0.7])],
            vec![],
        )
        .unwrap()
    }

    #[test]
    fn the_setter_offers_its_ideal_clipped_to_the_acceptance_set() {
        let roles = [Role::Veto(0.5), Role::Veto(0.5), Role::Bystander];
        for (p, offer) in [(0.0, 0.4), (0.2, 0.4), (0.45, 0.45), (0.5, 0.5), (0.9, 0.5), (1.0, 0.5)] {
            let deal = setter(&one_issue_setter(p, roles), 2).unwrap();
            assert!((deal.positions[0] - offer).abs() < 1e-12, "ideal {p}: {deal:?}");
        }
        // A veto player that sets the agenda takes the end of the acceptance set nearest it.
        let deal = setter(&one_issue_setter(0.0, roles), 0).unwrap();
        assert!((deal.positions[0] - 0.4).abs() < 1e-12, "{deal:?}");
        let deal = setter(&one_issue_setter(0.0, roles), 1).unwrap();
        assert!((deal.positions[0] - 0.5).abs() < 1e-12, "{deal:?}");
        // Without side 1's veto the acceptance set is side 0's [0.1, 0.5].
        let deal = setter(&one_issue_setter(0.0, [Role::Veto(1.0), Role::Bystander, Role::Bystander]), 2).unwrap();
        assert!((deal.positions[0] - 0.1).abs() < 1e-12, "{deal:?}");
    }

    #[test]
    fn an_indifferent_setter_leaves_the_veto_players_the_most() {
        // The setter cares for nothing on the table: every acceptable package of [0.4, 0.5] is
        // best for it, and the tie rule picks the one with the largest Σ α e. Over [0.4, 0.5]
        // that sum has slope -0.9 + 0.1 * 0.5 < 0 with α = (0.9, 0.1), so 0.4; and
        // -0.1 + 0.9 * 0.5 > 0 with α = (0.1, 0.9), so 0.5.
        let mut t = one_issue_setter(0.5, [Role::Veto(0.9), Role::Veto(0.1), Role::Bystander]);
        t.spans[0].weight[2] = 0.0;
        let deal = setter(&t, 2).unwrap();
        assert!((deal.positions[0] - 0.4).abs() < 1e-12, "{deal:?}");
        t.roles = vec![Role::Veto(0.1), Role::Veto(0.9), Role::Bystander];
        let deal = setter(&t, 2).unwrap();
        assert!((deal.positions[0] - 0.5).abs() < 1e-12, "{deal:?}");
    }

    #[test]
    fn tables_that_break_a_rule_are_refused() {
        let s = span(0.0, 1.0, &[0.0, 1.0], &[1.0, 1.0]);
        let refuse = |base: Vec<f64>, roles: Vec<Role>, spans: Vec<Span>| Table::new(base, roles, spans, vec![]);
        assert!(refuse(vec![0.0; 2], vec![Role::Bystander; 2], vec![s.clone()]).is_err());
        assert!(refuse(vec![0.0; 2], vec![Role::Veto(0.0), Role::Veto(1.0)], vec![s.clone()]).is_err());
        assert!(refuse(vec![0.0; 3], vec![Role::Veto(1.0); 3], vec![s.clone()]).is_err());
        assert!(
            refuse(vec![0.0; 2], vec![Role::Veto(1.0); 2], vec![span(0.6, 0.4, &[0.0, 1.0], &[1.0, 1.0])]).is_err()
        );
        assert!(refuse(vec![f64::NAN, 0.0], vec![Role::Veto(1.0); 2], vec![s]).is_err());
    }

    /// A random table: `n` sides, continuous issues with random ideals and weights cut to a
    /// random sub-interval, at most one ordered issue of random utilities.
    fn tables(n: std::ops::RangeInclusive<usize>, issues: usize) -> impl Strategy<Value = Table> {
        (n, 1..=issues, 0..=3usize).prop_flat_map(|(n, k, options)| {
            let weight = prop_oneof![1 => Just(0.0), 5 => 0.0..1.0f64];
            let one_span = (0.0..=1.0f64, 0.0..=1.0f64, prop::collection::vec((0.0..=1.0f64, weight), n));
            let role = prop_oneof![1 => Just(Role::Bystander), 3 => (0.1..1.0f64).prop_map(Role::Veto)];
            (
                prop::collection::vec(-1.0..0.5f64, n),
                prop::collection::vec(role, n),
                prop::collection::vec(one_span, k),
                prop::collection::vec(prop::collection::vec(0.0..0.5f64, n), options),
            )
                .prop_filter_map("a veto player", |(base, roles, spans, options)| {
                    let spans = spans
                        .into_iter()
                        .map(|(a, b, sides)| Span {
                            lo: a.min(b),
                            hi: a.max(b),
                            ideal: sides.iter().map(|s| s.0).collect(),
                            weight: sides.iter().map(|s| s.1).collect(),
                        })
                        .collect();
                    let choices = if options.is_empty() {
                        vec![]
                    } else {
                        vec![Options { options: (0..options.len()).collect(), utility: options }]
                    };
                    Table::new(base, roles, spans, choices).ok()
                })
        })
    }

    /// Every package of a grid over the spans (and every option), with its surpluses.
    fn grid(t: &Table, steps: usize, mut visit: impl FnMut(&[f64], Vec<f64>)) {
        let k = t.spans.len();
        let options = t.choices.first().map_or(1, |c| c.options.len());
        let mut z = vec![0.0; k];
        for j in 0..options {
            let picks: Vec<usize> = t.choices.iter().map(|_| j).collect();
            for cell in 0..(steps + 1).pow(k as u32) {
                let mut c = cell;
                for (z, s) in z.iter_mut().zip(&t.spans) {
                    *z = s.lo + (s.hi - s.lo) * (c % (steps + 1)) as f64 / steps as f64;
                    c /= steps + 1;
                }
                visit(&z, t.surplus_at(&z, &picks));
            }
        }
    }

    fn acceptable(t: &Table, e: &[f64], tol: f64) -> bool {
        t.roles.iter().zip(e).all(|(r, e)| matches!(r, Role::Bystander) || *e >= -tol)
    }

    fn nash_value(t: &Table, e: &[f64]) -> f64 {
        let (rows, alpha) = t.veto();
        rows.iter().zip(&alpha).map(|(&i, a)| if e[i] > 0.0 { a * e[i].ln() } else { f64::NEG_INFINITY }).sum()
    }

    /// A certificate that the deal is the Nash package of its combination of options: since
    /// ᾱ ln e <= ᾱ ln(ᾱ/λ) + λ e - ᾱ for every λ > 0, with λ_i = ᾱ_i / e*_i every package x of
    /// that combination has f(x) <= f(e*) - 1 + max_x Σ ᾱ_i e_i(x) / e*_i, so the deal is
    /// optimal when that maximum is 1. It is separable by issue, and on each issue a concave
    /// piecewise-linear function of z peaking at lo, hi or an ideal. Returns the maximum less 1.
    fn duality_gap(t: &Table, d: &Deal) -> f64 {
        let (rows, alpha) = t.veto();
        let mu: Vec<(usize, f64)> = rows.iter().zip(&alpha).map(|(&i, a)| (i, a / d.surplus[i])).collect();
        let picks: Vec<usize> =
            t.choices.iter().zip(&d.options).map(|(c, o)| c.options.iter().position(|x| x == o).unwrap()).collect();
        let at = |z: &[f64]| -> f64 {
            let e = t.surplus_at(z, &picks);
            mu.iter().map(|&(i, m)| m * e[i]).sum()
        };
        let mut z = d.positions.clone();
        for (k, s) in t.spans.iter().enumerate() {
            let mut best = (f64::NEG_INFINITY, s.lo);
            for c in [s.lo, s.hi].into_iter().chain(s.ideal.iter().copied().filter(|&a| a > s.lo && a < s.hi)) {
                z[k] = c;
                let v = at(&z);
                if v > best.0 {
                    best = (v, c);
                }
            }
            z[k] = best.1;
        }
        at(&z) - 1.0
    }

    /// The deal's reported surpluses are those of its package, and its positions lie on the spans.
    fn consistent(t: &Table, d: &Deal) -> Result<(), TestCaseError> {
        let picks: Vec<usize> =
            t.choices.iter().zip(&d.options).map(|(c, o)| c.options.iter().position(|x| x == o).unwrap()).collect();
        let e = t.surplus_at(&d.positions, &picks);
        prop_assert!(close(&e, &d.surplus, 1e-12), "{d:?} against {e:?}");
        for (z, s) in d.positions.iter().zip(&t.spans) {
            prop_assert!(*z >= s.lo && *z <= s.hi, "{d:?} leaves [{}, {}]", s.lo, s.hi);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The n-party solution of two veto players is `nash::solve`'s, surplus for surplus.
        #[test]
        fn two_veto_players_get_what_the_two_party_solver_gives(
            issues in prop::collection::vec(([0.0..=1.0f64, 0.0..=1.0f64], [0.0..=1.0f64, 0.0..=1.0f64], [0.0..1.0f64, 0.0..1.0f64]), 0..=4),
            options in prop::collection::vec(prop::collection::vec([0.0..0.4f64, 0.0..0.4f64], 1..=4), 0..=2),
            d in [-0.5..1.5f64, -0.5..1.5f64],
            a0 in 0.05..0.95f64,
        ) {
            let alpha = [a0, 1.0 - a0];
            let mut segments = Vec::new();
            let mut spans = Vec::new();
            for (a, cut, w) in &issues {
                let (low, high) = (a[0].min(a[1]), a[0].max(a[1]));
                let (f, g) = (cut[0].min(cut[1]), cut[0].max(cut[1]));
                let (lo, hi) = (low + f * (high - low), low + g * (high - low));
                segments.push(Segment::between(lo, hi, a[0], a[1], w[0], w[1]));
                spans.push(span(lo, hi, a, w));
            }
            let u = |i: usize, z: &dyn Fn(&Segment) -> f64| -> f64 {
                issues.iter().zip(&segments).map(|((a, _, w), g)| w[i] * (1.0 - (z(g) - a[i]).abs())).sum()
            };
            let two = [0, 1].map(|i| u(i, &|g: &Segment| g.start) - d[i]);
            let choices2: Vec<Choice> = options.iter().map(|o| Choice { options: (0..o.len()).collect(), utility: o.clone() }).collect();
            let choices: Vec<Options> = options.iter().map(|o| Options { options: (0..o.len()).collect(), utility: o.iter().map(|u| u.to_vec()).collect() }).collect();
            let expected = nash::solve(two, &segments, &choices2, alpha, &mut Vec::new());
            let table = Table::new(vec![-d[0], -d[1]], vec![Role::Veto(alpha[0]), Role::Veto(alpha[1])], spans, choices).unwrap();
            let got = nash(&table);
            match (expected, got) {
                (Some(e), Some(g)) => {
                    prop_assert!((e.surplus[0] - g.surplus[0]).abs() < 1e-9 && (e.surplus[1] - g.surplus[1]).abs() < 1e-9, "two-party {e:?}, n-party {g:?}");
                    consistent(&table, &g)?;
                }
                (None, None) => {}
                (e, g) => prop_assert!(false, "two-party {e:?}, n-party {g:?}"),
            }
        }

        /// The Nash package is acceptable to every veto player, and no acceptable package of a
        /// fine grid has a larger weighted log Nash product.
        #[test]
        fn no_grid_package_beats_the_nash_package(table in tables(3..=5, 2)) {
            let deal = nash(&table);
            let steps = if table.spans.len() == 1 { 2000 } else { 60 };
            let mut best = f64::NEG_INFINITY;
            let mut any = false;
            grid(&table, steps, |_, e| {
                if acceptable(&table, &e, 0.0) {
                    any = true;
                    best = best.max(nash_value(&table, &e));
                }
            });
            match deal {
                Some(d) => {
                    consistent(&table, &d)?;
                    prop_assert!(acceptable(&table, &d.surplus, 1e-12), "{d:?}");
                    let v = nash_value(&table, &d.surplus);
                    prop_assert!(v >= best - 1e-9, "{d:?} worth {v} against a grid package worth {best}");
                    if v.is_finite() {
                        let gap = duality_gap(&table, &d);
                        prop_assert!(gap <= 1e-9, "{d:?}: duality gap {gap}");
                    }
                }
                None => prop_assert!(!any, "no deal, but the grid holds an acceptable package"),
            }
        }

        /// On larger tables (up to 8 sides and 5 issues, where the grid is too coarse to say
        /// much) the Nash package is acceptable and carries its duality certificate.
        #[test]
        fn large_tables_carry_the_duality_certificate(table in tables(3..=8, 5)) {
            if let Some(d) = nash(&table) {
                consistent(&table, &d)?;
                prop_assert!(acceptable(&table, &d.surplus, 1e-12), "{d:?}");
                if nash_value(&table, &d.surplus).is_finite() {
                    let gap = duality_gap(&table, &d);
                    prop_assert!(gap <= 1e-9, "{d:?}: duality gap {gap}");
                }
            }
        }

        /// The setter's offer is acceptable to every veto player, and no acceptable package of a
        /// fine grid is better for the setter.
        #[test]
        fn no_grid_package_is_better_for_the_setter(table in tables(2..=5, 2), who in 0..5usize) {
            let p = who % table.sides();
            let deal = setter(&table, p);
            let steps = if table.spans.len() == 1 { 2000 } else { 60 };
            let mut best = f64::NEG_INFINITY;
            grid(&table, steps, |_, e| {
                if acceptable(&table, &e, 0.0) {
                    best = best.max(e[p]);
                }
            });
            match deal {
                Some(d) => {
                    consistent(&table, &d)?;
                    prop_assert!(acceptable(&table, &d.surplus, 1e-12), "{d:?}");
                    prop_assert!(d.surplus[p] >= best - 1e-12, "{d:?} against a grid package worth {best} to the setter");
                }
                None => prop_assert!(best == f64::NEG_INFINITY, "no offer, but the grid holds an acceptable package"),
            }
        }

        /// On one issue the offer is the setter's ideal clipped to the interval every veto
        /// player accepts (Romer and Rosenthal 1978).
        #[test]
        fn one_issue_offer_is_the_clipped_ideal(
            sides in prop::collection::vec((0.0..=1.0f64, 0.05..1.0f64, 0.0..1.0f64), 1..=4),
            p in 0.0..=1.0f64,
        ) {
            // Side i (ideal a, weight w, disagreement payoff w (1 - ρ)) accepts |z - a| <= ρ.
            let (mut lo, mut hi) = (0.0f64, 1.0f64);
            for &(a, _, rho) in &sides {
                (lo, hi) = (lo.max(a - rho), hi.min(a + rho));
            }
            let mut ideal: Vec<f64> = sides.iter().map(|s| s.0).collect();
            let mut weight: Vec<f64> = sides.iter().map(|s| s.1).collect();
            let mut base: Vec<f64> = sides.iter().map(|&(_, w, rho)| -w * (1.0 - rho)).collect();
            let mut roles = vec![Role::Veto(1.0); sides.len()];
            ideal.push(p);
            weight.push(1.0);
            base.push(0.0);
            roles.push(Role::Bystander);
            let table = Table::new(base, roles, vec![span(0.0, 1.0, &ideal, &weight)], vec![]).unwrap();
            match setter(&table, sides.len()) {
                Some(d) => prop_assert!((d.positions[0] - p.clamp(lo, hi)).abs() < 1e-9, "{d:?}: [{lo}, {hi}]"),
                None => prop_assert!(lo > hi - 1e-9, "no offer, but [{lo}, {hi}] is acceptable"),
            }
        }
    }
}
