/*
 * Invoke for the kernel core's syscalls: called only with arguments that
 * the matching decode (syscall_decode.c) accepted, so nothing here fails
 * on user input.
 */
#include "kernel/core/syscall_util.h"
#include "neuron/arch/csr.h"
#include "neuron/console.h"
#include "neuron/errors.h"
#include "neuron/kernel.h"
#include "neuron/syscall_decl.h"
#include "neuron/task.h"
#include "neuron/user_memory.h"

static uint64_t ticks_to_ns(uint64_t t) {
  uint64_t hz = kernel.platform.timebase_hz;
  return (t / hz) * 1000000000ull + (t % hz) * 1000000000ull / hz;
}

int64_t sys_null_invoke(thread_t *caller) {
  (void)caller;
  return 0;
}

int64_t sys_debug_write_invoke(thread_t *caller, const sys_debug_write_args_t *args) {
  char buf[NX_DEBUG_WRITE_MAX];
  user_copy_in(caller, buf, args->buf, args->len);
  console_write(buf, args->len);
  return (int64_t)args->len;
}

int64_t sys_thread_yield_invoke(thread_t *caller) { thread_yield(caller); }

int64_t sys_thread_exit_invoke(thread_t *caller, const sys_thread_exit_args_t *args) {
  (void)caller;
  thread_exit_current(args->code);
}

int64_t sys_task_exit_invoke(thread_t *caller, const sys_task_exit_args_t *args) {
  (void)caller;
  task_exit_current(args->code);
}

int64_t sys_clock_get_invoke(thread_t *caller) {
  (void)caller;
  return (int64_t)ticks_to_ns(rdtime());
}

int64_t sys_nanosleep_until_invoke(thread_t *caller, const sys_nanosleep_until_args_t *args) {
  uint64_t deadline = syscall_ns_to_ticks(args->deadline_ns); /* rounded up */
  if (deadline <= rdtime()) return 0;
  sched_sleep_until(&kernel.sched, &caller->sched, deadline);
  schedule();
  return 0;
}

int64_t sys_kernel_stats_invoke(thread_t *caller, const sys_kernel_stats_args_t *args) {
  kernel.stats.ipc_copy_bytes = kernel.ipc.counters.copied_bytes;
  kernel.stats.vmo_copy_bytes = kernel.vmos.copy_bytes;
  kernel.stats.pages_free = page_alloc_free_pages(&kernel.pages);
  kernel.stats.pages_total = page_alloc_total_pages(&kernel.pages);
  nx_kernel_stats_t s = kernel.stats;
  s.syscalls += kernel.fast_switches; /* each a syscall and a switch */
  s.context_switches += kernel.fast_switches;
  uint64_t n = args->len < sizeof s ? args->len : sizeof s;
  user_copy_out(caller, args->buf, &s, n);
  return (int64_t)n;
}
