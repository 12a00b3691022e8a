"""The strict schema checking abigen and idlgen share: a Checker that
collects every problem of a parsed TOML schema (one "where: what" line each)
instead of stopping at the first, with the checks both generators make of
tables, typed values, docs and C identifiers, and the C names no generated
identifier may take.

Each generator's schema module subclasses Checker for its own name rules and
raises its SchemaError with the problems.
"""

import re

LOWER_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
UPPER_NAME = re.compile(r"[A-Z][A-Z0-9_]*\Z")

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

# typed()'s kinds: kind -> (test, what the message says a value must be).
_KINDS = {
    "str": (lambda v: isinstance(v, str), "a string"),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "strs": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "a list of strings"),
    "table": (lambda v: isinstance(v, dict), "a table"),
    "tables": (lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v), "an array of tables"),
}


class Checker:
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
        """Returns value[key] if it has the expected kind (a key of _KINDS),
        else `default`."""
        if key not in value:
            return default
        v = value[key]
        ok, wanted = _KINDS[kind]
        if not ok(v):
            self.fail(where, f"'{key}' must be {wanted}, not {v!r}")
            return default
        return v

    def doc(self, where, value, key="doc"):
        """value[key], a doc string (stripped) that may go into C comments."""
        text = self.typed(where, value, key, "str", "")
        if key in value and isinstance(value[key], str):
            if not text.strip():
                self.fail(where, f"'{key}' must not be empty")
            if "*/" in text or "/*" in text:
                self.fail(where, f"'{key}' must not contain '/*' or '*/' (it goes into C comments)")
        return text.strip()

    def c_name(
        self,
        where,
        name,
        pattern,
        form,
        max_len=None,
        what="name",
        no_trailing_underscore=False,
        reserved_prefix=None,
    ):
        """Checks that `name` matches `pattern` (described as `form`), is no
        keyword (in any case), does not end in _t nor contain '__' (nor end in
        '_', if `no_trailing_underscore`), does not start with
        `reserved_prefix` and is at most `max_len` long; reports the first
        problem only."""
        if not isinstance(name, str) or not pattern.match(name):
            self.fail(where, f"{what} {name!r} is not a valid C identifier in {form}")
            return False
        if name.lower() in KEYWORDS:
            self.fail(where, f"{what} '{name}' is a C or C++ keyword")
            return False
        if name.endswith("_t"):
            self.fail(where, f"{what} '{name}' ends in _t (reserved for types)")
            return False
        if no_trailing_underscore:
            if "__" in name or name.endswith("_"):
                self.fail(where, f"{what} '{name}' contains '__' or ends in '_' (reserved)")
                return False
        elif "__" in name:
            self.fail(where, f"{what} '{name}' contains '__' (reserved)")
            return False
        if reserved_prefix and name.startswith(reserved_prefix):
            self.fail(where, f"{what} '{name}' starts with {reserved_prefix} (the ABI's names)")
            return False
        if max_len and len(name) > max_len:
            self.fail(where, f"{what} '{name}' is longer than {max_len} characters")
            return False
        return True

    def unique(self, items, key, where, what):
        """Reports every item whose attribute `key` an earlier item has;
        where(item) names an item."""
        seen = {}
        for item in items:
            k = getattr(item, key)
            if k in seen:
                self.fail(where(item), f"{what} {k!r} is already used by {where(seen[k])}")
            else:
                seen[k] = item
