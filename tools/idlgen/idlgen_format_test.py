"""idlgen's C is clang-format clean and compiles, for the example and for
random schemas at the limits (longest names, three words each way, four
handles each way, the largest buffers, long docs), so a new protocol cannot
make the generator emit code that /.clang-format or the compilers refuse.

    idlgen_format_test.py WORKSPACE CLANG_FORMAT CLANG ECHO_TOML PICOLIBC_INCLUDE

WORKSPACE is the runfile symlinked into the source tree: /.clang-format, and
the kernel ABI headers the generated code includes (their checked-in copies,
kernel/abi/golden/ and kernel/abi/public/, which //tools/abigen:golden_test
keeps equal to what the build generates), are read from there. Every compile
uses the toolchains' strict flags: -Wall -Wextra -Werror; C11 for C, C++17
for C++ (the headers are also included from C++ tests), and riscv64 user code
generation with picolibc's headers.
"""

import glob
import os
import random
import shutil
import sys
import tempfile
import unittest

import idlgen
import idlgen_schema
from codegen_testing import (
    HOST_C,
    assert_clang_format_clean,
    compiler,
    random_doc,
    random_name,
    write_files,
)

WORKSPACE = CLANG_FORMAT = CLANG = ECHO_TOML = PICOLIBC_INCLUDE = ""
RANDOM_SCHEMAS = 25

WORDS = (
    "the a handle buffer server client call reply bytes copies returns waits badge "
    "NX_ERR_INVALID_ARGS min(len, 4096) `text` w1..w3 extraordinarily_long_identifier_in_the_doc x"
).split()


def _doc(rng):
    return random_doc(rng, WORDS)


class _Names:
    """Random valid names, unique per scope (`used`)."""

    def __init__(self, rng):
        self.rng = rng

    def __call__(self, max_len, used):
        while True:
            name = random_name(self.rng, max_len)
            if (
                name in used
                or name in idlgen_schema.KEYWORDS
                or name in idlgen_schema.RESERVED_PARAMS
                or name in idlgen_schema.RESERVED_METHODS
                or name.endswith(("_", "_t", "_len"))
                or "__" in name
                or name.startswith(("nx_", "call"))
                or "result" in name
            ):
                continue
            used.add(name)
            return name


def random_schema(rng):
    names = _Names(rng)
    protocol = names(idlgen_schema.MAX_PROTOCOL_NAME, set())
    methods, method_names = [], set()
    numbers = [0, idlgen_schema.MAX_NUMBER] + rng.sample(range(1, idlgen_schema.MAX_NUMBER), 6)
    rng.shuffle(numbers)
    for number in numbers[: rng.randint(1, 8)]:
        name = names(idlgen_schema.MAX_METHOD_NAME, method_names)
        m = {"name": name, "number": number, "doc": _doc(rng)}
        kind = rng.random()
        full = kind < 0.15  # three words, bytes and four handles each way
        bare = kind > 0.9  # no arguments, no results
        for side in () if bare else ("", "result_"):
            used = set()
            nwords = 3 if full else rng.choice([0, 1, 2, 3, 3])
            key = "result" if side else "arg"
            if nwords:
                m[key] = [
                    {
                        "name": names(idlgen_schema.MAX_PARAM_NAME, used),
                        "type": rng.choice(list(idlgen_schema.WORD_TYPES)),
                        "doc": _doc(rng),
                    }
                    for _ in range(nwords)
                ]
            if full or rng.random() < 0.5:
                m[side + "bytes"] = {
                    "name": names(idlgen_schema.MAX_PARAM_NAME, used),
                    "max": rng.choice([1, 64, 4095, 4096]),
                    "doc": _doc(rng),
                }
            nhandles = 4 if full else rng.choice([0, 1, 2, 4, 4])
            if nhandles:
                m[side + "handle"] = [
                    {"name": names(idlgen_schema.MAX_PARAM_NAME, used), "doc": _doc(rng)}
                    for _ in range(nhandles)
                ]
        methods.append(m)
    rng.shuffle(methods)  # numbers need not be in file order
    return {
        "protocol": {"name": protocol, "version": rng.choice([1, 2, 65535]), "doc": _doc(rng)},
        "method": methods,
    }


def _zero(param):
    """A value for a client parameter, by its declaration."""
    if param.startswith("const void *"):
        return '""'
    return "0"


def callers_c(p):
    """A C file that fills in an ops table with a handler of the right type
    for every method and calls every client function."""
    lines = [f'#include "{p.name}_server.h"', ""]
    for m in p.methods:
        params = m.handler_params()
        lines.append(f"static int64_t h_{m.name}({', '.join(params)}) {{")
        lines += [f"  (void){param.split()[-1].lstrip('*')};" for param in params]
        lines += ["  return 0;", "}"]
    lines.append(f"const {p.ops_type} ops = {{")
    lines += [f"    .{m.name} = h_{m.name}," for m in p.methods]
    lines += ["};", ""]
    for m in p.methods:
        args = [_zero(param) for param in m.client_params()[1:]]
        if m.has_results:
            args[-1] = "&r"
            lines.append(f"int64_t call_{m.name}(nx_handle_t ep) {{")
            lines.append(f"  {m.result_type} r;")
        else:
            lines.append(f"int64_t call_{m.name}(nx_handle_t ep) {{")
        lines += [f"  return {m.fn}({', '.join(['ep'] + args)});", "}"]
    return "\n".join(lines) + "\n"


class FormatAndCompileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = os.path.dirname(os.path.realpath(WORKSPACE))
        cls.style = "--style=file:" + os.path.join(cls.root, ".clang-format")
        cls.abi = [
            *glob.glob(os.path.join(cls.root, "kernel/abi/golden/*.h")),
            os.path.join(cls.root, "kernel/abi/public/neuron/errors.h"),
            os.path.join(cls.root, "tools/idlgen/public/neuron/idl.h"),
        ]

    def check_protocol(self, p, label):
        out = idlgen.generate(p)
        with tempfile.TemporaryDirectory() as tmp:
            inc = os.path.join(tmp, "neuron")
            os.makedirs(inc)
            for header in self.abi:
                shutil.copy(header, inc)
            files = {
                "client_h": f"{p.name}_client.h",
                "server_h": f"{p.name}_server.h",
                "server_c": f"{p.name}_server.c",
            }
            write_files(tmp, {rel: out[key] for key, rel in files.items()})
            write_files(
                tmp,
                {
                    "callers.c": callers_c(p),
                    "callers.cc": f'#include "{p.name}_client.h"\n#include "{p.name}_server.h"\n',
                },
            )

            paths = [os.path.join(tmp, rel) for rel in files.values()]
            assert_clang_format_clean(self, CLANG_FORMAT, self.style, paths, label)

            cc = compiler(self, CLANG, tmp, label)
            host_c = HOST_C
            cc(*host_c, paths[2])
            cc(*host_c, os.path.join(tmp, "callers.c"))
            cc("-x", "c++", "-std=c++17", "-fsyntax-only", os.path.join(tmp, "callers.cc"))
            riscv = ["--target=riscv64-unknown-elf", "-march=rv64gc", "-mabi=lp64d"]
            riscv += ["-mcmodel=medany", "-nostdlibinc", "-isystem", PICOLIBC_INCLUDE]
            for opt in ("-O0", "-O2"):
                cc(*riscv, opt, *host_c, paths[2])
                cc(*riscv, opt, *host_c, os.path.join(tmp, "callers.c"))

    def test_example(self):
        self.check_protocol(idlgen_schema.load(ECHO_TOML, "echo"), "echo.toml")

    def test_random_schemas(self):
        rng = random.Random(20240607)
        for i in range(RANDOM_SCHEMAS):
            data = random_schema(rng)
            with self.subTest(schema=i):
                p = idlgen_schema.load_schema(data, f"random schema {i}")
                self.check_protocol(p, f"random schema {i}")

    def test_random_schemas_reach_the_limits(self):
        rng = random.Random(20240607)
        schemas = [random_schema(rng) for _ in range(RANDOM_SCHEMAS)]
        methods = [m for d in schemas for m in d["method"]]
        protocols = [d["protocol"] for d in schemas]
        self.assertTrue(any(len(p["name"]) == idlgen_schema.MAX_PROTOCOL_NAME for p in protocols))
        self.assertTrue(any(len(m["name"]) == idlgen_schema.MAX_METHOD_NAME for m in methods))
        self.assertTrue(any(m["number"] == idlgen_schema.MAX_NUMBER for m in methods))
        for key in ("arg", "result"):
            self.assertTrue(any(len(m.get(key, [])) == 3 for m in methods))
            self.assertTrue(any(key not in m for m in methods))
            params = [a for m in methods for a in m.get(key, [])]
            self.assertEqual({a["type"] for a in params}, set(idlgen_schema.WORD_TYPES))
            self.assertTrue(any(len(a["name"]) == idlgen_schema.MAX_PARAM_NAME for a in params))
        for key in ("handle", "result_handle"):
            self.assertTrue(any(len(m.get(key, [])) == 4 for m in methods))
        for key in ("bytes", "result_bytes"):
            self.assertTrue(any(m.get(key, {}).get("max") == 4096 for m in methods))
        # Everything at once: three words, bytes and four handles each way.
        self.assertTrue(
            any(
                len(m.get("arg", [])) == 3
                and len(m.get("handle", [])) == 4
                and "bytes" in m
                and len(m.get("result", [])) == 3
                and len(m.get("result_handle", [])) == 4
                and "result_bytes" in m
                for m in methods
            )
        )
        self.assertTrue(any(not (set(m) - {"name", "number", "doc"}) for m in methods))


if __name__ == "__main__":
    WORKSPACE, CLANG_FORMAT, CLANG, ECHO_TOML, PICOLIBC_INCLUDE = sys.argv[1:6]
    CLANG_FORMAT = os.path.realpath(CLANG_FORMAT)
    CLANG = os.path.realpath(CLANG)
    unittest.main(argv=sys.argv[:1])
