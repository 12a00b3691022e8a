#include "test_threads.h"

#include "neuron/runtime.h"
#include "test_util.h"

static uint64_t stacks[T_THREADS][1024] __attribute__((aligned(16)));
static nx_ipc_buffer_t ipc[T_THREADS];
static unsigned started;

void t_thread(const char *prefix, void (*fn)(void *), uint32_t prio) {
  if (started == T_THREADS) {
    t_fail(prefix, "threads left in the pool", 0, 1);
    return;
  }
  unsigned i = started++;
  t_ok(prefix, "thread", nx_thread_start(fn, 0, stacks[i], sizeof stacks[i], &ipc[i], prio));
}
