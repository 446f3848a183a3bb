//! Random streams: one ChaCha8 stream per trial, cut into independent sub-streams, one per
//! random "site" (a parameter, or a purpose within a round), so that the same trial draws the
//! same numbers for the same purpose in every scenario variant (common random numbers).

use std::convert::Infallible;

use rand::{Rng, SeedableRng, TryRng};
use rand_chacha::ChaCha8Rng;

use super::chacha::{BLOCK_WORDS, Stream};

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

    /// The block where the site's sub-stream starts: word `id << 32` is block `id << 28`.
    fn first_block(self) -> u64 {
        self.0 << (SITE_SHIFT - 4)
    }
}

/// The random source of one trial.
#[derive(Debug, Clone)]
pub struct TrialRng {
    stream: Stream,
    seed: u64,
    trial: u64,
}

impl TrialRng {
    /// ChaCha8 key = the seed as 8 little-endian bytes followed by 24 zero bytes;
    /// stream (nonce) = the trial index.
    pub fn new(seed: u64, trial: u64) -> TrialRng {
        TrialRng { stream: Stream::new(&key(seed), trial), seed, trial }
    }

    pub fn trial(&self) -> u64 {
        self.trial
    }

    /// The sub-stream of `site` as a `rand_chacha` generator: the trial's stream positioned
    /// at word `site << 32`. For models that read a site at length; [`TrialRng::site`] gives
    /// the same words faster.
    pub fn stream(&self, site: Site) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(key(self.seed));
        rng.set_stream(self.trial);
        rng.set_word_pos(u128::from(site.0) << SITE_SHIFT);
        rng
    }

    /// The sub-stream of `site`, computed one block at a time as it is read.
    pub fn site(&self, site: Site) -> SiteStream<'_> {
        self.site_from(site, self.stream.block(site.first_block()))
    }

    /// The first block of each site's sub-stream, computed side by side (much faster than one
    /// at a time); hand each to [`TrialRng::site_from`].
    pub fn first_blocks(&self, sites: &[Site], out: &mut Vec<[u32; BLOCK_WORDS]>) {
        out.resize(sites.len(), [0; BLOCK_WORDS]);
        for (batch, blocks) in sites.chunks(8).zip(out.chunks_mut(8)) {
            let mut counters = [0u64; 8];
            for (c, site) in counters.iter_mut().zip(batch) {
                *c = site.first_block();
            }
            self.stream.blocks(&counters[..batch.len()], blocks);
        }
    }

    /// The sub-stream of `site` given its first block, from [`TrialRng::first_blocks`].
    pub fn site_from(&self, site: Site, first: [u32; BLOCK_WORDS]) -> SiteStream<'_> {
        SiteStream { stream: &self.stream, counter: site.first_block(), words: first, next: 0 }
    }
}

fn key(seed: u64) -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key
}

/// A site's sub-stream, word for word the same as [`TrialRng::stream`] gives, holding one
/// block at a time.
#[derive(Debug, Clone)]
pub struct SiteStream<'a> {
    stream: &'a Stream,
    counter: u64,
    words: [u32; BLOCK_WORDS],
    next: usize,
}

impl TryRng for SiteStream<'_> {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        if self.next == BLOCK_WORDS {
            self.counter = self.counter.wrapping_add(1);
            self.words = self.stream.block(self.counter);
            self.next = 0;
        }
        self.next += 1;
        Ok(self.words[self.next - 1])
    }

    /// Two consecutive words, the first as the low half, as `rand_chacha` reads them.
    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let lo = self.next_u32();
        let hi = self.next_u32();
        Ok(u64::from(hi) << 32 | u64::from(lo))
    }

    /// Whole words, little-endian; a word only partly used is still consumed.
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            chunk.copy_from_slice(&self.next_u32().to_le_bytes()[..chunk.len()]);
        }
        Ok(())
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
        let a1 = t.site(Site::named("a")).next_u64();
        let a2 = t.site(Site::named("a")).next_u64();
        let b = t.site(Site::named("b")).next_u64();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        assert_ne!(a1, TrialRng::new(7, 4).site(Site::named("a")).next_u64());
        assert_ne!(a1, TrialRng::new(8, 3).site(Site::named("a")).next_u64());
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
    fn site_streams_read_the_same_words_as_rand_chacha() {
        let rng = TrialRng::new(11, 5);
        let sites: Vec<Site> =
            ["a", "b", "round:x/will:russia", "c", "d", "e", "f", "g", "h", "i"].into_iter().map(Site::named).collect();
        let mut firsts = Vec::new();
        rng.first_blocks(&sites, &mut firsts);
        for (k, (&site, &first)) in sites.iter().zip(&firsts).enumerate() {
            let mut reference = rng.stream(site);
            let mut lazy = rng.site(site);
            let mut batched = rng.site_from(site, first);
            // Mixed widths, odd offsets and block boundaries (16 words per block).
            for step in 0..60 {
                match (step + k) % 3 {
                    0 => {
                        let w = reference.next_u32();
                        assert_eq!(lazy.next_u32(), w);
                        assert_eq!(batched.next_u32(), w);
                    }
                    1 => {
                        let w = reference.next_u64();
                        assert_eq!(lazy.next_u64(), w);
                        assert_eq!(batched.next_u64(), w);
                    }
                    _ => {
                        let mut want = [0u8; 7];
                        let (mut a, mut b) = ([0u8; 7], [0u8; 7]);
                        reference.fill_bytes(&mut want);
                        lazy.fill_bytes(&mut a);
                        batched.fill_bytes(&mut b);
                        assert_eq!((a, b), (want, want));
                    }
                }
            }
        }
    }

    #[test]
    fn site_ids_fit_the_stream() {
        assert!(Site::named("param:parties.russia.cost_of_war").id() < 1 << SITE_BITS);
    }

    #[test]
    fn uniform_is_in_unit_interval() {
        let trial = TrialRng::new(1, 1);
        let mut r = trial.site(Site::named("u"));
        for _ in 0..10_000 {
            let u = uniform01(&mut r);
            assert!((0.0..1.0).contains(&u));
        }
    }
}
