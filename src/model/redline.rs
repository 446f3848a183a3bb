//! Red lines set anew each time a settlement is sought (docs/MODEL.md §5): a red line that
//! moves with the front, and a red line that gives under the pressure acting in the round, up
//! to a stated bound, at a stated cost per unit conceded past it (audience costs, Fearon 1994;
//! the price of a wider win-set, Putnam 1988). The cost makes the segment a chain of
//! pieces with steeper slopes past each line, so utility stays concave and both solvers stay
//! exact (§7).

use super::nash::Segment;
use super::round::EPS;

/// Where a side's red line stands before pressure, normalized.
#[derive(Debug, Clone, Copy)]
pub(super) enum Base {
    Fixed(f64),
    /// The front plus this concession beyond it, never beyond the side's own ideal.
    Front(f64),
}

/// One side's red line on a settlement segment whose lines are set each round.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    pub base: Base,
    /// +1 when the side concedes upwards.
    pub direction: f64,
    /// The side's ideal.
    pub own: f64,
    /// How far pressure can push the line at most, normalized.
    pub give: f64,
    /// Utility lost per normalized unit conceded past the line as it stood before pressure.
    pub cost: f64,
}

impl Line {
    /// The line before pressure, at front `front`.
    pub(super) fn base(&self, front: f64) -> f64 {
        match self.base {
            Base::Fixed(r) => r,
            Base::Front(v) if self.direction > 0.0 => (front + v).clamp(0.0, 1.0).max(self.own),
            Base::Front(v) => (front - v).clamp(0.0, 1.0).min(self.own),
        }
    }
}

/// A settlement segment whose red lines are set each time a settlement is sought.
#[derive(Debug, Clone, Copy)]
pub(super) struct Living {
    /// Its index among the settlement's segments.
    pub segment: usize,
    /// Its bounds from the ideals and the red lines that neither move nor give.
    pub lo: f64,
    pub hi: f64,
    /// The two sides' ideals.
    pub ideals: [f64; 2],
    pub lines: [Option<Line>; 2],
}

/// A red line that gave (or could have given) in the round: its segment and side, where it
/// stood before pressure and how far it can give.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stood {
    pub segment: usize,
    pub side: usize,
    pub base: f64,
    pub direction: f64,
    pub give: f64,
    /// Where the pressure of the round pushed it.
    pub opened: f64,
}

/// The settlement space of one round.
#[derive(Debug, Default)]
pub struct Fitted {
    /// The settlement's segments with this round's red lines.
    pub(super) segments: Vec<Segment>,
    /// The segments cut into pieces at the red lines past which conceding costs, each piece
    /// with its extra slopes; used only when `costly`.
    pub(super) pieces: Vec<Segment>,
    /// Segment j's pieces are `pieces[first[j]..first[j + 1]]`.
    first: Vec<usize>,
    pub(super) costly: bool,
    /// What each side loses at the segments' starts for lying past its lines there.
    pub(super) start_cost: [f64; 2],
    /// The red lines that can give.
    pub(super) stood: Vec<Stood>,
    /// Per living segment: its bounds and each side's line before pressure.
    bounds: Vec<(f64, f64, [Option<f64>; 2])>,
}

impl Fitted {
    /// The segments the solver works on: the pieces when conceding past a line costs.
    pub(super) fn for_solver(&self) -> &[Segment] {
        if self.costly { &self.pieces } else { &self.segments }
    }

    /// Positions on the pieces turned into positions on the segments (in place: segment j's
    /// pieces start at or after j, so no position is overwritten before it is read).
    pub(super) fn join(&self, positions: &mut Vec<f64>) {
        if !self.costly {
            return;
        }
        for (j, seg) in self.segments.iter().enumerate() {
            let pieces = self.first[j]..self.first[j + 1];
            positions[j] = if pieces.len() == 1 {
                positions[pieces.start]
            } else {
                let moved: f64 = pieces.map(|p| (positions[p] - self.pieces[p].start) * self.pieces[p].towards0).sum();
                seg.start + seg.towards0 * moved
            };
        }
        positions.truncate(self.segments.len());
    }

    /// How far each side's lines had to open for the terms `positions` (per segment): the
    /// largest share of a line's give that a term lies past the line as it stood before
    /// pressure, 0 when no term crosses a line.
    pub(super) fn need(&self, positions: &[f64]) -> [f64; 2] {
        let mut need = [0.0f64; 2];
        for l in &self.stood {
            let past = (positions[l.segment] - l.base) * l.direction;
            if past > EPS {
                need[l.side] = need[l.side].max((past - EPS) / l.give);
            }
        }
        need
    }
}

/// Sets the red lines of the `living` segments at front `front` with each side's lines opened
/// by the share `opening` of their give, into `out` (from the trial's `segments`); false when
/// those red lines leave no position on some issue.
pub(super) fn fit(segments: &[Segment], living: &[Living], opening: [f64; 2], front: f64, out: &mut Fitted) -> bool {
    out.segments.clear();
    out.segments.extend_from_slice(segments);
    out.stood.clear();
    out.bounds.clear();
    out.start_cost = [0.0; 2];
    out.costly = living.iter().any(|l| l.lines.iter().flatten().any(|x| x.cost > 0.0));
    let mut feasible = true;
    for l in living {
        let (mut lo, mut hi) = (l.lo, l.hi);
        let mut base = [None; 2];
        for (i, line) in l.lines.iter().enumerate() {
            let Some(line) = line else { continue };
            let r = line.base(front);
            let opened =
                if line.give > 0.0 { (r + line.direction * line.give * opening[i]).clamp(0.0, 1.0) } else { r };
            if line.give > 0.0 {
                let (segment, direction, give) = (l.segment, line.direction, line.give);
                out.stood.push(Stood { segment, side: i, base: r, direction, give, opened });
            }
            if line.direction > 0.0 {
                hi = hi.min(opened)
            } else {
                lo = lo.max(opened)
            }
            base[i] = Some(r);
        }
        feasible &= lo <= hi + EPS;
        let hi = hi.max(lo);
        let seg = &mut out.segments[l.segment];
        *seg = Segment::between(lo, hi, l.ideals[0], l.ideals[1], seg.gain0, seg.loss1);
        out.bounds.push((lo, hi, base));
    }
    if out.costly {
        cut(out, living);
    }
    feasible
}

/// Cuts each living segment into pieces at the lines past which conceding costs, and gives
/// each piece the extra slopes of the lines it lies past.
fn cut(out: &mut Fitted, living: &[Living]) {
    out.pieces.clear();
    out.first.clear();
    for (j, seg) in out.segments.iter().enumerate() {
        out.first.push(out.pieces.len());
        let Some(w) = living.iter().position(|l| l.segment == j) else {
            out.pieces.push(*seg);
            continue;
        };
        let (l, (lo, hi, base)) = (&living[w], out.bounds[w]);
        // Each costly line: its side, where it stood before pressure, its direction and cost.
        let costly = [0, 1].map(|i| match (l.lines[i], base[i]) {
            (Some(line), Some(r)) if line.cost > 0.0 => Some((i, r, line.direction, line.cost)),
            _ => None,
        });
        // The ends of the pieces: lo, the costly lines strictly inside, hi.
        let mut ends = [lo; 4];
        let mut n = 1;
        for &(_, r, ..) in costly.iter().flatten() {
            if lo < r && r < hi {
                ends[n] = r;
                n += 1;
            }
        }
        ends[1..n].sort_by(f64::total_cmp);
        ends[n] = hi;
        let from = out.pieces.len();
        for w in ends[..=n].windows(2) {
            let mut piece = Segment::between(w[0], w[1], l.ideals[0], l.ideals[1], seg.gain0, seg.loss1);
            let mid = 0.5 * (w[0] + w[1]);
            for &(i, r, direction, cost) in costly.iter().flatten() {
                if (mid - r) * direction > 0.0 {
                    if i == 0 { piece.extra0 = cost } else { piece.extra1 = cost }
                }
            }
            out.pieces.push(piece);
        }
        // The pieces in the order the solver concedes them: from the segment's start.
        if seg.towards0 < 0.0 {
            out.pieces[from..].reverse();
        }
        for &(i, r, direction, cost) in costly.iter().flatten() {
            out.start_cost[i] += cost * ((seg.start - r) * direction).max(0.0);
        }
    }
    out.first.push(out.pieces.len());
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::nash;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// One issue with both sides' red lines giving under pressure at a cost, cut into
        /// pieces and solved (linear or concave), then joined: no point of a fine grid between
        /// the opened lines beats the package in the log Nash product of the utilities written
        /// out directly (curvature, and the cost per unit past the line as it stood), the package
        /// stays between the opened lines, and its surpluses are those utilities.
        #[test]
        fn pieces_past_red_lines_solve_to_the_nash_point(
            ideals in [0.0..=1.0f64, 0.0..=1.0f64],
            lines in [0.0..=1.0f64, 0.0..=1.0f64],
            give in [0.0..=0.5f64, 0.0..=0.5f64],
            cost in [0.0..=2.0f64, 0.0..=2.0f64],
            opening in [0.0..=1.0f64, 0.0..=1.0f64],
            w in [0.05..=1.0f64, 0.05..=1.0f64],
            gamma in prop_oneof![Just([1.0, 1.0]), [1.0..=3.0f64, 1.0..=3.0f64]],
            d in [-0.5..0.8f64, -0.5..0.8f64],
            a0 in 0.1..0.9f64,
        ) {
            let [x0, x1] = ideals;
            prop_assume!((x0 - x1).abs() > 0.05);
            let alpha = [a0, 1.0 - a0];
            let (lo, hi) = (x0.min(x1), x0.max(x1));
            // Each side's line between the ideals, a share of the way from its own ideal.
            let own_line = |i: usize| ideals[i] + lines[i] * (ideals[1 - i] - ideals[i]);
            let direction = |i: usize| if ideals[1 - i] > ideals[i] { 1.0 } else { -1.0 };
            let line = |i: usize| Line { base: Base::Fixed(own_line(i)), direction: direction(i), own: ideals[i], give: give[i], cost: cost[i] };
            let living = [Living { segment: 0, lo, hi, ideals, lines: [Some(line(0)), Some(line(1))] }];
            let segment = Segment::between(lo, hi, x0, x1, w[0], w[1]);
            let mut fitted = Fitted::default();
            let feasible = fit(&[segment], &living, opening, 0.5, &mut fitted);
            let u = |i: usize, z: f64| {
                let past = ((z - own_line(i)) * direction(i)).max(0.0);
                w[i] * (1.0 - (z - ideals[i]).abs().powf(gamma[i])) - cost[i] * past
            };
            let value = |z: f64| {
                let e = [u(0, z) - d[0], u(1, z) - d[1]];
                if e[0] > 0.0 && e[1] > 0.0 { alpha[0] * e[0].ln() + alpha[1] * e[1].ln() } else { f64::NEG_INFINITY }
            };
            // The opened lines.
            let opened = |i: usize| (own_line(i) + direction(i) * give[i] * opening[i]).clamp(0.0, 1.0);
            let (low, high) = if direction(0) < 0.0 { (opened(0), opened(1)) } else { (opened(1), opened(0)) };
            prop_assert_eq!(feasible, low <= high + EPS);
            prop_assume!(feasible && high > low);
            let start = fitted.segments[0].start;
            let base = [0, 1].map(|i| u(i, start) + cost[i] * ((start - own_line(i)) * direction(i)).max(0.0) - fitted.start_cost[i] - d[i]);
            let deal = if gamma == [1.0, 1.0] {
                nash::solve(base, fitted.for_solver(), &[], alpha, &mut Vec::new())
            } else {
                nash::solve_concave(base, fitted.for_solver(), &[], alpha, gamma)
            };
            let steps = 4000;
            let grid_best = (0..=steps).map(|j| value(low + (high - low) * j as f64 / steps as f64)).fold(f64::NEG_INFINITY, f64::max);
            match deal {
                Some(mut p) => {
                    fitted.join(&mut p.positions);
                    let z = p.positions[0];
                    prop_assert!(low - 1e-12 <= z && z <= high + 1e-12, "{z} outside [{low}, {high}]");
                    let e = [u(0, z) - d[0], u(1, z) - d[1]];
                    prop_assert!((e[0] - p.surplus[0]).abs() < 1e-9 && (e[1] - p.surplus[1]).abs() < 1e-9, "{p:?} against {e:?}");
                    prop_assert!(value(z) >= grid_best - 1e-9, "{z} worth {} against a grid point worth {grid_best}", value(z));
                }
                None => prop_assert!(grid_best == f64::NEG_INFINITY, "no deal, but a grid point is worth {grid_best}"),
            }
        }
    }
}
