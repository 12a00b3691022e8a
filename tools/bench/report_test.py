"""Tests for report.py: parsing BENCH lines and formatting."""
import os
import stat
import tempfile
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

    def test_table_compares_instruction_counts_with_the_null_syscall(self):
        log = (
            "BENCH syscall.null instructions 60 70 80 100\n"
            "BENCH ipc.call_reply.cross_as instructions 600 700 900 100\n"
            "BENCH ipc.kernel_copy_bytes bytes 0 0 0 100\n"
            "BENCH boot.to_init instructions 5000 5000 5000 1\n"
        )
        records = report.parse_log(log)
        self.assertEqual(
            [report.versus_null(r, records) for r in records], ["", "10.0x", "", ""]
        )
        rows = report.table(records).splitlines()
        self.assertTrue(rows[0].endswith("vs null"))
        self.assertTrue(rows[2].endswith("10.0x"))
        self.assertEqual(len({len(row) for row in rows}), 1)

    def test_no_comparison_without_the_null_syscall(self):
        records = report.parse_log("BENCH ipc.oneway instructions 1 2 3 4\n")
        self.assertEqual(report.versus_null(records[0], records), "")


class SkipTest(unittest.TestCase):
    def test_parses_skipped_metrics_apart_from_records(self):
        log = (
            "BENCH syscall.null instructions 60 61 70 1000\n"
            "BENCH-SKIP vmo.map_2m vmo_create(2 MiB, contiguous): no-memory\n"
        )
        self.assertEqual(len(report.parse_log(log)), 1)
        self.assertEqual(
            report.parse_skips(log), [("vmo.map_2m", "vmo_create(2 MiB, contiguous): no-memory")]
        )
        self.assertEqual(report.parse_skips("BENCH-SKIP x.y\n"), [("x.y", "no reason given")])
        with self.assertRaises(ValueError):
            report.parse_skips("BENCH-SKIP\n")

    def test_notes_list_skips_and_describe_metrics(self):
        records = report.parse_log("BENCH ipc.oneway instructions 1 2 3 4\n")
        text = report.notes(records, [("vmo.map_2m", "no-memory")])
        self.assertIn("skipped:\n  vmo.map_2m: no-memory", text)
        self.assertIn("  ipc.oneway: one channel_send", text)
        self.assertIn("  vmo.map_2m: vmo_map of a 2 MiB", text)

    def test_every_benchmark_the_guest_prints_is_described(self):
        for name in (
            "sched.yield_switch",
            "sched.yield_switch.fp",
            "syscall.null",
            "handle.dup_close",
            "ipc.oneway",
            "ipc.call_reply.same_as",
            "ipc.call_reply.cross_as",
            "ipc.call_reply.fp",
            "ipc.kernel_copy_bytes",
            "ipc.call_reply.4k",
            "ipc.kernel_copy_bytes_4k",
            "notify.signal_wait",
            "notify.signal_wait.fp",
            "vmo.map_4k",
            "vmo.unmap_4k",
            "vmo.map_2m",
        ):
            self.assertIn(name, report.DESCRIPTIONS)


    def test_kernel_sizes_come_from_the_sections(self):
        with tempfile.TemporaryDirectory() as d:
            tool = os.path.join(d, "size")
            with open(tool, "w") as f:
                f.write("#!/bin/sh\necho 'neuron  :'\necho 'section size addr'\n"
                        "echo '.boot.text 11738 0'\necho '.text 55270 0'\necho '.rodata 100 0'\n"
                        "echo '.data 20 0'\necho '.bss 300 0'\necho 'Total 67428'\n")
            os.chmod(tool, stat.S_IRWXU)
            sizes = {r["name"]: r["median"] for r in report.kernel_sizes(tool, "neuron")}
        self.assertEqual(sizes, {"kernel.text_bytes": 55270, "kernel.boot_text_bytes": 11738,
                                 "kernel.data_bytes": 120, "kernel.bss_bytes": 300})
        for name in sizes:
            self.assertIn(name, report.DESCRIPTIONS)


if __name__ == "__main__":
    unittest.main()
