#!/usr/bin/env python3
"""manifest_check: checks an image's system manifest and writes init's boot plan.

    manifest_check.py --input MANIFEST.json --output BOOTPLAN

The input is what nx_system_manifest (manifest.bzl) collects from the
programs' nx_user_program declarations: for each program its name, label,
the service it provides and that service's api target, the services it
calls, its mmio regions and irqs, quota and priority, and the api targets
it is built against (Bazel's dependency graph, not a declaration).

The manifest is refused, with one line per problem naming the program and
the problem and exit code 1 (nothing is written then), when a program:
  - calls a service whose api target it does not depend on, or depends on
    the api of a service it may not call;
  - names a service, mmio region or irq nobody knows;
  - calls a server of lower priority than itself;
  - provides a service another program provides too;
or when the call graph has a cycle (there is no order to start them in).
docs/manifest.md lists every rule and describes the boot plan's format.

Python 3.11 standard library only.
"""

import argparse
import json
import re
import sys

# The boot plan's format version: the first line is "nexus-bootplan 1".
# Any change a version-1 reader would misread bumps it.
PLAN_MAGIC = "nexus-bootplan"
PLAN_VERSION = 1

# Device regions and interrupt lines a program may be granted, by name, with
# what they are. init finds them in the device tree; a name here and the
# node init looks up must change together.
MMIO = {
    "uart": "the NS16550A UART's registers (virt: /soc/serial)",
}
IRQS = {
    "uart": "the NS16550A UART's interrupt (virt: /soc/serial, through the PLIC)",
}

# Limits of boot plan version 1, so that init can parse it into fixed
# arrays: names fit NX_TASK_NAME_MAX (kernel/abi), priorities the
# scheduler's 0 .. SCHED_PRIO_MAX (kernel/sched), quotas the machine's
# 256 MiB.
NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
MAX_NAME = 31
MAX_PRIORITY = 31
MAX_QUOTA_PAGES = 65536
MAX_PROGRAMS = 32
MAX_CALLS = 16
MAX_MMIO = 8
MAX_IRQS = 8
MAX_LINE = 64  # bytes, with the newline: "provides " + 31 + "\n" is the longest


# Services init itself provides (it is not a program of the manifest: the
# kernel starts it): name -> its api target. It runs at the top priority,
# so any program may call it; the boot plan lists the call like any other
# and init hands out the handle.
INIT_SERVICES = {
    "system": "//services/init:api",
}
INIT = {
    "name": "init",
    "label": "//services/init:init",
    "priority": MAX_PRIORITY,
    "provides": "",
    "api": "",
}


class ManifestError(Exception):
    """A refused manifest: `problems` holds one message per problem."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


# init as the server of each of its services, for the checks.
INIT_SERVERS = {name: dict(INIT, provides=name, api=api) for name, api in INIT_SERVICES.items()}


def _who(p):
    return f"program '{p['name']}' ({p['label']})"


def _check_name(problems, p, what, name):
    if not isinstance(name, str) or not NAME.match(name) or len(name) > MAX_NAME:
        problems.append(
            f"{_who(p)}: {what} {name!r} is not a name "
            f"([a-z][a-z0-9_]*, at most {MAX_NAME} characters)"
        )
        return False
    return True


def _check_list(problems, p, key, limit, known=None, kind=""):
    """Checks p[key]: names, no repeats, at most `limit`, each in `known`."""
    values = p[key]
    if len(values) > limit:
        problems.append(f"{_who(p)}: {len(values)} {key}, at most {limit} fit the boot plan")
    seen = set()
    for v in values:
        if not _check_name(problems, p, key, v):
            continue
        if v in seen:
            problems.append(f"{_who(p)}: names {key} '{v}' twice")
        seen.add(v)
        if known is not None and v not in known:
            problems.append(
                f"{_who(p)}: unknown {kind} '{v}' (known: {', '.join(sorted(known))}; "
                "the table is in tools/manifest/manifest_check.py)"
            )


def _check_program(problems, p):
    _check_name(problems, p, "program name", p["name"])
    if p["priority"] < 0:
        problems.append(f"{_who(p)}: declares no priority (priority = 0 .. {MAX_PRIORITY})")
    elif p["priority"] > MAX_PRIORITY:
        problems.append(f"{_who(p)}: priority {p['priority']} is above {MAX_PRIORITY}")
    if p["quota_pages"] <= 0:
        problems.append(f"{_who(p)}: declares no quota_pages (1 .. {MAX_QUOTA_PAGES})")
    elif p["quota_pages"] > MAX_QUOTA_PAGES:
        problems.append(f"{_who(p)}: quota_pages {p['quota_pages']} is above {MAX_QUOTA_PAGES}")
    if p["provides"]:
        if _check_name(problems, p, "provided service", p["provides"]):
            if not p["api"]:
                problems.append(
                    f"{_who(p)}: provides '{p['provides']}' but names no api "
                    "(api = its nx_api_library)"
                )
            elif p["api_service"] != p["provides"]:
                problems.append(
                    f"{_who(p)}: provides '{p['provides']}' but its api {p['api']} "
                    f"is the api of '{p['api_service']}'"
                )
    elif p["api"]:
        problems.append(f"{_who(p)}: names an api ({p['api']}) but provides no service")
    _check_list(problems, p, "calls", MAX_CALLS)
    _check_list(problems, p, "mmio", MAX_MMIO, MMIO, "mmio region")
    _check_list(problems, p, "irqs", MAX_IRQS, IRQS, "irq")


def _exclusive(problems, programs, key, what):
    """Problems for each value of p[key] (a name or a list) claimed by two
    programs; returns value -> the first program claiming it."""
    owner = {}
    for p in programs:
        values = [p[key]] if isinstance(p[key], str) else p[key]
        for v in dict.fromkeys(values):
            if v in owner:
                problems.append(f"{_who(owner[v])} and {_who(p)} both {what} '{v}'")
            else:
                owner[v] = p
    return owner


def _check_calls(problems, p, servers):
    """The calls of `p` against the servers and the apis p is built against."""
    api_deps = {}
    for dep in p["api_deps"]:
        api_deps.setdefault(dep["label"], dep["service"])
    for service in dict.fromkeys(p["calls"]):
        server = servers.get(service)
        if server is None:
            if NAME.match(service):
                problems.append(
                    f"{_who(p)}: calls unknown service '{service}' "
                    "(no program of this manifest provides it)"
                )
            continue
        if server is p:
            problems.append(f"{_who(p)}: calls '{service}', which it provides itself")
            continue
        if server["api"] and server["api"] not in api_deps:
            problems.append(
                f"{_who(p)}: calls '{service}' but does not depend on its api "
                f"{server['api']} (add it to deps)"
            )
        if 0 <= server["priority"] < p["priority"]:
            problems.append(
                f"{_who(p)}: priority {p['priority']} calls '{service}' served by "
                f"'{server['name']}' at lower priority {server['priority']} "
                "(a server must run at least at its callers' priority)"
            )
    # The other half of the story: built only against the apis it may reach.
    for label, service in api_deps.items():
        if service == p["provides"] and label == p["api"]:
            continue
        if service not in p["calls"] and service != p["provides"]:
            problems.append(
                f"{_who(p)}: depends on {label}, the api of '{service}', but may not call "
                f"'{service}' (add it to calls or drop the dependency)"
            )
            continue
        server = servers.get(service)
        if server is not None and server["api"] and label != server["api"]:
            problems.append(
                f"{_who(p)}: depends on {label}, which claims to be the api of '{service}', "
                f"but '{service}' is served by '{server['name']}' with api {server['api']}"
            )


def boot_order(programs, servers):
    """The programs, each after the servers it calls; ties keep the manifest's
    order. Raises ManifestError naming a cycle if there is none."""
    callees = {p["name"]: [] for p in programs}
    for p in programs:
        for service in dict.fromkeys(p["calls"]):
            server = servers.get(service)
            if server is INIT_SERVERS.get(service):
                continue  # init runs before everything
            if server is not None and server["name"] not in callees[p["name"]]:
                callees[p["name"]].append(server["name"])
    order, placed = [], set()
    while len(order) < len(programs):
        ready = [
            p
            for p in programs
            if p["name"] not in placed and all(c in placed for c in callees[p["name"]])
        ]
        if not ready:
            raise ManifestError([_describe_cycle(programs, callees, placed)])
        order.append(ready[0])
        placed.add(ready[0]["name"])
    return order


def _describe_cycle(programs, callees, placed):
    # Every unplaced program waits for another unplaced one: walking from
    # any of them must come back to a program already on the path.
    name = next(p["name"] for p in programs if p["name"] not in placed)
    path = []
    while name not in path:
        path.append(name)
        name = next(c for c in callees[name] if c not in placed)
    cycle = path[path.index(name) :] + [name]
    return "the call graph has a cycle, so no program of it can start first: " + " -> ".join(
        f"'{n}'" for n in cycle
    )


def check(manifest):
    """Checks a manifest (the input JSON, parsed); returns the programs in boot
    order or raises ManifestError with every problem found."""
    programs = manifest["programs"]
    problems = []
    if len(programs) > MAX_PROGRAMS:
        problems.append(f"{len(programs)} programs, at most {MAX_PROGRAMS} fit the boot plan")
    names = {}
    for p in programs:
        if p["name"] in names:
            problems.append(f"{_who(names[p['name']])} and {_who(p)} have the same name")
        names[p["name"]] = p
        _check_program(problems, p)
    servers = _exclusive(
        problems,
        list(INIT_SERVERS.values()) + [p for p in programs if p["provides"]],
        "provides",
        "provide",
    )
    _exclusive(problems, programs, "mmio", "claim mmio region")
    _exclusive(problems, programs, "irqs", "claim irq")
    for p in programs:
        _check_calls(problems, p, servers)
    if problems:
        raise ManifestError(problems)
    return boot_order(programs, servers)


def bootplan(order):
    """The boot plan (version 1) of programs in boot order: see docs/manifest.md."""
    lines = [f"{PLAN_MAGIC} {PLAN_VERSION}", f"programs {len(order)}"]
    for p in order:
        lines += [f"program {p['name']}", f"priority {p['priority']}", f"quota {p['quota_pages']}"]
        if p["provides"]:
            lines.append(f"provides {p['provides']}")
        lines += [f"calls {s}" for s in p["calls"]]
        lines += [f"mmio {m}" for m in p["mmio"]]
        lines += [f"irq {i}" for i in p["irqs"]]
        lines.append("end")
    return "".join(line + "\n" for line in lines)


def read_bootplan(text):
    """Parses a boot plan the way init does (strictly); returns a list of dicts
    with name, priority, quota, provides, calls, mmio, irqs. Raises ValueError."""
    lines = text.split("\n")
    if lines[-1] != "":
        raise ValueError("the plan does not end with a newline")
    lines.pop()
    for n, line in enumerate(lines, start=1):
        if len(line) + 1 > MAX_LINE:
            raise ValueError(f"line {n} is longer than {MAX_LINE} bytes")
    words = [line.split(" ") for line in lines]
    if not words or words[0] != [PLAN_MAGIC, str(PLAN_VERSION)]:
        raise ValueError(f"line 1 is not '{PLAN_MAGIC} {PLAN_VERSION}'")
    if len(words) < 2 or len(words[1]) != 2 or words[1][0] != "programs":
        raise ValueError("line 2 is not 'programs N'")
    count = _number(words[1][1], 2, MAX_PROGRAMS)
    programs, current = [], None
    lists = {"calls": "calls", "mmio": "mmio", "irq": "irqs"}
    for n, w in enumerate(words[2:], start=3):
        if len(w) != (1 if w[0] == "end" else 2):
            raise ValueError(f"line {n}: want 'KEY VALUE' or 'end'")
        key = w[0]
        if current is None:
            if key != "program":
                raise ValueError(f"line {n}: '{key}' outside a program")
            current = {"name": _name(w[1], n), "priority": None, "quota": None, "provides": ""}
            current.update({v: [] for v in lists.values()})
        elif key in ("priority", "quota"):
            if current[key] is not None:
                raise ValueError(f"line {n}: a second '{key}'")
            top = MAX_PRIORITY if key == "priority" else MAX_QUOTA_PAGES
            current[key] = _number(w[1], n, top)
        elif key == "provides":
            if current["provides"]:
                raise ValueError(f"line {n}: a second 'provides'")
            current["provides"] = _name(w[1], n)
        elif key in lists:
            current[lists[key]].append(_name(w[1], n))
        elif key == "end":
            if current["priority"] is None or current["quota"] is None:
                raise ValueError(f"line {n}: program '{current['name']}' lacks priority or quota")
            programs.append(current)
            current = None
        else:
            raise ValueError(f"line {n}: unknown key '{key}'")
    if current is not None:
        raise ValueError(f"program '{current['name']}' has no 'end'")
    if len(programs) != count:
        raise ValueError(f"'programs {count}' but {len(programs)} programs")
    return programs


def _number(word, n, top):
    if not re.fullmatch(r"0|[1-9][0-9]*", word) or int(word) > top:
        raise ValueError(f"line {n}: {word!r} is not a number 0 .. {top}")
    return int(word)


def _name(word, n):
    if not NAME.match(word) or len(word) > MAX_NAME:
        raise ValueError(f"line {n}: {word!r} is not a name")
    return word


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True, help="the manifest (JSON, from manifest.bzl)")
    parser.add_argument("--output", required=True, help="the boot plan to write")
    args = parser.parse_args(argv)
    with open(args.input, encoding="utf-8") as f:
        manifest = json.load(f)
    try:
        order = check(manifest)
    except ManifestError as e:
        where = manifest.get("manifest", args.input)
        for problem in e.problems:
            print(f"manifest {where}: {problem}", file=sys.stderr)
        print(f"manifest {where}: refused ({len(e.problems)} problem(s))", file=sys.stderr)
        return 1
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(bootplan(order))
    return 0


if __name__ == "__main__":
    sys.exit(main())
