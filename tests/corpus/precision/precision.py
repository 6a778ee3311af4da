#!/usr/bin/env python3
"""Regenerates the findings of the pinned precision corpus for a blind triage (issue 14).

Called by tests/corpus/precision.sh (see there and tests/corpus/README.md for usage). Reads
tests/corpus/precision/projects.tsv, fetches every project (rust: `cargo fetch --locked` of the
project's manifest under crates/; go: `apt-get install` of the Debian package), runs
`distlint check --format json --exit-zero` over each project's own source and writes:

- the findings TSV (--out): `project, path, line, rule, message`, one row per finding, `path`
  relative to the project's source root, `line` 1-based (as distlint prints it);
- the summary TSV next to it (`<out stem>-summary.tsv`): per project the pinned and found
  version, the status, files analysed, files skipped (per code role when distlint's notices say
  so), findings per rule; a TOTAL row last;
- with --out-dir DIR: DIR/findings.tsv (the same rows, for reviewers), DIR/roots.tsv
  (`project, root`: the absolute source root on this machine each `path` is relative to) and
  DIR/explain/RULE.md (`distlint explain RULE` for every rule with a finding).

`precision.sh --compare BEFORE.tsv AFTER.tsv` runs nothing: it prints, per rule, the findings
of two such TSVs (before, after, gone, new, same place with another message) as a Markdown table,
then the changed rows as TSV.

No output holds a verdict. A project that cannot be fetched, installed or analysed is reported
on stderr and in the summary (status column) and left out; the run goes on.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(CORPUS))
GOCODE = "/usr/share/gocode/src/"


VERSION_DIFFERS = "ok, version differs from the pin"


def warn(msg):
    print(f"precision: {msg}", file=sys.stderr, flush=True)


class Project:
    def __init__(self, name, lang, source, pinned, why):
        self.name, self.lang, self.source, self.pinned, self.why = name, lang, source, pinned, why
        self.found = ""  # version actually fetched/installed
        self.root = None  # absolute source root; output paths are relative to it
        self.paths = []  # what distlint analyses, relative to root ("." for all of it)
        self.status = "ok"
        self.report = None  # distlint's JSON document


def load_projects(path):
    projects = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 5 or cols[1] not in ("rust", "go"):
                sys.exit(f"{path}:{n}: expected 5 tab-separated columns, language rust|go")
            projects.append(Project(*cols))
    return projects


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def tail(text, n=3):
    return " | ".join(text.strip().splitlines()[-n:])


# ---------------------------------------------------------------------------------------- rust


def prepare_rust(p):
    manifest = os.path.join(HERE, "crates", p.name, "Cargo.toml")
    if not os.path.exists(manifest):
        p.status = f"skipped: no manifest {os.path.relpath(manifest, REPO)}"
        return
    r = run(["cargo", "fetch", "--locked", "--manifest-path", manifest])
    if r.returncode != 0:
        p.status = f"skipped: cargo fetch failed: {tail(r.stderr, 1)}"
        return
    r = run(["cargo", "metadata", "--locked", "--offline", "--format-version", "1",
             "--manifest-path", manifest])
    if r.returncode != 0:
        p.status = f"skipped: cargo metadata failed: {tail(r.stderr, 1)}"
        return
    meta = json.loads(r.stdout)
    pkgs = [q for q in meta["packages"] if q["name"] == p.source]
    if not pkgs:
        p.status = f"skipped: {p.source} not in the lock file"
        return
    # The manifest pins `=VERSION`, so exactly one version of the crate is a direct dependency.
    pkg = next((q for q in pkgs if q["version"] == p.pinned), pkgs[0])
    p.found = pkg["version"]
    p.root = os.path.dirname(pkg["manifest_path"])
    p.paths = ["."]
    if p.found != p.pinned:
        warn(f"{p.name}: crate {p.source} resolved to {p.found}, pinned {p.pinned}")
        p.status = VERSION_DIFFERS


# ------------------------------------------------------------------------------------------ go


def dpkg_version(pkg):
    r = run(["dpkg-query", "-W", "-f", "${db:Status-Abbrev}\t${Version}", pkg])
    if r.returncode != 0:
        return None
    status, _, version = r.stdout.partition("\t")
    return version if status.startswith("ii") else None


def candidate_version(pkg):
    """The version `apt-get install` would install now (apt-cache policy's Candidate), or None."""
    r = run(["apt-cache", "policy", pkg])
    m = re.search(r"^\s*Candidate:\s*(\S+)", r.stdout, re.M)
    return m.group(1) if m and m.group(1) != "(none)" else None


def install_go(projects, allow_install):
    """Installs (or upgrades to the archive's current version) the Debian packages that are not
    installed at the archive's candidate version; a package that fails is reported, not fatal."""
    missing = []
    for p in projects:
        have = dpkg_version(p.source)
        if have is None or (shutil.which("apt-cache") and candidate_version(p.source)
                            not in (None, have)):
            missing.append(p.source)
    if not missing:
        return
    if not allow_install:
        warn(f"not installing (--no-install): {' '.join(missing)}")
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        warn(f"cannot install (needs root and apt-get): {' '.join(missing)}")
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "--no-install-recommends"]
    warn(f"installing {' '.join(missing)}")
    if run(cmd + missing, env=env).returncode == 0:
        return
    # One package that cannot be installed must not keep the others out.
    for pkg in missing:
        r = run(cmd + [pkg], env=env)
        if r.returncode != 0:
            warn(f"apt-get install {pkg} failed: {tail(r.stdout + r.stderr, 1)}")


def go_files_under(d):
    """Every .go file below d (symbolic links not followed, as distlint's walker does not)."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(d):
        out.update(os.path.join(dirpath, f) for f in filenames if f.endswith(".go"))
    return out


def cover(d, owned):
    """The fewest paths below d whose .go files are exactly the owned ones below d: d itself when
    every .go file below it belongs to the package, else the package's files directly in d and
    the covers of the subdirectories holding any of its files."""
    if go_files_under(d) <= owned:
        return [d]
    paths = []
    subdirs = set()
    for f in owned:
        if os.path.dirname(f) == d:
            paths.append(f)
        elif f.startswith(d + os.sep):
            subdirs.add(os.path.join(d, f[len(d) + 1:].split(os.sep, 1)[0]))
    for s in sorted(subdirs):
        paths.extend(cover(s, owned))
    return sorted(paths)


def prepare_go(p):
    version = dpkg_version(p.source)
    if version is None:
        p.status = f"skipped: Debian package {p.source} not installed"
        return
    p.found = version
    if version != p.pinned:
        warn(f"{p.name}: Debian package {p.source} is {version}, pinned {p.pinned}")
        p.status = VERSION_DIFFERS
    r = run(["dpkg-query", "-L", p.source])
    owned = {
        f for f in r.stdout.splitlines()
        if f.startswith(GOCODE) and f.endswith(".go") and os.path.isfile(f)
        and not os.path.islink(f)
    }
    if not owned:
        p.status = f"skipped: {p.source} ships no .go files under {GOCODE}"
        return
    p.root = os.path.commonpath([os.path.dirname(f) for f in owned])
    p.paths = [os.path.relpath(x, p.root) for x in cover(p.root, owned)]


# ------------------------------------------------------------------------------------- analyse


def analyse(p, binary, extra, work):
    if any(os.path.exists(os.path.join(p.root, c)) for c in ("distlint.toml", ".distlint.toml")):
        warn(f"{p.name}: the project ships its own distlint configuration")
    raw = os.path.join(work, f"{p.name}.json")
    args = [binary, "check", "--format", "json", "--exit-zero", "--no-progress", *extra, *p.paths]
    # Run from the root with relative paths: distlint prints paths as given, so they come out
    # relative to the project root.
    r = run(args, cwd=p.root)
    with open(os.path.join(work, f"{p.name}.stderr"), "w", encoding="utf-8") as f:
        f.write(r.stderr)
    try:
        p.report = json.loads(r.stdout)
    except json.JSONDecodeError:
        p.status = f"skipped: distlint exited {r.returncode} without JSON: {tail(r.stderr, 1)}"
        return
    with open(raw, "w", encoding="utf-8") as f:
        f.write(r.stdout)
    if r.returncode != 0:
        # Exit 2 with a document: some path could not be read; its notices say which.
        p.status = f"partial: distlint exited {r.returncode}" + (
            f"; {p.status}" if p.status != "ok" else "")


# ------------------------------------------------------------------------------------- results

ROLE_WORDS = ("test-support", "test", "tests", "example", "examples", "generated", "vendored",
              "vendor", "benchmark", "bench", "production")


def role_skips(report):
    """Files skipped per code role, from what distlint reports, or {} when it reports none.

    distlint versions with code roles announce skipped roles as notices (e.g. "skipped 212
    test-support, 38 generated and 14 example files; ..."); a summary object keyed by role is
    taken as is. Older versions have neither, and this returns {}."""
    counts = collections.Counter()
    summary = report.get("summary", {})
    for key in ("skipped_roles", "skipped_by_role", "roles"):
        if isinstance(summary.get(key), dict):
            for role, n in summary[key].items():
                if isinstance(n, int):
                    counts[role] += n
            return dict(counts)
    for n in report.get("notices", []) or []:
        msg = n.get("message", "")
        if "skip" not in msg.lower():
            continue
        if isinstance(n.get("role"), str):
            counts[n["role"]] += int(n.get("count", 1)) if str(n.get("count", 1)).isdigit() else 1
            continue
        pairs = re.findall(r"(\d[\d,]*)\s+([a-z][a-z-]*)", msg.split(";")[0])
        pairs = [(int(k.replace(",", "")), w) for k, w in pairs if w in ROLE_WORDS]
        if pairs:
            for k, w in pairs:
                counts[w] += k
        elif n.get("path"):
            words = [w for w in ROLE_WORDS if re.search(rf"\b{re.escape(w)}\b", msg)]
            if words:
                counts[words[0]] += 1
    return dict(counts)


def clean(text):
    return re.sub(r"[\t\r\n]+", " ", str(text)).strip()


def fmt_counts(counts):
    return " ".join(f"{k}={v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def rows_of(projects):
    rows = []
    for p in projects:
        if not p.report:
            continue
        items = p.report["findings"] if isinstance(p.report, dict) else p.report
        for f in items:
            path = os.path.normpath(f["path"])
            if os.path.isabs(path):
                path = os.path.relpath(path, p.root)
            rows.append((p.name, path, int(f["line"]), f["rule"], clean(f["message"])))
    order = {p.name: i for i, p in enumerate(projects)}
    rows.sort(key=lambda r: (order[r[0]], r[1], r[2], r[3], r[4]))
    return rows


def write_tsv(path, header, rows):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(str(c) for c in r) + "\n")


def summary_rows(projects, rows):
    by_project = collections.defaultdict(collections.Counter)
    for r in rows:
        by_project[r[0]][r[3]] += 1
    out = []
    tot = dict(files=0, skipped=0, notices=0, findings=0, roles=collections.Counter(),
               rules=collections.Counter())
    for p in projects:
        rep = p.report if isinstance(p.report, dict) else {}
        s = rep.get("summary", {})
        roles = role_skips(rep) if rep else {}
        rules = by_project[p.name]
        files, skipped = s.get("files", ""), s.get("skipped", "")
        notices = len(rep.get("notices", []) or []) if rep else ""
        out.append((p.name, p.lang, p.source, p.pinned, p.found or "-", p.status, files, skipped,
                    fmt_counts(roles) or "-", notices, sum(rules.values()),
                    fmt_counts(rules) or "-"))
        if rep:
            tot["files"] += files or 0
            tot["skipped"] += skipped or 0
            tot["notices"] += notices or 0
            tot["roles"].update(roles)
            tot["rules"].update(rules)
            tot["findings"] += sum(rules.values())
    analysed = sum(1 for p in projects if p.report)
    out.append(("TOTAL", f"{analysed} of {len(projects)} analysed", "-", "-", "-", "-",
                tot["files"], tot["skipped"], fmt_counts(tot["roles"]) or "-", tot["notices"],
                tot["findings"], fmt_counts(tot["rules"]) or "-"))
    return out


def write_explanations(binary, rules, into):
    """`distlint explain RULE` of the binary that produced the findings, one DIR/explain/RULE.md
    per rule that has a finding (what a reviewer reads besides the finding and the source)."""
    os.makedirs(into, exist_ok=True)
    for rule in rules:
        r = run([binary, "explain", rule])
        if r.returncode != 0:
            warn(f"distlint explain {rule} failed: {tail(r.stderr, 1)}")
            continue
        with open(os.path.join(into, f"{rule}.md"), "w", encoding="utf-8") as f:
            f.write(r.stdout)


SUMMARY_HEADER = ("project", "language", "source", "pinned", "found", "status", "files",
                  "skipped", "skipped_by_role", "notices", "findings", "findings_by_rule")


def read_findings(path):
    """Rows of a findings TSV written by this script: (project, path, line, rule, message)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if not lines or lines[0].split("\t") != ["project", "path", "line", "rule", "message"]:
        sys.exit(f"{path}: not a findings TSV (header project, path, line, rule, message)")
    rows = []
    for line in lines[1:]:
        c = line.split("\t")
        rows.append((c[0], c[1], int(c[2]), c[3], c[4]))
    return rows


def compare(before, after):
    """Per rule: findings before and after, how many went, came, or kept their place
    (project, path, line, rule) with another message; and those rows with a `change` column
    (`gone`, `new`, `message`; for `message` the new message, then the old one)."""
    def keyed(rows):
        out = collections.defaultdict(list)
        for r in rows:
            out[r[:4]].append(r[4])
        return out

    b, a = keyed(before), keyed(after)
    table = collections.defaultdict(collections.Counter)
    changes = []
    for k in sorted(set(b) | set(a)):
        old, new = sorted(b.get(k, [])), sorted(a.get(k, []))
        table[k[3]]["before"] += len(old)
        table[k[3]]["after"] += len(new)
        same = [m for m in new if m in old]
        old_rest = [m for m in old if m not in same]
        new_rest = [m for m in new if m not in same]
        paired = min(len(old_rest), len(new_rest))
        for o, n in zip(old_rest, new_rest):
            table[k[3]]["message"] += 1
            changes.append((*k, "message", n, o))
        for o in old_rest[paired:]:
            table[k[3]]["gone"] += 1
            changes.append((*k, "gone", o, ""))
        for n in new_rest[paired:]:
            table[k[3]]["new"] += 1
            changes.append((*k, "new", n, ""))
    return table, changes


def print_comparison(table, changes):
    cols = ("before", "after", "gone", "new", "message")
    print("| rule | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    total = collections.Counter()
    for rule in sorted(table):
        total.update(table[rule])
        print(f"| `{rule}` | " + " | ".join(str(table[rule][c]) for c in cols) + " |")
    print("| total | " + " | ".join(str(total[c]) for c in cols) + " |")
    print()
    print("\t".join(("project", "path", "line", "rule", "change", "message", "old_message")))
    for c in changes:
        print("\t".join(str(x) for x in c))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--compare":
        if len(sys.argv) != 4:
            sys.exit("usage: tests/corpus/precision.sh --compare BEFORE.tsv AFTER.tsv")
        print_comparison(*compare(read_findings(sys.argv[2]), read_findings(sys.argv[3])))
        return 0
    ap = argparse.ArgumentParser(prog="tests/corpus/precision.sh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--distlint", metavar="BIN", help="distlint binary (default: "
                    "target/release/distlint of this checkout, built when missing)")
    ap.add_argument("--out", metavar="FILE", default=os.path.join(CORPUS, "out", "precision.tsv"),
                    help="findings TSV (default tests/corpus/out/precision.tsv); the summary "
                    "goes to <FILE stem>-summary.tsv")
    ap.add_argument("--out-dir", metavar="DIR", help="also write DIR/findings.tsv, "
                    "DIR/roots.tsv (project -> absolute source root) and DIR/explain/RULE.md "
                    "for reviewers")
    ap.add_argument("--work", metavar="DIR", help="keep distlint's JSON and stderr per project "
                    "here (default: $TMPDIR/distlint-precision/<FILE stem>/)")
    ap.add_argument("--project", metavar="NAME", action="append",
                    help="only this project (repeatable)")
    ap.add_argument("--projects", metavar="TSV", default=os.path.join(HERE, "projects.tsv"))
    ap.add_argument("--no-install", action="store_true",
                    help="do not run apt-get; analyse the Debian packages already installed")
    ap.add_argument("extra", nargs="*", help="after --: extra `distlint check` arguments")
    a = ap.parse_args()

    projects = load_projects(a.projects)
    if a.project:
        unknown = set(a.project) - {p.name for p in projects}
        if unknown:
            sys.exit(f"unknown project(s): {' '.join(sorted(unknown))}")
        projects = [p for p in projects if p.name in a.project]

    binary = a.distlint or os.path.join(REPO, "target", "release", "distlint")
    if not a.distlint and not os.access(binary, os.X_OK):
        subprocess.run(["cargo", "build", "--release", "-p", "distlint", "--manifest-path",
                        os.path.join(REPO, "Cargo.toml")], check=True)
    binary = os.path.abspath(binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"not an executable: {binary}")

    out = os.path.abspath(a.out)
    stem = out[:-4] if out.endswith(".tsv") else out
    work = os.path.abspath(a.work or os.path.join(
        tempfile.gettempdir(), "distlint-precision", os.path.basename(stem)))
    os.makedirs(work, exist_ok=True)

    install_go([p for p in projects if p.lang == "go"], not a.no_install)
    for p in projects:
        (prepare_rust if p.lang == "rust" else prepare_go)(p)
        if p.root:
            analyse(p, binary, a.extra, work)
        if p.status.startswith(("skipped", "partial")):
            warn(f"{p.name}: {p.status}")
        if p.report is not None:
            n = len(p.report["findings"] if isinstance(p.report, dict) else p.report)
            warn(f"{p.name} {p.found}: {n} findings")

    rows = rows_of(projects)
    write_tsv(out, ("project", "path", "line", "rule", "message"), rows)
    summary = summary_rows(projects, rows)
    write_tsv(stem + "-summary.tsv", SUMMARY_HEADER, summary)
    if a.out_dir:
        write_tsv(os.path.join(a.out_dir, "findings.tsv"),
                  ("project", "path", "line", "rule", "message"), rows)
        write_tsv(os.path.join(a.out_dir, "roots.tsv"), ("project", "root"),
                  [(p.name, p.root) for p in projects if p.report])
        write_explanations(binary, sorted({r[3] for r in rows}),
                           os.path.join(a.out_dir, "explain"))

    for r in summary:
        roles = f"  by role: {r[8]}" if r[8] != "-" else ""
        print(f"{r[0]:<20} {r[5] if r[0] != 'TOTAL' else r[1]:<24} files {r[6]!s:>6}  "
              f"skipped {r[7]!s:>5}{roles}  findings {r[10]!s:>4}  {r[11]}")
    print(f"findings: {out}\nsummary:  {stem}-summary.tsv")
    if a.out_dir:
        print(f"reviewer copy: {os.path.abspath(a.out_dir)}/findings.tsv, roots.tsv")
    return 0 if any(p.report for p in projects) else 1


if __name__ == "__main__":
    sys.exit(main())
