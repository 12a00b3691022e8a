/*
 * The IPC fastpath from both sides, with every register the ABI keeps
 * checked (//tests/qemu:ipc_fast_test). Calls go to app/ipc_server in
 * another task, whose replies take the reply fastpath, and to a server
 * thread of this task whose reply_recv is also made with its s-registers
 * loaded and checked. Each reply must carry the right words (OP_INC), each
 * call the right badge, and s0-s11 must come back from every ipc_call and
 * ipc_reply_recv as they went in, whichever path (ipc_fast.S, or the C
 * path behind it) the kernel took.
 */
#include "ipc_proto.h"
#include "neuron/syscall_numbers.h"
#include "test_util.h"

#define P "ipc_fast_test"
#define CALLS 200
#define BADGE 0x5eed

/* Layout of the buffer the assembly reads and writes (uint64_t indexes). */
enum { IN = 0, NR = 6, OUT = 7, SREGS = 13, SAFTER = 24, WORDS = 35 };

/* Makes syscall `nr` with a0..a5 = in[0..5] and s1..s11 loaded with a
 * pattern made from `seed`; stores a0..a5 after it in out[0..5]. Returns
 * how many of s1..s11 (and, through the stores, s0) changed. */
static int ecall_keeping(uint64_t nr, const uint64_t in[6], uint64_t out[6], uint64_t seed) {
  uint64_t b[WORDS];
  for (int i = 0; i < 6; i++) b[IN + i] = in[i];
  b[NR] = nr;
  for (int i = 0; i < 11; i++) b[SREGS + i] = seed * 0x9e3779b97f4a7c15ull + (uint64_t)i;
  __asm__ volatile(
      "ld s1, 104(%0)\n ld s2, 112(%0)\n ld s3, 120(%0)\n ld s4, 128(%0)\n ld s5, 136(%0)\n"
      "ld s6, 144(%0)\n ld s7, 152(%0)\n ld s8, 160(%0)\n ld s9, 168(%0)\n ld s10, 176(%0)\n"
      "ld s11, 184(%0)\n"
      "ld a0, 0(%0)\n ld a1, 8(%0)\n ld a2, 16(%0)\n ld a3, 24(%0)\n ld a4, 32(%0)\n"
      "ld a5, 40(%0)\n ld a7, 48(%0)\n ecall\n"
      "sd a0, 56(%0)\n sd a1, 64(%0)\n sd a2, 72(%0)\n sd a3, 80(%0)\n sd a4, 88(%0)\n"
      "sd a5, 96(%0)\n"
      "sd s1, 192(%0)\n sd s2, 200(%0)\n sd s3, 208(%0)\n sd s4, 216(%0)\n sd s5, 224(%0)\n"
      "sd s6, 232(%0)\n sd s7, 240(%0)\n sd s8, 248(%0)\n sd s9, 256(%0)\n sd s10, 264(%0)\n"
      "sd s11, 272(%0)\n"
      :
      : "r"(b)
      : "memory", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t0", "t1", "t2", "t3", "t4",
        "t5", "t6", "ra", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11");
  for (int i = 0; i < 6; i++) out[i] = b[OUT + i];
  int changed = 0;
  for (int i = 0; i < 11; i++) changed += b[SREGS + i] != b[SAFTER + i];
  return changed;
}

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
  static const char name[] = "ipc_server";
  nx_handle_t task = (nx_handle_t)t_ok(
      P, "task_create", nx_task_create(start->bootfs, (uintptr_t)name, sizeof name - 1, 10, 512));
  nx_start_info_t info = {0};
  info.h0 = (nx_handle_t)t_ok(P, "give endpoint", nx_task_give(task, ep, NX_RIGHT_READ));
  info.log = (nx_handle_t)t_ok(P, "give log", nx_task_give(task, start->log, NX_RIGHT_WRITE));
  t_expect(P, "task_start", nx_task_start(task, (uintptr_t)&info), NX_OK);
  nx_thread_yield(); /* the server reaches its receive */
  uint32_t wrong = 0, changed = 0;
  call_many(ep, &wrong, &changed);
  t_say(P ": another task: %u calls, %u wrong replies, %u registers changed\n", (unsigned)CALLS,
        (unsigned)wrong, (unsigned)changed);
  nx_ipc_words_t r;
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
  return wrong || changed || wrong2 || changed2 || g_server_badges_wrong || g_server_changed;
}
