"""One cc_toolchain_config rule for every clang toolchain of the project.

The host, riscv64 kernel and riscv64 user toolchains differ only in target
flags, include directories and libraries, so they share this rule and their
BUILD entries say exactly what differs.
"""

load("@host_tools//:defs.bzl", "LLVM_BIN")
load("@rules_cc//cc:action_names.bzl", "ACTION_NAMES")
load(
    "@rules_cc//cc:cc_toolchain_config_lib.bzl",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
)
load("@rules_cc//cc:defs.bzl", "cc_toolchain")

_COMPILE_ACTIONS = [
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
]

_C_ONLY = [ACTION_NAMES.c_compile]

_CXX_ONLY = [ACTION_NAMES.cpp_compile, ACTION_NAMES.cpp_header_parsing]

_LINK_ACTIONS = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

# Flags every toolchain shares: strict warnings, reproducible outputs.
_COMMON_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-fno-common",
    "-no-canonical-prefixes",
    "-fdebug-prefix-map=/proc/self/cwd=.",
    "-Wno-builtin-macro-redefined",
    "-D__DATE__=\"redacted\"",
    "-D__TIMESTAMP__=\"redacted\"",
    "-D__TIME__=\"redacted\"",
]

def _flags_feature(name, actions, flags):
    return feature(
        name = name,
        enabled = True,
        flag_sets = [flag_set(actions = actions, flag_groups = [flag_group(flags = flags)])] if flags else [],
    )

def _impl(ctx):
    tools = {
        "ar": LLVM_BIN + "/llvm-ar",
        "cpp": LLVM_BIN + "/clang-cpp",
        "gcc": LLVM_BIN + "/clang",
        "gcov": "/bin/false",
        "ld": LLVM_BIN + "/ld.lld",
        "nm": LLVM_BIN + "/llvm-nm",
        "objcopy": LLVM_BIN + "/llvm-objcopy",
        "objdump": LLVM_BIN + "/llvm-objdump",
        "strip": LLVM_BIN + "/llvm-strip",
    }
    target = ["--target=" + ctx.attr.target] if ctx.attr.target else []
    features = [
        _flags_feature("default_compile_flags", _COMPILE_ACTIONS, target + _COMMON_COPTS + ctx.attr.copts),
        _flags_feature("default_c_flags", _C_ONLY, ["-std=c11"] + ctx.attr.conlyopts),
        _flags_feature("default_cxx_flags", _CXX_ONLY, ["-std=c++17"]),
        _flags_feature("default_link_flags", _LINK_ACTIONS, target + ctx.attr.linkopts),
        # One build mode: optimized with debug info, so what is tested on the
        # host is compiled the way it runs in QEMU.
        _flags_feature("opt_flags", _COMPILE_ACTIONS, ["-O2", "-g"]),
        feature(name = "supports_pic", enabled = ctx.attr.supports_pic),
    ]
    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = ctx.attr.name,
        host_system_name = "local",
        target_system_name = ctx.attr.target or "local",
        target_cpu = ctx.attr.cpu,
        target_libc = ctx.attr.libc,
        compiler = "clang",
        abi_version = "unknown",
        abi_libc_version = "unknown",
        tool_paths = [tool_path(name = k, path = v) for k, v in tools.items()],
        cxx_builtin_include_directories = ctx.attr.builtin_include_dirs,
        features = features,
    )

clang_toolchain_config = rule(
    implementation = _impl,
    attrs = {
        "builtin_include_dirs": attr.string_list(mandatory = True),
        "conlyopts": attr.string_list(),
        "copts": attr.string_list(),
        "cpu": attr.string(mandatory = True),
        "libc": attr.string(default = "unknown"),
        "linkopts": attr.string_list(),
        "supports_pic": attr.bool(default = False),
        "target": attr.string(doc = "clang --target triple; empty for the host"),
    },
    provides = [CcToolchainConfigInfo],
)

def clang_toolchain(name, config, target_compatible_with, exec_compatible_with):
    """Registers `config` as a C/C++ toolchain named `name`_toolchain.

    The tools are absolute paths into /usr, which every sandbox strategy
    used here can read, so the toolchain needs no files of its own.
    """
    native.filegroup(name = name + "_files")
    cc_toolchain(
        name = name,
        all_files = ":%s_files" % name,
        compiler_files = ":%s_files" % name,
        dwp_files = ":%s_files" % name,
        linker_files = ":%s_files" % name,
        objcopy_files = ":%s_files" % name,
        strip_files = ":%s_files" % name,
        toolchain_config = config,
    )
    native.toolchain(
        name = name + "_toolchain",
        exec_compatible_with = exec_compatible_with,
        target_compatible_with = target_compatible_with,
        toolchain = ":" + name,
        toolchain_type = "@bazel_tools//tools/cpp:toolchain_type",
    )
