/*
 * The runtime's threads (//tests/qemu:runtime_test): nx_thread_start refuses
 * what it cannot run, starts up to NX_THREADS_MAX threads each of which
 * finds its own IPC buffer through nx_ipc_buffer_self (and an IDL-style
 * call on it works), and frees a thread's record when it ends.
 */
#include "test_util.h"

#define P "runtime_test"
#define STACK 4096

static uint64_t stacks[NX_THREADS_MAX + 1][STACK / 8] __attribute__((aligned(16)));
static nx_ipc_buffer_t buffers[NX_THREADS_MAX + 1];
static nx_handle_t g_go;   /* the threads wait for bit 0 */
static nx_handle_t g_done; /* each thread signals bit i when it is done */
static int g_own_buffer[NX_THREADS_MAX + 1];

static void worker(void *arg) {
  uintptr_t i = (uintptr_t)arg;
  g_own_buffer[i] = nx_ipc_buffer_self() == &buffers[i];
  nx_notification_wait(g_go, 1, NX_DEADLINE_NEVER);
  nx_notification_signal(g_go, 1); /* pass it on to the next waiter */
  nx_notification_signal(g_done, 1ull << i);
}

static void nothing(void *arg) { (void)arg; }

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  t_expect(P, "no entry", nx_thread_start(NULL, 0, stacks[0], STACK, &buffers[0], 5),
           NX_ERR_INVALID_ARGS);
  t_expect(P, "no buffer", nx_thread_start(nothing, 0, stacks[0], STACK, NULL, 5),
           NX_ERR_INVALID_ARGS);
  t_expect(P, "a tiny stack", nx_thread_start(nothing, 0, stacks[0], 64, &buffers[0], 5),
           NX_ERR_INVALID_ARGS);
  t_expect(P, "a priority above the task's",
           nx_thread_start(nothing, 0, stacks[0], STACK, &buffers[0], 31), NX_ERR_ACCESS_DENIED);
  t_expect(P, "the first thread's buffer", nx_ipc_buffer_self() == &nx_main_ipc_buffer, 1);
  g_go = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
  g_done = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
  uint32_t started = 0;
  for (uintptr_t i = 0; i < NX_THREADS_MAX; i++) {
    started +=
        t_ok(P, "start", nx_thread_start(worker, (void *)i, stacks[i], STACK, &buffers[i], 5)) >= 0;
  }
  t_expect(P, "one too many",
           nx_thread_start(worker, (void *)NX_THREADS_MAX, stacks[NX_THREADS_MAX], STACK,
                           &buffers[NX_THREADS_MAX], 5),
           NX_ERR_NO_MEMORY);
  nx_notification_signal(g_go, 1);
  const uint64_t all = (1ull << NX_THREADS_MAX) - 1;
  uint64_t done = 0;
  while (done != all) {
    int64_t bits = nx_notification_wait(g_done, all, NX_DEADLINE_NEVER);
    if (bits < 0) break;
    done |= (uint64_t)bits;
  }
  uint32_t own = 0;
  for (uint32_t i = 0; i < NX_THREADS_MAX; i++) own += g_own_buffer[i];
  t_say(P ": %u threads started, %u found their own IPC buffer\n", (unsigned)started,
        (unsigned)own);
  /* The ended threads' records are free again (a thread frees its record
   * just before it exits: give them the CPU). */
  nx_thread_yield();
  t_ok(P, "start after the others ended",
       nx_thread_start(nothing, 0, stacks[0], STACK, &buffers[0], 5));
  t_say(P ": done\n");
  return 0;
}
