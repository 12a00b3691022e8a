"""Rules that run QEMU's riscv64 virt machine.

- qemu_dtb: the device tree QEMU passes to the kernel, for host tests.
- qemu_run: `bazel run` boots an image with the serial console on the
  terminal (`-- --gdb` waits for a debugger on :1234, `-- --display` opens
  a window).
- qemu_test: boots an image headless with a timeout; passes when the serial
  log shows every marker in order and the guest ended through the
  sifive_test device with a pass; keeps the serial log as a test output.
- qemu_bench: `bazel run` boots a benchmark image headless with
  -icount shift=0 and prints the BENCH lines as a table
  (`-- --json FILE` also writes them as JSON).

The machine's command line is built in one place, qemu.sh.
"""

load(":image.bzl", "NeuronImageInfo")

# The one machine every image, test and device-tree dump uses.
QEMU_MACHINE = ["-machine", "virt", "-m", "256M", "-smp", "1"]

_QEMU = "@host_tools//:qemu-system-riscv64"
_FIRMWARE = "@host_tools//:fw_jump.bin"

def _qemu_dtb_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".dtb")
    machine = QEMU_MACHINE[:]
    machine[1] = "virt,dumpdtb=" + out.path
    ctx.actions.run(
        executable = ctx.executable._qemu,
        arguments = machine + ["-nographic"],
        outputs = [out],
        mnemonic = "QemuDumpDtb",
        progress_message = "Dumping the QEMU virt device tree",
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

qemu_dtb = rule(
    implementation = _qemu_dtb_impl,
    attrs = {
        "_qemu": attr.label(default = _QEMU, executable = True, cfg = "exec", allow_single_file = True),
    },
    doc = "The device tree of the QEMU virt machine (QEMU_MACHINE).",
)

_COMMON_ATTRS = {
    "image": attr.label(mandatory = True, providers = [NeuronImageInfo]),
    "icount": attr.bool(default = False, doc = "Exact instruction counting (-icount shift=0)."),
    "_firmware": attr.label(default = _FIRMWARE, allow_single_file = True),
    "_qemu": attr.label(default = _QEMU, allow_single_file = True),
    "_runner": attr.label(default = "//platforms:qemu.sh", allow_single_file = True),
}

def _launcher(ctx, mode, extra):
    """Writes the script that calls qemu.sh with this target's files."""
    image = ctx.attr.image[NeuronImageInfo]
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    args = [
        mode,
        "--qemu",
        ctx.file._qemu.short_path,
        "--bios",
        ctx.file._firmware.short_path,
        "--kernel",
        image.kernel.short_path,
        "--initrd",
        image.archive.short_path,
    ] + (["--icount"] if ctx.attr.icount else []) + (
        ["--append", image.kernel_args] if image.kernel_args else []
    ) + extra + ["--"] + QEMU_MACHINE
    ctx.actions.write(
        output = script,
        is_executable = True,
        content = "#!/usr/bin/env bash\nexec {runner} {args} \"$@\"\n".format(
            runner = ctx.file._runner.short_path,
            args = " ".join(["'%s'" % a for a in args]),
        ),
    )
    files = [ctx.file._qemu, ctx.file._firmware, ctx.file._runner, image.kernel, image.archive]
    return script, ctx.runfiles(files = files)

def _qemu_run_impl(ctx):
    script, runfiles = _launcher(ctx, "run", [])
    return [DefaultInfo(executable = script, runfiles = runfiles)]

qemu_run = rule(
    implementation = _qemu_run_impl,
    attrs = _COMMON_ATTRS,
    executable = True,
    doc = "`bazel run` boots the image with the serial console on the terminal.",
)

def _qemu_test_impl(ctx):
    markers = ctx.actions.declare_file(ctx.label.name + ".markers")
    ctx.actions.write(markers, "\n".join(ctx.attr.markers) + "\n")
    extra = ["--markers", markers.short_path, "--timeout", str(ctx.attr.timeout_seconds)]
    files = [markers]
    if ctx.attr.console_input:
        lines = ctx.actions.declare_file(ctx.label.name + ".input")
        ctx.actions.write(lines, "\n".join(ctx.attr.console_input) + "\n")
        extra += ["--input", lines.short_path, "--script", ctx.file._serial_script.short_path]
        files += [lines, ctx.file._serial_script]
    script, runfiles = _launcher(ctx, "test", extra)
    return [DefaultInfo(executable = script, runfiles = runfiles.merge(ctx.runfiles(files = files)))]

qemu_test = rule(
    implementation = _qemu_test_impl,
    attrs = dict(_COMMON_ATTRS, **{
        # Tests count instructions for time too, so that their threads
        # interleave the same way on a loaded CI machine as on an idle one:
        # markers from several tasks keep their order.
        "icount": attr.bool(default = True, doc = "Exact instruction counting (-icount shift=0): deterministic runs."),
        "markers": attr.string_list(mandatory = True, doc = "Serial log lines expected in this order (substring match)."),
        "console_input": attr.string_list(doc = "Lines typed into the serial console, each after the shell's prompt (`nexus> `)."),
        "_serial_script": attr.label(default = "//platforms:serial_script.py", allow_single_file = True),
        "timeout_seconds": attr.int(default = 60, doc = "Wall-clock limit for the guest."),
    }),
    test = True,
    doc = "Boots the image headless and checks its serial log.",
)

def _qemu_bench_impl(ctx):
    image = ctx.attr.image[NeuronImageInfo]
    markers = ctx.actions.declare_file(ctx.label.name + ".markers")
    ctx.actions.write(markers, "bench: done\n")
    launcher, runfiles = _launcher(ctx, "test", [
        "--markers",
        markers.short_path,
        "--timeout",
        str(ctx.attr.timeout_seconds),
    ])
    script = ctx.actions.declare_file(ctx.label.name + "_bench.sh")
    ctx.actions.write(
        output = script,
        is_executable = True,
        content = """#!/usr/bin/env bash
# Runs the benchmark image, then reports its BENCH lines.
set -euo pipefail
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
json=()
while [ $# -gt 0 ]; do
  case $1 in
    --json) json=(--json "$(cd "${{BUILD_WORKING_DIRECTORY:-.}}" && realpath -m "$2")"); shift 2 ;;
    *) echo "bench: unknown option $1 (use --json FILE)" >&2; exit 2 ;;
  esac
done
TEST_UNDECLARED_OUTPUTS_DIR="$out" {launcher} >"$out/runner.log" 2>&1 || {{
  cat "$out/runner.log" >&2
  exit 1
}}
exec /usr/bin/python3 {report} --log "$out/serial.log" --kernel {kernel} --size {size} "${{json[@]}}"
""".format(
            launcher = launcher.short_path,
            report = ctx.file._report.short_path,
            kernel = image.kernel.short_path,
            size = ctx.file._size.short_path,
        ),
    )
    runfiles = runfiles.merge(ctx.runfiles(files = [launcher, markers, ctx.file._report, ctx.file._size]))
    return [DefaultInfo(executable = script, runfiles = runfiles)]

qemu_bench = rule(
    implementation = _qemu_bench_impl,
    attrs = dict(_COMMON_ATTRS, **{
        "icount": attr.bool(default = True),
        "timeout_seconds": attr.int(default = 300),
        "_report": attr.label(default = "//tools/bench:report.py", allow_single_file = True),
        "_size": attr.label(default = "@host_tools//:llvm-size", allow_single_file = True),
    }),
    executable = True,
    doc = "`bazel run` boots a benchmark image with exact instruction counts and reports.",
)
