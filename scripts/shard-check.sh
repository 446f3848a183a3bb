#!/usr/bin/env bash
# Runs a scenario as N shards (separate processes), merges the parts, runs it once unsharded,
# and compares the two outputs byte for byte in every format (docs/SCALING.md).
#
#   scripts/shard-check.sh [SCENARIO] [TRIALS] [SHARDS]
#
# SIM=path/to/sim uses that binary; otherwise `cargo build --release` builds one.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario=${1:-scenarios/istanbul_summit.json}
trials=${2:-200003}
shards=${3:-4}
seed=${SEED:-1}

if [[ -z "${SIM:-}" ]]; then
    cargo build --release --locked --quiet
    SIM=target/release/sim
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pids=()
for k in $(seq 1 "$shards"); do
    "$SIM" run "$scenario" --trials "$trials" --seed "$seed" --shard "$k/$shards" -q \
        -o "$work/part-$k.json" &
    pids+=("$!")
done
for pid in "${pids[@]}"; do
    wait "$pid"
done

status=0
for format in table json csv markdown; do
    "$SIM" merge "$work"/part-*.json -f "$format" -o "$work/merged.$format"
    "$SIM" run "$scenario" --trials "$trials" --seed "$seed" -q -f "$format" -o "$work/single.$format"
    if cmp "$work/merged.$format" "$work/single.$format"; then
        echo "identical: $format ($shards shards of $trials trials vs one run, $(wc -c <"$work/single.$format") bytes)"
    else
        status=1
    fi
done
exit "$status"
