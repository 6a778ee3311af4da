#!/usr/bin/env python3
"""Recall of distlint on labelled footguns: real fixed bugs (bugs.tsv) and planted ones
(planted/planted.tsv).

What it does, per set:
  1. Materialises every labelled file into a temporary directory, one sub-directory per id,
     keeping the original file name and extension:
       - source `snapshot`: `git --git-dir MIRROR/<owner>+<name>/repo show FIX_COMMIT^:PATH`
         (MIRROR defaults to /work/.mirror, the layout `fetch github:owner/name` produces);
       - source `crate:NAME@VERSION:PATH_IN_CRATE`: a scratch manifest depending on
         NAME = "=VERSION", `cargo fetch`, then the file from the registry source cache;
       - source `debian:PACKAGE:PATH`: /usr/share/gocode/PATH, after `apt-get install PACKAGE`
         when it is not there yet (needs root);
       - planted files are copied from tests/recall/planted/.
     Files that cannot be materialised are listed and left out of the counts.
  2. Runs `distlint check --format json --config CFG` once on that directory, where CFG selects
     every rule (experimental ones too) and includes test code.
  3. Scores. MATCHING RULE: a labelled bug is *found* when some finding of the labelled
     taxonomy category overlaps the enclosing function of the labelled line -- the innermost
     named function (Rust `fn`, Go `func`, methods included; closures belong to the function
     around them) whose body contains the line. When the line is not inside any function
     (a top-level const, var, struct or static), the window is the labelled line +-5 lines.
     A finding overlaps when its line range [line, end_line] intersects the window.
     Function extents are read from the formatted layout: a Go top-level `func` starts at column
     0 and ends at the next line that is exactly `}` (gofmt); a Rust `fn` ends at the next line
     that is exactly its own indentation followed by `}` (rustfmt). A labelled line in a file
     that does not follow that layout falls back to +-5 lines.
  4. Prints, per category: labelled, found, recall; overall recall; every miss with the
     categories distlint did report in its window; and the materialisation failures.

Exit status: 0 after a measurement, whatever the recall; 2 on usage errors (bad arguments,
no distlint binary, unreadable TSV, distlint itself failing with exit 2).
"""

import argparse
import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
WINDOW = 5

CONFIG = """# written by tests/recall/recall.py: every rule, test code included
select = ["all"]
include-tests = true
"""


def usage_error(msg):
    print(f"recall: {msg}", file=sys.stderr)
    sys.exit(2)


def read_tsv(path, required):
    try:
        with open(path, encoding="utf-8") as f:
            lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    except OSError as e:
        usage_error(f"cannot read {path}: {e}")
    header = lines[0].split("\t")
    missing = [c for c in required if c not in header]
    if missing:
        usage_error(f"{path}: header lacks {', '.join(missing)}")
    rows = []
    for n, l in enumerate(lines[1:], start=2):
        cells = l.split("\t")
        if len(cells) != len(header):
            usage_error(f"{path}:{n}: {len(cells)} cells, header has {len(header)}")
        row = dict(zip(header, cells))
        try:
            row["line"] = int(row["line"])
        except ValueError:
            usage_error(f"{path}:{n}: line {row['line']!r} is not a number")
        rows.append(row)
    ids = collections.Counter(r["id"] for r in rows)
    dup = [i for i, c in ids.items() if c > 1]
    if dup:
        usage_error(f"{path}: duplicate ids {', '.join(dup)}")
    return rows


REAL_COLUMNS = ["id", "lang", "category", "repo", "fix_commit", "path", "line", "source",
                "cross_function", "why"]


def read_real_sets():
    """bugs.tsv, then every other `*bugs.tsv` beside it (e.g. go-bugs.tsv), in name order.
    A row whose (repo, fix_commit, path, line) an earlier row already labelled is skipped and
    reported; an id used twice is a usage error."""
    names = ["bugs.tsv"] + sorted(
        n for n in os.listdir(HERE) if n.endswith("bugs.tsv") and n != "bugs.tsv"
    )
    rows, seen, ids, skipped = [], {}, {}, []
    for name in names:
        for row in read_tsv(os.path.join(HERE, name), REAL_COLUMNS):
            key = (row["repo"].lower(), row["fix_commit"].lower(), row["path"], row["line"])
            if key in seen:
                skipped.append((name, row["id"], seen[key]))
                continue
            if row["id"] in ids:
                usage_error(f"{name}: id {row['id']} is also in {ids[row['id']]}")
            seen[key] = row["id"]
            ids[row["id"]] = name
            row["file"] = name
            rows.append(row)
    if skipped:
        print(f"-- {len(skipped)} rows label a bug an earlier row already labels; counted once:")
        for name, i, first in skipped:
            print(f"  {name}: {i} = {first}")
    return rows


# ---------------------------------------------------------------- materialisation


def materialise_snapshot(row, mirror):
    gitdir = os.path.join(mirror, row["repo"].replace("/", "+"), "repo")
    if os.path.isdir(os.path.join(gitdir, ".git")):
        gitdir = os.path.join(gitdir, ".git")  # a snapshot with a work tree
    if not os.path.isdir(gitdir):
        return None, f"no snapshot of {row['repo']} under {mirror} (fetch github:{row['repo']})"
    spec = f"{row['fix_commit']}^:{row['path']}"
    p = subprocess.run(["git", "--git-dir", gitdir, "show", spec], capture_output=True)
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip().splitlines()
        return None, f"git show {spec} in {gitdir}: {err[-1] if err else 'failed'}"
    return p.stdout, None


_crate_cache = {}


def materialise_crate(spec, work):
    # spec = NAME@VERSION:PATH_IN_CRATE
    m = re.fullmatch(r"([A-Za-z0-9_-]+)@([^:]+):(.+)", spec)
    if not m:
        return None, f"bad crate source {spec!r} (want crate:NAME@VERSION:PATH)"
    name, version, inner = m.groups()
    key = (name, version)
    if key not in _crate_cache:
        _crate_cache[key] = fetch_crate(name, version, work)
    root, err = _crate_cache[key]
    if err:
        return None, err
    try:
        with open(os.path.join(root, inner), "rb") as f:
            return f.read(), None
    except OSError as e:
        return None, f"crate {name}@{version} has no {inner}: {e.strerror}"


def fetch_crate(name, version, work):
    cargo_home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    pattern = os.path.join(cargo_home, "registry", "src", "*", f"{name}-{version}")
    found = glob.glob(pattern)
    if found:
        return found[0], None
    scratch = os.path.join(work, "cargo", f"{name}-{version}")
    os.makedirs(os.path.join(scratch, "src"), exist_ok=True)
    with open(os.path.join(scratch, "Cargo.toml"), "w") as f:
        f.write(
            '[package]\nname = "recall-scratch"\nversion = "0.0.0"\nedition = "2021"\n'
            f'[dependencies]\n{name} = "={version}"\n[workspace]\n'
        )
    open(os.path.join(scratch, "src", "lib.rs"), "w").close()
    p = subprocess.run(
        ["cargo", "fetch", "--manifest-path", os.path.join(scratch, "Cargo.toml")],
        capture_output=True,
    )
    found = glob.glob(pattern)
    if found:
        return found[0], None
    err = p.stderr.decode(errors="replace").strip().splitlines()
    return None, f"cargo fetch {name}@={version}: {err[-1] if err else 'not unpacked'}"


_apt_tried = set()


def materialise_debian(spec):
    # spec = PACKAGE:PATH (PATH under /usr/share/gocode)
    package, _, path = spec.partition(":")
    if not package or not path:
        return None, f"bad debian source {spec!r} (want debian:PACKAGE:PATH)"
    full = os.path.join("/usr/share/gocode", path)
    if not os.path.exists(full) and package not in _apt_tried:
        _apt_tried.add(package)
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", package],
            capture_output=True,
        )
    try:
        with open(full, "rb") as f:
            return f.read(), None
    except OSError as e:
        return None, f"{full}: {e.strerror} (apt-get install {package})"


def materialise(rows, set_name, args, work):
    """Writes each row's file to WORK/SET/ID/BASENAME; returns {id: path}, [(id, reason)]."""
    placed, failed = {}, []
    for row in rows:
        if set_name == "planted":
            try:
                with open(os.path.join(HERE, "planted", row["file"]), "rb") as f:
                    data, err = f.read(), None
            except OSError as e:
                data, err = None, f"planted/{row['file']}: {e.strerror}"
            base = os.path.basename(row["file"])
        else:
            src = row["source"]
            if src == "snapshot":
                data, err = materialise_snapshot(row, args.mirror)
            elif src.startswith("crate:"):
                data, err = materialise_crate(src[len("crate:"):], work)
            elif src.startswith("debian:"):
                data, err = materialise_debian(src[len("debian:"):])
            else:
                data, err = None, f"unknown source {src!r}"
            base = os.path.basename(row["path"])
        if err:
            failed.append((row["id"], err))
            continue
        d = os.path.join(work, set_name, row["id"])
        os.makedirs(d, exist_ok=True)
        dest = os.path.join(d, base)
        with open(dest, "wb") as f:
            f.write(data)
        placed[row["id"]] = dest
    return placed, failed


# ---------------------------------------------------------------- matching

RUST_FN = re.compile(
    r"^(\s*)(?:pub(?:\([^)]*\))?\s+)?(?:default\s+)?(?:const\s+)?(?:async\s+)?"
    r"(?:unsafe\s+)?(?:extern\s+\"[^\"]*\"\s+)?fn\s+\w+"
)
GO_FUNC = re.compile(r"^func\b")


def function_window(text, line, lang):
    """(start, end, how): 1-based inclusive lines of the innermost named function holding
    LINE, or LINE +-WINDOW when none does."""
    lines = text.splitlines()
    best = None
    for i, l in enumerate(lines, start=1):
        if i > line:
            break
        if lang == "go":
            if not GO_FUNC.match(l):
                continue
            close = "}"
        else:
            m = RUST_FN.match(l)
            if not m:
                continue
            close = m.group(1) + "}"
        # the signature ends at the first `{` (a body) or a trailing `;` (a declaration)
        body = None
        for k in range(i, min(len(lines), i + 40) + 1):
            s = lines[k - 1].split("//")[0]
            if "{" in s:
                body = k
                break
            if s.rstrip().endswith(";"):
                break
        if body is None:
            continue
        if body == i and l.rstrip().endswith("}"):
            end = i  # one-line function
        else:
            end = None
            for j in range(i + 1, len(lines) + 1):
                if lines[j - 1].rstrip() == close:
                    end = j
                    break
            if end is None:
                continue
        if i <= line <= end and (best is None or i >= best[0]):
            best = (i, end)
    if best:
        return best[0], best[1], "function"
    return max(1, line - WINDOW), line + WINDOW, f"+-{WINDOW} lines"


# Small Rust and Go sources with known function windows, for --self-test and test_recall.py.
SAMPLE_RUST = "\n".join([
    "use std::sync::Mutex;",              # 1
    "",                                    # 2
    "impl Store {",                        # 3
    "    pub async fn put(&self) {",       # 4
    "        let g = self.m.lock();",      # 5
    "        let f = |x| {",               # 6
    "            x + 1",                   # 7
    "        };",                          # 8
    "    }",                               # 9
    "",                                    # 10
    "    fn decl(&self);",                 # 11
    "    pub(crate) fn get(&self)",        # 12
    "    where",                           # 13
    "        Self: Sized,",                # 14
    "    {",                               # 15
    "        todo!()",                     # 16
    "    }",                               # 17
    "}",                                   # 18
    "const LIMIT: usize = 1 << 20;",       # 19
])
SAMPLE_GO = "\n".join([
    "package p",                           # 1
    "",                                    # 2
    "func (s *S) Run(ctx context.Context) {",  # 3
    "\tgo func() {",                      # 4
    "\t\tfor {",                         # 5
    "\t\t}",                             # 6
    "\t}()",                              # 7
    "}",                                   # 8
    "var client = &http.Client{}",         # 9
    "func one() { return }",               # 10
])


def self_test():
    """Checks the matching windows on small Rust and Go sources; exits 1 on a mismatch."""
    rust, go = SAMPLE_RUST, SAMPLE_GO
    cases = [
        (rust, "rust", 5, (4, 9, "function")),
        (rust, "rust", 7, (4, 9, "function")),  # a closure belongs to its function
        (rust, "rust", 16, (12, 17, "function")),  # where clause, body after the signature
        (rust, "rust", 11, (6, 16, "+-5 lines")),  # a declaration has no body
        (rust, "rust", 19, (14, 24, "+-5 lines")),
        (go, "go", 5, (3, 8, "function")),
        (go, "go", 9, (4, 14, "+-5 lines")),
        (go, "go", 10, (10, 10, "function")),
    ]
    bad = 0
    for text, lang, line, want in cases:
        got = function_window(text, line, lang)
        if got != want:
            bad += 1
            print(f"self-test: {lang} line {line}: got {got}, want {want}")
    print(f"self-test: {len(cases) - bad}/{len(cases)} windows as expected")
    sys.exit(1 if bad else 0)


def run_distlint(binary, target, work):
    cfg = os.path.join(work, "distlint.toml")
    with open(cfg, "w") as f:
        f.write(CONFIG)
    p = subprocess.run(
        [binary, "check", "--format", "json", "--config", cfg, "--quiet", target],
        capture_output=True,
    )
    if p.returncode not in (0, 1):
        usage_error(
            f"distlint exited {p.returncode}: {p.stderr.decode(errors='replace').strip()}"
        )
    doc = json.loads(p.stdout)
    return doc.get("findings", []), doc.get("notices", [])


def score(rows, placed, findings, set_name, work):
    by_id = collections.defaultdict(list)
    prefix = os.path.join(work, set_name) + os.sep
    for f in findings:
        path = os.path.abspath(f["path"])
        if not path.startswith(prefix):
            continue
        by_id[path[len(prefix):].split(os.sep, 1)[0]].append(f)
    results = []
    for row in rows:
        if row["id"] not in placed:
            continue
        with open(placed[row["id"]], encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        lo, hi, how = function_window(text, row["line"], row["lang"])
        inside = [
            f for f in by_id[row["id"]] if f["line"] <= hi and f.get("end_line", f["line"]) >= lo
        ]
        hit = [f for f in inside if f["category"] == row["category"]]
        results.append((row, bool(hit), lo, hi, how, inside))
    # Findings that lie in no labelled window: unlabelled footguns or false alarms.
    windows = collections.defaultdict(list)
    for row, _, lo, hi, _, _ in results:
        windows[row["id"]].append((lo, hi))
    outside = []
    for i, fs in by_id.items():
        for f in fs:
            if not any(f["line"] <= hi and f.get("end_line", f["line"]) >= lo for lo, hi in windows[i]):
                outside.append((i, f))
    return results, outside


def report(set_name, rows, results, failed, notices, outside):
    print(f"== {set_name}: {len(rows)} labelled, {len(results)} materialised")
    per = collections.OrderedDict()
    for row, hit, *_ in sorted(results, key=lambda r: r[0]["category"]):
        c = per.setdefault(row["category"], [0, 0])
        c[0] += 1
        c[1] += hit
    langs = collections.OrderedDict()
    for row, hit, *_ in results:
        c = langs.setdefault(row["lang"], [0, 0])
        c[0] += 1
        c[1] += hit
    print(f"{'category':<24} {'labelled':>8} {'found':>6} {'recall':>7}")
    for cat, (n, k) in per.items():
        print(f"{cat:<24} {n:>8} {k:>6} {k / n:>7.2f}")
    total = sum(n for n, _ in per.values())
    found = sum(k for _, k in per.values())
    for lang, (n, k) in langs.items():
        print(f"{'(' + lang + ')':<24} {n:>8} {k:>6} {k / n:>7.2f}")
    if total:
        print(f"{'overall':<24} {total:>8} {found:>6} {found / total:>7.2f}")
    misses = [r for r in results if not r[1]]
    if misses:
        print(f"-- misses ({len(misses)})")
        for row, _, lo, hi, how, inside in misses:
            where = row.get("path") or row.get("file")
            other = sorted({f["category"] for f in inside})
            seen = f"; reported there: {', '.join(other)}" if other else ""
            print(
                f"  {row['id']} [{row['category']}] {where}:{row['line']} "
                f"(window {lo}-{hi}, {how}){seen}"
            )
    if outside:
        print(f"-- findings outside every labelled window: {len(outside)}")
        if set_name == "planted":
            for i, f in sorted(outside, key=lambda x: (x[0], x[1]["line"])):
                print(f"  {i}:{f['line']} [{f['category']}] {f['rule']}")
    if failed:
        print(f"-- not materialised ({len(failed)})")
        for i, why in failed:
            print(f"  {i}: {why}")
    for n in notices:
        print(f"-- distlint notice: {n.get('level')}: {n.get('path', '')} {n.get('message')}")
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--set", choices=["real", "planted", "all"], default="all")
    ap.add_argument("--mirror", default="/work/.mirror", help="folder of fetch snapshots")
    ap.add_argument("--distlint", default=None, help="distlint binary")
    ap.add_argument("--keep", default=None, help="materialise here and keep the files")
    ap.add_argument("--only", nargs="*", default=None, help="only these ids")
    ap.add_argument("--self-test", action="store_true", help="check the matching windows")
    ap.add_argument(
        "--results",
        default=None,
        help="also write one TSV row per labelled bug (set, id, lang, category, found, window, "
        "categories reported in the window) to this file, for before/after comparisons",
    )
    args = ap.parse_args()
    if args.self_test:
        self_test()

    binary = args.distlint or os.environ.get("DISTLINT")
    if not binary:
        for cand in (os.path.join(REPO_ROOT, "target", "release", "distlint"),):
            if os.path.exists(cand):
                binary = cand
        binary = binary or shutil.which("distlint")
    if not binary or not (os.path.exists(binary) or shutil.which(binary)):
        usage_error("no distlint binary: pass --distlint PATH or set DISTLINT")

    sets = ["real", "planted"] if args.set == "all" else [args.set]
    result_rows = []
    work = args.keep or tempfile.mkdtemp(prefix="distlint-recall-")
    if args.keep:
        os.makedirs(work, exist_ok=True)
    work = os.path.abspath(work)
    try:
        for s in sets:
            if s == "real":
                rows = read_real_sets()
            else:
                tsv = os.path.join(HERE, "planted", "planted.tsv")
                if not os.path.exists(tsv):
                    print("== planted: no planted/planted.tsv yet\n")
                    continue
                rows = read_tsv(tsv, ["id", "lang", "category", "file", "line", "why"])
            if args.only:
                rows = [r for r in rows if r["id"] in args.only]
            shutil.rmtree(os.path.join(work, s), ignore_errors=True)
            placed, failed = materialise(rows, s, args, work)
            findings, notices = ([], [])
            if placed:
                findings, notices = run_distlint(binary, os.path.join(work, s), work)
            results, outside = score(rows, placed, findings, s, work)
            report(s, rows, results, failed, notices, outside)
            done = {r[0]["id"] for r in results}
            for row, hit, lo, hi, how, inside in results:
                cats = ",".join(sorted({f["category"] for f in inside}))
                result_rows.append([s, row["id"], row["lang"], row["category"],
                                    "found" if hit else "missed", f"{lo}-{hi} {how}", cats])
            for row in rows:
                if row["id"] not in done:
                    result_rows.append([s, row["id"], row["lang"], row["category"],
                                        "not-materialised", "", ""])
        if args.results:
            with open(args.results, "w", encoding="utf-8") as f:
                f.write("set\tid\tlang\tcategory\tresult\twindow\treported_in_window\n")
                for r in result_rows:
                    f.write("\t".join(r) + "\n")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
