#!/usr/bin/env bash
# CI check of the GNU parallel recipe (docs/SCALING.md): installs Debian's parallel if missing,
# runs SHARDS shards of the summit scenario with shards.sh in a fresh folder and compares the
# merge with a single run in every format; then checks that a failed shard is named.
#
#   scripts/parallel/check.sh [TRIALS] [SHARDS]
#
# SIM=path/to/sim uses that binary; otherwise `cargo build` builds one. Skipped, with a message,
# where GNU parallel is missing and cannot be installed (no apt-get, or not root).
set -euo pipefail
check=parallel
# shellcheck source=scripts/recipe-check.sh
source "$(dirname "$0")/../recipe-check.sh"

if ! command -v parallel >/dev/null; then
    if ! command -v apt-get >/dev/null || ((EUID != 0)); then
        say "SKIPPED: GNU parallel is not installed and cannot be (installing needs apt-get and root)"
        exit 0
    fi
    say "installing Debian's parallel"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends parallel >/dev/null
fi

find_sim

dir=$(mktemp -d /tmp/sim-parallel.XXXXXX)
trap 'rm -rf "$dir"; say "took $((SECONDS - started)) s"' EXIT

workdir work
FORMATS="table json csv markdown" THREADS=1 "$repo/scripts/parallel/shards.sh" "$scenario" "$trials" "$shards" "$seed"
compare_with_one_run parallel

workdir failing
failing_sim
if out=$(SIM=$PWD/sim-failing "$repo/scripts/parallel/shards.sh" "$scenario" 4000 4 "$seed" 2>&1); then
    die "a run with a failed shard succeeded: $out"
fi
grep -q 'left no part: 3 ' <<<"$out" || die "the failed shard is not named: $out"
say "a failed shard is named: $(grep 'left no part' <<<"$out")"
