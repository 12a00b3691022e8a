"""The C pieces of one method that the client and the server both emit: the
conversions between a word and an argument's type, the 32-bit word mask,
the info word of a message and the method's doc comment (for a client
function or a handler).
"""

from codegen_layout import TEXT_COLUMNS, wrap_doc, wrap_item


def word_value(w, expr):
    """`expr` (a uint64_t word) converted to w's type."""
    return expr if w.type == "u64" else f"({w.c_type}){expr}"


def to_word(w, expr):
    """`expr` (of w's type) as a uint64_t word."""
    return expr if w.type == "u64" else f"(uint64_t){expr}"


def narrow_mask(words):
    """Bit i set: w<i+1> must fit 32 bits (a u32 or handle)."""
    return sum(1 << i for i, w in enumerate(words) if w.narrow)


def info_expr(handles, len_expr):
    """The info word of a message with `handles` handles and `len_expr` bytes."""
    if not len_expr:
        return f"{handles}" if handles else "0"
    shifted = f"(uint64_t){len_expr} << NX_MSG_INFO_BYTES_SHIFT"
    return f"({shifted}) | {handles}" if handles else f"{shifted}"


def method_doc(m, client, indent=0):
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
