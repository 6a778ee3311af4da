"""Tests of tests/corpus/precision/precision.py (standard library only).

Run: python3 -m unittest discover -s tests/corpus/precision
"""

import json
import os
import re
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import precision as P  # noqa: E402


def touch(root, *rels):
    for rel in rels:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "w").close()
    return {os.path.join(root, r) for r in rels}


class Cover(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.tmp.name, "r")
        self.all = touch(self.root, "x.go", "y.go", "a/1.go", "b/2.go", "b/c/3.go", "b/d/4.go")

    def tearDown(self):
        self.tmp.cleanup()

    def test_a_package_owning_every_file_is_passed_as_its_root(self):
        self.assertEqual(P.cover(self.root, self.all), [self.root])

    def test_files_of_another_package_are_left_out(self):
        # y.go and b/d/4.go belong to another package sharing the tree.
        owned = self.all - {os.path.join(self.root, "y.go"), os.path.join(self.root, "b/d/4.go")}
        got = P.cover(self.root, owned)
        r = self.root
        self.assertEqual(got, sorted([f"{r}/a", f"{r}/b/2.go", f"{r}/b/c", f"{r}/x.go"]))
        analysed = set()
        for path in got:
            analysed |= P.go_files_under(path) if os.path.isdir(path) else {path}
        self.assertEqual(analysed, owned)


class RoleSkips(unittest.TestCase):
    def test_an_aggregate_notice_counts_each_role(self):
        report = {"notices": [{"level": "warning", "message": "skipped 212 test-support, 38 "
                               "generated and 14 example files; `--include-role test` to "
                               "analyse them"}]}
        self.assertEqual(P.role_skips(report),
                         {"test-support": 212, "generated": 38, "example": 14})

    def test_per_file_notices_count_one_each_and_other_notices_none(self):
        report = {"notices": [
            {"level": "warning", "path": "a.pb.go", "message": "skipped: generated (header)"},
            {"level": "warning", "path": "b.pb.go", "message": "skipped: generated (header)"},
            {"level": "warning", "path": "big.rs", "message": "skipped: larger than 16 MiB"},
            {"level": "warning", "path": "d.rs", "message": "analysed partially: the item at "
             "line 1 nests 10003 levels deep"},
        ]}
        self.assertEqual(P.role_skips(report), {"generated": 2})

    def test_a_summary_object_by_role_is_taken_as_is(self):
        self.assertEqual(P.role_skips({"summary": {"skipped_roles": {"example": 3}}}),
                         {"example": 3})

    def test_the_summary_wins_over_the_note_saying_the_same(self):
        report = {"summary": {"skipped_by_role": {"test": 212, "generated": 38}},
                  "notices": [{"level": "note", "message": "skipped 212 test-support and 38 "
                               "generated files (not production code); `--include-role test` "
                               "to analyse them"}]}
        self.assertEqual(P.role_skips(report), {"test": 212, "generated": 38})

    def test_a_report_without_roles_gives_nothing(self):
        self.assertEqual(P.role_skips({"summary": {"files": 3, "skipped": 0}}), {})


class Rows(unittest.TestCase):
    def test_paths_are_relative_to_the_root_and_messages_one_line(self):
        p = P.Project("demo", "go", "pkg", "1", "why")
        p.root = "/src/demo"
        p.report = {"findings": [
            {"path": "/src/demo/b.go", "line": 9, "rule": "r2", "message": "two\tlines\nhere"},
            {"path": "a/x.go", "line": 12, "rule": "r1", "message": "m"},
            {"path": "a/x.go", "line": 3, "rule": "r1", "message": "m"},
        ]}
        self.assertEqual(P.rows_of([p]), [
            ("demo", "a/x.go", 3, "r1", "m"),
            ("demo", "a/x.go", 12, "r1", "m"),
            ("demo", "b.go", 9, "r2", "two lines here"),
        ])

    def test_summary_counts_per_rule_and_totals_skip_unanalysed_projects(self):
        a = P.Project("a", "rust", "a", "1.0.0", "")
        a.found, a.root = "1.0.0", "/a"
        a.report = {"summary": {"files": 5, "skipped": 1},
                    "findings": [{"path": "f.rs", "line": 1, "rule": "r", "message": "m"}] * 2}
        b = P.Project("b", "go", "golang-b-dev", "2-1", "")
        b.status = "skipped: Debian package golang-b-dev not installed"
        rows = P.summary_rows([a, b], P.rows_of([a, b]))
        self.assertEqual(rows[0][6:], (5, 1, "-", 0, 2, "r=2"))
        self.assertEqual(rows[1][5], b.status)
        self.assertEqual(rows[2][0], "TOTAL")
        self.assertEqual(rows[2][1], "1 of 2 analysed")
        self.assertEqual(rows[2][6:], (5, 1, "-", 0, 2, "r=2"))


class Analyse(unittest.TestCase):
    def test_runs_check_in_the_root_with_extra_arguments_and_keeps_the_report(self):
        with tempfile.TemporaryDirectory() as tmp:
            fake = os.path.join(tmp, "distlint")
            with open(fake, "w") as f:
                f.write("#!/bin/sh\nprintf '%s\\n' \"$PWD\" \"$@\" > args.txt\n"
                        "echo '{\"version\":1,\"findings\":[],\"summary\":{\"files\":0}}'\n")
            os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
            root = os.path.join(tmp, "proj")
            os.makedirs(root)
            p = P.Project("proj", "go", "pkg", "1", "")
            p.root, p.paths = root, ["."]
            P.analyse(p, fake, ["--include-tests"], tmp)
            self.assertEqual(p.status, "ok")
            self.assertEqual(p.report["summary"], {"files": 0})
            with open(os.path.join(root, "args.txt")) as f:
                args = f.read().split("\n")
            self.assertEqual(os.path.realpath(args[0]), os.path.realpath(root))
            self.assertEqual(args[1:5], ["check", "--format", "json", "--exit-zero"])
            self.assertIn("--include-tests", args)
            self.assertEqual(args[-2], ".")

    def test_a_binary_without_json_skips_the_project(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = P.Project("proj", "go", "pkg", "1", "")
            p.root, p.paths = tmp, ["."]
            P.analyse(p, "/bin/false", [], tmp)
            self.assertTrue(p.status.startswith("skipped: distlint exited 1 without JSON"))
            self.assertIsNone(p.report)


class Explanations(unittest.TestCase):
    def test_one_file_per_rule_from_the_binary(self):
        with tempfile.TemporaryDirectory() as tmp:
            fake = os.path.join(tmp, "distlint")
            with open(fake, "w") as f:
                f.write('#!/bin/sh\n[ "$1" = explain ] && [ "$2" != bad ] && '
                        'echo "# rule $2" && exit 0\nexit 2\n')
            os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
            into = os.path.join(tmp, "explain")
            P.write_explanations(fake, ["a-rule", "bad"], into)
            self.assertEqual(os.listdir(into), ["a-rule.md"])
            with open(os.path.join(into, "a-rule.md")) as f:
                self.assertEqual(f.read(), "# rule a-rule\n")


class Compare(unittest.TestCase):
    def test_gone_new_and_changed_messages_per_rule(self):
        before = [("p", "a.go", 1, "r1", "old text"), ("p", "a.go", 5, "r1", "m"),
                  ("p", "b.go", 2, "r2", "x"), ("q", "c.rs", 3, "r2", "y")]
        after = [("p", "a.go", 1, "r1", "new text"), ("p", "b.go", 2, "r2", "x"),
                 ("q", "c.rs", 4, "r2", "y")]
        table, changes = P.compare(before, after)
        self.assertEqual(dict(table["r1"]), {"before": 2, "after": 1, "message": 1, "gone": 1})
        self.assertEqual(dict(table["r2"]), {"before": 2, "after": 2, "gone": 1, "new": 1})
        self.assertEqual(changes, [
            ("p", "a.go", 1, "r1", "message", "new text", "old text"),
            ("p", "a.go", 5, "r1", "gone", "m", ""),
            ("q", "c.rs", 3, "r2", "gone", "y", ""),
            ("q", "c.rs", 4, "r2", "new", "y", ""),
        ])

    def test_reads_back_what_it_writes(self):
        with tempfile.TemporaryDirectory() as tmp:
            rows = [("p", "a b.go", 7, "r", "a `quoted` message")]
            path = os.path.join(tmp, "f.tsv")
            P.write_tsv(path, ("project", "path", "line", "rule", "message"), rows)
            self.assertEqual(P.read_findings(path), rows)


class CommittedCorpus(unittest.TestCase):
    def test_every_crate_manifest_pins_the_version_of_projects_tsv(self):
        projects = P.load_projects(os.path.join(P.HERE, "projects.tsv"))
        self.assertGreaterEqual(len(projects), 12)
        self.assertEqual({p.lang for p in projects}, {"rust", "go"})
        for p in projects:
            if p.lang != "rust":
                continue
            d = os.path.join(P.HERE, "crates", p.name)
            with open(os.path.join(d, "Cargo.toml")) as f:
                manifest = f.read()
            self.assertRegex(manifest, rf'(?m)^{re.escape(p.source)} = \{{ version = '
                             rf'"={re.escape(p.pinned)}"', p.name)
            with open(os.path.join(d, "Cargo.lock")) as f:
                lock = f.read()
            self.assertIn(f'name = "{p.source}"\nversion = "{p.pinned}"', lock, p.name)


if __name__ == "__main__":
    unittest.main()
