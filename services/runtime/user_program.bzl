"""nx_user_program: a NEURON user program (riscv64, rv64gc, picolibc).

Links the program with the user runtime (crt0, syscall stubs) and the user
layout (user.ld). Images take such programs in `programs`; the image rule
builds them for //platforms:qemu_virt_riscv64_user.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary")

def nx_user_program(name, srcs, deps = [], visibility = None, **kwargs):
    """Declares a user program `name` built from `srcs`."""
    cc_binary(
        name = name,
        srcs = srcs,
        additional_linker_inputs = ["//services/runtime:user.ld"],
        linkopts = [
            "-Wl,-T,$(location //services/runtime:user.ld)",
            "-lc",
            "-lgcc",
        ],
        target_compatible_with = [
            "//platforms:riscv64",
            "//platforms:neuron_user",
        ],
        visibility = visibility,
        deps = deps + ["//services/runtime"],
        **kwargs
    )
