#!/usr/bin/env bash
# Submits a sharded `sim run` to Slurm (docs/SCALING.md): an array of SHARDS tasks
# (shards.sbatch) and a merge job (merge.sbatch) that runs after all of them, failed or not.
#
#   scripts/slurm/submit.sh SCENARIO TRIALS SHARDS [SEED]
#
# Run it from the folder the jobs work in, on a file system every node mounts: the scenario is
# read through the path given (relative paths stay as given, and are part of the run's
# identity) and its evidence folder through `meta.evidence` relative to the scenario
# (`../seeds` for the bundled ones, so seeds/ beside scenarios/). Parts go to parts/, logs to
# logs/, the merged report to result.FORMAT. Prints the two job ids.
#
# Environment: SIM (the sim binary: a name on the nodes' PATH or a path; default sim), CPUS
# (per shard; default the largest node's CPUs, at most 8), FORMATS (default json), PARTITION,
# TIME (e.g. 01:00:00).
set -euo pipefail
if (($# < 3 || $# > 4)); then
    echo "usage: $0 SCENARIO TRIALS SHARDS [SEED]" >&2
    exit 2
fi
export SCENARIO=$1 TRIALS=$2 SHARDS=$3 SEED=${4:-1}
export SIM=${SIM:-sim} FORMATS=${FORMATS:-json}
here=$(cd "$(dirname "$0")" && pwd)
partition=()
if [[ -n "${PARTITION:-}" ]]; then
    partition=(--partition="$PARTITION")
fi

fail() {
    echo "submit: $*" >&2
    exit 2
}

# The scenario and its evidence folder, seen from here as the jobs will see them.
"$SIM" validate "$SCENARIO" >/dev/null || fail "$SCENARIO does not validate from $PWD (error above)"

# A task asking for more CPUs than any node has would stay pending for ever, without an error.
node_cpus=$(sinfo --noheader --Node --format=%c "${partition[@]}" | sort -n | tail -n 1)
[[ -n "$node_cpus" ]] || fail "no node in ${PARTITION:-the default partition}"
cpus=${CPUS:-$((node_cpus < 8 ? node_cpus : 8))}
((cpus >= 1 && cpus <= node_cpus)) ||
    fail "CPUS=$cpus, but the largest node of ${PARTITION:-the default partition} has $node_cpus CPUs"
max_array=$(scontrol show config | awk '$1 == "MaxArraySize" { print $3 }')
((SHARDS >= 1 && SHARDS < ${max_array:-1001})) ||
    fail "SHARDS=$SHARDS, but this cluster's array indices stop below MaxArraySize=${max_array:-1001}"

mkdir -p parts logs
# Parts of another run would be merged with this one's, or stand in for its failed shards.
if compgen -G 'parts/part-*.json' >/dev/null; then
    fail "parts/ in $PWD already holds part files: move them away first"
fi

array=$(sbatch --parsable --array="1-$SHARDS" --cpus-per-task="$cpus" "${partition[@]}" \
    ${TIME:+--time="$TIME"} "$here/shards.sbatch")
merge=$(sbatch --parsable --dependency="afterany:$array" "${partition[@]}" \
    ${TIME:+--time="$TIME"} "$here/merge.sbatch")
echo "$array $merge"
