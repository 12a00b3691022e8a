/*
 * The IPC fastpath's common cases in assembly (seL4's approach): a
 * words-only ipc_call handed to a waiting server, and a words-only
 * ipc_reply_recv handed back to its caller, with the direct switch in
 * user mode. It is the C fastpath (the invokes', with
 * kernel/core/syscall_ipc_fast.h, neuron/fastpath.h and
 * thread_handoff_user) for the case where, besides its own conditions,
 * the other thread's cached satp still holds, no priority was inherited
 * and the armed timer already covers what the switch needs; FP state, if
 * either thread uses FP, moves through thread_fp_switch, in C. Everything
 * is checked before anything changes; any other case goes to the
 * dispatcher (syscall_general, trap.S) with nothing changed. The effects
 * are the C path's, in its order, but for copies nothing reads: the
 * words go from the sender's registers straight back out in the other
 * thread's registers, without the staging copy ipc_call_fast and
 * ipc_reply_recv_fast leave in its ipc_thread_t (scratch once delivered)
 * or the C path's trip through its trap frame; a call's badge goes to
 * the server in a0 only, not also to its recv_badge (which a receive reads
 * only when the kernel completes it later, syscall_ipc_complete(), and
 * the server's next receive writes first); and the links that mean
 * something only in a state the thread leaves are not cleared: a
 * server's queued_on (SEND_ or RECV_BLOCKED) and a client's server
 * (REPLY_BLOCKED), as neuron/ipc.h defines them, which nothing reads in
 * another state and every entry into one writes.
 *
 * Entered from trap.S for the IPC syscalls, with sp = the caller's trap
 * frame (where it saves s0-s11 first), its arguments in a0..a5 and the
 * syscall number in a7 (none saved: a bail leaves them there for
 * syscall_general, which saves the arguments), and ra = &kernel (for
 * thread_offsets.h's KERNEL_*). Free until the commit: t0-t6, a6 and
 * s7-s11 (a bail loads the caller's back); after it, every register.
 * Throughout: t0 = this thread's IPC part (its ipc_thread_t, at
 * THREAD_IPC in it, which the trap frame holds too: TF_IPC), t6 = the
 * other thread's, t1 = the handle's slot, t2 = the endpoint, a1..a4 = the
 * message's words, a5 = 0 (no handles, no bytes); a0, the handle until
 * the commit, then the other thread's result. The IPC parts are what the
 * commit links and stores, so the threads are reached from them (their
 * fields at FROM_IPC offsets); only the switch needs the other thread
 * itself (t3). The commit counts the
 * syscall and the switch once, in kernel.fast_switches, and not in the IPC
 * module's fastpath counters, which nothing in the kernel reads.
 */
#include "kernel/arch/riscv64/switch_fast.h"
#include "neuron/syscall_numbers.h"

/* A thread's field at byte `field` of it, from its IPC part. */
#define FROM_IPC(field) ((field) - THREAD_IPC)

/* The switch's conditions, for prev = t0 and next = t6: for another task,
 * a cached satp that still holds. (What
 * sched_handoff() checks, prev RUNNING and next BLOCKED, and that next
 * resumes from its frame through syscall_resume, hold for every thread in
 * a syscall and every thread the IPC module has queued as a receiver or
 * holds as a pending reply's caller: they blocked through
 * thread_block_ipc() or this path. The C fastpath relies on the same.)
 * With s8 = prev's task (LOOKUP_HANDLE left it), leaves a6 = next's task,
 * s11 = its ASID tag (if another task) and s7 = the end of next's turn:
 * sched_handoff() donates prev's, as it is. Uses t5 and s9 besides.
 *
 * The timer needs nothing when both threads are of one level: the
 * scheduler's rule (kernel_preempt_check(), the switches, the fastpaths)
 * is that the running thread's turn end is armed whenever a peer waits at
 * its level, and next's turn end is prev's. A call to a more urgent server
 * has no peer at the server's level either: prev ran, so nothing READY is
 * above its level. Only a reply to a less urgent client can need the
 * timer (reply_to_lower_level). */
.macro SWITCH_CHECKS
  SPACE_STILL_VALID s8, t6, a6, s11, t5, s9, ipc_bail, THREAD_IPC
  ld s7, FROM_IPC(SE_SLICE_END)(t0)
.endm

/* What both entries do first: s0-s11 saved, as trap.S does for every
 * syscall that may end with a continuation; then syscall_fastpath()'s
 * decode: an IPC buffer (the frame's IPC view is 0 without one), words
 * only, a 32-bit handle of an endpoint with the right the call needs
 * (`fast`, LOOKUP_HANDLE's check). */
.macro IPC_DECODE fast
  SAVE_S_REGS
  ld t0, TF_IPC(sp)
  beqz t0, ipc_bail
  bnez a5, ipc_bail
  LOOKUP_HANDLE a0, t0, \fast, t1, t2, s8, t4, ipc_bail, THREAD_IPC
.endm

/* The end of both: thread_handoff_user() and deliver_words(), with
 * SCHED_STATE_BLOCKED in `blocked` and SCHED_STATE_RUNNING in `running`
 * (each side's commit leaves one of them, as its .if checks).
 * Expanded on each side, so that neither jumps to it. */
.macro DELIVER blocked, running
  COUNT_FAST_SWITCH t1
  /* sched_handoff(): prev BLOCKED, next RUNNING until the end of its turn
   * SWITCH_CHECKS worked out. */
  sb \blocked, FROM_IPC(SE_STATE)(t0)
  sb \running, FROM_IPC(SE_STATE)(t6)
  sd s7, FROM_IPC(SE_SLICE_END)(t6)
  /* enter(): FP state if either thread uses FP (the FP step, below), gp
   * and tp, current, the address space. t3 = next, the thread. */
  addi t3, t6, -THREAD_IPC
  IF_EITHER_USES_FP t0, t6, t4, t5, 8f, THREAD_IPC
9:
  ENTER_NEXT t3, s8, a6, s11, t5
  /* deliver_words(), in registers: next's syscall returns a0 (the badge,
   * or 0 for a reply) with the words in a1..a4, where they came, and
   * a5 = 0 (it is: the message had no handles and no bytes). */
  RESTORE_S_REGS
  RETURN_WITH_RESULTS_A7_ZERO
8:
  FP_STEP
  j 9b
.endm

/* enter()'s FP step for threads that use FP (CALL_FP_SWITCH). What is live
 * goes into s0-s6, free here (prev's are in its frame; next's are loaded
 * from its frame last); s8 (prev's task) and s11 (the ASID tag) C keeps
 * too, and a5 and a7 are 0. */
.macro FP_STEP
  mv s0, t3
  mv s1, a6
  mv s2, a0
  mv s3, a1
  mv s4, a2
  mv s5, a3
  mv s6, a4
  CALL_FP_SWITCH t0, t3, THREAD_IPC
  mv t3, s0
  mv a6, s1
  mv a0, s2
  mv a1, s3
  mv a2, s4
  mv a3, s5
  mv a4, s6
  li a5, 0
  li a7, 0
.endm

  .section .text.ipc_fast, "ax"
  .globl ipc_fast_reply_recv
ipc_fast_reply_recv:
  IPC_DECODE FAST_ENDPOINT_READ

  /* ---- reply_recv: syscall_reply_recv_fast() ---- */
  /* A caller to answer (the IPC module keeps one exactly while the reply
   * is PENDING). */
  ld t6, IPCT_CALLER(t0)
  beqz t6, ipc_bail
  /* ipc_reply_fast_check(), and no inherited priority to give back: the
   * server's level (t3), which is its IPC priority (an inherited priority
   * changes both), is its base priority. (The server is IPC_IDLE, as
   * every thread in a syscall is, and the endpoint open, as every endpoint
   * a live handle names is: it closes only when its last reference
   * goes.) */
  ld t4, EP_CALLERS_HEAD(t2)
  bnez t4, ipc_bail
  lbu t3, FROM_IPC(SE_PRIO)(t0)
  lbu t4, IPCT_BASE_PRIO(t0)
  bne t3, t4, ipc_bail
  SWITCH_CHECKS
  /* client_runs_next(): nothing READY above the client's level. It holds
   * for a client of the server's level (nothing READY is above a running
   * thread's), which needs no timer either (SWITCH_CHECKS). */
  lbu t4, FROM_IPC(SE_PRIO)(t6)
  bne t4, t3, reply_to_lower_level
reply_checked:

  /* Commit: ipc_reply_recv_fast(). */
  sb zero, IPCT_STATE(t6)
  sd zero, IPCT_CALLER(t0)
  /* The server waits again: the tail of the endpoint's server queue. Its
   * links are 0 (a thread on no queue has none), as they stay with an
   * empty queue. */
  ld t4, EP_SERVERS_TAIL(t2)
  beqz t4, 2f
  sd t4, IPCT_PREV(t0)
  sd t0, IPCT_NEXT(t4)
  j 3f
2:
  sd t0, EP_SERVERS_HEAD(t2)
3:
  sd t0, EP_SERVERS_TAIL(t2)
  sd t2, IPCT_QUEUED_ON(t0)
  /* Its state RECV_BLOCKED and its reply state NONE, one halfword; then
   * receiving, and no bytes yet, one doubleword (trap.c): both are 1. */
  .if (IPC_STATE_RECV_BLOCKED | (IPC_REPLY_STATE_NONE << 8)) != 1
  .error "the server's IPC states are not the doubleword 1"
  .endif
  li t4, 1
  sh t4, IPCT_STATE(t0)
  sd t4, FROM_IPC(THREAD_IPC_RECEIVING)(t0)
  /* The client's call returns 0 with the reply; a7 goes back 0, as it
   * came with the call (RETURN_WITH_RESULTS_A7_ZERO). */
  li a0, 0
  li a7, 0
  /* t4 is SCHED_STATE_RUNNING too. */
  .if SCHED_STATE_RUNNING != 1
  .error "SCHED_STATE_RUNNING is not the server's 1"
  .endif
  li t5, SCHED_STATE_BLOCKED
  DELIVER t5, t4

  /* ---- call: syscall_call_fast() ---- */
  .globl ipc_fast_call
ipc_fast_call:
  IPC_DECODE FAST_ENDPOINT_WRITE
  /* ipc_fastpath_check(). (The caller is IPC_IDLE and the endpoint open,
   * as on the reply side.) A server of the caller's level or a more
   * urgent one: the scheduler's levels, which are the IPC module's (an
   * inherited priority changes both). */
  ld t6, EP_SERVERS_HEAD(t2)
  beqz t6, ipc_bail
  lbu t4, FROM_IPC(SE_PRIO)(t6)
  lbu t5, FROM_IPC(SE_PRIO)(t0)
  bltu t4, t5, ipc_bail
  SWITCH_CHECKS

  /* Commit: ipc_call_fast(). The server's receive returns the caller's
   * badge (a0 held the handle until now, for a bail). The server leaves
   * the head of the queue with no links (its prev is 0 already; its next
   * too, if it was alone). */
  ld a0, SLOT_BADGE(t1)
  ld t4, IPCT_NEXT(t6)
  sd t4, EP_SERVERS_HEAD(t2)
  beqz t4, 4f
  sd zero, IPCT_PREV(t4)
  sd zero, IPCT_NEXT(t6)
  j 5f
4:
  sd zero, EP_SERVERS_TAIL(t2)
5:
  /* The server's state IDLE and its reply state PENDING, one halfword. */
  li t4, IPC_STATE_IDLE | (IPC_REPLY_STATE_PENDING << 8)
  sh t4, IPCT_STATE(t6)
  li t4, IPC_STATE_REPLY_BLOCKED
  sb t4, IPCT_STATE(t0)
  sd t6, IPCT_SERVER(t0)
  sd t0, IPCT_CALLER(t6)
  /* Not receiving, and no bytes yet (one doubleword: trap.c). */
  sd zero, FROM_IPC(THREAD_IPC_RECEIVING)(t0)
  /* t4 is SCHED_STATE_BLOCKED too. */
  .if IPC_STATE_REPLY_BLOCKED != SCHED_STATE_BLOCKED
  .error "the caller's IPC state is not its scheduler state"
  .endif
  li t5, SCHED_STATE_RUNNING
  DELIVER t4, t5

/* A reply to a client less urgent than the server (t4 = its level): the
 * bitmap's bits from the client's level up must be 0 or 1 (nothing READY
 * above it; whether a peer is READY at its level), and with a peer there
 * the armed deadline must be no later than the client's turn end, s7 (the
 * C path's timer_program() would change nothing; none armed is
 * UINT64_MAX; 0, the mark timer_tick() leaves, never lasts until a
 * syscall: the interrupt path programs the timer before it returns to user
 * mode). */
reply_to_lower_level:
  lwu s10, KERNEL_SCHED + SCHED_BITMAP(ra)
  srl s10, s10, t4
  sltiu t5, s10, 2
  beqz t5, ipc_bail
  beqz s10, reply_checked
  ld t5, KERNEL_ARMED_DEADLINE(ra)
  bltu s7, t5, ipc_bail
  j reply_checked

/* Nothing has changed but s7-s11, which the checks use: the caller's come
 * back from the frame, and its arguments are still in a0-a5, the syscall
 * number in a7. */
ipc_bail:
  ld s7, TF_S0 + 56(sp)
  ld s8, TF_S0 + 64(sp)
  ld s9, TF_S0 + 72(sp)
  ld s10, TF_S0 + 80(sp)
  ld s11, TF_S0 + 88(sp)
  j syscall_general
