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
cd "$(dirname "$0")/../.."
repo=$PWD
trials=${1:-200003}
shards=${2:-8}
seed=7
scenario=scenarios/istanbul_summit.json
started=$SECONDS

say() { echo "parallel check: $*"; }
die() {
    say "FAILED: $*" >&2
    exit 1
}

if ! command -v parallel >/dev/null; then
    if ! command -v apt-get >/dev/null || ((EUID != 0)); then
        say "SKIPPED: GNU parallel is not installed and cannot be (installing needs apt-get and root)"
        exit 0
    fi
    say "installing Debian's parallel"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends parallel >/dev/null
fi

if [[ -z "${SIM:-}" ]]; then
    cargo build --locked --quiet
    SIM=target/debug/sim
fi
SIM=$(realpath "$SIM")
export SIM

dir=$(mktemp -d /tmp/sim-parallel.XXXXXX)
trap 'rm -rf "$dir"; say "took $((SECONDS - started)) s"' EXIT

# A fresh folder (no parts/) with the scenarios and their evidence beside them.
workdir() {
    mkdir "$dir/$1"
    cp -r scenarios seeds "$dir/$1/"
    cd "$dir/$1"
}

workdir work
FORMATS="table json csv markdown" THREADS=1 "$repo/scripts/parallel/shards.sh" "$scenario" "$trials" "$shards" "$seed"
for format in table json csv markdown; do
    "$SIM" run "$scenario" --trials "$trials" --seed "$seed" -q -f "$format" -o "single.$format"
    cmp "result.$format" "single.$format" || die "merged $format differs from a single run"
    say "identical: $format ($shards parallel shards of $trials trials vs one run, $(wc -c <"single.$format") bytes)"
done

workdir failing
cat >sim-failing <<EOS
#!/bin/sh
case " \$* " in *" --shard 3/4 "*) echo "shard 3 fails on purpose" >&2; exit 1 ;; esac
exec "$SIM" "\$@"
EOS
chmod +x sim-failing
if out=$(SIM=$PWD/sim-failing "$repo/scripts/parallel/shards.sh" "$scenario" 4000 4 "$seed" 2>&1); then
    die "a run with a failed shard succeeded: $out"
fi
grep -q 'left no part: 3 ' <<<"$out" || die "the failed shard is not named: $out"
say "a failed shard is named: $(grep 'left no part' <<<"$out")"
