"""neuron_image: a bootable NEURON image for the QEMU virt machine.

An image is the kernel ELF (built for //platforms:qemu_virt_riscv64) plus a
boot archive (a cpio "newc" archive of the user programs, built for
//platforms:qemu_virt_riscv64_user). QEMU loads the archive as the initrd;
the kernel finds it through /chosen in the device tree.

Programs go in two directories of the archive: bin/ holds the ones the
kernel starts at boot (`programs`), app/ the ones only a running program
starts, through task_create with the boot archive's handle (`apps`).
With a `manifest` (nx_system_manifest, //tools/manifest), the archive also
holds init's boot plan as etc/bootplan. `kernel_args` are the kernel's boot
arguments (QEMU's -append, /chosen's bootargs), e.g. neuron.asid_bits=2.
"""

load("//tools/manifest:manifest.bzl", "NxBootPlanInfo")
load(
    ":transitions.bzl",
    "TRANSITION_ALLOWLIST",
    "riscv64_kernel_transition",
    "riscv64_user_transition",
    "transitioned_target",
)

NeuronImageInfo = provider(
    doc = "A bootable image: the kernel ELF and its boot archive.",
    fields = {
        "archive": "File: the boot archive (cpio newc)",
        "kernel": "File: the kernel ELF",
        "kernel_args": "string: the kernel's boot arguments (empty: none)",
    },
)

def _neuron_image_impl(ctx):
    kernel_in = transitioned_target(ctx.attr.kernel)[DefaultInfo].files_to_run.executable
    kernel = ctx.actions.declare_file(ctx.label.name + ".elf")
    ctx.actions.symlink(output = kernel, target_file = kernel_in)

    archive = ctx.actions.declare_file(ctx.label.name + ".cpio")
    args = ctx.actions.args()
    args.add("--output", archive)
    programs = []
    for directory, targets in [("bin", ctx.attr.programs), ("app", ctx.attr.apps)]:
        for p in targets:
            f = p[DefaultInfo].files_to_run.executable
            programs.append(f)
            args.add("--file", "%s/%s=%s" % (directory, f.basename, f.path))
    if ctx.attr.manifest:
        plan = ctx.attr.manifest[NxBootPlanInfo]

        # init starts what the plan lists from this archive: refuse a plan
        # naming a program the image does not pack.
        packed = [t.label for t in ctx.attr.programs + ctx.attr.apps]
        for label in plan.programs:
            if label not in packed:
                fail("%s lists %s, which is in neither programs nor apps" % (ctx.attr.manifest.label, label), attr = "manifest")
        programs.append(plan.plan)
        args.add("--file", "etc/bootplan=%s" % plan.plan.path)
    ctx.actions.run(
        executable = ctx.executable._pack,
        arguments = [args],
        inputs = programs,
        outputs = [archive],
        mnemonic = "BootArchive",
        progress_message = "Packing boot archive %s" % archive.short_path,
    )
    files = [kernel, archive]
    return [
        DefaultInfo(files = depset(files), runfiles = ctx.runfiles(files = files)),
        NeuronImageInfo(kernel = kernel, archive = archive, kernel_args = ctx.attr.kernel_args),
    ]

neuron_image = rule(
    implementation = _neuron_image_impl,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "kernel": attr.label(
            cfg = riscv64_kernel_transition,
            default = "//kernel:neuron",
            executable = True,
            doc = "The kernel binary.",
        ),
        "kernel_args": attr.string(
            doc = "The kernel's boot arguments (/chosen bootargs), e.g. neuron.asid_bits=2.",
        ),
        "apps": attr.label_list(
            cfg = riscv64_user_transition,
            doc = "User programs packed under app/: started by other programs (task_create).",
        ),
        "manifest": attr.label(
            providers = [NxBootPlanInfo],
            doc = "An nx_system_manifest: its boot plan is packed as etc/bootplan.",
        ),
        "programs": attr.label_list(
            cfg = riscv64_user_transition,
            doc = "User programs packed under bin/: the kernel starts each at boot.",
        ),
        "_pack": attr.label(
            cfg = "exec",
            default = "//tools/bootarchive:pack",
            executable = True,
        ),
    }),
    doc = "Builds a bootable NEURON image (kernel ELF + boot archive).",
)
