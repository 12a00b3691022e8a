/*
 * The kernel benchmarks, run under QEMU with -icount shift=0 so that
 * rdinstret counts guest instructions exactly. Prints one line a metric:
 *   BENCH <name> <unit> <min> <median> <max> <iterations>
 * (tools/bench/report.py turns them into the table and JSON). Runs with
 * bench_peer, a task of the same priority that yields back and forth.
 */
#include <stdio.h>

#include "neuron/kernel_stats.h"
#include "neuron/runtime.h"

#define SAMPLES 501

static nx_handle_t g_log;
static uint64_t g_samples[SAMPLES];

static void sort(uint64_t *v, int n) {
  for (int i = 1; i < n; i++) {
    uint64_t x = v[i];
    int j = i - 1;
    while (j >= 0 && v[j] > x) {
      v[j + 1] = v[j];
      j--;
    }
    v[j + 1] = x;
  }
}

static void report(const char *name, const char *unit, uint64_t *v, int n) {
  sort(v, n);
  char line[160];
  snprintf(line, sizeof line, "BENCH %s %s %llu %llu %llu %d\n", name, unit,
           (unsigned long long)v[0], (unsigned long long)v[n / 2], (unsigned long long)v[n - 1], n);
  nx_log_str(g_log, line);
}

static void report_one(const char *name, const char *unit, uint64_t value) {
  uint64_t v = value;
  report(name, unit, &v, 1);
}

/* What two back-to-back rdinstret reads cost, subtracted from samples. */
static uint64_t rdinstret_overhead(void) {
  uint64_t a = nx_rdinstret();
  uint64_t b = nx_rdinstret();
  return b - a;
}

static nx_kernel_stats_t stats(void) {
  nx_kernel_stats_t s = {0};
  nx_kernel_stats((uintptr_t)&s, sizeof s);
  return s;
}

int nx_main(const nx_start_info_t *start) {
  nx_handle_t log = start->log;
  g_log = log;
  uint64_t overhead = rdinstret_overhead();

  /* Thread switch through yield: each sample is a yield that runs the peer
   * (which yields straight back), so it holds two switches. */
  for (int i = 0; i < SAMPLES; i++) {
    uint64_t t0 = nx_rdinstret();
    nx_thread_yield();
    uint64_t t1 = nx_rdinstret();
    g_samples[i] = (t1 - t0 - overhead) / 2;
  }
  report("sched.yield_switch", "instructions", g_samples, SAMPLES);

  for (int i = 0; i < SAMPLES; i++) {
    uint64_t t0 = nx_rdinstret();
    nx_null();
    uint64_t t1 = nx_rdinstret();
    g_samples[i] = t1 - t0 - overhead;
  }
  report("syscall.null", "instructions", g_samples, SAMPLES);

  /* Idle: this is the only thread left (the peer exits after its yields);
   * sleep 2 s of virtual time and count timer interrupts that woke no one. */
  nx_kernel_stats_t before = stats();
  nx_nanosleep_until((uint64_t)nx_clock_get() + 2000000000ull);
  nx_kernel_stats_t after = stats();
  report_one("idle.timer_irqs_per_s", "irqs/s",
             (after.timer_irqs_idle - before.timer_irqs_idle) / 2);
  report_one("idle.timer_irqs_total_2s", "irqs", after.timer_irqs - before.timer_irqs);
  report_one("boot.to_init", "instructions", after.boot_instret);
  nx_log_str(log, "bench: done\n");
  return 0;
}
