/*
 * Each condition under which notify_fast.S must leave a signal to the C
 * path, met while everything else would let it switch straight to the
 * waiter (one waiter, waiting on the notification alone with no deadline,
 * more urgent than the signaller, threads of one task that never use FP):
 * the answer must be the C path's (//tests/qemu:notify_fast_refusals_test).
 * notify_test checks the cases the fastpath does take; dropping any one of
 * the checks below from notify_fast.S fails this test.
 *
 * The signaller runs at 5, the waiters above it, main (10) waits for each
 * case to end.
 */
#include "test_threads.h"
#include "test_util.h"

#define P "notify_fast_refusals"
#define MS 1000000ull
#define NEVER NX_DEADLINE_NEVER

/* Starts fn at prio (test_threads.h). */
static void start(void (*fn)(void *), uint32_t prio) { t_thread(P, fn, prio); }

static nx_handle_t g_n, g_done;

static nx_handle_t notification(void) {
  return (nx_handle_t)t_ok(P, "notification", nx_notification_create());
}

/* Runs `signaller` at 5 and waits until it reports on g_done. */
static void run_signaller(void (*signaller)(void *)) {
  start(signaller, 5);
  t_expect(P, "the case ended", nx_notification_wait(g_done, 1, NEVER), 1);
}

/* ---- Waiters: each waits on g_n for its mask, counting its wake-ups ---- */

static volatile uint32_t g_woken[2];
static volatile uint64_t g_bits[2];

static void waiter(unsigned i, uint64_t mask) {
  for (;;) {
    int64_t bits = nx_notification_wait(g_n, mask, NEVER);
    if (bits <= 0) return;
    g_bits[i] = (uint64_t)bits;
    g_woken[i]++;
  }
}

static void waiter_0x1(void *arg) {
  (void)arg;
  waiter(0, 0x1);
}

static void waiter_0x2(void *arg) {
  (void)arg;
  waiter(1, 0x2);
}

/* A fresh notification with waiter_0x1 waiting on it at 8. */
static void one_waiter(void) {
  g_n = notification();
  g_woken[0] = g_woken[1] = 0;
  start(waiter_0x1, 8);
  nx_thread_yield(); /* less urgent than main: it waits once main blocks */
}

/* ---- The decode: bits and rights ---- */

static nx_handle_t g_wait_only;

static void refusing_signaller(void *arg) {
  (void)arg;
  t_expect(P, "no bits", nx_notification_signal(g_n, 0), NX_ERR_INVALID_ARGS);
  t_expect(P, "bit 63", nx_notification_signal(g_n, (1ull << 63) | 1), NX_ERR_INVALID_ARGS);
  t_expect(P, "no signal right", nx_notification_signal(g_wait_only, 1), NX_ERR_ACCESS_DENIED);
  t_expect(P, "the waiter still waits", g_woken[0], 0);
  t_expect(P, "a valid signal", nx_notification_signal(g_n, 1), NX_OK);
  t_expect(P, "it ran the waiter at once", g_woken[0] == 1 && g_bits[0] == 1, 1);
  nx_notification_signal(g_done, 1);
}

static void refusals(void) {
  one_waiter();
  g_wait_only = (nx_handle_t)t_ok(P, "dup", nx_handle_dup(g_n, NX_RIGHT_WAIT));
  run_signaller(refusing_signaller);
}

/* ---- Bits the waiter does not wait for ---- */

static void unwanted_signaller(void *arg) {
  (void)arg;
  t_expect(P, "a signal of other bits", nx_notification_signal(g_n, 0x4), NX_OK);
  t_expect(P, "did not wake the waiter", g_woken[0], 0);
  t_expect(P, "a signal of its bit", nx_notification_signal(g_n, 0x1), NX_OK);
  t_expect(P, "woke it with that bit alone", g_woken[0] == 1 && g_bits[0] == 0x1, 1);
  t_expect(P, "the other bits stay pending", nx_notification_wait(g_n, 0x4, 0), 0x4);
  nx_notification_signal(g_done, 1);
}

/* ---- Two waiters queued ---- */

static void double_signaller(void *arg) {
  (void)arg;
  t_expect(P, "one signal for two waiters", nx_notification_signal(g_n, 0x3), NX_OK);
  t_expect(P, "both ran before it returned", g_woken[0] == 1 && g_woken[1] == 1, 1);
  nx_notification_signal(g_done, 1);
}

static void two_waiters(void) {
  one_waiter();
  start(waiter_0x2, 7);
  nx_thread_yield();
  run_signaller(double_signaller);
}

/* ---- The signaller's slice used up ---- */

static nx_handle_t g_peer_go;
static volatile int g_peer_ran;

/* Priority 5, the signaller's peer: runs once woken, when its turn comes. */
static void peer(void *arg) {
  (void)arg;
  if (nx_notification_wait(g_peer_go, 1, NEVER) == 1) g_peer_ran = 1;
}

/* Alone at its level, it spins past its slice (10 ms: no timer is armed
 * for it), then signals. Its slice, used up, must start afresh, so that the
 * peer it then wakes gets the CPU one slice later. */
static void spent_signaller(void *arg) {
  (void)arg;
  uint64_t until = (uint64_t)nx_clock_get() + 25 * MS;
  while ((uint64_t)nx_clock_get() < until) {
  }
  t_expect(P, "a signal with the slice used up", nx_notification_signal(g_n, 0x1), NX_OK);
  t_expect(P, "it ran the waiter", g_woken[0], 1);
  nx_notification_signal(g_peer_go, 1); /* the peer: READY at this level */
  while (!g_peer_ran) {
  }
  nx_notification_signal(g_done, 1);
}

static void spent_slice(void) {
  one_waiter();
  g_peer_go = notification();
  start(peer, 5);
  run_signaller(spent_signaller);
  t_say(P ": the signaller's peer ran after its slice\n");
}

int nx_main(const nx_start_info_t *start_info) {
  t_log = start_info->log;
  g_done = notification();
  refusals();
  t_say(P ": bits and rights checked\n");
  one_waiter();
  run_signaller(unwanted_signaller);
  t_say(P ": bits the waiter does not wait for stay pending\n");
  two_waiters();
  t_say(P ": two waiters both ran\n");
  spent_slice();
  t_say(P ": done, %d failures\n", t_failures);
  return t_failures != 0;
}
