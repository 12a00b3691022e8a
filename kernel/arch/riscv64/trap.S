/*
 * Trap entry and exit.
 *
 * While a thread runs in user mode, sscratch holds its trap frame's address
 * (the top of its kernel stack); while the kernel runs, sscratch is 0. The
 * kernel runs with interrupts off (sstatus.SIE = 0): interrupts are taken
 * from user mode, or polled by the idle loop, never nested. A trap taken in
 * S-mode is therefore a kernel bug and goes to trap_kernel_fault().
 *
 * Syscalls take a short path (see trap_frame.h for what the ABI keeps):
 * with t0 as the one scratch register (saved, for a trap that is no
 * syscall), the assembly fastpaths first where they apply, which read the
 * arguments in a0-a5; else save the arguments, call
 * syscall_dispatch(thread, a7, &frame->a0), and return with a1..a5 from
 * the frame (a syscall's register outputs) and the other registers C may
 * clobber zeroed, so no kernel value reaches user space. Everything else
 * saves and restores them all.
 */
#include "kernel/arch/riscv64/switch_fast.h"
#include "neuron/syscall_numbers.h"

#define SCAUSE_ECALL_U 8

  .section .text.trap, "ax"
  .balign 4
  .globl trap_entry
trap_entry:
  csrrw sp, sscratch, sp
  beqz sp, from_kernel

  /* t0 is the entry's scratch: a syscall may clobber it, an interrupt or a
   * fault gets it back. A syscall's arguments stay in a0-a5 for the
   * fastpaths, which read them there; the dispatcher's path stores them. */
  sd t0, TF_T0(sp)
  csrrw t0, sscratch, zero
  sd t0, TF_SP(sp)
  csrr t0, scause
  addi t0, t0, -SCAUSE_ECALL_U
  bnez t0, not_syscall

  /* Syscall: resume after the ecall. */
  csrr t0, sepc
  addi t0, t0, 4
  sd t0, TF_SEPC(sp)
  /* ra (which a syscall returns as 0) holds &kernel from here on, for the
   * counters and for the fastpaths (thread_offsets.h). */
  ld ra, TF_KERNEL(sp)
  /* The syscalls that may end with a continuation (0 .. NX_SYS_WAITSET_WAIT:
   * the four IPC calls, thread_yield, notification_signal and the two
   * waits; trap.c checks the numbering) keep s0-s11 in the frame, for it,
   * and try their fastpaths first: ipc_call (0) and ipc_reply_recv (3)
   * with the fewest branches, then yield, then the signal (ipc_recv and
   * ipc_reply have none). The fastpaths (ipc_fast.S,
   * yield_fast.S and notify_fast.S) save s0-s11 as the others here do,
   * then either switch to another thread in user mode and never come back
   * (counting the syscall and the switch in kernel.fast_switches), or go
   * to the dispatcher having changed nothing (the syscall number still in
   * a7). kernel.ld puts them within a conditional branch's reach. */
  beqz a7, ipc_fast_call /* ipc_fast.S: its common case, else syscall_general */
  addi t0, a7, -NX_SYS_IPC_REPLY_RECV
  beqz t0, ipc_fast_reply_recv /* the same */
  sltiu t0, a7, NX_SYS_WAITSET_WAIT + 1
  beqz t0, 1f
  li t0, NX_SYS_THREAD_YIELD
  beq a7, t0, yield_entry
  SAVE_S_REGS
  li t0, NX_SYS_NOTIFICATION_SIGNAL
  beq a7, t0, notify_fast /* notify_fast.S: its common case, else syscall_saved */
1:
  /* The dispatcher, for a syscall whose number is in a7 and whose arguments
   * are in a0-a5 (also where a fastpath gave up on it). */
  .globl syscall_general
syscall_general:
  SAVE_ARGS
  /* The dispatcher, for a syscall whose arguments are in the frame. */
  .globl syscall_saved
syscall_saved:
  COUNT (KERNEL_STATS + KSTATS_SYSCALLS), ra, t0
  ld a0, TF_THREAD(sp)
  mv a1, a7
  addi a2, sp, TF_A0
  call syscall_dispatch

  /* a0 is the result; a1..a5 come from the frame (the syscall's outputs,
   * or what the caller passed); the other C-clobbered registers go back as
   * zero, so no kernel value reaches user space. */
  .globl syscall_return
syscall_return:
  RETURN_FROM_SYSCALL

yield_entry:
  /* Yield has no arguments, and no outputs but a0 (thread_yield sets it):
   * a1-a5 go back as they came, from the frame, whichever path resumes the
   * yielder; a0-a5 are yield_fast's to use. */
  sd a1, TF_A1(sp)
  sd a2, TF_A2(sp)
  sd a3, TF_A3(sp)
  sd a4, TF_A4(sp)
  sd a5, TF_A5(sp)
  SAVE_S_REGS
  ld a0, TF_THREAD(sp)
  j yield_fast /* yield_fast.S: its common case, else yield_slow */
  .globl yield_slow
yield_slow:
  li a7, NX_SYS_THREAD_YIELD
  j syscall_saved

not_syscall:
  /* An interrupt or a fault: save the rest of what C may clobber. */
  sd ra, TF_RA(sp)
  sd t1, TF_T1(sp)
  sd t2, TF_T2(sp)
  SAVE_ARGS
  sd a6, TF_A6(sp)
  sd a7, TF_A7(sp)
  sd t3, TF_T3(sp)
  sd t4, TF_T4(sp)
  sd t5, TF_T5(sp)
  sd t6, TF_T6(sp)
  csrr t1, sepc
  sd t1, TF_SEPC(sp)
  mv a0, sp
  csrr a1, scause
  csrr a2, stval
  call trap_user
  /* fall through */

  .globl trap_return
trap_return:
  ld t0, TF_SEPC(sp)
  csrw sepc, t0
  csrw sscratch, sp
  ld ra, TF_RA(sp)
  ld t0, TF_T0(sp)
  ld t1, TF_T1(sp)
  ld t2, TF_T2(sp)
  ld a0, TF_A0(sp)
  ld a1, TF_A1(sp)
  ld a2, TF_A2(sp)
  ld a3, TF_A3(sp)
  ld a4, TF_A4(sp)
  ld a5, TF_A5(sp)
  ld a6, TF_A6(sp)
  ld a7, TF_A7(sp)
  ld t3, TF_T3(sp)
  ld t4, TF_T4(sp)
  ld t5, TF_T5(sp)
  ld t6, TF_T6(sp)
  ld sp, TF_SP(sp)
  sret

from_kernel:
  /* Restore the kernel sp (sscratch back to 0) and report the fault. */
  csrrw sp, sscratch, sp
  csrr a0, scause
  csrr a1, sepc
  csrr a2, stval
  mv a3, sp
  call trap_kernel_fault
1:
  wfi
  j 1b

/* Returning to user mode without the kernel stack: a thread blocked in IPC
 * has this as its continuation (its saved context: ra = syscall_resume,
 * sp = its trap frame), and the IPC fastpath jumps straight here with the
 * next thread's frame (thread_resume_user(frame)). Whoever completed the
 * syscall wrote its results (a0..a5) into the frame; the frames the thread
 * left on its kernel stack are abandoned. */
  .globl thread_resume_user
thread_resume_user:
  mv sp, a0
  .globl syscall_resume
syscall_resume:
  RESUME_FROM_FRAME

/* The continuation of a thread blocked in notification_wait or
 * waitset_wait (thread_block_wait): on its own kernel stack, empty below
 * the frame at sp, the wait's end (a signal, its deadline) becomes the
 * syscall's result in the frame (syscall_wait_complete), then back to user
 * mode. The thread runs again, so its continuation is syscall_resume again
 * (the rule of set_continuation(), thread.c). */
  .globl wait_resume
wait_resume:
  ld a0, TF_THREAD(sp)
  lla t0, syscall_resume
  sd t0, THREAD_CTX_RA(a0)
  call syscall_wait_complete
  RESUME_FROM_FRAME

/* context_continue(ctx): runs the continuation in *ctx (its ra on the
 * stack sp, a trap frame) without loading s0-s11, which a continuation
 * does not use: the ones above (a new thread's first is syscall_resume,
 * on the frame thread_create() filled: zeroes but for entry, stack and
 * argument). */
  .globl context_continue
context_continue:
  ld ra, 0(a0)
  ld sp, 8(a0)
  ret

/* context_switch(from, to): swap the callee-saved kernel state. */
  .globl context_switch
context_switch:
  sd ra, 0(a0)
  sd sp, 8(a0)
  sd s0, 16(a0)
  sd s1, 24(a0)
  sd s2, 32(a0)
  sd s3, 40(a0)
  sd s4, 48(a0)
  sd s5, 56(a0)
  sd s6, 64(a0)
  sd s7, 72(a0)
  sd s8, 80(a0)
  sd s9, 88(a0)
  sd s10, 96(a0)
  sd s11, 104(a0)
  ld ra, 0(a1)
  ld sp, 8(a1)
  ld s0, 16(a1)
  ld s1, 24(a1)
  ld s2, 32(a1)
  ld s3, 40(a1)
  ld s4, 48(a1)
  ld s5, 56(a1)
  ld s6, 64(a1)
  ld s7, 72(a1)
  ld s8, 80(a1)
  ld s9, 88(a1)
  ld s10, 96(a1)
  ld s11, 104(a1)
  ret
