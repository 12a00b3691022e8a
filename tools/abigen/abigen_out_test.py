"""Tests of a syscall's `out` struct: what the schema accepts and the stubs,
helpers and docs generated for it.

    abigen_out_test.py SYSCALLS_TOML ERRORS_H ERRORS_C
"""

import unittest

import abigen
import abigen_c
import abigen_schema
import abigen_testing
from abigen_testing import add_out, add_syscall, base, errors, expected_asm, stub_asm, syscall


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


if __name__ == "__main__":
    abigen_testing.main()
