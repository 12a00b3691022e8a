/*
 * The server side of ipc_test and cap_transfer (app/ipc_server): receives
 * on start->h0 (a receive-only endpoint handle) and answers the operations
 * of ipc_proto.h, printing what it sees where the client cannot (badges,
 * the contents of a VMO it was sent). Handles and bytes arrive in, and
 * go back from, this thread's IPC buffer (nx_main_ipc_buffer).
 */
#include <string.h>

#include "neuron/runtime.h"
#include "tests/qemu/programs/ipc_proto.h"
#include "tests/qemu/programs/test_util.h"

#define P "ipc_server"
#define MAP_VA 0x1000000000ul

static nx_ipc_buffer_t *const ipcb = &nx_main_ipc_buffer;

/* Reads the VMO `h` (moved to us in a call) through a read-only mapping and
 * vmo_read, reports its text, then writes an answer into it. */
static void serve_vmo(nx_handle_t h, nx_ipc_words_t *reply) {
  char text[64] = {0};
  int64_t r = nx_vmo_map(h, MAP_VA, 0, 4096, NX_RIGHT_READ);
  if (t_expect(P, "map the received VMO", r, NX_OK)) {
    memcpy(text, (const void *)MAP_VA, sizeof text - 1);
    t_expect(P, "unmap", nx_vmo_unmap(MAP_VA), NX_OK);
  }
  char again[64] = {0};
  t_expect(P, "vmo_read", nx_vmo_read(h, 0, (uintptr_t)again, sizeof again - 1), sizeof again - 1);
  if (strcmp(text, again) != 0) t_fail(P, "mapping and vmo_read agree", 0, 1);
  t_say(P ": received a VMO handle; it says \"%s\"\n", text);
  static const char answer[] = "answer from the server";
  t_expect(P, "vmo_write", nx_vmo_write(h, 256, (uintptr_t)answer, sizeof answer), sizeof answer);
  reply->w0 = strlen(text);
  ipcb->handles[0] = h; /* moved back to the caller with the reply */
  reply->info = nx_msg_info(1, 0);
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  nx_handle_t ep = start->h0;
  t_say(P ": started\n");
  /* Receive-only: calling our own endpoint is refused. */
  nx_ipc_words_t probe;
  t_expect(P, "call without the write right", nx_ipc_call(ep, 0, 0, 0, 0, 0, &probe),
           NX_ERR_ACCESS_DENIED);
  nx_ipc_words_t m;
  int64_t r = nx_ipc_recv(ep, &m); /* the caller's badge, or an error */
  uint64_t calls = 0;
  for (; r >= 0; calls++) {
    uint64_t badge = (uint64_t)r;
    nx_ipc_words_t reply = {0};
    uint64_t op = m.w0;
    if (op == OP_INC) {
      if (m.info != 0) t_fail(P, "OP_INC carries words only", (int64_t)m.info, 0);
      reply.w0 = m.w1 + 1;
      reply.w1 = m.w2 ^ m.w3;
      reply.w2 = m.w3;
      reply.w3 = m.w2;
    } else if (op == OP_BUF) {
      uint32_t len = nx_msg_bytes(m.info);
      unsigned match = 0;
      for (unsigned i = 0; i < len; i++) {
        match += ipcb->bytes[i] == proto_pattern(i);
        ipcb->bytes[i] = (unsigned char)~ipcb->bytes[i];
      }
      t_say(P ": buffer of %u bytes, %u match the pattern\n", len, match);
      reply.w0 = match;
      reply.info = nx_msg_info(0, len); /* the same bytes go back, inverted */
    } else if (op == OP_BADGE) {
      t_say(P ": call with badge 0x%llx\n", (unsigned long long)badge);
      reply.w0 = badge;
    } else if (op == OP_VMO && nx_msg_handles(m.info) == 1) {
      serve_vmo(ipcb->handles[0], &reply);
    } else if (op == OP_QUIT) {
      break;
    } else if (op == OP_DIE) {
      t_say(P ": ending after %llu calls, owing a reply\n", (unsigned long long)calls);
      return t_failures;
    } else {
      t_fail(P, "unknown operation", (int64_t)op, 0);
    }
    r = nx_ipc_reply_recv(ep, reply.w0, reply.w1, reply.w2, reply.w3, reply.info, &m);
  }
  if (r < 0) t_fail(P, "receive", r, NX_OK);
  t_expect(P, "last reply", nx_ipc_reply(calls, 0, 0, 0, 0), NX_OK);
  t_say(P ": done after %llu calls\n", (unsigned long long)calls);
  return t_failures;
}
