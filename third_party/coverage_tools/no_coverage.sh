#!/bin/sh
echo "coverage is not collected through Bazel in this workspace" >&2
exit 1
