/*
 * thread_yield's fastpath, in assembly (seL4's approach to its fastpaths):
 * its common case, a thread yielding to a peer of its priority that
 * yielded or blocked the same way, with a cached satp that is still valid
 * and an armed timer that already covers the peer's slice; FP state, if
 * either thread uses FP, moves through thread_fp_switch, in C. Everything is checked before anything changes; any other case
 * jumps to yield_slow (trap.S), which hands the yield to the dispatcher
 * with nothing changed (thread_yield: sched_relinquish, then schedule).
 * The effects are that path's: the yielder goes to the tail of its level
 * with a full slice and the peer at the head runs from now (done here as
 * one O(1) rotation of the level, which stays non-empty), the yielder's
 * continuation and result, the counter, FP state, gp and tp, `current`,
 * the address space; then the peer returns to user mode from its trap
 * frame.
 *
 * Entered from trap.S with a0 = the yielding thread (current), sp = its
 * trap frame, its s0-s11 saved there, and ra = &kernel (for
 * thread_offsets.h's KERNEL_*); every other register is free.
 */
#include "kernel/arch/riscv64/switch_fast.h"

  .section .text.yield_fast, "ax"
  .globl yield_fast
yield_fast:
  addi t1, ra, KERNEL_SCHED
  lbu a1, SE_PRIO(a0)
  lw a2, SCHED_BITMAP(t1)
  srlw a3, a2, a1
  addi a3, a3, -1
  bnez a3, yield_bail    /* a more urgent level is ready, or no peer at ours */
  slli a3, a1, 4
  add a3, a3, t1         /* the level's sentinel */
  ld a5, 8(a3)           /* its head: the peer */
  RESUMES_FROM_FRAME a5, a2, t2, yield_bail
  ld t3, THREAD_TASK(a0)
  SPACE_STILL_VALID t3, a5, t4, t6, a4, a6, yield_bail
  /* The armed deadline must already cover the peer's slice end (none armed
   * is SCHED_TIME_NONE, the largest value: it fails this too). It does
   * whenever the yielder's slice end is armed, as every path that leaves a
   * peer READY at its level ensures: this peer, resuming from its frame,
   * has a full slice (docs/kernel.md, the yield). */
  rdtime t5
  ld a4, SE_SLICE_LEFT(a5)
  add a4, a4, t5 /* the end of the peer's turn */
  ld a6, KERNEL_ARMED_DEADLINE(ra)
  bltu a4, a6, yield_bail

  /* Commit. The peer leaves the head of the level, the yielder joins its
   * tail (the level stays non-empty: bitmap and count unchanged). */
  ld t2, 8(a5)
  sd t2, 8(a3)
  sd a3, 0(t2)
  sd zero, 0(a5)
  sd zero, 8(a5)
  ld t2, 0(a3)
  sd t2, 0(a0)
  sd a3, 8(a0)
  sd a0, 8(t2)
  sd a0, 0(a3)
  li t2, SCHED_STATE_READY
  sb t2, SE_STATE(a0)
  ld t2, SE_SLICE(a0)
  sd t2, SE_SLICE_LEFT(a0)
  li t2, SCHED_STATE_RUNNING
  sb t2, SE_STATE(a5)
  sd a4, SE_SLICE_END(a5)
  /* The yielder's syscall returns 0 when it resumes from its frame (its
   * continuation, syscall_resume, as every thread's in a syscall:
   * set_continuation(), thread.c). */
  sd zero, TF_A0(sp)
  COUNT_FAST_SWITCH t2
  /* enter(): FP state if either thread uses FP (yield_fp_switch, below),
   * then the rest. */
  IF_EITHER_USES_FP a0, a5, t2, a1, yield_fp_switch
yield_fp_switched:
  ENTER_AND_RESUME a5, t3, t4, t6, t2

/* enter()'s FP step for threads that use FP (CALL_FP_SWITCH). What is live
 * goes into s0-s3, free here (the yielder's are in its frame; the peer's
 * are loaded from its frame last). */
yield_fp_switch:
  mv s0, a5
  mv s1, t3
  mv s2, t4
  mv s3, t6
  CALL_FP_SWITCH a0, a5
  mv a5, s0
  mv t3, s1
  mv t4, s2
  mv t6, s3
  j yield_fp_switched

yield_bail:
  j yield_slow
