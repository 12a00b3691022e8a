"""Tests of idlgen: every validation refusal, the outputs, the command line.

    idlgen_test.py ECHO_TOML
"""

import contextlib
import io
import os
import re
import sys
import tempfile
import unittest

import idlgen
import codegen_layout
import idlgen_schema

ECHO_TOML = ""


def base():
    """A small valid schema, as tomllib returns it; tests break one thing."""
    return {
        "protocol": {"name": "log", "version": 2, "doc": "A log."},
        "method": [
            {"name": "ping", "number": 0, "doc": "Nothing."},
            {
                "name": "write",
                "number": 1,
                "doc": "Writes a line.",
                "arg": [{"name": "level", "type": "u32", "doc": "The level."}],
                "bytes": {"name": "text", "max": 200, "doc": "The line."},
                "handle": [{"name": "vmo", "doc": "More text."}],
                "result": [{"name": "seq", "type": "u64", "doc": "Its number."}],
                "result_bytes": {"name": "echo", "max": 16, "doc": "An echo."},
                "result_handle": [{"name": "done", "doc": "Signalled when read."}],
            },
        ],
    }


def method(data, name):
    return next(m for m in data["method"] if m["name"] == name)


def words(n, prefix="x", type_="u64"):
    return [{"name": f"{prefix}{i}", "type": type_, "doc": "X."} for i in range(n)]


def one_byte(name):
    return {"name": name, "max": 1, "doc": "A byte."}


def handles(n, prefix="h"):
    return [{"name": f"{prefix}{i}", "doc": "H."} for i in range(n)]


class ValidationTest(unittest.TestCase):
    """Each broken schema is refused with a message naming the culprit."""

    def refused(self, data, *fragments, expected_name=None):
        with self.assertRaises(idlgen_schema.SchemaError) as ctx:
            idlgen_schema.load_schema(data, "test.toml", expected_name)
        text = "\n".join(ctx.exception.problems)
        for fragment in fragments:
            self.assertIn(fragment, text)
        return ctx.exception.problems

    def test_base_is_valid(self):
        p = idlgen_schema.load_schema(base(), "test.toml", "log")
        self.assertEqual((p.name, p.version), ("log", 2))
        self.assertEqual([m.name for m in p.methods], ["ping", "write"])
        w = p.methods[1]
        self.assertEqual((w.bytes.name, w.bytes.max), ("text", 200))
        self.assertEqual([h.name for h in w.handles], ["vmo"])
        self.assertEqual(w.result_bytes.max, 16)

    def test_every_problem_is_reported_at_once(self):
        data = base()
        data["protocol"]["version"] = 0
        method(data, "ping")["number"] = 1
        method(data, "write")["arg"][0]["type"] = "f32"
        problems = self.refused(data, "version must be", "number 1 is already used", "f32")
        self.assertEqual(len(problems), 3, problems)

    # ---- the file and [protocol]

    def test_unknown_top_level_key(self):
        data = base()
        data["methods"] = []
        self.refused(data, "test.toml: unknown key 'methods' (allowed: protocol, method)")

    def test_missing_protocol_or_methods(self):
        data = base()
        del data["protocol"]
        self.refused(data, "test.toml: missing key 'protocol'")
        data = base()
        del data["method"]
        self.refused(data, "test.toml: missing key 'method'")

    def test_no_methods(self):
        data = base()
        data["method"] = []
        self.refused(data, "test.toml: defines no methods")

    def test_method_must_be_an_array_of_tables(self):
        data = base()
        data["method"] = {"name": "ping"}
        self.refused(data, "'method' must be an array of tables")

    def test_protocol_keys(self):
        data = base()
        data["protocol"]["prefix"] = "x"
        del data["protocol"]["doc"]
        self.refused(
            data,
            "[protocol]: unknown key 'prefix' (allowed: name, version, doc)",
            "[protocol]: missing key 'doc'",
        )

    def test_protocol_name(self):
        for bad, why in [
            ("Log", "is not a valid C identifier in lower_case"),
            ("9log", "is not a valid C identifier"),
            ("class", "is a C or C++ keyword"),
            ("log_t", "ends in _t"),
            ("lo__g", "contains '__'"),
            ("log_", "ends in '_'"),
            ("nx_log", "starts with nx_"),
            ("l" * 17, "is longer than 16 characters"),
        ]:
            with self.subTest(name=bad):
                data = base()
                data["protocol"]["name"] = bad
                self.refused(data, "[protocol]: protocol name", why)

    def test_protocol_name_must_match_the_file(self):
        self.refused(
            base(),
            "protocol name 'log' does not match the schema's file name (logger.toml)",
            expected_name="logger",
        )

    def test_version_range_and_type(self):
        for bad, why in [
            (0, "version must be in 1..65535, not 0"),
            (65536, "version must be in 1..65535, not 65536"),
            ("1", "'version' must be an integer, not '1'"),
            (True, "'version' must be an integer, not True"),
        ]:
            with self.subTest(version=bad):
                data = base()
                data["protocol"]["version"] = bad
                self.refused(data, why)

    def test_docs(self):
        data = base()
        data["protocol"]["doc"] = "  "
        method(data, "ping")["doc"] = "Has a */ in it."
        method(data, "write")["arg"][0]["doc"] = 3
        self.refused(
            data,
            "[protocol]: 'doc' must not be empty",
            "method 'ping': 'doc' must not contain '/*' or '*/'",
            "method 'write': argument 'level': 'doc' must be a string, not 3",
        )

    # ---- methods

    def test_duplicate_method_number(self):
        data = base()
        method(data, "write")["number"] = 0
        self.refused(
            data, "method 'write': number 0 is already used by test.toml: method 'ping'"
        )

    def test_duplicate_method_name(self):
        data = base()
        method(data, "write")["name"] = "ping"
        self.refused(data, "method 'ping': name 'ping' is already used")

    def test_method_number_range(self):
        for bad, why in [
            (-1, "number must be in 0..65535, not -1"),
            (65536, "number must be in 0..65535, not 65536"),
            (1.5, "'number' must be an integer, not 1.5"),
        ]:
            with self.subTest(number=bad):
                data = base()
                method(data, "write")["number"] = bad
                self.refused(data, "method 'write'", why)

    def test_numbers_may_leave_gaps(self):
        data = base()
        method(data, "write")["number"] = 9
        p = idlgen_schema.load_schema(data, "test.toml")
        self.assertEqual([m.number for m in p.methods], [0, 9])

    def test_methods_come_out_by_number(self):
        data = base()
        method(data, "ping")["number"] = 5
        p = idlgen_schema.load_schema(data, "test.toml")
        self.assertEqual([m.name for m in p.methods], ["write", "ping"])

    def test_method_keys(self):
        data = base()
        method(data, "ping")["returns"] = "0."
        del method(data, "ping")["doc"]
        self.refused(
            data,
            "method 'ping': unknown key 'returns' (allowed: name, number, doc, arg, bytes, "
            "handle, result, result_bytes, result_handle)",
            "method 'ping': missing key 'doc'",
        )

    def test_method_name(self):
        for bad, why in [
            ("Ping", "is not a valid C identifier"),
            ("", "is not a valid C identifier"),
            ("new", "is a C or C++ keyword"),
            ("p" * 25, "is longer than 24 characters"),
        ]:
            with self.subTest(name=bad):
                data = base()
                method(data, "ping")["name"] = bad
                self.refused(data, "method #1: method name")

    def test_reserved_method_names(self):
        for name in sorted(idlgen_schema.RESERVED_METHODS):
            with self.subTest(name=name):
                data = base()
                method(data, "ping")["name"] = name
                self.refused(data, f"method '{name}': method name '{name}' is reserved (log_{name}")

    # ---- arguments and results

    def test_too_many_arguments(self):
        data = base()
        method(data, "ping")["arg"] = words(4)
        self.refused(data, "method 'ping': has 4 arguments; at most 3 fit in w1..w3")

    def test_too_many_results(self):
        data = base()
        method(data, "ping")["result"] = words(4)
        self.refused(data, "method 'ping': has 4 results; at most 3 fit in w1..w3")

    def test_three_words_each_way_fit(self):
        data = base()
        method(data, "ping")["arg"] = words(3)
        method(data, "ping")["result"] = words(3, "y")
        idlgen_schema.load_schema(data, "test.toml")

    def test_bad_word_types(self):
        for key, what in [("arg", "argument"), ("result", "result")]:
            for bad in ["u8", "usize", "uptr", "bool", ""]:
                with self.subTest(key=key, type=bad):
                    data = base()
                    method(data, "ping")[key] = [{"name": "x", "type": bad, "doc": "X."}]
                    self.refused(
                        data,
                        f"method 'ping': {what} 'x': unknown type {bad!r} "
                        "(known: u64, i64, u32, handle)",
                    )

    def test_word_keys(self):
        data = base()
        method(data, "ping")["arg"] = [{"name": "x", "type": "u64", "doc": "X.", "rights": []}]
        method(data, "ping")["result"] = [{"name": "y", "doc": "Y."}]
        self.refused(
            data,
            "argument 'x': unknown key 'rights' (allowed: name, type, doc)",
            "result 'y': missing key 'type'",
        )

    def test_argument_names(self):
        for bad, why in [
            ("int", "is a C or C++ keyword"),
            ("size_t", "ends in _t"),
            ("X", "is not a valid C identifier"),
            ("x" * 25, "is longer than 24 characters"),
        ]:
            with self.subTest(name=bad):
                data = base()
                method(data, "ping")["arg"] = [{"name": bad, "type": "u64", "doc": "X."}]
                self.refused(data, "method 'ping': argument #1: argument name", why)

    def test_reserved_parameter_names(self):
        for name in sorted(idlgen_schema.RESERVED_PARAMS):
            with self.subTest(name=name):
                data = base()
                method(data, "ping")["arg"] = [{"name": name, "type": "u64", "doc": "X."}]
                self.refused(
                    data, f"method 'ping': argument name '{name}' is reserved (the generated"
                )

    def test_duplicate_parameter_names(self):
        data = base()
        write = method(data, "write")
        write["handle"] = [{"name": "level", "doc": "Clash."}]
        self.refused(data, "method 'write': handle name 'level' is already used by argument")
        data = base()
        method(data, "write")["arg"].append({"name": "text_len", "type": "u64", "doc": "Clash."})
        self.refused(data, "bytes length name 'text_len' is already used by argument 'text_len'")

    def test_duplicate_result_names(self):
        data = base()
        method(data, "write")["result_handle"] = [{"name": "seq", "doc": "Clash."}]
        self.refused(
            data, "method 'write': result handle name 'seq' is already used by result 'seq'"
        )

    def test_results_may_reuse_argument_names(self):
        data = base()
        method(data, "write")["result"][0]["name"] = "level"
        method(data, "write")["result_bytes"]["name"] = "text"
        idlgen_schema.load_schema(data, "test.toml")

    # ---- bytes

    def test_bytes_maximum(self):
        for key, what in [("bytes", "bytes"), ("result_bytes", "result bytes")]:
            for bad, why in [
                (0, "max must be in 1..4096 (NX_MSG_BUF_MAX), not 0"),
                (4097, "max must be in 1..4096 (NX_MSG_BUF_MAX), not 4097"),
                ("64", "'max' must be an integer, not '64'"),
            ]:
                with self.subTest(key=key, max=bad):
                    data = base()
                    method(data, "write")[key]["max"] = bad
                    self.refused(data, f"method 'write': {what} '", why)

    def test_bytes_of_the_full_buffer(self):
        data = base()
        method(data, "write")["bytes"]["max"] = 4096
        method(data, "write")["result_bytes"]["max"] = 4096
        idlgen_schema.load_schema(data, "test.toml")

    def test_one_buffer_each_way(self):
        data = base()
        method(data, "write")["bytes"] = [method(data, "write")["bytes"]] * 2
        self.refused(data, "method 'write': 'bytes' must be a table, not [")

    def test_bytes_keys(self):
        data = base()
        method(data, "write")["bytes"]["min"] = 1
        del method(data, "write")["result_bytes"]["max"]
        self.refused(
            data,
            "bytes: unknown key 'min' (allowed: name, max, doc)",
            "result bytes: missing key 'max'",
        )

    # ---- handles

    def test_too_many_handles(self):
        data = base()
        method(data, "ping")["handle"] = handles(5)
        method(data, "ping")["result_handle"] = handles(5, "r")
        self.refused(
            data,
            "method 'ping': has 5 handles; a message carries at most 4 (NX_MSG_HANDLES)",
            "method 'ping': has 5 result handles; a message carries at most 4",
        )

    def test_four_handles_each_way_fit(self):
        data = base()
        method(data, "ping")["handle"] = handles(4)
        method(data, "ping")["result_handle"] = handles(4, "r")
        idlgen_schema.load_schema(data, "test.toml")

    def test_handle_keys(self):
        data = base()
        method(data, "write")["handle"][0]["rights"] = ["read"]
        method(data, "write")["result_handle"][0]["type"] = "vmo"
        self.refused(
            data,
            "handle 'vmo': unknown key 'rights' (allowed: name, doc)",
            "result handle 'done': unknown key 'type' (allowed: name, doc)",
        )

    # ---- generated names

    def test_generated_identifiers_must_not_meet(self):
        data = base()
        data["method"] = [
            {"name": "a", "number": 0, "doc": "A.", "result_bytes": one_byte("x")},
            {"name": "a_result", "number": 1, "doc": "B.", "bytes": one_byte("y")},
        ]
        self.refused(
            data, "generates the identifier LOG_A_RESULT_BYTES_MAX, which method 'a' generates too"
        )
        data["method"] = [
            {"name": "x", "number": 0, "doc": "A."},
            {"name": "call_x", "number": 1, "doc": "B."},
        ]
        self.refused(data, "generates the identifier log_call_x")
        data["method"] = [
            {"name": "get", "number": 0, "doc": "A.", "result": words(1)},
            {"name": "get_result", "number": 1, "doc": "B."},
        ]
        self.refused(data, "generates the identifier log_get_result, which method 'get'")


class LoadTest(unittest.TestCase):
    def test_invalid_toml(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "x.toml")
            with open(path, "w", encoding="utf-8") as f:
                f.write("[protocol\n")
            with self.assertRaises(idlgen_schema.SchemaError) as ctx:
                idlgen_schema.load(path)
            self.assertIn("not valid TOML", ctx.exception.problems[0])

    def test_main_refuses_and_writes_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "echo.toml")
            with open(ECHO_TOML, encoding="utf-8") as f:
                text = f.read()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text.replace('type = "u32"', 'type = "u16"', 1))
            out = os.path.join(tmp, "echo_client.h")
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                rc = idlgen.main(["--schema", path, "--protocol", "echo", "--client-h", out])
            self.assertEqual(rc, 1)
            self.assertFalse(os.path.exists(out))
            self.assertIn("unknown type 'u16'", err.getvalue())
            self.assertIn("idlgen: refusing the schema (1 problem(s))", err.getvalue())

    def test_main_writes_what_is_asked(self):
        with tempfile.TemporaryDirectory() as tmp:
            outs = {f: os.path.join(tmp, "sub", f) for f in ["c.h", "s.h", "s.c", "d.md"]}
            rc = idlgen.main(
                ["--schema", ECHO_TOML, "--protocol", "echo"]
                + ["--client-h", outs["c.h"], "--server-h", outs["s.h"]]
                + ["--server-c", outs["s.c"], "--doc-md", outs["d.md"]]
            )
            self.assertEqual(rc, 0)
            texts = idlgen.generate(idlgen_schema.load(ECHO_TOML))
            keys = {"client_h": "c.h", "server_h": "s.h", "server_c": "s.c", "doc_md": "d.md"}
            for key, f in keys.items():
                with open(outs[f], encoding="utf-8") as fh:
                    self.assertEqual(fh.read(), texts[key])

    def test_main_checks_the_protocol_name(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = idlgen.main(["--schema", ECHO_TOML, "--protocol", "ping"])
        self.assertEqual(rc, 1)
        self.assertIn("does not match the schema's file name (ping.toml)", err.getvalue())


class OutputTest(unittest.TestCase):
    """What the generator writes for the example (the goldens show all of it)."""

    @classmethod
    def setUpClass(cls):
        cls.p = idlgen_schema.load(ECHO_TOML, "echo")
        cls.out = idlgen.generate(cls.p)

    def fn(self, key, head):
        """The body of the function (or struct) that starts with `head`."""
        text = self.out[key]
        start = text.index(head)
        return text[start : text.index("\n}", start)]

    def test_example_covers_every_shape(self):
        ms = {m.name: m for m in self.p.methods}
        self.assertEqual([m.number for m in self.p.methods], [0, 1, 2, 3, 5])
        self.assertFalse(ms["ping"].has_results or ms["ping"].args)
        self.assertEqual(len(ms["add"].args), 3)
        self.assertTrue(ms["reverse"].bytes and ms["reverse"].result_bytes)
        self.assertEqual((len(ms["swap"].handles), len(ms["swap"].result_handles)), (2, 2))
        types = {a.type for m in ms.values() for a in m.args + m.results}
        self.assertEqual(types, set(idlgen_schema.WORD_TYPES))

    def test_version_and_methods(self):
        c = self.out["client_h"]
        self.assertIn("#define ECHO_VERSION 3\n", c)
        self.assertIn("#define ECHO_CALL_W0(method) (((uint64_t)ECHO_VERSION << 32) | (method))", c)
        for m in self.p.methods:
            self.assertIn(f"#define {m.macro} {m.number}\n", c)
        self.assertIn("#define ECHO_REVERSE_BYTES_MAX 256\n", c)
        self.assertIn("#define ECHO_FETCH_RESULT_BYTES_MAX 4096\n", c)

    def test_client_packs_words_in_order_with_their_types(self):
        body = self.fn("client_h", "static inline int64_t echo_add(")
        self.assertIn(
            "  msg.w0 = ECHO_CALL_W0(ECHO_METHOD_ADD);\n"
            "  msg.w1 = (uint64_t)a;\n"
            "  msg.w2 = (uint64_t)b;\n"
            "  msg.w3 = (uint64_t)shift;\n"
            "  int64_t err = nx_ipc_call(ep, msg.w0, msg.w1, msg.w2, msg.w3, msg.info, &msg);\n",
            body,
        )
        # Results: w1 i64, w2 u32 (checked to fit: narrow mask bit 1).
        self.assertIn("echo_reply_status(&msg, 0, 0, 0x2);", body)
        self.assertIn("result->sum = (int64_t)msg.w1;", body)
        self.assertIn("result->negative = (uint32_t)msg.w2;", body)
        # u64 words need no cast.
        body = self.fn("client_h", "static inline int64_t echo_reverse(")
        self.assertIn("result->vowels = msg.w1;", body)

    def test_client_puts_bytes_and_handles_in_the_ipc_buffer(self):
        body = self.fn("client_h", "static inline int64_t echo_reverse(")
        self.assertIn("if (text_len > ECHO_REVERSE_BYTES_MAX) return NX_ERR_INVALID_ARGS;", body)
        self.assertIn("memcpy(ipc + NX_IPC_BUFFER_BYTES, text, text_len);", body)
        self.assertIn("msg.info = (uint64_t)text_len << NX_MSG_INFO_BYTES_SHIFT;", body)
        self.assertIn("echo_reply_status(&msg, 0, 256, 0x0);", body)
        self.assertIn("result->text_len = (size_t)((msg.info >> NX_MSG_INFO_BYTES_SHIFT)", body)
        body = self.fn("client_h", "static inline int64_t echo_swap(")
        self.assertIn("handles[0] = first;\n  handles[1] = second;", body)
        self.assertIn("msg.w1 = (uint64_t)tag;\n  msg.info = 2;", body)
        self.assertIn("echo_reply_status(&msg, 2, 0, 0x1);", body)
        self.assertIn("result->first = handles[0];", body)

    def test_client_without_results_has_no_result_parameter(self):
        self.assertIn("static inline int64_t echo_ping(nx_handle_t ep) {", self.out["client_h"])
        self.assertNotIn("echo_ping_result_t", self.out["client_h"])

    def test_server_checks_then_calls_then_packs(self):
        body = self.fn("server_c", "static int64_t echo_call_swap(")
        self.assertIn("echo_check_call(in, 2, 0, 0x1);", body)
        self.assertIn("if (err == NX_OK && !ops->swap) err = NX_ERR_NOT_SUPPORTED;", body)
        self.assertIn("if (err != NX_OK) return echo_refuse(in, err);", body)
        self.assertIn(
            "  args.tag = (nx_handle_t)in->w1;\n"
            "  args.first = handles[0];\n"
            "  args.second = handles[1];\n",
            body,
        )
        self.assertIn("err = ops->swap(ctx, badge, &args, &result);", body)
        self.assertIn("out->info = 2;", body)
        body = self.fn("server_c", "static int64_t echo_call_fetch(")
        self.assertIn("if (result.name_len > 4096) {\n    nx_handle_close(result.object);", body)
        self.assertIn("out->info = ((uint64_t)result.name_len << NX_MSG_INFO_BYTES_SHIFT) | 1;",
                      body)

    def test_dispatch_checks_the_version_then_the_method(self):
        body = self.fn("server_c", "int64_t echo_dispatch(")
        self.assertLess(body.index("!= ECHO_VERSION"), body.index("switch"))
        self.assertIn("status = echo_refuse(in, NX_ERR_INVALID_ARGS);", body)
        self.assertIn("default:\n        status = echo_refuse(in, NX_ERR_NOT_SUPPORTED);", body)
        cases = re.findall(r"case (ECHO_METHOD_\w+):", body)
        self.assertEqual(cases, [m.macro for m in self.p.methods])

    def test_serve_loops_on_reply_recv(self):
        # One loop, in serve_until; serve is serve_until with no flag.
        body = self.fn("server_c", "int64_t echo_serve_until(")
        self.assertIn("nx_ipc_recv(ep, &in);", body)
        self.assertIn("nx_ipc_reply_recv(ep, out.w0, out.w1, out.w2, out.w3, out.info, &in);", body)
        self.assertIn("if (done && *done) {\n      echo_reply_alone(&out);\n      return NX_OK;", body)
        serve = self.fn("server_c", "int64_t echo_serve(")
        self.assertIn("return echo_serve_until(ep, ops, ctx, 0);", serve)

    def test_server_finds_its_client_header_by_file_name(self):
        self.assertIn('#include "echo_client.h"\n', self.out["server_h"])
        self.assertIn('#include "echo_server.h"\n', self.out["server_c"])

    def test_ops_table_has_a_handler_per_method_in_order(self):
        ops = self.out["server_h"][self.out["server_h"].index("typedef struct echo_ops {") :]
        names = re.findall(r"int64_t \(\*(\w+)\)\(void \*ctx, uint64_t badge", ops)
        self.assertEqual(names, [m.name for m in self.p.methods])
        self.assertIn("int64_t (*ping)(void *ctx, uint64_t badge);", ops)
        fetch = "int64_t (*fetch)(void *ctx, uint64_t badge, echo_fetch_result_t *result);"
        self.assertIn(fetch, ops)
        self.assertIn("const echo_add_args_t *args, echo_add_result_t *result);", ops)

    def test_args_structs_only_for_methods_with_arguments(self):
        h = self.out["server_h"]
        for m in self.p.methods:
            self.assertEqual(f"typedef struct echo_{m.name}_args {{" in h, m.has_args, m.name)
        self.assertIn("  const uint8_t *text;\n", h)
        self.assertIn("  size_t text_len;\n", h)

    def test_static_asserts_tie_the_limits_to_the_abi(self):
        s = self.out["server_c"]
        self.assertIn('_Static_assert(4096 <= NX_MSG_BUF_MAX, "bytes over NX_MSG_BUF_MAX");', s)
        self.assertIn('_Static_assert(NX_MSG_HANDLES >= 4, "a message carries too few', s)

    def test_doc_lists_every_method(self):
        md = self.out["doc_md"]
        self.assertIn("# The echo protocol, version 3", md)
        row = "| 5 | [`fetch`](#fetch) | none | `name` (≤ 4096 bytes), `object` (handle) |"
        self.assertIn(row, md)
        for m in self.p.methods:
            self.assertIn(f"\n### {m.name}\n", md)
        self.assertIn("| w3 | `shift` | `uint32_t` | How far to shift the sum left (0..63). |", md)

    def test_outputs_are_clean_text(self):
        for key, text in self.out.items():
            with self.subTest(output=key):
                self.assertTrue(text.endswith("\n") and not text.endswith("\n\n"))
                self.assertNotIn("\t", text)
                self.assertNotIn("\n\n\n", text)
                for line in text.splitlines():
                    self.assertEqual(line, line.rstrip())
                    if key != "doc_md":
                        self.assertLessEqual(len(line), codegen_layout.COLUMNS, line)

    def test_a_method_with_no_words_but_results(self):
        data = base()
        data["method"] = [
            {
                "name": "get",
                "number": 7,
                "doc": "Gets.",
                "result_handle": [{"name": "h", "doc": "H."}],
            }
        ]
        out = idlgen.generate(idlgen_schema.load_schema(data, "t.toml"))
        head = "static inline int64_t log_get(nx_handle_t ep, log_get_result_t *result) {"
        self.assertIn(head, out["client_h"])
        self.assertIn("log_reply_status(&msg, 1, 0, 0x0);", out["client_h"])
        self.assertIn("  handles[0] = result.h;\n  out->info = 1;", out["server_c"])


if __name__ == "__main__":
    ECHO_TOML = sys.argv[1]
    unittest.main(argv=sys.argv[:1])
