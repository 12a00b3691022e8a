"""abigen: runs tools/abigen on the syscall schema at build time.

ABI_OUTPUTS is the one list of what the generator writes: the abigen flag,
the file it declares in //kernel/abi and its checked-in golden copy (from the
workspace root). kernel/abi/BUILD generates them; //tools/abigen compares
them with the goldens (golden_test) and refreshes the goldens
(update_goldens).
"""

# The struct headers (neuron/<name>.h) the schema's [[struct]] entries use.
# abigen refuses a schema whose structs name a header missing here.
ABI_STRUCT_HEADERS = ["ipc_msg", "kernel_stats", "start_info", "task_info"]

# abigen flag -> (output in //kernel/abi, golden copy from the root)
ABI_OUTPUTS = dict(
    {
        "--decl-h": ("internal/neuron/syscall_decl.h", "kernel/abi/golden/syscall_decl.h"),
        "--dispatch-c": ("syscall_dispatch.c", "kernel/abi/golden/syscall_dispatch.c"),
        "--doc-md": ("abi.md", "docs/abi.md"),
        "--numbers-h": ("public/neuron/syscall_numbers.h", "kernel/abi/golden/syscall_numbers.h"),
        "--rights-h": ("public/neuron/rights.h", "kernel/abi/golden/rights.h"),
        "--syscalls-h": ("public/neuron/syscalls.h", "kernel/abi/golden/syscalls.h"),
    },
    **{
        "--struct-h %s=" % name: (
            "public/neuron/%s.h" % name,
            "kernel/abi/golden/%s.h" % name,
        )
        for name in ABI_STRUCT_HEADERS
    }
)

def abigen(name, schema, errors_h, **kwargs):
    """Generates every file of ABI_OUTPUTS in the calling package.

    Args:
      name: the genrule's name.
      schema: the syscalls.toml label.
      errors_h: the neuron/errors.h label (error names are checked against it).
      **kwargs: passed to the genrule (visibility, ...).
    """
    flags = " ".join([
        "%s%s$(location %s)" % (flag, "" if flag.endswith("=") else " ", out)
        for flag, (out, _) in ABI_OUTPUTS.items()
    ])
    native.genrule(
        name = name,
        srcs = [
            schema,
            errors_h,
        ],
        outs = [out for out, _ in ABI_OUTPUTS.values()],
        cmd = "$(location //tools/abigen) --schema $(location %s) --errors $(location %s) %s" % (
            schema,
            errors_h,
            flags,
        ),
        tools = ["//tools/abigen"],
        **kwargs
    )

def abi_golden_args(package = "//kernel/abi"):
    """`GENERATED=GOLDEN` arguments for goldens.py, one per ABI_OUTPUTS entry.

    Args:
      package: the package that generates the files.

    Returns:
      A list of "$(rootpath <generated>)=<golden>" strings.
    """
    return [
        "$(rootpath %s:%s)=%s" % (package, out, golden)
        for out, golden in ABI_OUTPUTS.values()
    ]

def abi_generated(package = "//kernel/abi"):
    """Labels of the generated files.

    Args:
      package: the package that generates the files.

    Returns:
      A list of labels.
    """
    return ["%s:%s" % (package, out) for out, _ in ABI_OUTPUTS.values()]
