#!/usr/bin/env bash
# CI check of the portable ChaCha path (src/engine/chacha.rs), which only processors other than
# x86-64 would otherwise run: the `portable-chacha` feature forces it here. Lints it, runs the
# unit tests that compare every word with rand_chacha and the determinism and shard tests on
# it, and checks that runs give the same bytes as the default (SSE2/AVX2/AVX-512VL) build.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
if grep -qw avx512vl /proc/cpuinfo 2>/dev/null; then
    simd=AVX-512VL
elif grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
    simd=AVX2
else
    simd=SSE2
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cargo build --locked --quiet
cp target/debug/sim "$dir/sim-default"

cargo clippy --locked --all-targets --features portable-chacha -- -D warnings
cargo test --locked --features portable-chacha --lib -- engine::
cargo test --locked --features portable-chacha --test integration -- determinism:: shards::
cargo build --locked --quiet --features portable-chacha
cp target/debug/sim "$dir/sim-portable"

for scenario in scenarios/istanbul_summit.json scenarios/istanbul_2025.json scenarios/istanbul_2025_replay.json; do
    for sim in default portable; do
        "$dir/sim-$sim" run "$scenario" --trials 100003 --seed 11 -f json -q -o "$dir/$sim.json"
    done
    cmp "$dir/default.json" "$dir/portable.json"
    echo "portable chacha: identical to $simd: $scenario ($(wc -c <"$dir/portable.json") bytes of JSON)"
done
echo "portable chacha: took $((SECONDS - started)) s"
