"""Proves the system manifest is checked by the build: a second Bazel (batch
mode, its own output root) builds every fixture of tests/manifest/fixture in
one invocation with --keep_going. The good manifest must build; each bad one
must fail, with the checker's (or the image rule's) message naming the
program and the problem. If a check stops refusing, its fixture builds and
this test fails.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

FIXTURE = "//tests/manifest/fixture"

# Target -> a line the failed build must print for it.
REFUSED = {
    "calls_without_api": "program 'no_api_client' (//tests/manifest/fixture:no_api_client): "
    "calls 'log' but does not depend on its api //tests/manifest/fixture:log_api",
    "api_without_calls": "program 'ungranted_client' (//tests/manifest/fixture:ungranted_client): "
    "depends on //tests/manifest/fixture:log_api, the api of 'log', but may not call 'log'",
    "calls_lower_priority": "program 'eager_client' (//tests/manifest/fixture:eager_client): "
    "priority 24 calls 'log' served by 'logd' at lower priority 16",
    "unknown_names": "program 'stranger' (//tests/manifest/fixture:stranger): "
    "unknown mmio region 'gpu'",
    "two_providers": "program 'logd' (//tests/manifest/fixture:logd) and "
    "program 'logd2' (//tests/manifest/fixture:logd2) both provide 'log'",
    "call_cycle": "the call graph has a cycle, so no program of it can start first: "
    "'ping' -> 'pong' -> 'ping'",
    "image_without_program": "//tests/manifest/fixture:good lists "
    "//tests/manifest/fixture:client, which is in neither programs nor apps",
}
ACCEPTED = ["good"]


def nested_build(targets):
    """Runs the nested Bazel; returns (exit code, output, {label: built?})."""
    root = os.path.dirname(os.path.realpath("WORKSPACE"))
    base = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
    events = os.path.join(base, "events.json")
    command = [
        "bazel",
        "--batch",
        f"--output_user_root={base}/bazel",
        "build",
        "--keep_going",
        "--noshow_progress",
        "--color=no",
        "--disk_cache=",
        # No bazel-* symlinks: they would replace the outer build's.
        "--symlink_prefix=/",
        f"--build_event_json_file={events}",
    ] + targets
    env = dict(os.environ, HOME=base)
    run = subprocess.run(
        command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    built = {}
    if os.path.exists(events):
        with open(events, encoding="utf-8") as f:
            for line in f:
                event = json.loads(line)
                label = event.get("id", {}).get("targetCompleted", {}).get("label")
                if label:
                    success = event.get("completed", {}).get("success", False)
                    built[label] = built.get(label, False) or success
    return run.returncode, run.stdout, built


class ManifestBuildTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        targets = [f"{FIXTURE}:{t}" for t in ACCEPTED + list(REFUSED)]
        cls.code, cls.output, cls.built = nested_build(targets)

    def tail(self):
        return "\n".join(self.output.splitlines()[-40:])

    def test_build_fails(self):
        self.assertNotEqual(self.code, 0, self.tail())

    def test_good_manifest_builds(self):
        for target in ACCEPTED:
            label = f"{FIXTURE}:{target}"
            self.assertTrue(self.built.get(label), f"{label} should build:\n{self.tail()}")

    def test_bad_manifests_are_refused(self):
        for target, message in REFUSED.items():
            label = f"{FIXTURE}:{target}"
            with self.subTest(label):
                self.assertFalse(self.built.get(label), f"{label} built but must be refused")
                self.assertIn(message, self.output, f"{label} failed without its message")
                print(f"ok: {label} is refused: {message}")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
