/*
 * The IPC fastpath from both sides, with every register the ABI keeps
 * checked (//tests/qemu:ipc_fast_test). Calls go to app/ipc_server in
 * another task, whose replies take the reply fastpath, and to a server
 * thread of this task whose reply_recv is also made with its registers
 * loaded and checked. Each reply must carry the right words (OP_INC), each
 * call the right badge, and s0-s11, gp and tp must come back from every
 * ipc_call and ipc_reply_recv as they went in (keep_regs.h), whichever
 * path (ipc_fast.S, or the C path behind it) the kernel took.
 */
#include "ipc_proto.h"
#include "keep_regs.h"
#include "neuron/syscall_numbers.h"
#include "test_util.h"

#define P "ipc_fast_test"
#define CALLS 200
#define BADGE 0x5eed

/* OP_INC's reply to (w0, w1, w2, w3), as ipc_proto.h defines it. */
static int inc_reply_ok(const uint64_t call[6], const uint64_t reply[6]) {
  return reply[0] == 0 && reply[1] == call[2] + 1 && reply[2] == (call[3] ^ call[4]) &&
         reply[3] == call[4] && reply[4] == call[3] && reply[5] == 0;
}

/* Calls `ep` CALLS times with OP_INC; counts wrong replies and changed
 * registers. */
static void call_many(nx_handle_t ep, uint32_t *wrong, uint32_t *changed) {
  for (uint64_t i = 0; i < CALLS; i++) {
    const uint64_t call[6] = {ep, OP_INC, i * 3, i ^ 0x55, i << 7, 0};
    uint64_t reply[6];
    *changed += (uint32_t)ecall_keeping(NX_SYS_IPC_CALL, call, reply, 77 + i);
    *wrong += !inc_reply_ok(call, reply);
  }
}

/* ---- A server thread of this task ---- */

static uint64_t g_stack[1024] __attribute__((aligned(16)));
static nx_ipc_buffer_t g_ipc;
static nx_handle_t g_ep;
static volatile uint32_t g_server_changed, g_server_badges_wrong, g_served;

static void serve(void *arg) {
  (void)arg;
  nx_ipc_words_t m;
  int64_t badge = nx_ipc_recv(g_ep, &m);
  uint64_t next[6];
  while (badge >= 0 && m.w0 == OP_INC) {
    g_served++;
    g_server_badges_wrong += badge != BADGE;
    const uint64_t r[6] = {g_ep, m.w1 + 1, m.w2 ^ m.w3, m.w3, m.w2, 0};
    g_server_changed += (uint32_t)ecall_keeping(NX_SYS_IPC_REPLY_RECV, r, next, 900 + g_served);
    badge = (int64_t)next[0];
    m.w0 = next[1];
    m.w1 = next[2];
    m.w2 = next[3];
    m.w3 = next[4];
  }
  /* OP_QUIT (or an error): answer and end. */
  if (badge >= 0) nx_ipc_reply(0, 0, 0, 0, 0);
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;

  /* Another task: app/ipc_server. */
  nx_handle_t ep = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
  t_start_app(P, start, "ipc_server", 512, ep, NX_RIGHT_READ);
  nx_thread_yield(); /* the server reaches its receive */
  /* With the server waiting, a handle with bits 8..15 set, or a 64-bit
   * value with ep in its low 32 bits (its low 8 bits and generation ep's),
   * names no slot: ipc_fast.S reads the slot of the low 8 bits, and must
   * still refuse it. */
  nx_ipc_words_t r;
  t_expect(P, "index + 256", nx_ipc_call(ep | 0x100u, OP_INC, 1, 2, 3, 0, &r), NX_ERR_BAD_HANDLE);
  t_expect(P, "index + 32768", nx_ipc_call(ep | 0x8000u, OP_INC, 1, 2, 3, 0, &r),
           NX_ERR_BAD_HANDLE);
  const uint64_t wide[6] = {(1ull << 32) | ep, OP_INC, 1, 2, 3, 0};
  uint64_t out[6];
  (void)ecall_keeping(NX_SYS_IPC_CALL, wide, out, 77);
  t_expect(P, "handle + 2^32", (int64_t)out[0], NX_ERR_BAD_HANDLE);
  uint32_t wrong = 0, changed = 0;
  call_many(ep, &wrong, &changed);
  t_say(P ": another task: %u calls, %u wrong replies, %u registers changed\n", (unsigned)CALLS,
        (unsigned)wrong, (unsigned)changed);
  nx_ipc_call(ep, OP_QUIT, 0, 0, 0, 0, &r);

  /* A thread of this task, called through a badged handle. */
  g_ep = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
  nx_handle_t badged = (nx_handle_t)t_ok(P, "mint", nx_handle_mint(g_ep, NX_RIGHT_WRITE, BADGE));
  t_ok(P, "thread", nx_thread_start(serve, 0, g_stack, sizeof g_stack, &g_ipc, 10));
  nx_thread_yield();
  uint32_t wrong2 = 0, changed2 = 0;
  call_many(badged, &wrong2, &changed2);
  nx_ipc_call(badged, OP_QUIT, 0, 0, 0, 0, &r);
  t_say(P
        ": a thread of this task: %u calls, %u wrong replies, %u registers changed; "
        "server: %u served, %u wrong badges, %u registers changed\n",
        (unsigned)CALLS, (unsigned)wrong2, (unsigned)changed2, (unsigned)g_served,
        (unsigned)g_server_badges_wrong, (unsigned)g_server_changed);
  return wrong || changed || wrong2 || changed2 || g_server_badges_wrong || g_server_changed ||
         t_failures;
}
