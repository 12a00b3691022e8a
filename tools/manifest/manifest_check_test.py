"""Tests of manifest_check: every refusal with its message, the boot order,
the boot plan against its golden copy, and the reference reader.

    manifest_check_test.py SYSTEM_JSON SYSTEM_BOOTPLAN

SYSTEM_JSON is a manifest as manifest.bzl writes it (a registry, a UART
driver serving the console, a log service and a shell); SYSTEM_BOOTPLAN is
its boot plan, checked in. After a deliberate change of the format, refresh
it with `python3 tools/manifest/manifest_check.py --input
tools/manifest/testdata/system.json --output
tools/manifest/testdata/system.bootplan` (and bump PLAN_VERSION).
"""

import contextlib
import copy
import io
import json
import os
import sys
import tempfile
import unittest

import manifest_check

SYSTEM_JSON = SYSTEM_BOOTPLAN = ""


def program(name, provides="", calls=(), apis=(), priority=8, quota=8, mmio=(), irqs=()):
    """A program as manifest.bzl writes it; api targets are //fx/SERVICE:api."""
    return {
        "api": f"//fx/{provides}:api" if provides else "",
        "api_deps": [{"label": f"//fx/{s}:api", "service": s} for s in apis],
        "api_service": provides,
        "calls": list(calls),
        "irqs": list(irqs),
        "label": f"//fx/{name}:{name}",
        "mmio": list(mmio),
        "name": name,
        "priority": priority,
        "provides": provides,
        "quota_pages": quota,
    }


def base():
    """A small valid manifest; tests break one thing in it."""
    return {
        "manifest": "//fx:system",
        "programs": [
            program("client", calls=["log"], apis=["log"], priority=4),
            program(
                "logd", provides="log", calls=["console"], apis=["log", "console"], priority=16
            ),
            program(
                "uart",
                provides="console",
                apis=["console"],
                priority=20,
                mmio=["uart"],
                irqs=["uart"],
            ),
        ],
    }


def find(manifest, name):
    return next(p for p in manifest["programs"] if p["name"] == name)


class CheckTest(unittest.TestCase):
    def problems(self, manifest):
        with self.assertRaises(manifest_check.ManifestError) as e:
            manifest_check.check(manifest)
        return e.exception.problems

    def assertRefused(self, manifest, *messages):
        """The manifest is refused with exactly these problems."""
        self.assertEqual(self.problems(manifest), list(messages))

    def test_base_is_good(self):
        order = manifest_check.check(base())
        self.assertEqual([p["name"] for p in order], ["uart", "logd", "client"])

    # ---- calls and apis: the manifest and the build graph agree ----

    def test_calls_without_its_api(self):
        m = base()
        find(m, "client")["api_deps"] = []
        self.assertRefused(
            m,
            "program 'client' (//fx/client:client): calls 'log' but does not depend on its api "
            "//fx/log:api (add it to deps)",
        )

    def test_api_without_calls(self):
        m = base()
        find(m, "client")["api_deps"].append({"label": "//fx/console:api", "service": "console"})
        self.assertRefused(
            m,
            "program 'client' (//fx/client:client): depends on //fx/console:api, the api of "
            "'console', but may not call 'console' (add it to calls or drop the dependency)",
        )

    def test_api_claiming_a_service_it_is_not(self):
        # Another library marked as the log api does not stand for the real one.
        m = base()
        find(m, "client")["api_deps"] = [{"label": "//fake:api", "service": "log"}]
        self.assertRefused(
            m,
            "program 'client' (//fx/client:client): calls 'log' but does not depend on its api "
            "//fx/log:api (add it to deps)",
            "program 'client' (//fx/client:client): depends on //fake:api, which claims to be the "
            "api of 'log', but 'log' is served by 'logd' with api //fx/log:api",
        )

    def test_provider_may_depend_on_its_own_api(self):
        m = base()
        self.assertIn({"label": "//fx/log:api", "service": "log"}, find(m, "logd")["api_deps"])
        manifest_check.check(m)

    def test_calls_itself(self):
        m = base()
        find(m, "logd")["calls"].append("log")
        self.assertRefused(
            m, "program 'logd' (//fx/logd:logd): calls 'log', which it provides itself"
        )

    # ---- init's own services ----

    def test_calls_a_service_init_provides(self):
        m = base()
        shell = program("shell", calls=["system"], apis=[], priority=8)
        shell["api_deps"] = [{"label": "//services/init:api", "service": "system"}]
        m["programs"].insert(0, shell)
        order = manifest_check.check(m)
        self.assertEqual([p["name"] for p in order], ["shell", "uart", "logd", "client"])
        self.assertIn("calls system", manifest_check.bootplan(order))

    def test_calls_init_without_its_api(self):
        m = base()
        m["programs"].append(program("shell", calls=["system"], priority=8))
        self.assertRefused(
            m,
            "program 'shell' (//fx/shell:shell): calls 'system' but does not depend on its api "
            "//services/init:api (add it to deps)",
        )

    def test_provides_a_service_of_init(self):
        m = base()
        m["programs"].append(program("fake", provides="system", apis=["system"], priority=8))
        self.assertRefused(
            m,
            "program 'init' (//services/init:init) and program 'fake' (//fx/fake:fake) both "
            "provide 'system'",
        )

    # ---- unknown names ----

    def test_unknown_service(self):
        m = base()
        find(m, "client")["calls"].append("net")
        self.assertRefused(
            m,
            "program 'client' (//fx/client:client): calls unknown service 'net' "
            "(no program of this manifest provides it)",
        )

    def test_unknown_mmio_and_irq(self):
        m = base()
        find(m, "uart")["mmio"].append("gpu")
        find(m, "uart")["irqs"] = ["virtio"]
        table = "the table is in tools/manifest/manifest_check.py"
        self.assertRefused(
            m,
            f"program 'uart' (//fx/uart:uart): unknown mmio region 'gpu' (known: uart; {table})",
            f"program 'uart' (//fx/uart:uart): unknown irq 'virtio' (known: uart; {table})",
        )

    def test_bad_names(self):
        m = base()
        find(m, "client")["calls"] = ["Log"]
        find(m, "client")["api_deps"] = []
        find(m, "uart")["name"] = "u" * 32
        self.assertRefused(
            m,
            "program 'client' (//fx/client:client): calls 'Log' is not a name "
            "([a-z][a-z0-9_]*, at most 31 characters)",
            f"program '{'u' * 32}' (//fx/uart:uart): program name '{'u' * 32}' is not a name "
            "([a-z][a-z0-9_]*, at most 31 characters)",
        )

    def test_repeated_names(self):
        m = base()
        find(m, "client")["calls"].append("log")
        find(m, "uart")["mmio"].append("uart")
        self.assertRefused(
            m,
            "program 'client' (//fx/client:client): names calls 'log' twice",
            "program 'uart' (//fx/uart:uart): names mmio 'uart' twice",
        )

    def test_two_programs_of_one_name(self):
        m = base()
        other = program("client", priority=4)
        other["label"] = "//fy/client:client"
        m["programs"].append(other)
        self.assertRefused(
            m,
            "program 'client' (//fx/client:client) and program 'client' (//fy/client:client) "
            "have the same name",
        )

    # ---- priority ----

    def test_calls_lower_priority_server(self):
        m = base()
        find(m, "client")["priority"] = 17
        self.assertRefused(
            m,
            "program 'client' (//fx/client:client): priority 17 calls 'log' served by 'logd' at "
            "lower priority 16 (a server must run at least at its callers' priority)",
        )

    def test_calls_server_of_equal_priority(self):
        m = base()
        find(m, "client")["priority"] = 16
        manifest_check.check(m)

    def test_priority_and_quota_declared_and_in_range(self):
        m = base()
        find(m, "client")["priority"] = -1
        find(m, "client")["quota_pages"] = 0
        find(m, "uart")["priority"] = 32
        find(m, "uart")["quota_pages"] = 65537
        self.assertRefused(
            m,
            "program 'client' (//fx/client:client): declares no priority (priority = 0 .. 31)",
            "program 'client' (//fx/client:client): declares no quota_pages (1 .. 65536)",
            "program 'uart' (//fx/uart:uart): priority 32 is above 31",
            "program 'uart' (//fx/uart:uart): quota_pages 65537 is above 65536",
        )

    # ---- providers ----

    def test_two_providers(self):
        m = base()
        m["programs"].append(program("logd2", provides="log", apis=["log"], priority=16))
        self.assertRefused(
            m,
            "program 'logd' (//fx/logd:logd) and program 'logd2' (//fx/logd2:logd2) both provide "
            "'log'",
        )

    def test_provider_without_api(self):
        m = base()
        find(m, "logd")["api"] = find(m, "logd")["api_service"] = ""
        self.assertRefused(
            m,
            "program 'logd' (//fx/logd:logd): provides 'log' but names no api "
            "(api = its nx_api_library)",
        )

    def test_provider_with_another_services_api(self):
        m = base()
        find(m, "logd")["api_service"] = "console"
        self.assertRefused(
            m,
            "program 'logd' (//fx/logd:logd): provides 'log' but its api //fx/log:api is the api "
            "of 'console'",
        )

    def test_api_without_provides(self):
        m = base()
        find(m, "client")["api"] = "//fx/log:api"
        self.assertRefused(
            m,
            "program 'client' (//fx/client:client): names an api (//fx/log:api) but provides "
            "no service",
        )

    # ---- devices ----

    def test_device_granted_twice(self):
        m = base()
        find(m, "logd")["mmio"] = ["uart"]
        find(m, "logd")["irqs"] = ["uart"]
        self.assertRefused(
            m,
            "program 'logd' (//fx/logd:logd) and program 'uart' (//fx/uart:uart) both claim mmio "
            "region 'uart'",
            "program 'logd' (//fx/logd:logd) and program 'uart' (//fx/uart:uart) both claim irq "
            "'uart'",
        )

    # ---- the call graph ----

    def test_cycle(self):
        m = base()
        find(m, "uart")["calls"] = ["log"]
        find(m, "uart")["api_deps"].append({"label": "//fx/log:api", "service": "log"})
        find(m, "uart")["priority"] = 16
        find(m, "logd")["priority"] = 16
        self.assertRefused(
            m,
            "the call graph has a cycle, so no program of it can start first: "
            "'logd' -> 'uart' -> 'logd'",
        )

    def test_cycle_behind_a_client(self):
        # The client waits for the cycle; the message names only the cycle.
        m = base()
        for name, other in [("logd", "uart"), ("uart", "logd")]:
            p = find(m, name)
            p["priority"] = 10
            service = find(m, other)["provides"]
            p["calls"] = [service]
            p["api_deps"] = [
                {"label": f"//fx/{p['provides']}:api", "service": p["provides"]},
                {"label": f"//fx/{service}:api", "service": service},
            ]
        find(m, "client")["priority"] = 1
        self.assertRefused(
            m,
            "the call graph has a cycle, so no program of it can start first: "
            "'logd' -> 'uart' -> 'logd'",
        )

    def test_boot_order_keeps_listing_order_for_ties(self):
        m = base()
        m["programs"].insert(0, program("idle", priority=0))
        m["programs"].append(program("late", calls=["console"], apis=["console"]))
        order = manifest_check.check(m)
        self.assertEqual([p["name"] for p in order], ["idle", "uart", "logd", "client", "late"])

    # ---- limits of the plan ----

    def test_limits(self):
        m = base()
        m["programs"] += [program(f"p{i}") for i in range(30)]
        services = [f"s{i}" for i in range(17)]
        find(m, "client")["calls"] += services
        self.assertEqual(
            self.problems(m)[:2],
            [
                "33 programs, at most 32 fit the boot plan",
                "program 'client' (//fx/client:client): 18 calls, at most 16 fit the boot plan",
            ],
        )

    def test_every_problem_is_reported(self):
        m = base()
        find(m, "client")["api_deps"] = []
        find(m, "client")["priority"] = 30
        find(m, "uart")["mmio"] = ["gpu"]
        self.assertEqual(len(self.problems(m)), 3)


class BootPlanTest(unittest.TestCase):
    def test_golden(self):
        with open(SYSTEM_JSON, encoding="utf-8") as f:
            order = manifest_check.check(json.load(f))
        with open(SYSTEM_BOOTPLAN, encoding="utf-8") as f:
            self.assertEqual(manifest_check.bootplan(order), f.read())

    def test_small_plan(self):
        self.assertEqual(
            manifest_check.bootplan(manifest_check.check(base())),
            "nexus-bootplan 1\n"
            "programs 3\n"
            "program uart\npriority 20\nquota 8\nprovides console\nmmio uart\nirq uart\nend\n"
            "program logd\npriority 16\nquota 8\nprovides log\ncalls console\nend\n"
            "program client\npriority 4\nquota 8\ncalls log\nend\n",
        )

    def test_reader_reads_what_is_written(self):
        with open(SYSTEM_BOOTPLAN, encoding="utf-8") as f:
            plan = manifest_check.read_bootplan(f.read())
        self.assertEqual([p["name"] for p in plan], ["registry", "uart", "log", "shell"])
        self.assertEqual(
            plan[1],
            {
                "name": "uart",
                "priority": 24,
                "quota": 16,
                "provides": "console",
                "calls": ["registry"],
                "mmio": ["uart"],
                "irqs": ["uart"],
            },
        )

    def test_longest_lines_fit(self):
        name = "n" * 31
        m = {"manifest": "//fx:m", "programs": [program(name, provides=name, priority=31)]}
        m["programs"][0]["quota_pages"] = 65536
        text = manifest_check.bootplan(manifest_check.check(m))
        self.assertLessEqual(max(len(line) + 1 for line in text.splitlines()), 64)
        manifest_check.read_bootplan(text)

    def test_reader_refuses(self):
        good = "nexus-bootplan 1\nprograms 1\nprogram a\npriority 1\nquota 1\nend\n"
        manifest_check.read_bootplan(good)
        for bad, why in [
            (good.replace("bootplan 1", "bootplan 2"), "line 1 is not"),
            (good.replace("programs 1", "programs 2"), "'programs 2' but 1 programs"),
            (good.replace("quota 1\n", ""), "lacks priority or quota"),
            (good.replace("quota 1", "quota 01"), "is not a number"),
            (good.replace("quota 1", "color red"), "unknown key 'color'"),
            (good.replace("end\n", ""), "has no 'end'"),
            (good[:-1], "does not end with a newline"),
            (good.replace("program a", "program " + "a" * 60), "longer than 64 bytes"),
            (good.replace("priority 1", "priority 1 2"), "want 'KEY VALUE'"),
            (good + "calls a\n", "outside a program"),
        ]:
            with self.subTest(why), self.assertRaisesRegex(ValueError, why):
                manifest_check.read_bootplan(bad)


class MainTest(unittest.TestCase):
    def run_main(self, manifest):
        with tempfile.TemporaryDirectory() as d:
            path, out = os.path.join(d, "m.json"), os.path.join(d, "plan")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(manifest, f)
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr):
                code = manifest_check.main(["--input", path, "--output", out])
            plan = None
            if os.path.exists(out):
                with open(out, encoding="utf-8") as f:
                    plan = f.read()
            return code, stderr.getvalue(), plan

    def test_writes_the_plan(self):
        code, err, plan = self.run_main(base())
        self.assertEqual((code, err), (0, ""))
        self.assertTrue(plan.startswith("nexus-bootplan 1\n"))

    def test_refusal_names_the_manifest_and_writes_nothing(self):
        m = copy.deepcopy(base())
        find(m, "client")["priority"] = 17
        code, err, plan = self.run_main(m)
        self.assertEqual(code, 1)
        self.assertIsNone(plan)
        self.assertEqual(
            err.splitlines(),
            [
                "manifest //fx:system: program 'client' (//fx/client:client): priority 17 calls "
                "'log' served by 'logd' at lower priority 16 (a server must run at least at its "
                "callers' priority)",
                "manifest //fx:system: refused (1 problem(s))",
            ],
        )


if __name__ == "__main__":
    SYSTEM_JSON, SYSTEM_BOOTPLAN = sys.argv[1:3]
    unittest.main(argv=sys.argv[:1])
