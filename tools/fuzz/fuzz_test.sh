#!/usr/bin/env bash
# fuzz_test.sh NAME RUNS MAX_LEN FUZZER SEED...: a bounded, deterministic
# libFuzzer run for a test target. Runs FUZZER for RUNS inputs of at most
# MAX_LEN bytes, starting from the seed corpus, and fails if it finds a
# crash, a sanitizer report or a broken invariant (whatever the fuzz target
# aborts on). New inputs go to $TEST_TMPDIR; a crashing input is kept in the
# test's undeclared outputs (bazel-testlogs/<package>/NAME/test.outputs/).
#
# The run is deterministic (-seed=1); for another one or a longer one:
#   bazel test //<package>:NAME --test_env=FUZZ_SEED=7 --test_env=FUZZ_RUNS=100000
set -uo pipefail
name=$1
runs=${FUZZ_RUNS:-$2}
max_len=$3
fuzzer=$4
shift 4

corpus=${TEST_TMPDIR:?}/corpus
mkdir -p "$corpus"
# The seeds are read-only runfiles; libFuzzer adds new inputs to this copy.
cp -L "$@" "$corpus"/ && chmod u+w "$corpus"/*
artifacts=${TEST_UNDECLARED_OUTPUTS_DIR:-$TEST_TMPDIR}/
log=$TEST_TMPDIR/fuzz.log

"$fuzzer" -runs="$runs" -max_len="$max_len" -seed="${FUZZ_SEED:-1}" -print_final_stats=1 \
  -artifact_prefix="$artifacts" "$corpus" >"$log" 2>&1
status=$?
cat "$log"
if [ $status -ne 0 ]; then
  echo "$name: the fuzzer failed (exit $status); the input is in $artifacts" >&2
  exit 1
fi
if ! grep -q "^Done $runs runs" "$log"; then
  echo "$name: the fuzzer did not run $runs inputs" >&2
  exit 1
fi
seeds=$#
corpus_now=$(find "$corpus" -type f | wc -l)
echo "$name: $runs runs from $seeds seeds, no crash; corpus now $corpus_now inputs"
