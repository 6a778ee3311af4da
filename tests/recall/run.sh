#!/bin/sh
# Recall of distlint on labelled footguns: real fixed bugs (bugs.tsv, materialised at run time
# from fetch snapshots, crate versions or Debian packages) and planted ones (planted/).
# Usage: tests/recall/run.sh [--set real|planted|all] [--mirror DIR] [--distlint BIN]
#                            [--keep DIR] [--only ID...] [--self-test]
# The matching rule and the output are described in recall.py's header and README.md.
# Exit 0 after a measurement whatever the recall; 2 on usage errors.
exec python3 "$(dirname "$0")/recall.py" "$@"
