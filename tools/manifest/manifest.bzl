"""nx_system_manifest: an image's checked system manifest and init's boot plan.

Takes the programs init starts (nx_user_program targets) and runs
manifest_check.py over what they declare and what they are built against
(NxProgramInfo). The check is a build action: a manifest that grants a
service a program is not built against, names something unknown, calls a
lower-priority server, provides a service twice or has a call cycle fails
`bazel build` with one line per problem. Its output is the boot plan,
which neuron_image packs as etc/bootplan (its `manifest` attribute).
See docs/manifest.md.
"""

load(
    "//platforms:transitions.bzl",
    "TRANSITION_ALLOWLIST",
    "riscv64_user_transition",
)
load("//services/runtime:user_program.bzl", "NxProgramInfo")

NxBootPlanInfo = provider(
    doc = "A checked system manifest: init's boot plan and the programs in it.",
    fields = {
        "plan": "File: the boot plan (docs/manifest.md)",
        "programs": "list of Label: the programs the plan starts",
    },
)

def _program_json(info):
    return {
        "api": info.api,
        "api_deps": [
            {"label": dep.label, "service": dep.service}
            for dep in info.api_deps.to_list()
        ],
        "api_service": info.api_service,
        "calls": info.calls,
        "irqs": info.irqs,
        "label": info.label,
        "mmio": info.mmio,
        "name": info.name,
        "priority": info.priority,
        "provides": info.provides,
        "quota_pages": info.quota_pages,
    }

def _nx_system_manifest_impl(ctx):
    manifest = ctx.actions.declare_file(ctx.label.name + ".manifest.json")
    ctx.actions.write(
        output = manifest,
        content = json.encode_indent({
            "manifest": str(ctx.label),
            "programs": [_program_json(p[NxProgramInfo]) for p in ctx.attr.programs],
        }) + "\n",
    )

    # The check reads only the declarations, never the linked programs: a
    # refused manifest fails fast, before anything is compiled for it.
    plan = ctx.actions.declare_file(ctx.label.name + ".bootplan")
    ctx.actions.run(
        executable = ctx.executable._check,
        arguments = ["--input", manifest.path, "--output", plan.path],
        inputs = [manifest],
        outputs = [plan],
        mnemonic = "NxManifest",
        progress_message = "Checking system manifest %s" % ctx.label,
    )
    return [
        DefaultInfo(files = depset([plan])),
        OutputGroupInfo(manifest_json = depset([manifest])),
        NxBootPlanInfo(plan = plan, programs = [p.label for p in ctx.attr.programs]),
    ]

nx_system_manifest = rule(
    implementation = _nx_system_manifest_impl,
    attrs = dict(TRANSITION_ALLOWLIST, **{
        "programs": attr.label_list(
            cfg = riscv64_user_transition,
            providers = [NxProgramInfo],
            mandatory = True,
            doc = "The programs init starts (nx_user_program targets), in the " +
                  "order to start them where the call graph leaves it open.",
        ),
        "_check": attr.label(
            cfg = "exec",
            default = "//tools/manifest:manifest_check",
            executable = True,
        ),
    }),
    doc = "Checks the programs' declared needs and writes init's boot plan.",
)
