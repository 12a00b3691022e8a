#!/usr/bin/env python3
"""Turns a benchmark run's serial log into a table (and optionally JSON).

    report.py --log SERIAL_LOG --kernel KERNEL_ELF --size LLVM_SIZE [--json OUT]

The guest prints one line per metric:
    BENCH <name> <unit> <min> <median> <max> <iterations>
and the kernel's section sizes come from `llvm-size -A` on the kernel ELF
(kernel.text_bytes, kernel.data_bytes, kernel.bss_bytes). The JSON file is
a list of records {"name", "unit", "min", "median", "max", "iterations"}.
Exits 1 if the log has no BENCH line or a malformed one.
"""
import argparse
import json
import subprocess
import sys


def parse_log(text):
    records = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("BENCH "):
            continue
        parts = line.split()
        if len(parts) != 7:
            raise ValueError("malformed BENCH line: %r" % line)
        _, name, unit, lo, med, hi, iters = parts
        lo, med, hi, iters = (int(v) for v in (lo, med, hi, iters))
        if not lo <= med <= hi or iters < 1:
            raise ValueError("inconsistent BENCH line: %r" % line)
        records.append(
            {"name": name, "unit": unit, "min": lo, "median": med, "max": hi, "iterations": iters}
        )
    return records


def kernel_sizes(size_tool, kernel):
    out = subprocess.run([size_tool, "-A", kernel], check=True, capture_output=True, text=True).stdout
    sizes = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
            sizes[parts[0]] = int(parts[1])
    records = []
    for name, sections in (
        ("kernel.text_bytes", [".text"]),
        ("kernel.data_bytes", [".rodata", ".data"]),
        ("kernel.bss_bytes", [".bss"]),
    ):
        total = sum(sizes.get(s, 0) for s in sections)
        records.append(
            {"name": name, "unit": "bytes", "min": total, "median": total, "max": total, "iterations": 1}
        )
    return records


def table(records):
    rows = [("metric", "unit", "min", "median", "max", "iterations")]
    rows += [
        (r["name"], r["unit"], str(r["min"]), str(r["median"]), str(r["max"]), str(r["iterations"]))
        for r in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [row[i].rjust(widths[i]) for i in range(2, len(row))]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", required=True)
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--size", required=True, help="llvm-size")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    with open(args.log, errors="replace") as f:
        try:
            records = parse_log(f.read())
        except ValueError as e:
            print("bench: %s" % e, file=sys.stderr)
            return 1
    if not records:
        print("bench: the guest printed no BENCH line (see %s)" % args.log, file=sys.stderr)
        return 1
    records += kernel_sizes(args.size, args.kernel)
    print(table(records))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(records, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
