"""abigen's C outputs: the headers user space includes (syscall_numbers.h,
rights.h, the struct headers and syscalls.h, with its riscv64 stubs) and the
kernel's side (syscall_decl.h: the decoded argument structs and the
decode/invoke prototypes; syscall_dispatch.c: the dispatcher).
"""

import textwrap

from abigen_layout import GENERATED, open_header
from abigen_schema import ACCESS, ARG_TYPES, FIELD_TYPES
from codegen_layout import COLUMNS, TEXT_COLUMNS, c_call, c_define, comment, finish, wrap_doc


def gen_numbers_h(schema):
    out = open_header(
        "NEURON_SYSCALL_NUMBERS_H",
        [
            "NEURON syscall numbers (`ecall` with a7 = NX_SYS_<NAME>, see neuron/syscalls.h and",
            "docs/abi.md) and the constants of the syscall ABI. Safe to include from assembly.",
        ],
    )
    out += ["/* The ABI version: raised on every incompatible change. */"]
    out += [f"#define NX_ABI_VERSION {schema.version}", ""]
    out += [f"#define NX_SYS_{s.upper} {s.number}" for s in schema.syscalls]
    out += ["", "/* One more than the highest syscall number. */"]
    out += [f"#define NX_SYS_COUNT {len(schema.syscalls)}", ""]
    for c in schema.constants:
        # Past int's range a constant needs its type spelled out.
        value = str(c.value) if c.value < 2**31 else f"0x{c.value:x}ull"
        out += comment(c.doc) + c_define(f"NX_{c.name}", value) + [""]
    out += ["#endif"]
    return finish(out)


def gen_rights_h(schema):
    out = open_header(
        "NEURON_RIGHTS_H",
        [
            "Handles and rights. A task names a kernel object only through a handle; each handle",
            "carries a mask of NX_RIGHT_* bits that says what the holder may do with the object.",
            "Safe to include from assembly.",
        ],
    )
    out += ["#ifndef __ASSEMBLER__", "#include <stdint.h>", ""]
    out += ["/* A handle: an index into the calling task's handle table, never a pointer. */"]
    out += ["typedef uint32_t nx_handle_t;", "#endif", ""]
    out += ["/* Never a valid handle. */", "#define NX_HANDLE_INVALID 0u", ""]
    mask = 0
    for r in schema.rights:
        out += comment(r.doc) + [f"#define {r.macro} (1u << {r.bit})", ""]
        mask |= 1 << r.bit
    out += ["/* Every right this ABI version defines. */", f"#define NX_RIGHTS_ALL 0x{mask:x}u", ""]
    for i, o in enumerate(schema.objects):
        out += comment(f"A {o.name}'s object type number (task_handle_info), in schema order.")
        out += c_define(f"NX_OBJ_{o.name.upper()}", f"{i + 1}u") + [""]
    for o in schema.objects:
        out += comment(f"The rights of a new {o.name} handle: {', '.join(o.default_rights) or 'none'}.")
        bits = " | ".join(schema.right(r).macro for r in o.default_rights)
        value = f"({bits})" if bits else "0u"
        if len(value) > COLUMNS - 2:  # too long even for a line of its own: the mask
            value = f"0x{sum(1 << schema.right(r).bit for r in o.default_rights):x}u"
        out += c_define(o.default_macro, value) + [""]
    out += ["#endif"]
    return finish(out)


def gen_struct_h(schema, header):
    """neuron/<header>.h: the structs the schema puts in it."""
    structs = [s for s in schema.structs if s.header == header]
    names = ", ".join(s.c_name for s in structs)
    out = open_header(
        f"NEURON_{header.upper()}_H",
        wrap_doc(f"ABI structs shared by the kernel and user space: {names}.", TEXT_COLUMNS - 3),
    )
    out += ["#include <stdint.h>", "", '#include "neuron/rights.h"', ""]
    for st in structs:
        out += comment(f"{st.doc}\n\nSize: {st.size} bytes.")
        out += [f"typedef struct nx_{st.name} {{"]
        for f in st.fields:
            out += comment(f.doc, indent=2)
            out += [f"  {FIELD_TYPES[f.type][0]} {f.name};"]
        out += [f"}} {st.c_name};", ""]
    out += ["#endif"]
    return finish(out)


def _syscall_doc(schema, s):
    """The doc comment of a syscall, for the user stub."""
    width = TEXT_COLUMNS - 3
    lines = wrap_doc(s.doc, width) + [""]
    for a in s.args:
        extra = ""
        if a.type == "handle":
            needs = ", ".join(schema.right(r).macro for r in a.rights) or "no rights"
            extra = f" A {a.object or 'handle to any object'}{' handle' if a.object else ''}; needs {needs}."
        elif a.type == "uptr":
            extra = f" User memory, {ACCESS[a.access]}."
        lines += textwrap.wrap(
            f"{a.name}: {a.doc}{extra}",
            width=width,
            subsequent_indent="  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
    if s.args:
        lines.append("")
    if s.noreturn:
        lines.append("Does not return.")
    else:
        lines += textwrap.wrap(
            f"Returns: {s.returns}", width=width, subsequent_indent="  ", break_long_words=False
        )
    if s.out:
        regs = ", ".join(f"out->{f.name} = a{i + 1}" for i, f in enumerate(s.out.fields))
        lines += textwrap.wrap(
            f"Also returns, on success, in *out (registers): {regs}.",
            width=width,
            subsequent_indent="  ",
            break_long_words=False,
        )
    errs = ", ".join(s.errors) + "." if s.errors else "none."
    lines += textwrap.wrap(
        f"Errors: {errs}", width=width, subsequent_indent="  ", break_long_words=False
    )
    lines.append("Blocks: yes." if s.blocking else "Blocks: no.")
    return ["/*"] + [f" * {line}".rstrip() for line in lines] + [" */"]


# What a syscall does not preserve (see the convention in syscalls.toml): the
# kernel returns ra, t0-t6 and a1-a7 as zero. Argument registers a stub uses
# are "+r" operands; the rest are listed as clobbers.
_CLOBBERED = ["ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6"]


def _asm(outputs, clobbers):
    parts = ['  __asm__ volatile("ecall"', ": " + ", ".join(outputs), ":"]
    parts.append(": " + ", ".join(f'"{c}"' for c in clobbers + ["memory"]))
    one = " ".join(parts) + ");"
    if len(one) <= COLUMNS:
        return [one]
    pad = " " * len("  __asm__ volatile(")
    lines = ['  __asm__ volatile("ecall"', f"{pad}: " + ", ".join(outputs), f"{pad}:"]
    names = [f'"{c}"' for c in clobbers + ["memory"]]
    line = f"{pad}: "
    for i, n in enumerate(names):
        piece = n + (", " if i < len(names) - 1 else ");")
        if len(line) + len(piece.rstrip()) > COLUMNS:
            lines.append(line.rstrip())
            line = pad + "  "
        line += piece
    lines.append(line.rstrip())
    return lines


def gen_syscalls_h(schema):
    out = open_header(
        "NEURON_SYSCALLS_H",
        ["NEURON syscalls for user space: one static inline function nx_<name>() per syscall.", ""]
        + wrap_doc(schema.convention, TEXT_COLUMNS - 3)
        + [
            "",
            "The stubs exist on riscv64 only. Elsewhere (host builds) this header only declares",
            "them, so host code can include it and host tests can define them.",
        ],
    )
    out += ["#include <stddef.h>", "#include <stdint.h>", ""]
    headers = ["errors", "rights", "syscall_numbers"] + schema.struct_headers()
    out += [f'#include "neuron/{h}.h"' for h in sorted(headers)]
    out += [
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        "#if defined(__riscv)",
        "",
    ]
    for s in schema.syscalls:
        out += _syscall_doc(schema, s)
        out += c_call(s.user_head(inline=True), s.user_params(), ") {")
        for i, a in enumerate(s.args):
            out.append(f'  register uint64_t a{i} __asm__("a{i}") = (uint64_t){a.name};')
        if not s.args:
            out.append('  register uint64_t a0 __asm__("a0");')
        out.append(f'  register uint64_t a7 __asm__("a7") = NX_SYS_{s.upper};')
        used = max(len(s.args), 1)
        n_out = len(s.out.fields) if s.out else 0
        for i in range(used, n_out + 1):
            out.append(f'  register uint64_t a{i} __asm__("a{i}");')
        outputs = ['"+r"(a0)' if s.args else '"=r"(a0)']
        outputs += [f'"+r"(a{i})' for i in range(1, used)]
        outputs += [f'"=r"(a{i})' for i in range(used, n_out + 1)] + ['"+r"(a7)']
        clobbers = _CLOBBERED + [f"a{i}" for i in range(max(used, n_out + 1), 7)]
        out += _asm(outputs, clobbers)
        for i, f in enumerate(s.out.fields if s.out else []):
            out.append(f"  out->{f.name} = a{i + 1};")
        if s.noreturn:
            out.append("  __builtin_trap(); /* the kernel never returns here */")
        else:
            out.append("  return (int64_t)a0;")
        out += ["}", ""]
    out += ["#else /* !__riscv: declarations only */", ""]
    for s in schema.syscalls:
        out += c_call(s.user_head(), s.user_params(), ");")
    out += ["", "#endif", "", "#ifdef __cplusplus", "}", "#endif", "", "#endif"]
    return finish(out)


def gen_decl_h(schema):
    out = open_header(
        "NEURON_SYSCALL_DECL_H",
        [
            "The kernel side of the syscall ABI. For each syscall <name> the kernel implements:",
            "",
            "  int sys_<name>_decode(struct thread *caller, const uint64_t raw[6],",
            "                        sys_<name>_args_t *out);",
            "    checks everything about the raw argument registers a0..a5 (handles, rights,",
            "    object types, user addresses, ranges) and fills *out; it changes no kernel",
            "    object (what it checked may stay in the caller's own scratch, for the",
            "    invoke). Returns NX_OK or one of the syscall's errors. sys_<name>_unpack()",
            "    does the part the schema says (types and widths); the decoder calls it first.",
            "",
            "  int64_t sys_<name>_invoke(struct thread *caller, const sys_<name>_args_t *args);",
            "    does the work with decoded arguments; cannot fail on user input (it may still",
            "    return an error for a resource, NX_ERR_NO_MEMORY, if the schema lists it).",
            "",
            "A syscall without arguments has nothing to decode: it has only",
            "  int64_t sys_<name>_invoke(struct thread *caller);",
            "and the dispatcher calls it directly (the cheapest path, e.g. null).",
            "",
            "syscall_dispatch() (syscall_dispatch.c, generated too) calls decode, then invoke.",
        ],
    )
    out += ["#include <stddef.h>", "#include <stdint.h>", ""]
    headers = {"errors", "rights", "syscall_numbers"} | {s.out.header for s in schema.syscalls if s.out}
    out += [f'#include "neuron/{h}.h"' for h in sorted(headers)]
    out += [
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        "struct thread;",
        "",
    ]
    for s in schema.syscalls:
        out += [f"/* ---- {s.name} (NX_SYS_{s.upper}) ---- */", ""]
        if not s.args:
            out += c_call(f"int64_t sys_{s.name}_invoke", ["struct thread *caller"], ");")
            out.append("")
            continue
        out += comment(f"The decoded arguments of {s.name}.")
        out += [f"typedef struct sys_{s.name}_args {{"]
        for a in s.args:
            out += comment(a.doc, indent=2)
            out += [f"  {a.c_type} {a.name};"]
        out += [f"}} sys_{s.name}_args_t;", ""]
        for a in s.args:
            if a.type != "handle":
                continue
            macro = f"SYS_{s.upper}_{a.name.upper()}"
            rights = " | ".join(schema.right(r).macro for r in a.rights)
            mask = sum(1 << schema.right(r).bit for r in a.rights)
            define = f"#define {macro}_RIGHTS ({rights})" if rights else f"#define {macro}_RIGHTS 0u"
            if len(define) > COLUMNS:
                define = f"#define {macro}_RIGHTS 0x{mask:x}u"
            out += comment(f"The rights `{a.name}` must carry: {', '.join(a.rights) or 'none'}.")
            out += [define, ""]
            out += comment(f"The object type `{a.name}` must name (an object_type_t).")
            kind = f"OBJ_{a.object.upper()}" if a.object else "HANDLE_ANY_TYPE"
            out += c_define(f"{macro}_OBJECT", kind) + [""]
        regs = "raw[0]" if len(s.args) == 1 else f"raw[0..{len(s.args) - 1}]"
        narrow = [a.name for a in s.args if ARG_TYPES[a.type][1] == 32]
        if narrow:
            what = (
                f"Copies {regs} into *out with the schema's types; refuses {', '.join(narrow)} "
                "with any of bits 63..32 set. No side effects."
            )
        else:
            what = f"Copies {regs} into *out with the schema's types. No side effects."
        out += comment(what)
        out += c_call(
            f"static inline int sys_{s.name}_unpack",
            ["const uint64_t raw[6]", f"sys_{s.name}_args_t *out"],
            ") {",
        )
        for i, a in enumerate(s.args):
            if ARG_TYPES[a.type][1] == 32:
                err = "NX_ERR_BAD_HANDLE" if a.type == "handle" else "NX_ERR_INVALID_ARGS"
                out.append(f"  if (raw[{i}] > UINT32_MAX) return {err};")
        for i, a in enumerate(s.args):
            out.append(f"  out->{a.name} = ({a.c_type})raw[{i}];")
        out += ["  return NX_OK;", "}", ""]
        out += c_call(
            f"int sys_{s.name}_decode",
            ["struct thread *caller", "const uint64_t raw[6]", f"sys_{s.name}_args_t *out"],
            ");",
        )
        out += c_call(
            f"int64_t sys_{s.name}_invoke",
            ["struct thread *caller", f"const sys_{s.name}_args_t *args"],
            ");",
        )
        out.append("")
    for s in (s for s in schema.syscalls if s.out):
        regs = ", ".join(f"a{i + 1} = {f.name}" for i, f in enumerate(s.out.fields))
        out += comment(
            f"{s.name} also returns {s.out.c_name} in registers ({regs}): the invoke stores "
            "them in the caller's saved a1.. (`regs` is its trap frame's a0..a5), which the "
            "syscall exit loads."
        )
        head = f"static inline void sys_{s.name}_set_out"
        params = ["uint64_t regs[6]", f"const {s.out.c_name} *o"]
        stores = [f"regs[{i + 1}] = o->{f.name};" for i, f in enumerate(s.out.fields)]
        # clang-format (AllowShortFunctionsOnASingleLine) puts a one-statement
        # function on one line if all of it fits there.
        one = f"{head}({', '.join(params)}) {{ {stores[0]} }}"
        if len(stores) == 1 and len(one) <= COLUMNS:
            out += [one, ""]
            continue
        out += c_call(head, params, ") {")
        out += [f"  {store}" for store in stores]
        out += ["}", ""]
    out += [
        "/*",
        " * Runs syscall `number` for `caller` with the raw argument registers a0..a5: decode,",
        " * then invoke. Returns the value for a0; NX_ERR_BAD_SYSCALL for an unknown number.",
        " */",
        "int64_t syscall_dispatch(struct thread *caller, uint64_t number, const uint64_t raw[6]);",
        "",
        '/* The schema name of syscall `number` ("debug_write"), or "unknown". */',
        "const char *syscall_name(uint64_t number);",
        "",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        "#endif",
    ]
    return finish(out)


def gen_dispatch_c(schema):
    out = [
        f"/* {GENERATED} */",
        "/*",
        " * The syscall dispatcher: one switch over the number (dense, so it compiles to a jump",
        " * table), decode then invoke. Everything a syscall checks is in its decoder.",
        " */",
        '#include "neuron/errors.h"',
        '#include "neuron/syscall_decl.h"',
        '#include "neuron/syscall_numbers.h"',
        "",
        "int64_t syscall_dispatch(struct thread *caller, uint64_t number, const uint64_t raw[6]) {",
        *([] if any(s.args for s in schema.syscalls) else ["  (void)raw;"]),
        "  switch (number) {",
    ]
    for s in schema.syscalls:
        if not s.args:
            out += [f"    case NX_SYS_{s.upper}:", f"      return sys_{s.name}_invoke(caller);"]
            continue
        out += [
            f"    case NX_SYS_{s.upper}: {{",
            f"      sys_{s.name}_args_t args;",
            f"      int err = sys_{s.name}_decode(caller, raw, &args);",
            "      if (err != NX_OK) return err;",
            f"      return sys_{s.name}_invoke(caller, &args);",
            "    }",
        ]
    out += ["    default:", "      return NX_ERR_BAD_SYSCALL;", "  }", "}", ""]
    out += ["const char *syscall_name(uint64_t number) {", "  switch (number) {"]
    for s in schema.syscalls:
        out += [f"    case NX_SYS_{s.upper}:", f'      return "{s.name}";']
    out += ["    default:", '      return "unknown";', "  }", "}"]
    return finish(out)
