/*
 * The runtime's threads (//tests/qemu:runtime_test): nx_thread_start refuses
 * what it cannot run; each thread it starts finds its own IPC buffer through
 * nx_ipc_buffer_self and has thread-local storage of its own, copied from
 * the program's initial image (a thread-local counter starts at its
 * initializer in every thread, and neither it nor picolibc's errno is seen
 * by the other threads); the first thread's errno works too.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "test_util.h"

#define P "runtime_test"
#define THREADS 8
#define STACK 4096
#define COUNTER_START 1000

static uint64_t stacks[THREADS][STACK / 8] __attribute__((aligned(16)));
static nx_ipc_buffer_t buffers[THREADS];
static nx_handle_t g_ready; /* each thread signals bit i when its values are set */
static nx_handle_t g_go;    /* then the threads wait for bit 0 */
static nx_handle_t g_done;  /* each thread signals bit i when it is done */
static int g_own_buffer[THREADS], g_own_tls[THREADS];

/* Written by every thread (so the compiler keeps it in .tdata). */
static __thread uint64_t t_counter = COUNTER_START;

static void worker(void *arg) {
  uintptr_t i = (uintptr_t)arg;
  g_own_buffer[i] = nx_ipc_buffer_self() == &buffers[i];
  int fresh = t_counter == COUNTER_START && errno == 0;
  t_counter = i;
  errno = (int)i + 1;
  /* Every thread sets its values before any checks them. */
  nx_notification_signal(g_ready, 1ull << i);
  nx_notification_wait(g_go, 1, NX_DEADLINE_NEVER);
  nx_notification_signal(g_go, 1); /* pass it on to the next waiter */
  g_own_tls[i] = fresh && t_counter == i && errno == (int)i + 1;
  nx_notification_signal(g_done, 1ull << i);
}

static void nothing(void *arg) { (void)arg; }

/* Waits until `n` has had every bit of `all`. */
static void wait_all(nx_handle_t n, uint64_t all) {
  uint64_t seen = 0;
  while (seen != all) {
    int64_t bits = nx_notification_wait(n, all, NX_DEADLINE_NEVER);
    if (bits < 0) break;
    seen |= (uint64_t)bits;
  }
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  t_expect(P, "no entry", nx_thread_start(NULL, 0, stacks[0], STACK, &buffers[0], 5),
           NX_ERR_INVALID_ARGS);
  t_expect(P, "no buffer", nx_thread_start(nothing, 0, stacks[0], STACK, NULL, 5),
           NX_ERR_INVALID_ARGS);
  t_expect(P, "a tiny stack", nx_thread_start(nothing, 0, stacks[0], 64, &buffers[0], 5),
           NX_ERR_INVALID_ARGS);
  t_expect(P, "a stack only NX_THREAD_STACK_MIN long",
           nx_thread_start(nothing, 0, stacks[0], NX_THREAD_STACK_MIN, &buffers[0], 5),
           NX_ERR_INVALID_ARGS);
  t_expect(P, "a stack that wraps around",
           nx_thread_start(nothing, 0, (void *)(uintptr_t)-4096, STACK, &buffers[0], 5),
           NX_ERR_INVALID_ARGS);
  t_expect(P, "a priority above the task's",
           nx_thread_start(nothing, 0, stacks[0], STACK, &buffers[0], 31), NX_ERR_ACCESS_DENIED);
  t_expect(P, "the first thread's buffer", nx_ipc_buffer_self() == &nx_main_ipc_buffer, 1);
  /* The first thread's errno, which picolibc keeps in thread-local storage. */
  errno = 0;
  long big = strtol("99999999999999999999999", NULL, 10);
  t_say(P ": strtol of a number too big: %s, errno %s\n", big == LONG_MAX ? "LONG_MAX" : "wrong",
        errno == ERANGE ? "ERANGE" : "wrong");
  g_ready = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
  g_go = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
  g_done = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
  uint32_t started = 0;
  for (uintptr_t i = 0; i < THREADS; i++) {
    started +=
        t_ok(P, "start", nx_thread_start(worker, (void *)i, stacks[i], STACK, &buffers[i], 5)) >= 0;
  }
  const uint64_t all = (1ull << THREADS) - 1;
  wait_all(g_ready, all);
  nx_notification_signal(g_go, 1);
  wait_all(g_done, all);
  uint32_t own = 0, own_tls = 0;
  for (uint32_t i = 0; i < THREADS; i++) {
    own += g_own_buffer[i];
    own_tls += g_own_tls[i];
  }
  t_say(P
        ": %u threads started, %u found their own IPC buffer, %u their own thread-local storage\n",
        (unsigned)started, (unsigned)own, (unsigned)own_tls);
  t_expect(P, "the first thread's own counter and errno",
           t_counter == COUNTER_START && errno == ERANGE, 1);
  t_say(P ": done\n");
  return t_failures != 0 || started != THREADS || own != THREADS || own_tls != THREADS;
}
