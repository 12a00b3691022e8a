/*
 * thread_yield between two threads of one task and between two tasks
 * (//tests/qemu:yield_test): turns strictly alternate, and every register
 * the ABI keeps (s0-s11, gp, tp, and a1-a5 for a syscall without outputs)
 * comes back from each yield as it was, whether the switch took the
 * assembly fastpath (yield_fast.S) or the C path. Then two threads spin on
 * one priority with their own gp and tp until the timer has switched
 * between them: a preemption keeps them too. Last, two threads that use FP
 * yield to each other: the fastpath moves their FP state (thread_fp_switch),
 * and an FP register the ABI keeps comes back on both sides.
 */
#include "keep_regs.h"
#include "neuron/syscall_numbers.h"
#include "test_util.h"

#define P "yield_test"
#define ROUNDS 200
/* Spin rounds of each thread: about 21 million instructions, more than
 * two time slices (10 ms, an instruction a nanosecond under -icount 0). */
#define SPIN_ROUNDS 3000000

/* A yield with a1..a5 and the registers of keep_regs.h loaded from
 * `seed`: how many of them changed. */
static int yield_keeping(uint64_t seed) {
  uint64_t in[6] = {0}, out[6];
  for (int i = 1; i < 6; i++) in[i] = seed * 31 + (uint64_t)i;
  int changed = ecall_keeping(NX_SYS_THREAD_YIELD, in, out, seed);
  for (int i = 1; i < 6; i++) changed += out[i] != in[i];
  return changed;
}

static volatile uint32_t g_turn; /* which thread's turn: 0 main, 1 the other */
static volatile uint32_t g_out_of_turn, g_changed;
static uint64_t g_stack[1024] __attribute__((aligned(16)));
static uint64_t g_spin_stack[1024] __attribute__((aligned(16)));
static nx_ipc_buffer_t g_ipc, g_spin_ipc;

static void other(void *arg) {
  (void)arg;
  for (uint32_t i = 0; i < ROUNDS; i++) {
    if (g_turn != 1) g_out_of_turn++;
    g_turn = 0;
    g_changed += (uint32_t)yield_keeping(1000 + i);
  }
}

/* ---- Threads that use FP (last: a thread that used FP keeps FP state) ---- */

static uint64_t g_fp_stack[1024] __attribute__((aligned(16)));
static nx_ipc_buffer_t g_fp_ipc;
static volatile uint32_t g_fp_changed;

/* yield_keeping with fs0 loaded too, and checked after the yield. A
 * function of its own: saving the caller's fs0 is the thread's first FP
 * instruction, which must not come before the FP part of the test. */
__attribute__((noinline)) static uint32_t yield_keeping_fp(uint64_t seed) {
  uint64_t want = 0xf00d0000u + seed;
  __asm__ volatile("fmv.d.x fs0, %0" : : "r"(want) : "fs0");
  uint32_t changed = (uint32_t)yield_keeping(seed);
  uint64_t got;
  __asm__ volatile("fmv.x.d %0, fs0" : "=r"(got));
  return changed + (got != want);
}

static void fp_other(void *arg) {
  (void)arg;
  for (uint32_t i = 0; i < ROUNDS; i++) {
    if (g_turn != 1) g_out_of_turn++;
    g_turn = 0;
    g_fp_changed += yield_keeping_fp(7000 + i);
  }
}

/* This thread and fp_other, both using FP, take turns; returns whether
 * they alternated with every register kept. */
static int fp_yields(void) {
  g_out_of_turn = 0;
  t_ok(P, "FP thread", nx_thread_start(fp_other, 0, g_fp_stack, sizeof g_fp_stack, &g_fp_ipc, 10));
  for (uint32_t i = 0; i < ROUNDS; i++) {
    g_turn = 1;
    g_fp_changed += yield_keeping_fp(9000 + i);
    if (g_turn != 0) g_out_of_turn++;
  }
  nx_thread_yield(); /* let the other thread finish */
  t_say(P ": %u yields between two threads that use FP: %u out of turn, %u registers changed\n",
        (unsigned)(2 * ROUNDS), (unsigned)g_out_of_turn, (unsigned)g_fp_changed);
  return g_out_of_turn == 0 && g_fp_changed == 0;
}

static volatile uint32_t g_spinner_started, g_spinner_done;
static volatile uint64_t g_spinner_bad;

static void spinner(void *arg) {
  (void)arg;
  g_spinner_started = 1;
  g_spinner_bad = spin_keeping(7, SPIN_ROUNDS);
  g_spinner_done = 1;
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  /* Between two threads of this task (the same address space). */
  t_ok(P, "thread", nx_thread_start(other, 0, g_stack, sizeof g_stack, &g_ipc, 10));
  for (uint32_t i = 0; i < ROUNDS; i++) {
    g_turn = 1;
    g_changed += (uint32_t)yield_keeping(i);
    if (g_turn != 0) g_out_of_turn++;
  }
  nx_thread_yield(); /* let the other thread finish */
  t_say(P ": %u yields between two threads: %u out of turn, %u registers changed\n",
        (unsigned)(2 * ROUNDS), (unsigned)g_out_of_turn, (unsigned)g_changed);
  /* Between this task and yield_peer (another address space), which yields
   * back as often with its own registers: no turn to check, but every
   * register must survive. */
  uint32_t changed = 0;
  for (uint32_t i = 0; i < ROUNDS; i++) changed += (uint32_t)yield_keeping(5000 + i);
  t_say(P ": %u yields to another task: %u registers changed\n", (unsigned)ROUNDS,
        (unsigned)changed);
  /* Preemption: this thread and the spinner share priority 10 and neither
   * yields while it spins, so only the timer switches between them. The
   * spinner has started by the time this spin ends only if it did. */
  t_ok(P, "spinner",
       nx_thread_start(spinner, 0, g_spin_stack, sizeof g_spin_stack, &g_spin_ipc, 10));
  uint64_t bad = spin_keeping(3, SPIN_ROUNDS);
  uint32_t preempted = g_spinner_started;
  while (!g_spinner_done) nx_thread_yield();
  t_say(P ": two spinning threads, preempted %s: %u and %u rounds with gp or tp changed\n",
        preempted ? "yes" : "no", (unsigned)bad, (unsigned)g_spinner_bad);
  int failed = g_out_of_turn || g_changed || changed || !preempted || bad || g_spinner_bad;
  return !fp_yields() || failed;
}
