#!/usr/bin/env bash
# syscall_fuzz_test.sh FUZZER SEED...: runs the syscall-sequence fuzzer
# (syscall_fuzz.cc) for a fixed number of inputs, starting from the seed
# corpus, and fails if it finds a crash, a sanitizer report, a broken
# invariant or a mispredicted result. New inputs go to $TEST_TMPDIR; a
# crashing input is kept in the test's undeclared outputs
# (bazel-testlogs/kernel/core/syscall_fuzz_test/test.outputs/).
#
# The run is deterministic (-seed=1); for a different one:
#   bazel test //kernel/core:syscall_fuzz_test --test_env=SYSCALL_FUZZ_SEED=7
# To fuzz for as long as you like:
#   bazel run //kernel/core:syscall_fuzz -- DIR
set -uo pipefail
fuzzer=$1
shift
runs=${SYSCALL_FUZZ_RUNS:-300}

corpus=${TEST_TMPDIR:?}/corpus
mkdir -p "$corpus"
# The seeds are read-only runfiles; libFuzzer adds new inputs to this copy.
cp -L "$@" "$corpus"/ && chmod u+w "$corpus"/*
artifacts=${TEST_UNDECLARED_OUTPUTS_DIR:-$TEST_TMPDIR}/
log=$TEST_TMPDIR/fuzz.log

"$fuzzer" -runs="$runs" -max_len=1024 -seed="${SYSCALL_FUZZ_SEED:-1}" -print_final_stats=1 \
  -artifact_prefix="$artifacts" "$corpus" >"$log" 2>&1
status=$?
cat "$log"
if [ $status -ne 0 ]; then
  echo "syscall_fuzz_test: the fuzzer failed (exit $status); the input is in $artifacts" >&2
  exit 1
fi
if ! grep -q "^Done $runs runs" "$log"; then
  echo "syscall_fuzz_test: the fuzzer did not run $runs inputs" >&2
  exit 1
fi
seeds=$#
corpus_now=$(find "$corpus" -type f | wc -l)
echo "syscall_fuzz_test: $runs runs from $seeds seeds, no crash; corpus now $corpus_now inputs"
