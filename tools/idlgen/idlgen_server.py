"""idlgen's server side: <proto>_server.h (the args structs, <proto>_ops_t,
<proto>_dispatch() and <proto>_serve()) and <proto>_server.c, their
definitions: the checks of a call's shape, one unpack-call-pack function per
method, the dispatcher and the server loop.
"""

from codegen_layout import (
    COLUMNS,
    TEXT_COLUMNS,
    block_comment,
    c_call,
    c_if,
    comment,
    finish,
    wrap_doc,
)
from idlgen_layout import banner
from idlgen_method import info_expr, method_doc, narrow_mask, to_word, word_value
from idlgen_schema import MSG_HANDLES


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
    out = [banner(p, "server"), *block_comment(intro)]
    out += [f"#ifndef {guard}", f"#define {guard}", ""]
    out += ["#include <stdbool.h>", "#include <stddef.h>", "#include <stdint.h>", ""]
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
        doc = method_doc(m, client=False, indent=2)
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
    out.append("")
    until = wrap_doc(
        f"{p.name}_serve(), but it also stops once a call has set *done (a handler's way to end "
        "the loop): it replies to that call alone and returns NX_OK.",
        TEXT_COLUMNS - 3,
    )
    out += block_comment(until)
    out += c_call(
        f"int64_t {p.name}_serve_until",
        ["nx_handle_t ep", f"const {p.ops_type} *ops", "void *ctx", "const volatile bool *done"],
        ");",
    )
    out += ["", "#ifdef __cplusplus", "}", "#endif", "", "#endif"]
    return finish(out)


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
    narrow = narrow_mask(m.args)
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
            out.append(f"  args.{a.name} = {word_value(a, f'in->w{i + 1}')};")
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
        out.append(f"  out->w{i + 1} = {to_word(r, f'result.{r.name}')};")
    for i, h in enumerate(m.result_handles):
        out.append(f"  handles[{i}] = result.{h.name};")
    length = f"result.{m.result_bytes.name}_len" if m.result_bytes else ""
    info = info_expr(len(m.result_handles), length)
    if info != "0":
        out.append(f"  out->info = {info};")
    elif not m.results:
        out.append("  (void)out;")
    out += ["  return NX_OK;", "}", ""]
    return out


def gen_server_c(p):
    out = [
        banner(p, "server"),
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
    out += comment(
        "Sends `out` as a reply on its own. If it cannot go, the client gets its error and its "
        "handles (still ours) are closed. NX_ERR_NOT_FOUND: no client is owed a reply."
    )
    out += [
        f"static void {p.name}_reply_alone(const nx_ipc_words_t *out) {{",
        "  int64_t err = nx_ipc_reply(out->w0, out->w1, out->w2, out->w3, out->info);",
        "  if (err != NX_OK && err != NX_ERR_NOT_FOUND) {",
        f"    {p.name}_close_handles(out->info);",
        "    nx_ipc_reply((uint64_t)err, 0, 0, 0, 0);",
        "  }",
        "}",
        "",
    ]
    until = ["nx_handle_t ep", f"const {p.ops_type} *ops", "void *ctx", "const volatile bool *done"]
    out += c_call(f"int64_t {p.name}_serve_until", until, ") {")
    out += [
        "  nx_ipc_words_t in;",
        "  nx_ipc_words_t out;",
        "  int64_t badge = nx_ipc_recv(ep, &in);",
        "  while (badge >= 0) {",
        f"    {p.name}_dispatch(ops, ctx, (uint64_t)badge, &in, &out);",
        "    if (done && *done) {",
        f"      {p.name}_reply_alone(&out);",
        "      return NX_OK;",
        "    }",
        "    badge = nx_ipc_reply_recv(ep, out.w0, out.w1, out.w2, out.w3, out.info, &in);",
        "    if (badge < 0) {",
        "      /* Nothing happened. The reply alone may go (if receiving was what failed). */",
        f"      {p.name}_reply_alone(&out);",
        "      badge = nx_ipc_recv(ep, &in);",
        "    }",
        "  }",
        "  return badge;",
        "}",
        "",
    ]
    serve = ["nx_handle_t ep", f"const {p.ops_type} *ops", "void *ctx"]
    out += c_call(f"int64_t {p.name}_serve", serve, ") {")
    out += [f"  return {p.name}_serve_until(ep, ops, ctx, 0);", "}"]
    return finish(out)
