"""A cc_binary built for a NEURON riscv64 platform, as a file a host test reads.

- riscv64_user_file: for the user platform. Host tests take it as data to
  check the loader against what the real user toolchain links.
- riscv64_kernel_file: for the kernel platform. Host tests read the linked
  kernel (its sections, its code).

The transition builds the binary for riscv64 from a host build.
"""

load(
    ":transitions.bzl",
    "TRANSITION_ALLOWLIST",
    "riscv64_kernel_transition",
    "riscv64_user_transition",
    "transitioned_target",
)

def _riscv64_file_impl(ctx):
    binary = transitioned_target(ctx.attr.binary)
    src = binary[DefaultInfo].files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name + ".elf")
    ctx.actions.symlink(output = out, target_file = src)
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

def _riscv64_file_rule(transition, platform):
    return rule(
        implementation = _riscv64_file_impl,
        attrs = dict(TRANSITION_ALLOWLIST, **{
            "binary": attr.label(
                cfg = transition,
                executable = True,
                mandatory = True,
                doc = "The cc_binary to build for %s." % platform,
            ),
        }),
        doc = "Builds a binary for %s and exposes it as one file." % platform,
    )

riscv64_user_file = _riscv64_file_rule(riscv64_user_transition, "//platforms:qemu_virt_riscv64_user")

riscv64_kernel_file = _riscv64_file_rule(riscv64_kernel_transition, "//platforms:qemu_virt_riscv64")
