#!/usr/bin/env bash
# clang_tidy_run.sh CLANG_TIDY CONFIG REPORT SOURCE -- COMPILE_FLAGS...
# Runs clang-tidy on one source with the flags its target compiles it with
# and writes what it found to REPORT: empty when the source is clean. The
# action itself always succeeds, so reports are cached; the test
# (clang_tidy_test) fails on a non-empty report.
set -uo pipefail
tidy=$1
config=$2
report=$3
src=$4
shift 4
[ "${1:-}" = "--" ] && shift

out=$("$tidy" --quiet --config-file="$config" "$src" -- "$@" 2>&1)
rc=$?

# Paths as the reader knows them, the same on every machine: relative to
# the workspace (clang-tidy makes some absolute, in the sandbox or the
# execroot), and a header reached through a _virtual_includes symlink
# (strip_include_prefix) by its place in the source tree. The source tree's
# root is where $src really is.
src_real=$(readlink -f "$src")
tree_root="${src_real%"$src"}"
strip_execroot='s#(/[^ :]+)?/execroot/[^/ :]+/##g'
out=$(sed -E "$strip_execroot" <<<"$out")
findings=""
while IFS= read -r line; do
  case $line in
    # clang-tidy's counts on stderr, not findings.
    *" warning generated." | *" warnings generated." | *" treated as error"*) continue ;;
  esac
  if [[ $line =~ ^([^:\ ]+):([0-9]+:[0-9]+:.*)$ ]]; then
    file=${BASH_REMATCH[1]}
    if [[ $file == */_virtual_includes/* ]]; then
      real=$(readlink -f "$file")
      # A source file, or a generated one (in the output tree).
      [ -n "$real" ] && file=$(sed -E "$strip_execroot" <<<"${real#"$tree_root"}")
    fi
    line="$file:${BASH_REMATCH[2]}"
  fi
  findings+="$line"$'\n'
done <<<"$out"

if [ $rc -eq 0 ] && ! grep -qE '(warning|error):' <<<"$findings"; then
  : >"$report"
else
  printf '%s' "$findings" >"$report"
  if [ $rc -ne 0 ] && [ -z "${findings//[$'\n ']/}" ]; then
    echo "$src: clang-tidy failed (exit $rc) without a message" >"$report"
  fi
fi
exit 0
