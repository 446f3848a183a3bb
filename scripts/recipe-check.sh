# shellcheck shell=bash disable=SC2034,SC2154
# Sourced by the CI checks of the scaling recipes, scripts/slurm/check.sh and
# scripts/parallel/check.sh, after `set -euo pipefail` and with $check set to the name their
# messages carry: their arguments [TRIALS] [SHARDS] and fixed settings, messages, the sim under
# test, fresh work folders, the comparison of a merge with one run, and a sim whose shard 3
# fails on purpose. (Variables are set here
# for the checks, and $check and $dir by them.)
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit
repo=$PWD
trials=${1:-200003}
shards=${2:-8}
seed=7
scenario=scenarios/istanbul_summit.json
started=$SECONDS

say() { echo "$check check: $*"; }
die() {
    say "FAILED: $*" >&2
    exit 1
}

# The sim under test, exported as $SIM for the recipe: $SIM if given, else a fresh debug build.
find_sim() {
    if [[ -z "${SIM:-}" ]]; then
        cargo build --locked --quiet
        SIM=target/debug/sim
    fi
    SIM=$(realpath "$SIM")
    export SIM
}

# A fresh folder $dir/$1 with the scenarios and their evidence beside them, as the recipes ask;
# the check continues in it.
workdir() {
    mkdir "$dir/$1"
    cp -r scenarios seeds "$dir/$1/"
    cd "$dir/$1" || exit
}

# Compares result.FORMAT, the merge of $shards shards made by $1 (the recipe), with one run of
# $trials trials, in every format.
compare_with_one_run() {
    local format
    for format in table json csv markdown; do
        "$SIM" run "$scenario" --trials "$trials" --seed "$seed" -q -f "$format" -o "single.$format"
        cmp "result.$format" "single.$format" || die "merged $format differs from a single run"
        say "identical: $format ($shards $1 shards of $trials trials vs one run, $(wc -c <"single.$format") bytes)"
    done
}

# ./sim-failing: $SIM, except that shard 3/4 fails.
failing_sim() {
    cat >sim-failing <<EOS
#!/bin/sh
case " \$* " in *" --shard 3/4 "*) echo "shard 3 fails on purpose" >&2; exit 1 ;; esac
exec "$SIM" "\$@"
EOS
    chmod +x sim-failing
}
