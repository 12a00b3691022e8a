"""Tests of abigen's outputs: the layout helpers, the files generated from the
real schema and the command line.

    abigen_output_test.py SYSCALLS_TOML ERRORS_H ERRORS_C
"""

import contextlib
import copy
import io
import os
import re
import tempfile
import tomllib
import unittest

import abigen
import abigen_layout
import abigen_schema
import abigen_testing
import codegen_layout
from abigen_testing import errors, eval_define, expected_asm, stub_asm


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
        cls.schema = abigen_schema.load(abigen_testing.SCHEMA_PATH, abigen_testing.ERRORS_H)
        cls.out = abigen.generate(cls.schema)

    def test_real_schema(self):
        names = [s.name for s in self.schema.syscalls]
        # The first eight are the ones trap.S sorts out by number (those
        # that may end with a continuation, the IPC calls first, ipc_call at
        # 0: ABI version 5); numbers stay as they are, new syscalls only add
        # to the end.
        self.assertEqual(
            names[:9],
            [
                "ipc_call",
                "ipc_recv",
                "ipc_reply",
                "ipc_reply_recv",
                "thread_yield",
                "notification_signal",
                "notification_wait",
                "waitset_wait",
                "null",
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
        self.assertIn("#define NX_SYS_IPC_CALL 0\n", text)
        self.assertIn("#define NX_SYS_THREAD_YIELD 4\n", text)
        self.assertIn("#define NX_SYS_KERNEL_STATS 14\n", text)
        self.assertIn(f"#define NX_SYS_COUNT {len(self.schema.syscalls)}\n", text)
        self.assertIn("#define NX_ABI_VERSION 5\n", text)
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
                "task_info": "nx_task_info_t",
                "task_handle_info": "nx_handle_info_t",
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
        for name in ("ipc_call", "ipc_recv", "ipc_reply_recv", "channel_recv"):
            self.assertIn(
                f"static inline void sys_{name}_set_out(uint64_t regs[6], "
                "const nx_ipc_words_t *o) {\n"
                "  regs[1] = o->w0;\n  regs[2] = o->w1;\n  regs[3] = o->w2;\n  regs[4] = o->w3;\n"
                "  regs[5] = o->info;\n}\n",
                decl,
            )
        self.assertIn(
            "static inline void sys_task_handle_info_set_out(uint64_t regs[6], "
            "const nx_handle_info_t *o) {\n"
            "  regs[1] = o->handle;\n  regs[2] = o->type;\n  regs[3] = o->rights;\n"
            "  regs[4] = o->badge;\n}\n",
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
        again = abigen.generate(abigen_schema.load(abigen_testing.SCHEMA_PATH, abigen_testing.ERRORS_H))
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
                rc = abigen.main(["--schema", schema, "--errors", abigen_testing.ERRORS_H, *outs, *extra])
            written = None
            if os.path.exists(out):
                with open(out, encoding="utf-8") as f:
                    written = f.read()
            return rc, stderr.getvalue(), written

    def test_writes_outputs(self):
        with open(abigen_testing.SCHEMA_PATH, encoding="utf-8") as f:
            rc, err, written = self.run_main(f.read())
        self.assertEqual((rc, err), (0, ""))
        count = len(abigen_schema.load(abigen_testing.SCHEMA_PATH, abigen_testing.ERRORS_H).syscalls)
        self.assertIn(f"#define NX_SYS_COUNT {count}\n", written)

    def test_bad_schema_exits_1_with_a_message_and_writes_nothing(self):
        last = abigen_schema.load(abigen_testing.SCHEMA_PATH, abigen_testing.ERRORS_H).syscalls[-1]
        with open(abigen_testing.SCHEMA_PATH, encoding="utf-8") as f:
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
        with open(abigen_testing.SCHEMA_PATH, encoding="utf-8") as f:
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
            headers = abigen_schema.load(abigen_testing.SCHEMA_PATH, abigen_testing.ERRORS_H).struct_headers()
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
        with open(abigen_testing.SCHEMA_PATH, "rb") as f:
            data = tomllib.load(f)
        copy_data = copy.deepcopy(data)
        abigen_schema.load_schema(data, errors())
        self.assertEqual(data, copy_data, "validation must not modify its input")


if __name__ == "__main__":
    abigen_testing.main()
