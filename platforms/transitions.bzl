"""Transitions that build a dependency for the QEMU riscv64 platforms.

One `bazel build //...` on the host reaches riscv64 code only through these:
the image rule builds its kernel for //platforms:qemu_virt_riscv64 and its
user programs for //platforms:qemu_virt_riscv64_user.
"""

def _to_kernel(_settings, _attr):
    return {"//command_line_option:platforms": "//platforms:qemu_virt_riscv64"}

def _to_user(_settings, _attr):
    return {"//command_line_option:platforms": "//platforms:qemu_virt_riscv64_user"}

riscv64_kernel_transition = transition(
    implementation = _to_kernel,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

riscv64_user_transition = transition(
    implementation = _to_user,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

# Starlark transitions on attributes need this allowlist in Bazel 4.
TRANSITION_ALLOWLIST = {
    "_allowlist_function_transition": attr.label(
        default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
    ),
}

def transitioned_target(attr):
    """The Target behind a label attribute that has a Starlark transition.

    Bazel 4 gives such an attribute as a one-element list even for a 1:1
    transition.
    """
    return attr[0] if type(attr) == "list" else attr
