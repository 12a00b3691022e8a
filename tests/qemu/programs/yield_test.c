/*
 * thread_yield between two threads of one task and between two tasks
 * (//tests/qemu:yield_test): turns strictly alternate, and every register
 * the ABI keeps (s0-s11, and a1-a5 for a syscall without outputs) comes
 * back from each yield as it was, whether the switch took the assembly
 * fastpath (yield_fast.S) or, for a thread that used FP, the C path.
 */
#include "neuron/syscall_numbers.h"
#include "test_util.h"

#define P "yield_test"
#define ROUNDS 200

/* Registers loaded before the ecall and read back after it: s1-s11 and
 * a1-a5, and s0 (the base the values are stored through after the ecall).
 * Returns the number of registers that changed. */
static int yield_keeping(uint64_t seed) {
  uint64_t regs[32]; /* [0..15] loaded before the ecall, [16..31] read after */
  for (int i = 0; i < 16; i++) regs[i] = seed * 0x9e3779b97f4a7c15ull + (uint64_t)i;
  /* One base register, which the compiler takes from the few left (s0). */
  __asm__ volatile(
      "ld s1, 0(%0)\n ld s2, 8(%0)\n ld s3, 16(%0)\n ld s4, 24(%0)\n ld s5, 32(%0)\n"
      "ld s6, 40(%0)\n ld s7, 48(%0)\n ld s8, 56(%0)\n ld s9, 64(%0)\n ld s10, 72(%0)\n"
      "ld s11, 80(%0)\n ld a1, 88(%0)\n ld a2, 96(%0)\n ld a3, 104(%0)\n ld a4, 112(%0)\n"
      "ld a5, 120(%0)\n li a7, %1\n ecall\n"
      "sd s1, 128(%0)\n sd s2, 136(%0)\n sd s3, 144(%0)\n sd s4, 152(%0)\n sd s5, 160(%0)\n"
      "sd s6, 168(%0)\n sd s7, 176(%0)\n sd s8, 184(%0)\n sd s9, 192(%0)\n sd s10, 200(%0)\n"
      "sd s11, 208(%0)\n sd a1, 216(%0)\n sd a2, 224(%0)\n sd a3, 232(%0)\n sd a4, 240(%0)\n"
      "sd a5, 248(%0)\n"
      :
      : "r"(regs), "i"(NX_SYS_THREAD_YIELD)
      : "memory", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t0", "t1", "t2", "t3", "t4",
        "t5", "t6", "ra", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11");
  int changed = 0;
  for (int i = 0; i < 16; i++) changed += regs[i] != regs[16 + i];
  return changed;
}

static volatile uint32_t g_turn; /* which thread's turn: 0 main, 1 the other */
static volatile uint32_t g_out_of_turn, g_changed;
static uint64_t g_stack[1024] __attribute__((aligned(16)));
static nx_ipc_buffer_t g_ipc;

static void other(void *arg) {
  (void)arg;
  for (uint32_t i = 0; i < ROUNDS; i++) {
    if (g_turn != 1) g_out_of_turn++;
    g_turn = 0;
    g_changed += (uint32_t)yield_keeping(1000 + i);
  }
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
   * back as often: no turn to check, but every register must survive. */
  uint32_t changed = 0;
  for (uint32_t i = 0; i < ROUNDS; i++) changed += (uint32_t)yield_keeping(5000 + i);
  t_say(P ": %u yields to another task: %u registers changed\n", (unsigned)ROUNDS,
        (unsigned)changed);
  return g_out_of_turn || g_changed || changed;
}
