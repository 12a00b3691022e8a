#!/usr/bin/env bash
# Runs an Open Nexus image in QEMU. Called by the launchers that qemu.bzl
# writes, from the runfiles directory:
#   qemu.sh run  --qemu Q --bios B --kernel K --initrd I [--icount] [--append ARGS]
#                -- MACHINE... [--gdb] [--display]
#   qemu.sh test --qemu Q --bios B --kernel K --initrd I [--icount] [--append ARGS]
#                --markers F --timeout S [--input LINES --script serial_script.py] -- MACHINE...
# ARGS are the kernel's boot arguments (/chosen bootargs).
# With --input, each line of LINES is typed into the serial console after
# the shell's prompt (serial_script.py).
set -euo pipefail

mode=$1
shift
icount=()
append=()
gdb=()
display=(-nographic)
markers="" timeout=60 input="" script=""
while [ $# -gt 0 ]; do
  case $1 in
    --qemu) qemu=$2; shift 2 ;;
    --bios) bios=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    --initrd) initrd=$2; shift 2 ;;
    --icount) icount=(-icount shift=0); shift ;;
    --append) append=(-append "$2"); shift 2 ;;
    --markers) markers=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --input) input=$2; shift 2 ;;
    --script) script=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "qemu.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
machine=()
while [ $# -gt 0 ]; do
  case $1 in
    --gdb) gdb=(-s -S); echo "qemu: waiting for gdb on localhost:1234" >&2; shift ;;
    --display) display=(-serial mon:stdio); shift ;;
    --help)
      echo "usage: bazel run //:qemu [-- --gdb] [-- --display]" >&2
      exit 0 ;;
    *) machine+=("$1"); shift ;;
  esac
done

cmd=("$qemu" "${machine[@]}" -bios "$bios" -kernel "$kernel" -initrd "$initrd" "${icount[@]}" "${append[@]}")

if [ "$mode" = run ]; then
  exec "${cmd[@]}" "${display[@]}" "${gdb[@]}"
fi

# Test mode: headless, serial to a log, bounded in time.
log=${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-/tmp}}/serial.log
status=0
if [ -n "$input" ]; then
  timeout --kill-after=5 "$timeout" python3 "$script" --log "$log" --input "$input" \
    --prompt "nexus> " -- "${cmd[@]}" -display none -monitor none -serial stdio || status=$?
else
  timeout --kill-after=5 "$timeout" "${cmd[@]}" -display none -monitor none -serial "file:$log" \
    </dev/null || status=$?
fi

fail() {
  echo "FAIL: $*" >&2
  echo "---- last lines of the serial log ($log) ----" >&2
  tail -n 40 "$log" >&2 || true
  exit 1
}

# Every marker must appear, in order, each on a later line than the last.
line=0
while IFS= read -r marker; do
  [ -n "$marker" ] || continue
  found=$(awk -v from="$line" -v m="$marker" 'NR > from && index($0, m) { print NR; exit }' "$log")
  [ -n "$found" ] || fail "marker not found (in order after line $line): $marker"
  line=$found
done <"$markers"

case $status in
  0) echo "PASS: all markers seen; the guest reported success" ;;
  124 | 137) fail "no exit within ${timeout}s" ;;
  *) fail "the guest exited with status $status (its sifive_test failure code)" ;;
esac
