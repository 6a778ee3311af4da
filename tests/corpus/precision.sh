#!/usr/bin/env bash
# Regenerates the findings of the pinned precision corpus (tests/corpus/precision/projects.tsv)
# for a blind triage: fetches the crates (`cargo fetch --locked`, one manifest + Cargo.lock per
# project under precision/crates/), installs the Debian Go packages (apt-get; needs root and a
# prior `apt-get update`; warns when an installed version differs from the pinned one), runs
# `distlint check --format json` with the default configuration over each project's own source
# and writes a findings TSV (project, path, line, rule, message) plus a per-project summary.
# A project that cannot be fetched or analysed is reported and skipped. See tests/corpus/README.md.
#
# Usage: tests/corpus/precision.sh [--distlint BIN] [--out FILE] [--out-dir DIR] [--work DIR]
#                                  [--project NAME]... [--no-install] [-- extra check args]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec python3 "$here/precision/precision.py" "$@"
