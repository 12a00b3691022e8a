"""Debian's rules_cc 0.0.4, adapted to Bazel 4.2.3.

rules_cc 0.0.4 loads `use_cpp_toolchain` from @bazel_tools, which Bazel 4.2.3
does not have. Because @bazel_tools//tools/cpp itself loads @rules_cc, a
broken rules_cc breaks every C/C++ build, so this rule copies the Debian tree
and rewrites the two loads to the equivalent toolchain label.
"""

_PATCHED = [
    "cc/private/rules_impl/compiler_flag.bzl",
    "cc/private/rules_impl/cc_flags_supplier.bzl",
]

def _debian_rules_cc_impl(ctx):
    src = ctx.path(ctx.attr.path)
    if not src.exists:
        fail("rules_cc not found at %s: run ./nx setup (Debian package bazel-rules-cc)" % src)
    res = ctx.execute(["cp", "-R", str(src) + "/.", "."])
    if res.return_code != 0:
        fail("rules_cc: copying %s failed: %s" % (src, res.stderr))
    for rel in _PATCHED:
        text = ctx.read(rel)
        text = text.replace(", \"use_cpp_toolchain\")", ")")
        text = text.replace("use_cpp_toolchain()", "[\"@bazel_tools//tools/cpp:toolchain_type\"]")
        if "use_cpp_toolchain" in text:
            fail("rules_cc: an unexpected use_cpp_toolchain is left in " + rel)
        ctx.file(rel, text, executable = False)

debian_rules_cc = repository_rule(
    implementation = _debian_rules_cc_impl,
    attrs = {"path": attr.string(mandatory = True)},
    local = True,
)
