#!/usr/bin/env bash
# Runs a scenario as SHARDS shards with GNU parallel on this machine and merges them
# (docs/SCALING.md): parts in parts/, the merged report in result.FORMAT.
#
#   scripts/parallel/shards.sh SCENARIO TRIALS SHARDS [SEED]
#
# Run it from the folder holding the scenario; its evidence folder is read through
# `meta.evidence` relative to the scenario (`../seeds` for the bundled ones). Environment: SIM
# (default sim), THREADS per shard (default 2), JOBS shards at a time (default: cores/THREADS),
# FORMATS (default json).
set -euo pipefail
if (($# < 3 || $# > 4)); then
    echo "usage: $0 SCENARIO TRIALS SHARDS [SEED]" >&2
    exit 2
fi
scenario=$1 trials=$2 shards=$3 seed=${4:-1}
sim=${SIM:-sim}
command -v parallel >/dev/null || { echo "$0: needs GNU parallel (Debian: apt-get install parallel)" >&2; exit 2; }
threads=${THREADS:-2}
jobs=${JOBS:-$(($(nproc) / threads > 0 ? $(nproc) / threads : 1))}

# sim writes each part to parts/ and does not create the folder.
mkdir -p parts
# Parts of another run would be merged with this one's, or stand in for its failed shards.
if compgen -G 'parts/part-*.json' >/dev/null; then
    echo "$0: parts/ in $PWD already holds part files: move them away first" >&2
    exit 2
fi
# Every shard runs even if one fails; then the shards that left no part are named.
seq 1 "$shards" | parallel --quote --jobs "$jobs" \
    "$sim" run "$scenario" --trials "$trials" --seed "$seed" \
    --shard "{}/$shards" --threads "$threads" -q -o "parts/part-{}.json" || true
parts=()
missing=()
for k in $(seq 1 "$shards"); do
    if [[ -f "parts/part-$k.json" ]]; then
        parts+=("parts/part-$k.json")
    else
        missing+=("$k")
    fi
done
if ((${#missing[@]})); then
    echo "$0: ${#missing[@]} of $shards shards left no part: ${missing[*]}" \
        "(errors above; rerun each as --shard K/$shards -o parts/part-K.json, then merge)" >&2
    exit 1
fi
for format in ${FORMATS:-json}; do
    "$sim" merge "${parts[@]}" -f "$format" -o "result.$format"
done
