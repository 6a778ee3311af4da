#!/usr/bin/env bash
# Fetches the published crates of the Rust corpus (pinned by tests/corpus/rust-crates/Cargo.lock)
# and prints the source directory of each direct dependency, one per line.
# Usage: tests/corpus/rust.sh [--all]   (--all: every crate in the lock file, not only direct deps)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cargo fetch --manifest-path "$here/rust-crates/Cargo.toml" --locked >&2
cargo metadata --manifest-path "$here/rust-crates/Cargo.toml" --format-version 1 --locked \
  | python3 -c '
import json, os, sys
meta = json.load(sys.stdin)
allp = "--all" in sys.argv[1:]
root = next(p for p in meta["packages"] if p["name"] == "distlint-corpus-rust")
direct = {d["name"] for d in root["dependencies"]}
for p in sorted(meta["packages"], key=lambda p: p["name"]):
    if p["name"] == root["name"] or (not allp and p["name"] not in direct):
        continue
    print(os.path.dirname(p["manifest_path"]))
' "$@"
