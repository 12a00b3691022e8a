"""abigen's C is clang-format clean and compiles, for the real schema and for
random schemas at the limits (longest names, six arguments, many rights,
long docs, out structs of 1..5 words), so a new syscall cannot make the
generator emit code that /.clang-format or the compilers refuse.

    abigen_format_test.py WORKSPACE CLANG_FORMAT CLANG SYSCALLS_TOML ERRORS_H

WORKSPACE is the runfile symlinked into the source tree (for /.clang-format).
Every compile uses the toolchains' strict flags: -Wall -Wextra -Werror; C11
for C, C++17 for C++ (the headers are also included from C++ tests), and
riscv64 code generation for the stubs (so their asm operands are checked).
"""

import os
import random
import sys
import tempfile
import unittest

import abigen
import abigen_schema
from codegen_testing import (
    HOST_C,
    assert_clang_format_clean,
    compiler,
    random_doc,
    random_name,
    write_files,
)

WORKSPACE = CLANG_FORMAT = CLANG = SCHEMA_PATH = ERRORS_H = ""
RANDOM_SCHEMAS = 30

WORDS = (
    "the a handle buffer kernel user thread task object rights bytes copies returns waits "
    "deadline monotonic clock NX_ERR_INVALID_ARGS min(len, sizeof(nx_kernel_stats_t)) "
    "`buf` a0..a5 extraordinarily_long_identifier_name_in_the_doc_text x"
).split()


def _doc(rng):
    return random_doc(rng, WORDS)


class _Names:
    def __init__(self, rng):
        self.rng, self.used = rng, set()

    def __call__(self, max_len, upper=False):
        while True:
            name = random_name(self.rng, max_len)
            if (
                name in self.used
                or name in abigen_schema.KEYWORDS
                or name in abigen_schema.STUB_REGISTERS
                or name.endswith("_")
                or name.endswith("_t")
                or "__" in name
            ):
                continue
            self.used.add(name)
            return name.upper() if upper else name


def random_schema(rng):
    names = _Names(rng)
    rights = [
        {"name": names(12), "bit": bit, "doc": _doc(rng)}
        for bit in rng.sample(range(32), rng.choice([1, 3, 32]))
    ]
    objects = [
        {
            "name": names(20),
            "doc": _doc(rng),
            # None, some or every right (32 long names do not fit a #define line).
            "default_rights": [
                r["name"]
                for r in rng.sample(rights, rng.choice([0, 1, len(rights) // 2, len(rights)]))
            ],
        }
        for _ in range(rng.randint(1, 3))
    ]
    values = [0, 1, 256, 2**31 - 1, 2**31, 2**63 - 1, 2**64 - 1]
    constants = [
        {"name": names(30, upper=True), "value": rng.choice(values), "doc": _doc(rng)}
        for _ in range(rng.randint(0, 3))
    ]
    fields = [{"name": names(24), "type": rng.choice(["u64", "i64"]), "doc": _doc(rng)} for _ in range(3)]
    fields += [{"name": names(24), "type": t, "doc": _doc(rng)} for t in ("u32", "handle")]
    structs = [{"name": names(32), "header": names(32), "doc": _doc(rng), "field": fields}]
    structs.append(dict(structs[0], name=names(32)))  # two structs in one header
    # Out structs (u64 fields only, 1..5 of them): one in a header of its own,
    # one in the header above.
    for header in (names(32), structs[0]["header"]):
        words = [
            {"name": names(24), "type": "u64", "doc": _doc(rng)}
            for _ in range(rng.choice([1, 2, 5, 5]))
        ]
        structs.append({"name": names(32), "header": header, "doc": _doc(rng), "field": words})
    outs = [st for st in structs if all(f["type"] == "u64" for f in st["field"])]
    syscalls = []
    for number in range(rng.randint(1, 10)):
        nargs = rng.choice([0, 1, 3, 5, 6, 6])
        args, errs = [], set()
        for _ in range(nargs):
            t = rng.choice(list(abigen_schema.ARG_TYPES))
            arg = {"name": names(24), "type": t, "doc": _doc(rng)}
            if t == "handle":
                if rng.random() < 0.7:  # else any object type will do
                    arg["object"] = rng.choice(objects)["name"]
                arg["rights"] = [r["name"] for r in rng.sample(rights, rng.randint(0, len(rights)))]
                errs |= {"NX_ERR_BAD_HANDLE", "NX_ERR_WRONG_TYPE"}
                if arg["rights"]:
                    errs.add("NX_ERR_ACCESS_DENIED")
            elif t == "uptr":
                arg["access"] = rng.choice(list(abigen_schema.ACCESS))
                errs.add("NX_ERR_BAD_ADDRESS")
            elif t == "u32":
                errs.add("NX_ERR_INVALID_ARGS")
            args.append(arg)
        if rng.random() < 0.3:
            errs |= {"NX_ERR_BUSY", "NX_ERR_TIMED_OUT", "NX_ERR_NO_MEMORY"}
        s = {
            "name": names(32),
            "number": number,
            "doc": _doc(rng),
            "blocking": rng.random() < 0.5,
            "errors": sorted(errs),
            "arg": args,
        }
        if rng.random() < 0.2:
            s["noreturn"] = True
        else:
            s["returns"] = _doc(rng)
            if rng.random() < 0.4:
                s["out"] = rng.choice(outs)["name"]
        syscalls.append(s)
    if not any(s["arg"] for s in syscalls):
        # Without any argument syscall_dispatch() leaves `raw` unused, which
        # -Wunused-parameter refuses (a known gap of the generator): give one.
        syscalls[0]["arg"] = [{"name": "x", "type": "u64", "doc": "X."}]
    rng.shuffle(syscalls)  # numbers need not be in file order
    return {
        "abi": {"version": rng.randint(1, 1000), "convention": _doc(rng)},
        "right": rights,
        "object": objects,
        "constant": constants,
        "struct": structs,
        "syscall": syscalls,
    }


def callers_c(schema):
    """A C file that calls every stub, so riscv64 code generation sees them all.
    A syscall with an out struct gets the caller's pointer, and the kernel
    side's set_out helper is called too."""
    lines = ['#include "neuron/syscall_decl.h"', '#include "neuron/syscalls.h"', ""]
    for s in schema.syscalls:
        zeros = ", ".join("0" for _ in s.args)
        if s.noreturn:
            lines.append(f"void call_{s.name}(void) {{ nx_{s.name}({zeros}); }}")
        elif s.out:
            args = ", ".join(["0"] * len(s.args) + ["out"])
            lines.append(
                f"int64_t call_{s.name}({s.out.c_name} *out) {{ return nx_{s.name}({args}); }}"
            )
            lines.append(
                f"void set_{s.name}(uint64_t regs[6], const {s.out.c_name} *o) "
                f"{{ sys_{s.name}_set_out(regs, o); }}"
            )
        else:
            lines.append(f"int64_t call_{s.name}(void) {{ return nx_{s.name}({zeros}); }}")
    return "\n".join(lines) + "\n"


class FormatAndCompileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = os.path.dirname(os.path.realpath(WORKSPACE))
        cls.style = "--style=file:" + os.path.join(cls.root, ".clang-format")
        with open(ERRORS_H, encoding="utf-8") as f:
            cls.errors_text = f.read()
        cls.errors = abigen_schema.parse_errors_h(cls.errors_text, ERRORS_H)

    def check_schema(self, schema, label):
        out = abigen.generate(schema)
        with tempfile.TemporaryDirectory() as tmp:
            inc = os.path.join(tmp, "neuron")
            os.makedirs(inc)
            files = {
                "numbers_h": "neuron/syscall_numbers.h",
                "rights_h": "neuron/rights.h",
                "syscalls_h": "neuron/syscalls.h",
                "decl_h": "neuron/syscall_decl.h",
                "dispatch_c": "syscall_dispatch.c",
            }
            for header in schema.struct_headers():
                files[f"struct_h:{header}"] = f"neuron/{header}.h"
            write_files(tmp, {rel: out[key] for key, rel in files.items()})
            write_files(
                tmp,
                {
                    "neuron/errors.h": self.errors_text,
                    "callers.c": callers_c(schema),
                    "callers.cc": '#include "neuron/syscall_decl.h"\n#include "neuron/syscalls.h"\n',
                },
            )

            paths = [os.path.join(tmp, rel) for rel in files.values()]
            assert_clang_format_clean(self, CLANG_FORMAT, self.style, paths, label)

            cc = compiler(self, CLANG, tmp, label)
            host_c = HOST_C
            cc(*host_c, os.path.join(tmp, "syscall_dispatch.c"))
            cc(*host_c, os.path.join(tmp, "callers.c"))
            cc("-x", "c++", "-std=c++17", "-fsyntax-only", os.path.join(tmp, "callers.cc"))
            riscv = ["--target=riscv64-unknown-elf", "-march=rv64gc", "-mabi=lp64d", "-ffreestanding"]
            for opt in ("-O0", "-O2"):
                cc(*riscv, opt, *host_c, os.path.join(tmp, "callers.c"))
            kernel = ["--target=riscv64-unknown-elf", "-march=rv64imac", "-mabi=lp64", "-ffreestanding"]
            cc(*kernel, "-O2", *host_c, os.path.join(tmp, "syscall_dispatch.c"))

    def test_real_schema(self):
        self.check_schema(abigen_schema.load(SCHEMA_PATH, ERRORS_H), "kernel/abi/syscalls.toml")

    def test_random_schemas(self):
        rng = random.Random(20240601)
        for i in range(RANDOM_SCHEMAS):
            data = random_schema(rng)
            with self.subTest(schema=i):
                schema = abigen_schema.load_schema(data, self.errors, f"random schema {i}")
                self.check_schema(schema, f"random schema {i}")

    def test_random_schemas_reach_the_limits(self):
        rng = random.Random(20240601)
        schemas = [random_schema(rng) for _ in range(RANDOM_SCHEMAS)]
        calls = [s for d in schemas for s in d["syscall"]]
        self.assertTrue(any(len(s["arg"]) == 6 for s in calls))
        self.assertTrue(any(len(s["name"]) == 32 for s in calls))
        self.assertTrue(any(len(a["name"]) == 24 for s in calls for a in s["arg"]))
        self.assertTrue(any(len(d["right"]) == 32 for d in schemas))
        objects = [o for d in schemas for o in d["object"]]
        self.assertTrue(any(not o["default_rights"] for o in objects))
        self.assertTrue(any(len(o["default_rights"]) == 32 for o in objects))
        handles = [a for s in calls for a in s["arg"] if a["type"] == "handle"]
        self.assertTrue(any("object" not in a for a in handles))
        self.assertTrue(any("object" in a for a in handles))
        values = {c["value"] for d in schemas for c in d["constant"]}
        self.assertTrue({2**31 - 1, 2**31, 2**64 - 1} <= values)
        # Out structs of 1 and 5 words, with no, some and six arguments.
        sizes = {
            (len(s["arg"]), len(st["field"]))
            for d in schemas
            for s in d["syscall"]
            if "out" in s
            for st in d["struct"]
            if st["name"] == s["out"]
        }
        self.assertTrue({(0, 1), (0, 5), (1, 5), (6, 1), (6, 5)} <= sizes, sizes)
        self.assertTrue(any("out" not in s and not s.get("noreturn") for s in calls))


if __name__ == "__main__":
    WORKSPACE, CLANG_FORMAT, CLANG, SCHEMA_PATH, ERRORS_H = sys.argv[1:6]
    CLANG_FORMAT = os.path.realpath(CLANG_FORMAT)
    CLANG = os.path.realpath(CLANG)
    unittest.main(argv=sys.argv[:1])
