#!/usr/bin/env bash
# format_check.sh BUILDIFIER CLANG_FORMAT DIR...
# Fails if a BUILD/.bzl file under DIR is not buildifier-clean (format and
# lint) or a C/C++ file is not clang-format clean (style: /.clang-format).
# DIRs are relative to the workspace root; "." means the files at the root
# and the directories that belong to no module.
set -uo pipefail
buildifier=$(realpath "$1")
clang_format=$(realpath "$2")
shift 2
# The workspace root: WORKSPACE is a runfile symlinked to the source tree.
root=$(dirname "$(realpath WORKSPACE)")
cd "$root" || exit 1

# Warnings that do not apply to Bazel 4.2.3: py_*, sh_* and cc_common are
# still native there, and rules_python and rules_shell do not exist offline.
warnings=-native-py,-native-cc-common,-native-sh-binary,-native-sh-test

list() { # list DIR PATTERN...: files under DIR (not in bazel-*, node_modules)
  local dir=$1
  shift
  local names=()
  for p in "$@"; do names+=(-o -name "$p"); done
  if [ "$dir" = . ]; then
    find . -maxdepth 1 -type f \( -false "${names[@]}" \)
    dir="platforms toolchains tools tests third_party"
  fi
  # shellcheck disable=SC2086
  find $dir -type d \( -name node_modules -o -name 'bazel-*' \) -prune -o \
    -type f \( -false "${names[@]}" \) -print
}

status=0
mapfile -t build_files < <(list "$@" BUILD BUILD.bazel '*.bzl' '*.BUILD' WORKSPACE | sort)
mapfile -t c_files < <(list "$@" '*.c' '*.h' '*.cc' | sort)
if [ ${#build_files[@]} -gt 0 ]; then
  if ! "$buildifier" -mode=check -lint=warn -warnings="$warnings" "${build_files[@]}"; then
    echo "format_check: fix with: buildifier -mode=fix <files above> (not -lint=fix: it adds loads of rules_python/rules_shell, which Bazel 4 offline lacks)" >&2
    status=1
  fi
fi
for f in "${c_files[@]}"; do
  if ! "$clang_format" --dry-run --Werror "$f" 2>/dev/null; then
    echo "format_check: $f is not clang-format clean (clang-format-14 -i $f)" >&2
    status=1
  fi
done
echo "format_check: ${#build_files[@]} BUILD/.bzl files, ${#c_files[@]} C/C++ files in: $*"
exit $status
