//! Drawing a parameter: its law with the constants worked out once per scenario, and drawn
//! from a 64-bit slot (docs/MODEL.md §3 and §8 give the formulas).

use rand::Rng;
use rand_distr::{Beta, Distribution, StandardNormal};

use crate::engine::TrialRng;
use crate::engine::rng::{SlotRef, slot_tape, slot_uniform, uniform01};
use crate::scenario::param::{Dist, InverseCdf, Param, beta_shape};

/// A parameter's law, ready to draw from.
#[derive(Debug, Clone, Copy)]
pub enum Sampler {
    Fixed(f64),
    /// A law drawn from one uniform, by its inverse CDF.
    Inverse(InverseCdf),
    /// Beta(a, b) with both shapes at least 1, as X/(X+Y) with X ~ Gamma(a, 1) and
    /// Y ~ Gamma(b, 1) drawn in that order.
    BetaGammas(GammaMt, GammaMt),
    /// Beta(a, b) with a shape below 1, by Cheng's algorithm BC: gammas of small shape can both
    /// underflow to zero, which the ratio cannot survive.
    BetaCheng(Beta<f64>),
}

impl Sampler {
    /// The sampler of a parameter whose law passed `Param::check_shape`; the broken rule if
    /// its law cannot be drawn from.
    pub fn new(p: &Param) -> Result<Sampler, String> {
        if let Some(law) = p.inverse_cdf() {
            return Ok(Sampler::Inverse(law));
        }
        match p.dist {
            Dist::Beta { mean, spread } => {
                let (a, b) = beta_shape(mean, spread);
                Sampler::beta(a, b).ok_or_else(|| format!("beta(mean {mean}, spread {spread}) has no valid shapes"))
            }
            _ => Ok(Sampler::Fixed(p.central())),
        }
    }

    /// Beta(a, b) from its shapes; `None` unless both are positive and finite.
    pub fn beta(a: f64, b: f64) -> Option<Sampler> {
        if a >= 1.0 && b >= 1.0 && a.is_finite() && b.is_finite() {
            Some(Sampler::BetaGammas(GammaMt::new(a), GammaMt::new(b)))
        } else {
            Beta::new(a, b).ok().map(Sampler::BetaCheng)
        }
    }

    /// Whether a draw reads more than one 64-bit word: a beta reads at least two, through the
    /// gammas usually four.
    pub fn reads_several_words(&self) -> bool {
        matches!(self, Sampler::BetaGammas(..) | Sampler::BetaCheng(_))
    }

    /// Draws one value. Every law but the beta reads one `next_u64`; fixed values read none.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Sampler::Fixed(v) => v,
            Sampler::BetaGammas(x, y) => {
                let x = x.sample(rng);
                x / (x + y.sample(rng))
            }
            Sampler::BetaCheng(beta) => beta.sample(rng),
            Sampler::Inverse(law) => law.at(uniform01(rng)),
        }
    }

    /// Draws one value from a slot of this trial's blocks: as [`Sampler::sample`] on
    /// `rng.slot(slot, blocks)`, without building the stream for the one-word laws, nor for a
    /// beta whose words the plan's blocks hold (nearly always).
    #[inline]
    pub fn sample_slot(&self, rng: &TrialRng, slot: SlotRef, blocks: &[[u32; 16]]) -> f64 {
        match self {
            Sampler::Inverse(law) => law.at(slot_uniform(slot, blocks)),
            Sampler::BetaGammas(..) => {
                let mut tape = slot_tape(slot, blocks);
                let v = self.sample(&mut tape);
                if tape.is_short() { self.sample(&mut rng.slot(slot, blocks)) } else { v }
            }
            _ => self.sample(&mut rng.slot(slot, blocks)),
        }
    }
}

/// Gamma(shape, 1) for shape >= 1 by Marsaglia and Tsang's (2000) method: a normal and a
/// uniform per attempt, with no logarithm unless the quick acceptance test fails (about 2% of
/// attempts).
#[derive(Debug, Clone, Copy)]
pub struct GammaMt {
    /// d = shape - 1/3 and c = 1 / sqrt(9 d).
    d: f64,
    c: f64,
}

impl GammaMt {
    pub fn new(shape: f64) -> GammaMt {
        let d = shape - 1.0 / 3.0;
        GammaMt { d, c: 1.0 / (9.0 * d).sqrt() }
    }

    /// Each attempt reads a standard normal (`rand_distr`'s ziggurat, one `next_u64` on its
    /// common path) and then U = ((next_u64 >> 11) + 1/2) 2^-53, in (0, 1] (1 when the 53 bits
    /// are all ones: the sum rounds up). Inlined, so that a beta's
    /// [`SlotTape`](crate::engine::rng::SlotTape) stays in registers.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        loop {
            let x: f64 = StandardNormal.sample(rng);
            let v = 1.0 + self.c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2 || ln_below(u, 0.5 * x2 + self.d * (1.0 - v + v.ln())) {
                return self.d * v;
            }
        }
    }
}

/// Whether `u.ln() < rhs`, for u in (0, 1], mostly without the logarithm: on [1/2, 1] the
/// bounds 1 - 1/u <= ln u <= u - 1 decide unless `rhs` lies within [`LN_SLACK`] of them. There
/// `u - 1` is exact (Sterbenz), `1 - 1/u` is off by the rounding of the division only (at most
/// about 2.2e-16), and `ln` is within an ulp of ln u (about 1.1e-16 on that range), so the
/// answer is always the one `u.ln() < rhs` gives.
#[inline(always)]
fn ln_below(u: f64, rhs: f64) -> bool {
    if u >= 0.5 {
        if u - 1.0 < rhs - LN_SLACK {
            return true;
        }
        if 1.0 - 1.0 / u > rhs + LN_SLACK {
            return false;
        }
    }
    u.ln() < rhs
}

/// Far wider than the rounding of `ln` and of the bounds on [1/2, 1] (a few 1e-16), and far
/// narrower than the gap between the bounds where the squeeze fails.
const LN_SLACK: f64 = 1e-12;

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use statrs::distribution::{ContinuousCDF, Normal};

    use super::*;

    /// Mean and variance of `n` draws against the law's, within 5 standard errors.
    fn check_moments(sampler: Sampler, mean: f64, var: f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| sampler.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        let se_mean = (var / n as f64).sqrt();
        assert!((m - mean).abs() < 5.0 * se_mean, "mean {m} vs {mean} (s.e. {se_mean})");
        // The sample variance has standard error sqrt((m4 - v^2)/n), m4 the fourth central moment.
        let m4 = xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n as f64;
        let se_var = ((m4 - v * v) / n as f64).sqrt();
        assert!((v - var).abs() < 5.0 * se_var, "variance {v} vs {var} (s.e. {se_var})");
    }

    #[test]
    fn beta_matches_its_moments_on_both_sides_of_shape_one() {
        for (a, b) in
            [(2.0f64, 5.0), (5.0, 2.0), (30.0, 10.0), (1.0, 1.0), (1.0, 3.0), (0.5, 0.5), (0.3, 4.0), (4.0, 0.3)]
        {
            let mean = a / (a + b);
            let var = a * b / ((a + b).powi(2) * (a + b + 1.0));
            check_moments(Sampler::beta(a, b).expect("positive shapes"), mean, var);
        }
    }

    #[test]
    fn a_beta_drawn_from_a_slot_is_the_draw_of_its_stream() {
        use crate::engine::Site;
        use crate::engine::rng::BlockPlan;
        // A small shape rejects often, so some draws read past the overflow's first block;
        // a narrow slot has no overflow block in the plan, so every draw runs off its tape.
        let mut plan = BlockPlan::default();
        let (wide, narrow) = (plan.wide_slot(Site::named("b"), 0), plan.slot(Site::named("b"), 1));
        let mut blocks = Vec::new();
        for (a, b) in [(1.0, 1.0), (1.1, 30.0), (4.0, 2.5)] {
            let beta = Sampler::beta(a, b).expect("positive shapes");
            for trial in 0..2000 {
                let rng = TrialRng::new(11, trial);
                rng.fill(&plan, &mut blocks);
                for slot in [wide, narrow] {
                    let from_stream = beta.sample(&mut rng.slot(slot, &blocks));
                    assert_eq!(beta.sample_slot(&rng, slot, &blocks).to_bits(), from_stream.to_bits());
                }
            }
        }
    }

    #[test]
    fn the_gamma_log_test_without_the_logarithm_decides_as_the_logarithm() {
        // Every u the gamma reads is ((k >> 11) + 1/2) 2^-53, 1 included; right-hand sides on
        // each side of both bounds, at them, at the slack around them, and near ln u itself.
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        // How often each way of deciding was taken: by the upper bound, by the lower, by `ln`.
        let mut ways = [0u32; 3];
        for _ in 0..200_000 {
            let u = ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
            let u = if rng.next_u64() & 1 == 0 { u } else { 1.0 - u * 1e-3 };
            let ln = u.ln();
            let (upper, lower) = (u - 1.0, 1.0 - 1.0 / u);
            for rhs in [
                ln,
                ln.next_up(),
                ln.next_down(),
                ln + 1e-13,
                ln - 1e-13,
                ln * 0.5,
                2.0 * ln - 1e-3,
                0.0,
                upper,
                upper + LN_SLACK,
                (upper + LN_SLACK).next_up(),
                lower,
                lower - LN_SLACK,
                (lower - LN_SLACK).next_down(),
                lower - 1e-11,
            ] {
                assert_eq!(ln_below(u, rhs), u.ln() < rhs, "u {u}, rhs {rhs}");
                let way = if u >= 0.5 && upper < rhs - LN_SLACK {
                    0
                } else if u >= 0.5 && lower > rhs + LN_SLACK {
                    1
                } else {
                    2
                };
                ways[way] += 1;
            }
        }
        assert!(ways.iter().all(|&n| n > 100_000), "each way of deciding is tested: {ways:?}");
        assert_eq!(ln_below(1.0, 0.0), 1f64.ln() < 0.0);
        assert_eq!(ln_below(1.0, 1e-300), 1f64.ln() < 1e-300);
    }

    #[test]
    fn triangular_and_truncated_normal_match_their_moments() {
        let (l, c, h) = (0.1, 0.25, 0.7);
        let tri = Sampler::Inverse(InverseCdf::Triangular { low: l, mode: c, high: h });
        check_moments(tri, (l + c + h) / 3.0, (l * l + c * c + h * h - l * c - l * h - c * h) / 18.0);
        // Truncated symmetrically at ±1 sd: mean 0, variance 1 - 2φ(1)/(2Φ(1) - 1).
        let p = Param { dist: Dist::TruncatedNormal { mean: 0.0, sd: 1.0, low: -1.0, high: 1.0 }, ..Param::fixed(0.0) };
        let phi1 = (-0.5f64).exp() / (2.0 * std::f64::consts::PI).sqrt();
        check_moments(
            Sampler::new(&p).expect("a valid law"),
            0.0,
            1.0 - 2.0 * phi1 / (2.0 * Normal::standard().cdf(1.0) - 1.0),
        );
    }
}
