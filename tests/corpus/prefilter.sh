#!/usr/bin/env bash
# Proves the literal prefilter exact on the real corpus: runs `distlint check --format json` over
# every source directory of tests/corpus/rust.sh and tests/corpus/go.sh twice, with the prefilter
# (default) and without it (DISTLINT_NO_PREFILTER=1, the debugging switch), with default rules and
# with every rule enabled including test code, and prints the number of differing findings
# (must be 0). Exit status 1 when any differs.
#
# Usage: tests/corpus/prefilter.sh [path/to/distlint]   (default: target/release/distlint)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${1:-$repo/target/release/distlint}"
if [[ ! -x "$bin" ]]; then
  cargo build --release -p distlint --manifest-path "$repo/Cargo.toml" >&2
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
mapfile -t dirs < <("$here/rust.sh"; "$here/go.sh")
# Every rule on, test code included: the widest net for the comparison.
printf 'select = ["all"]\ninclude-tests = true\n' >"$out/all.toml"
total=0
diffs=0
for variant in default all; do
  args=(check --format json --exit-zero --no-progress)
  if [[ $variant == all ]]; then args+=(--config "$out/all.toml"); fi
  "$bin" "${args[@]}" "${dirs[@]}" >"$out/$variant.on.json"
  DISTLINT_NO_PREFILTER=1 "$bin" "${args[@]}" "${dirs[@]}" >"$out/$variant.off.json"
  read -r n d < <(python3 - "$out/$variant.on.json" "$out/$variant.off.json" <<'EOF'
import json, sys
def load(p):
    doc = json.load(open(p))
    items = doc["findings"] if isinstance(doc, dict) else doc
    return sorted(json.dumps(f, sort_keys=True) for f in items)
on, off = load(sys.argv[1]), load(sys.argv[2])
from collections import Counter
a, b = Counter(on), Counter(off)
print(len(on), sum(((a - b) + (b - a)).values()))
EOF
)
  echo "$variant rules: $n findings with the prefilter, $d differ without it"
  total=$((total + n))
  diffs=$((diffs + d))
done
echo "corpus: ${#dirs[@]} source directories; $total findings compared; $diffs differ"
[[ $diffs -eq 0 ]]
