#!/usr/bin/env python3
"""serial_script: types lines into a guest's serial console, each after a prompt.

    serial_script.py --log LOG --input LINES --prompt PROMPT -- QEMU ARGS...

Runs QEMU (which must have `-serial stdio`), copies everything the guest
prints to LOG, and each time the guest prints PROMPT sends the next line of
LINES followed by a carriage return (what Enter sends on a terminal). Lines
wait for a prompt rather than go in at once: input typed before the driver
has set the UART up would be lost with the UART's FIFO, as on real hardware.
Exits with QEMU's status.

Python 3.11 standard library only.
"""

import argparse
import os
import subprocess
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--prompt", required=True)
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    with open(args.input, encoding="utf-8") as f:
        lines = f.read().splitlines()
    prompt = args.prompt.encode()
    qemu = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    seen = b""  # what the guest printed since the last prompt
    with open(args.log, "wb") as log:
        while True:
            chunk = os.read(qemu.stdout.fileno(), 4096)
            if not chunk:
                break
            log.write(chunk)
            log.flush()
            seen += chunk
            while prompt in seen:
                seen = seen[seen.index(prompt) + len(prompt) :]
                if lines:
                    try:
                        qemu.stdin.write(lines.pop(0).encode() + b"\r")
                        qemu.stdin.flush()
                    except BrokenPipeError:
                        lines = []
    return qemu.wait()


if __name__ == "__main__":
    sys.exit(main())
