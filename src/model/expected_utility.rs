//! Bueno de Mesquita's expected-utility model of group decisions on one issue (BDM 1994, as
//! formalized by Scholz, Calbert and Smith 2011): actors with capability, salience and a
//! position weigh each other's challenges, take risks according to how exposed they are, and
//! move to the best offer they receive, round after round. docs/MODELS.md ("Expected utility")
//! gives the equations this file implements and the options (`scenario::bdm`) for the steps
//! the published versions leave open.
//!
//! Deterministic and allocation-free once `workspace` and `path` have been built: it runs once
//! per issue per trial. O(n^3) per round for n actors (n^2 contests, each weighed by n voters).

use crate::scenario::bdm::{BdmOptions, DistanceScale, OfferChoice, Perception, Probability, Stopping, VoteUtility};

/// The model with its options fixed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpectedUtility {
    q: f64,
    t: f64,
    scale: DistanceScale,
    probability: Probability,
    vote: VoteUtility,
    perception: Perception,
    choice: OfferChoice,
    stopping: Stopping,
}

/// Scratch space for one issue of `n` actors, reused across trials.
#[derive(Debug, Clone)]
pub struct Workspace {
    n: usize,
    /// Capability x salience.
    weight: Vec<f64>,
    x: Vec<f64>,
    next: Vec<f64>,
    /// Risk exponents r_i.
    risk: Vec<f64>,
    /// Voter k's utility distance to actor a's position, `k * n + a`.
    vote: Vec<f64>,
    /// P(i beats j), `i * n + j`.
    win: Vec<f64>,
    /// Sum of the others' expected utilities of challenging each actor.
    danger: Vec<f64>,
    /// Each actor's status-quo utility at its risk exponent.
    status_quo: Vec<f64>,
    order: Vec<usize>,
}

/// Per-round results of one issue, preallocated and reused across trials.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// `(rounds + 1) * n`, round-major (`round * n + actor`); round 0 = the initial positions.
    pub positions: Vec<f64>,
    /// `(rounds + 1) * n`; round 0 all false.
    pub moved: Vec<bool>,
    /// `rounds + 1`: weighted median (weights capability x salience).
    pub median: Vec<f64>,
    /// `rounds + 1`: weighted mean (same weights).
    pub mean: Vec<f64>,
    /// First round at which the stopping rule held; later rounds repeat its positions.
    pub stopped_at: Option<usize>,
}

impl Path {
    /// Number of rounds after round 0.
    pub fn rounds(&self) -> usize {
        self.median.len() - 1
    }
}

/// The offer an actor accepts and where it takes it.
#[derive(Debug, Clone, Copy)]
struct Best {
    key: f64,
    target: f64,
}

impl Best {
    fn keep_lower(slot: &mut Option<Best>, key: f64, target: f64) {
        if slot.is_none_or(|b| key < b.key) {
            *slot = Some(Best { key, target });
        }
    }
}

impl ExpectedUtility {
    pub fn new(options: &BdmOptions) -> Self {
        ExpectedUtility {
            q: options.status_quo_probability,
            t: options.improvement_probability,
            scale: options.distance_scale,
            probability: options.probability,
            vote: options.vote_utility,
            perception: options.perception,
            choice: options.offer_choice,
            stopping: options.stopping,
        }
    }

    /// Scratch for `actors` actors; the rounds live in the `Path`, so any round count fits.
    pub fn workspace(actors: usize) -> Workspace {
        let n = actors;
        Workspace {
            n,
            weight: vec![0.0; n],
            x: vec![0.0; n],
            next: vec![0.0; n],
            risk: vec![1.0; n],
            vote: vec![0.0; n * n],
            win: vec![0.0; n * n],
            danger: vec![0.0; n],
            status_quo: vec![0.0; n],
            order: vec![0; n],
        }
    }

    /// An empty path for `actors` actors over `rounds` rounds after round 0.
    pub fn path(actors: usize, rounds: usize) -> Path {
        Path {
            positions: vec![0.0; (rounds + 1) * actors],
            moved: vec![false; (rounds + 1) * actors],
            median: vec![0.0; rounds + 1],
            mean: vec![0.0; rounds + 1],
            stopped_at: None,
        }
    }

    /// Runs the model from `position` for `path.rounds()` rounds on an issue spanning [lo, hi].
    /// Allocation-free; deterministic; no panic for finite input with capabilities >= 0,
    /// saliences in [0, 1], positions in [lo, hi] and lo < hi. With every weight zero the median
    /// and mean weigh actors equally (`weighted_median`).
    ///
    /// Panics if the slices, the workspace and the path disagree on the number of actors.
    // The engine's call: one slice per actor input, the issue's span, and the reused buffers.
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &self,
        capability: &[f64],
        salience: &[f64],
        position: &[f64],
        lo: f64,
        hi: f64,
        ws: &mut Workspace,
        path: &mut Path,
    ) {
        let n = ws.n;
        assert!(capability.len() == n && salience.len() == n && position.len() == n, "one value per actor");
        let rounds = path.rounds();
        assert_eq!(path.positions.len(), (rounds + 1) * n, "path sized for these actors");

        for i in 0..n {
            ws.weight[i] = capability[i] * salience[i];
        }
        ws.x.copy_from_slice(position);
        let spread = match self.scale {
            DistanceScale::InitialPositions => {
                let (min, max) =
                    position.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
                max - min
            }
            DistanceScale::Issue => hi - lo,
        };
        let scale = if spread > 0.0 { spread } else { hi - lo };

        path.stopped_at = None;
        self.record(0, ws, path);
        path.moved[..n].fill(false);
        for round in 1..=rounds {
            let any = self.round(salience, scale, ws);
            path.moved[round * n..(round + 1) * n].iter_mut().zip(ws.x.iter().zip(&ws.next)).for_each(|(m, (a, b))| {
                *m = a != b;
            });
            ws.x.copy_from_slice(&ws.next);
            self.record(round, ws, path);
            if !any && self.stopping == Stopping::NoMove {
                path.stopped_at = Some(round);
                for later in round + 1..=rounds {
                    path.positions.copy_within(round * n..(round + 1) * n, later * n);
                    path.moved[later * n..(later + 1) * n].fill(false);
                    path.median[later] = path.median[round];
                    path.mean[later] = path.mean[round];
                }
                break;
            }
        }
    }

    fn record(&self, round: usize, ws: &mut Workspace, path: &mut Path) {
        let n = ws.n;
        path.positions[round * n..(round + 1) * n].copy_from_slice(&ws.x);
        path.median[round] = weighted_median(&ws.x, &ws.weight, &mut ws.order);
        path.mean[round] = weighted_mean(&ws.x, &ws.weight);
    }

    /// One round: risk exponents from the actors' exposure, then every actor's best offer.
    /// Leaves the new positions in `ws.next`; true if anyone moved.
    fn round(&self, salience: &[f64], scale: f64, ws: &mut Workspace) -> bool {
        let n = ws.n;
        let median = weighted_median(&ws.x, &ws.weight, &mut ws.order);

        // Exposure, everybody risk-neutral: the others' expected utilities of challenging i.
        ws.risk.fill(1.0);
        fill_votes(ws, scale, false);
        self.fill_win(ws);
        for (i, &target) in salience.iter().enumerate() {
            let mut sum = 0.0;
            for j in (0..n).filter(|&j| j != i) {
                let d = (ws.x[j] - ws.x[i]).abs() / scale;
                let to_median = (ws.x[j] - median).abs() / scale;
                sum += self.challenge(ws.win[j * n + i], target, Stakes::new(d, 1.0, 0.0), to_median);
            }
            ws.danger[i] = sum;
        }
        let (lo, hi) = ws.danger.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        for i in 0..n {
            let r = if hi > lo { (2.0 * ws.danger[i] - hi - lo) / (hi - lo) } else { 0.0 };
            ws.risk[i] = (1.0 - r / 3.0) / (1.0 + r / 3.0);
            ws.status_quo[i] = utility(0.5, ws.risk[i]);
        }

        fill_votes(ws, scale, self.vote == VoteUtility::Linear);
        self.fill_win(ws);
        let mut any = false;
        for i in 0..n {
            ws.next[i] = match self.best_offer(i, salience, scale, median, ws) {
                Some(target) => target,
                None => ws.x[i],
            };
            any |= ws.next[i] != ws.x[i];
        }
        any
    }

    /// Where actor i moves, if any offer it receives is worth accepting.
    fn best_offer(&self, i: usize, salience: &[f64], scale: f64, median: f64, ws: &Workspace) -> Option<f64> {
        let n = ws.n;
        let xi = ws.x[i];
        let ri = ws.risk[i];
        let (mut confront, mut compromise, mut capitulate, mut nearest) = (None, None, None, None);
        for j in (0..n).filter(|&j| ws.x[j] != xi) {
            let xj = ws.x[j];
            let d = (xi - xj).abs() / scale;
            let stakes = Stakes::new(d, ri, ws.status_quo[i]);
            let own = self.challenge(ws.win[i * n + j], salience[j], stakes, (xi - median).abs() / scale);
            let rival_stakes = match self.perception {
                Perception::Perceiver => stakes,
                Perception::Own => Stakes::new(d, ws.risk[j], ws.status_quo[j]),
            };
            let rival = self.challenge(ws.win[j * n + i], salience[i], rival_stakes, (xj - median).abs() / scale);
            let target = if rival > own && own > 0.0 {
                Best::keep_lower(&mut confront, (xj - xi).abs(), xj);
                xj
            } else if rival > 0.0 && own < 0.0 && rival > -own {
                let target = xi + (xj - xi) * (own / rival).abs();
                let weighted = (own.abs() * xi + rival.abs() * xj) / (own.abs() + rival.abs());
                Best::keep_lower(&mut compromise, weighted, target);
                target
            } else if rival > 0.0 && own < 0.0 && rival < -own {
                Best::keep_lower(&mut capitulate, (xj - xi).abs(), xj);
                xj
            } else {
                continue;
            };
            Best::keep_lower(&mut nearest, (target - xi).abs(), target);
        }
        let best = match self.choice {
            OfferChoice::ScholzCode => confront.or(compromise).or(capitulate),
            OfferChoice::LeastMove => nearest,
        };
        best.map(|b| b.target)
    }

    /// The expected utility of challenging, to an actor with these `stakes` and at utility
    /// distance `to_median` from the median, with success probability `p`, against a target of
    /// salience `s` (docs/MODELS.md, "Expected utility").
    fn challenge(&self, p: f64, s: f64, stakes: Stakes, to_median: f64) -> f64 {
        let Stakes { success, failure, status_quo, d, r } = stakes;
        let mut quiet = self.q * status_quo;
        if self.q < 1.0 {
            let better = utility(0.5 - 0.25 * (to_median + d), r);
            let worse = utility(0.5 + 0.25 * (to_median + d), r);
            quiet += (1.0 - self.q) * (self.t * better + (1.0 - self.t) * worse);
        }
        s * (p * success + (1.0 - p) * failure) + (1.0 - s) * success - quiet
    }

    /// P(i beats j) for every ordered pair, from the votes in `ws.vote`.
    fn fill_win(&self, ws: &mut Workspace) {
        let n = ws.n;
        let all_pairs = match self.probability {
            Probability::AllPairs => {
                let mut total = 0.0;
                for k in 0..n {
                    let row = &ws.vote[k * n..(k + 1) * n];
                    let spread: f64 = row.iter().map(|&ua| row.iter().map(|&ub| (ub - ua).abs()).sum::<f64>()).sum();
                    total += ws.weight[k] * spread;
                }
                Some(total)
            }
            Probability::Pair => None,
        };
        for i in 0..n {
            ws.win[i * n + i] = 0.0;
            for j in i + 1..n {
                let (mut for_i, mut for_j) = (0.0, 0.0);
                for k in 0..n {
                    let v = ws.weight[k] * (ws.vote[k * n + j] - ws.vote[k * n + i]);
                    if v > 0.0 {
                        for_i += v;
                    } else {
                        for_j -= v;
                    }
                }
                let total = all_pairs.unwrap_or(for_i + for_j);
                let share = |votes: f64| if votes > 0.0 { votes / total } else { 0.0 };
                ws.win[i * n + j] = share(for_i);
                ws.win[j * n + i] = share(for_j);
            }
        }
    }
}

/// Each voter's utility distance to each actor's position: plain, or raised to the voter's
/// risk exponent.
fn fill_votes(ws: &mut Workspace, scale: f64, linear: bool) {
    let n = ws.n;
    for k in 0..n {
        let r = if linear { 1.0 } else { ws.risk[k] };
        for a in 0..n {
            ws.vote[k * n + a] = power((ws.x[k] - ws.x[a]).abs() / scale, r);
        }
    }
}

/// The utilities of a challenge across utility distance `d` with risk exponent `r`; the status
/// quo's depends on `r` only, so each actor's is computed once per round.
#[derive(Debug, Clone, Copy)]
struct Stakes {
    success: f64,
    failure: f64,
    status_quo: f64,
    d: f64,
    r: f64,
}

impl Stakes {
    fn new(d: f64, r: f64, status_quo: f64) -> Self {
        Stakes { success: utility(0.5 - 0.5 * d, r), failure: utility(0.5 + 0.5 * d, r), status_quo, d, r }
    }
}

/// BDM's utility `2 - 4 base^r`.
fn utility(base: f64, r: f64) -> f64 {
    2.0 - 4.0 * power(base, r)
}

/// `base^r` for base >= 0 (a rounding error below zero counts as zero).
fn power(base: f64, r: f64) -> f64 {
    if base <= 0.0 {
        0.0
    } else if r == 1.0 {
        base
    } else {
        base.powf(r)
    }
}

/// The weights to use: as given, or all equal when they sum to nothing.
fn weights_or_equal(weight: &[f64]) -> (f64, bool) {
    let total: f64 = weight.iter().sum();
    if total > 0.0 { (total, false) } else { (weight.len() as f64, true) }
}

/// The lower weighted median: the smallest position at which the weight at or below it reaches
/// half the total. Equal weights when every weight is zero; NaN with no actors. `order` is
/// scratch of the same length (no allocation).
pub fn weighted_median(position: &[f64], weight: &[f64], order: &mut [usize]) -> f64 {
    let (total, equal) = weights_or_equal(weight);
    for (k, o) in order.iter_mut().enumerate() {
        *o = k;
    }
    order.sort_unstable_by(|&a, &b| position[a].total_cmp(&position[b]).then(a.cmp(&b)));
    let mut below = 0.0;
    for &k in order.iter() {
        below += if equal { 1.0 } else { weight[k] };
        if 2.0 * below >= total {
            return position[k];
        }
    }
    order.last().map_or(f64::NAN, |&k| position[k])
}

/// The weighted mean; equal weights when every weight is zero; NaN with no actors.
pub fn weighted_mean(position: &[f64], weight: &[f64]) -> f64 {
    let (total, equal) = weights_or_equal(weight);
    let sum: f64 = position.iter().zip(weight).map(|(x, w)| if equal { *x } else { x * w }).sum();
    sum / total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BDM 1994's EC car-emission case as Scholz et al. (2011) tabulate it: NL, BE, LU, DE, FR,
    /// IT, UK, IE, DK, GR.
    const CAPABILITY: [f64; 10] = [0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08];
    const POSITION: [f64; 10] = [4.0, 7.0, 4.0, 4.0, 10.0, 10.0, 10.0, 7.0, 4.0, 7.0];
    const SALIENCE: [f64; 10] = [0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7];

    fn run(options: &BdmOptions, c: &[f64], s: &[f64], x: &[f64], rounds: usize) -> Path {
        let model = ExpectedUtility::new(options);
        let mut ws = ExpectedUtility::workspace(x.len());
        let mut path = ExpectedUtility::path(x.len(), rounds);
        model.run(c, s, x, 0.0, 10.0, &mut ws, &mut path);
        path
    }

    /// The per-round weighted mean of the replication case in Scholz et al. (2011)'s figure, as
    /// Masad (2014) transcribed it to 0.1 (seeds/masad-2014-bdm-replication.json).
    const PUBLISHED_MEAN: [f64; 11] = [7.4, 7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6, 7.3, 7.2];

    /// Belgium's position per round in McKibben-Sanders's port of Scholz et al.'s code, as its
    /// logged run of the replication case prints it (seeds/mckibben-sanders-2014-bdm-port.json).
    const PORT_BELGIUM: [f64; 10] = [
        8.415932315426764,
        9.610859134120188,
        9.961979590401311,
        4.800881140632622,
        5.524237694197356,
        7.47204636191629,
        8.824593855262423,
        9.671129769802048,
        4.144849062500606,
        4.291541224979646,
    ];
    /// The port's weighted mean per round, rounds 1 to 10.
    const PORT_MEAN: [f64; 10] = [
        7.461314378277189,
        7.552500865855845,
        7.590144997451547,
        7.358130531334201,
        7.3491739896752115,
        7.414877545372958,
        7.510457183677219,
        7.5724470975503,
        7.324989065683666,
        7.242130958473938,
    ];

    #[test]
    fn round_zero_figures_of_the_replication_case() {
        let p = run(&BdmOptions::default(), &CAPABILITY, &SALIENCE, &POSITION, 0);
        assert_eq!(p.median[0], 7.0);
        assert_eq!(format!("{:.6}", p.mean[0]), "7.389956");
        assert!((p.mean[0] - 5.003 / 0.677).abs() < 1e-12);
        assert_eq!(&p.positions[..], &POSITION[..]);
        assert!(p.moved.iter().all(|m| !m));
    }

    #[test]
    fn default_variant_follows_the_published_mean_round_by_round() {
        let p = run(&BdmOptions::default(), &CAPABILITY, &SALIENCE, &POSITION, 10);
        for (round, published) in PUBLISHED_MEAN.iter().enumerate() {
            // The transcription has 0.1 steps: a reading is within 0.1 of the plotted value.
            let gap = (p.mean[round] - published).abs();
            assert!(gap <= 0.1, "round {round}: ours {} published {published}", p.mean[round]);
        }
    }

    #[test]
    fn default_variant_reproduces_the_port_of_scholz_code() {
        let p = run(&BdmOptions::default(), &CAPABILITY, &SALIENCE, &POSITION, 10);
        for round in 1..=10 {
            assert!((p.positions[round * 10 + 1] - PORT_BELGIUM[round - 1]).abs() < 1e-9, "round {round}");
            assert!((p.mean[round] - PORT_MEAN[round - 1]).abs() < 1e-9, "round {round}");
        }
        assert_eq!(p.stopped_at, None);
    }

    #[test]
    fn two_actors_by_hand() {
        // A at 0 (c 1, s 1), B at 10 (c 1, s 0.5) on [0, 10]: weights 1 and 0.5, distance 1.
        let (c, s, x) = ([1.0, 1.0], [1.0, 0.5], [0.0, 10.0]);
        // All-pairs votes: 2 * (1 + 0.5) in the denominator, so P(A beats B) = 1/3, P(B beats A)
        // = 1/6. Exposure at r = 1 (U_s = 2, U_f = -2, U_sq = 0): EU_B(A) = 2 - 4 s_A (1 - 1/6) =
        // -4/3, EU_A(B) = 2 - 4 s_B (1 - 1/3) = 2/3, so R_A = -1 (r_A = 2), R_B = 1 (r_B = 1/2).
        // B, with r = 1/2, sees U_sq = 2 - 4 sqrt(1/2): its own EU of challenging A is
        // 4 sqrt(1/2) - 4 (5/6) < 0 and A's is 4 sqrt(1/2) - 4 (0.5)(2/3) > 0 and larger in size:
        // B compromises by own/rival of the way. A (r = 2) sees B's EU 1 - 10/3 < 0: no offer.
        let a = 4.0 * 0.5f64.sqrt();
        let fraction = (10.0 / 3.0 - a) / (a - 4.0 / 3.0);
        let p = run(&BdmOptions::default(), &c, &s, &x, 1);
        assert_eq!(p.positions[2], 0.0);
        assert!((p.positions[3] - 10.0 * (1.0 - fraction)).abs() < 1e-12, "{}", p.positions[3]);
        assert_eq!(&p.moved[2..], &[false, true]);
        assert_eq!(p.median[1], 0.0);
        assert!((p.mean[1] - 0.5 * p.positions[3] / 1.5).abs() < 1e-12);

        // Pair votes: P(A beats B) = 2/3. Exposures -2/3 and 4/3 give the same exponents; B's
        // own EU a - 8/3 > 0 is below A's a - 2/3: a lost confrontation, B moves to A.
        let pair = BdmOptions { probability: Probability::Pair, ..BdmOptions::default() };
        let p = run(&pair, &c, &s, &x, 2);
        assert_eq!(&p.positions[2..4], &[0.0, 0.0]);
        assert_eq!(p.stopped_at, Some(2));
        assert_eq!(&p.positions[4..], &[0.0, 0.0]);
    }

    #[test]
    fn actors_at_one_point_never_move() {
        let x = [6.0; 4];
        for options in [BdmOptions::default(), BdmOptions { stopping: Stopping::Rounds, ..BdmOptions::default() }] {
            let p = run(&options, &[0.1, 0.2, 0.3, 0.4], &[0.5, 1.0, 0.2, 0.9], &x, 5);
            assert!(p.positions.iter().all(|&v| v == 6.0));
            assert!(p.moved.iter().all(|m| !m));
            assert!(p.median.iter().chain(&p.mean).all(|&v| v == 6.0));
            let expected = (options.stopping == Stopping::NoMove).then_some(1);
            assert_eq!(p.stopped_at, expected);
        }
    }

    #[test]
    fn a_mirror_symmetric_configuration_stays_symmetric() {
        // Mirror images about 5 with mirrored weights; least-move choice has no direction.
        let options = BdmOptions { offer_choice: OfferChoice::LeastMove, ..BdmOptions::default() };
        let (c, s, x) = ([0.3, 0.1, 0.1, 0.3], [0.5, 0.9, 0.9, 0.5], [1.0, 4.0, 6.0, 9.0]);
        let p = run(&options, &c, &s, &x, 8);
        assert!(p.moved.iter().any(|&m| m), "the case must move to test anything");
        for round in 0..=8 {
            let row = &p.positions[round * 4..round * 4 + 4];
            for i in 0..2 {
                assert!((row[i] + row[3 - i] - 10.0).abs() < 1e-9, "round {round}: {row:?}");
            }
            assert!((p.mean[round] - 5.0).abs() < 1e-9);
        }
    }

    #[test]
    fn weighted_median_is_the_lower_median_and_zero_weights_count_equally() {
        let mut order = [0; 4];
        assert_eq!(weighted_median(&[3.0, 1.0, 2.0, 4.0], &[1.0, 1.0, 1.0, 1.0], &mut order), 2.0);
        assert_eq!(weighted_median(&[3.0, 1.0, 2.0, 4.0], &[0.0, 0.0, 0.0, 5.0], &mut order), 4.0);
        assert_eq!(weighted_median(&[3.0, 1.0, 2.0, 4.0], &[0.0; 4], &mut order), 2.0);
        assert_eq!(weighted_mean(&[3.0, 1.0, 2.0, 4.0], &[0.0; 4]), 2.5);
        assert_eq!(weighted_mean(&[0.0, 10.0], &[3.0, 1.0]), 2.5);
        assert!(weighted_median(&[], &[], &mut []).is_nan());
    }

    proptest::proptest! {
        #[test]
        fn any_valid_input_gives_finite_positions_on_the_issue(
            actors in proptest::collection::vec((0.0f64..2.0, 0.0f64..=1.0, 0.0f64..=1.0), 1..8),
            zero in proptest::bool::ANY,
            q in 0.0f64..=1.0,
            printed in proptest::bool::ANY,
        ) {
            let c: Vec<f64> = actors.iter().map(|a| if zero { 0.0 } else { a.0 }).collect();
            let s: Vec<f64> = actors.iter().map(|a| a.1).collect();
            let x: Vec<f64> = actors.iter().map(|a| -2.0 + 5.0 * a.2).collect();
            let options = if printed {
                BdmOptions {
                    status_quo_probability: q,
                    improvement_probability: 1.0 - q,
                    distance_scale: DistanceScale::Issue,
                    probability: Probability::Pair,
                    vote_utility: VoteUtility::Linear,
                    perception: Perception::Own,
                    offer_choice: OfferChoice::LeastMove,
                    stopping: Stopping::Rounds,
                }
            } else {
                BdmOptions { status_quo_probability: q, ..BdmOptions::default() }
            };
            let model = ExpectedUtility::new(&options);
            let mut ws = ExpectedUtility::workspace(x.len());
            let mut path = ExpectedUtility::path(x.len(), 6);
            model.run(&c, &s, &x, -2.0, 3.0, &mut ws, &mut path);
            let again = path.clone();
            model.run(&c, &s, &x, -2.0, 3.0, &mut ws, &mut path);
            proptest::prop_assert_eq!(&again, &path);
            for v in path.positions.iter().chain(&path.median).chain(&path.mean) {
                proptest::prop_assert!(v.is_finite() && (-2.0..=3.0).contains(v), "{}", v);
            }
        }
    }
}
