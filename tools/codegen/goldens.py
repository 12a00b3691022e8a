#!/usr/bin/env python3
"""goldens: compares a generator's output files with their checked-in copies.

    goldens.py --check --refresh CMD --root-marker WORKSPACE [--clang-format BIN] GENERATED=GOLDEN...
    goldens.py --update --refresh CMD GENERATED=GOLDEN...      (under `bazel run`)

GENERATED is a runfiles path of a file the build generated, GOLDEN its
checked-in copy relative to the workspace root. --check (golden_test) fails
with a diff for every golden that differs, and names the command that
refreshes them; with --clang-format it also checks that the C goldens are
clang-format clean under /.clang-format. --update (update_goldens) writes the
generated files over the goldens in the source tree, found through
BUILD_WORKSPACE_DIRECTORY. CMD is the label of the generator's update
target (//tools/abigen:update_goldens), named in the messages. One copy for every
generator (//tools/abigen, //tools/idlgen).
"""

import argparse
import difflib
import os
import subprocess
import sys


def _pairs(specs):
    pairs = []
    for spec in specs:
        generated, sep, golden = spec.partition("=")
        if not sep or not generated or not golden:
            raise SystemExit(f"goldens: expected GENERATED=GOLDEN, got {spec!r}")
        pairs.append((generated, golden))
    return pairs


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def check(pairs, root, refresh, clang_format=None, out=sys.stdout):
    """Returns the number of goldens that differ or are badly formatted."""
    bad = 0
    for generated, golden in pairs:
        want = _read(generated)
        path = os.path.join(root, golden)
        if not os.path.exists(path):
            print(f"goldens: {golden} is missing", file=out)
            bad += 1
            continue
        have = _read(path)
        if have == want:
            continue
        bad += 1
        print(f"goldens: {golden} differs from the generated file:", file=out)
        diff = difflib.unified_diff(
            have.decode("utf-8", "replace").splitlines(keepends=True),
            want.decode("utf-8", "replace").splitlines(keepends=True),
            fromfile=f"{golden} (checked in)",
            tofile=f"{golden} (generated)",
        )
        out.writelines(diff)
        print(file=out)
    if clang_format:
        style = "--style=file:" + os.path.join(root, ".clang-format")
        for _, golden in pairs:
            if not golden.endswith((".c", ".h")):
                continue
            path = os.path.join(root, golden)
            if not os.path.exists(path):
                continue
            res = subprocess.run(
                [clang_format, style, "--dry-run", "--Werror", path],
                capture_output=True,
                text=True,
                check=False,
            )
            if res.returncode != 0:
                bad += 1
                print(f"goldens: {golden} is not clang-format clean:\n{res.stderr}", file=out)
    if bad:
        print(
            f"goldens: {bad} problem(s). If the schema or the generator changed on purpose,\n"
            f"refresh the checked-in copies with:\n\n    bazel run {refresh}\n",
            file=out,
        )
    return bad


def update(pairs, root, out=sys.stdout):
    """Writes the generated files over the goldens; returns how many changed."""
    changed = 0
    for generated, golden in pairs:
        want = _read(generated)
        path = os.path.join(root, golden)
        if os.path.exists(path) and _read(path) == want:
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(want)
        print(f"goldens: updated {golden}", file=out)
        changed += 1
    print(f"goldens: {changed} of {len(pairs)} file(s) changed", file=out)
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--update", action="store_true")
    parser.add_argument(
        "--refresh", required=True, help="the update_goldens target to name in messages"
    )
    parser.add_argument("--root-marker", help="a runfile symlinked into the source root")
    parser.add_argument("--clang-format", help="clang-format binary (--check only)")
    parser.add_argument("pairs", nargs="+", metavar="GENERATED=GOLDEN")
    args = parser.parse_args(argv)
    pairs = _pairs(args.pairs)
    if args.update:
        root = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
        if not root:
            print(f"goldens: run me with `bazel run {args.refresh}`", file=sys.stderr)
            return 2
        update(pairs, root)
        return 0
    if not args.root_marker:
        parser.error("--check needs --root-marker")
    root = os.path.dirname(os.path.realpath(args.root_marker))
    clang_format = os.path.realpath(args.clang_format) if args.clang_format else None
    return 1 if check(pairs, root, args.refresh, clang_format) else 0


if __name__ == "__main__":
    sys.exit(main())
