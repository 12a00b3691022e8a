/*
 * The IPC benchmarks' server loop, shared by bench_server (the server in its
 * own address space) and bench's server thread (the same address space).
 *
 * A call carries its operation in w0 and a value in w1; the reply carries
 * w1 + 1 in w0 (so the client can check it got its own answer) and sends
 * back the bytes the call brought (buf_len of them), so a call with a 4 KiB
 * buffer is copied once each way. BENCH_OP_INVERT inverts those bytes
 * before sending them back (the client checks that the copy really
 * happened); BENCH_OP_QUIT replies and ends the loop.
 */
#ifndef BENCH_IPC_H
#define BENCH_IPC_H

#include <stdint.h>

#include "neuron/syscalls.h"

#define BENCH_OP_ECHO 1
#define BENCH_OP_INVERT 2
#define BENCH_OP_QUIT 3

/* Serves calls on `ep` into `buf` (NX_MSG_BUF_MAX bytes) until
 * BENCH_OP_QUIT. Returns 0, or the first error of a receive or reply. */
static inline int64_t bench_serve(nx_handle_t ep, uint8_t *buf) {
  nx_msg_t msg = {.buf = (uintptr_t)buf, .buf_cap = NX_MSG_BUF_MAX};
  int64_t err = nx_ipc_recv(ep, (uintptr_t)&msg);
  while (err == 0) {
    uint64_t op = msg.w0;
    uint64_t value = msg.w1;
    if (op == BENCH_OP_INVERT) {
      for (uint32_t i = 0; i < msg.buf_len; i++) buf[i] = (uint8_t)~buf[i];
    }
    msg.w0 = value + 1;
    msg.word_count = 1;
    msg.handle_count = 0;
    msg.buf = (uintptr_t)buf;
    msg.buf_cap = NX_MSG_BUF_MAX;
    /* msg.buf_len: what the call brought goes back. */
    if (op == BENCH_OP_QUIT) return nx_ipc_reply((uintptr_t)&msg);
    err = nx_ipc_reply_recv(ep, (uintptr_t)&msg);
  }
  return err;
}

#endif
