"""The text layout abigen and idlgen share: doc wrapping, C comments, calls,
statements and #defines laid out as clang-format (14, Google style, 100
columns, /.clang-format) lays them out, and the final join of a file's lines.

Nothing here knows a schema; each generator's own layout module adds its
banner (and include guard) and its emitters build their lines with these
helpers.
"""

import re
import textwrap

COLUMNS = 100  # /.clang-format ColumnLimit
TEXT_COLUMNS = 80  # where comments and prose are wrapped


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
    """A /* ... */ block of `lines`, one ` * ` line each."""
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
    penalties, measured on thousands of random signatures)."""
    pad = " " * indent
    one = pad + head + "(" + ", ".join(params) + tail
    if len(one) <= COLUMNS:
        return [one]
    aligned = _bin_pack(params, pad + head + "(", " " * (indent + len(head) + 1), tail)
    cont = " " * (indent + 4)
    broken = _bin_pack(params, cont, cont, tail)
    if broken is None:  # cannot happen within the schemas' name limits
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


def c_define(name, value):
    """`#define name value`, continued on a second line if too long."""
    one = f"#define {name} {value}"
    if len(one) <= COLUMNS:
        return [one]
    return [f"#define {name} \\", f"  {value}"]


def finish(lines):
    """The file's text: lines joined, one final newline, no double blank line."""
    text = "\n".join(lines).rstrip("\n") + "\n"
    return re.sub(r"\n{3,}", "\n\n", text)
