"""nx_user_program: a NEURON user program (riscv64, rv64gc, picolibc).

Links the program with the user runtime (crt0, syscall stubs) and the user
layout (user.ld). Images take such programs in `programs`; the image rule
builds them for //platforms:qemu_virt_riscv64_user.

A program also declares what it needs from the system (docs/manifest.md):
the service it provides and its `api`, the services it calls, its device
regions and interrupts, its memory quota and priority. The target carries
them as NxProgramInfo, together with every `api` target (nx_api_library)
it is built against, so that nx_system_manifest (//tools/manifest) can check
the declarations against the dependency graph and write init's boot plan.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library")

NxApiInfo = provider(
    doc = "Marks a service's public api target (nx_api_library).",
    fields = {"service": "string: the service whose protocol the library speaks"},
)

NxApiDepsInfo = provider(
    doc = "The api targets a target reaches through `deps` (_api_deps_aspect).",
    fields = {"apis": "depset of struct(label, service): every nx_api_library reached"},
)

NxProgramInfo = provider(
    doc = "A user program's declared needs and the api targets it is built against.",
    fields = {
        "api": "string: the label of the api target of the service it provides, or \"\"",
        "api_deps": "depset of struct(label, service): every api target in its deps, transitively",
        "api_service": "string: the service that api target declares, or \"\"",
        "calls": "list of strings: the services it may call",
        "irqs": "list of strings: the interrupt lines it gets, by name",
        "label": "string: the program's label",
        "mmio": "list of strings: the device regions it gets, by name",
        "name": "string: the program's name (its file under bin/ or app/)",
        "priority": "int: its priority (0 .. 31, higher runs first), -1 if not declared",
        "provides": "string: the service it serves, or \"\"",
        "quota_pages": "int: its memory quota in 4 KiB pages, 0 if not declared",
    },
)

# User programs run only on the user platform; `bazel build //...` on the
# host skips them and builds them inside images (through the transition).
_USER_PLATFORM = [
    "//platforms:riscv64",
    "//platforms:neuron_user",
]

def _api_deps_aspect_impl(target, ctx):
    # An aspect rather than a provider of the api rule alone: a program may
    # reach an api through a plain cc_library (a client helper), and
    # cc_library does not pass Starlark providers on.
    direct = []
    if NxApiInfo in target:
        direct.append(struct(label = str(target.label), service = target[NxApiInfo].service))
    deps = getattr(ctx.rule.attr, "deps", [])
    transitive = [
        dep[NxApiDepsInfo].apis
        for dep in (deps if type(deps) == "list" else [])
        if NxApiDepsInfo in dep
    ]
    return [NxApiDepsInfo(apis = depset(direct, transitive = transitive))]

_api_deps_aspect = aspect(
    implementation = _api_deps_aspect_impl,
    attr_aspects = ["deps"],
    doc = "Collects the nx_api_library targets reachable through `deps`.",
)

def _api_library_impl(ctx):
    lib = ctx.attr.deps[0]

    # CcInfo is native in Bazel 4.2.3; rules_cc 0.0.4 has no cc_info.bzl.
    # buildifier: disable=native-cc-info
    cc_info = lib[CcInfo]
    return [
        DefaultInfo(files = lib[DefaultInfo].files),
        cc_info,
        NxApiInfo(service = ctx.attr.service),
    ]

_api_library = rule(
    implementation = _api_library_impl,
    attrs = {
        # One cc_library. Named `deps` so that _api_deps_aspect walks on
        # through it to whatever the api itself is built on.
        # buildifier: disable=native-cc-info
        "deps": attr.label_list(mandatory = True, providers = [CcInfo]),
        "service": attr.string(mandatory = True),
    },
    doc = "A cc_library (in deps) marked as the api of `service`.",
)

def nx_api_library(name, service, visibility = None, tags = None, testonly = None, target_compatible_with = None, **kwargs):
    """Declares `name`, the public api of `service`: a cc_library marked with NxApiInfo.

    Programs build against it like against any cc_library (it forwards
    CcInfo); the mark is what lets the manifest check that a program calling
    `service` is built against its api, and only against the apis it calls.

    Args:
      name: the target, usually "api".
      service: the service's name, as providers declare it in `provides`.
      visibility: who may build against the api.
      tags: given to both targets.
      testonly: given to both targets.
      target_compatible_with: given to both targets.
      **kwargs: cc_library attributes (srcs, hdrs, deps, strip_include_prefix...).
    """
    cc_library(
        name = name + "_cc",
        tags = tags,
        target_compatible_with = target_compatible_with,
        testonly = testonly,
        visibility = ["//visibility:private"],
        **kwargs
    )
    _api_library(
        name = name,
        service = service,
        tags = tags,
        target_compatible_with = target_compatible_with,
        testonly = testonly,
        visibility = visibility,
        deps = [":" + name + "_cc"],
    )

def _program_impl(ctx):
    # The program file keeps the target's name: images pack it under that
    # basename (bin/NAME, app/NAME), and task_create looks it up by name.
    program = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = program, target_file = ctx.executable.binary, is_executable = True)
    api = ctx.attr.api
    return [
        DefaultInfo(executable = program, files = depset([program])),
        NxProgramInfo(
            api = str(api.label) if api else "",
            api_deps = depset(transitive = [dep[NxApiDepsInfo].apis for dep in ctx.attr.deps]),
            api_service = api[NxApiInfo].service if api else "",
            calls = ctx.attr.calls,
            irqs = ctx.attr.irqs,
            label = str(ctx.label),
            mmio = ctx.attr.mmio,
            name = ctx.label.name,
            priority = ctx.attr.priority,
            provides = ctx.attr.provides,
            quota_pages = ctx.attr.quota_pages,
        ),
    ]

_program = rule(
    implementation = _program_impl,
    executable = True,
    attrs = {
        "api": attr.label(providers = [NxApiInfo]),
        "binary": attr.label(mandatory = True, executable = True, cfg = "target"),
        "calls": attr.string_list(),
        # The binary's deps again, for the aspect (cc_binary cannot carry it).
        "deps": attr.label_list(aspects = [_api_deps_aspect]),
        "irqs": attr.string_list(),
        "mmio": attr.string_list(),
        "priority": attr.int(default = -1),
        "provides": attr.string(),
        "quota_pages": attr.int(default = 0),
    },
    doc = "A linked user program (`binary`) with its declared needs (NxProgramInfo).",
)

def nx_user_program(
        name,
        srcs,
        deps = [],
        provides = "",
        api = None,
        calls = [],
        mmio = [],
        irqs = [],
        quota_pages = 0,
        priority = -1,
        visibility = None,
        tags = None,
        testonly = None,
        **kwargs):
    """Declares a user program `name` built from `srcs`.

    The needs below matter only to images with a manifest (docs/manifest.md);
    nx_system_manifest refuses a program in its list that leaves priority or
    quota_pages undeclared.

    Args:
      name: the program's name, also its file name in the boot archive.
      srcs: its sources.
      deps: libraries, among them the api targets of the services it calls.
      provides: the name of the service it serves, if any.
      api: for a provider, its service's public api (an nx_api_library).
      calls: the names of the services it may call.
      mmio: the device regions it gets, by name (e.g. "uart").
      irqs: the interrupt lines it gets, by name (e.g. "uart").
      quota_pages: its memory quota in 4 KiB pages.
      priority: its priority, 0 .. 31 (higher runs first).
      visibility: who may use the program (images, manifests).
      tags: given to the program and its binary.
      testonly: given to the program and its binary.
      **kwargs: cc_binary attributes (copts...).
    """
    deps = deps + ["//services/runtime"]

    # The linked ELF; the target `name` gives it its final name.
    cc_binary(
        name = name + ".elf",
        srcs = srcs,
        additional_linker_inputs = ["//services/runtime:user.ld"],
        linkopts = [
            "-Wl,-T,$(location //services/runtime:user.ld)",
            "-lc",
            "-lgcc",
        ],
        tags = tags,
        target_compatible_with = _USER_PLATFORM,
        testonly = testonly,
        visibility = ["//visibility:private"],
        deps = deps,
        **kwargs
    )
    _program(
        name = name,
        api = api,
        binary = ":" + name + ".elf",
        calls = calls,
        irqs = irqs,
        mmio = mmio,
        priority = priority,
        provides = provides,
        quota_pages = quota_pages,
        tags = tags,
        target_compatible_with = _USER_PLATFORM,
        testonly = testonly,
        visibility = visibility,
        deps = deps,
    )
