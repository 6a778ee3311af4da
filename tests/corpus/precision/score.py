#!/usr/bin/env python3
"""Per-rule precision table from blind-triage verdicts (docs/precision/verdicts-*.tsv).

Usage: score.py VERDICTS.tsv [FINDINGS.tsv]

VERDICTS.tsv has the columns project, path, line, rule, verdict, reason (verdict: TRUE, FALSE or
DEBATABLE, judged by a reviewer who had not seen the rules; the rubric is in docs/precision.md).
With FINDINGS.tsv (as written by tests/corpus/precision.sh), only the verdicts of those findings
are scored, and a finding without a verdict is an error: every finding must be judged.
Prints a Markdown table: rule, findings, true, false, debatable, precision = TRUE / (TRUE + FALSE).
"""
import collections
import csv
import sys


def key(row):
    return (row["project"], row["path"], row["line"], row["rule"])


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    verdicts = {key(r): r for r in csv.DictReader(open(argv[1]), delimiter="\t")}
    rows = list(verdicts.values())
    if len(argv) == 3:
        findings = [key(r) for r in csv.DictReader(open(argv[2]), delimiter="\t")]
        missing = [k for k in findings if k not in verdicts]
        if missing:
            for k in missing:
                print("no verdict: " + "\t".join(k), file=sys.stderr)
            return 1
        rows = [verdicts[k] for k in findings]
    per = collections.defaultdict(collections.Counter)
    for r in rows:
        per[r["rule"]][r["verdict"]] += 1
    total = collections.Counter()

    def line(name, c):
        n = sum(c.values())
        judged = c["TRUE"] + c["FALSE"]
        prec = f"{100 * c['TRUE'] / judged:.0f} %" if judged else "–"
        return f"| {name} | {n} | {c['TRUE']} | {c['FALSE']} | {c['DEBATABLE']} | {prec} |"

    print("| rule | findings | true | false | debatable | precision |")
    print("|---|---|---|---|---|---|")
    for rule, c in sorted(per.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        print(line(f"`{rule}`", c))
        total += c
    print(line("**all**", total))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
