"""riscv64_user_file: a cc_binary built for the NEURON user platform, as a file.

Host tests take it as data to check the loader against what the real user
toolchain links; the transition builds it for riscv64 from a host build.
"""

load(":transitions.bzl", "TRANSITION_ALLOWLIST", "riscv64_user_transition", "transitioned_target")

def _riscv64_user_file_impl(ctx):
    binary = transitioned_target(ctx.attr.binary)
    src = binary[DefaultInfo].files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name + ".elf")
    ctx.actions.symlink(output = out, target_file = src)
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

riscv64_user_file = rule(
    implementation = _riscv64_user_file_impl,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "binary": attr.label(
            cfg = riscv64_user_transition,
            executable = True,
            mandatory = True,
            doc = "The cc_binary to build for //platforms:qemu_virt_riscv64_user.",
        ),
    }),
    doc = "Builds a binary for the NEURON user platform and exposes it as one file.",
)
