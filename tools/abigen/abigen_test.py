"""Tests of abigen: every validation refusal, the layout helpers, the outputs.

    abigen_test.py SYSCALLS_TOML ERRORS_H ERRORS_C
"""

import contextlib
import copy
import io
import os
import re
import sys
import tempfile
import tomllib
import unittest

import abigen
import abigen_c
import abigen_docs
import abigen_layout
import abigen_schema
import codegen_layout

SCHEMA_PATH = ERRORS_H = ERRORS_C = ""


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


class ValidationTest(unittest.TestCase):
    """Each broken schema is refused with a message naming the culprit."""

    def refused(self, data, *fragments):
        with self.assertRaises(abigen_schema.SchemaError) as ctx:
            abigen_schema.load_schema(data, errors(), "test.toml")
        text = "\n".join(ctx.exception.problems)
        for fragment in fragments:
            self.assertIn(fragment, text)
        return ctx.exception.problems

    def test_base_is_valid(self):
        schema = abigen_schema.load_schema(base(), errors(), "test.toml")
        self.assertEqual([s.name for s in schema.syscalls], ["null", "debug_write", "exit"])
        self.assertEqual(schema.structs[0].size, 16)

    def test_duplicate_number(self):
        data = base()
        syscall(data, "exit")["number"] = 1
        self.refused(data, "syscall 'exit'", "number 1 is already used by", "syscall 'debug_write'")

    def test_gap_in_numbers(self):
        data = base()
        syscall(data, "exit")["number"] = 3
        self.refused(data, "syscall 'exit'", "number 3 leaves a gap: no syscall has number 2")

    def test_numbers_start_at_zero(self):
        data = base()
        for s in data["syscall"]:
            s["number"] += 1
        self.refused(data, "syscall 'null'", "no syscall has number 0")

    def test_duplicate_name(self):
        data = base()
        syscall(data, "exit")["name"] = "null"
        self.refused(data, "syscall 'null'", "name 'null' is already used")

    def test_unknown_type(self):
        data = base()
        syscall(data, "exit")["arg"][0]["type"] = "s64"
        self.refused(data, "syscall 'exit': argument 'code'", "unknown type 's64'", "known: handle")

    def test_unknown_error_name(self):
        data = base()
        syscall(data, "null")["errors"] = ["NX_ERR_NOPE"]
        self.refused(data, "syscall 'null'", "unknown error 'NX_ERR_NOPE' (not defined in errors.h)")

    def test_too_many_args(self):
        data = base()
        syscall(data, "exit")["arg"] = [
            {"name": f"x{i}", "type": "u64", "doc": "X."} for i in range(7)
        ]
        self.refused(data, "syscall 'exit'", "has 7 arguments; at most 6")

    def test_bad_syscall_identifier(self):
        for bad in ["Exit", "9lives", "ex-it", "", "a b"]:
            with self.subTest(name=bad):
                data = base()
                syscall(data, "exit")["name"] = bad
                self.refused(data, "syscall #3", f"syscall name {bad!r} is not a valid C identifier")

    def test_bad_argument_identifier(self):
        for bad, why in [
            ("int", "is a C or C++ keyword"),
            ("class", "is a C or C++ keyword"),
            ("size_t", "ends in _t"),
            ("a7", "is a register name"),
            ("x__y", "contains '__'"),
            ("Code", "not a valid C identifier"),
        ]:
            with self.subTest(name=bad):
                data = base()
                syscall(data, "exit")["arg"][0]["name"] = bad
                self.refused(data, "syscall 'exit'", why)

    def test_name_too_long(self):
        data = base()
        syscall(data, "exit")["name"] = "x" * 33
        self.refused(data, "is longer than 32 characters")

    def test_unknown_right(self):
        data = base()
        syscall(data, "debug_write")["arg"][0]["rights"] = ["write", "fly"]
        self.refused(data, "syscall 'debug_write': argument 'log'", "unknown right 'fly'")

    def test_rights_only_on_handles(self):
        data = base()
        syscall(data, "exit")["arg"][0]["rights"] = ["read"]
        self.refused(data, "syscall 'exit': argument 'code'", "unknown key 'rights'")

    def test_handle_needs_rights(self):
        data = base()
        del syscall(data, "debug_write")["arg"][0]["rights"]
        self.refused(data, "syscall 'debug_write': argument 'log'", "missing key 'rights'")

    def test_handle_may_name_no_rights(self):
        data = base()
        syscall(data, "debug_write")["arg"][0]["rights"] = []
        syscall(data, "debug_write")["errors"].remove("NX_ERR_ACCESS_DENIED")
        schema = abigen_schema.load_schema(data, errors(), "test.toml")
        self.assertIn("#define SYS_DEBUG_WRITE_LOG_RIGHTS 0u\n", abigen_c.gen_decl_h(schema))

    def test_handle_without_object_takes_any_type(self):
        data = base()
        del syscall(data, "debug_write")["arg"][0]["object"]
        schema = abigen_schema.load_schema(data, errors(), "test.toml")
        self.assertEqual(schema.syscalls[1].args[0].object, "")
        out = abigen.generate(schema)
        self.assertIn("#define SYS_DEBUG_WRITE_LOG_OBJECT HANDLE_ANY_TYPE\n", out["decl_h"])
        self.assertNotIn("OBJ_", out["decl_h"])
        stub_doc = " * log: The log. A handle to any object; needs NX_RIGHT_WRITE.\n"
        self.assertIn(stub_doc, out["syscalls_h"])
        row = "| a0 | `log` | `nx_handle_t` | The log. Must name any object; rights: write. |"
        self.assertIn(row, out["doc_md"])
        # Any object still means a handle: its errors are implied all the same.
        syscall(data, "debug_write")["errors"].remove("NX_ERR_WRONG_TYPE")
        self.refused(data, "syscall 'debug_write': must list NX_ERR_WRONG_TYPE")

    def test_unknown_object(self):
        data = base()
        syscall(data, "debug_write")["arg"][0]["object"] = "vmo"
        self.refused(data, "argument 'log'", "unknown object type 'vmo'")

    def test_uptr_access(self):
        data = base()
        syscall(data, "debug_write")["arg"][1]["access"] = "rw"
        self.refused(data, "argument 'buf'", "access must be one of in, out, inout")

    def test_implied_errors(self):
        data = base()
        syscall(data, "debug_write")["errors"].remove("NX_ERR_BAD_ADDRESS")
        syscall(data, "debug_write")["errors"].remove("NX_ERR_ACCESS_DENIED")
        self.refused(
            data,
            "syscall 'debug_write': must list NX_ERR_ACCESS_DENIED",
            "syscall 'debug_write': must list NX_ERR_BAD_ADDRESS",
        )

    def test_u32_implies_invalid_args(self):
        data = base()
        syscall(data, "exit")["arg"][0]["type"] = "u32"
        self.refused(data, "syscall 'exit': must list NX_ERR_INVALID_ARGS")

    def test_error_listed_twice_or_reserved(self):
        data = base()
        syscall(data, "null")["errors"] = ["NX_ERR_BUSY", "NX_ERR_BUSY", "NX_OK", "NX_ERR_BAD_SYSCALL"]
        self.refused(
            data, "lists error NX_ERR_BUSY twice", "lists NX_OK", "NX_ERR_BAD_SYSCALL, which only"
        )

    def test_unknown_key_is_a_typo(self):
        data = base()
        syscall(data, "null")["blocks"] = True
        self.refused(data, "syscall 'null'", "unknown key 'blocks'")

    def test_missing_keys_and_wrong_types(self):
        data = base()
        del syscall(data, "null")["blocking"]
        syscall(data, "debug_write")["number"] = "1"
        syscall(data, "exit")["noreturn"] = "yes"
        self.refused(
            data,
            "syscall 'null': missing key 'blocking'",
            "syscall 'debug_write': 'number' must be an integer",
            "syscall 'exit': 'noreturn' must be true or false",
        )

    def test_returns_and_noreturn(self):
        data = base()
        del syscall(data, "null")["returns"]
        syscall(data, "exit")["returns"] = "never"
        self.refused(
            data,
            "syscall 'null': missing key 'returns'",
            "syscall 'exit': is noreturn, so it must not have 'returns'",
        )

    def test_doc_cannot_close_a_comment(self):
        data = base()
        syscall(data, "null")["doc"] = "Evil */ doc."
        self.refused(data, "syscall 'null'", "must not contain '/*' or '*/'")

    def test_empty_doc(self):
        data = base()
        syscall(data, "null")["doc"] = "  "
        self.refused(data, "syscall 'null'", "'doc' must not be empty")

    def test_rights_bits(self):
        data = base()
        data["right"][1]["bit"] = 0
        data["right"].append({"name": "huge", "bit": 32, "doc": "Too high."})
        self.refused(data, "right 'write'", "bit 0 is already used", "bit must be in 0..31")

    def test_struct_padding(self):
        data = base()
        data["struct"][0]["field"] = [
            {"name": "a", "type": "u32", "doc": "A."},
            {"name": "b", "type": "u64", "doc": "B."},
        ]
        self.refused(data, "struct 'stats': field 'b'", "4 bytes of padding")

    def test_struct_tail_padding(self):
        data = base()
        data["struct"][0]["field"].pop()
        self.refused(data, "struct 'stats'", "4 bytes of tail padding")

    def test_struct_header(self):
        data = base()
        data["struct"][0]["header"] = "syscalls"
        self.refused(data, "struct 'stats'", "header 'syscalls' is taken by a fixed output")
        data["struct"][0]["header"] = "Bad-Name"
        self.refused(data, "struct 'stats'", "header 'Bad-Name' is not a valid C identifier")

    def test_object_needs_default_rights(self):
        data = base()
        del data["object"][0]["default_rights"]
        self.refused(data, "object #1", "missing key 'default_rights'")

    def test_default_rights_may_be_empty(self):
        data = base()
        data["object"][0]["default_rights"] = []
        schema = abigen_schema.load_schema(data, errors(), "test.toml")
        self.assertEqual(schema.objects[0].default_rights, [])
        out = abigen.generate(schema)
        self.assertIn("#define NX_DEFAULT_RIGHTS_DEBUG_LOG 0u\n", out["rights_h"])
        self.assertIn("| debug_log | none | The console. |", out["doc_md"])

    def test_default_rights_unknown_right(self):
        data = base()
        data["object"][0]["default_rights"] = ["write", "fly"]
        self.refused(
            data, "object 'debug_log'", "unknown right 'fly' in default_rights (known: read, write)"
        )

    def test_default_rights_listed_twice(self):
        data = base()
        data["object"][0]["default_rights"] = ["write", "read", "write"]
        problems = self.refused(
            data, "object 'debug_log'", "lists right 'write' twice in default_rights"
        )
        self.assertEqual(len(problems), 1, problems)

    def test_default_rights_must_be_names(self):
        data = base()
        data["object"][0]["default_rights"] = "write"
        self.refused(data, "object 'debug_log'", "'default_rights' must be a list of strings")

    def test_default_rights_macro(self):
        data = base()
        data["right"].append({"name": "signal", "bit": 6, "doc": "Signal."})
        data["object"][0]["default_rights"] = ["write", "signal", "read"]
        data["object"].append({"name": "vmo", "doc": "Memory.", "default_rights": ["read"]})
        schema = abigen_schema.load_schema(data, errors(), "test.toml")
        self.assertEqual(schema.objects[0].default_macro, "NX_DEFAULT_RIGHTS_DEBUG_LOG")
        out = abigen.generate(schema)
        text = out["rights_h"]
        # Schema order, by macro; the value is the mask of those bits.
        want = "#define NX_DEFAULT_RIGHTS_DEBUG_LOG (NX_RIGHT_WRITE | NX_RIGHT_SIGNAL | NX_RIGHT_READ)\n"
        self.assertIn(want, text)
        self.assertIn("#define NX_DEFAULT_RIGHTS_VMO (NX_RIGHT_READ)\n", text)
        self.assertIn("/* The rights of a new debug_log handle: write, signal, read. */\n", text)
        self.assertEqual(eval_define(text, "NX_DEFAULT_RIGHTS_DEBUG_LOG"), 0b1000011)
        self.assertEqual(eval_define(text, "NX_DEFAULT_RIGHTS_VMO"), 0b1)
        self.assertIn("| object | default rights | meaning |", out["doc_md"])
        self.assertIn("| debug_log | write, signal, read | The console. |", out["doc_md"])
        self.assertIn("| vmo | read | Memory. |", out["doc_md"])

    def test_default_rights_too_long_for_a_line_are_a_mask(self):
        data = base()
        data["right"] = [{"name": f"right_number_{b}", "bit": b, "doc": "R."} for b in range(32)]
        data["object"][0]["default_rights"] = [f"right_number_{b}" for b in range(0, 32, 2)]
        syscall(data, "debug_write")["arg"][0]["rights"] = []
        syscall(data, "debug_write")["errors"].remove("NX_ERR_ACCESS_DENIED")
        text = abigen_c.gen_rights_h(abigen_schema.load_schema(data, errors(), "test.toml"))
        self.assertIn("#define NX_DEFAULT_RIGHTS_DEBUG_LOG 0x55555555u\n", text)
        self.assertEqual([line for line in text.splitlines() if len(line) > 100], [])

    def test_constant_range(self):
        for value, want in [
            (0, "0"),
            (2**31 - 1, "2147483647"),
            (2**31, "0x80000000ull"),
            (2**63 - 1, "0x7fffffffffffffffull"),
            (2**64 - 1, "0xffffffffffffffffull"),
        ]:
            with self.subTest(value=value):
                data = base()
                data["constant"][0]["value"] = value
                schema = abigen_schema.load_schema(data, errors(), "test.toml")
                text = abigen_c.gen_numbers_h(schema)
                self.assertIn(f"#define NX_MAX {want}\n", text)
                self.assertEqual(eval_define(text, "NX_MAX"), value)
                self.assertIn(f"| `NX_MAX` | {value} | A limit. |", abigen_docs.gen_doc_md(schema))
        for value in [2**64, -1]:
            with self.subTest(value=value):
                data = base()
                data["constant"][0]["value"] = value
                self.refused(data, "constant 'MAX'", f"value must be in 0..2^64-1, not {value}")

    def test_abi_version(self):
        data = base()
        data["abi"]["version"] = 0
        self.refused(data, "[abi]", "version must be >= 1")

    def test_every_problem_is_reported(self):
        data = base()
        syscall(data, "null")["errors"] = ["NX_ERR_NOPE"]
        syscall(data, "exit")["arg"][0]["type"] = "s64"
        problems = self.refused(data)
        self.assertEqual(len(problems), 2, problems)


class OutTest(unittest.TestCase):
    """A syscall's `out` struct: a u64-only struct of 1..5 fields, returned in a1, a2, ..."""

    def refused(self, data, *fragments):
        with self.assertRaises(abigen_schema.SchemaError) as ctx:
            abigen_schema.load_schema(data, errors(), "test.toml")
        text = "\n".join(ctx.exception.problems)
        for fragment in fragments:
            self.assertIn(fragment, text)
        return ctx.exception.problems

    def load(self, data):
        return abigen_schema.load_schema(data, errors(), "test.toml")

    def test_accepts_one_to_five_u64_fields(self):
        for n in range(1, 6):
            with self.subTest(fields=n):
                schema = self.load(add_out(base(), "null", n))
                s = schema.syscalls[0]
                self.assertEqual(s.out.c_name, "nx_words_t")
                self.assertEqual([f.name for f in s.out.fields], [f"w{i}" for i in range(n)])
                self.assertIsNone(schema.syscalls[1].out)
                self.assertEqual(s.user_params(), ["nx_words_t *out"])

    def test_names_no_struct(self):
        data = base()
        syscall(data, "null")["out"] = "nope"
        self.refused(data, "syscall 'null'", "out names no struct: 'nope'")
        syscall(data, "null")["out"] = 3
        self.refused(data, "syscall 'null'", "'out' must be a string")

    def test_struct_with_a_field_that_is_not_u64(self):
        for t in ("u32", "i64", "handle"):
            with self.subTest(type=t):
                types = ["u64", t, t] if t in ("u32", "handle") else ["u64", t]
                self.refused(
                    add_out(base(), "null", types=types),
                    "syscall 'null'",
                    "out struct 'words' must have only u64 fields (registers)",
                )
        # The schema's existing struct has u32 fields.
        data = base()
        syscall(data, "null")["out"] = "stats"
        self.refused(data, "out struct 'stats' must have only u64 fields")

    def test_more_than_five_fields(self):
        problems = self.refused(
            add_out(base(), "null", 6), "syscall 'null'", "out struct 'words' must have 1..5 fields"
        )
        self.assertEqual(len(problems), 1, problems)

    def test_noreturn(self):
        problems = self.refused(
            add_out(base(), "exit", 2), "syscall 'exit'", "is noreturn, so it cannot have 'out'"
        )
        self.assertEqual(len(problems), 1, problems)

    def test_argument_named_out(self):
        data = add_out(base(), "debug_write", 1)
        syscall(data, "debug_write")["arg"][2]["name"] = "out"
        self.refused(
            data, "syscall 'debug_write'", "argument name 'out' is taken by the out struct"
        )
        # Without an out struct the name is free.
        del syscall(data, "debug_write")["out"]
        self.assertEqual(self.load(data).syscalls[1].args[2].name, "out")

    def test_stub_operands_and_clobbers(self):
        # Every number of arguments with every size of out struct (or none).
        data = base()
        for nargs in range(7):
            for nout in range(6):
                name = f"args{nargs}_out{nout}"
                add_syscall(data, name, nargs)
                if nout:
                    add_out(data, name, nout, struct=f"out{nout}")
        add_syscall(data, "one_five", 1)
        add_out(data, "one_five", 5, struct="out5")
        add_syscall(data, "none_two", 0)
        add_out(data, "none_two", 2, struct="out2")
        schema = self.load(data)
        text = abigen_c.gen_syscalls_h(schema)
        for s in schema.syscalls:
            if s.noreturn:
                continue
            nout = len(s.out.fields) if s.out else 0
            with self.subTest(syscall=s.name):
                operands, clobbers, after = stub_asm(text, s.name)
                self.assertEqual((operands, clobbers), expected_asm(len(s.args), nout))
                stores = [f"out->w{i} = a{i + 1};" for i in range(nout)]
                self.assertEqual(after, stores + ["return (int64_t)a0;"])
        # One argument, five words back: a0 in-out, a1..a5 outputs, only a6 clobbered.
        pad = " " * len("  __asm__ volatile(")
        self.assertIn(
            f'{pad}: "+r"(a0), "=r"(a1), "=r"(a2), "=r"(a3), "=r"(a4), "=r"(a5), "+r"(a7)\n'
            f"{pad}:\n"
            f'{pad}: "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a6", "memory");\n'
            "  out->w0 = a1;\n  out->w1 = a2;\n  out->w2 = a3;\n  out->w3 = a4;\n  out->w4 = a5;\n"
            "  return (int64_t)a0;\n",
            text,
        )
        self.assertIn(
            "static inline int64_t nx_one_five(uint64_t x0, nx_out5_t *out) {\n"
            '  register uint64_t a0 __asm__("a0") = (uint64_t)x0;\n'
            '  register uint64_t a7 __asm__("a7") = NX_SYS_ONE_FIVE;\n'
            '  register uint64_t a1 __asm__("a1");\n',
            text,
        )
        # No arguments: a0 is an output like the out registers.
        self.assertIn('  register uint64_t a0 __asm__("a0");\n', text)
        self.assertIn(": \"=r\"(a0), \"=r\"(a1), \"=r\"(a2), \"+r\"(a7)", text)
        # Declarations for the host take the pointer too.
        self.assertIn("int64_t nx_none_two(nx_out2_t *out);\n", text)
        self.assertIn("int64_t nx_args6_out1(uint64_t x0, uint64_t x1, uint64_t x2,", text)

    def test_set_out_helper(self):
        data = add_out(add_syscall(base(), "recv", 1), "recv", 3)
        text = abigen_c.gen_decl_h(self.load(data))
        self.assertIn(
            "static inline void sys_recv_set_out(uint64_t regs[6], const nx_words_t *o) {\n"
            "  regs[1] = o->w0;\n"
            "  regs[2] = o->w1;\n"
            "  regs[3] = o->w2;\n"
            "}\n",
            text,
        )
        self.assertIn("recv also returns nx_words_t in registers (a1 = w0, a2 = w1, a3 = w2)", text)
        self.assertEqual(text.count("_set_out("), 1)
        self.assertIn('#include "neuron/words.h"\n', text)
        # The decoder and invoker are the usual ones.
        self.assertIn(
            "int64_t sys_recv_invoke(struct thread *caller, const sys_recv_args_t *args);", text
        )
        # One field: on one line if it fits, as clang-format puts it.
        data = add_out(add_syscall(base(), "recv", 1), "recv", 1)
        text = abigen_c.gen_decl_h(self.load(data))
        self.assertIn(
            "static inline void sys_recv_set_out(uint64_t regs[6], const nx_words_t *o) "
            "{ regs[1] = o->w0; }\n",
            text,
        )
        long_name = "r" * 32
        data = add_out(add_syscall(base(), long_name, 1), long_name, 1, struct="w" * 32)
        text = abigen_c.gen_decl_h(self.load(data))
        self.assertIn("  regs[1] = o->w0;\n}\n", text)
        self.assertEqual([line for line in text.splitlines() if len(line) > 100], [])
        # Without an out struct the header is not needed.
        plain = abigen_c.gen_decl_h(self.load(base()))
        self.assertNotIn("_set_out", plain)
        self.assertNotIn('"neuron/stats.h"', plain)

    def test_docs(self):
        data = add_out(base(), "debug_write", 2)
        out = abigen.generate(self.load(data))
        md = out["doc_md"]
        self.assertIn("- **Also returns** (`nx_words_t`, on success): a1 = `w0`, a2 = `w1`.\n", md)
        self.assertIn(
            "int64_t nx_debug_write(nx_handle_t log, uintptr_t buf, size_t len, nx_words_t *out);",
            md,
        )
        self.assertEqual(md.count("**Also returns**"), 1)
        self.assertIn(
            " * Also returns, on success, in *out (registers): out->w0 = a1, out->w1 = a2.\n",
            out["syscalls_h"],
        )
        self.assertIn('#include "neuron/words.h"\n', out["syscalls_h"])


class ErrorsHeaderTest(unittest.TestCase):
    def test_parses_every_code_with_its_comment(self):
        codes = {e.name: e for e in errors()}
        self.assertEqual(codes["NX_OK"].value, 0)
        for name in [
            "NX_ERR_BAD_SYSCALL",
            "NX_ERR_BAD_HANDLE",
            "NX_ERR_ACCESS_DENIED",
            "NX_ERR_BAD_ADDRESS",
            "NX_ERR_WRONG_TYPE",
            "NX_ERR_TIMED_OUT",
            "NX_ERR_BUSY",
        ]:
            self.assertIn(name, codes)
            self.assertLess(codes[name].value, 0)
            self.assertTrue(codes[name].doc, name)

    def test_errors_c_names_every_code(self):
        with open(ERRORS_C, encoding="utf-8") as f:
            table = f.read()
        for e in errors():
            self.assertRegex(table, rf"case {e.name}:\s*\n\s*return \"[a-z-]+\";", e.name)

    def test_refuses_a_broken_header(self):
        with self.assertRaises(abigen_schema.SchemaError) as ctx:
            abigen_schema.parse_errors_h(
                "#define NX_OK 0\n#define NX_ERR_A (-1)\n#define NX_ERR_B (-1)\n"
                "#define NX_ERR_C 5\n#define NX_ERR_D oops\n",
                "e.h",
            )
        text = "\n".join(ctx.exception.problems)
        self.assertIn("e.h:3: NX_ERR_B has the same value (-1) as NX_ERR_A", text)
        self.assertIn("e.h:4: NX_ERR_C must be negative", text)
        self.assertIn("e.h:5: cannot parse", text)


class LayoutTest(unittest.TestCase):
    def test_call_fits_on_one_line(self):
        self.assertEqual(
            codegen_layout.c_call("int f", ["int a", "int b"], ");"), ["int f(int a, int b);"]
        )

    def test_call_packs_after_the_paren(self):
        params = [f"uint64_t argument_{i}" for i in range(6)]
        lines = codegen_layout.c_call("static inline int64_t nx_example", params, ") {")
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[1].startswith(" " * len("static inline int64_t nx_example(") + "u"))
        self.assertTrue(all(len(line) <= 100 for line in lines))

    def test_call_breaks_after_the_paren_when_alignment_cannot_fit(self):
        head = "int sys_" + "x" * 50 + "_decode"
        lines = codegen_layout.c_call(head, ["struct thread *caller", "sys_" + "x" * 50 + "_args_t *out"], ");")
        self.assertEqual(lines[0], head + "(")
        self.assertTrue(lines[1].startswith("    struct thread *caller,"))

    def test_doc_wrapping_keeps_paragraphs_and_bullets(self):
        lines = codegen_layout.wrap_doc(
            "One two.\n\n- a bullet that is long enough to wrap here\n- b", 20
        )
        self.assertEqual(lines[0], "One two.")
        self.assertEqual(lines[1], "")
        self.assertTrue(lines[2].startswith("- a bullet"))
        self.assertTrue(lines[3].startswith("  "))
        self.assertEqual(lines[-1], "- b")


class OutputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.schema = abigen_schema.load(SCHEMA_PATH, ERRORS_H)
        cls.out = abigen.generate(cls.schema)

    def test_real_schema(self):
        names = [s.name for s in self.schema.syscalls]
        # The first syscalls keep their numbers; later ones only add to the end.
        self.assertEqual(
            names[:8],
            [
                "null",
                "debug_write",
                "thread_yield",
                "thread_exit",
                "task_exit",
                "clock_get",
                "nanosleep_until",
                "kernel_stats",
            ],
        )
        self.assertEqual([s.number for s in self.schema.syscalls], list(range(len(names))))
        self.assertEqual(
            [s.name for s in self.schema.syscalls if s.noreturn], ["thread_exit", "task_exit"]
        )
        self.assertIn("nanosleep_until", [s.name for s in self.schema.syscalls if s.blocking])
        self.assertNotIn("null", [s.name for s in self.schema.syscalls if s.blocking])
        for o in self.schema.objects:
            self.assertTrue(set(o.default_rights) <= {r.name for r in self.schema.rights}, o.name)

    def test_every_output_says_it_is_generated(self):
        for key, text in self.out.items():
            first = text.splitlines()[0]
            self.assertIn(abigen_layout.GENERATED, first, key)
            self.assertTrue(text.endswith("\n") and not text.endswith("\n\n"), key)
            self.assertNotIn("\t", text, key)
            if key != "doc_md":
                long = [line for line in text.splitlines() if len(line) > 100]
                self.assertEqual(long, [], key)

    def test_struct_header_output(self):
        self.assertIn("kernel_stats", self.schema.struct_headers())
        text = self.out["struct_h:kernel_stats"]
        self.assertIn("typedef struct nx_kernel_stats {", text)
        self.assertIn("} nx_kernel_stats_t;", text)
        self.assertIn("#ifndef NEURON_KERNEL_STATS_H", text)
        self.assertIn('#include "neuron/kernel_stats.h"', self.out["syscalls_h"])

    def test_numbers(self):
        text = self.out["numbers_h"]
        self.assertIn("#define NX_DEBUG_WRITE_MAX 256\n", text)
        self.assertIn("#define NX_SYS_NULL 0\n", text)
        self.assertIn("#define NX_SYS_KERNEL_STATS 7\n", text)
        self.assertIn(f"#define NX_SYS_COUNT {len(self.schema.syscalls)}\n", text)
        self.assertIn("#define NX_ABI_VERSION 3\n", text)
        for c in self.schema.constants:
            self.assertEqual(eval_define(text, f"NX_{c.name}"), c.value, c.name)
            if c.value >= 2**31:
                self.assertIn(f"#define NX_{c.name} 0x{c.value:x}ull\n", text)

    def test_default_rights(self):
        text = self.out["rights_h"]
        self.assertIn("#define NX_DEFAULT_RIGHTS_DEBUG_LOG (NX_RIGHT_WRITE)\n", text)
        for o in self.schema.objects:
            mask = sum(1 << self.schema.right(r).bit for r in o.default_rights)
            self.assertEqual(eval_define(text, o.default_macro), mask, o.name)
            self.assertEqual(mask & ~eval_define(text, "NX_RIGHTS_ALL"), 0, o.name)
            rights = ", ".join(o.default_rights) or "none"
            self.assertIn(f"| {o.name} | {rights} | ", self.out["doc_md"])

    def test_stubs(self):
        text = self.out["syscalls_h"]
        self.assertIn(
            "static inline int64_t nx_debug_write(nx_handle_t log, uintptr_t buf, size_t len) {",
            text,
        )
        # The kernel returns ra, t0-t6, a6 and a7 zeroed and a1-a5 as passed or
        # as the out struct: the argument registers a stub uses are in-out
        # operands, an out struct's are outputs, every other one is a clobber.
        self.assertIn('                   : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a7)\n', text)
        self.assertIn(
            '                   : "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a3", "a4", '
            '"a5", "a6",\n                     "memory");',
            text,
        )
        self.assertIn(
            "__attribute__((noreturn)) static inline void nx_task_exit(int64_t code) {", text
        )
        self.assertIn("#if defined(__riscv)", text)
        # Host declarations after #else, one per syscall.
        host = text[text.index("#else") :]
        self.assertEqual(len(re.findall(r"\bnx_\w+\(", host)), len(self.schema.syscalls))
        for s in self.schema.syscalls:
            if s.noreturn:
                continue
            nout = len(s.out.fields) if s.out else 0
            with self.subTest(syscall=s.name):
                operands, clobbers, after = stub_asm(text, s.name)
                self.assertEqual((operands, clobbers), expected_asm(len(s.args), nout))
                fields = s.out.fields if s.out else []
                stores = [f"out->{f.name} = a{i + 1};" for i, f in enumerate(fields)]
                self.assertEqual(after, stores + ["return (int64_t)a0;"])

    def test_ipc_returns_words_in_registers(self):
        with_out = {s.name: s.out.c_name for s in self.schema.syscalls if s.out}
        self.assertEqual(
            with_out,
            {
                "ipc_call": "nx_ipc_words_t",
                "ipc_recv": "nx_ipc_words_t",
                "ipc_reply_recv": "nx_ipc_words_t",
                "channel_recv": "nx_ipc_words_t",
            },
        )
        words = next(st for st in self.schema.structs if st.name == "ipc_words")
        self.assertEqual([f.name for f in words.fields], ["w0", "w1", "w2", "w3", "info"])
        text = self.out["syscalls_h"]
        self.assertIn(
            "static inline int64_t nx_ipc_recv(nx_handle_t ep, nx_ipc_words_t *out) {", text
        )
        # ipc_call passes a0..a5 and gets a1..a5 back: every one in-out.
        operands, clobbers, after = stub_asm(text, "ipc_call")
        self.assertEqual(operands, {f"a{i}": "+r" for i in (0, 1, 2, 3, 4, 5, 7)})
        self.assertEqual(clobbers[-2:], ["a6", "memory"])
        fields = ["w0", "w1", "w2", "w3", "info"]
        self.assertEqual(after[:5], [f"out->{f} = a{i + 1};" for i, f in enumerate(fields)])
        decl = self.out["decl_h"]
        for name in with_out:
            self.assertIn(
                f"static inline void sys_{name}_set_out(uint64_t regs[6], "
                "const nx_ipc_words_t *o) {\n"
                "  regs[1] = o->w0;\n  regs[2] = o->w1;\n  regs[3] = o->w2;\n  regs[4] = o->w3;\n"
                "  regs[5] = o->info;\n}\n",
                decl,
            )
        self.assertEqual(decl.count("_set_out("), len(with_out))
        self.assertEqual(self.out["doc_md"].count("**Also returns**"), len(with_out))

    def test_kernel_declarations(self):
        text = self.out["decl_h"]
        # No arguments, nothing to decode: only invoke, with the caller alone.
        self.assertIn("int64_t sys_null_invoke(struct thread *caller);", text)
        self.assertNotIn("sys_null_decode", text)
        self.assertNotIn("sys_null_args_t", text)
        self.assertIn(
            "int sys_task_exit_decode(struct thread *caller, const uint64_t raw[6], "
            "sys_task_exit_args_t *out);",
            text,
        )
        self.assertIn(
            "int64_t sys_kernel_stats_invoke(struct thread *caller, "
            "const sys_kernel_stats_args_t *args);",
            text,
        )
        self.assertIn(
            "int64_t syscall_dispatch(struct thread *caller, uint64_t number, const uint64_t raw[6]);",
            text,
        )
        self.assertIn("#define SYS_DEBUG_WRITE_LOG_RIGHTS (NX_RIGHT_WRITE)", text)
        self.assertIn("#define SYS_DEBUG_WRITE_LOG_OBJECT OBJ_DEBUG_LOG\n", text)
        for s in self.schema.syscalls:
            for a in s.args:
                if a.type == "handle":
                    kind = f"OBJ_{a.object.upper()}" if a.object else "HANDLE_ANY_TYPE"
                    self.assertIn(f"#define SYS_{s.upper}_{a.name.upper()}_OBJECT {kind}\n", text)
        self.assertIn("if (raw[0] > UINT32_MAX) return NX_ERR_BAD_HANDLE;", text)

    def test_dispatch_is_one_switch(self):
        text = self.out["dispatch_c"]
        body = text[text.index("int64_t syscall_dispatch") : text.index("const char *syscall_name")]
        self.assertEqual(body.count("switch (number)"), 1)
        self.assertNotRegex(body, r"\b(for|while|do)\b")
        for s in self.schema.syscalls:
            if s.args:
                self.assertIn(f"case NX_SYS_{s.upper}: {{", body)
                self.assertIn(f"sys_{s.name}_decode(caller, raw, &args)", body)
                self.assertIn(f"return sys_{s.name}_invoke(caller, &args);", body)
            else:
                self.assertIn(f"case NX_SYS_{s.upper}:\n      return sys_{s.name}_invoke(caller);", body)
                self.assertNotIn(f"sys_{s.name}_decode", body)
        self.assertIn("return NX_ERR_BAD_SYSCALL;", body)

    def test_doc(self):
        text = self.out["doc_md"]
        self.assertIn("## Calling convention", text)
        self.assertIn("| -7 | `NX_ERR_BAD_SYSCALL` | the syscall number is unknown |", text)
        self.assertIn("### nanosleep_until", text)
        self.assertIn("- **Blocks:** yes.", text)
        self.assertIn("| a0 | `log` | `nx_handle_t` |", text)
        self.assertIn("rights: write", text)

    def test_deterministic(self):
        again = abigen.generate(abigen_schema.load(SCHEMA_PATH, ERRORS_H))
        self.assertEqual(again, self.out)


class MainTest(unittest.TestCase):
    def run_main(self, toml_text, *extra, numbers=True):
        with tempfile.TemporaryDirectory() as tmp:
            schema = os.path.join(tmp, "s.toml")
            with open(schema, "w", encoding="utf-8") as f:
                f.write(toml_text)
            out = os.path.join(tmp, "gen", "neuron", "syscall_numbers.h")
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr):
                outs = ["--numbers-h", out] if numbers else []
                rc = abigen.main(["--schema", schema, "--errors", ERRORS_H, *outs, *extra])
            written = None
            if os.path.exists(out):
                with open(out, encoding="utf-8") as f:
                    written = f.read()
            return rc, stderr.getvalue(), written

    def test_writes_outputs(self):
        with open(SCHEMA_PATH, encoding="utf-8") as f:
            rc, err, written = self.run_main(f.read())
        self.assertEqual((rc, err), (0, ""))
        count = len(abigen_schema.load(SCHEMA_PATH, ERRORS_H).syscalls)
        self.assertIn(f"#define NX_SYS_COUNT {count}\n", written)

    def test_bad_schema_exits_1_with_a_message_and_writes_nothing(self):
        last = abigen_schema.load(SCHEMA_PATH, ERRORS_H).syscalls[-1]
        with open(SCHEMA_PATH, encoding="utf-8") as f:
            text = f.read()
        # The last syscall skips a number.
        text, n = re.subn(rf"^number = {last.number}$", f"number = {last.number + 2}", text, flags=re.M)
        self.assertEqual(n, 1)
        rc, err, written = self.run_main(text)
        self.assertEqual(rc, 1)
        self.assertIn(f"syscall '{last.name}'", err)
        self.assertIn(f"number {last.number + 2} leaves a gap", err)
        self.assertIn("abigen: refusing the schema", err)
        self.assertIsNone(written)

    def test_struct_headers_must_all_be_generated_with_syscalls_h(self):
        with open(SCHEMA_PATH, encoding="utf-8") as f:
            text = f.read()
        with tempfile.TemporaryDirectory() as tmp:
            stubs = os.path.join(tmp, "syscalls.h")
            rc, err, _ = self.run_main(text, "--syscalls-h", stubs)
            self.assertEqual(rc, 1)
            self.assertIn("struct 'kernel_stats' goes in neuron/kernel_stats.h", err)
            self.assertIn("ABI_STRUCT_HEADERS", err)
            rc, err, _ = self.run_main(text, "--struct-h", f"nope={tmp}/nope.h")
            self.assertEqual(rc, 1)
            self.assertIn("--struct-h nope: no struct of the schema goes in neuron/nope.h", err)
            stats = os.path.join(tmp, "kernel_stats.h")
            rc, err, _ = self.run_main(text, "--syscalls-h", stubs, "--struct-h", f"kernel_stats={stats}")
            self.assertEqual(rc, 1)  # the others are still missing
            self.assertNotIn("struct 'kernel_stats'", err)
            headers = abigen_schema.load(SCHEMA_PATH, ERRORS_H).struct_headers()
            every = [a for h in headers for a in ("--struct-h", f"{h}={tmp}/{h}.h")]
            rc, err, _ = self.run_main(text, "--syscalls-h", stubs, *every)
            self.assertEqual((rc, err), (0, ""))
            with open(stats, encoding="utf-8") as f:
                self.assertIn("nx_kernel_stats_t", f.read())

    def test_invalid_toml(self):
        rc, err, _ = self.run_main("[abi\nversion = 1\n")
        self.assertEqual(rc, 1)
        self.assertIn("not valid TOML", err)

    def test_real_schema_round_trips_through_tomllib(self):
        with open(SCHEMA_PATH, "rb") as f:
            data = tomllib.load(f)
        copy_data = copy.deepcopy(data)
        abigen_schema.load_schema(data, errors())
        self.assertEqual(data, copy_data, "validation must not modify its input")


if __name__ == "__main__":
    SCHEMA_PATH, ERRORS_H, ERRORS_C = sys.argv[1:4]
    unittest.main(argv=sys.argv[:1])
