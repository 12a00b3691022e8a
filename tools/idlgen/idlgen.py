#!/usr/bin/env python3
"""idlgen: generates the client and server code of a service protocol from its schema.

    idlgen.py --schema PROTO.toml [--protocol PROTO] \
        [--client-h F] [--server-h F] [--server-c F] [--doc-md F]

Reads one protocol's schema (a TOML file: [protocol] and [[method]]s, see
tools/idlgen/README.md), validates it strictly and writes each requested
output:

  --client-h  <proto>_client.h: the method numbers, the result structs and one
              static inline function <proto>_<method>(ep, args..., result) per
              method that calls the server (nx_ipc_call) and decodes the reply.
  --server-h  <proto>_server.h: <proto>_ops_t (a handler per method),
              <proto>_dispatch() and <proto>_serve().
  --server-c  <proto>_server.c: their definitions.
  --doc-md    <proto>.md: the protocol's reference.

A bad schema is refused with one line per problem, naming the method (or
argument...) and the problem, and exit code 1; nothing is written then.
--protocol is the name the build expects (the schema's file name): a schema
that names another protocol is refused.

The C outputs come out already formatted for /.clang-format (clang-format 14,
Google style, 100 columns), which idlgen_format_test checks on the example
and on many random schemas. The server includes its client header by file
name ("<proto>_client.h", next to it), so the outputs do not depend on the
package they are generated in.

Python 3.11 standard library only.
"""

import argparse
import dataclasses
import os
import re
import sys
import textwrap
import tomllib

GENERATOR = "tools/idlgen"
COLUMNS = 100  # /.clang-format ColumnLimit
TEXT_COLUMNS = 80  # where comments and prose are wrapped

# The ABI limits the wire format lives within (neuron/syscall_numbers.h);
# the generated server checks them again with _Static_assert.
MSG_HANDLES = 4  # NX_MSG_HANDLES
MSG_BUF_MAX = 4096  # NX_MSG_BUF_MAX
MAX_WORDS = 3  # w1..w3 (w0 carries the method and version, or the status)
MAX_NUMBER = 0xFFFF
MAX_VERSION = 0xFFFF
# Name limits: every line of the generated C fits 100 columns by construction.
MAX_PROTOCOL_NAME = 16
MAX_METHOD_NAME = 24
MAX_PARAM_NAME = 24

# Word types: schema name -> (C type, width in bits, what it is).
WORD_TYPES = {
    "u64": ("uint64_t", 64, "an unsigned 64-bit integer"),
    "i64": ("int64_t", 64, "a signed 64-bit integer (two's complement)"),
    "u32": ("uint32_t", 32, "an unsigned 32-bit integer"),
    "handle": ("nx_handle_t", 32, "a handle value, as a number (not moved)"),
}

LOWER_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")

# Names a generated identifier must not take: C11 and C++ keywords (the
# headers are also included from C++).
KEYWORDS = frozenset(
    """
    auto break case char const continue default do double else enum extern float for goto if
    inline int long register restrict return short signed sizeof static struct switch typedef
    union unsigned void volatile while
    alignas alignof and and_eq asm bitand bitor bool catch char8_t char16_t char32_t class compl
    concept const_cast consteval constexpr constinit co_await co_return co_yield decltype delete
    dynamic_cast explicit export false friend mutable namespace new noexcept not not_eq nullptr
    operator or or_eq private protected public reinterpret_cast requires static_assert
    static_cast template this thread_local throw true try typeid typename using virtual wchar_t
    xor xor_eq
    """.split()
)
# Parameter names the client functions use themselves, and the locals and
# library functions their bodies use (a parameter of that name would shadow
# them).
RESERVED_PARAMS = frozenset("ep result ctx badge args msg err ipc handles memcpy".split())
# Method names that would clash with the per-protocol functions and types.
RESERVED_METHODS = frozenset(["dispatch", "serve", "ops", "reply_status"])


class SchemaError(Exception):
    """A schema the generator refuses; `problems` lists why."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclasses.dataclass
class Word:
    """An argument or result that travels in a word (w1..w3)."""

    name: str
    type: str
    doc: str

    @property
    def c_type(self):
        return WORD_TYPES[self.type][0]

    @property
    def narrow(self):
        return WORD_TYPES[self.type][1] == 32


@dataclasses.dataclass
class Bytes:
    """A byte buffer that travels in the IPC buffer."""

    name: str
    max: int
    doc: str


@dataclasses.dataclass
class Handle:
    """A handle that moves with the message (in the IPC buffer)."""

    name: str
    doc: str


@dataclasses.dataclass
class Method:
    name: str
    number: int
    doc: str
    args: list  # Word
    bytes: object  # Bytes or None
    handles: list  # Handle
    results: list  # Word
    result_bytes: object  # Bytes or None
    result_handles: list  # Handle
    proto: str = ""

    @property
    def fn(self):
        return f"{self.proto}_{self.name}"

    @property
    def macro(self):
        return f"{self.proto.upper()}_METHOD_{self.name.upper()}"

    @property
    def bytes_max(self):
        return f"{self.proto.upper()}_{self.name.upper()}_BYTES_MAX"

    @property
    def result_bytes_max(self):
        return f"{self.proto.upper()}_{self.name.upper()}_RESULT_BYTES_MAX"

    @property
    def has_results(self):
        return bool(self.results or self.result_bytes or self.result_handles)

    @property
    def result_type(self):
        return f"{self.fn}_result_t"

    def client_params(self):
        params = ["nx_handle_t ep"]
        params += [f"{a.c_type} {a.name}" for a in self.args]
        if self.bytes:
            params += [f"const void *{self.bytes.name}", f"size_t {self.bytes.name}_len"]
        params += [f"nx_handle_t {h.name}" for h in self.handles]
        if self.has_results:
            params.append(f"{self.result_type} *result")
        return params

    @property
    def has_args(self):
        return bool(self.args or self.bytes or self.handles)

    @property
    def args_type(self):
        return f"{self.fn}_args_t"

    def handler_params(self):
        params = ["void *ctx", "uint64_t badge"]
        if self.has_args:
            params.append(f"const {self.args_type} *args")
        if self.has_results:
            params.append(f"{self.result_type} *result")
        return params


@dataclasses.dataclass
class Protocol:
    name: str
    version: int
    doc: str
    methods: list  # Method, by number

    @property
    def upper(self):
        return self.name.upper()

    @property
    def ops_type(self):
        return f"{self.name}_ops_t"


# ---------------------------------------------------------------- validation


class _Checker:
    """Collects every problem of a schema instead of stopping at the first."""

    def __init__(self):
        self.problems = []

    def fail(self, where, what):
        self.problems.append(f"{where}: {what}")

    def table(self, where, value, required, optional=()):
        """Checks that `value` is a table with exactly the allowed keys."""
        if not isinstance(value, dict):
            self.fail(where, f"must be a table, not {type(value).__name__}")
            return False
        for key in value:
            if key not in required and key not in optional:
                allowed = ", ".join(list(required) + list(optional))
                self.fail(where, f"unknown key '{key}' (allowed: {allowed})")
        for key in required:
            if key not in value:
                self.fail(where, f"missing key '{key}'")
        return True

    def typed(self, where, value, key, kind, default=None):
        """Returns value[key] if it has the expected kind, else `default`."""
        if key not in value:
            return default
        v = value[key]
        ok = {
            "str": isinstance(v, str),
            "int": isinstance(v, int) and not isinstance(v, bool),
            "table": isinstance(v, dict),
            "tables": isinstance(v, list) and all(isinstance(x, dict) for x in v),
        }[kind]
        if not ok:
            wanted = {
                "str": "a string",
                "int": "an integer",
                "table": "a table",
                "tables": "an array of tables",
            }[kind]
            self.fail(where, f"'{key}' must be {wanted}, not {v!r}")
            return default
        return v

    def doc(self, where, value, key="doc"):
        text = self.typed(where, value, key, "str", "")
        if key in value and isinstance(value[key], str):
            if not text.strip():
                self.fail(where, f"'{key}' must not be empty")
            if "*/" in text or "/*" in text:
                self.fail(where, f"'{key}' must not contain '/*' or '*/' (it goes into C comments)")
        return text.strip()

    def name(self, where, name, max_len, what="name"):
        if not isinstance(name, str) or not LOWER_NAME.match(name):
            self.fail(where, f"{what} {name!r} is not a valid C identifier in lower_case")
            return False
        if name in KEYWORDS:
            self.fail(where, f"{what} '{name}' is a C or C++ keyword")
            return False
        if name.endswith("_t"):
            self.fail(where, f"{what} '{name}' ends in _t (reserved for types)")
            return False
        if "__" in name or name.endswith("_"):
            self.fail(where, f"{what} '{name}' contains '__' or ends in '_' (reserved)")
            return False
        if name.startswith("nx_"):
            self.fail(where, f"{what} '{name}' starts with nx_ (the ABI's names)")
            return False
        if len(name) > max_len:
            self.fail(where, f"{what} '{name}' is longer than {max_len} characters")
            return False
        return True


def _unique(check, items, key, where, what):
    seen = {}
    for item in items:
        k = getattr(item, key)
        if k in seen:
            check.fail(where(item), f"{what} {k!r} is already used by {where(seen[k])}")
        else:
            seen[k] = item


def _words(check, where, method, key, what):
    """The word arguments (key "arg") or results (key "result") of a method."""
    raw = check.typed(where, method, key, "tables", [])
    if len(raw) > MAX_WORDS:
        check.fail(where, f"has {len(raw)} {what}s; at most {MAX_WORDS} fit in w1..w3")
    words = []
    for j, a in enumerate(raw):
        awhere = f"{where}: {what} #{j + 1}"
        aname = a.get("name")
        if check.name(awhere, aname, MAX_PARAM_NAME, f"{what} name"):
            awhere = f"{where}: {what} '{aname}'"
        check.table(awhere, a, required=("name", "type", "doc"))
        atype = check.typed(awhere, a, "type", "str", "")
        if "type" in a and atype not in WORD_TYPES:
            check.fail(awhere, f"unknown type {atype!r} (known: {', '.join(WORD_TYPES)})")
            atype = "u64"
        words.append(Word(str(aname), atype or "u64", check.doc(awhere, a)))
    return words


def _bytes(check, where, method, key, what):
    """The byte buffer of a method's call (key "bytes") or reply ("result_bytes")."""
    if key not in method:
        return None
    t = check.typed(where, method, key, "table", None)
    if t is None:
        return None
    bwhere = f"{where}: {what}"
    if not check.table(bwhere, t, required=("name", "max", "doc")):
        return None
    bname = t.get("name")
    if check.name(bwhere, bname, MAX_PARAM_NAME, f"{what} name"):
        bwhere = f"{where}: {what} '{bname}'"
    bmax = check.typed(bwhere, t, "max", "int", 1)
    if "max" in t and not 1 <= bmax <= MSG_BUF_MAX:
        check.fail(bwhere, f"max must be in 1..{MSG_BUF_MAX} (NX_MSG_BUF_MAX), not {bmax}")
    return Bytes(str(bname), bmax, check.doc(bwhere, t))


def _handles(check, where, method, key, what):
    """The handles a method's call (key "handle") or reply ("result_handle") moves."""
    raw = check.typed(where, method, key, "tables", [])
    if len(raw) > MSG_HANDLES:
        check.fail(
            where,
            f"has {len(raw)} {what}s; a message carries at most {MSG_HANDLES} (NX_MSG_HANDLES)",
        )
    handles = []
    for j, h in enumerate(raw):
        hwhere = f"{where}: {what} #{j + 1}"
        hname = h.get("name")
        if check.name(hwhere, hname, MAX_PARAM_NAME, f"{what} name"):
            hwhere = f"{where}: {what} '{hname}'"
        check.table(hwhere, h, required=("name", "doc"))
        handles.append(Handle(str(hname), check.doc(hwhere, h)))
    return handles


def _distinct_names(check, where, named, reserved):
    """Checks that the (name, what) pairs of one function's parameters (or one
    result struct's fields) are distinct and none is reserved."""
    seen = {}
    for name, what in named:
        if name in reserved:
            check.fail(where, f"{what} name '{name}' is reserved (the generated code uses it)")
        elif name in seen:
            check.fail(where, f"{what} name '{name}' is already used by {seen[name]} '{name}'")
        else:
            seen[name] = what


def load_schema(data, source="protocol.toml", expected_name=None):
    """Validates the parsed TOML `data` of one protocol.

    Returns a Protocol, or raises SchemaError listing every problem.
    `expected_name`, if given, is the protocol name the build expects."""
    check = _Checker()
    top = source
    check.table(top, data, required=("protocol", "method"))

    proto = check.typed(top, data, "protocol", "table", {}) or {}
    name, version, doc = "", 1, ""
    pwhere = f"{top}: [protocol]"
    if check.table(pwhere, proto, required=("name", "version", "doc")):
        pname = proto.get("name")
        if "name" in proto and check.name(pwhere, pname, MAX_PROTOCOL_NAME, "protocol name"):
            name = pname
            if expected_name is not None and name != expected_name:
                check.fail(
                    pwhere,
                    f"protocol name '{name}' does not match the schema's file name "
                    f"({expected_name}.toml): name the file after the protocol",
                )
        version = check.typed(pwhere, proto, "version", "int", 1)
        if "version" in proto and not 1 <= version <= MAX_VERSION:
            check.fail(pwhere, f"version must be in 1..{MAX_VERSION}, not {version}")
        doc = check.doc(pwhere, proto)

    methods = []
    raw_methods = check.typed(top, data, "method", "tables", [])
    if "method" in data and isinstance(data["method"], list) and not raw_methods:
        check.fail(top, "defines no methods")
    for i, t in enumerate(raw_methods):
        where = f"{top}: method #{i + 1}"
        mname = t.get("name")
        if check.name(where, mname, MAX_METHOD_NAME, "method name"):
            where = f"{top}: method '{mname}'"
            if mname in RESERVED_METHODS:
                check.fail(where, f"method name '{mname}' is reserved ({name or 'proto'}_{mname})")
        check.table(
            where,
            t,
            required=("name", "number", "doc"),
            optional=("arg", "bytes", "handle", "result", "result_bytes", "result_handle"),
        )
        number = check.typed(where, t, "number", "int", -1)
        if "number" in t and not 0 <= number <= MAX_NUMBER:
            check.fail(where, f"number must be in 0..{MAX_NUMBER}, not {number}")
        m = Method(
            name=str(mname),
            number=number,
            doc=check.doc(where, t),
            args=_words(check, where, t, "arg", "argument"),
            bytes=_bytes(check, where, t, "bytes", "bytes"),
            handles=_handles(check, where, t, "handle", "handle"),
            results=_words(check, where, t, "result", "result"),
            result_bytes=_bytes(check, where, t, "result_bytes", "result bytes"),
            result_handles=_handles(check, where, t, "result_handle", "result handle"),
            proto=name,
        )
        request = [(a.name, "argument") for a in m.args]
        if m.bytes:
            request += [(m.bytes.name, "bytes"), (m.bytes.name + "_len", "bytes length")]
        request += [(h.name, "handle") for h in m.handles]
        _distinct_names(check, where, request, RESERVED_PARAMS)
        reply = [(r.name, "result") for r in m.results]
        if m.result_bytes:
            rb = m.result_bytes.name
            reply += [(rb, "result bytes"), (rb + "_len", "result bytes length")]
        reply += [(h.name, "result handle") for h in m.result_handles]
        _distinct_names(check, where, reply, ())
        methods.append(m)

    _unique(check, methods, "name", lambda m: f"{top}: method '{m.name}'", "name")
    _unique(check, methods, "number", lambda m: f"{top}: method '{m.name}'", "number")
    methods.sort(key=lambda m: m.number)
    protocol = Protocol(name, version, doc, methods)
    if not check.problems:
        # Names built from two parts can still meet ("a" + "_b_bytes_max" and
        # "a_b" + "_bytes_max"): every generated identifier must be unique.
        seen = {}
        for ident, owner in generated_identifiers(protocol):
            if ident in seen and seen[ident] != owner:
                check.fail(
                    f"{top}: method '{owner}'",
                    f"generates the identifier {ident}, which {seen[ident]} generates too; "
                    "rename one of them",
                )
            seen.setdefault(ident, owner)
    if check.problems:
        raise SchemaError(check.problems)
    return protocol


def generated_identifiers(p):
    """(identifier, owner) for every file-scope name the outputs define."""
    fixed = [
        f"{p.upper}_VERSION",
        f"{p.upper}_CALL_W0",
        f"{p.name}_reply_status",
        p.ops_type,
        f"{p.name}_dispatch",
        f"{p.name}_serve",
    ]
    out = [(ident, f"protocol '{p.name}'") for ident in fixed]
    for m in p.methods:
        owner = f"method '{m.name}'"
        out += [(m.fn, owner), (m.macro, owner), (f"{p.name}_call_{m.name}", owner)]
        if m.has_results:
            out += [(m.result_type, owner), (f"{m.fn}_result", owner)]
        if m.has_args:
            out += [(m.args_type, owner), (f"{m.fn}_args", owner)]
        if m.bytes:
            out.append((m.bytes_max, owner))
        if m.result_bytes:
            out.append((m.result_bytes_max, owner))
    return out


# ---------------------------------------------------------------- text layout


def doc_blocks(text):
    """Splits a doc string into paragraphs of items ("p" text or "li" bullet)."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        items = []
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("- "):
                items.append(["li", line[2:]])
            elif items:
                items[-1][1] += " " + line
            elif line:
                items.append(["p", line])
        if items:
            blocks.append(items)
    return blocks


def wrap_doc(text, width):
    """Wraps a doc string to `width` columns; blank lines between paragraphs."""
    lines = []
    for block in doc_blocks(text):
        if lines:
            lines.append("")
        for kind, item in block:
            opts = dict(width=width, break_long_words=False, break_on_hyphens=False)
            if kind == "li":
                opts.update(initial_indent="- ", subsequent_indent="  ")
            lines += textwrap.wrap(item, **opts)
    return lines


def wrap_item(text, width):
    """`name: doc` wrapped with the continuation lines indented by 2."""
    return textwrap.wrap(
        " ".join(text.split()),
        width=width,
        subsequent_indent="  ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def comment(text, indent=0):
    """A C comment holding `text`: one line if it fits, else a block."""
    pad = " " * indent
    body = wrap_doc(text, TEXT_COLUMNS - indent - 3)
    one = f"{pad}/* {' '.join(body)} */"
    if "" not in body and len(one) <= COLUMNS and len(body) <= 2:
        return [one]
    return block_comment(body, indent)


def block_comment(lines, indent=0):
    pad = " " * indent
    return [f"{pad}/*"] + [f"{pad} * {line}".rstrip() for line in lines] + [f"{pad} */"]


def _bin_pack(params, first, cont, tail):
    """Packs params onto lines (first line starts with `first`, the others
    with `cont`); None if one does not fit."""
    lines, line, empty = [], first, True
    for i, p in enumerate(params):
        piece = p + ("," if i < len(params) - 1 else tail)
        candidate = line + ("" if empty else " ") + piece
        if len(candidate) <= COLUMNS:
            line, empty = candidate, False
        elif empty:
            return None
        else:
            lines.append(line)
            line = cont + piece
            if len(line) > COLUMNS:
                return None
    lines.append(line)
    return lines


def c_call(head, params, tail, indent=0):
    """Lays out `head(params)tail` as clang-format (Google, BinPack) does.

    One line if it fits. Else the parameters packed after the open paren and
    aligned to it, unless that does not fit or takes 3 or more lines more than
    breaking after the paren and packing them indented by 4 (clang-format's
    penalties, as tools/abigen measured them)."""
    pad = " " * indent
    one = pad + head + "(" + ", ".join(params) + tail
    if len(one) <= COLUMNS:
        return [one]
    aligned = _bin_pack(params, pad + head + "(", " " * (indent + len(head) + 1), tail)
    cont = " " * (indent + 4)
    broken = _bin_pack(params, cont, cont, tail)
    if broken is None:  # cannot happen within the schema's name limits
        raise ValueError(f"cannot lay out {head}(...) in {COLUMNS} columns")
    broken = [pad + head + "("] + broken
    if aligned is not None and len(aligned) - len(broken) < 3:
        return aligned
    return broken


def c_statement(text, indent):
    """A statement `text` (no line breaks in it) at `indent`; a long one is
    broken after its `=` the way clang-format does (continuation + 4)."""
    pad = " " * indent
    one = pad + text
    if len(one) <= COLUMNS:
        return [one]
    lhs, sep, rhs = text.partition(" = ")
    if sep and len(pad + "    " + rhs) <= COLUMNS:
        return [pad + lhs + " =", pad + "    " + rhs]
    raise ValueError(f"cannot lay out {text!r} in {COLUMNS} columns")


def _finish(lines):
    text = "\n".join(lines).rstrip("\n") + "\n"
    return re.sub(r"\n{3,}", "\n\n", text)


def _banner(p, what):
    return f"/* generated by {GENERATOR} from {p.name}.toml ({what}); do not edit */"


# ---------------------------------------------------------------- client


def _word_value(w, expr):
    """`expr` (a uint64_t word) converted to w's type."""
    return expr if w.type == "u64" else f"({w.c_type}){expr}"


def _to_word(w, expr):
    """`expr` (of w's type) as a uint64_t word."""
    return expr if w.type == "u64" else f"(uint64_t){expr}"


def _narrow_mask(words):
    """Bit i set: w<i+1> must fit 32 bits (a u32 or handle)."""
    return sum(1 << i for i, w in enumerate(words) if w.narrow)


def _info_expr(handles, len_expr):
    """The info word of a message with `handles` handles and `len_expr` bytes."""
    if not len_expr:
        return f"{handles}" if handles else "0"
    shifted = f"(uint64_t){len_expr} << NX_MSG_INFO_BYTES_SHIFT"
    return f"({shifted}) | {handles}" if handles else f"{shifted}"


def _method_doc(m, client, indent=0):
    """The doc comment lines of a client function (or, with client False, a
    handler), without the comment's frame."""
    width = TEXT_COLUMNS - 3 - indent
    lines = wrap_doc(m.doc, width)
    arg = "" if client else "args->"
    params = []
    for a in m.args:
        params += wrap_item(f"{arg}{a.name}: {a.doc}", width)
    if m.bytes:
        b = m.bytes
        where = "" if client else " In the server's IPC buffer, until the reply."
        params += wrap_item(
            f"{arg}{b.name}, {arg}{b.name}_len: {b.doc} At most {m.bytes_max} ({b.max}) "
            f"bytes.{where}",
            width,
        )
    for h in m.handles:
        moved = "Moved to the server." if client else "Now the server's."
        params += wrap_item(f"{arg}{h.name}: {h.doc} {moved}", width)
    if params:
        lines += [""] + params
    results = []
    for r in m.results:
        results += wrap_item(f"result->{r.name}: {r.doc}", width)
    if m.result_bytes:
        b = m.result_bytes
        if client:
            where = "In the calling thread's IPC buffer: valid until its next IPC call."
        else:
            also = f" (where args->{m.bytes.name} is too)" if m.bytes else ""
            where = (
                f"Points at the IPC buffer's bytes{also}: fill them, or point it at other "
                "memory; they are copied."
            )
        results += wrap_item(
            f"result->{b.name}, result->{b.name}_len: {b.doc} At most {m.result_bytes_max} "
            f"({b.max}) bytes. {where}",
            width,
        )
    for h in m.result_handles:
        moved = "Now the caller's." if client else "Moved to the caller."
        results += wrap_item(f"result->{h.name}: {h.doc} {moved}", width)
    if results:
        lines += [""] + results
    return lines


def c_if(cond, stmt, indent):
    """`if (cond) stmt;` on one line if it fits, else with braces (clang-format
    keeps braces and would only break a long unbraced one)."""
    pad = " " * indent
    one = f"{pad}if ({cond}) {stmt}"
    if len(one) <= COLUMNS:
        return [one]
    head, paren, rest = stmt.partition("(")
    if paren and rest.endswith(");"):
        params = [x.strip() for x in rest[: -len(");")].split(", ")]
        body = c_call(pad + "  " + head, params, ");")
    else:
        body = c_statement(stmt, indent + 2)
    return [f"{pad}if ({cond}) {{", *body, f"{pad}}}"]


def _client_fn(p, m):
    lines = _method_doc(m, client=True) + [""]
    lines += wrap_doc(
        f"Method {m.macro} ({m.number}). Returns 0"
        + (" with *result filled in" if m.has_results else "")
        + ", or a negative NX_ERR_*: the server's, or the call's own.",
        TEXT_COLUMNS - 3,
    )
    out = block_comment(lines)
    out += c_call(f"static inline int64_t {m.fn}", m.client_params(), ") {")
    if m.bytes:
        out += c_if(f"{m.bytes.name}_len > {m.bytes_max}", "return NX_ERR_INVALID_ARGS;", 2)
    if m.bytes or m.handles or m.result_bytes or m.result_handles:
        out.append("  uint8_t *ipc = (uint8_t *)nx_idl_ipc_buffer();")
    if m.handles or m.result_handles:
        out.append("  nx_handle_t *handles = (nx_handle_t *)(ipc + NX_IPC_BUFFER_HANDLES);")
    if m.bytes:
        b = m.bytes.name
        out += c_if(f"{b}_len", f"memcpy(ipc + NX_IPC_BUFFER_BYTES, {b}, {b}_len);", 2)
    for i, h in enumerate(m.handles):
        out.append(f"  handles[{i}] = {h.name};")
    out.append("  nx_ipc_words_t msg = {0, 0, 0, 0, 0};")
    out.append(f"  msg.w0 = {p.upper}_CALL_W0({m.macro});")
    for i, a in enumerate(m.args):
        out.append(f"  msg.w{i + 1} = {_to_word(a, a.name)};")
    info = _info_expr(len(m.handles), f"{m.bytes.name}_len" if m.bytes else "")
    if info != "0":
        out.append(f"  msg.info = {info};")
    out.append("  int64_t err = nx_ipc_call(ep, msg.w0, msg.w1, msg.w2, msg.w3, msg.info, &msg);")
    max_bytes = m.result_bytes.max if m.result_bytes else 0
    narrow = _narrow_mask(m.results)
    out.append(
        f"  if (err == NX_OK) err = {p.name}_reply_status(&msg, "
        f"{len(m.result_handles)}, {max_bytes}, 0x{narrow:x});"
    )
    if not m.has_results:
        out += ["  return err;", "}", ""]
        return out
    out.append("  if (err != NX_OK) return err;")
    for i, r in enumerate(m.results):
        out.append(f"  result->{r.name} = {_word_value(r, f'msg.w{i + 1}')};")
    if m.result_bytes:
        b = m.result_bytes.name
        out.append(f"  result->{b} = ipc + NX_IPC_BUFFER_BYTES;")
        out.append(f"  result->{b}_len = (size_t)((msg.info >> NX_MSG_INFO_BYTES_SHIFT) & 0xffff);")
    for i, h in enumerate(m.result_handles):
        out.append(f"  result->{h.name} = handles[{i}];")
    out += ["  return NX_OK;", "}", ""]
    return out


def _result_struct(m):
    out = comment(f"The results of {m.fn} (and what its handler fills in).")
    out.append(f"typedef struct {m.fn}_result {{")
    for r in m.results:
        out += comment(r.doc, indent=2)
        out.append(f"  {r.c_type} {r.name};")
    if m.result_bytes:
        b = m.result_bytes
        out += comment(f"{b.doc} At most {m.result_bytes_max} bytes.", indent=2)
        out.append(f"  uint8_t *{b.name};")
        out += comment(f"How many bytes {b.name} holds.", indent=2)
        out.append(f"  size_t {b.name}_len;")
    for h in m.result_handles:
        out += comment(h.doc, indent=2)
        out.append(f"  nx_handle_t {h.name};")
    out += [f"}} {m.result_type};", ""]
    return out


def gen_client_h(p):
    guard = f"IDL_{p.upper}_CLIENT_H"
    intro = wrap_doc(
        f"The {p.name} protocol, version {p.version}: the client side. See {p.name}.md.",
        TEXT_COLUMNS - 3,
    )
    intro += [""] + wrap_doc(p.doc, TEXT_COLUMNS - 3) + [""]
    intro += wrap_doc(
        f"Each {p.name}_<method>() calls the server on `ep` (an endpoint handle with the write "
        "right) and returns 0 with the results in *result, the server's negative NX_ERR_*, or "
        "the error of the call itself (nx_ipc_call). It refuses bytes over the method's maximum "
        "with NX_ERR_INVALID_ARGS before calling, and a reply that breaks the protocol with "
        "NX_ERR_BAD_FORMAT (closing any handles it brought). Handles and bytes travel in the "
        "calling thread's IPC buffer (nx_idl_ipc_buffer()); handles passed in are moved to the "
        "server.",
        TEXT_COLUMNS - 3,
    )
    out = [_banner(p, "client"), *block_comment(intro)]
    out += [f"#ifndef {guard}", f"#define {guard}", ""]
    out += ["#include <stddef.h>", "#include <stdint.h>", "#include <string.h>", ""]
    out += ['#include "neuron/errors.h"', '#include "neuron/idl.h"', '#include "neuron/syscalls.h"']
    out += ["", "#ifdef __cplusplus", 'extern "C" {', "#endif", ""]
    out += comment("The protocol version every call carries (w0 bits 32..63).")
    out += [f"#define {p.upper}_VERSION {p.version}", ""]
    out += comment("w0 of a call of `method`: the method number and the protocol version.")
    out += [
        f"#define {p.upper}_CALL_W0(method) (((uint64_t){p.upper}_VERSION << 32) | (method))",
        "",
    ]
    out += comment("Method numbers (w0 bits 0..31).")
    out += [f"#define {m.macro} {m.number}" for m in p.methods] + [""]
    limits = []
    for m in p.methods:
        if m.bytes:
            limits += comment(f"The most bytes a {m.name} call carries ({m.bytes.name}).")
            limits += [f"#define {m.bytes_max} {m.bytes.max}", ""]
        if m.result_bytes:
            limits += comment(f"The most bytes a {m.name} reply carries ({m.result_bytes.name}).")
            limits += [f"#define {m.result_bytes_max} {m.result_bytes.max}", ""]
    out += limits
    for m in p.methods:
        if m.has_results:
            out += _result_struct(m)
    out += block_comment(
        wrap_doc(
            "Checks a reply for the functions below: its status (w0) is 0 or negative; with 0, "
            "it carries `handles` handles, at most `max_bytes` bytes, and the words of "
            "`narrow` (bit i: w<i+1>) fit 32 bits. Returns 0, the server's error, or "
            "NX_ERR_BAD_FORMAT for a reply that fails the check; the handles of a reply that "
            "is not 0 are closed.",
            TEXT_COLUMNS - 3,
        )
    )
    out += c_call(
        f"static inline int64_t {p.name}_reply_status",
        ["const nx_ipc_words_t *reply", "uint32_t handles", "size_t max_bytes", "uint32_t narrow"],
        ") {",
    )
    out += [
        "  int64_t status = (int64_t)reply->w0;",
        "  uint32_t got = (uint32_t)(reply->info & 0xff);",
        "  size_t bytes = (size_t)((reply->info >> NX_MSG_INFO_BYTES_SHIFT) & 0xffff);",
        "  int ok = status < 0 || (status == 0 && got == handles && bytes <= max_bytes);",
        "  if (status == 0 && (narrow & 1) && reply->w1 > UINT32_MAX) ok = 0;",
        "  if (status == 0 && (narrow & 2) && reply->w2 > UINT32_MAX) ok = 0;",
        "  if (status == 0 && (narrow & 4) && reply->w3 > UINT32_MAX) ok = 0;",
        "  if (ok && status == 0) return NX_OK;",
        "  /* An error or a malformed reply: the caller keeps none of its handles. */",
        "  const nx_handle_t *h =",
        "      (const nx_handle_t *)((const uint8_t *)nx_idl_ipc_buffer() + NX_IPC_BUFFER_HANDLES);",
        "  for (uint32_t i = 0; i < got && i < NX_MSG_HANDLES; i++) nx_handle_close(h[i]);",
        "  return ok ? status : NX_ERR_BAD_FORMAT;",
        "}",
        "",
    ]
    for m in p.methods:
        out += _client_fn(p, m)
    out += ["#ifdef __cplusplus", "}", "#endif", "", "#endif"]
    return _finish(out)


# ---------------------------------------------------------------- server


def gen_server_h(p):
    guard = f"IDL_{p.upper}_SERVER_H"
    intro = wrap_doc(
        f"The {p.name} protocol, version {p.version}: the server side. See {p.name}.md.",
        TEXT_COLUMNS - 3,
    )
    intro += [""] + wrap_doc(
        f"A server fills in its {p.ops_type} and runs {p.name}_serve() on its endpoint (or "
        f"calls {p.name}_dispatch() from a loop of its own).",
        TEXT_COLUMNS - 3,
    )
    out = [_banner(p, "server"), *block_comment(intro)]
    out += [f"#ifndef {guard}", f"#define {guard}", ""]
    out += ["#include <stddef.h>", "#include <stdint.h>", ""]
    # One block of quoted includes, in the order clang-format sorts them.
    out += [f'#include "{h}"' for h in sorted([f"{p.name}_client.h", "neuron/syscalls.h"])]
    out += ["", "#ifdef __cplusplus", 'extern "C" {', "#endif", ""]
    for m in p.methods:
        if m.has_args:
            out += _args_struct(m)
    ops = wrap_doc(
        f"The handlers of the {p.name} protocol's server, one per method. Each gets the "
        "server's `ctx`, the badge the caller called through (0: none) and the call's "
        "arguments (if the method has any), and returns 0 (any value >= 0), with the results "
        "in *result (zeroed "
        "before the call), or a negative NX_ERR_*, which is sent alone: set no result handles "
        "then. The handles a call brings are the handler's, whatever it returns. A NULL "
        "handler answers NX_ERR_NOT_SUPPORTED.",
        TEXT_COLUMNS - 3,
    )
    out += block_comment(ops)
    out.append(f"typedef struct {p.name}_ops {{")
    for m in p.methods:
        doc = _method_doc(m, client=False, indent=2)
        one = f"  /* {doc[0]} */" if len(doc) == 1 else ""
        out += [one] if one and len(one) <= COLUMNS else block_comment(doc, indent=2)
        out += c_call(f"int64_t (*{m.name})", m.handler_params(), ");", indent=2)
    out += [f"}} {p.ops_type};", ""]
    dispatch = wrap_doc(
        f"Answers one call: checks w0 (the version, then the method), the message's shape (its "
        f"handles, bytes and 32-bit words), calls the method's handler and packs its results "
        f"into *out (status in w0), with the reply's handles and bytes in the calling thread's "
        f"IPC buffer, ready for nx_ipc_reply. A call of another version is answered "
        f"NX_ERR_INVALID_ARGS, an unknown method NX_ERR_NOT_SUPPORTED, a malformed message "
        f"NX_ERR_BAD_FORMAT (a 32-bit argument over 32 bits: NX_ERR_INVALID_ARGS); the "
        f"handles of a call refused before its handler are closed. A handler's result bytes "
        f"over the maximum answer NX_ERR_OUT_OF_RANGE (its handles are closed). Returns the "
        f"status.",
        TEXT_COLUMNS - 3,
    )
    out += block_comment(dispatch)
    out += c_call(
        f"int64_t {p.name}_dispatch",
        [
            f"const {p.ops_type} *ops",
            "void *ctx",
            "uint64_t badge",
            "const nx_ipc_words_t *in",
            "nx_ipc_words_t *out",
        ],
        ");",
    )
    out.append("")
    serve = wrap_doc(
        f"Serves calls on `ep` (an endpoint handle with the read right) with {p.name}_dispatch, "
        "replying to each and receiving the next in one syscall (nx_ipc_reply_recv). A reply "
        "that cannot go is answered with its error instead (its handles are closed). Returns "
        "only when receiving fails, with that error.",
        TEXT_COLUMNS - 3,
    )
    out += block_comment(serve)
    out += c_call(
        f"int64_t {p.name}_serve", ["nx_handle_t ep", f"const {p.ops_type} *ops", "void *ctx"], ");"
    )
    out += ["", "#ifdef __cplusplus", "}", "#endif", "", "#endif"]
    return _finish(out)


def _args_struct(m):
    out = comment(f"The arguments of {m.fn}, as its handler gets them.")
    out.append(f"typedef struct {m.fn}_args {{")
    for a in m.args:
        out += comment(a.doc, indent=2)
        out.append(f"  {a.c_type} {a.name};")
    if m.bytes:
        b = m.bytes
        out += comment(f"{b.doc} At most {m.bytes_max} bytes, in the IPC buffer.", indent=2)
        out.append(f"  const uint8_t *{b.name};")
        out += comment(f"How many bytes {b.name} holds.", indent=2)
        out.append(f"  size_t {b.name}_len;")
    for h in m.handles:
        out += comment(f"{h.doc} Now the server's.", indent=2)
        out.append(f"  nx_handle_t {h.name};")
    out += [f"}} {m.args_type};", ""]
    return out


def _server_method(p, m):
    """static int64_t <proto>_call_<method>(...): one method's unpack, call, pack."""
    out = comment(f"{m.name}: checks the call, runs the handler, packs the reply.")
    out += c_call(
        f"static int64_t {p.name}_call_{m.name}",
        [
            f"const {p.ops_type} *ops",
            "void *ctx",
            "uint64_t badge",
            "const nx_ipc_words_t *in",
            "nx_ipc_words_t *out",
        ],
        ") {",
    )
    max_bytes = m.bytes.max if m.bytes else 0
    narrow = _narrow_mask(m.args)
    out.append(
        f"  int64_t err = {p.name}_check_call(in, {len(m.handles)}, {max_bytes}, 0x{narrow:x});"
    )
    out.append(f"  if (err == NX_OK && !ops->{m.name}) err = NX_ERR_NOT_SUPPORTED;")
    out.append(f"  if (err != NX_OK) return {p.name}_refuse(in, err);")
    if m.bytes or m.result_bytes:
        out.append("  uint8_t *bytes = (uint8_t *)nx_idl_ipc_buffer() + NX_IPC_BUFFER_BYTES;")
    if m.handles or m.result_handles:
        out.append(
            "  nx_handle_t *handles = (nx_handle_t *)((uint8_t *)nx_idl_ipc_buffer() + "
            "NX_IPC_BUFFER_HANDLES);"
        )
    call = ["ctx", "badge"]
    if m.has_args:
        out.append(f"  {m.args_type} args;")
        for i, a in enumerate(m.args):
            out.append(f"  args.{a.name} = {_word_value(a, f'in->w{i + 1}')};")
        if m.bytes:
            b = m.bytes.name
            out.append(f"  args.{b} = bytes;")
            out.append(
                f"  args.{b}_len = (size_t)((in->info >> NX_MSG_INFO_BYTES_SHIFT) & 0xffff);"
            )
        for i, h in enumerate(m.handles):
            out.append(f"  args.{h.name} = handles[{i}];")
        call.append("&args")
    if m.has_results:
        out.append(f"  {m.result_type} result;")
        out.append("  memset(&result, 0, sizeof result);")
        if m.result_bytes:
            out.append(f"  result.{m.result_bytes.name} = bytes;")
        call.append("&result")
    out.append(f"  err = ops->{m.name}({', '.join(call)});")
    out.append("  if (err < 0) return err;")
    if m.result_bytes:
        b = m.result_bytes.name
        too_long = f"result.{b}_len > {m.result_bytes.max}"
        if m.result_handles:
            out.append(f"  if ({too_long}) {{")
            for h in m.result_handles:
                out.append(f"    nx_handle_close(result.{h.name});")
            out += ["    return NX_ERR_OUT_OF_RANGE;", "  }"]
        else:
            out += c_if(too_long, "return NX_ERR_OUT_OF_RANGE;", 2)
        out += c_if(
            f"result.{b}_len && result.{b} != bytes",
            f"memmove(bytes, result.{b}, result.{b}_len);",
            2,
        )
    for i, r in enumerate(m.results):
        out.append(f"  out->w{i + 1} = {_to_word(r, f'result.{r.name}')};")
    for i, h in enumerate(m.result_handles):
        out.append(f"  handles[{i}] = result.{h.name};")
    length = f"result.{m.result_bytes.name}_len" if m.result_bytes else ""
    info = _info_expr(len(m.result_handles), length)
    if info != "0":
        out.append(f"  out->info = {info};")
    elif not m.results:
        out.append("  (void)out;")
    out += ["  return NX_OK;", "}", ""]
    return out


def gen_server_c(p):
    out = [
        _banner(p, "server"),
        *block_comment(
            wrap_doc(
                f"The {p.name} protocol's dispatcher and server loop (see {p.name}_server.h).",
                TEXT_COLUMNS - 3,
            )
        ),
        f'#include "{p.name}_server.h"',
        "",
        "#include <string.h>",
        "",
        '#include "neuron/errors.h"',
        '#include "neuron/idl.h"',
        '#include "neuron/syscalls.h"',
        "",
    ]
    largest = max(
        [b.max for m in p.methods for b in (m.bytes, m.result_bytes) if b], default=0
    )
    if largest:
        out.append(f'_Static_assert({largest} <= NX_MSG_BUF_MAX, "bytes over NX_MSG_BUF_MAX");')
    out += [
        f'_Static_assert(NX_MSG_HANDLES >= {MSG_HANDLES}, "a message carries too few handles");',
        "",
    ]
    out += comment("Closes the handles a message brought (`info` counts them).")
    out += [
        f"static void {p.name}_close_handles(uint64_t info) {{",
        "  const nx_handle_t *h =",
        "      (const nx_handle_t *)((const uint8_t *)nx_idl_ipc_buffer() + NX_IPC_BUFFER_HANDLES);",
        "  for (uint32_t i = 0; i < (info & 0xff) && i < NX_MSG_HANDLES; i++) nx_handle_close(h[i]);",
        "}",
        "",
    ]
    out += comment(
        "Refuses a call before its handler saw it: closes the handles it brought; returns err."
    )
    out += [
        f"static int64_t {p.name}_refuse(const nx_ipc_words_t *in, int64_t err) {{",
        f"  {p.name}_close_handles(in->info);",
        "  return err;",
        "}",
        "",
    ]
    out += comment(
        "Checks a call's shape: `handles` handles, at most `max_bytes` bytes (NX_ERR_BAD_FORMAT), "
        "and the words of `narrow` (bit i: w<i+1>) fit 32 bits (NX_ERR_INVALID_ARGS)."
    )
    out += c_call(
        f"static int64_t {p.name}_check_call",
        ["const nx_ipc_words_t *in", "uint32_t handles", "size_t max_bytes", "uint32_t narrow"],
        ") {",
    )
    out += [
        "  size_t bytes = (size_t)((in->info >> NX_MSG_INFO_BYTES_SHIFT) & 0xffff);",
        "  if ((in->info & 0xff) != handles || bytes > max_bytes) return NX_ERR_BAD_FORMAT;",
        "  if ((narrow & 1) && in->w1 > UINT32_MAX) return NX_ERR_INVALID_ARGS;",
        "  if ((narrow & 2) && in->w2 > UINT32_MAX) return NX_ERR_INVALID_ARGS;",
        "  if ((narrow & 4) && in->w3 > UINT32_MAX) return NX_ERR_INVALID_ARGS;",
        "  return NX_OK;",
        "}",
        "",
    ]
    for m in p.methods:
        out += _server_method(p, m)
    params = [
        f"const {p.ops_type} *ops",
        "void *ctx",
        "uint64_t badge",
        "const nx_ipc_words_t *in",
        "nx_ipc_words_t *out",
    ]
    out += c_call(f"int64_t {p.name}_dispatch", params, ") {")
    out += [
        "  int64_t status;",
        "  out->w1 = 0;",
        "  out->w2 = 0;",
        "  out->w3 = 0;",
        "  out->info = 0;",
        f"  if ((in->w0 >> 32) != {p.upper}_VERSION) {{",
        f"    status = {p.name}_refuse(in, NX_ERR_INVALID_ARGS);",
        "  } else {",
        "    switch ((uint32_t)in->w0) {",
    ]
    for m in p.methods:
        out += [f"      case {m.macro}:"]
        out += c_call(
            f"        status = {p.name}_call_{m.name}", ["ops", "ctx", "badge", "in", "out"], ");"
        )
        out.append("        break;")
    out += [
        "      default:",
        f"        status = {p.name}_refuse(in, NX_ERR_NOT_SUPPORTED);",
        "        break;",
        "    }",
        "  }",
        "  out->w0 = (uint64_t)status;",
        "  return status;",
        "}",
        "",
    ]
    serve = ["nx_handle_t ep", f"const {p.ops_type} *ops", "void *ctx"]
    out += c_call(f"int64_t {p.name}_serve", serve, ") {")
    out += [
        "  nx_ipc_words_t in;",
        "  nx_ipc_words_t out;",
        "  int64_t badge = nx_ipc_recv(ep, &in);",
        "  while (badge >= 0) {",
        f"    {p.name}_dispatch(ops, ctx, (uint64_t)badge, &in, &out);",
        "    badge = nx_ipc_reply_recv(ep, out.w0, out.w1, out.w2, out.w3, out.info, &in);",
        "    if (badge < 0) {",
        "      /*",
        "       * Nothing happened. The reply alone may go (if receiving was what failed);",
        "       * if it cannot, the client gets its error and its handles (still ours) are",
        "       * closed. NX_ERR_NOT_FOUND: no client is owed a reply.",
        "       */",
        "      int64_t err = nx_ipc_reply(out.w0, out.w1, out.w2, out.w3, out.info);",
        "      if (err != NX_OK && err != NX_ERR_NOT_FOUND) {",
        f"        {p.name}_close_handles(out.info);",
        "        nx_ipc_reply((uint64_t)err, 0, 0, 0, 0);",
        "      }",
        "      badge = nx_ipc_recv(ep, &in);",
        "    }",
        "  }",
        "  return badge;",
        "}",
    ]
    return _finish(out)


# ---------------------------------------------------------------- markdown


def _md(text):
    return " ".join(text.replace("|", "\\|").split())


def _md_doc(text):
    return "\n".join(wrap_doc(text, TEXT_COLUMNS))


def gen_doc_md(p):
    out = [
        f"<!-- generated by {GENERATOR} from {p.name}.toml; do not edit -->",
        "",
        f"# The {p.name} protocol, version {p.version}",
        "",
        _md_doc(p.doc),
        "",
        _md_doc(
            f"Clients include `{p.name}_client.h` (from the service's `api` target) and call "
            f"`{p.name}_<method>(ep, ...)`; the server fills in its `{p.ops_type}` and runs "
            f"`{p.name}_serve(ep, &ops, ctx)` (`{p.name}_server.h`, from the `<api>_server` "
            "target). Both are generated by `nx_interface` (tools/idlgen/idl.bzl)."
        ),
        "",
        "## Wire format",
        "",
        _md_doc(
            "Every call is one `nx_ipc_call` on the service's endpoint:\n"
            f"- w0: the method number (bits 0..31) and the protocol version, {p.version} (bits "
            "32..63). A call of another version is answered `NX_ERR_INVALID_ARGS`, an unknown "
            "method `NX_ERR_NOT_SUPPORTED`.\n"
            "- w1..w3: the method's arguments in order (unused words 0). A u32 or handle "
            "argument over 32 bits is answered `NX_ERR_INVALID_ARGS`.\n"
            "- bytes and handles in the caller's IPC buffer, counted in the info word. A call "
            "with another number of handles, or more bytes than the method's maximum, is "
            "answered `NX_ERR_BAD_FORMAT`; the handles of a refused call are closed.\n\n"
            "The reply: w0 the status (0, or a negative `NX_ERR_*`), w1..w3 the results, the "
            "result bytes and handles in the IPC buffer. An error reply carries nothing else."
        ),
        "",
        "## Methods",
        "",
        "| number | method | arguments | results |",
        "|---|---|---|---|",
    ]

    def summary(words, b, handles):
        parts = [f"`{w.name}`" for w in words]
        if b:
            parts.append(f"`{b.name}` (≤ {b.max} bytes)")
        parts += [f"`{h.name}` (handle)" for h in handles]
        return ", ".join(parts) or "none"

    for m in p.methods:
        args = summary(m.args, m.bytes, m.handles)
        res = summary(m.results, m.result_bytes, m.result_handles)
        out.append(f"| {m.number} | [`{m.name}`](#{m.name}) | {args} | {res} |")
    for m in p.methods:
        out += ["", f"### {m.name}", "", "```c"]
        out += c_call(f"int64_t {m.fn}", m.client_params(), ");")
        out += ["```", "", f"Number {m.number} (`{m.macro}`).", "", _md_doc(m.doc), ""]
        rows = []
        for i, a in enumerate(m.args):
            rows.append(f"| w{i + 1} | `{a.name}` | `{a.c_type}` | {_md(a.doc)} |")
        if m.bytes:
            b = m.bytes
            rows.append(f"| bytes | `{b.name}` | ≤ {b.max} bytes | {_md(b.doc)} |")
        for i, h in enumerate(m.handles):
            rows.append(f"| handle {i} | `{h.name}` | moved | {_md(h.doc)} |")
        if rows:
            out += ["| call | argument | type | meaning |", "|---|---|---|---|", *rows, ""]
        else:
            out += ["No arguments.", ""]
        rows = []
        for i, r in enumerate(m.results):
            rows.append(f"| w{i + 1} | `{r.name}` | `{r.c_type}` | {_md(r.doc)} |")
        if m.result_bytes:
            b = m.result_bytes
            rows.append(f"| bytes | `{b.name}` | ≤ {b.max} bytes | {_md(b.doc)} |")
        for i, h in enumerate(m.result_handles):
            rows.append(f"| handle {i} | `{h.name}` | moved | {_md(h.doc)} |")
        if rows:
            out += ["| reply | result | type | meaning |", "|---|---|---|---|", *rows]
        else:
            out += ["No results: the reply carries only the status."]
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------- main

GENERATORS = {
    "client_h": gen_client_h,
    "server_h": gen_server_h,
    "server_c": gen_server_c,
    "doc_md": gen_doc_md,
}


def generate(p):
    """Every output, by GENERATORS key."""
    return {key: gen(p) for key, gen in GENERATORS.items()}


def load(schema_path, expected_name=None):
    with open(schema_path, "rb") as f:
        try:
            data = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise SchemaError([f"{schema_path}: not valid TOML: {e}"]) from e
    return load_schema(data, schema_path, expected_name)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schema", required=True, help="the protocol's schema (<proto>.toml)")
    parser.add_argument("--protocol", help="the protocol name the build expects")
    for key in GENERATORS:
        parser.add_argument("--" + key.replace("_", "-"), metavar="FILE", help=f"write {key}")
    args = parser.parse_args(argv)
    outputs = {key: getattr(args, key) for key in GENERATORS if getattr(args, key)}
    try:
        protocol = load(args.schema, args.protocol)
    except SchemaError as e:
        for problem in e.problems:
            print(f"idlgen: {problem}", file=sys.stderr)
        print(f"idlgen: refusing the schema ({len(e.problems)} problem(s))", file=sys.stderr)
        return 1
    texts = generate(protocol)
    for key, path in outputs.items():
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(texts[key])
    return 0


if __name__ == "__main__":
    sys.exit(main())
