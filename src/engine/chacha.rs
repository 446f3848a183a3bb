//! ChaCha8 blocks at arbitrary positions, several at once.
//!
//! `rand_chacha` defines the trial streams, but it always produces four consecutive blocks
//! (64 words) after a seek, while a random site reads only a few words at a far-away position.
//! This computes exactly the blocks needed, four, eight or sixteen of them side by side in
//! vector registers (SSE2; AVX2 where the processor has it; with AVX-512F and VL, sixteen in
//! 512-bit registers and AVX-512VL's rotations for a batch of eight). The words are identical to
//! `rand_chacha::ChaCha8Rng`'s (a unit test compares them), so this is only a faster way to
//! read the same stream.
//!
//! Off x86-64, or with the `portable-chacha` feature (which CI uses to compile and test this
//! path on x86-64), the blocks are computed one by one in plain Rust: the same words, slower.

/// 32-bit words in one ChaCha block.
pub const BLOCK_WORDS: usize = 16;

/// "expand 32-byte k", ChaCha's constant words.
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// Double rounds of ChaCha8.
const DOUBLE_ROUNDS: usize = 4;

/// A double round: four column quarter-rounds, then four diagonal ones, spelled out with
/// constant indices so the state can stay in registers.
macro_rules! double_round {
    ($quarter:ident) => {
        $quarter!(0, 4, 8, 12);
        $quarter!(1, 5, 9, 13);
        $quarter!(2, 6, 10, 14);
        $quarter!(3, 7, 11, 15);
        $quarter!(0, 5, 10, 15);
        $quarter!(1, 6, 11, 12);
        $quarter!(2, 7, 8, 13);
        $quarter!(3, 4, 9, 14);
    };
}

/// A ChaCha8 key and stream (nonce): everything but the block counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stream {
    key: [u32; 8],
    nonce: u64,
}

impl Stream {
    /// The key as 32 bytes, read as little-endian words as `rand_chacha` does.
    pub fn new(key: &[u8; 32], nonce: u64) -> Stream {
        let mut words = [0u32; 8];
        for (w, b) in words.iter_mut().zip(key.chunks_exact(4)) {
            *w = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        Stream { key: words, nonce }
    }

    /// Block `counter` of the stream.
    pub fn block(&self, counter: u64) -> [u32; BLOCK_WORDS] {
        let input = self.input(counter);
        let mut x = input;
        macro_rules! quarter {
            ($a:literal, $b:literal, $c:literal, $d:literal) => {
                x[$a] = x[$a].wrapping_add(x[$b]);
                x[$d] = (x[$d] ^ x[$a]).rotate_left(16);
                x[$c] = x[$c].wrapping_add(x[$d]);
                x[$b] = (x[$b] ^ x[$c]).rotate_left(12);
                x[$a] = x[$a].wrapping_add(x[$b]);
                x[$d] = (x[$d] ^ x[$a]).rotate_left(8);
                x[$c] = x[$c].wrapping_add(x[$d]);
                x[$b] = (x[$b] ^ x[$c]).rotate_left(7);
            };
        }
        for _ in 0..DOUBLE_ROUNDS {
            double_round!(quarter);
        }
        for (w, i) in x.iter_mut().zip(&input) {
            *w = w.wrapping_add(*i);
        }
        x
    }

    fn input(&self, counter: u64) -> [u32; BLOCK_WORDS] {
        let mut input = [0u32; BLOCK_WORDS];
        input[..4].copy_from_slice(&SIGMA);
        input[4..12].copy_from_slice(&self.key);
        input[12] = counter as u32;
        input[13] = (counter >> 32) as u32;
        input[14] = self.nonce as u32;
        input[15] = (self.nonce >> 32) as u32;
        input
    }

    /// The blocks at `counters`, written to `out` in the same order.
    pub fn blocks(&self, counters: &[u64], out: &mut [[u32; BLOCK_WORDS]]) {
        self.blocks_with(counters, out, Avx2::detect());
    }

    /// [`Stream::blocks`], sixteen or eight at a time if given the proof that the processor has
    /// AVX2 (sixteen only with AVX-512), otherwise four at a time.
    #[cfg_attr(not(all(target_arch = "x86_64", not(feature = "portable-chacha"))), allow(unused_variables))]
    fn blocks_with(&self, counters: &[u64], out: &mut [[u32; BLOCK_WORDS]], avx2: Option<Avx2>) {
        assert_eq!(counters.len(), out.len(), "one output block per counter");
        #[cfg(all(target_arch = "x86_64", not(feature = "portable-chacha")))]
        if let Some(avx2) = avx2 {
            let mut done = 0;
            // Sixteen at a time while more than eight are left, if the processor has AVX-512.
            if let Some(avx512) = avx2.avx512() {
                while counters.len() - done > 8 {
                    let n = (counters.len() - done).min(16);
                    let range = done..done + n;
                    batch(&counters[range.clone()], &mut out[range], |cs, os| x86::blocks16(avx512, self, cs, os));
                    done += n;
                }
            }
            for (cs, os) in counters[done..].chunks(8).zip(out[done..].chunks_mut(8)) {
                batch(cs, os, |cs, os| x86::blocks8(avx2, self, cs, os));
            }
            return;
        }
        for (cs, os) in counters.chunks(4).zip(out.chunks_mut(4)) {
            if cs.len() == 1 {
                os[0] = self.block(cs[0]);
                continue;
            }
            #[cfg(all(target_arch = "x86_64", not(feature = "portable-chacha")))]
            // SAFETY: SSE2 is part of the x86-64 baseline, so every processor this runs on has it.
            let x = unsafe { x86::lanes4(self, &padded(cs)) };
            #[cfg(not(all(target_arch = "x86_64", not(feature = "portable-chacha"))))]
            let x: [[u32; 4]; BLOCK_WORDS] = {
                let blocks = padded::<4>(cs).map(|c| self.block(c));
                std::array::from_fn(|w| std::array::from_fn(|l| blocks[l][w]))
            };
            transpose(&x, os);
        }
    }
}

#[cfg(all(target_arch = "x86_64", not(feature = "portable-chacha")))]
use x86::Avx2;

/// No AVX2 kernel is compiled, so there is never a proof of AVX2.
#[cfg(not(all(target_arch = "x86_64", not(feature = "portable-chacha"))))]
#[derive(Debug, Clone, Copy)]
enum Avx2 {}

#[cfg(not(all(target_arch = "x86_64", not(feature = "portable-chacha"))))]
impl Avx2 {
    fn detect() -> Option<Avx2> {
        None
    }

    #[cfg(test)]
    fn without_avx512(self) -> Avx2 {
        match self {}
    }
}

/// Runs `kernel` on one batch of at most `N` counters: on `out` itself when the batch is full,
/// else on zero-padded counters whose extra blocks are dropped.
#[cfg(all(target_arch = "x86_64", not(feature = "portable-chacha")))]
fn batch<const N: usize>(
    counters: &[u64],
    out: &mut [[u32; BLOCK_WORDS]],
    kernel: impl FnOnce(&[u64; N], &mut [[u32; BLOCK_WORDS]; N]),
) {
    if let (Ok(cs), Ok(full)) = (<&[u64; N]>::try_from(counters), <&mut [[u32; BLOCK_WORDS]; N]>::try_from(&mut *out)) {
        kernel(cs, full);
    } else {
        let mut blocks = [[0; BLOCK_WORDS]; N];
        kernel(&padded(counters), &mut blocks);
        out.copy_from_slice(&blocks[..counters.len()]);
    }
}

/// Up to `N` counters, padded with zeros (their blocks are computed and dropped).
fn padded<const N: usize>(counters: &[u64]) -> [u64; N] {
    let mut lanes = [0u64; N];
    lanes[..counters.len()].copy_from_slice(counters);
    lanes
}

/// Word-major lanes (`x[word][lane]`) to one block per lane.
fn transpose<const N: usize>(x: &[[u32; N]; BLOCK_WORDS], out: &mut [[u32; BLOCK_WORDS]]) {
    for (j, o) in out.iter_mut().enumerate() {
        for (w, row) in o.iter_mut().zip(x) {
            *w = row[j];
        }
    }
}

/// Blocks side by side in vector registers, stored word-major (`x[word][lane]`) so that each
/// step of a quarter-round is one vector operation across the lanes. The compiler does not
/// vectorize the rotations on its own, hence the intrinsics.
#[cfg(all(target_arch = "x86_64", not(feature = "portable-chacha")))]
mod x86 {
    use std::arch::x86_64::*;

    use super::{BLOCK_WORDS, DOUBLE_ROUNDS, Stream};

    /// Proof that the processor running this has AVX2, and whether it also has AVX-512F and VL:
    /// only [`Avx2::detect`] makes one, so the safe [`blocks8`] cannot run a kernel on a
    /// processor without its instructions.
    #[derive(Debug, Clone, Copy)]
    pub struct Avx2 {
        avx512: bool,
    }

    impl Avx2 {
        pub fn detect() -> Option<Avx2> {
            std::arch::is_x86_feature_detected!("avx2").then(|| Avx2 {
                avx512: std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512vl"),
            })
        }

        /// The proof that the processor also has AVX-512F and AVX-512VL, if it has them.
        pub fn avx512(self) -> Option<Avx512> {
            self.avx512.then_some(Avx512(()))
        }

        /// The same proof without AVX-512, so that tests run both kernels on one processor.
        #[cfg(test)]
        pub fn without_avx512(self) -> Avx2 {
            Avx2 { avx512: false }
        }
    }

    /// Eight blocks, one per lane, into `out`.
    #[inline]
    pub fn blocks8(proof: Avx2, stream: &Stream, counters: &[u64; 8], out: &mut [[u32; BLOCK_WORDS]; 8]) {
        // SAFETY: an `Avx2` exists only if the processor has AVX2, and says AVX-512 only if it
        // has AVX-512F and AVX-512VL.
        unsafe {
            if proof.avx512 {
                blocks8_avx512(stream, counters, out);
            } else {
                blocks8_avx2(stream, counters, out);
            }
        }
    }

    /// Proof that the processor running this has AVX-512F and AVX-512VL: only
    /// [`Avx2::avx512`] makes one.
    #[derive(Debug, Clone, Copy)]
    pub struct Avx512(());

    /// Sixteen blocks, one per lane of 512-bit registers, into `out`.
    #[inline]
    pub fn blocks16(_proof: Avx512, stream: &Stream, counters: &[u64; 16], out: &mut [[u32; BLOCK_WORDS]; 16]) {
        // SAFETY: an `Avx512` exists only if the processor has AVX-512F and AVX-512VL.
        unsafe { blocks16_avx512(stream, counters, out) }
    }

    /// Rotations of every 32-bit lane: shifts with SSE2; byte shuffles for the rotations by
    /// whole bytes with AVX2 (one instruction instead of three); one `vprold` with AVX-512VL.
    macro_rules! rotate_sse2 {
        ($v:expr, $k:literal) => {
            _mm_or_si128(_mm_slli_epi32::<$k>($v), _mm_srli_epi32::<{ 32 - $k }>($v))
        };
    }
    macro_rules! rotate_avx2 {
        ($v:expr, 16) => {
            _mm256_shuffle_epi8(
                $v,
                _mm256_setr_epi8(
                    2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15,
                    12, 13,
                ),
            )
        };
        ($v:expr, 8) => {
            _mm256_shuffle_epi8(
                $v,
                _mm256_setr_epi8(
                    3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12,
                    13, 14,
                ),
            )
        };
        ($v:expr, $k:literal) => {
            _mm256_or_si256(_mm256_slli_epi32::<$k>($v), _mm256_srli_epi32::<{ 32 - $k }>($v))
        };
    }
    macro_rules! rotate_avx512 {
        ($v:expr, $k:literal) => {
            _mm256_rol_epi32::<$k>($v)
        };
    }
    macro_rules! rotate_zmm {
        ($v:expr, $k:literal) => {
            _mm512_rol_epi32::<$k>($v)
        };
    }

    macro_rules! lanes {
        ($name:ident, $feature:literal, $n:literal, $vec:ty, $set1:ident, $add:ident, $xor:ident, $rotate:ident,
         $load:ident) => {
            #[target_feature(enable = $feature)]
            fn $name(stream: &Stream, counters: &[u64; $n]) -> [$vec; BLOCK_WORDS] {
                let one = stream.input(0);
                let mut input = [$set1(0); BLOCK_WORDS];
                for (v, &w) in input.iter_mut().zip(&one) {
                    *v = $set1(w as i32);
                }
                let low = counters.map(|c| c as u32);
                let high = counters.map(|c| (c >> 32) as u32);
                // SAFETY: the arrays are exactly one vector long; unaligned loads.
                unsafe {
                    input[12] = $load(low.as_ptr().cast());
                    input[13] = $load(high.as_ptr().cast());
                }
                let mut x = input;
                macro_rules! quarter {
                    ($a:literal, $b:literal, $c:literal, $d:literal) => {
                        x[$a] = $add(x[$a], x[$b]);
                        x[$d] = $rotate!($xor(x[$d], x[$a]), 16);
                        x[$c] = $add(x[$c], x[$d]);
                        x[$b] = $rotate!($xor(x[$b], x[$c]), 12);
                        x[$a] = $add(x[$a], x[$b]);
                        x[$d] = $rotate!($xor(x[$d], x[$a]), 8);
                        x[$c] = $add(x[$c], x[$d]);
                        x[$b] = $rotate!($xor(x[$b], x[$c]), 7);
                    };
                }
                for _ in 0..DOUBLE_ROUNDS {
                    double_round!(quarter);
                }
                for (v, i) in x.iter_mut().zip(input) {
                    *v = $add(*v, i);
                }
                x
            }
        };
    }

    /// Four blocks, word-major (`x[word][lane]`).
    #[target_feature(enable = "sse2")]
    pub fn lanes4(stream: &Stream, counters: &[u64; 4]) -> [[u32; 4]; BLOCK_WORDS] {
        let x = vectors4(stream, counters);
        let mut out = [[0; 4]; BLOCK_WORDS];
        for (o, v) in out.iter_mut().zip(x) {
            // SAFETY: the vector and the array have the same size and hold plain integers.
            *o = unsafe { std::mem::transmute::<__m128i, [u32; 4]>(v) };
        }
        out
    }

    #[target_feature(enable = "avx2")]
    fn blocks8_avx2(stream: &Stream, counters: &[u64; 8], out: &mut [[u32; BLOCK_WORDS]; 8]) {
        store8(&vectors8(stream, counters), out);
    }

    /// The same blocks with AVX-512VL's rotations: about a third fewer instructions a round.
    #[target_feature(enable = "avx2,avx512f,avx512vl")]
    fn blocks8_avx512(stream: &Stream, counters: &[u64; 8], out: &mut [[u32; BLOCK_WORDS]; 8]) {
        store8(&vectors8_avx512(stream, counters), out);
    }

    /// The same sixteen at a time in 512-bit registers: each step of a quarter-round is one
    /// instruction for twice the blocks. The halves of the vectors are stored as two batches of
    /// eight.
    #[target_feature(enable = "avx2,avx512f,avx512vl")]
    fn blocks16_avx512(stream: &Stream, counters: &[u64; 16], out: &mut [[u32; BLOCK_WORDS]; 16]) {
        let x = vectors16_avx512(stream, counters);
        let mut low = [_mm256_setzero_si256(); BLOCK_WORDS];
        let mut high = low;
        for ((l, h), v) in low.iter_mut().zip(&mut high).zip(x) {
            *l = _mm512_castsi512_si256(v);
            *h = _mm512_extracti64x4_epi64::<1>(v);
        }
        for (half, os) in [low, high].iter().zip(out.as_chunks_mut::<8>().0) {
            store8(half, os);
        }
    }

    /// [`blocks8`]: the word-major vectors are transposed in registers, eight words at a time.
    #[target_feature(enable = "avx2")]
    fn store8(x: &[__m256i; BLOCK_WORDS], out: &mut [[u32; BLOCK_WORDS]; 8]) {
        for half in 0..2 {
            let r = &x[half * 8..half * 8 + 8];
            let t = [
                _mm256_unpacklo_epi32(r[0], r[1]),
                _mm256_unpackhi_epi32(r[0], r[1]),
                _mm256_unpacklo_epi32(r[2], r[3]),
                _mm256_unpackhi_epi32(r[2], r[3]),
                _mm256_unpacklo_epi32(r[4], r[5]),
                _mm256_unpackhi_epi32(r[4], r[5]),
                _mm256_unpacklo_epi32(r[6], r[7]),
                _mm256_unpackhi_epi32(r[6], r[7]),
            ];
            // u[k] holds lanes k and k + 4 of words 0-3, u[k + 4] the same lanes of words 4-7.
            let u = [
                _mm256_unpacklo_epi64(t[0], t[2]),
                _mm256_unpackhi_epi64(t[0], t[2]),
                _mm256_unpacklo_epi64(t[1], t[3]),
                _mm256_unpackhi_epi64(t[1], t[3]),
                _mm256_unpacklo_epi64(t[4], t[6]),
                _mm256_unpackhi_epi64(t[4], t[6]),
                _mm256_unpacklo_epi64(t[5], t[7]),
                _mm256_unpackhi_epi64(t[5], t[7]),
            ];
            for k in 0..4 {
                let low = _mm256_permute2x128_si256::<0x20>(u[k], u[k + 4]);
                let high = _mm256_permute2x128_si256::<0x31>(u[k], u[k + 4]);
                // SAFETY: each store writes 8 words inside one 16-word block.
                unsafe {
                    _mm256_storeu_si256(out[k][half * 8..].as_mut_ptr().cast(), low);
                    _mm256_storeu_si256(out[k + 4][half * 8..].as_mut_ptr().cast(), high);
                }
            }
        }
    }

    lanes!(vectors4, "sse2", 4, __m128i, _mm_set1_epi32, _mm_add_epi32, _mm_xor_si128, rotate_sse2, _mm_loadu_si128);
    lanes!(
        vectors8,
        "avx2",
        8,
        __m256i,
        _mm256_set1_epi32,
        _mm256_add_epi32,
        _mm256_xor_si256,
        rotate_avx2,
        _mm256_loadu_si256
    );
    lanes!(
        vectors16_avx512,
        "avx512f",
        16,
        __m512i,
        _mm512_set1_epi32,
        _mm512_add_epi32,
        _mm512_xor_si512,
        rotate_zmm,
        _mm512_loadu_si512
    );
    lanes!(
        vectors8_avx512,
        "avx2,avx512f,avx512vl",
        8,
        __m256i,
        _mm256_set1_epi32,
        _mm256_add_epi32,
        _mm256_xor_si256,
        rotate_avx512,
        _mm256_loadu_si256
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn reference(key: [u8; 32], nonce: u64, counter: u64) -> [u32; BLOCK_WORDS] {
        let mut rng = ChaCha8Rng::from_seed(key);
        rng.set_stream(nonce);
        rng.set_word_pos(u128::from(counter) * BLOCK_WORDS as u128);
        std::array::from_fn(|_| rng.next_u32())
    }

    #[test]
    fn blocks_equal_rand_chacha() {
        let mut key = [0u8; 32];
        for (i, b) in key.iter_mut().enumerate() {
            *b = (i * 37 + 11) as u8;
        }
        let counters: Vec<u64> = [
            0,
            1,
            2,
            7,
            u64::from(u32::MAX),
            1 << 32,
            (1 << 36) - 1,
            0xdead_beef_1234,
            u64::MAX - 1,
            99,
            5 << 28,
            12,
            13,
            14,
            15,
            16,
            17,
            1 << 40,
            (1 << 40) + 1,
            18,
            19,
            20,
            21,
            22,
            23,
            24,
            25,
        ]
        .into();
        // Plain (or SSE2), AVX2, and AVX-512 where the processor has them.
        let paths = [None]
            .into_iter()
            .chain(Avx2::detect().into_iter().flat_map(|p| [Some(p.without_avx512()), Some(p)]))
            .collect::<Vec<_>>();
        for nonce in [0, 3, u64::MAX, 0x0123_4567_89ab_cdef] {
            let stream = Stream::new(&key, nonce);
            for &avx2 in &paths {
                // Every batch size from 1 to all: full and partial batches of 4, 8 and 16, and sixteen
                // followed by eight and by fewer.
                for n in 1..=counters.len() {
                    let mut out = vec![[0; BLOCK_WORDS]; n];
                    stream.blocks_with(&counters[..n], &mut out, avx2);
                    for (&c, got) in counters.iter().zip(&out) {
                        assert_eq!(*got, reference(key, nonce, c), "nonce {nonce}, counter {c}, {avx2:?}");
                    }
                }
            }
            for &c in &counters {
                assert_eq!(stream.block(c), reference(key, nonce, c));
            }
        }
    }
}
