/*
 * notification_signal's direct case in assembly, as ipc_fast.S is IPC's:
 * a signal whose notification has one waiter, waiting on it alone with no
 * deadline, that takes some of the bits and is more urgent than the
 * signaller with nothing READY at or above its level. It is the C path's
 * direct case (sys_notification_signal_invoke: notification_direct_waiter,
 * sched_wake_would_preempt, notification_signal_to, thread_run_woken, then
 * the waiter's continuation, syscall_wait_complete) for the case where,
 * besides, the waiter's cached satp still holds (if it is of another task)
 * and the signaller has some of its slice left; FP state, if either thread
 * uses FP, moves through thread_fp_switch, in C.
 * Everything is checked before anything changes; any other case goes to
 * syscall_saved (trap.S), the dispatcher, with nothing changed. The
 * effects are the C path's, in its order.
 *
 * No timer work: the waiter runs with nothing READY at its level (the
 * signaller goes back to its own, lower one), so it needs no slice end,
 * and no sleeper changed; thread_run_woken does none either.
 *
 * Entered from trap.S with sp = the signaller's trap frame (s0-s11 saved
 * there), its arguments in a0..a5 (which it saves there first, for the
 * dispatcher should it give up), the syscall number in a7 (which it keeps
 * for that) and ra = &kernel (for thread_offsets.h's KERNEL_*); every
 * other register is free.
 * Throughout: t0 = the signaller, t2 = the notification, t3 = the
 * waiter's node, a2 = its notify_waiter_t, t6 = the waiting thread, a1 =
 * the bits signalled, a4 = the bits the waiter takes, a5 = the signaller's
 * task.
 */
#include "kernel/arch/riscv64/switch_fast.h"

  .section .text.notify_fast, "ax"
  .globl notify_fast
notify_fast:
  /* The decode: bits of NX_SIGNAL_BITS (bits 0..62) and not 0, a
   * notification handle (LOOKUP_HANDLE refuses a value that is no 32-bit
   * handle) with the signal right. */
  SAVE_ARGS
  ld t0, TF_THREAD(sp)
  blez a1, notify_bail
  LOOKUP_HANDLE a0, t0, FAST_NOTIFICATION_SIGNAL, t1, t2, a5, t4, notify_bail

  /* notification_direct_waiter(): one node queued, its waiter's own (a
   * wait on this notification alone: the waiter's address, self being its
   * first field), and it takes some of pending | bits. */
  lw t4, N_QUEUED(t2)
  li t5, 1
  bne t4, t5, notify_bail
  ld t3, N_WAITERS + NODE_NEXT(t2)
  ld a2, NODE_WAITER(t3)
  bne a2, t3, notify_bail
  ld a3, N_PENDING(t2)
  or a3, a3, a1
  ld t4, NODE_MASK(t3)
  and a4, a3, t4
  beqz a4, notify_bail
  addi t6, a2, -THREAD_WAITER

  /* sched_wake_would_preempt(): the waiter BLOCKED (not asleep: no
   * deadline) and more urgent than the signaller (RUNNING: it is in a
   * syscall). Its other condition, nothing READY at or above the waiter's
   * level, then holds already: the signaller runs, so no READY thread is
   * more urgent than it (a wake that makes one so switches to it at once,
   * kernel_preempt_check), let alone than the waiter. */
  lbu t4, SE_STATE(t6)
  li t5, SCHED_STATE_BLOCKED
  bne t4, t5, notify_bail
  lbu t4, SE_PRIO(t6)
  lbu t5, SE_PRIO(t0)
  bgeu t5, t4, notify_bail

  /* The switch: for another task, a cached satp that still holds. (The
   * waiter resumes through its wait's continuation, wait_resume: it
   * blocked through thread_block_wait().) */
  SPACE_STILL_VALID a5, t6, a6, a0, t4, t5, notify_bail
  /* sched_preempt()'s common case: the signaller keeps the rest of its
   * slice (a used-up one, back at the tail with a new one, is the C
   * path's). t5 = what it keeps. */
  rdtime t1
  ld t5, SE_SLICE_END(t0)
  bgeu t1, t5, notify_bail
  sub t5, t5, t1

  /* Commit: notification_signal_to(). The waiter takes a4, the rest stays
   * pending; its node leaves the queue, which it was alone on. */
  not t4, a4
  and a3, a3, t4
  sd a3, N_PENDING(t2)
  addi t4, t2, N_WAITERS
  sd t4, N_WAITERS + NODE_PREV(t2)
  sd t4, N_WAITERS + NODE_NEXT(t2)
  sd zero, NODE_PREV(t3)
  sd zero, NODE_NEXT(t3)
  sw zero, N_QUEUED(t2)
  sd zero, NODE_WAITER(t3)
  /* notify_waiter_finish(): IDLE, NX_OK, the bits, the node's index. */
  li t4, NOTIFY_WAITER_IDLE_ASM
  sb t4, W_STATE(a2)
  sw zero, W_RESULT(a2)
  sd a4, W_BITS(a2)
  sw zero, W_INDEX(a2) /* self's index */

  /* The signal is done: it returns 0 from the signaller's frame. */
  sd zero, TF_A0(sp)
  /* thread_run_woken(): the counter, sched_wake_preempting() (the
   * signaller READY at the head of its level with what is left of its
   * slice, the waiter RUNNING from now with a full one), enter(); and
   * what wait_resume does first, the waiter's continuation. */
  COUNT (KERNEL_STATS + KSTATS_WAKEUPS), ra, t4
  sd t5, SE_SLICE_LEFT(t0)
  li t4, SCHED_STATE_READY
  sb t4, SE_STATE(t0)
  lbu a3, SE_PRIO(t0)
  slli t4, a3, 4
  add t4, t4, ra
  addi t4, t4, KERNEL_SCHED /* the level's sentinel */
  ld t5, 8(t4)
  sd t4, 0(t0)
  sd t5, 8(t0)
  sd t0, 8(t4)
  sd t0, 0(t5)
  li t4, 1
  sll t4, t4, a3
  lw t5, KERNEL_SCHED + SCHED_BITMAP(ra)
  or t5, t5, t4
  sw t5, KERNEL_SCHED + SCHED_BITMAP(ra)
  lw t5, KERNEL_SCHED + SCHED_RQ_COUNT(ra)
  addiw t5, t5, 1
  sw t5, KERNEL_SCHED + SCHED_RQ_COUNT(ra)
  li t4, SCHED_STATE_RUNNING
  sb t4, SE_STATE(t6)
  ld t4, SE_SLICE(t6)
  add t4, t4, t1 /* a full turn from now (a hundredth of a second) */
  sd t4, SE_SLICE_END(t6)
  /* The signaller resumes from its frame (its continuation,
   * syscall_resume, as every thread's in a syscall); the waiter, which
   * runs again, gets that continuation back in place of wait_resume
   * (set_continuation()'s rule, thread.c). */
  ld t4, KERNEL_SYSCALL_RESUME(ra)
  sd t4, THREAD_CTX_RA(t6)
  COUNT_FAST_SWITCH t4
  /* enter(): FP state if either thread uses FP (notify_fp_switch, below),
   * then the rest. */
  IF_EITHER_USES_FP t0, t6, t4, t5, notify_fp_switch
notify_fp_switched:
  ENTER_NEXT t6, a5, a6, a0, t5

  /* The waiter's continuation, syscall_wait_complete(): it lets go of the
   * notification it held for the wait (never the last reference: the
   * signaller's handle holds one) and its wait returns the bits. */
  ld t4, THREAD_WAIT_HOLD(t6)
  lw t5, OBJECT_REFS(t4)
  addiw t5, t5, -1
  sw t5, OBJECT_REFS(t4)
  sd zero, THREAD_WAIT_HOLD(t6)
  RESTORE_S_REGS
  mv a0, a4
  RETURN_FROM_SYSCALL

/* enter()'s FP step for threads that use FP (CALL_FP_SWITCH). What is live
 * goes into s0-s5, free here (the signaller's are in its frame; the
 * waiter's are loaded from its frame last). */
notify_fp_switch:
  mv s0, t0
  mv s1, t6
  mv s2, a6
  mv s3, a0
  mv s4, a4
  mv s5, a5
  CALL_FP_SWITCH t0, t6
  mv t0, s0
  mv t6, s1
  mv a6, s2
  mv a0, s3
  mv a4, s4
  mv a5, s5
  j notify_fp_switched

notify_bail:
  j syscall_saved
