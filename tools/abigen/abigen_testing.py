"""Shared fixtures of abigen's tests: the input paths, a small valid schema
and helpers to edit it and to read the generated C.

The tests take SYSCALLS_TOML ERRORS_H ERRORS_C as arguments; main() sets them.
"""

import re
import sys
import unittest

import abigen_schema

SCHEMA_PATH = ERRORS_H = ERRORS_C = ""


def main():
    """Runs the __main__ module's tests with the paths from the command line."""
    global SCHEMA_PATH, ERRORS_H, ERRORS_C
    SCHEMA_PATH, ERRORS_H, ERRORS_C = sys.argv[1:4]
    unittest.main(module="__main__", argv=sys.argv[:1])


def errors():
    with open(ERRORS_H, encoding="utf-8") as f:
        return abigen_schema.parse_errors_h(f.read(), ERRORS_H)


def base():
    """A small valid schema, as tomllib returns it; tests break one thing."""
    return {
        "abi": {"version": 1, "convention": "ecall, a7 = number."},
        "right": [
            {"name": "read", "bit": 0, "doc": "Read."},
            {"name": "write", "bit": 1, "doc": "Write."},
        ],
        "object": [{"name": "debug_log", "doc": "The console.", "default_rights": ["write"]}],
        "constant": [{"name": "MAX", "value": 4, "doc": "A limit."}],
        "struct": [
            {
                "name": "stats",
                "header": "stats",
                "doc": "Counters.",
                "field": [
                    {"name": "a", "type": "u64", "doc": "A."},
                    {"name": "b", "type": "u32", "doc": "B."},
                    {"name": "c", "type": "u32", "doc": "C."},
                ],
            }
        ],
        "syscall": [
            {
                "name": "null",
                "number": 0,
                "doc": "Nothing.",
                "returns": "0.",
                "blocking": False,
                "errors": [],
            },
            {
                "name": "debug_write",
                "number": 1,
                "doc": "Writes.",
                "returns": "Bytes written.",
                "blocking": False,
                "errors": [
                    "NX_ERR_BAD_HANDLE",
                    "NX_ERR_WRONG_TYPE",
                    "NX_ERR_ACCESS_DENIED",
                    "NX_ERR_BAD_ADDRESS",
                ],
                "arg": [
                    {
                        "name": "log",
                        "type": "handle",
                        "object": "debug_log",
                        "rights": ["write"],
                        "doc": "The log.",
                    },
                    {"name": "buf", "type": "uptr", "access": "in", "doc": "Bytes."},
                    {"name": "len", "type": "usize", "doc": "Length."},
                ],
            },
            {
                "name": "exit",
                "number": 2,
                "doc": "Ends.",
                "blocking": False,
                "noreturn": True,
                "errors": [],
                "arg": [{"name": "code", "type": "i64", "doc": "Code."}],
            },
        ],
    }


def syscall(data, name):
    return next(s for s in data["syscall"] if s["name"] == name)


def eval_define(text, name):
    """The value of `#define name ...` in generated C: literals, macros, | and <<."""
    defines = dict(re.findall(r"^#define (\w+) (?:\\\n)?(.+)$", text, re.M))

    def value(expr):
        expr = expr.strip()
        if expr.startswith("(") and expr.endswith(")"):
            expr = expr[1:-1]
        total = 0
        for term in expr.split("|"):
            term = term.strip()
            if term in defines:
                total |= value(defines[term])
                continue
            literal, _, shift = term.partition("<<")
            total |= int(literal.strip().rstrip("ul"), 0) << int(shift or "0")
        return total

    return value(defines[name])


def add_out(data, name, fields=5, types=None, struct="words"):
    """Gives syscall `name` an out struct of `fields` fields w0.. (u64 unless
    `types` says otherwise), in neuron/<struct>.h."""
    types = types or ["u64"] * fields
    if not any(st["name"] == struct for st in data["struct"]):
        data["struct"].append(
            {
                "name": struct,
                "header": struct,
                "doc": "Words back.",
                "field": [
                    {"name": f"w{i}", "type": t, "doc": f"W{i}."} for i, t in enumerate(types)
                ],
            }
        )
    syscall(data, name)["out"] = struct
    return data


def add_syscall(data, name, nargs):
    """Appends a syscall `name` with `nargs` u64 arguments x0.. and the next number."""
    data["syscall"].append(
        {
            "name": name,
            "number": len(data["syscall"]),
            "doc": "Test.",
            "returns": "0.",
            "blocking": False,
            "errors": [],
            "arg": [{"name": f"x{i}", "type": "u64", "doc": "X."} for i in range(nargs)],
        }
    )
    return data


def stub_asm(text, name):
    """The user stub nx_<name> of a syscalls.h: ({register: constraint} of its
    asm operands, [clobbers], [the lines after the asm])."""
    riscv = text[: text.index("#else /* !__riscv")]
    start = riscv.index(f" nx_{name}(")
    body = riscv[start : riscv.index("\n}\n", start)]
    asm_start = body.index("__asm__ volatile(")
    asm_end = body.index(");", asm_start) + 2
    parts = " ".join(body[asm_start:asm_end].split()).split(":")
    assert len(parts) == 4, parts
    operands = {reg: c for c, reg in re.findall(r'"([=+]r)"\((a\d)\)', parts[1])}
    clobbers = re.findall(r'"(\w+)"', parts[3])
    after = [line.strip() for line in body[asm_end:].splitlines() if line.strip()]
    return operands, clobbers, after


def expected_asm(nargs, nout):
    """What stub_asm() must find for a syscall with `nargs` arguments and an
    out struct of `nout` fields: a0..a<nargs-1> and a7 in-out, a<nargs>..a<nout>
    (and a0, if no arguments) outputs, every other register clobbered."""
    operands = {f"a{i}": "+r" for i in range(nargs)}
    operands.update({f"a{i}": "=r" for i in range(nargs, nout + 1)})
    operands["a7"] = "+r"
    clobbers = ["ra"] + [f"t{i}" for i in range(7)]
    clobbers += [f"a{i}" for i in range(1, 7) if f"a{i}" not in operands] + ["memory"]
    return operands, clobbers
