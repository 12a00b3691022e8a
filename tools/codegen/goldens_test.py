"""Tests of goldens.py: a mismatch is reported with a diff and the refresh
command; --update writes only what changed."""

import io
import os
import tempfile
import unittest

import goldens

REFRESH = "//tools/example:update_goldens"


class GoldensTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.tmp.name, "src")
        self.gen = os.path.join(self.tmp.name, "gen.h")
        with open(self.gen, "w", encoding="utf-8") as f:
            f.write("line one\nline two\n")
        self.pairs = [(self.gen, "kernel/abi/golden/gen.h")]
        self.golden = os.path.join(self.root, "kernel/abi/golden/gen.h")

    def tearDown(self):
        self.tmp.cleanup()

    def write_golden(self, text):
        os.makedirs(os.path.dirname(self.golden), exist_ok=True)
        with open(self.golden, "w", encoding="utf-8") as f:
            f.write(text)

    def test_equal_files_pass(self):
        self.write_golden("line one\nline two\n")
        out = io.StringIO()
        self.assertEqual(goldens.check(self.pairs, self.root, REFRESH, out=out), 0)
        self.assertEqual(out.getvalue(), "")

    def test_mismatch_prints_diff_and_refresh_command(self):
        self.write_golden("line one\nline 2\n")
        out = io.StringIO()
        self.assertEqual(goldens.check(self.pairs, self.root, REFRESH, out=out), 1)
        text = out.getvalue()
        self.assertIn("kernel/abi/golden/gen.h differs", text)
        self.assertIn("-line 2\n", text)
        self.assertIn("+line two\n", text)
        self.assertIn("bazel run " + REFRESH, text)

    def test_missing_golden_fails(self):
        out = io.StringIO()
        self.assertEqual(goldens.check(self.pairs, self.root, REFRESH, out=out), 1)
        self.assertIn("kernel/abi/golden/gen.h is missing", out.getvalue())

    def test_update_writes_then_is_a_no_op(self):
        out = io.StringIO()
        self.assertEqual(goldens.update(self.pairs, self.root, out=out), 1)
        with open(self.golden, encoding="utf-8") as f:
            self.assertEqual(f.read(), "line one\nline two\n")
        self.assertEqual(goldens.update(self.pairs, self.root, out=out), 0)
        self.assertEqual(goldens.check(self.pairs, self.root, REFRESH, out=out), 0)

    def test_update_needs_bazel_run(self):
        env = os.environ.pop("BUILD_WORKSPACE_DIRECTORY", None)
        try:
            self.assertEqual(goldens.main(["--update", "--refresh", REFRESH, f"{self.gen}=x.h"]), 2)
        finally:
            if env is not None:
                os.environ["BUILD_WORKSPACE_DIRECTORY"] = env

    def test_bad_pair_is_refused(self):
        with self.assertRaises(SystemExit):
            goldens.main(["--check", "--refresh", REFRESH, "--root-marker", self.gen, "no-equals-sign"])


if __name__ == "__main__":
    unittest.main()
