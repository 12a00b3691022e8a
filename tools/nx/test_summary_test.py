"""Tests for test_summary.py: how Bazel's events become "N passed, N failed"."""
import unittest

import test_summary


def configured(label):
    return {"id": {"targetConfigured": {"label": label}}, "configured": {"testSize": "MEDIUM"}}


def summary(label, status):
    return {"id": {"testSummary": {"label": label}}, "testSummary": {"overallStatus": status}}


def skipped(label):
    return {"id": {"targetCompleted": {"label": label}}, "completed": {"targetSkipped": True}}


class CountTest(unittest.TestCase):
    def test_passed_and_flaky_pass(self):
        events = [configured("//a"), configured("//b"), summary("//a", "PASSED"), summary("//b", "FLAKY")]
        self.assertEqual(test_summary.count(events, 0), (2, 0, 0))

    def test_failed_timeout_and_unbuilt_tests_fail(self):
        events = [
            configured("//a"),
            configured("//b"),
            configured("//c"),
            configured("//d"),
            summary("//a", "FAILED"),
            summary("//b", "TIMEOUT"),
            summary("//d", "PASSED"),
        ]  # //c never got a summary: it did not build
        self.assertEqual(test_summary.count(events, 3), (1, 3, 0))

    def test_non_test_targets_are_not_counted(self):
        events = [{"id": {"targetConfigured": {"label": "//lib"}}, "configured": {}}]
        self.assertEqual(test_summary.count(events, 0), (0, 0, 0))

    def test_bazel_failure_without_a_failed_test_counts_once(self):
        self.assertEqual(test_summary.count([], 1), (0, 1, 0))
        self.assertEqual(test_summary.count([], 4), (0, 0, 0))

    def test_incompatible_tests_are_skipped_not_failed(self):
        events = [configured("//a"), skipped("//a")]
        self.assertEqual(test_summary.count(events, 0), (0, 0, 1))


if __name__ == "__main__":
    unittest.main()
