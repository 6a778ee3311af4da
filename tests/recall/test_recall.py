"""Unit tests of recall.py's matching rule and TSV checks.

Run from the project root: python3 -m unittest discover -s tests/recall
"""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recall  # noqa: E402

# The sample sources with known windows, shared with recall.py --self-test.
RUST = recall.SAMPLE_RUST
GO = recall.SAMPLE_GO


class FunctionWindow(unittest.TestCase):
    def test_rust_body_line_is_its_function(self):
        self.assertEqual(recall.function_window(RUST, 5, "rust"), (4, 9, "function"))

    def test_rust_closure_belongs_to_enclosing_function(self):
        self.assertEqual(recall.function_window(RUST, 7, "rust"), (4, 9, "function"))

    def test_rust_where_clause_signature(self):
        self.assertEqual(recall.function_window(RUST, 16, "rust"), (12, 17, "function"))

    def test_rust_declaration_without_body_is_not_a_function(self):
        self.assertEqual(recall.function_window(RUST, 11, "rust"), (6, 16, "+-5 lines"))

    def test_rust_top_level_item_falls_back(self):
        self.assertEqual(recall.function_window(RUST, 19, "rust"), (14, 24, "+-5 lines"))

    def test_go_goroutine_literal_belongs_to_enclosing_func(self):
        self.assertEqual(recall.function_window(GO, 5, "go"), (3, 8, "function"))

    def test_go_top_level_var_falls_back(self):
        self.assertEqual(recall.function_window(GO, 9, "go"), (4, 14, "+-5 lines"))

    def test_go_one_line_func(self):
        self.assertEqual(recall.function_window(GO, 10, "go"), (10, 10, "function"))

    def test_crlf_file(self):
        text = RUST.replace("\n", "\r\n")
        self.assertEqual(recall.function_window(text, 5, "rust"), (4, 9, "function"))


class Score(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp()
        d = os.path.join(self.work, "real", "rs-x")
        os.makedirs(d)
        self.path = os.path.join(d, "lib.rs")
        with open(self.path, "w") as f:
            f.write(RUST)
        self.row = {"id": "rs-x", "lang": "rust", "category": "lock-across-await", "line": 5}

    def finding(self, line, category):
        return {"path": self.path, "line": line, "end_line": line, "category": category,
                "rule": "r"}

    def test_finding_of_labelled_category_in_function_is_found(self):
        results, outside = recall.score([self.row], {"rs-x": self.path},
                                        [self.finding(8, "lock-across-await")], "real", self.work)
        self.assertTrue(results[0][1])
        self.assertEqual(outside, [])

    def test_other_category_in_window_is_a_miss(self):
        results, _ = recall.score([self.row], {"rs-x": self.path},
                                  [self.finding(5, "unbounded-queue")], "real", self.work)
        self.assertFalse(results[0][1])
        self.assertEqual([f["category"] for f in results[0][5]], ["unbounded-queue"])

    def test_finding_in_another_function_is_a_miss_and_listed_outside(self):
        results, outside = recall.score([self.row], {"rs-x": self.path},
                                        [self.finding(16, "lock-across-await")], "real", self.work)
        self.assertFalse(results[0][1])
        self.assertEqual(len(outside), 1)


class ReadTsv(unittest.TestCase):
    def write(self, text):
        fd, path = tempfile.mkstemp(suffix=".tsv")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return path

    def test_duplicate_ids_are_a_usage_error(self):
        path = self.write("id\tline\na\t1\na\t2\n")
        with self.assertRaises(SystemExit) as cm:
            recall.read_tsv(path, ["id", "line"])
        self.assertEqual(cm.exception.code, 2)

    def test_non_numeric_line_is_a_usage_error(self):
        path = self.write("id\tline\na\tx\n")
        with self.assertRaises(SystemExit) as cm:
            recall.read_tsv(path, ["id", "line"])
        self.assertEqual(cm.exception.code, 2)


class ShippedSets(unittest.TestCase):
    """The TSVs in the repository are well formed and use taxonomy slugs."""

    def slugs(self):
        here = os.path.dirname(os.path.abspath(__file__))
        taxonomy = os.path.join(here, "..", "..", "crates", "distlint-analysis", "taxonomy.toml")
        with open(taxonomy) as f:
            return {l.split('"')[1] for l in f if l.startswith("slug = ")}

    def test_real_bug_tsvs(self):
        rows = recall.read_real_sets()
        slugs = self.slugs()
        for r in rows:
            self.assertIn(r["category"], slugs, r["id"])
            self.assertIn(r["lang"], ("rust", "go"), r["id"])
            self.assertRegex(r["fix_commit"], r"^[0-9a-f]{40}$", r["id"])
            self.assertIn(r["cross_function"], ("yes", "no"), r["id"])
            self.assertRegex(r["source"], r"^(snapshot|crate:[A-Za-z0-9_-]+@[^:]+:.+|debian:[^:]+:.+)$")

    def test_planted_tsv_points_at_existing_lines(self):
        rows = recall.read_tsv(os.path.join(recall.HERE, "planted", "planted.tsv"),
                               ["id", "lang", "category", "file", "line", "why"])
        slugs = self.slugs()
        for r in rows:
            self.assertIn(r["category"], slugs, r["id"])
            with open(os.path.join(recall.HERE, "planted", r["file"])) as f:
                lines = f.read().splitlines()
            self.assertLessEqual(r["line"], len(lines), r["id"])
            self.assertTrue(lines[r["line"] - 1].strip(), f"{r['id']}: labelled line is blank")


if __name__ == "__main__":
    unittest.main()
