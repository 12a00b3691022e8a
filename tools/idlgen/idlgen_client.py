"""idlgen's client side: <proto>_client.h, the method numbers, the result
structs and one static inline function per method that calls the server
(nx_ipc_call) and decodes and checks the reply.
"""

from codegen_layout import TEXT_COLUMNS, block_comment, c_call, c_if, comment, finish, wrap_doc
from idlgen_layout import banner
from idlgen_method import info_expr, method_doc, narrow_mask, to_word, word_value


def _client_fn(p, m):
    lines = method_doc(m, client=True) + [""]
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
        out.append(f"  msg.w{i + 1} = {to_word(a, a.name)};")
    info = info_expr(len(m.handles), f"{m.bytes.name}_len" if m.bytes else "")
    if info != "0":
        out.append(f"  msg.info = {info};")
    out.append("  int64_t err = nx_ipc_call(ep, msg.w0, msg.w1, msg.w2, msg.w3, msg.info, &msg);")
    max_bytes = m.result_bytes.max if m.result_bytes else 0
    narrow = narrow_mask(m.results)
    out.append(
        f"  if (err == NX_OK) err = {p.name}_reply_status(&msg, "
        f"{len(m.result_handles)}, {max_bytes}, 0x{narrow:x});"
    )
    if not m.has_results:
        out += ["  return err;", "}", ""]
        return out
    out.append("  if (err != NX_OK) return err;")
    for i, r in enumerate(m.results):
        out.append(f"  result->{r.name} = {word_value(r, f'msg.w{i + 1}')};")
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
    out = [banner(p, "client"), *block_comment(intro)]
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
    return finish(out)
