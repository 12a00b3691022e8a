"""Unit tests of tools/codegen's shared modules: the layout helpers, the
schema checker's basics and the format tests' random names and docs."""

import random
import re
import unittest

import codegen_checker
import codegen_layout
import codegen_testing


class LayoutTest(unittest.TestCase):
    def test_wrap_doc_paragraphs_and_bullets(self):
        text = "One two three four.\n\nList:\n- first item is long\n- second"
        self.assertEqual(
            codegen_layout.wrap_doc(text, 12),
            ["One two", "three four.", "", "List:", "- first item", "  is long", "- second"],
        )

    def test_comment_one_line_or_block(self):
        self.assertEqual(codegen_layout.comment("Short."), ["/* Short. */"])
        self.assertEqual(codegen_layout.comment("A.\n\nB.", 2), ["  /*", "   * A.", "   *", "   * B.", "   */"])

    def test_wrap_item(self):
        self.assertEqual(codegen_layout.wrap_item("name:  a  b c", 8), ["name: a", "  b c"])

    def test_c_call(self):
        self.assertEqual(codegen_layout.c_call("int f", ["int a", "int b"], ");"), ["int f(int a, int b);"])
        params = [f"uint64_t argument_{i}" for i in range(6)]
        lines = codegen_layout.c_call("static inline int64_t nx_example", params, ") {")
        self.assertTrue(all(len(line) <= codegen_layout.COLUMNS for line in lines))
        self.assertEqual(" ".join(x.strip() for x in lines).count("argument_"), 6)

    def test_c_statement_and_if(self):
        self.assertEqual(codegen_layout.c_statement("x = 1;", 2), ["  x = 1;"])
        long_rhs = "f(" + "a" * 90 + ");"
        self.assertEqual(codegen_layout.c_statement("xyz = " + long_rhs, 2), ["  xyz =", "      " + long_rhs])
        self.assertEqual(codegen_layout.c_if("a", "return 0;", 2), ["  if (a) return 0;"])
        lines = codegen_layout.c_if("a" * 60, "return " + "b" * 40 + ";", 2)
        self.assertEqual((lines[0], lines[-1]), ("  if (" + "a" * 60 + ") {", "  }"))

    def test_c_define(self):
        self.assertEqual(codegen_layout.c_define("A", "1"), ["#define A 1"])
        self.assertEqual(codegen_layout.c_define("A", "x" * 100), ["#define A \\", "  " + "x" * 100])

    def test_finish(self):
        self.assertEqual(codegen_layout.finish(["a", "", "", "", "b", "", ""]), "a\n\nb\n")


class CheckerTest(unittest.TestCase):
    def setUp(self):
        self.check = codegen_checker.Checker()

    def test_table(self):
        self.assertFalse(self.check.table("t", [], ["a"]))
        self.assertTrue(self.check.table("t", {"b": 1, "c": 2}, ["a"], ["b"]))
        self.assertEqual(
            self.check.problems,
            [
                "t: must be a table, not list",
                "t: unknown key 'c' (allowed: a, b)",
                "t: missing key 'a'",
            ],
        )

    def test_typed(self):
        value = {"s": "x", "i": True, "t": {}, "l": [1]}
        self.assertEqual(self.check.typed("w", value, "s", "str"), "x")
        self.assertEqual(self.check.typed("w", value, "i", "int", 7), 7)
        self.assertEqual(self.check.typed("w", value, "t", "table"), {})
        self.assertIsNone(self.check.typed("w", value, "l", "strs"))
        self.assertEqual(self.check.typed("w", value, "missing", "bool", 3), 3)
        self.assertEqual(
            self.check.problems,
            ["w: 'i' must be an integer, not True", "w: 'l' must be a list of strings, not [1]"],
        )

    def test_doc(self):
        self.assertEqual(self.check.doc("w", {"doc": " Text. "}), "Text.")
        self.check.doc("w", {"doc": " "})
        self.check.doc("w", {"doc": "a */ b"})
        self.assertEqual(
            self.check.problems,
            [
                "w: 'doc' must not be empty",
                "w: 'doc' must not contain '/*' or '*/' (it goes into C comments)",
            ],
        )

    def test_c_name(self):
        lower = codegen_checker.LOWER_NAME
        self.assertTrue(self.check.c_name("w", "good_name", lower, "lower_case", 10))
        for name in ("Bad", "int", "x_t", "a__b", "abcdefghijk"):
            self.assertFalse(self.check.c_name("w", name, lower, "lower_case", 10))
        self.assertFalse(self.check.c_name("w", "INT", codegen_checker.UPPER_NAME, "UPPER_CASE"))
        self.assertTrue(self.check.c_name("w", "a_", lower, "lower_case"))
        self.assertFalse(self.check.c_name("w", "a_", lower, "lower_case", no_trailing_underscore=True))
        self.assertFalse(self.check.c_name("w", "nx_a", lower, "lower_case", reserved_prefix="nx_"))
        self.assertEqual(
            self.check.problems,
            [
                "w: name 'Bad' is not a valid C identifier in lower_case",
                "w: name 'int' is a C or C++ keyword",
                "w: name 'x_t' ends in _t (reserved for types)",
                "w: name 'a__b' contains '__' (reserved)",
                "w: name 'abcdefghijk' is longer than 10 characters",
                "w: name 'INT' is a C or C++ keyword",
                "w: name 'a_' contains '__' or ends in '_' (reserved)",
                "w: name 'nx_a' starts with nx_ (the ABI's names)",
            ],
        )

    def test_unique(self):
        class Item:
            def __init__(self, name):
                self.name = name

        items = [Item("a"), Item("b"), Item("a")]
        self.check.unique(items, "name", lambda i: f"item {items.index(i)}", "name")
        self.assertEqual(self.check.problems, ["item 2: name 'a' is already used by item 0"])


class TestingHelpersTest(unittest.TestCase):
    def test_random_names_are_lower_case_within_the_limit(self):
        rng = random.Random(1)
        names = [codegen_testing.random_name(rng, 24) for _ in range(200)]
        self.assertTrue(all(re.fullmatch(r"[a-z][a-z0-9_]*", n) and len(n) <= 24 for n in names))
        self.assertIn(24, {len(n) for n in names})

    def test_random_docs_are_deterministic(self):
        words = ["alpha", "beta"]
        docs = [codegen_testing.random_doc(random.Random(7), words) for _ in range(2)]
        self.assertEqual(docs[0], docs[1])
        self.assertTrue(docs[0])


if __name__ == "__main__":
    unittest.main()
