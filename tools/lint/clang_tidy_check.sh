#!/usr/bin/env bash
# The test clang_tidy_test generates from this template: fails, printing
# every finding (file:line: message [check]), if any clang-tidy report of
# @DIRS@ is non-empty. A finding in a header shows up once however many
# sources include it.
set -uo pipefail
reports=@REPORTS@
count=0
dirty=0
findings=""
while IFS= read -r report; do
  [ -n "$report" ] || continue
  count=$((count + 1))
  if [ ! -f "$report" ]; then
    echo "clang_tidy: report $report is missing" >&2
    exit 1
  elif [ -s "$report" ]; then
    dirty=$((dirty + 1))
    findings+=$(cat "$report")$'\n'
  fi
done <"$reports"

if [ $dirty -eq 0 ]; then
  echo "clang_tidy: $count C sources in @DIRS@ are clean (/.clang-tidy)"
  exit 0
fi
# Each finding is its line with the notes and source excerpts that follow
# it; print each distinct block once.
awk '
  /^[^ :]+:[0-9]+:[0-9]+: (warning|error):/ { flush(); block = $0; next }
  /^$/ { next }
  { block = block "\n" $0 }
  function flush() { if (block != "" && !(block in seen)) { seen[block] = 1; print block } block = "" }
  END { flush() }
' <<<"$findings"

echo
echo "clang_tidy: findings in $dirty of $count C sources in @DIRS@ (/.clang-tidy);" \
  "fix them, or suppress a false positive at its line with /* NOLINT(check): reason */"
exit 1
