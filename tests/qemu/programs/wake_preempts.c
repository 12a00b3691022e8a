/*
 * A syscall that makes a thread more urgent than its caller READY switches
 * to it before it returns (//tests/qemu:wake_preempts_test), whatever the
 * wake: closing the last handle of an endpoint a more urgent thread waits
 * on (its receive fails), killing a task a more urgent thread watches (the
 * watch bit is raised), starting a task more urgent than the caller.
 * Fixed priorities allow no window in which the less urgent caller runs
 * on.
 */
#include "test_threads.h"
#include "test_util.h"

#define P "wake_preempts"

/* Starts fn at prio (test_threads.h). */
static void start(void (*fn)(void *), uint32_t prio) { t_thread(P, fn, prio); }

static const nx_start_info_t *g_start;
static nx_handle_t g_ep, g_watch, g_done;
static volatile int g_woke, g_woke_first;

/* ---- Closing an endpoint a receiver waits on ---- */

/* Priority 8. */
static void receiver(void *arg) {
  (void)arg;
  nx_ipc_words_t m;
  if (nx_ipc_recv(g_ep, &m) < 0) g_woke = 1;
}

/* Priority 5. */
static void closer(void *arg) {
  (void)arg;
  t_ok(P, "close", nx_handle_close(g_ep));
  g_woke_first = g_woke;
  nx_notification_signal(g_done, 1);
}

/* ---- Killing a task a thread watches ---- */

/* Priority 8. */
static void watcher(void *arg) {
  (void)arg;
  if (nx_notification_wait(g_watch, 1, NX_DEADLINE_NEVER) == 1) g_woke = 1;
}

static nx_handle_t g_child;

/* Priority 5. */
static void killer(void *arg) {
  (void)arg;
  t_ok(P, "kill", nx_task_kill(g_child, 7));
  g_woke_first = g_woke;
  nx_notification_signal(g_done, 1);
}

/* ---- Starting a more urgent task ---- */

/* Priority 5: starts app/notify_child (10) with 0x2 pending on its h0; the
 * child takes it and raises 0x4 as soon as it runs. */
static void starter(void *arg) {
  (void)arg;
  nx_handle_t n = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
  t_ok(P, "signal", nx_notification_signal(n, 0x2));
  nx_handle_t task =
      (nx_handle_t)t_start_app(P, g_start, "notify_child", 64, n, NX_RIGHT_WAIT | NX_RIGHT_SIGNAL);
  g_woke_first = nx_notification_wait(n, 0x4, 0) == 0x4;
  nx_notification_signal(n, 0x8); /* the child ends */
  nx_handle_close(task);
  nx_notification_signal(g_done, 1);
}

static void run_case(void (*waiting)(void *), void (*waking)(void *), const char *what) {
  g_woke = g_woke_first = 0;
  start(waiting, 8);
  start(waking, 5);
  t_expect(P, "the case ended", nx_notification_wait(g_done, 1, NX_DEADLINE_NEVER), 1);
  t_say(P ": %s: the woken thread ran %s it returned\n", what, g_woke_first ? "before" : "after");
}

int nx_main(const nx_start_info_t *start_info) {
  t_log = start_info->log;
  g_start = start_info;
  g_done = (nx_handle_t)t_ok(P, "notification", nx_notification_create());

  g_ep = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
  run_case(receiver, closer, "handle_close of an endpoint");

  g_watch = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
  g_child = (nx_handle_t)t_start_app(P, start_info, "waiting_child_n", 64, g_watch, NX_RIGHT_WAIT);
  t_ok(P, "watch", nx_task_watch(g_child, g_watch, 1));
  run_case(watcher, killer, "task_kill of a watched task");

  g_woke_first = 0;
  start(starter, 5);
  t_expect(P, "the case ended", nx_notification_wait(g_done, 1, NX_DEADLINE_NEVER), 1);
  t_say(P ": task_start of a more urgent task: it ran %s task_start returned\n",
        g_woke_first ? "before" : "after");
  return t_failures != 0;
}
