#!/usr/bin/env bash
# Runs every distlint benchmark (issue 8) and writes the tables to target/bench/results.md.
# Method and the latest numbers: docs/performance.md.
#
#   tests/bench/run.sh            # all four: keystroke, cold check, memory, ast-grep side by side
#   KEYSTROKES=100 RUNS=1 tests/bench/run.sh   # quicker
#
# Needs: the corpora (tests/corpus/rust.sh fetches crates with cargo; tests/corpus/go.sh installs
# Debian golang-*-dev packages, as root), and for the side-by-side `ast-grep` (PyPI
# `ast-grep-cli`, installed here with pip when missing). Timings are wall-clock on this machine;
# nothing here asserts a number.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/bench
mkdir -p "$out"
results="$out/results.md"

command -v ast-grep >/dev/null || python3 -m pip install --quiet ast-grep-cli || echo "ast-grep unavailable: side-by-side skipped" >&2

cargo build --release --locked -p distlint -p distlint-bench

{
  echo "# distlint benchmarks — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, commit $(git rev-parse --short HEAD)"
  echo
  echo "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  DISTLINT_BENCH_KEYSTROKES="${KEYSTROKES:-400}" cargo bench --locked -p distlint-bench --bench keystroke 2>/dev/null
  echo
  DISTLINT_BENCH_RUNS="${RUNS:-3}" target/release/cold target/release/distlint
  echo
  target/release/memory 100 204800
} | tee "$results"
echo "results: $results" >&2
