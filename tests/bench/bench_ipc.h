/*
 * The IPC benchmarks' server loop, shared by bench_server (the server in its
 * own address space) and bench's server thread (the same address space).
 *
 * A call carries its operation in w0 and a value in w1 (every message
 * carries four words, in registers); the reply carries w1 + 1 in w0 (so the
 * client can check it got its own answer; an echo of words only carries the
 * call's w1..w3 back in w1..w3, the others zeros) and sends back the bytes the call
 * brought (nx_msg_bytes(info) of them, in the server's IPC buffer), so a
 * call with 4 KiB is copied once each way, IPC buffer to IPC buffer.
 * BENCH_OP_INVERT inverts those bytes before sending them back (the client
 * checks that the copy really happened); BENCH_OP_QUIT replies and ends the
 * loop.
 */
#ifndef BENCH_IPC_H
#define BENCH_IPC_H

#include <stdint.h>

#include "neuron/runtime.h"
#include "neuron/syscalls.h"

#define BENCH_OP_ECHO 1
#define BENCH_OP_INVERT 2
#define BENCH_OP_QUIT 3

/* Serves calls on `ep` until BENCH_OP_QUIT; `ipcb` is the calling thread's
 * IPC buffer (where a call's bytes arrive). Returns 0, or the first error
 * of a receive or reply. */
static inline int64_t bench_serve(nx_handle_t ep, nx_ipc_buffer_t *ipcb) {
  nx_ipc_words_t msg;
  int64_t r = nx_ipc_recv(ep, &msg); /* the badge (0), or an error */
  while (r >= 0) {
    /* The common case first, as a server's dispatch would have it: an echo
     * of words only goes straight back, w0 answered, the others as they
     * came. */
    if (msg.w0 == BENCH_OP_ECHO && msg.info == 0) {
      r = nx_ipc_reply_recv(ep, msg.w1 + 1, msg.w1, msg.w2, msg.w3, 0, &msg);
      continue;
    }
    uint64_t op = msg.w0;
    uint64_t value = msg.w1;
    uint32_t len = nx_msg_bytes(msg.info);
    if (op == BENCH_OP_INVERT) {
      for (uint32_t i = 0; i < len; i++) ipcb->bytes[i] = (uint8_t)~ipcb->bytes[i];
    }
    /* What the call brought goes back. */
    uint64_t info = nx_msg_info(0, len);
    if (op == BENCH_OP_QUIT) return nx_ipc_reply(value + 1, 0, 0, 0, info);
    r = nx_ipc_reply_recv(ep, value + 1, 0, 0, 0, info, &msg);
  }
  return r;
}

#endif
