//! The proposal on the table: the (weighted) Nash bargaining solution between two sides, over
//! a package of continuous and ordered issues with linear utilities and red lines.

use crate::scenario::validate::limits;

/// One continuous issue, already cut to the interval both red lines and both ideals allow.
/// Along it, side 0's utility rises by `gain0` per unit moved from `start` towards side 0's
/// ideal and side 1's falls by `loss1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// Position best for side 1 (normalized units).
    pub start: f64,
    /// Signed direction towards side 0's ideal: +1 or -1.
    pub towards0: f64,
    pub length: f64,
    pub gain0: f64,
    pub loss1: f64,
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
    // Best trade for side 0 first; a segment nobody cares about goes last. Stable on ties.
    let ratio = |s: &Segment| {
        if s.loss1 > 0.0 {
            s.gain0 / s.loss1
        } else if s.gain0 > 0.0 {
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
        decode(combo, choices, pick);
        let mut e = base;
        for (c, &j) in choices.iter().zip(pick.iter()) {
            e[0] += c.utility[j][0];
            e[1] += c.utility[j][1];
        }
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
            if let Some(s) = best_on_segment(e, seg.gain0, seg.loss1, seg.length, alpha) {
                consider(log_nash([e[0] + seg.gain0 * s, e[1] - seg.loss1 * s], alpha), step, s);
            }
            e[0] += seg.gain0 * seg.length;
            e[1] -= seg.loss1 * seg.length;
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
        package.positions[k] = seg.start + seg.towards0 * moved;
        package.surplus[0] += seg.gain0 * moved;
        package.surplus[1] -= seg.loss1 * moved;
    }
    Some(package)
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
    use super::*;

    fn one_issue(base: [f64; 2], alpha: [f64; 2]) -> Option<Package> {
        // x in [0, 1]; side 0's ideal is 1, side 1's is 0: u0 = x, u1 = 1 - x.
        let seg = Segment { start: 0.0, towards0: 1.0, length: 1.0, gain0: 1.0, loss1: 1.0 };
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
        let a = Segment { start: 0.0, towards0: 1.0, length: 1.0, gain0: 0.8, loss1: 0.2 };
        let b = Segment { start: 0.0, towards0: 1.0, length: 1.0, gain0: 0.2, loss1: 0.8 };
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
}
