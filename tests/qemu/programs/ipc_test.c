/*
 * IPC end to end, through real address spaces and threads:
 *
 * 1. This task (bin/ipc_test) makes an endpoint and starts app/ipc_server
 *    with a read-only (receive) handle to it, keeping write (call) for
 *    itself. 100 calls each carry a counter and get it back plus one: all
 *    four words cross address spaces both ways (the first call queues
 *    before the server waits, the rest find it waiting: the slow path and
 *    the fastpath).
 * 2. One call carries 4 KiB in this thread's IPC buffer: the server checks
 *    every byte in its own and replies with the bytes inverted, which this
 *    task checks.
 * 3. Handles minted with badges 0x1111, 0x2222 and the largest badge
 *    (bit 63 clear; a mint with bit 63 set is refused), and the unbadged
 *    one: the server reports the badge of each call (ipc_recv's result)
 *    and echoes it.
 * 4. The server ends while it owes a call its reply (OP_DIE): the call
 *    fails with NX_ERR_NOT_FOUND instead of hanging.
 * 5. Two threads of this task ping-pong over a second endpoint: a thread
 *    made with thread_create, on its own stack and IPC buffer and at a
 *    lower priority, serves 100 calls (the slow path with priority
 *    inheritance) and ends with bytes from its own IPC buffer.
 * 6. Endpoints going away under blocked threads (endpoints_going_away).
 *
 * Each step prints what it received, so the markers only match when the
 * values are right; any mismatch prints a FAILED line.
 */
#include <string.h>

#include "neuron/runtime.h"
#include "tests/qemu/programs/ipc_proto.h"
#include "tests/qemu/programs/test_util.h"

#define P "ipc_test"
#define CALLS 100
#define BADGE_MAX 0x7fffffffffffffffull /* bit 63 must be clear */

/* This (the first) thread's IPC buffer: what its messages' bytes and
 * handles go out from and come back into. */
static nx_ipc_buffer_t *const ipcb = &nx_main_ipc_buffer;

static int64_t call(nx_handle_t ep, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
                    uint64_t info, nx_ipc_words_t *out) {
  int64_t r = nx_ipc_call(ep, w0, w1, w2, w3, info, out);
  if (r != NX_OK) t_fail(P, "ipc_call", r, NX_OK);
  return r;
}

/* All four words travel both ways (OP_INC swaps w2 and w3 back), and a
 * words-only reply carries no handles or bytes (info 0). */
static void words_round_trips(nx_handle_t ep) {
  int good = 0;
  for (uint64_t i = 0; i < CALLS; i++) {
    nx_ipc_words_t m;
    if (call(ep, OP_INC, i * 1000 + 7, i, ~i, 0, &m) != NX_OK) return;
    if (m.w0 == i * 1000 + 8 && m.w1 == (i ^ ~i) && m.w2 == ~i && m.w3 == i && m.info == 0) {
      good++;
    } else {
      t_fail(P, "reply to OP_INC", (int64_t)m.w0, (int64_t)(i * 1000 + 8));
    }
  }
  t_say(P ": %d of %d calls answered with w0+1\n", good, CALLS);
}

/* 4 KiB from this thread's IPC buffer to the server's and back. */
static void buffer_round_trip(nx_handle_t ep) {
  for (unsigned i = 0; i < NX_MSG_BUF_MAX; i++) ipcb->bytes[i] = proto_pattern(i);
  nx_ipc_words_t m;
  if (call(ep, OP_BUF, 0, 0, 0, nx_msg_info(0, NX_MSG_BUF_MAX), &m) != NX_OK) return;
  unsigned inverted = 0;
  for (unsigned i = 0; i < NX_MSG_BUF_MAX; i++) {
    inverted += ipcb->bytes[i] == (unsigned char)~proto_pattern(i);
  }
  t_say(P ": server matched %llu bytes; reply carried %u bytes, %u inverted\n",
        (unsigned long long)m.w0, nx_msg_bytes(m.info), inverted);
  if (m.w0 != NX_MSG_BUF_MAX || m.info != nx_msg_info(0, NX_MSG_BUF_MAX) ||
      inverted != NX_MSG_BUF_MAX) {
    t_fail(P, "4 KiB buffer round trip", inverted, NX_MSG_BUF_MAX);
  }
}

static void badge_call(nx_handle_t ep, uint64_t badge) {
  nx_ipc_words_t m;
  if (call(ep, OP_BADGE, 0, 0, 0, 0, &m) != NX_OK) return;
  t_say(P ": call through badge 0x%llx echoed 0x%llx\n", (unsigned long long)badge,
        (unsigned long long)m.w0);
  t_expect(P, "echoed badge", (int64_t)m.w0, (int64_t)badge);
}

/* ---- Two threads of one task ---- */

static uint64_t thread_stack[1024] __attribute__((aligned(16)));
static nx_ipc_buffer_t echo_ipc_buffer;
static nx_handle_t g_ep2;
static const char g_done_text[] = "done";

/* The second thread: serves calls on g_ep2 (w0 * 2) until w0 is 0, then
 * replies the count with 4 bytes from its own IPC buffer. */
static void __attribute__((noreturn)) echo_thread(uint64_t arg) {
  t_expect(P, "the thread's IPC buffer", nx_thread_set_ipc_buffer((uintptr_t)&echo_ipc_buffer),
           NX_OK);
  nx_ipc_words_t m;
  int64_t r = nx_ipc_recv(g_ep2, &m);
  uint64_t served = 0;
  while (r >= 0) {
    if (m.w0 == 0) break;
    served++;
    r = nx_ipc_reply_recv(g_ep2, m.w0 * 2, arg, 0, 0, 0, &m);
  }
  if (r < 0) t_fail(P, "thread's receive", r, NX_OK);
  memcpy(echo_ipc_buffer.bytes, g_done_text, 4);
  nx_ipc_reply(served, 0, 0, 0, nx_msg_info(0, 4));
  nx_thread_exit(0);
}

static void thread_ping_pong(void) {
  g_ep2 = (nx_handle_t)t_ok(P, "second endpoint", nx_endpoint_create());
  /* At priority 5, below this thread's 10: calls never take the fastpath
   * (the server is less urgent) and the thread serves each at priority 10. */
  int64_t tid = nx_thread_create((uintptr_t)echo_thread,
                                 (uintptr_t)(thread_stack + sizeof thread_stack / 8), 0xabc, 5);
  if (t_ok(P, "thread_create", tid) < 0) return;
  int good = 0;
  nx_ipc_words_t m;
  for (uint64_t i = 1; i <= CALLS; i++) {
    if (call(g_ep2, i, 0, 0, 0, 0, &m) != NX_OK) return;
    good += m.w0 == 2 * i && m.w1 == 0xabc && m.info == 0;
  }
  memset(ipcb->bytes, 0, 4);
  call(g_ep2, 0, 0, 0, 0, 0, &m);
  t_say(P ": thread pair: %d of %d calls doubled, the thread served %llu\n", good, CALLS,
        (unsigned long long)m.w0);
  if (good != CALLS || m.w0 != CALLS) t_fail(P, "thread ping-pong", good, CALLS);
  /* The thread's bytes came from its own IPC buffer into this thread's. */
  if (m.info != nx_msg_info(0, 4) || memcmp(ipcb->bytes, g_done_text, 4) != 0) {
    t_fail(P, "bytes from the thread's IPC buffer", (int64_t)m.info, (int64_t)nx_msg_info(0, 4));
  }
}

/* ---- Endpoints that go away under blocked threads ---- */

static uint64_t waiter_stacks[3][512] __attribute__((aligned(16)));
static nx_ipc_buffer_t waiter_ipc_buffers[2];
static nx_handle_t g_ep_recv, g_ep_call, g_done;

/* Blocks in ipc_recv (arg 0) or ipc_call (arg 1) on an endpoint nobody
 * else uses, reports what ended the wait and signals g_done. */
static void __attribute__((noreturn)) blocked_thread(uint64_t arg) {
  t_expect(P, "a blocked thread's IPC buffer",
           nx_thread_set_ipc_buffer((uintptr_t)&waiter_ipc_buffers[arg]), NX_OK);
  nx_ipc_words_t m;
  int64_t r = arg ? nx_ipc_call(g_ep_call, 1, 0, 0, 0, 0, &m) : nx_ipc_recv(g_ep_recv, &m);
  t_say(P ": blocked %s woke with %s\n", arg ? "caller" : "receiver", t_err(r));
  t_expect(P, "woken by the endpoint's end", r, NX_ERR_BAD_HANDLE);
  nx_notification_signal(g_done, 1ull << arg);
  nx_thread_exit(0);
}

/* Blocks until the task ends (never signalled). */
static void __attribute__((noreturn)) lingering_thread(uint64_t arg) {
  (void)arg;
  nx_notification_wait(g_done, 1ull << 40, NX_DEADLINE_NEVER);
  t_say(P ": FAILED: the lingering thread woke\n");
  nx_thread_exit(1);
}

static int64_t start_thread(void (*entry)(uint64_t), unsigned stack, uint64_t arg) {
  uintptr_t sp = (uintptr_t)(waiter_stacks[stack] + sizeof waiter_stacks[stack] / 8);
  return t_ok(P, "thread_create", nx_thread_create((uintptr_t)entry, sp, arg, 10));
}

/* Closing the last handle of an endpoint ends it: a thread blocked
 * receiving on it and one queued calling it both wake with
 * NX_ERR_BAD_HANDLE. A third thread stays blocked in a wait when the task
 * ends (returning from nx_main), which must end it too. */
static void endpoints_going_away(void) {
  g_ep_recv = (nx_handle_t)t_ok(P, "endpoint_create", nx_endpoint_create());
  g_ep_call = (nx_handle_t)t_ok(P, "endpoint_create", nx_endpoint_create());
  g_done = (nx_handle_t)t_ok(P, "notification_create", nx_notification_create());
  start_thread(blocked_thread, 0, 0);
  start_thread(blocked_thread, 1, 1);
  start_thread(lingering_thread, 2, 0);
  nx_thread_yield(); /* the three run and block */
  t_expect(P, "close the receive endpoint", nx_handle_close(g_ep_recv), NX_OK);
  t_expect(P, "close the call endpoint", nx_handle_close(g_ep_call), NX_OK);
  uint64_t deadline = (uint64_t)nx_clock_get() + 1000000000ull;
  uint64_t got = 0;
  while (got != 3) {
    int64_t bits = nx_notification_wait(g_done, 3, deadline);
    if (bits < 0) break;
    got |= (uint64_t)bits;
  }
  t_expect(P, "both blocked threads reported", (int64_t)got, 3);
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  nx_handle_t ep = (nx_handle_t)t_ok(P, "endpoint_create", nx_endpoint_create());
  /* The server may only receive on the endpoint: no write (call) right. */
  int64_t task = t_start_app(P, start, "ipc_server", 512, ep, NX_RIGHT_READ);
  if (task < 0) return 1;

  words_round_trips(ep);
  buffer_round_trip(ep);
  nx_handle_t b1 = (nx_handle_t)t_ok(P, "mint 0x1111", nx_handle_mint(ep, NX_RIGHT_WRITE, 0x1111));
  nx_handle_t b2 = (nx_handle_t)t_ok(P, "mint 0x2222", nx_handle_mint(ep, NX_RIGHT_WRITE, 0x2222));
  badge_call(b1, 0x1111);
  badge_call(b2, 0x2222);
  badge_call(ep, 0);
  badge_call(b1, 0x1111);
  /* Badges up to bit 62 come back whole (a receive returns them in a0);
   * one with bit 63 set is refused, as it would read as an error. */
  nx_handle_t bmax =
      (nx_handle_t)t_ok(P, "mint the largest badge", nx_handle_mint(ep, NX_RIGHT_WRITE, BADGE_MAX));
  badge_call(bmax, BADGE_MAX);
  t_expect(P, "mint with badge bit 63", nx_handle_mint(ep, NX_RIGHT_WRITE, 1ull << 63),
           NX_ERR_INVALID_ARGS);
  t_expect(P, "mint with badge ~0", nx_handle_mint(ep, NX_RIGHT_WRITE, ~0ull), NX_ERR_INVALID_ARGS);
  /* A badge is set once: re-minting a badged handle is refused. */
  t_expect(P, "mint of a badged handle", nx_handle_mint(b1, NX_RIGHT_WRITE, 0x3333),
           NX_ERR_ACCESS_DENIED);
  /* The server ends while it owes this call a reply: the call fails. */
  nx_ipc_words_t die;
  int64_t r = nx_ipc_call(ep, OP_DIE, 0, 0, 0, 0, &die);
  t_say(P ": call to a server that ended without replying: %s\n", t_err(r));
  t_expect(P, "call to a dead server", r, NX_ERR_NOT_FOUND);

  thread_ping_pong();
  endpoints_going_away();
  t_say(t_failures ? P ": FAILED\n" : P ": all IPC checks passed\n");
  return t_failures;
}
