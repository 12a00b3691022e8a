#!/usr/bin/env python3
"""Turns a benchmark run's serial log into a table (and optionally JSON).

    report.py --log SERIAL_LOG --kernel KERNEL_ELF --size LLVM_SIZE [--json OUT]

The guest prints one line per metric:
    BENCH <name> <unit> <min> <median> <max> <iterations>
and one line per metric it could not measure (printed after the table):
    BENCH-SKIP <name> <reason>
and the kernel's section sizes come from `llvm-size -A` on the kernel ELF
(kernel.text_bytes, kernel.boot_text_bytes, kernel.data_bytes,
kernel.bss_bytes). The JSON file is
a list of records {"name", "unit", "min", "median", "max", "iterations"}.
The table adds a column "vs null": an instruction count's median over
syscall.null's (how many null syscalls the operation costs); DESCRIPTIONS
below says what each metric measures, and is printed after the table.
Exits 1 if the log has no BENCH line or a malformed one.
"""
import argparse
import json
import subprocess
import sys


# What each metric measures (tests/bench/bench.c). Instruction counts are
# rdinstret deltas under -icount shift=0, minus the cost of the two reads.
DESCRIPTIONS = {
    "sched.yield_switch": "one thread switch: half a thread_yield to a peer task that yields back",
    "sched.yield_switch.fp": "the same between two threads of one task that use FP (an FP "
    "addition on each side per yield, so their FP registers are saved and loaded at each switch)",
    "syscall.null": "null syscall round trip, user to user",
    "handle.dup_close": "handle_dup of a notification handle plus handle_close of the copy",
    "ipc.oneway": "one channel_send of a message of 4 words (in registers, no handles) into an "
    "empty channel (the channel_recv that drains it is not counted)",
    "ipc.call_reply.same_as": "ipc_call round trip, 4 words in registers each way (fastpath), to a "
    "server thread of the same task looping on ipc_reply_recv; timed around ipc_call",
    "ipc.call_reply.cross_as": "the same, with the server in another task (address space)",
    "ipc.call_reply.fp": "the same_as round trip between two threads that use FP (an FP addition "
    "on each side per message, so their FP registers are saved and loaded at both switches)",
    "ipc.kernel_copy_bytes": "bytes the kernel copied between IPC buffers per fastpath round trip "
    "(kernel_stats ipc_copy_bytes; the words travel in registers and are not counted)",
    "ipc.call_reply.4k": "ipc_call round trip to the other task with 4096 bytes in the call and "
    "the same 4096 bytes in the reply, through the threads' IPC buffers (slow path, each way "
    "copied once, IPC buffer to IPC buffer)",
    "ipc.kernel_copy_bytes_4k": "bytes the kernel copied per 4k round trip (4096 each way)",
    "notify.signal_wait": "notification_signal waking a more urgent thread blocked in "
    "notification_wait (no deadline), through the switch, to its first instruction after the wait",
    "notify.signal_wait.fp": "the same to a waiter that uses FP (an FP addition after each wake, "
    "so the switch to it loads its FP registers)",
    "vmo.map_4k": "vmo_map of a 4 KiB VMO (read, write)",
    "vmo.unmap_4k": "vmo_unmap of that mapping",
    "vmo.map_2m": "vmo_map of a 2 MiB contiguous VMO at a 2 MiB-aligned address (one 2 MiB leaf)",
    "idle.timer_irqs_per_s": "timer interrupts that woke no one, per second of an idle system",
    "idle.timer_irqs_total_2s": "all timer interrupts during 2 s of idle",
    "boot.to_init": "instructions from S-mode entry to the first switch to user mode",
    "kernel.text_bytes": "the kernel's .text (resident code)",
    "kernel.boot_text_bytes": "the kernel's .boot.text (code only boot runs, freed after boot)",
    "kernel.data_bytes": "the kernel's .rodata and .data",
    "kernel.bss_bytes": "the kernel's .bss",
}

BASELINE = "syscall.null"


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


def parse_skips(text):
    """[(name, reason)] of the metrics the guest could not measure."""
    skips = []
    for line in text.splitlines():
        parts = line.strip().split(None, 2)
        if parts and parts[0] == "BENCH-SKIP":
            if len(parts) < 2:
                raise ValueError("malformed BENCH-SKIP line: %r" % line.strip())
            skips.append((parts[1], parts[2] if len(parts) > 2 else "no reason given"))
    return skips


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
        ("kernel.boot_text_bytes", [".boot.text"]),
        ("kernel.data_bytes", [".rodata", ".data"]),
        ("kernel.bss_bytes", [".bss"]),
    ):
        total = sum(sizes.get(s, 0) for s in sections)
        records.append(
            {"name": name, "unit": "bytes", "min": total, "median": total, "max": total, "iterations": 1}
        )
    return records


def versus_null(record, records):
    """The record's median in null syscalls ("68.6x"), or "" where that
    means nothing: not instructions, a one-off count, or no baseline."""
    base = [r for r in records if r["name"] == BASELINE and r["unit"] == "instructions"]
    if (
        not base
        or base[0]["median"] <= 0
        or record["name"] == BASELINE
        or record["unit"] != "instructions"
        or record["iterations"] < 2
    ):
        return ""
    return "%.1fx" % (record["median"] / base[0]["median"])


def table(records):
    rows = [("metric", "unit", "min", "median", "max", "iterations", "vs null")]
    rows += [
        (
            r["name"],
            r["unit"],
            str(r["min"]),
            str(r["median"]),
            str(r["max"]),
            str(r["iterations"]),
            versus_null(r, records),
        )
        for r in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [row[i].rjust(widths[i]) for i in range(2, len(row))]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def notes(records, skips):
    """What the table leaves out: the skipped metrics, and what each means."""
    lines = []
    if skips:
        lines.append("skipped:")
        lines += ["  %s: %s" % (name, reason) for name, reason in skips]
    described = [(r["name"], DESCRIPTIONS[r["name"]]) for r in records if r["name"] in DESCRIPTIONS]
    described += [(name, DESCRIPTIONS[name]) for name, _ in skips if name in DESCRIPTIONS]
    if described:
        lines.append("what each measures (vs null: median / %s median):" % BASELINE)
        lines += ["  %s: %s" % d for d in described]
    return "\n".join(lines)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", required=True)
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--size", required=True, help="llvm-size")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    with open(args.log, errors="replace") as f:
        text = f.read()
        try:
            records = parse_log(text)
            skips = parse_skips(text)
        except ValueError as e:
            print("bench: %s" % e, file=sys.stderr)
            return 1
    if not records:
        print("bench: the guest printed no BENCH line (see %s)" % args.log, file=sys.stderr)
        return 1
    records += kernel_sizes(args.size, args.kernel)
    print(table(records))
    print(notes(records, skips))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(records, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
