"""idlgen's schema: the protocol model, and loading and checking a schema.

A protocol's schema (<proto>.toml, see README.md) becomes a Protocol of
Methods, each with its Word arguments and results, Bytes buffers and moved
Handles. load() reads the TOML file and load_schema() validates it strictly:
a bad schema raises SchemaError listing every problem, one line each, naming
the method (or argument...) and the problem. The limits here (the ABI's
message limits, the name limits) are what lets the emitters lay out every
generated line within 100 columns.
"""

import dataclasses
import tomllib

import codegen_checker
from codegen_checker import Checker

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

LOWER_NAME = codegen_checker.LOWER_NAME

# Names a generated identifier must not take: C11 and C++ keywords (the
# headers are also included from C++).
KEYWORDS = codegen_checker.KEYWORDS
# Parameter names the client functions use themselves, and the locals and
# library functions their bodies use (a parameter of that name would shadow
# them).
RESERVED_PARAMS = frozenset("ep result ctx badge args msg err ipc handles memcpy".split())
# Method names that would clash with the per-protocol functions and types.
RESERVED_METHODS = frozenset(
    ["dispatch", "serve", "serve_until", "reply_alone", "ops", "reply_status"]
)


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


class _Checker(Checker):
    """Collects every problem of a protocol's schema (codegen_checker)."""

    def name(self, where, name, max_len, what="name"):
        return self.c_name(
            where,
            name,
            LOWER_NAME,
            "lower_case",
            max_len,
            what,
            no_trailing_underscore=True,
            reserved_prefix="nx_",
        )


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

    check.unique(methods, "name", lambda m: f"{top}: method '{m.name}'", "name")
    check.unique(methods, "number", lambda m: f"{top}: method '{m.name}'", "number")
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


def load(schema_path, expected_name=None):
    with open(schema_path, "rb") as f:
        try:
            data = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise SchemaError([f"{schema_path}: not valid TOML: {e}"]) from e
    return load_schema(data, schema_path, expected_name)
