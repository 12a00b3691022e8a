/*
 * A riscv64 user program that calls every syscall stub of neuron/syscalls.h,
 * each from its own function stub_<name>, so stubs_riscv64_test can find the
 * ecall of each. It is built (proving the stubs compile for riscv64) and
 * inspected, never run.
 */
#include "neuron/syscalls.h"

#define NOINLINE __attribute__((noinline, used))

static nx_kernel_stats_t stats;
static const char message[] = "stubs\n";

NOINLINE int64_t stub_null(void) { return nx_null(); }

NOINLINE int64_t stub_debug_write(nx_handle_t log) {
  return nx_debug_write(log, (uintptr_t)message, sizeof(message) - 1);
}

NOINLINE int64_t stub_thread_yield(void) { return nx_thread_yield(); }

NOINLINE __attribute__((noreturn)) void stub_thread_exit(int64_t code) { nx_thread_exit(code); }

NOINLINE __attribute__((noreturn)) void stub_task_exit(int64_t code) { nx_task_exit(code); }

NOINLINE int64_t stub_clock_get(void) { return nx_clock_get(); }

NOINLINE int64_t stub_nanosleep_until(uint64_t deadline_ns) {
  return nx_nanosleep_until(deadline_ns);
}

NOINLINE int64_t stub_kernel_stats(void) {
  return nx_kernel_stats((uintptr_t)&stats, sizeof(stats));
}

void _start(nx_handle_t log) {
  int64_t sum = stub_null();
  sum += stub_debug_write(log);
  sum += stub_thread_yield();
  sum += stub_nanosleep_until((uint64_t)stub_clock_get() + 1000);
  sum += stub_kernel_stats();
  if (sum < 0) stub_thread_exit(sum);
  stub_task_exit(sum);
}
