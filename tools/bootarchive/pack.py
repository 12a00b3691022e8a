#!/usr/bin/env python3
"""Packs files into a boot archive: a cpio "newc" archive (the format of
Linux's initramfs), which NEURON reads from the initrd QEMU loads.

    pack.py --output OUT [--file NAME=PATH]...

Entries are written in the order given, with mode 0100755, mtime 0 and
owner 0 so the archive is reproducible. Each header and each file's data
starts on a 4-byte boundary; the archive ends with the TRAILER!!! entry.
"""
import argparse
import sys

MAGIC = b"070701"


def header(ino, name, size, mode):
    fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, len(name) + 1, 0]
    return MAGIC + b"".join(b"%08x" % f for f in fields)


def pad4(n):
    return b"\0" * (-n % 4)


def pack(entries):
    out = bytearray()
    for ino, (name, data) in enumerate(entries + [("TRAILER!!!", b"")], start=1):
        encoded = name.encode()
        mode = 0 if name == "TRAILER!!!" else 0o100755
        out += header(ino, encoded, len(data), mode) + encoded + b"\0"
        out += pad4(len(out))
        out += data
        out += pad4(len(out))
    return bytes(out)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True)
    parser.add_argument("--file", action="append", default=[], metavar="NAME=PATH")
    args = parser.parse_args(argv)
    entries = []
    for spec in args.file:
        name, sep, path = spec.partition("=")
        if not sep or not name or name.startswith("/") or len(name) > 255:
            parser.error("bad --file %r: want a relative NAME=PATH" % spec)
        with open(path, "rb") as f:
            entries.append((name, f.read()))
    with open(args.output, "wb") as f:
        f.write(pack(entries))


if __name__ == "__main__":
    main(sys.argv[1:])
