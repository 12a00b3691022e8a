#!/usr/bin/env python3
"""Prints the closing line of `./nx test`: "N passed, N failed".

    test_summary.py BEP_JSON_FILE BAZEL_EXIT_CODE

Counts test targets from Bazel's build event protocol (JSON lines): a test
target passed if its summary says PASSED or FLAKY; every other configured
test target failed (including those that did not build and those that never
ran). If Bazel failed without a failing test to show for it (an analysis
error, say), that counts as one failure so the line never hides a red run.
Exits 1 when anything failed.
"""
import json
import sys


def count(events, bazel_status):
    tests = set()
    passed = set()
    skipped = set()
    for e in events:
        ident = e.get("id", {})
        if "targetConfigured" in ident and "testSize" in e.get("configured", {}):
            tests.add(ident["targetConfigured"]["label"])
        if "testSummary" in ident:
            label = ident["testSummary"]["label"]
            if e.get("testSummary", {}).get("overallStatus") in ("PASSED", "FLAKY"):
                passed.add(label)
        if "targetCompleted" in ident and e.get("completed", {}).get("targetSkipped"):
            skipped.add(ident["targetCompleted"]["label"])
    tests -= skipped
    failed = len(tests - passed)
    if failed == 0 and bazel_status not in (0, 4):
        failed = 1
    return len(passed), failed, len(skipped)


def main(argv):
    with open(argv[1]) as f:
        events = [json.loads(line) for line in f if line.strip()]
    passed, failed, skipped = count(events, int(argv[2]))
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
