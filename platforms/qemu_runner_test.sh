#!/usr/bin/env bash
# Checks qemu.sh's verdicts in test mode: markers in order pass; a missing
# marker, markers out of order, a hung guest and a guest that reports
# failure each fail with their own message.
set -uo pipefail
# Arguments: QEMU, firmware, then the files of two images (pass_image,
# then fail_image), each an .elf and a .cpio in no particular order.
qemu=$1 bios=$2
shift 2
for f in "$@"; do
  case $f in
    */fail_image.elf) fail_kernel=$f ;;
    */fail_image.cpio) fail_initrd=$f ;;
    *.elf) kernel=$f ;;
    *.cpio) initrd=$f ;;
  esac
done
runner=platforms/qemu.sh
machine=(-machine virt -m 256M -smp 1)
failures=0

# expect STATUS MESSAGE MARKERS TIMEOUT KERNEL INITRD [EXTRA QEMU ARGS...]
expect() {
  local want=$1 message=$2 markers=$3 timeout=$4 k=$5 i=$6
  shift 6
  local m="$TEST_TMPDIR/markers" log="$TEST_TMPDIR/runner.out" out status=0
  printf '%b' "$markers" >"$m"
  TEST_UNDECLARED_OUTPUTS_DIR="$TEST_TMPDIR" "$runner" test --qemu "$qemu" --bios "$bios" \
    --kernel "$k" --initrd "$i" --markers "$m" --timeout "$timeout" -- "${machine[@]}" "$@" \
    >"$log" 2>&1 || status=$?
  out=$(cat "$log")
  if [ "$status" -ne "$want" ] || ! grep -qF "$message" <<<"$out"; then
    echo "FAIL: want status $want and '$message' for markers '$markers', got $status:" >&2
    echo "$out" >&2
    failures=$((failures + 1))
  else
    echo "ok: $message"
  fi
}

expect 0 "PASS: all markers seen" 'OpenSBI\nNEURON\npowering off\n' 30 "$kernel" "$initrd"
expect 1 "marker not found (in order after line 0): no such line" 'no such line\n' 30 "$kernel" "$initrd"
expect 1 "marker not found" 'powering off\nNEURON 0.1.0\n' 30 "$kernel" "$initrd"
# -S starts QEMU with the CPU stopped, so the guest never ends.
expect 1 "no exit within 2s" '' 2 "$kernel" "$initrd" -S
expect 1 "exited with status 3 (its sifive_test failure code)" 'OpenSBI\n' 30 "$fail_kernel" "$fail_initrd"
exit $((failures > 0))
