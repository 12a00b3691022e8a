"""fuzz_binary: a cc_binary built, with everything it depends on, for libFuzzer;
fuzz_test: a bounded, deterministic run of a fuzzer over its seeds.

A target's copts do not reach its dependencies, and a fuzzer over whole
syscalls is only useful if the kernel code it runs is instrumented too
(coverage for libFuzzer, AddressSanitizer and UBSan for the checks). So the
binary is built through a transition that adds the sanitizer flags to every
compile (and the fuzzer's to the link), in a configuration of its own: the
ordinary build of the same libraries keeps the toolchain's flags.
"""

load("//platforms:transitions.bzl", "TRANSITION_ALLOWLIST", "transitioned_target")

# As //kernel/fdt:fdt_fuzz uses them (host clang 14; the runtime is
# Debian's libclang-rt-14-dev). Clang adds its default ignore lists as inputs
# Bazel cannot see; they only exempt one libstdc++ helper from ASan.
_COPTS = [
    "-fsanitize=fuzzer-no-link,address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-sanitize-ignorelist",
]

# The toolchain links with the C driver: UBSan's C++ checks (vptr) need its
# C++ runtime asked for.
_LINKOPTS = [
    "-fsanitize=fuzzer,address,undefined",
    "-fsanitize-link-c++-runtime",
    "-fno-sanitize-recover=all",
]

def _sanitized(settings, _attr):
    return {
        "//command_line_option:copt": settings["//command_line_option:copt"] + _COPTS,
        "//command_line_option:linkopt": settings["//command_line_option:linkopt"] + _LINKOPTS,
    }

_sanitized_transition = transition(
    implementation = _sanitized,
    inputs = [
        "//command_line_option:copt",
        "//command_line_option:linkopt",
    ],
    outputs = [
        "//command_line_option:copt",
        "//command_line_option:linkopt",
    ],
)

def _fuzz_binary_impl(ctx):
    binary = transitioned_target(ctx.attr.binary)[DefaultInfo]
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(
        output = out,
        target_file = binary.files_to_run.executable,
        is_executable = True,
    )
    runfiles = ctx.runfiles(files = [out]).merge(binary.default_runfiles)
    return [DefaultInfo(executable = out, files = depset([out]), runfiles = runfiles)]

fuzz_binary = rule(
    implementation = _fuzz_binary_impl,
    executable = True,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "binary": attr.label(
            cfg = _sanitized_transition,
            executable = True,
            mandatory = True,
            doc = "The cc_binary with LLVMFuzzerTestOneInput (no main).",
        ),
    }),
    doc = "The libFuzzer binary `binary`, its dependencies built with ASan, UBSan and coverage.",
)

def fuzz_test(name, fuzzer, corpus, runs, max_len):
    """A bounded, deterministic run of `fuzzer` over the seeds in `corpus`.

    It runs `runs` inputs of at most `max_len` bytes through
    //tools/fuzz:fuzz_test.sh, which fails on a crash, a sanitizer report or
    a broken invariant.

    Args:
      name: the test's name.
      fuzzer: the libFuzzer binary (a fuzz_binary or a sanitized cc_binary).
      corpus: a filegroup of seed inputs.
      runs: how many inputs to run.
      max_len: the largest input libFuzzer may make.
    """
    native.sh_test(
        name = name,
        srcs = ["//tools/fuzz:fuzz_test.sh"],
        args = [
            name,
            str(runs),
            str(max_len),
            "$(rootpath %s)" % fuzzer,
            "$(rootpaths %s)" % corpus,
        ],
        data = [
            corpus,
            fuzzer,
        ],
    )
