/*
 * Passes garbage to every syscall and checks that each is refused with the
 * right error (and that the task and kernel go on). Prints one line per
 * check and a summary the QEMU test looks for.
 */
#include "neuron/runtime.h"

static nx_handle_t g_log;
static int g_failures;

static void check(const char *what, int64_t got, int64_t want) {
  if (got != want) {
    g_failures++;
    nx_log_str(g_log, "bad_syscalls: FAIL ");
    nx_log_str(g_log, what);
    nx_log_str(g_log, "\n");
  }
}

static int64_t raw_syscall(uint64_t n, uint64_t a0, uint64_t a1, uint64_t a2) {
  register uint64_t r0 __asm__("a0") = a0;
  register uint64_t r1 __asm__("a1") = a1;
  register uint64_t r2 __asm__("a2") = a2;
  register uint64_t r7 __asm__("a7") = n;
  /* The ABI returns ra, t0-t6 and a1-a7 zeroed: all clobbered here. */
  __asm__ volatile("ecall"
                   : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r7)
                   :
                   : "ra", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a3", "a4", "a5", "a6",
                     "memory");
  return (int64_t)r0;
}

int nx_main(const nx_start_info_t *start) {
  nx_handle_t log = start->log;
  g_log = log;
  static const char msg[] = "ok\n";
  static char stats[64];
  check("unknown syscall", raw_syscall(NX_SYS_COUNT, 0, 0, 0), NX_ERR_BAD_SYSCALL);
  check("huge syscall number", raw_syscall(~0ull, 1, 2, 3), NX_ERR_BAD_SYSCALL);
  check("handle 0", nx_debug_write(0, (uintptr_t)msg, 3), NX_ERR_BAD_HANDLE);
  check("forged handle", nx_debug_write(log + 100, (uintptr_t)msg, 3), NX_ERR_BAD_HANDLE);
  check("stale generation", nx_debug_write(log ^ 0x10000u, (uintptr_t)msg, 3), NX_ERR_BAD_HANDLE);
  check("64-bit handle", raw_syscall(NX_SYS_DEBUG_WRITE, (1ull << 32) | log, (uintptr_t)msg, 3),
        NX_ERR_BAD_HANDLE);
  check("null buffer", nx_debug_write(log, 0, 3), NX_ERR_BAD_ADDRESS);
  check("unmapped buffer", nx_debug_write(log, 0x2000000000ul, 3), NX_ERR_BAD_ADDRESS);
  check("kernel buffer", nx_debug_write(log, 0xffffffff80200000ul, 3), NX_ERR_BAD_ADDRESS);
  check("wrapping buffer", nx_debug_write(log, ~0ul - 1, 3), NX_ERR_BAD_ADDRESS);
  check("too long", nx_debug_write(log, (uintptr_t)msg, 100000), NX_ERR_INVALID_ARGS);
  check("stats into read-only data", nx_kernel_stats((uintptr_t)msg, 8), NX_ERR_BAD_ADDRESS);
  check("stats into kernel", nx_kernel_stats(0xffffffc080000000ul, 8), NX_ERR_BAD_ADDRESS);
  check("stats ok", nx_kernel_stats((uintptr_t)stats, sizeof stats) > 0, 1);
  check("sleep in the past", nx_nanosleep_until(0), 0);
  check("write ok", nx_debug_write(log, (uintptr_t)msg, 3), 3);
  nx_log_str(log, g_failures ? "bad_syscalls: FAILED\n" : "bad_syscalls: all refused\n");
  return g_failures;
}
