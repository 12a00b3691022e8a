/* The register checks of keep_regs.h, in inline assembly: C code cannot
 * load gp and tp, and must not see them changed. */
#include "keep_regs.h"

/* Layout of the buffer ecall_keeping's assembly reads and writes
 * (uint64_t indexes; the byte offsets in the assembly are these times 8). */
enum {
  IN = 0,       /* a0..a5 */
  NR = 6,       /* a7 */
  OUT = 7,      /* a0..a5 after */
  KEPT = 13,    /* s1..s11, gp, tp: the pattern */
  AFTER = 26,   /* s1..s11, gp, tp after */
  CALLERS = 39, /* the caller's gp and tp */
  WORDS = 41,
  KEPT_COUNT = 13
};

static uint64_t pattern(uint64_t seed, int i) { return seed * 0x9e3779b97f4a7c15ull + (uint64_t)i; }

int ecall_keeping(uint64_t nr, const uint64_t in[6], uint64_t out[6], uint64_t seed) {
  uint64_t b[WORDS];
  for (int i = 0; i < 6; i++) b[IN + i] = in[i];
  b[NR] = nr;
  for (int i = 0; i < KEPT_COUNT; i++) b[KEPT + i] = pattern(seed, i);
  __asm__ volatile(
      "sd gp, 312(%0)\n sd tp, 320(%0)\n"
      "ld s1, 104(%0)\n ld s2, 112(%0)\n ld s3, 120(%0)\n ld s4, 128(%0)\n ld s5, 136(%0)\n"
      "ld s6, 144(%0)\n ld s7, 152(%0)\n ld s8, 160(%0)\n ld s9, 168(%0)\n ld s10, 176(%0)\n"
      "ld s11, 184(%0)\n ld gp, 192(%0)\n ld tp, 200(%0)\n"
      "ld a0, 0(%0)\n ld a1, 8(%0)\n ld a2, 16(%0)\n ld a3, 24(%0)\n ld a4, 32(%0)\n"
      "ld a5, 40(%0)\n ld a7, 48(%0)\n ecall\n"
      "sd a0, 56(%0)\n sd a1, 64(%0)\n sd a2, 72(%0)\n sd a3, 80(%0)\n sd a4, 88(%0)\n"
      "sd a5, 96(%0)\n"
      "sd s1, 208(%0)\n sd s2, 216(%0)\n sd s3, 224(%0)\n sd s4, 232(%0)\n sd s5, 240(%0)\n"
      "sd s6, 248(%0)\n sd s7, 256(%0)\n sd s8, 264(%0)\n sd s9, 272(%0)\n sd s10, 280(%0)\n"
      "sd s11, 288(%0)\n sd gp, 296(%0)\n sd tp, 304(%0)\n"
      "ld gp, 312(%0)\n ld tp, 320(%0)\n"
      :
      : "r"(b)
      : "memory", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t0", "t1", "t2", "t3", "t4",
        "t5", "t6", "ra", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11");
  for (int i = 0; i < 6; i++) out[i] = b[OUT + i];
  int changed = 0;
  for (int i = 0; i < KEPT_COUNT; i++) changed += b[KEPT + i] != b[AFTER + i];
  return changed;
}

uint64_t spin_keeping(uint64_t seed, uint64_t rounds) {
  uint64_t gp_want = pattern(seed, 0), tp_want = pattern(seed, 1), bad = 0;
  uint64_t saved[2];
  __asm__ volatile(
      "sd gp, 0(%[saved])\n sd tp, 8(%[saved])\n"
      "mv gp, %[gp_want]\n mv tp, %[tp_want]\n"
      "1:\n"
      "xor t0, gp, %[gp_want]\n xor t1, tp, %[tp_want]\n or t0, t0, t1\n snez t0, t0\n"
      "add %[bad], %[bad], t0\n addi %[rounds], %[rounds], -1\n bnez %[rounds], 1b\n"
      "ld gp, 0(%[saved])\n ld tp, 8(%[saved])\n"
      : [bad] "+r"(bad), [rounds] "+r"(rounds)
      : [gp_want] "r"(gp_want), [tp_want] "r"(tp_want), [saved] "r"(saved)
      : "memory", "t0", "t1");
  return bad;
}
