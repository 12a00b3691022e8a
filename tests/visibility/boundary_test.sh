#!/usr/bin/env bash
# Proves the module boundaries hold: Bazel itself (a separate, batch-mode
# instance on the real source tree) must accept every target listed as
# allowed and refuse every target listed as forbidden with a visibility
# error. If someone widens a boundary, the forbidden fixture starts to
# build and this test fails.
set -uo pipefail
root=$(dirname "$(realpath WORKSPACE)")
base=${TEST_TMPDIR:-$(mktemp -d)}

nested_bazel() {
  (cd "$root" && HOME="$base" bazel --batch --output_user_root="$base/bazel" \
    build --nobuild --noshow_progress --color=no --disk_cache= "$1") 2>&1
}

status=0
for target in //tests/visibility/fixture:uses_kernel_abi; do
  if out=$(nested_bazel "$target"); then
    echo "ok: $target is allowed"
  else
    echo "FAIL: $target should build:" >&2
    echo "$out" | tail -20 >&2
    status=1
  fi
done
for target in //tests/visibility/fixture:reaches_kernel_internals; do
  if out=$(nested_bazel "$target"); then
    echo "FAIL: $target crosses a module boundary but Bazel accepted it" >&2
    status=1
  elif grep -q "is not visible from target" <<<"$out"; then
    echo "ok: $target is refused: $(grep -m1 -o "target '[^']*' is not visible from target '[^']*'" <<<"$out")"
  else
    echo "FAIL: $target failed for another reason than visibility:" >&2
    echo "$out" | tail -20 >&2
    status=1
  fi
done
exit $status
