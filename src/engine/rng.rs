//! Random streams: one ChaCha8 stream per trial, cut into independent sub-streams, one per
//! random "site" named by a stable string, so that the same trial draws the same numbers for
//! the same purpose in every scenario variant (common random numbers).
//!
//! A site either serves one purpose and is read at length ([`TrialRng::stream`]), or owns
//! numbered 64-bit *slots*, one per draw, eight to a ChaCha block ([`BlockPlan`],
//! [`TrialRng::slot`]). Slots let a model compute every block a trial needs in one batch: a
//! few dozen blocks instead of one per draw.

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
    /// A site named by a stable string, e.g. `param:parties.russia` or `round:summit/events`:
    /// FNV-1a 64 of the UTF-8 bytes, top 36 bits.
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

/// Slots a site can own: slot `s` is words `2s` and `2s + 1` of the site's sub-stream.
pub const MAX_SLOTS: u32 = 1 << 15;
/// A draw that needs more than its slot's 64 bits reads on in the slot's overflow: the site's
/// sub-stream from block `2^27 + s * 2^12` (word `2^31 + s * 2^16`), far past every slot.
const OVERFLOW_BLOCK: u64 = 1 << 27;
const OVERFLOW_SHIFT: u32 = 12;

/// Where one slot lies among the blocks of a [`BlockPlan`]. Two refs are equal when they name
/// the same slot, whether or not the plan computes its overflow.
#[derive(Debug, Clone, Copy)]
pub struct SlotRef {
    /// Index of the slot's block in the plan.
    block: u32,
    /// First of the slot's two words within the block.
    word: u8,
    /// The block where the slot's overflow starts.
    overflow: u64,
    /// Index in the plan of the overflow's first block, if the plan computes it.
    overflow_block: Option<u32>,
}

impl SlotRef {
    /// Index of the slot's first word in the plan's blocks laid end to end (see
    /// [`word_uniform`]).
    pub fn word_index(self) -> usize {
        self.block as usize * BLOCK_WORDS + usize::from(self.word)
    }
}

impl PartialEq for SlotRef {
    fn eq(&self, other: &SlotRef) -> bool {
        (self.block, self.word) == (other.block, other.word)
    }
}

impl Eq for SlotRef {}

/// The blocks a model reads in every trial: each registered slot's block, once.
#[derive(Debug, Clone, Default)]
pub struct BlockPlan {
    counters: Vec<u64>,
}

impl BlockPlan {
    /// Registers slot `index` of `site` (below [`MAX_SLOTS`]); slots sharing a block share
    /// its computation.
    pub fn slot(&mut self, site: Site, index: u32) -> SlotRef {
        assert!(index < MAX_SLOTS, "slot {index} beyond the {MAX_SLOTS} a site owns");
        SlotRef {
            block: self.block(site.first_block() + u64::from(index / 8)),
            word: u8::try_from(2 * (index % 8)).expect("word within a block"),
            overflow: site.first_block() + OVERFLOW_BLOCK + (u64::from(index) << OVERFLOW_SHIFT),
            overflow_block: None,
        }
    }

    /// As [`BlockPlan::slot`], for a draw that always reads on: the plan also computes the
    /// first block of the slot's overflow. The words drawn are the same either way.
    pub fn wide_slot(&mut self, site: Site, index: u32) -> SlotRef {
        let slot = self.slot(site, index);
        SlotRef { overflow_block: Some(self.block(slot.overflow)), ..slot }
    }

    fn block(&mut self, counter: u64) -> u32 {
        let index = self.counters.iter().position(|&c| c == counter).unwrap_or_else(|| {
            self.counters.push(counter);
            self.counters.len() - 1
        });
        u32::try_from(index).expect("fewer than 2^32 blocks")
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
    /// at word `site << 32`, for models that read a site at length. A model that makes many
    /// short draws is faster with slots ([`BlockPlan`]).
    pub fn stream(&self, site: Site) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(key(self.seed));
        rng.set_stream(self.trial);
        rng.set_word_pos(u128::from(site.0) << SITE_SHIFT);
        rng
    }

    /// Every block of `plan`, computed side by side, in the plan's order.
    pub fn fill(&self, plan: &BlockPlan, out: &mut Vec<[u32; BLOCK_WORDS]>) {
        out.resize(plan.counters.len(), [0; BLOCK_WORDS]);
        self.stream.blocks(&plan.counters, out);
    }

    /// A slot as a generator: its 64 bits first, then its overflow, whose blocks are computed
    /// as they are read unless the plan computed the first. `blocks` is this trial's
    /// [`TrialRng::fill`] of the plan the slot belongs to.
    #[inline]
    pub fn slot(&self, slot: SlotRef, blocks: &[[u32; BLOCK_WORDS]]) -> SlotStream<'_> {
        let (words, next) = match slot.overflow_block {
            Some(b) => (blocks[b as usize], 0),
            None => ([0; BLOCK_WORDS], UNREAD),
        };
        SlotStream { first: Some(slot_u64(slot, blocks)), stream: &self.stream, counter: slot.overflow, words, next }
    }
}

fn key(seed: u64) -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key
}

/// The 64 bits of a slot, the lower word first, as `next_u64` joins two words.
#[inline]
fn slot_u64(slot: SlotRef, blocks: &[[u32; BLOCK_WORDS]]) -> u64 {
    let block = &blocks[slot.block as usize];
    let w = usize::from(slot.word);
    u64::from(block[w + 1]) << 32 | u64::from(block[w])
}

/// [`slot_uniform`] of the slot whose first word is `words[word]`, with the blocks laid end to
/// end ([`SlotRef::word_index`]).
#[inline]
pub fn word_uniform(words: &[u32], word: usize) -> f64 {
    match words[word..word + 2] {
        [lo, hi] => unit(u64::from(hi) << 32 | u64::from(lo)),
        _ => unreachable!("a range of two words"),
    }
}

/// A uniform draw in [0, 1) from a slot alone, as [`uniform01`] reads it.
#[inline]
pub fn slot_uniform(slot: SlotRef, blocks: &[[u32; BLOCK_WORDS]]) -> f64 {
    unit(slot_u64(slot, blocks))
}

/// One slot read as a generator: `next_u64` gives the slot's 64 bits once, then the words of
/// the slot's overflow, two at a time, the lower first; `next_u32` and `fill_bytes` read the
/// overflow only (so a `next_u32` before the first `next_u64` skips ahead of the slot). The
/// words are those `rand_chacha` gives at the same positions.
#[derive(Debug, Clone)]
pub struct SlotStream<'a> {
    first: Option<u64>,
    stream: &'a Stream,
    /// The block counter of `words`.
    counter: u64,
    /// The overflow block being read.
    words: [u32; BLOCK_WORDS],
    /// The next word of `words` to read: `BLOCK_WORDS` when they are used up, [`UNREAD`]
    /// before the first block is loaded.
    next: usize,
}

const UNREAD: usize = BLOCK_WORDS + 1;

impl SlotStream<'_> {
    #[inline]
    fn word(&mut self) -> u32 {
        if self.next >= BLOCK_WORDS {
            self.advance();
        }
        self.next += 1;
        self.words[self.next - 1]
    }

    // Rare (a rejection, a ziggurat's slow path), so kept out of line.
    #[cold]
    #[inline(never)]
    fn advance(&mut self) {
        if self.next == BLOCK_WORDS {
            self.counter = self.counter.wrapping_add(1);
            debug_assert!(!self.counter.is_multiple_of(1 << OVERFLOW_SHIFT), "an overflow read past its 2^16 words");
        }
        self.words = self.stream.block(self.counter);
        self.next = 0;
    }
}

impl TryRng for SlotStream<'_> {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.word())
    }

    #[inline(always)]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(match self.first.take() {
            Some(v) => v,
            None => {
                let lo = self.word();
                u64::from(self.word()) << 32 | u64::from(lo)
            }
        })
    }

    /// Whole words, little-endian; a word only partly used is still consumed.
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            chunk.copy_from_slice(&self.word().to_le_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}

/// A slot's words as far as the plan's blocks hold them, read as [`SlotStream`] reads them with
/// `next_u64`: the slot's 64 bits, then the first block of its overflow if the plan computed
/// it. A draw that reads on past them (a rejection, a ziggurat's slow path), or reads a single
/// word, finds the tape [`short`](SlotTape::is_short): what it drew is then not the slot's draw,
/// and it must draw again from [`TrialRng::slot`]. Most draws never need to; a tape is a few
/// registers where a stream is a struct in memory.
#[derive(Debug, Clone, Copy)]
pub struct SlotTape<'a> {
    first: u64,
    /// The overflow's first block, or nothing.
    overflow: &'a [u32],
    /// The 64-bit words read so far.
    read: usize,
    short: bool,
}

/// What a short tape gives: a word on which the draws made from tapes end at once (a normal of
/// exactly 0 on the ziggurat's fast path, a uniform of about 1/2), so that a draw that ran
/// short stops soon.
const FILLER: u64 = 1 << 63 | 1;

/// The tape of `slot`: see [`SlotTape`].
#[inline]
pub fn slot_tape(slot: SlotRef, blocks: &[[u32; BLOCK_WORDS]]) -> SlotTape<'_> {
    SlotTape {
        first: slot_u64(slot, blocks),
        overflow: slot.overflow_block.map_or(&[][..], |b| &blocks[b as usize][..]),
        read: 0,
        short: false,
    }
}

impl SlotTape<'_> {
    /// Whether a draw read past the tape, so that its value is not the slot's draw.
    #[inline]
    pub fn is_short(&self) -> bool {
        self.short
    }

    #[cold]
    fn ran_short(&mut self) -> u64 {
        self.short = true;
        FILLER
    }
}

impl TryRng for SlotTape<'_> {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.ran_short() as u32)
    }

    #[inline(always)]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let i = self.read;
        self.read += 1;
        Ok(if i == 0 {
            self.first
        } else {
            match self.overflow.get(2 * i - 2..2 * i) {
                Some(&[lo, hi]) => u64::from(hi) << 32 | u64::from(lo),
                _ => self.ran_short(),
            }
        })
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let filler = self.ran_short();
        for chunk in dst.chunks_mut(8) {
            chunk.copy_from_slice(&filler.to_le_bytes()[..chunk.len()]);
        }
        Ok(())
    }
}

/// A uniform draw in [0, 1) with 53 random bits: (next_u64 >> 11) * 2^-53.
#[inline]
pub fn uniform01<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    unit(rng.next_u64())
}

/// The top 53 bits of `x` as a number in [0, 1).
#[inline]
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `rand_chacha` at word `word` of trial 3's stream under seed 7.
    fn reference(word: u128) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(key(7));
        rng.set_stream(3);
        rng.set_word_pos(word);
        rng
    }

    #[test]
    fn sub_streams_are_the_trial_stream_at_the_site_offset() {
        let site = Site::named("x");
        let (mut ours, mut fresh) = (TrialRng::new(7, 3).stream(site), reference(u128::from(site.id()) << SITE_SHIFT));
        for _ in 0..100 {
            assert_eq!(ours.next_u64(), fresh.next_u64());
        }
    }

    #[test]
    fn slots_and_their_overflow_read_the_same_words_as_rand_chacha() {
        let rng = TrialRng::new(7, 3);
        let mut plan = BlockPlan::default();
        // Slots sharing blocks, in several sites, narrow and wide, more than eight blocks (so
        // more than one batch), and a slot at the top of the range.
        let mut slots = Vec::new();
        for (k, name) in ["a", "b", "round:x/will", "c"].into_iter().enumerate() {
            for index in [0, 1, 7, 8, 9, 23, 40, MAX_SLOTS - 1] {
                let site = Site::named(name);
                let slot = if (index as usize + k).is_multiple_of(3) {
                    plan.wide_slot(site, index)
                } else {
                    plan.slot(site, index)
                };
                slots.push((site, index, slot));
            }
        }
        assert!(plan.counters.len() > 8);
        let mut blocks = Vec::new();
        rng.fill(&plan, &mut blocks);
        for (site, index, slot) in slots {
            let base = u128::from(site.id()) << SITE_SHIFT;
            let word = |offset: u128| reference(base + offset).next_u64();
            assert_eq!(slot_u64(slot, &blocks), word(2 * u128::from(index)));
            let mut stream = rng.slot(slot, &blocks);
            assert_eq!(stream.next_u64(), word(2 * u128::from(index)));
            // The overflow, across block boundaries, read in mixed widths.
            let mut overflow = reference(base + (1 << 31) + (u128::from(index) << 16));
            for step in 0..40 {
                if step % 3 == 0 {
                    assert_eq!(stream.next_u32(), overflow.next_u32());
                } else {
                    assert_eq!(stream.next_u64(), overflow.next_u64());
                }
            }
        }
    }

    #[test]
    fn a_tape_reads_the_slots_words_until_it_runs_short() {
        let rng = TrialRng::new(7, 3);
        let mut plan = BlockPlan::default();
        let (narrow, wide) = (plan.slot(Site::named("t"), 5), plan.wide_slot(Site::named("t"), 6));
        let mut blocks = Vec::new();
        rng.fill(&plan, &mut blocks);
        // The slot's 64 bits, then (wide) the 8 pairs of words of the overflow's first block.
        for (slot, held) in [(narrow, 1), (wide, 9)] {
            let (mut tape, mut stream) = (slot_tape(slot, &blocks), rng.slot(slot, &blocks));
            for _ in 0..held {
                assert_eq!(tape.next_u64(), stream.next_u64());
                assert!(!tape.is_short());
            }
            tape.next_u64();
            assert!(tape.is_short());
        }
        let mut tape = slot_tape(wide, &blocks);
        tape.next_u32();
        assert!(tape.is_short(), "a single word is never on a tape");
    }

    #[test]
    fn slots_are_independent_and_reproducible() {
        let draw = |seed: u64, trial: u64, name: &str, index: u32| {
            let mut plan = BlockPlan::default();
            let slot = plan.slot(Site::named(name), index);
            let mut blocks = Vec::new();
            TrialRng::new(seed, trial).fill(&plan, &mut blocks);
            slot_u64(slot, &blocks)
        };
        let a = draw(7, 3, "a", 0);
        assert_eq!(a, draw(7, 3, "a", 0));
        for other in [draw(7, 3, "a", 1), draw(7, 3, "b", 0), draw(7, 4, "a", 0), draw(8, 3, "a", 0)] {
            assert_ne!(a, other);
        }
    }

    #[test]
    fn a_plan_computes_each_block_once() {
        let mut plan = BlockPlan::default();
        let site = Site::named("s");
        for index in 0..16 {
            plan.slot(site, index);
        }
        let wide = plan.wide_slot(site, 3);
        assert_eq!(wide, plan.wide_slot(site, 3));
        assert_eq!(wide, plan.slot(site, 3));
        assert_ne!(wide, plan.slot(site, 4));
        assert_eq!(plan.counters.len(), 3);
    }

    #[test]
    fn site_ids_fit_the_stream() {
        assert!(Site::named("param:parties.russia").id() < 1 << SITE_BITS);
    }

    #[test]
    fn uniforms_are_in_the_unit_interval() {
        let mut plan = BlockPlan::default();
        let slots: Vec<SlotRef> = (0..64).map(|i| plan.slot(Site::named("u"), i)).collect();
        let mut blocks = Vec::new();
        for trial in 0..200 {
            TrialRng::new(1, trial).fill(&plan, &mut blocks);
            for &slot in &slots {
                assert!((0.0..1.0).contains(&slot_uniform(slot, &blocks)));
                assert!((0.0..1.0).contains(&uniform01(&mut TrialRng::new(1, trial).slot(slot, &blocks))));
            }
        }
    }
}
