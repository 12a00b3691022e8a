/*
 * Checks that the kernel keeps what the ABI says it keeps (trap_frame.h):
 * s0-s11, gp and tp across a syscall and across any switch to another
 * thread, in this task or another. Each thread that uses these loads its
 * own pattern, so a value left over from another thread shows as a change.
 */
#ifndef TESTS_QEMU_PROGRAMS_KEEP_REGS_H
#define TESTS_QEMU_PROGRAMS_KEEP_REGS_H

#include <stdint.h>

/* Makes syscall `nr` with a0..a5 = in[0..5] and s1..s11, gp and tp loaded
 * with a pattern made from `seed`; stores a0..a5 after it in out[0..5].
 * Returns how many of s1..s11, gp and tp changed (s0 is the base the
 * stores go through: a change there shows as wrong values everywhere).
 * gp and tp are the caller's again afterwards. */
int ecall_keeping(uint64_t nr, const uint64_t in[6], uint64_t out[6], uint64_t seed);

/* Spins `rounds` times with gp and tp loaded with a pattern made from
 * `seed`, checking both each round: long enough, and the thread is
 * preempted and resumed through the scheduler's general path. Returns the
 * rounds (at least 1) in which either had changed. */
uint64_t spin_keeping(uint64_t seed, uint64_t rounds);

#endif
