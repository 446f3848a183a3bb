//! The proposal on the table: the (weighted) Nash bargaining solution between two sides, over
//! a package of continuous and ordered issues with red lines: [`solve`] for linear utilities
//! (in closed form), [`solve_concave`] for utilities with a curvature (docs/MODEL.md §7; the
//! curvature γ here is ζ there, where γ names guarantees).

use crate::scenario::validate::limits;

/// One continuous issue, already cut to the interval both red lines and both ideals allow,
/// or one piece of it. Along it, side 0's utility rises by `gain0 + extra0` per unit moved from
/// `start` towards side 0's ideal and side 1's falls by `loss1 + extra1` (with a curvature,
/// `gain0` and `loss1` weigh the curved part and the extras stay linear). The extras are the
/// costs of terms past a red line that gave under pressure (docs/MODEL.md §5), 0 otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// Position best for side 1 (normalized units).
    pub start: f64,
    /// Signed direction towards side 0's ideal: +1 or -1.
    pub towards0: f64,
    pub length: f64,
    pub gain0: f64,
    pub loss1: f64,
    /// Distance from `start` to side 0's ideal (at least `length`).
    pub reach0: f64,
    /// Distance from side 1's ideal to `start`.
    pub past1: f64,
    pub extra0: f64,
    pub extra1: f64,
}

impl Segment {
    /// The segment [lo, hi] between the ideals `a0` and `a1`, with the two sides' weights.
    pub fn between(lo: f64, hi: f64, a0: f64, a1: f64, gain0: f64, loss1: f64) -> Segment {
        let (start, towards0) = if a1 <= a0 { (lo, 1.0) } else { (hi, -1.0) };
        Segment {
            start,
            towards0,
            length: hi - lo,
            gain0,
            loss1,
            reach0: (a0 - start).abs(),
            past1: (start - a1).abs(),
            extra0: 0.0,
            extra1: 0.0,
        }
    }
}

/// An ordered issue: the options both red lines allow, with each side's utility of each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choice {
    pub options: Vec<usize>,
    pub utility: Vec<[f64; 2]>,
}

/// The chosen package.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Package {
    /// Position on each continuous issue, in the order given.
    pub positions: Vec<f64>,
    /// Option chosen on each ordered issue, in the order given.
    pub options: Vec<usize>,
    /// Surplus of each side over its disagreement payoff.
    pub surplus: [f64; 2],
}

/// The weighted log Nash product; -inf when a surplus is 0, `None` when one is negative.
#[inline]
pub fn log_nash(e: [f64; 2], alpha: [f64; 2]) -> Option<f64> {
    if e[0] < 0.0 || e[1] < 0.0 {
        return None;
    }
    Some(alpha[0] * e[0].ln() + alpha[1] * e[1].ln())
}

/// Where on one segment the weighted Nash product of surpluses (e0 + g0 s, e1 - g1 s) peaks,
/// with s in [0, len] and both surpluses non-negative; `None` when no such s exists.
fn best_on_segment(e: [f64; 2], g0: f64, g1: f64, len: f64, alpha: [f64; 2]) -> Option<f64> {
    let lo = if e[0] >= 0.0 {
        0.0
    } else if g0 > 0.0 {
        -e[0] / g0
    } else {
        return None;
    };
    let hi = if g1 > 0.0 {
        len.min(e[1] / g1)
    } else if e[1] >= 0.0 {
        len
    } else {
        return None;
    };
    if lo > hi || lo > len {
        return None;
    }
    let s = if g0 > 0.0 && g1 > 0.0 {
        // Stationary point of alpha0 ln(e0 + g0 s) + alpha1 ln(e1 - g1 s).
        alpha[0] * e[1] / g1 - alpha[1] * e[0] / g0
    } else if g0 > 0.0 {
        hi
    } else {
        lo
    };
    Some(s.clamp(lo, hi))
}

/// Maximizes the weighted Nash product over every combination of ordered options and every
/// point of the continuous issues, given the constant surplus `base` (utility of everything
/// else minus the disagreement payoff). `order` is scratch space. Returns `None` when no
/// package gives both sides a non-negative surplus.
///
/// For a fixed combination of options the continuous issues form a fractional knapsack: the
/// Pareto frontier is the path that concedes issues to side 0 in decreasing order of
/// gain0 / loss1, and the Nash product is maximized on each of its linear pieces in closed form.
/// At most `limits::ISSUES` choices, as validation ensures.
pub fn solve(
    base: [f64; 2],
    segments: &[Segment],
    choices: &[Choice],
    alpha: [f64; 2],
    order: &mut Vec<usize>,
) -> Option<Package> {
    if choices.iter().any(|c| c.options.is_empty()) {
        return None;
    }
    order.clear();
    order.extend(0..segments.len());
    // Best trade for side 0 first; a segment nobody cares about goes last. Stable on ties, so
    // the pieces of one segment, whose ratios fall along it, keep their order.
    let ratio = |s: &Segment| {
        let (gain0, loss1) = slopes(s);
        if loss1 > 0.0 {
            gain0 / loss1
        } else if gain0 > 0.0 {
            f64::INFINITY
        } else {
            -1.0
        }
    };
    order.sort_by(|&a, &b| ratio(&segments[b]).total_cmp(&ratio(&segments[a])));

    let combos: usize = choices.iter().map(|c| c.options.len()).product();
    let mut best: Option<(f64, usize, usize, f64)> = None; // (value, combo, step, s)
    // On the stack: this runs every round of every trial, and validation caps the issues.
    let mut pick_buf = [0usize; limits::ISSUES];
    let pick = &mut pick_buf[..choices.len()];
    for combo in 0..combos {
        let mut e = with_options(combo, base, choices, pick);
        let mut consider = |value: Option<f64>, step: usize, s: f64| {
            if let Some(v) = value
                && best.is_none_or(|(b, ..)| v > b)
            {
                best = Some((v, combo, step, s));
            }
        };
        if segments.is_empty() {
            consider(log_nash(e, alpha), 0, 0.0);
            continue;
        }
        for (step, &k) in order.iter().enumerate() {
            let seg = &segments[k];
            let (g0, g1) = slopes(seg);
            if let Some(s) = best_on_segment(e, g0, g1, seg.length, alpha) {
                consider(log_nash([e[0] + g0 * s, e[1] - g1 * s], alpha), step, s);
            }
            e[0] += g0 * seg.length;
            e[1] -= g1 * seg.length;
        }
    }
    let (_, combo, step, s) = best?;
    decode(combo, choices, pick);
    let mut package =
        Package { positions: segments.iter().map(|g| g.start).collect(), options: Vec::new(), surplus: base };
    for (c, &j) in choices.iter().zip(pick.iter()) {
        package.options.push(c.options[j]);
        package.surplus[0] += c.utility[j][0];
        package.surplus[1] += c.utility[j][1];
    }
    for (i, &k) in order.iter().enumerate().take(step + 1) {
        let seg = &segments[k];
        let moved = if i < step { seg.length } else { s };
        let (g0, g1) = slopes(seg);
        package.positions[k] = seg.start + seg.towards0 * moved;
        package.surplus[0] += g0 * moved;
        package.surplus[1] -= g1 * moved;
    }
    Some(package)
}

/// The slopes of a segment's linear utilities, extras included (adding an extra of 0 changes
/// no bit).
#[inline]
fn slopes(seg: &Segment) -> (f64, f64) {
    (seg.gain0 + seg.extra0, seg.loss1 + seg.extra1)
}

/// ln μ, the concave solver's outer variable, stays within ±this (μ and 1/μ finite).
const LN_MU_MAX: f64 = 700.0;
/// The outer iteration stops after a Newton step that moved no position by more than this.
const STEP_TOL: f64 = 1e-13;
/// A bracket of positions narrower than this ends the inner iteration.
const BRACKET_TOL: f64 = 1e-15;
/// Safeguard: no iteration runs longer (bisection alone narrows the bracket of ln μ, 1400
/// wide, to a few units in the last place in about 60 steps).
const MAX_ITER: usize = 200;

/// Whether the bracket [lo, hi] of ln μ is down to a few units in the last place.
#[inline]
fn narrow(lo: f64, hi: f64) -> bool {
    hi - lo <= 4.0 * f64::EPSILON * lo.abs().max(hi.abs()).max(1.0)
}

/// (g - 1) ln x for x >= 0: the log of x^(g-1), taken as 0 when g = 1.
#[inline]
fn ln_pow(g: f64, x: f64) -> f64 {
    if g == 1.0 { 0.0 } else { (g - 1.0) * x.max(0.0).ln() }
}

/// Where on one segment u0 + μ u1 peaks, with ln μ = `t`: the distance s moved from the start,
/// and ds/dt (0 at an end). Moving s gives side 0 w0 (D0^γ0 - (D0 - s)^γ0) and costs side 1
/// w1 ((D1 + s)^γ1 - D1^γ1); the peak is the root of
/// ψ(s) = ln(w0 γ0) + (γ0 - 1) ln(D0 - s) - t - ln(w1 γ1) - (γ1 - 1) ln(D1 + s),
/// the log of side 0's marginal gain over μ times side 1's marginal loss, which falls with s.
/// Not for two linear sides (ψ would not depend on s). `guess` starts Newton's method where
/// no closed form applies.
fn concede(seg: &Segment, gamma: [f64; 2], t: f64, guess: f64) -> (f64, f64) {
    if seg.extra0 != 0.0 || seg.extra1 != 0.0 {
        return concede_past_red_line(seg, gamma, t, guess);
    }
    let (len, w0, w1) = (seg.length, seg.gain0, seg.loss1);
    if len <= 0.0 || w0 <= 0.0 {
        return (0.0, 0.0);
    }
    if w1 <= 0.0 {
        return (len, 0.0);
    }
    let [g0, g1] = gamma;
    let (d0, d1) = (seg.reach0, seg.past1);
    let c = (w0 * g0).ln() - (w1 * g1).ln() - t;
    let psi = |s: f64| c + ln_pow(g0, d0 - s) - ln_pow(g1, d1 + s);
    if psi(0.0) <= 0.0 {
        return (0.0, 0.0);
    }
    if psi(len) >= 0.0 {
        return (len, 0.0);
    }
    let slope = |s: f64| -(g0 - 1.0) / (d0 - s) - (g1 - 1.0) / (d1 + s);
    // In closed form when one side is linear or the curvatures are equal.
    let closed = if g0 == 1.0 {
        (c / (g1 - 1.0)).exp() - d1
    } else if g1 == 1.0 {
        d0 - (-c / (g0 - 1.0)).exp()
    } else if g0 == g1 {
        let r = (-c / (g0 - 1.0)).exp();
        (d0 - r * d1) / (1.0 + r)
    } else {
        f64::NAN
    };
    let s = if closed.is_finite() { closed.clamp(0.0, len) } else { falling_root(psi, slope, 0.0, len, guess) };
    (s, 1.0 / slope(s))
}

/// As [`concede`], on a piece past a red line, where each side's marginal utility has a linear
/// part (`extra0`, `extra1`) beside the curved one: the root of
/// ψ(s) = ln(w0 γ0 (D0 - s)^(γ0 - 1) + x0) - t - ln(w1 γ1 (D1 + s)^(γ1 - 1) + x1), which falls
/// with s, by Newton's method in the bracket (no closed form).
fn concede_past_red_line(seg: &Segment, gamma: [f64; 2], t: f64, guess: f64) -> (f64, f64) {
    let (len, w0, w1, x0, x1) = (seg.length, seg.gain0, seg.loss1, seg.extra0, seg.extra1);
    let [g0, g1] = gamma;
    let (d0, d1) = (seg.reach0, seg.past1);
    // Each side's marginal utility at s, and its derivative in s (0 where the side is linear).
    let m0 = |s: f64| w0 * g0 * (d0 - s).max(0.0).powf(g0 - 1.0) + x0;
    let m1 = |s: f64| w1 * g1 * (d1 + s).powf(g1 - 1.0) + x1;
    let dm0 = |s: f64| if g0 == 1.0 { 0.0 } else { -w0 * g0 * (g0 - 1.0) * (d0 - s).max(0.0).powf(g0 - 2.0) };
    let dm1 = |s: f64| if g1 == 1.0 { 0.0 } else { w1 * g1 * (g1 - 1.0) * (d1 + s).powf(g1 - 2.0) };
    if len <= 0.0 || m0(0.0) <= 0.0 {
        return (0.0, 0.0);
    }
    if m1(len) <= 0.0 {
        return (len, 0.0);
    }
    let psi = |s: f64| m0(s).ln() - t - m1(s).ln();
    let slope = |s: f64| dm0(s) / m0(s) - dm1(s) / m1(s);
    if psi(0.0) <= 0.0 {
        return (0.0, 0.0);
    }
    if psi(len) >= 0.0 {
        return (len, 0.0);
    }
    let s = falling_root(psi, slope, 0.0, len, guess);
    (s, 1.0 / slope(s))
}

/// The root of a decreasing `f` with f(lo) > 0 > f(hi), by Newton steps from `guess` (the
/// middle if it is not inside the bracket) that fall back to bisection when they leave it.
fn falling_root(f: impl Fn(f64) -> f64, df: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64, guess: f64) -> f64 {
    let mut s = if guess > lo && guess < hi { guess } else { 0.5 * (lo + hi) };
    for _ in 0..MAX_ITER {
        let v = f(s);
        if v == 0.0 {
            break;
        }
        if v > 0.0 {
            lo = s;
        } else {
            hi = s;
        }
        let newton = s - v / df(s);
        if (newton - s).abs() <= BRACKET_TOL {
            // Converged: a step this small may land on an end of the bracket by rounding.
            return newton.clamp(lo, hi);
        }
        s = if newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
        if hi - lo <= BRACKET_TOL {
            break;
        }
    }
    s
}

/// The weighted Nash point of one combination of options over the box of segments, for
/// concave utilities: writes the distances moved into `s` and returns the log Nash product and
/// the surpluses, or `None` when no point gives both sides a non-negative surplus.
///
/// On the Pareto frontier each position maximizes u0 + μ u1 ([`concede`]); the Nash point is
/// the μ where μ = α1 e0 / (α0 e1), the root in t = ln μ of
/// h(t) = t + ln α0 - ln α1 + ln e1(t) - ln e0(t), which rises with t with slope at least 1.
/// Safeguarded Newton on t within [-700, 700], bisecting while one surplus is not positive.
fn best_in_box(
    e: [f64; 2],
    segments: &[Segment],
    gamma: [f64; 2],
    alpha: [f64; 2],
    s: &mut [f64],
) -> Option<(f64, [f64; 2])> {
    let n = segments.len();
    let mut ds_buf = [0.0; limits::ISSUES];
    let mut keep_buf = [0.0; limits::ISSUES];
    let (ds, keep) = (&mut ds_buf[..n], &mut keep_buf[..n]);
    let [g0, g1] = gamma;
    let (mut lo, mut hi) = (-LN_MU_MAX, LN_MU_MAX);
    let mut t = (alpha[1] / alpha[0]).ln();
    // The last point with both surpluses positive (or, failing that, non-negative).
    let mut kept: Option<(f64, [f64; 2])> = None;
    let mut from_newton = false;
    // While one surplus is not positive and the bracket's far end is still its initial bound,
    // the search steps outwards from the start by 1, 2, 4, ... before it bisects.
    let mut reach = 1.0;
    for _ in 0..MAX_ITER {
        let (mut u, mut m0, mut m1) = (e, 0.0, 0.0);
        for (k, seg) in segments.iter().enumerate() {
            let (sk, dk) = concede(seg, gamma, t, s[k]);
            let (d0, d1) = (seg.reach0, seg.past1);
            (s[k], ds[k]) = (sk, dk);
            if sk > 0.0 {
                u[0] += seg.gain0 * (d0.powf(g0) - (d0 - sk).max(0.0).powf(g0)) + seg.extra0 * sk;
                u[1] -= seg.loss1 * ((d1 + sk).powf(g1) - d1.powf(g1)) + seg.extra1 * sk;
            }
            if dk != 0.0 {
                m0 += (seg.gain0 * g0 * (d0 - sk).max(0.0).powf(g0 - 1.0) + seg.extra0) * dk;
                m1 += (seg.loss1 * g1 * (d1 + sk).powf(g1 - 1.0) + seg.extra1) * dk;
            }
        }
        if !(u[0] > 0.0 && u[1] > 0.0) {
            if u[0] >= 0.0 && u[1] >= 0.0 && kept.is_none() {
                kept = Some((f64::NEG_INFINITY, u));
                keep.copy_from_slice(s);
            }
            if u[0] <= 0.0 && u[1] <= 0.0 {
                // Conceding more to either side leaves the other no better: no point has both
                // surpluses positive.
                break;
            }
            // e0 <= 0: side 0 needs more (lower μ); e1 <= 0: the reverse.
            t = if u[0] <= 0.0 {
                hi = t;
                if lo == -LN_MU_MAX { (t - reach).max(lo) } else { 0.5 * (lo + hi) }
            } else {
                lo = t;
                if hi == LN_MU_MAX { (t + reach).min(hi) } else { 0.5 * (lo + hi) }
            };
            reach *= 2.0;
            from_newton = false;
            if narrow(lo, hi) {
                break;
            }
            continue;
        }
        let converged = from_newton
            && kept.is_some_and(|(v, _)| v.is_finite())
            && s.iter().zip(keep.iter()).all(|(a, b)| (a - b).abs() <= STEP_TOL);
        kept = Some((alpha[0] * u[0].ln() + alpha[1] * u[1].ln(), u));
        keep.copy_from_slice(s);
        let h = t + alpha[0].ln() - alpha[1].ln() + u[1].ln() - u[0].ln();
        if converged || h == 0.0 {
            break;
        }
        if h < 0.0 {
            lo = t
        } else {
            hi = t
        }
        // dh/dt = 1 - (de0/dt) / e0 + (de1/dt) / e1, with de0/dt = m0 <= 0, de1/dt = -m1 >= 0.
        let newton = t - h / (1.0 - m0 / u[0] - m1 / u[1]);
        from_newton = newton > lo && newton < hi;
        t = if from_newton { newton } else { 0.5 * (lo + hi) };
        if narrow(lo, hi) {
            break;
        }
    }
    s.copy_from_slice(keep);
    kept
}

/// As [`solve`], for utilities w (1 - |z - a|^γ) with a curvature γ_i >= 1 per side, not both 1
/// (for two linear sides [`solve`] is exact and faster). For each combination of options, in
/// the same order and with the same strict comparison as [`solve`], the continuous issues are
/// solved together by [`best_in_box`]. At most `limits::ISSUES` segments and choices.
pub fn solve_concave(
    base: [f64; 2],
    segments: &[Segment],
    choices: &[Choice],
    alpha: [f64; 2],
    gamma: [f64; 2],
) -> Option<Package> {
    if choices.iter().any(|c| c.options.is_empty()) {
        return None;
    }
    let combos: usize = choices.iter().map(|c| c.options.len()).product();
    // Side 0's gain with every segment conceded: with it, the most either side can get.
    let [g0, _] = gamma;
    let full0: f64 = segments
        .iter()
        .filter(|g| g.length > 0.0)
        .map(|g| g.gain0 * (g.reach0.powf(g0) - (g.reach0 - g.length).max(0.0).powf(g0)) + g.extra0 * g.length)
        .sum();
    let mut best: Option<(f64, usize, [f64; 2])> = None;
    let (mut s_buf, mut best_s_buf) = ([0.0; limits::ISSUES], [0.0; limits::ISSUES]);
    let (s, best_s) = (&mut s_buf[..segments.len()], &mut best_s_buf[..segments.len()]);
    let mut pick_buf = [0usize; limits::ISSUES];
    let pick = &mut pick_buf[..choices.len()];
    for combo in 0..combos {
        let e = with_options(combo, base, choices, pick);
        // A combination whose best conceivable surpluses cannot give both sides a non-negative
        // surplus, or a value above the best so far, is skipped.
        let top = [e[0] + full0, e[1]];
        let found = if segments.is_empty() {
            log_nash(e, alpha).map(|v| (v, e))
        } else if top[0] < 0.0 || top[1] < 0.0 || best.is_some_and(|(b, ..)| log_nash(top, alpha) <= Some(b)) {
            None
        } else {
            best_in_box(e, segments, gamma, alpha, s)
        };
        if let Some((v, u)) = found
            && best.is_none_or(|(b, ..)| v > b)
        {
            best = Some((v, combo, u));
            best_s.copy_from_slice(s);
        }
    }
    let (_, combo, surplus) = best?;
    decode(combo, choices, pick);
    Some(Package {
        positions: segments.iter().zip(best_s.iter()).map(|(g, &d)| g.start + g.towards0 * d).collect(),
        options: choices.iter().zip(pick.iter()).map(|(c, &j)| c.options[j]).collect(),
        surplus,
    })
}

/// The constant surpluses `base` plus the utilities of combination `combo`'s options, whose
/// indices are decoded into `pick`.
#[inline]
fn with_options(combo: usize, base: [f64; 2], choices: &[Choice], pick: &mut [usize]) -> [f64; 2] {
    decode(combo, choices, pick);
    let mut e = base;
    for (c, &j) in choices.iter().zip(pick.iter()) {
        e[0] += c.utility[j][0];
        e[1] += c.utility[j][1];
    }
    e
}

/// Mixed-radix decoding of a combination index, first choice varying slowest.
fn decode(mut combo: usize, choices: &[Choice], pick: &mut [usize]) {
    for (i, c) in choices.iter().enumerate().rev() {
        let n = c.options.len();
        pick[i] = combo % n;
        combo /= n;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn one_issue(base: [f64; 2], alpha: [f64; 2]) -> Option<Package> {
        // x in [0, 1]; side 0's ideal is 1, side 1's is 0: u0 = x, u1 = 1 - x.
        let seg = Segment::between(0.0, 1.0, 1.0, 0.0, 1.0, 1.0);
        solve(base, &[seg], &[], alpha, &mut Vec::new())
    }

    #[test]
    fn nash_split_with_disagreement_point() {
        // u0 = x - 0.2, u1 = (1 - x) - 0.1: base surpluses at x = 0 are (-0.2, 0.9).
        let p = one_issue([-0.2, 0.9], [0.5, 0.5]).unwrap();
        assert!((p.positions[0] - 0.55).abs() < 1e-12);
        assert!((p.surplus[0] - 0.35).abs() < 1e-12 && (p.surplus[1] - 0.35).abs() < 1e-12);
    }

    #[test]
    fn weighted_nash_gives_the_weight_as_share() {
        let w = (1.0 - 0.8) / (1.0 - 0.9 * 0.8);
        let p = one_issue([0.0, 1.0], [w, 1.0 - w]).unwrap();
        assert!((p.positions[0] - 0.714_285_714_285_714_3).abs() < 1e-12);
    }

    #[test]
    fn no_zone_of_agreement() {
        assert!(one_issue([-0.6, 0.5], [0.5, 0.5]).is_none());
    }

    #[test]
    fn logrolling_gives_each_side_what_it_values_most() {
        // Two issues: side 0 cares about A (0.8) more than B (0.2), side 1 the reverse.
        let a = Segment::between(0.0, 1.0, 1.0, 0.0, 0.8, 0.2);
        let b = Segment::between(0.0, 1.0, 1.0, 0.0, 0.2, 0.8);
        // Disagreement 0 for both; at the start side 0 gets 0 and side 1 gets 1.
        let p = solve([0.0, 1.0], &[a, b], &[], [0.5, 0.5], &mut Vec::new()).unwrap();
        assert!((p.positions[0] - 1.0).abs() < 1e-12, "{:?}", p);
        assert!(p.positions[1].abs() < 1e-12, "{:?}", p);
    }

    #[test]
    fn ordered_choice_picks_the_best_product() {
        let choice = Choice { options: vec![0, 1, 2], utility: vec![[0.0, 1.0], [0.6, 0.6], [1.0, 0.0]] };
        let p = solve([0.0, 0.0], &[], &[choice], [0.5, 0.5], &mut Vec::new()).unwrap();
        assert_eq!(p.options, vec![1]);
    }

    /// One issue on [0, 1], side 0's ideal 1 and side 1's 0, weights 1, curvatures `gamma`,
    /// disagreement payoffs `d`: the surpluses at the start (z = 0) are (0 - d0, 1 - d1).
    fn one_curved_issue(d: [f64; 2], gamma: [f64; 2]) -> Option<Package> {
        let seg = Segment::between(0.0, 1.0, 1.0, 0.0, 1.0, 1.0);
        solve_concave([-d[0], 1.0 - d[1]], &[seg], &[], [0.5, 0.5], gamma)
    }

    #[test]
    fn concave_nash_point_in_closed_form() {
        // u0 = 1 - (1 - z)^2, u1 = 1 - z^2, d = (0.65, 0.355): the first-order condition
        // (1 - z)(0.645 - z^2) = z (0.35 - (1 - z)^2) holds at z = 0.6 (0.4 * 0.285 = 0.6 * 0.19).
        let p = one_curved_issue([0.65, 0.355], [2.0, 2.0]).unwrap();
        assert!((p.positions[0] - 0.6).abs() < 1e-12, "{p:?}");
        assert!((p.surplus[0] - 0.19).abs() < 1e-12 && (p.surplus[1] - 0.285).abs() < 1e-12, "{p:?}");
    }

    #[test]
    fn the_more_risk_averse_side_gets_less() {
        // Kihlstrom, Roth and Schmeidler (1981): d = (0, 0), u1 = 1 - z linear. With u0 = 1 - (1 - z)^2
        // the product (1 - y^2) y, y = 1 - z, peaks at y = 1/sqrt(3); the linear split is 1/2.
        let averse = one_curved_issue([0.0, 0.0], [2.0, 1.0]).unwrap();
        assert!((averse.positions[0] - (1.0 - 1.0 / 3f64.sqrt())).abs() < 1e-12, "{averse:?}");
        let mirrored = one_curved_issue([0.0, 0.0], [1.0, 2.0]).unwrap();
        assert!((mirrored.positions[0] - 1.0 / 3f64.sqrt()).abs() < 1e-12, "{mirrored:?}");
        let linear =
            solve([0.0, 1.0], &[Segment::between(0.0, 1.0, 1.0, 0.0, 1.0, 1.0)], &[], [0.5; 2], &mut Vec::new());
        assert!((linear.unwrap().positions[0] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn unequal_curvatures_meet_the_first_order_condition() {
        // gamma (3, 2), d = 0: 3 (1 - z)^2 / (1 - (1 - z)^3) = 2 z / (1 - z^2) at the Nash point.
        let z = one_curved_issue([0.0, 0.0], [3.0, 2.0]).unwrap().positions[0];
        let (lhs, rhs) = (3.0 * (1.0 - z).powi(2) / (1.0 - (1.0 - z).powi(3)), 2.0 * z / (1.0 - z * z));
        assert!((lhs - rhs).abs() < 1e-11, "z = {z}: {lhs} against {rhs}");
    }

    #[test]
    fn no_zone_of_agreement_with_concave_utilities() {
        // The best point for each side leaves the other below its disagreement payoff.
        assert!(one_curved_issue([0.9, 0.9], [2.0, 2.0]).is_none());
        assert!(one_curved_issue([1.1, 0.0], [2.0, 1.0]).is_none());
    }

    /// A continuous issue for the property test: ideals, the bounds left by the red lines (as
    /// shares of the way between the ideals), weights (sometimes 0, ideals sometimes equal).
    fn issue() -> impl Strategy<Value = ([f64; 2], [f64; 2], [f64; 2])> {
        let weight = prop_oneof![1 => Just(0.0), 4 => 0.0..1.0f64];
        let ideals = prop_oneof![1 => (0.0..=1.0f64).prop_map(|a| [a, a]), 6 => [0.0..=1.0f64, 0.0..=1.0f64]];
        (ideals, [0.0..=1.0f64, 0.0..=1.0f64], [weight.clone(), weight])
    }

    /// Side i's utility of position z on an issue with ideal a and weight w.
    fn u(w: f64, a: f64, g: f64, z: f64) -> f64 {
        w * (1.0 - (z - a).abs().powf(g))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// No point of a fine grid over the red-line box (and every combination of options)
        /// beats the concave solver's package by more than 1e-9 in the log Nash product, and
        /// its positions never leave the box.
        #[test]
        fn the_concave_solver_is_never_beaten_by_a_grid(
            issues in prop::collection::vec(issue(), 1..=2),
            options in prop::collection::vec([0.0..1.0f64, 0.0..1.0f64], 0..=3),
            gamma in [1.0..=4.0f64, 1.0..=4.0f64],
            d in [-0.5..1.5f64, -0.5..1.5f64],
            a0 in 0.05..0.95f64,
        ) {
            prop_assume!(gamma != [1.0, 1.0]);
            let alpha = [a0, 1.0 - a0];
            let mut segments = Vec::new();
            let mut bounds = Vec::new();
            for (a, cut, w) in &issues {
                let (low, high) = (a[0].min(a[1]), a[0].max(a[1]));
                let (f, g) = (cut[0].min(cut[1]), cut[0].max(cut[1]));
                let (lo, hi) = (low + f * (high - low), low + g * (high - low));
                segments.push(Segment::between(lo, hi, a[0], a[1], w[0], w[1]));
                bounds.push((lo, hi));
            }
            let choices: Vec<Choice> = if options.is_empty() {
                Vec::new()
            } else {
                vec![Choice { options: (0..options.len()).collect(), utility: options.clone() }]
            };
            // Surpluses of a package, from the utilities directly.
            let surplus = |z: &[f64], j: Option<usize>| -> [f64; 2] {
                [0, 1].map(|i| {
                    let on_issues: f64 = issues.iter().zip(z).map(|((a, _, w), &z)| u(w[i], a[i], gamma[i], z)).sum();
                    on_issues + j.map_or(0.0, |j| options[j][i]) - d[i]
                })
            };
            let value = |e: [f64; 2]| if e[0] > 0.0 && e[1] > 0.0 { alpha[0] * e[0].ln() + alpha[1] * e[1].ln() } else { f64::NEG_INFINITY };
            let starts: Vec<f64> = segments.iter().map(|g| g.start).collect();
            let at_start = surplus(&starts, None);
            let base = [at_start[0], at_start[1]];
            let deal = solve_concave(base, &segments, &choices, alpha, gamma);

            let steps = if issues.len() == 1 { 4000 } else { 200 };
            let combos: Vec<Option<usize>> = if options.is_empty() { vec![None] } else { (0..options.len()).map(Some).collect() };
            let mut grid_best = f64::NEG_INFINITY;
            let mut z = vec![0.0; issues.len()];
            for j in &combos {
                for cell in 0..(steps + 1usize).pow(issues.len() as u32) {
                    let mut c = cell;
                    for (k, &(lo, hi)) in bounds.iter().enumerate() {
                        z[k] = lo + (hi - lo) * (c % (steps + 1)) as f64 / steps as f64;
                        c /= steps + 1;
                    }
                    grid_best = grid_best.max(value(surplus(&z, *j)));
                }
            }
            match deal {
                Some(p) => {
                    for (k, &(lo, hi)) in bounds.iter().enumerate() {
                        prop_assert!(p.positions[k] >= lo - 1e-12 && p.positions[k] <= hi + 1e-12, "{p:?} leaves [{lo}, {hi}]");
                    }
                    let j = p.options.first().copied();
                    let e = surplus(&p.positions, j);
                    prop_assert!((e[0] - p.surplus[0]).abs() < 1e-9 && (e[1] - p.surplus[1]).abs() < 1e-9, "{p:?} against {e:?}");
                    prop_assert!(value(e) >= grid_best - 1e-9, "{p:?} worth {} against a grid point worth {grid_best}", value(e));
                }
                None => prop_assert!(grid_best == f64::NEG_INFINITY, "no deal, but a grid point is worth {grid_best}"),
            }
        }
    }
}
