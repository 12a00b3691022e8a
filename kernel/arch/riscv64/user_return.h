/*
 * The steps of a syscall's return to user mode, as assembler macros:
 * trap.S uses them for syscall_return and syscall_resume, and the assembly
 * fastpaths (switch_fast.h) expand RESUME_FROM_FRAME in place, so a direct
 * switch reaches user mode without the two jumps through trap.S.
 */
#ifndef KERNEL_ARCH_RISCV64_USER_RETURN_H
#define KERNEL_ARCH_RISCV64_USER_RETURN_H

#include "neuron/arch/trap_frame.h"

/* Assembler macros, one instruction a line: */
/* clang-format off */

/* The callee-saved registers, into the trap frame at sp: what a
 * continuation restores (RESTORE_S_REGS). */
.macro SAVE_S_REGS
  sd s0, TF_S0 + 0(sp)
  sd s1, TF_S0 + 8(sp)
  sd s2, TF_S0 + 16(sp)
  sd s3, TF_S0 + 24(sp)
  sd s4, TF_S0 + 32(sp)
  sd s5, TF_S0 + 40(sp)
  sd s6, TF_S0 + 48(sp)
  sd s7, TF_S0 + 56(sp)
  sd s8, TF_S0 + 64(sp)
  sd s9, TF_S0 + 72(sp)
  sd s10, TF_S0 + 80(sp)
  sd s11, TF_S0 + 88(sp)
.endm

/* A syscall's arguments, a0-a5, into the trap frame at sp (for the
 * dispatcher, which reads them there). */
.macro SAVE_ARGS
  sd a0, TF_A0(sp)
  sd a1, TF_A1(sp)
  sd a2, TF_A2(sp)
  sd a3, TF_A3(sp)
  sd a4, TF_A4(sp)
  sd a5, TF_A5(sp)
.endm

/* And back from the trap frame at sp (RESTORE_S_REGS). */
.macro RESTORE_S_REGS
  ld s0, TF_S0 + 0(sp)
  ld s1, TF_S0 + 8(sp)
  ld s2, TF_S0 + 16(sp)
  ld s3, TF_S0 + 24(sp)
  ld s4, TF_S0 + 32(sp)
  ld s5, TF_S0 + 40(sp)
  ld s6, TF_S0 + 48(sp)
  ld s7, TF_S0 + 56(sp)
  ld s8, TF_S0 + 64(sp)
  ld s9, TF_S0 + 72(sp)
  ld s10, TF_S0 + 80(sp)
  ld s11, TF_S0 + 88(sp)
.endm

/* Returns to user mode from the trap frame at sp with a0..a5 as the
 * syscall's results, already in place, and a7 already 0 (the IPC
 * fastpath's call comes with it); the other registers C may clobber go
 * back as zero, so no kernel value reaches user space. */
.macro RETURN_WITH_RESULTS_A7_ZERO
  ld t0, TF_SEPC(sp)
  csrw sepc, t0
  csrw sscratch, sp
  li ra, 0
  li t0, 0
  li t1, 0
  li t2, 0
  li t3, 0
  li t4, 0
  li t5, 0
  li t6, 0
  li a6, 0
  ld sp, TF_SP(sp)
  sret
.endm

/* The same with a7 zeroed too. */
.macro RETURN_WITH_RESULTS
  li a7, 0
  RETURN_WITH_RESULTS_A7_ZERO
.endm

/* The same with a0 as the result and a1..a5 from the frame (a syscall's
 * outputs, or what the caller passed). */
.macro RETURN_FROM_SYSCALL
  ld a1, TF_A1(sp)
  ld a2, TF_A2(sp)
  ld a3, TF_A3(sp)
  ld a4, TF_A4(sp)
  ld a5, TF_A5(sp)
  RETURN_WITH_RESULTS
.endm

/* A thread's continuation (syscall_resume): back to user mode from its
 * trap frame at sp, with the s0-s11 SAVE_S_REGS kept there and the results
 * whoever completed its syscall wrote in the frame's a0..a5. */
.macro RESUME_FROM_FRAME
  RESTORE_S_REGS
  ld a0, TF_A0(sp)
  RETURN_FROM_SYSCALL
.endm

/* clang-format on */

#endif
