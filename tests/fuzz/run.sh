#!/usr/bin/env bash
# Builds and runs every fuzz target for SECONDS each (default 60), seeding corpora from the
# project's fixtures and example service. Exits non-zero if a target finds a crash, leak or
# timeout; the reproducer is left in tests/fuzz/artifacts/<target>/.
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); uses RUSTC_BOOTSTRAP=1 so the stable
# toolchain accepts the sanitizer flags cargo fuzz passes.
set -euo pipefail
secs="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
fuzz="$root/tests/fuzz"
export RUSTC_BOOTSTRAP=1
cd "$root"
targets=$(cargo fuzz list --fuzz-dir "$fuzz")
cargo fuzz build --fuzz-dir "$fuzz" -O
for t in $targets; do
  corpus="$fuzz/corpus/$t"
  mkdir -p "$corpus" "$fuzz/artifacts/$t"
  # Seeds: example sources and the rule files (their fixtures are embedded as strings).
  find "$root/tests/examples" "$root/crates/distlint-analysis/src/rules" -type f \( -name '*.rs' -o -name '*.go' \) -size -64k 2>/dev/null \
    | head -200 | while read -r f; do cp "$f" "$corpus/seed-$(basename "$(dirname "$f")")-$(basename "$f")"; done || true
  [ -d "$fuzz/seeds/$t" ] && cp "$fuzz/seeds/$t"/* "$corpus/" 2>/dev/null || true
  echo "=== fuzzing $t for ${secs}s"
  cargo fuzz run --fuzz-dir "$fuzz" -O "$t" "$corpus" -- \
    -max_total_time="$secs" -rss_limit_mb=4096 -timeout=20 -max_len=65536 \
    -artifact_prefix="$fuzz/artifacts/$t/" -print_final_stats=1 2>&1 \
    | grep -E '^(#[0-9]+.*DONE|Done|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|artifact_prefix)' || true
  if ls "$fuzz/artifacts/$t"/crash-* "$fuzz/artifacts/$t"/timeout-* "$fuzz/artifacts/$t"/leak-* "$fuzz/artifacts/$t"/oom-* >/dev/null 2>&1; then
    echo "fuzz target $t found a failure:"; ls "$fuzz/artifacts/$t"; exit 1
  fi
done
