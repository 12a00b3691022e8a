"""abigen's schema: the ABI model, errors.h, and loading and checking the schema.

kernel/abi/syscalls.toml becomes a Schema: its rights, object types,
constants, structs (laid out here, with their offsets and size) and syscalls
with their Args, plus the ErrorCodes parse_errors_h() reads from errors.h.
load() reads both files and load_schema() validates the schema strictly: a
bad one raises SchemaError listing every problem, one line each, naming the
syscall (or right, struct...) and the problem.
"""

import dataclasses
import re
import tomllib

import codegen_checker
from codegen_checker import Checker

MAX_ARGS = 6  # a0..a5
MAX_SYSCALL_NAME = 32
MAX_ARG_NAME = 24

# Argument types: schema name -> (C type, width in bits, what it is).
ARG_TYPES = {
    "handle": ("nx_handle_t", 32, "a handle of the caller (uint32_t)"),
    "u32": ("uint32_t", 32, "an unsigned 32-bit integer"),
    "u64": ("uint64_t", 64, "an unsigned 64-bit integer"),
    "i64": ("int64_t", 64, "a signed 64-bit integer"),
    "usize": ("size_t", 64, "a size in bytes (size_t)"),
    "uptr": ("uintptr_t", 64, "a user address (uintptr_t)"),
}
# Struct field types: schema name -> (C type, size in bytes).
# Registers a syscall can return values in besides a0: a1..a5 (the argument
# registers the trap entry saves).
MAX_OUT_REGS = 5

FIELD_TYPES = {
    "u32": ("uint32_t", 4),
    "u64": ("uint64_t", 8),
    "i64": ("int64_t", 8),
    "handle": ("nx_handle_t", 4),
}
# uptr access: schema value -> what the kernel does with the user memory.
ACCESS = {
    "in": "read by the kernel",
    "out": "written by the kernel",
    "inout": "read and written by the kernel",
}

LOWER_NAME = codegen_checker.LOWER_NAME
UPPER_NAME = codegen_checker.UPPER_NAME
ERROR_NAME = re.compile(r"NX_(OK|ERR_[A-Z0-9_]+)\Z")

# Names a generated identifier must not take: C11 and C++ keywords (the
# headers are also included from C++), and the register variables of the
# user stubs.
KEYWORDS = codegen_checker.KEYWORDS
STUB_REGISTERS = frozenset(f"a{i}" for i in range(8))
# Headers the generator always writes (or errors.h): no struct may take them.
RESERVED_HEADERS = frozenset(["errors", "rights", "syscall_numbers", "syscalls", "syscall_decl"])


class SchemaError(Exception):
    """A schema (or errors.h) the generator refuses; `problems` lists why."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclasses.dataclass
class ErrorCode:
    name: str
    value: int
    doc: str


@dataclasses.dataclass
class Right:
    name: str
    bit: int
    doc: str

    @property
    def macro(self):
        return "NX_RIGHT_" + self.name.upper()


@dataclasses.dataclass
class ObjectType:
    name: str
    doc: str
    default_rights: list  # right names, in schema order

    @property
    def default_macro(self):
        return f"NX_DEFAULT_RIGHTS_{self.name.upper()}"


@dataclasses.dataclass
class Constant:
    name: str
    value: int
    doc: str


@dataclasses.dataclass
class Field:
    name: str
    type: str
    doc: str
    offset: int = 0


@dataclasses.dataclass
class Struct:
    name: str
    header: str  # goes in neuron/<header>.h
    doc: str
    fields: list
    size: int = 0

    @property
    def c_name(self):
        return f"nx_{self.name}_t"


@dataclasses.dataclass
class Arg:
    name: str
    type: str
    doc: str
    rights: list = dataclasses.field(default_factory=list)
    object: str = ""
    access: str = ""

    @property
    def c_type(self):
        return ARG_TYPES[self.type][0]


@dataclasses.dataclass
class Syscall:
    name: str
    number: int
    doc: str
    returns: str
    blocking: bool
    noreturn: bool
    errors: list
    args: list
    out: object = None  # a Struct whose u64 fields come back in a1, a2, ...

    @property
    def upper(self):
        return self.name.upper()

    def user_params(self):
        params = [f"{a.c_type} {a.name}" for a in self.args]
        if self.out:
            params.append(f"{self.out.c_name} *out")
        return params or ["void"]

    def user_return(self):
        return "void" if self.noreturn else "int64_t"

    def user_head(self, inline=False):
        """The prototype up to the open paren."""
        attr = "__attribute__((noreturn)) " if self.noreturn else ""
        static = "static inline " if inline else ""
        return f"{attr}{static}{self.user_return()} nx_{self.name}"

    def user_prototype(self):
        return f"{self.user_head()}({', '.join(self.user_params())});"


@dataclasses.dataclass
class Schema:
    version: int
    convention: str
    rights: list
    objects: list
    constants: list
    structs: list
    syscalls: list
    errors: list  # ErrorCode, from errors.h

    def right(self, name):
        return next(r for r in self.rights if r.name == name)

    def struct_headers(self):
        """The headers the structs go in, sorted (neuron/<name>.h)."""
        return sorted({s.header for s in self.structs})


# ---------------------------------------------------------------- errors.h

_ERROR_DEFINE = re.compile(
    r"#define\s+(NX_(?:OK|ERR_[A-Z0-9_]+))\s+\(?\s*(-?\d+)\s*\)?\s*(?:/\*\s*(.*?)\s*\*/)?\s*$"
)


def parse_errors_h(text, source="errors.h"):
    """Returns the ErrorCodes #defined in errors.h, in file order."""
    codes, problems = [], []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not re.match(r"\s*#define\s+NX_(OK|ERR_)", line):
            continue
        m = _ERROR_DEFINE.match(line.strip())
        if not m:
            problems.append(f"{source}:{lineno}: cannot parse error code definition: {line.strip()}")
            continue
        name, value, doc = m.group(1), int(m.group(2)), m.group(3) or ""
        if name == "NX_OK" and not doc:
            doc = "success"
        if any(c.name == name for c in codes):
            problems.append(f"{source}:{lineno}: {name} is defined twice")
        dup = next((c for c in codes if c.value == value), None)
        if dup:
            problems.append(f"{source}:{lineno}: {name} has the same value ({value}) as {dup.name}")
        if name != "NX_OK" and value >= 0:
            problems.append(f"{source}:{lineno}: {name} must be negative, not {value}")
        codes.append(ErrorCode(name, value, doc))
    if not any(c.name == "NX_OK" for c in codes):
        problems.append(f"{source}: NX_OK is not defined")
    if problems:
        raise SchemaError(problems)
    return codes


# ---------------------------------------------------------------- validation


class _Checker(Checker):
    """Collects every problem of the schema (codegen_checker)."""

    def name(self, where, name, pattern, max_len=None, what="name"):
        form = "lower_case" if pattern is LOWER_NAME else "UPPER_CASE"
        return self.c_name(where, name, pattern, form, max_len, what)


def load_schema(data, errors, source="syscalls.toml"):
    """Validates the parsed TOML `data` against the ErrorCodes of errors.h.

    Returns a Schema, or raises SchemaError listing every problem."""
    check = _Checker()
    top = f"{source}"
    check.table(top, data, required=("abi", "syscall"), optional=("right", "object", "constant", "struct"))

    abi = data.get("abi", {})
    version, convention = 0, ""
    if check.table(f"{top}: [abi]", abi, required=("version", "convention")):
        version = check.typed(f"{top}: [abi]", abi, "version", "int", 0)
        if "version" in abi and version < 1:
            check.fail(f"{top}: [abi]", f"version must be >= 1, not {version}")
        convention = check.doc(f"{top}: [abi]", abi, "convention")

    rights = []
    for i, t in enumerate(check.typed(top, data, "right", "tables", [])):
        where = f"{top}: right #{i + 1}"
        if not check.table(where, t, required=("name", "bit", "doc")):
            continue
        name = t.get("name")
        if check.name(where, name, LOWER_NAME):
            where = f"{top}: right '{name}'"
        bit = check.typed(where, t, "bit", "int", -1)
        if "bit" in t and not 0 <= bit <= 31:
            check.fail(where, f"bit must be in 0..31, not {bit}")
        rights.append(Right(str(name), bit, check.doc(where, t)))
    check.unique(rights, "name", lambda r: f"{top}: right '{r.name}'", "name")
    check.unique(rights, "bit", lambda r: f"{top}: right '{r.name}'", "bit")
    rights.sort(key=lambda r: r.bit)

    objects = []
    for i, t in enumerate(check.typed(top, data, "object", "tables", [])):
        where = f"{top}: object #{i + 1}"
        if not check.table(where, t, required=("name", "doc", "default_rights")):
            continue
        name = t.get("name")
        if check.name(where, name, LOWER_NAME):
            where = f"{top}: object '{name}'"
        defaults = check.typed(where, t, "default_rights", "strs", [])
        for r in defaults:
            if r not in {x.name for x in rights}:
                known = ", ".join(sorted(x.name for x in rights)) or "none"
                check.fail(where, f"unknown right {r!r} in default_rights (known: {known})")
        for r in sorted({r for r in defaults if defaults.count(r) > 1}):
            check.fail(where, f"lists right '{r}' twice in default_rights")
        objects.append(ObjectType(str(name), check.doc(where, t), defaults))
    check.unique(objects, "name", lambda o: f"{top}: object '{o.name}'", "name")

    constants = []
    for i, t in enumerate(check.typed(top, data, "constant", "tables", [])):
        where = f"{top}: constant #{i + 1}"
        if not check.table(where, t, required=("name", "value", "doc")):
            continue
        name = t.get("name")
        if check.name(where, name, UPPER_NAME):
            where = f"{top}: constant '{name}'"
        value = check.typed(where, t, "value", "int", 0)
        if not 0 <= value < 2**64:
            check.fail(where, f"value must be in 0..2^64-1, not {value}")
        constants.append(Constant(str(name), value, check.doc(where, t)))
    check.unique(constants, "name", lambda c: f"{top}: constant '{c.name}'", "name")

    structs = []
    for i, t in enumerate(check.typed(top, data, "struct", "tables", [])):
        where = f"{top}: struct #{i + 1}"
        if not check.table(where, t, required=("name", "header", "doc", "field")):
            continue
        name = t.get("name")
        if check.name(where, name, LOWER_NAME, MAX_SYSCALL_NAME):
            where = f"{top}: struct '{name}'"
        header = t.get("header")
        if check.name(where, header, LOWER_NAME, MAX_SYSCALL_NAME, "header"):
            if header in RESERVED_HEADERS:
                check.fail(where, f"header '{header}' is taken by a fixed output (neuron/{header}.h)")
        fields = []
        for j, f in enumerate(check.typed(where, t, "field", "tables", [])):
            fwhere = f"{where}: field #{j + 1}"
            if not check.table(fwhere, f, required=("name", "type", "doc")):
                continue
            fname = f.get("name")
            if check.name(fwhere, fname, LOWER_NAME, MAX_ARG_NAME):
                fwhere = f"{where}: field '{fname}'"
            ftype = check.typed(fwhere, f, "type", "str", "")
            if "type" in f and ftype not in FIELD_TYPES:
                check.fail(fwhere, f"unknown type {ftype!r} (known: {', '.join(FIELD_TYPES)})")
                ftype = ""
            fields.append(Field(str(fname), ftype, check.doc(fwhere, f)))
        if "field" in t and not fields:
            check.fail(where, "has no fields")
        check.unique(fields, "name", lambda f, w=where: f"{w}: field '{f.name}'", "name")
        offset, align = 0, 1
        for f in fields:
            size = FIELD_TYPES.get(f.type, ("", 0))[1]
            if size and offset % size:
                check.fail(
                    f"{where}: field '{f.name}'",
                    f"would need {size - offset % size} bytes of padding before it "
                    f"(offset {offset}, size {size}); reorder the fields or add one",
                )
                offset += size - offset % size
            f.offset = offset
            offset += size
            align = max(align, size or 1)
        if offset % align:
            check.fail(where, f"would need {align - offset % align} bytes of tail padding; add a field")
        structs.append(Struct(str(name), str(header), check.doc(where, t), fields, offset))
    check.unique(structs, "name", lambda s: f"{top}: struct '{s.name}'", "name")

    known_errors = {e.name for e in errors}
    right_names = {r.name for r in rights}
    object_names = {o.name for o in objects}
    syscalls = []
    for i, t in enumerate(check.typed(top, data, "syscall", "tables", [])):
        where = f"{top}: syscall #{i + 1}"
        if not isinstance(t, dict):
            continue
        name = t.get("name")
        if check.name(where, name, LOWER_NAME, MAX_SYSCALL_NAME, "syscall name"):
            where = f"{top}: syscall '{name}'"
        if not check.table(
            where,
            t,
            required=("name", "number", "doc", "blocking", "errors"),
            optional=("returns", "noreturn", "arg", "out"),
        ):
            continue
        number = check.typed(where, t, "number", "int", -1)
        if "number" in t and number < 0:
            check.fail(where, f"number must be >= 0, not {number}")
        blocking = check.typed(where, t, "blocking", "bool", False)
        noreturn = check.typed(where, t, "noreturn", "bool", False)
        returns = check.doc(where, t, "returns") if "returns" in t else ""
        if noreturn and "returns" in t:
            check.fail(where, "is noreturn, so it must not have 'returns'")
        if not noreturn and "returns" not in t:
            check.fail(where, "missing key 'returns' (what a success value means)")
        errs = check.typed(where, t, "errors", "strs", [])
        for e in errs:
            if e == "NX_OK":
                check.fail(where, "lists NX_OK as an error")
            elif e == "NX_ERR_BAD_SYSCALL":
                check.fail(where, "lists NX_ERR_BAD_SYSCALL, which only the dispatcher returns")
            elif e not in known_errors:
                check.fail(where, f"unknown error {e!r} (not defined in errors.h)")
        for e in sorted({e for e in errs if errs.count(e) > 1}):
            check.fail(where, f"lists error {e} twice")
        raw_args = check.typed(where, t, "arg", "tables", [])
        if len(raw_args) > MAX_ARGS:
            check.fail(where, f"has {len(raw_args)} arguments; at most {MAX_ARGS} fit in a0..a5")
        args = []
        for j, a in enumerate(raw_args):
            awhere = f"{where}: argument #{j + 1}"
            aname = a.get("name")
            if check.name(awhere, aname, LOWER_NAME, MAX_ARG_NAME, "argument name"):
                awhere = f"{where}: argument '{aname}'"
                if aname in STUB_REGISTERS:
                    check.fail(awhere, f"argument name '{aname}' is a register name (reserved)")
            atype = check.typed(awhere, a, "type", "str", "")
            # A handle names its object type, unless any will do (then the syscall checks it).
            extra = {"handle": ("rights",), "uptr": ("access",)}.get(atype, ())
            maybe = ("object",) if atype == "handle" else ()
            check.table(awhere, a, required=("name", "type", "doc") + extra, optional=maybe)
            if "type" in a and atype not in ARG_TYPES:
                check.fail(awhere, f"unknown type {atype!r} (known: {', '.join(ARG_TYPES)})")
            arg = Arg(str(aname), atype if atype in ARG_TYPES else "u64", check.doc(awhere, a))
            if atype == "handle":
                arg.rights = check.typed(awhere, a, "rights", "strs", [])
                for r in arg.rights:
                    if r not in right_names:
                        known = ", ".join(sorted(right_names)) or "none"
                        check.fail(awhere, f"unknown right {r!r} (known: {known})")
                for r in sorted({r for r in arg.rights if arg.rights.count(r) > 1}):
                    check.fail(awhere, f"lists right '{r}' twice")
                arg.object = check.typed(awhere, a, "object", "str", "")
                if "object" in a and arg.object not in object_names:
                    known = ", ".join(sorted(object_names)) or "none"
                    check.fail(awhere, f"unknown object type {arg.object!r} (known: {known})")
            if atype == "uptr":
                arg.access = check.typed(awhere, a, "access", "str", "")
                if "access" in a and arg.access not in ACCESS:
                    check.fail(awhere, f"access must be one of {', '.join(ACCESS)}, not {arg.access!r}")
            args.append(arg)
        check.unique(args, "name", lambda a, w=where: f"{w}: argument '{a.name}'", "name")
        # Errors the arguments imply must be listed.
        implied = []
        for arg in args:
            if arg.type == "handle":
                implied += ["NX_ERR_BAD_HANDLE", "NX_ERR_WRONG_TYPE"]
                if arg.rights:
                    implied.append("NX_ERR_ACCESS_DENIED")
            elif arg.type == "uptr":
                implied.append("NX_ERR_BAD_ADDRESS")
            elif arg.type == "u32":
                implied.append("NX_ERR_INVALID_ARGS")
        for e in dict.fromkeys(implied):
            if e not in errs and e in known_errors:
                check.fail(where, f"must list {e} in 'errors' (implied by its arguments)")
        out = None
        if "out" in t:
            out_name = check.typed(where, t, "out", "str", "")
            out = next((st for st in structs if st.name == out_name), None)
            if out is None:
                check.fail(where, f"out names no struct: {out_name!r}")
            elif not out.fields or len(out.fields) > MAX_OUT_REGS:
                check.fail(where, f"out struct '{out_name}' must have 1..{MAX_OUT_REGS} fields")
            elif any(f.type != "u64" for f in out.fields):
                check.fail(where, f"out struct '{out_name}' must have only u64 fields (registers)")
            if noreturn:
                check.fail(where, "is noreturn, so it cannot have 'out'")
            if any(a.name == "out" for a in args):
                check.fail(where, "argument name 'out' is taken by the out struct")
        syscalls.append(
            Syscall(
                str(name), number, check.doc(where, t), returns, blocking, noreturn, errs, args, out
            )
        )

    if "syscall" in data and not syscalls:
        check.fail(top, "defines no syscalls")
    check.unique(syscalls, "name", lambda s: f"{top}: syscall '{s.name}'", "name")
    check.unique(syscalls, "number", lambda s: f"{top}: syscall '{s.name}'", "number")
    numbers = {s.number for s in syscalls if s.number >= 0}
    for n in range(max(numbers, default=-1) + 1):
        if n not in numbers:
            nxt = min((s for s in syscalls if s.number > n), key=lambda s: s.number)
            check.fail(
                f"{top}: syscall '{nxt.name}'",
                f"number {nxt.number} leaves a gap: no syscall has number {n} "
                "(numbers must be 0..N-1)",
            )
    syscalls.sort(key=lambda s: s.number)

    if check.problems:
        raise SchemaError(check.problems)
    return Schema(version, convention, rights, objects, constants, structs, syscalls, errors)


def load(schema_path, errors_path):
    with open(errors_path, encoding="utf-8") as f:
        errors = parse_errors_h(f.read(), errors_path)
    with open(schema_path, "rb") as f:
        try:
            data = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise SchemaError([f"{schema_path}: not valid TOML: {e}"]) from e
    return load_schema(data, errors, schema_path)
