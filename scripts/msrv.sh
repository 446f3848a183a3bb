#!/usr/bin/env bash
# CI check of the minimum supported Rust version, Cargo.toml's `rust-version`: builds every
# target with that toolchain (installed with rustup if missing). Where it cannot be installed
# (no network to the toolchain server), says so and falls back to what the current toolchain
# can check: the dependencies' declared rust-version, and clippy's `incompatible_msrv`, which
# the CI's `cargo clippy -D warnings` already runs. The fallback catches standard-library APIs
# newer than the declared version, not newer language features.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
msrv=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)
[[ -n "$msrv" ]] || { echo "msrv: no rust-version in Cargo.toml" >&2; exit 1; }

if rustup run "$msrv" rustc --version >/dev/null 2>&1 ||
    timeout 300 rustup toolchain install "$msrv" --profile minimal >/dev/null 2>&1; then
    # Its own target folder: nothing of the current toolchain's build is shared or disturbed.
    cargo +"$msrv" check --locked --all-targets --quiet --target-dir target/msrv </dev/null
    echo "msrv: cargo +$msrv check --locked --all-targets passed ($((SECONDS - started)) s)"
    exit 0
fi

echo "msrv: Rust $msrv cannot be installed here: checking only the dependencies' rust-version"
echo "msrv: and (in the gate's clippy) standard-library APIs; language features are NOT checked"
# The packages built on this platform with the features in use, and each one's rust-version.
used=$(cargo tree --locked --edges normal,build,dev --prefix none --format '{p}' | cut -d' ' -f1,2 | sort -u)
cargo metadata --locked --format-version 1 | python3 -c '
import json, sys
msrv, used = sys.argv[1], set(sys.argv[2].splitlines())
def version(v):
    return tuple(int(x) for x in (v.split(".") + ["0", "0"])[:3])
newer = ["%s %s needs %s" % (p["name"], p["version"], p["rust_version"])
         for p in json.load(sys.stdin)["packages"]
         if "%s v%s" % (p["name"], p["version"]) in used and p["source"]
         and p.get("rust_version") and version(p["rust_version"]) > version(msrv)]
if newer:
    sys.exit("msrv: dependencies need a newer Rust than rust-version %s: %s" % (msrv, "; ".join(newer)))
print("msrv: every dependency in use declares rust-version %s or older" % msrv)
' "$msrv" "$used"
