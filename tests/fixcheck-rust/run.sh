#!/usr/bin/env bash
# Rust fixes compile (issue 5): `cargo check` this crate, apply every fix distlint offers
# (safe and unsafe) to a copy, `cargo check` the copy, and fail if either check fails or if the
# fixes changed nothing. Uses `distlint check --fix --unsafe-fixes` when the CLI has it,
# otherwise the analysis crate's ignored `apply_fixes` test (same engine, same fixes).
# Usage: tests/fixcheck-rust/run.sh   (from anywhere; builds with the workspace's toolchain)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${FIXCHECK_TARGET_DIR:-$root/target/fixcheck-rust}"

echo "== cargo check (before fixes)"
cargo check --quiet --locked --manifest-path "$here/Cargo.toml"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/Cargo.toml" "$here/Cargo.lock" "$here/src" "$work/"

echo "== applying fixes to a copy in $work"
distlint="$root/target/debug/distlint"
if [ -x "$distlint" ] && "$distlint" check --help 2>/dev/null | grep -q -- '--unsafe-fixes'; then
  "$distlint" check --fix --unsafe-fixes "$work/src" || true
else
  (cd "$root" && CARGO_TARGET_DIR="$root/target" DISTLINT_FIX_DIR="$work/src" \
    cargo test --quiet -p distlint-analysis --test apply_fixes -- --ignored --nocapture)
fi
if diff -r -q "$here/src" "$work/src" >/dev/null; then
  echo "no fix was applied" >&2
  exit 1
fi
diff -ru "$here/src" "$work/src" || true

echo "== cargo check (after fixes)"
cargo check --quiet --locked --manifest-path "$work/Cargo.toml"
echo "fixcheck-rust: ok"
