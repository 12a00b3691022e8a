/*
 * Keeps values in floating-point registers across yields to another
 * instance of itself (built twice, with different SEED), so the kernel's
 * lazy FP switching must save and restore each task's registers.
 */
#include "neuron/runtime.h"

#ifndef SEED
#error "build with -DSEED=<n>"
#endif

int nx_main(const nx_start_info_t *start) {
  nx_handle_t log = start->log;
  register double a __asm__("fs0") = SEED * 1.5;
  register double b __asm__("fs1") = SEED * 0.25;
  double expect_a = SEED * 1.5, expect_b = SEED * 0.25;
  int bad = 0;
  for (int i = 0; i < 50; i++) {
    __asm__ volatile("" : "+f"(a), "+f"(b));
    nx_thread_yield();
    __asm__ volatile("" : "+f"(a), "+f"(b));
    if (a != expect_a || b != expect_b) bad++;
    a += 1.0;
    b *= 2.0;
    expect_a += 1.0;
    expect_b *= 2.0;
  }
  nx_log_str(log, bad ? "fp_worker: FP registers corrupted\n" : "fp_worker: FP registers intact\n");
  return bad;
}
