#!/usr/bin/env bash
# Runs `distlint check --format json` over the Rust or Go corpus and prints, per rule, the number
# of findings, plus the wall time; writes every finding (path:line: rule message + the source line)
# to tests/corpus/out/<lang>-findings.txt for hand triage.
# Usage: tests/corpus/trial.sh rust|go [--include-tests]
set -euo pipefail
lang="${1:?usage: trial.sh rust|go}"; shift || true
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cargo build --release -p distlint --manifest-path "$root/Cargo.toml" >&2
bin="$root/target/release/distlint"
case "$lang" in
  rust) dirs=$("$here/rust.sh") ;;
  go) dirs=$("$here/go.sh") ;;
  *) echo "unknown language $lang" >&2; exit 2 ;;
esac
mkdir -p "$here/out"
out="$here/out/$lang-findings.json"
start=$(date +%s.%N)
# Exit code 1 means "findings", not failure.
"$bin" check --format json "$@" $dirs > "$out" || [ $? -eq 1 ]
end=$(date +%s.%N)
python3 - "$out" "$here/out/$lang-findings.txt" "$start" "$end" <<'PY'
import json, sys, collections, linecache
data = json.load(open(sys.argv[1]))
fs = data["findings"]
by = collections.Counter(f["rule"] for f in fs)
with open(sys.argv[2], "w") as t:
    for f in fs:
        src = linecache.getline(f["path"], f["line"]).strip()
        t.write(f'{f["path"]}:{f["line"]}:{f["column"]}: {f["rule"]} {f["message"]}\n    {src}\n')
print(f"{len(fs)} findings in {float(sys.argv[4]) - float(sys.argv[3]):.2f} s wall")
for r, n in sorted(by.items()):
    print(f"  {r}: {n}")
print("summary:", json.dumps(data.get("summary", {})))
PY
