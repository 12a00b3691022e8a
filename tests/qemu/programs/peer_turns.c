/*
 * Round-robin without a tick (//tests/qemu:peer_turns_test): a thread alone
 * at its priority runs with no timer armed, so when another thread becomes
 * READY at that priority, the running thread's slice end must be armed
 * then, or the newcomer waits until the running one blocks. Each case
 * spins alone past a slice first (an armed deadline left from before fires
 * and is not renewed), makes a peer READY without blocking, and spins until
 * the peer ran: a peer started (thread_create), and a peer woken by a
 * signal.
 */
#include "test_threads.h"
#include "test_util.h"

#define P "peer_turns"
#define PRIO 10 /* the task's, and main's */

static volatile uint32_t g_ran;
static nx_handle_t g_go;

static void spin_past_a_slice(void) {
  uint64_t until = (uint64_t)nx_clock_get() + 25000000ull; /* slices are 10 ms */
  while ((uint64_t)nx_clock_get() < until) {
  }
}

static void started(void *arg) {
  (void)arg;
  g_ran = 1;
}

static void woken(void *arg) {
  (void)arg;
  if (nx_notification_wait(g_go, 1, NX_DEADLINE_NEVER) == 1) g_ran = 1;
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;

  spin_past_a_slice();
  g_ran = 0;
  t_thread(P, started, PRIO);
  while (!g_ran) {
  }
  t_say(P ": a peer started while this thread spun alone had its turn\n");

  g_go = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
  t_thread(P, woken, PRIO);
  nx_thread_yield(); /* it waits */
  spin_past_a_slice();
  g_ran = 0;
  t_ok(P, "signal", nx_notification_signal(g_go, 1));
  while (!g_ran) {
  }
  t_say(P ": a peer woken while this thread spun alone had its turn\n");
  return 0;
}
