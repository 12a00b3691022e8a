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

SCHEMA_PATH = ERRORS_H = ERRORS_C = ""


def errors():
    with open(ERRORS_H, encoding="utf-8") as f:
        return abigen.parse_errors_h(f.read(), ERRORS_H)


def base():
    """A small valid schema, as tomllib returns it; tests break one thing."""
    return {
        "abi": {"version": 1, "convention": "ecall, a7 = number."},
        "right": [
            {"name": "read", "bit": 0, "doc": "Read."},
            {"name": "write", "bit": 1, "doc": "Write."},
        ],
        "object": [{"name": "debug_log", "doc": "The console."}],
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


class ValidationTest(unittest.TestCase):
    """Each broken schema is refused with a message naming the culprit."""

    def refused(self, data, *fragments):
        with self.assertRaises(abigen.SchemaError) as ctx:
            abigen.load_schema(data, errors(), "test.toml")
        text = "\n".join(ctx.exception.problems)
        for fragment in fragments:
            self.assertIn(fragment, text)
        return ctx.exception.problems

    def test_base_is_valid(self):
        schema = abigen.load_schema(base(), errors(), "test.toml")
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

    def test_handle_needs_object_and_rights(self):
        data = base()
        del syscall(data, "debug_write")["arg"][0]["object"]
        self.refused(data, "argument 'log'", "missing key 'object'")

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
        with self.assertRaises(abigen.SchemaError) as ctx:
            abigen.parse_errors_h(
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
        self.assertEqual(abigen.c_call("int f", ["int a", "int b"], ");"), ["int f(int a, int b);"])

    def test_call_packs_after_the_paren(self):
        params = [f"uint64_t argument_{i}" for i in range(6)]
        lines = abigen.c_call("static inline int64_t nx_example", params, ") {")
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[1].startswith(" " * len("static inline int64_t nx_example(") + "u"))
        self.assertTrue(all(len(line) <= 100 for line in lines))

    def test_call_breaks_after_the_paren_when_alignment_cannot_fit(self):
        head = "int sys_" + "x" * 50 + "_decode"
        lines = abigen.c_call(head, ["struct thread *caller", "sys_" + "x" * 50 + "_args_t *out"], ");")
        self.assertEqual(lines[0], head + "(")
        self.assertTrue(lines[1].startswith("    struct thread *caller,"))

    def test_doc_wrapping_keeps_paragraphs_and_bullets(self):
        lines = abigen.wrap_doc("One two.\n\n- a bullet that is long enough to wrap here\n- b", 20)
        self.assertEqual(lines[0], "One two.")
        self.assertEqual(lines[1], "")
        self.assertTrue(lines[2].startswith("- a bullet"))
        self.assertTrue(lines[3].startswith("  "))
        self.assertEqual(lines[-1], "- b")


class OutputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.schema = abigen.load(SCHEMA_PATH, ERRORS_H)
        cls.out = abigen.generate(cls.schema)

    def test_real_schema(self):
        names = [s.name for s in self.schema.syscalls]
        self.assertEqual(
            names,
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
        self.assertEqual([s.number for s in self.schema.syscalls], list(range(8)))
        self.assertEqual(
            [s.name for s in self.schema.syscalls if s.noreturn], ["thread_exit", "task_exit"]
        )
        self.assertEqual([s.name for s in self.schema.syscalls if s.blocking], ["nanosleep_until"])

    def test_every_output_says_it_is_generated(self):
        for key, text in self.out.items():
            first = text.splitlines()[0]
            self.assertIn(abigen.GENERATED, first, key)
            self.assertTrue(text.endswith("\n") and not text.endswith("\n\n"), key)
            self.assertNotIn("\t", text, key)
            if key != "doc_md":
                long = [line for line in text.splitlines() if len(line) > 100]
                self.assertEqual(long, [], key)

    def test_struct_header_output(self):
        self.assertEqual(self.schema.struct_headers(), ["kernel_stats"])
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
        self.assertIn("#define NX_SYS_COUNT 8\n", text)
        self.assertIn("#define NX_ABI_VERSION 2\n", text)

    def test_stubs(self):
        text = self.out["syscalls_h"]
        self.assertIn(
            "static inline int64_t nx_debug_write(nx_handle_t log, uintptr_t buf, size_t len) {",
            text,
        )
        # The kernel returns ra, t0-t6 and a1-a7 zeroed: the argument registers
        # a stub uses are in-out operands, every other one is a clobber.
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
        self.assertEqual(len(re.findall(r"\bnx_\w+\(", host)), 8)

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
        again = abigen.generate(abigen.load(SCHEMA_PATH, ERRORS_H))
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
        self.assertIn("#define NX_SYS_COUNT 8", written)

    def test_bad_schema_exits_1_with_a_message_and_writes_nothing(self):
        with open(SCHEMA_PATH, encoding="utf-8") as f:
            text = f.read().replace("number = 7", "number = 9")
        rc, err, written = self.run_main(text)
        self.assertEqual(rc, 1)
        self.assertIn("syscall 'kernel_stats'", err)
        self.assertIn("number 9 leaves a gap", err)
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
            rc, err, _ = self.run_main(
                text, "--syscalls-h", stubs, "--struct-h", f"kernel_stats={stats}"
            )
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
        abigen.load_schema(data, errors())
        self.assertEqual(data, copy_data, "validation must not modify its input")


if __name__ == "__main__":
    SCHEMA_PATH, ERRORS_H, ERRORS_C = sys.argv[1:4]
    unittest.main(argv=sys.argv[:1])
