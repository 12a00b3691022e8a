"""Tests for report.py: parsing BENCH lines and formatting."""
import unittest

import report


class ParseTest(unittest.TestCase):
    def test_parses_records_and_ignores_other_lines(self):
        log = "OpenSBI v1.1\nBENCH syscall.null instructions 60 61 70 1000\nnoise\r\n"
        self.assertEqual(
            report.parse_log(log),
            [
                {
                    "name": "syscall.null",
                    "unit": "instructions",
                    "min": 60,
                    "median": 61,
                    "max": 70,
                    "iterations": 1000,
                }
            ],
        )

    def test_refuses_malformed_lines(self):
        with self.assertRaises(ValueError):
            report.parse_log("BENCH a b 1 2\n")
        with self.assertRaises(ValueError):
            report.parse_log("BENCH a b x 2 3 4\n")

    def test_refuses_inconsistent_statistics(self):
        with self.assertRaises(ValueError):
            report.parse_log("BENCH a b 5 4 6 10\n")
        with self.assertRaises(ValueError):
            report.parse_log("BENCH a b 1 2 3 0\n")

    def test_table_aligns_columns(self):
        rows = report.table(report.parse_log("BENCH x.y ins 1 2 3 4\n")).splitlines()
        self.assertEqual(len(rows), 2)
        self.assertEqual(len(rows[0]), len(rows[1]))
        self.assertTrue(rows[1].startswith("x.y"))


if __name__ == "__main__":
    unittest.main()
