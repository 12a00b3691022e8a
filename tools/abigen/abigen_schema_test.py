"""Tests of abigen's schema checking: every validation refusal, with its
message, and the parsing of errors.h.

    abigen_schema_test.py SYSCALLS_TOML ERRORS_H ERRORS_C
"""

import unittest

import abigen
import abigen_c
import abigen_docs
import abigen_schema
import abigen_testing
from abigen_testing import base, errors, eval_define, syscall


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
        with open(abigen_testing.ERRORS_C, encoding="utf-8") as f:
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


if __name__ == "__main__":
    abigen_testing.main()
