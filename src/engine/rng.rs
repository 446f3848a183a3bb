//! Random streams: one ChaCha8 stream per trial, cut into independent sub-streams, one per
//! random "site" (a parameter, or a purpose within a round), so that the same trial draws the
//! same numbers for the same purpose in every scenario variant (common random numbers).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Words (u32) reserved for each site within a trial's stream: 2^32, far more than any site uses.
const SITE_SHIFT: u32 = 32;
/// ChaCha's 64-bit block counter gives 2^68 words per stream, so site ids have 36 bits.
const SITE_BITS: u32 = 36;

/// Identifies one sub-stream within a trial's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Site(u64);

impl Site {
    /// A site named by a stable string, e.g. `param:parties.russia.cost_of_war` or
    /// `round:r1/attendance:russia`: FNV-1a 64 of the UTF-8 bytes, top 36 bits.
    pub fn named(name: &str) -> Site {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Site(h >> (64 - SITE_BITS))
    }

    pub fn id(self) -> u64 {
        self.0
    }
}

/// The random source of one trial.
#[derive(Debug, Clone)]
pub struct TrialRng {
    /// The trial's stream, keyed and positioned once; sub-streams are copies of it moved to
    /// their site, which is much cheaper than keying a new generator for every site.
    stream: ChaCha8Rng,
    trial: u64,
}

impl TrialRng {
    /// ChaCha8 key = the seed as 8 little-endian bytes followed by 24 zero bytes;
    /// stream (nonce) = the trial index.
    pub fn new(seed: u64, trial: u64) -> TrialRng {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        let mut stream = ChaCha8Rng::from_seed(key);
        stream.set_stream(trial);
        TrialRng { stream, trial }
    }

    pub fn trial(&self) -> u64 {
        self.trial
    }

    /// The sub-stream of `site`: the trial's stream positioned at word `site << 32`.
    pub fn stream(&self, site: Site) -> ChaCha8Rng {
        let mut rng = self.stream.clone();
        rng.set_word_pos(u128::from(site.0) << SITE_SHIFT);
        rng
    }
}

/// A uniform draw in [0, 1) with 53 random bits: (next_u64 >> 11) * 2^-53.
#[inline]
pub fn uniform01<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_are_independent_and_reproducible() {
        let t = TrialRng::new(7, 3);
        let a1 = t.stream(Site::named("a")).next_u64();
        let a2 = t.stream(Site::named("a")).next_u64();
        let b = t.stream(Site::named("b")).next_u64();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        assert_ne!(a1, TrialRng::new(7, 4).stream(Site::named("a")).next_u64());
        assert_ne!(a1, TrialRng::new(8, 3).stream(Site::named("a")).next_u64());
    }

    #[test]
    fn sub_streams_are_the_trial_stream_at_the_site_offset() {
        let site = Site::named("x");
        let mut fresh = ChaCha8Rng::from_seed({
            let mut k = [0u8; 32];
            k[..8].copy_from_slice(&7u64.to_le_bytes());
            k
        });
        fresh.set_stream(3);
        fresh.set_word_pos(u128::from(site.id()) << SITE_SHIFT);
        let mut ours = TrialRng::new(7, 3).stream(site);
        for _ in 0..100 {
            assert_eq!(ours.next_u64(), fresh.next_u64());
        }
    }

    #[test]
    fn site_ids_fit_the_stream() {
        assert!(Site::named("param:parties.russia.cost_of_war").id() < 1 << SITE_BITS);
    }

    #[test]
    fn uniform_is_in_unit_interval() {
        let mut r = TrialRng::new(1, 1).stream(Site::named("u"));
        for _ in 0..10_000 {
            let u = uniform01(&mut r);
            assert!((0.0..1.0).contains(&u));
        }
    }
}
