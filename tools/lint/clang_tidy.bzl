"""clang_tidy_test: clang-tidy 14 (/.clang-tidy) on a module's C sources.

`clang_tidy_aspect` walks a target's `deps` (and `binary`, for
nx_user_program) and runs clang-tidy on every C source (`.c`) of each
cc_library, cc_binary and cc_test it visits, with the flags that target
compiles it with: the toolchain's flags for the configuration the target is
built in (for riscv64 its --target, -march, -mabi, -ffreestanding...), the
target's copts, and the includes, quote includes, system includes and
defines of its CcInfo compilation context. Each source gets its own action
and its own report file, so reports are cached and only what changed is
analyzed again. An action succeeds whatever it finds; the finding goes into
its report, and the test fails, printing every finding with file:line, when
any report of its module is non-empty.

What is checked:
  - C sources only: C++ (the GoogleTest files and host fakes) is not
    analyzed, and neither are generated sources (abigen, idlgen: fix the
    generator instead) or anything outside this workspace (external/,
    /usr). Headers are checked through the sources that include them, as
    far as /.clang-tidy's HeaderFilterRegex reaches (the workspace's own).
  - Each source in one configuration: the one its target is reached in
    from the test's attributes. `kernel` is built for the riscv64 kernel
    platform, `user` for the riscv64 user platform (both through the
    transitions of //platforms:transitions.bzl, so riscv64-only targets such
    as //kernel/core:core are covered), `host` for the host. Portable code
    reached from a riscv64 target is analyzed there and not again for the
    host.
  - Only the reports of targets in the test's `dirs`: a module's test does
    not report another module's sources it happens to depend on.
  - Not the sources in _EXCLUDED below, and not the checked-in copies of
    generated code (kernel/abi/golden/), which no target compiles.

Run the aspect alone on any target (reports under bazel-bin/.../NAME.tidy/):
  bazel build //kernel:neuron --platforms=//platforms:qemu_virt_riscv64 \
    --aspects=//tools/lint:clang_tidy.bzl%clang_tidy_aspect --output_groups=clang_tidy
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")
load("@rules_cc//cc:action_names.bzl", "ACTION_NAMES")
load(
    "//platforms:transitions.bzl",
    "TRANSITION_ALLOWLIST",
    "riscv64_kernel_transition",
    "riscv64_user_transition",
)

ClangTidyInfo = provider(
    doc = "The clang-tidy reports of a target and of everything it depends on.",
    fields = {"reports": "depset of File: one report per C source, empty if clean"},
)

# Sources not analyzed: workspace path -> the reason (and the finding).
# Empty: every C source the tests reach is clean. Meant for a file whose
# finding cannot be fixed now (say, one being rewritten elsewhere), not for
# false positives: suppress those at their line with a reason.
_EXCLUDED = {
}

# CcInfo is native in Bazel 4.2.3; rules_cc 0.0.4 has no cc_info.bzl.
# buildifier: disable=native-cc-info
_CcInfo = CcInfo

_RULE_KINDS = ["cc_library", "cc_binary", "cc_test"]

# The attributes the aspect follows: cc rules' deps, and nx_user_program's
# linked binary (its `deps` repeat the binary's).
_ATTR_ASPECTS = ["deps", "binary"]

def _dep_targets(ctx):
    targets = []
    for name in _ATTR_ASPECTS:
        value = getattr(ctx.rule.attr, name, None)
        if value == None:
            continue
        targets.extend(value if type(value) == "list" else [value])
    return targets

def _compile_flags(ctx, target, cc_toolchain):
    """The C compile command line of `target`, without source and output."""
    feature_configuration = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
    compilation_context = target[_CcInfo].compilation_context
    rule_attr = ctx.rule.attr
    copts = [
        ctx.expand_make_variables("copts", opt, {})
        for opt in getattr(rule_attr, "copts", [])
    ]
    defines = depset(
        getattr(rule_attr, "local_defines", []),
        transitive = [compilation_context.defines],
    )
    variables = cc_common.create_compile_variables(
        feature_configuration = feature_configuration,
        cc_toolchain = cc_toolchain,
        user_compile_flags = copts,
        include_directories = compilation_context.includes,
        quote_include_directories = compilation_context.quote_includes,
        system_include_directories = compilation_context.system_includes,
        preprocessor_defines = defines,
    )
    return cc_common.get_memory_inefficient_command_line(
        feature_configuration = feature_configuration,
        action_name = ACTION_NAMES.c_compile,
        variables = variables,
    )

def _rule_files(ctx, attr_name):
    return [
        f
        for t in getattr(ctx.rule.attr, attr_name, [])
        for f in t.files.to_list()
    ]

def _result(reports):
    # The output group lets the aspect run from the command line too (see
    # the top of this file).
    return [
        ClangTidyInfo(reports = reports),
        OutputGroupInfo(clang_tidy = reports),
    ]

def _clang_tidy_aspect_impl(target, ctx):
    transitive = [
        dep[ClangTidyInfo].reports
        for dep in _dep_targets(ctx)
        if ClangTidyInfo in dep
    ]
    if (ctx.rule.kind not in _RULE_KINDS or _CcInfo not in target or
        target.label.workspace_root != ""):
        return _result(depset(transitive = transitive))

    srcs = [
        f
        for f in _rule_files(ctx, "srcs")
        if f.is_source and f.extension == "c" and f.short_path not in _EXCLUDED
    ]
    if not srcs:
        return _result(depset(transitive = transitive))

    cc_toolchain = find_cpp_toolchain(ctx)
    flags = _compile_flags(ctx, target, cc_toolchain)
    inputs = depset(
        [ctx.file._config] + _rule_files(ctx, "srcs") + _rule_files(ctx, "hdrs") +
        _rule_files(ctx, "textual_hdrs"),
        transitive = [
            target[_CcInfo].compilation_context.headers,
            cc_toolchain.all_files,
        ],
    )
    tidy = ctx.executable._clang_tidy
    reports = []
    for src in srcs:
        report = ctx.actions.declare_file("%s.tidy/%s.txt" % (target.label.name, src.short_path))
        args = ctx.actions.args()
        args.add(tidy)
        args.add(ctx.file._config)
        args.add(report)
        args.add(src)
        args.add("--")
        args.add_all(flags)
        ctx.actions.run(
            executable = ctx.executable._run,
            arguments = [args],
            inputs = depset([src], transitive = [inputs]),
            outputs = [report],
            tools = [tidy],
            mnemonic = "ClangTidy",
            progress_message = "clang-tidy %s" % src.short_path,
        )
        reports.append(report)
    return _result(depset(reports, transitive = transitive))

clang_tidy_aspect = aspect(
    implementation = _clang_tidy_aspect_impl,
    attr_aspects = _ATTR_ASPECTS,
    attrs = {
        "_clang_tidy": attr.label(
            default = "@host_tools//:clang-tidy",
            allow_single_file = True,
            executable = True,
            cfg = "exec",
        ),
        "_config": attr.label(default = "//:.clang-tidy", allow_single_file = True),
        "_run": attr.label(
            default = "//tools/lint:clang_tidy_run.sh",
            allow_single_file = True,
            executable = True,
            cfg = "exec",
        ),
    },
    fragments = ["cpp"],
    # The C toolchain of the configuration the visited target is built in:
    # toolchain resolution picks host, riscv64 kernel or riscv64 user.
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    doc = "Runs clang-tidy on the C sources of cc targets (see clang_tidy.bzl).",
)

def _in_dirs(package, dirs):
    for d in dirs:
        if package == d or package.startswith(d + "/"):
            return True
    return False

def _clang_tidy_test_impl(ctx):
    targets = ctx.attr.kernel + ctx.attr.user + ctx.attr.host
    reports = depset(transitive = [t[ClangTidyInfo].reports for t in targets])
    mine = [r for r in reports.to_list() if _in_dirs(r.owner.package, ctx.attr.dirs)]
    if not mine:
        fail("no C sources under %s among the targets' reports" % ctx.attr.dirs)
    report_list = ctx.actions.declare_file(ctx.label.name + ".reports")
    ctx.actions.write(report_list, "\n".join([r.short_path for r in mine]) + "\n")
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.expand_template(
        template = ctx.file._check,
        output = script,
        substitutions = {
            "@DIRS@": " ".join(ctx.attr.dirs),
            "@REPORTS@": report_list.short_path,
        },
        is_executable = True,
    )
    return [DefaultInfo(
        executable = script,
        runfiles = ctx.runfiles(files = mine + [report_list]),
    )]

_clang_tidy_test = rule(
    implementation = _clang_tidy_test_impl,
    test = True,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "dirs": attr.string_list(
            mandatory = True,
            doc = "Report only the sources of packages under these directories.",
        ),
        "host": attr.label_list(
            aspects = [clang_tidy_aspect],
            doc = "Targets analyzed in the host configuration (host-only code).",
        ),
        "kernel": attr.label_list(
            aspects = [clang_tidy_aspect],
            cfg = riscv64_kernel_transition,
            doc = "Targets analyzed for //platforms:qemu_virt_riscv64 (the kernel).",
        ),
        "user": attr.label_list(
            aspects = [clang_tidy_aspect],
            cfg = riscv64_user_transition,
            doc = "Targets analyzed for //platforms:qemu_virt_riscv64_user (user programs).",
        ),
        "_check": attr.label(
            default = "//tools/lint:clang_tidy_check.sh",
            allow_single_file = True,
        ),
    }),
    doc = "Fails if clang-tidy finds anything in the C sources under `dirs`.",
)

def clang_tidy_test(name, dirs, kernel = [], user = [], host = [], size = "small", **kwargs):
    """Declares a clang-tidy test over the C sources of `dirs`.

    Args:
      name: the test.
      dirs: the directories (relative to the workspace root) whose sources
        the test reports; the targets' other dependencies are not reported.
      kernel: targets to analyze built for the riscv64 kernel platform.
      user: targets to analyze built for the riscv64 user platform.
      host: targets to analyze built for the host (host-only C code).
      size: the test's size; the test only reads the reports, which the
        build made.
      **kwargs: test attributes (testonly, tags...).
    """
    _clang_tidy_test(
        name = name,
        dirs = dirs,
        host = host,
        kernel = kernel,
        size = size,
        user = user,
        **kwargs
    )
