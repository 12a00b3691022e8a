"""format_test: checks that a module's BUILD/.bzl and C/C++ files are clean.

The test reads the source tree itself (every file of the module, which no
glob can reach across packages), so it is tagged `external` (never cached)
and `local` (it reads files outside its runfiles).
"""

def format_test(name, dirs, **kwargs):
    """Declares a format test over `dirs` (relative to the workspace root)."""
    native.sh_test(
        name = name,
        srcs = ["//tools/lint:format_check.sh"],
        args = [
            "$(location @host_tools//:buildifier)",
            "$(location @host_tools//:clang-format)",
        ] + dirs,
        data = [
            "//:WORKSPACE",
            "@host_tools//:buildifier",
            "@host_tools//:clang-format",
        ],
        tags = [
            "external",
            "local",
        ],
        **kwargs
    )
