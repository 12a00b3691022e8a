#!/usr/bin/env bash
# fdt_fuzz_test.sh FUZZER SEED...: runs the fdt_open fuzzer (fdt_fuzz.cc) for
# a fixed number of inputs, starting from the seed corpus, and fails if it
# finds a crash, a sanitizer report or a broken invariant. New inputs go to
# $TEST_TMPDIR; a crashing input is kept in the test's undeclared outputs
# (bazel-testlogs/kernel/fdt/fdt_fuzz_test/test.outputs/).
#
# The run is deterministic (-seed=1); for a different one:
#   bazel test //kernel/fdt:fdt_fuzz_test --test_env=FDT_FUZZ_SEED=7
set -uo pipefail
fuzzer=$1
shift
runs=20000

corpus=${TEST_TMPDIR:?}/corpus
mkdir -p "$corpus"
# The seeds are read-only runfiles; libFuzzer adds new inputs to this copy.
cp -L "$@" "$corpus"/ && chmod u+w "$corpus"/*
artifacts=${TEST_UNDECLARED_OUTPUTS_DIR:-$TEST_TMPDIR}/
log=$TEST_TMPDIR/fuzz.log

"$fuzzer" -runs=$runs -max_len=4096 -seed="${FDT_FUZZ_SEED:-1}" -print_final_stats=1 \
  -artifact_prefix="$artifacts" "$corpus" >"$log" 2>&1
status=$?
cat "$log"
if [ $status -ne 0 ]; then
  echo "fdt_fuzz_test: the fuzzer failed (exit $status); the input is in $artifacts" >&2
  exit 1
fi
if ! grep -q "^Done $runs runs" "$log"; then
  echo "fdt_fuzz_test: the fuzzer did not run $runs inputs" >&2
  exit 1
fi
seeds=$#
corpus_now=$(find "$corpus" -type f | wc -l)
echo "fdt_fuzz_test: $runs runs from $seeds seeds, no crash; corpus now $corpus_now inputs"
