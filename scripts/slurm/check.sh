#!/usr/bin/env bash
# CI check of the Slurm recipe (docs/SCALING.md) on a real one-node Slurm: installs Debian's
# slurm-wlm and munge if missing, starts munged, slurmctld and slurmd on this machine
# (slurm.conf beside this script), submits SHARDS shards of the summit scenario and the merge
# job with submit.sh, waits for them, and compares the merge with a single run in every format.
# Then checks the two failures the recipe must report instead of hanging: a shard that fails
# (the merge job names it) and more CPUs per shard than the node has (refused at submission).
# Stops every daemon it started and removes its files, also on failure.
#
#   scripts/slurm/check.sh [TRIALS] [SHARDS]
#
# SIM=path/to/sim uses that binary; otherwise `cargo build` builds one. Skipped, with a message,
# where it cannot install or start Slurm: not root, or no apt-get.
set -euo pipefail
check=slurm
# shellcheck source=scripts/recipe-check.sh
source "$(dirname "$0")/../recipe-check.sh"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    if ! command -v apt-get >/dev/null; then
        say "SKIPPED: Slurm and munge are not installed and there is no apt-get to install them"
        exit 0
    fi
    if ((EUID != 0)); then
        say "SKIPPED: Slurm and munge are not installed and installing them needs root"
        exit 0
    fi
    say "installing Debian's slurm-wlm and munge"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
if ((EUID != 0)); then
    say "SKIPPED: slurmd runs jobs as their users, so it must run as root"
    exit 0
fi

find_sim

dir=$(mktemp -d /tmp/sim-slurm.XXXXXX)
# munged wants every folder above its socket searchable by all.
chmod 711 "$dir"
pids=()
cleanup() {
    local status=$?
    if [[ -S "$dir/munge/munge.socket" ]] && [[ -n "${SLURM_CONF:-}" ]]; then
        # Jobs first (their processes are not children of slurmd), then the daemons.
        scancel --quiet --user=root 2>/dev/null || true
        for _ in $(seq 1 20); do
            [[ -z "$(squeue --noheader 2>/dev/null)" ]] && break
            sleep 0.5
        done
    fi
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 20); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if ((status != 0)); then
        for log in "$dir"/*.out "$dir"/*.log "$dir"/munge/munged.log "$dir"/work*/logs/*.log; do
            [[ -f "$log" ]] && { echo "--- $log"; tail -n 20 "$log"; }
        done >&2
    fi
    rm -rf "$dir"
    say "took $((SECONDS - started)) s"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    local port=$1
    while ss -Htan "sport = :$port" | grep -q .; do
        port=$((port + 1))
    done
    echo "$port"
}
ctld_port=$(free_port 16817)
slurmd_port=$(free_port $((ctld_port + 1)))
host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$dir/munge" "$dir/state" "$dir/spool"
chmod 711 "$dir/munge"
sed -e "s|@DIR@|$dir|g" -e "s|@HOST@|$host|g" -e "s|@CPUS@|$cpus|g" -e "s|@MEMORY@|1000|g" \
    -e "s|@CTLD_PORT@|$ctld_port|g" -e "s|@SLURMD_PORT@|$slurmd_port|g" \
    scripts/slurm/slurm.conf >"$dir/slurm.conf"
export SLURM_CONF=$dir/slurm.conf

mungekey --create --keyfile="$dir/munge/munge.key"
munged --foreground --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
    --seed-file="$dir/munge/munged.seed" >"$dir/munged.out" 2>&1 &
pids+=("$!")
for _ in $(seq 1 40); do
    [[ -S "$dir/munge/munge.socket" ]] && break
    sleep 0.25
done
[[ -S "$dir/munge/munge.socket" ]] || die "munged did not start"
slurmctld -D -f "$SLURM_CONF" >"$dir/slurmctld.out" 2>&1 &
pids+=("$!")
slurmd -D -f "$SLURM_CONF" -N "$host" >"$dir/slurmd.out" 2>&1 &
pids+=("$!")
for _ in $(seq 1 60); do
    [[ "$(sinfo --noheader --Node --format=%T 2>/dev/null)" == idle ]] && break
    sleep 1
done
[[ "$(sinfo --noheader --Node --format=%T 2>/dev/null)" == idle ]] ||
    die "the node did not come up: $(sinfo --noheader --Node --format='%T %E' 2>&1)"
say "one-node cluster up ($cpus CPUs, Slurm $(sinfo --version | awk '{ print $2 }')) after $((SECONDS - started)) s"

# Waits for job $1 to end and prints its final state.
job_end() {
    local state
    for _ in $(seq 1 600); do
        state=$(scontrol show job --oneliner "$1" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
        case $state in
            PENDING | CONFIGURING | RUNNING | COMPLETING) sleep 1 ;;
            *)
                echo "$state"
                return
                ;;
        esac
    done
    echo "TIMEOUT"
}

# 1. The recipe: SHARDS shards and the merge, compared with one run in every format.
workdir work
read -r array merge < <(FORMATS="table json csv markdown" "$repo/scripts/slurm/submit.sh" \
    "$scenario" "$trials" "$shards" "$seed")
state=$(job_end "$merge")
[[ $state == COMPLETED ]] || die "merge job $merge ended $state (array $array)"
compare_with_one_run Slurm

# 2. A failed shard: the merge job still runs, and names it.
workdir failing
failing_sim
read -r array merge < <(SIM=$PWD/sim-failing "$repo/scripts/slurm/submit.sh" "$scenario" 4000 4 "$seed")
state=$(job_end "$merge")
[[ $state == FAILED ]] || die "merge job after a failed shard ended $state, not FAILED"
grep -q 'left no part: 3 ' logs/merge.log || die "merge log does not name shard 3: $(cat logs/merge.log)"
say "a failed shard is named by the merge job: $(cat logs/merge.log)"

# 3. More CPUs per shard than the node has: refused at once instead of pending for ever.
workdir greedy
if out=$(CPUS=$((cpus + 1)) "$repo/scripts/slurm/submit.sh" "$scenario" 4000 4 "$seed" 2>&1); then
    die "CPUS=$((cpus + 1)) on a $cpus-CPU node was submitted: $out"
fi
[[ -z "$(squeue --noheader)" ]] || die "jobs left after a refused submission"
say "refused: $out"
