/*
 * What the assembly fastpaths (yield_fast.S, ipc_fast.S, notify_fast.S)
 * share, as assembler macros over registers each caller names: the handle
 * lookup (handle_lookup_slot_inline() for its common case), the checks of
 * a direct switch from one thread to another and its last steps (enter()
 * and switch_space() in kernel/core/thread.c for the common case, in its
 * order).
 *
 * A macro's `thread` register may point inside its thread instead, at byte
 * `at` of it (ipc_fast.S keeps the threads' IPC parts, at THREAD_IPC):
 * the thread's fields are then at their offset less `at`.
 */
#ifndef KERNEL_ARCH_RISCV64_SWITCH_FAST_H
#define KERNEL_ARCH_RISCV64_SWITCH_FAST_H

#include "kernel/arch/riscv64/thread_offsets.h"
#include "kernel/arch/riscv64/user_return.h"
#include "neuron/arch/trap_frame.h"

/* handle_lookup_slot_inline()'s common case for the 64-bit register value
 * `handle` in `thread`'s task (`thread` at its byte `at`), with &kernel in
 * ra: a live slot whose generation matches, no revoke running anywhere
 * (the C path handles that case; kernel.ld puts cap_revokes_active within
 * reach of &kernel), and the check
 * `fast` (a HANDLE_FAST_* bit: an object type and a right) passes. Leaves
 * in `slot` the slot's address less TASK_HANDLES (its fields are at SLOT_*
 * below), its object in `obj` and `thread`'s task in `task`; else jumps to
 * `bail`.
 *
 * The slot read is the one the handle's low 8 bits name (always inside the
 * 256-slot table), and the handle must equal the slot's own (its value,
 * zero-extended): one compare checks the generation, that bits 8..15 (an
 * index of 256 or more) are 0, that bits 32..63 (a value that is no 32-bit
 * handle) are 0 and that the slot is live (a free one's value has its
 * index's low 8 bits flipped: no handle that reaches it equals it). The
 * type and the right are the slot's `fast` bit, handle_check_slot()'s
 * verdict worked out when the slot got its object and rights. */
.macro LOOKUP_HANDLE handle, thread, fast, slot, obj, task, tmp, bail, at=0
  andi \slot, \handle, HANDLE_TABLE_SLOTS_ASM - 1
  slli \slot, \slot, HANDLE_SLOT_SHIFT
  ld \task, THREAD_TASK - \at(\thread)
  add \slot, \slot, \task
  lwu \tmp, SLOT_VALUE(\slot)
  bne \tmp, \handle, \bail
  ld \tmp, %lo(KERNEL_TO_CAP_REVOKES_ACTIVE)(ra)
  bnez \tmp, \bail
  lbu \tmp, SLOT_FAST(\slot)
  andi \tmp, \tmp, \fast
  beqz \tmp, \bail
  ld \obj, SLOT_OBJECT(\slot)
.endm

/* Adds one to the 64-bit counter at byte `offset` from `base`. */
.macro COUNT offset, base, tmp
  ld \tmp, \offset(\base)
  addi \tmp, \tmp, 1
  sd \tmp, \offset(\base)
.endm

/* A fastpath's syscall, completed with a switch to another thread: one
 * count for both (kernel.fast_switches; kernel_stats adds it to the
 * syscalls and to the context switches, which the C paths count). */
.macro COUNT_FAST_SWITCH tmp
  COUNT KERNEL_FAST_SWITCHES, ra, \tmp
.endm

/* Jumps to `fp_step` if `prev` or `next` (both at their byte `at`) uses
 * FP (enter() moves their FP state: thread_fp_switch). */
.macro IF_EITHER_USES_FP prev, next, tmp, tmp2, fp_step, at=0
  lbu \tmp, THREAD_FP_USED - \at(\prev)
  lbu \tmp2, THREAD_FP_USED - \at(\next)
  or \tmp, \tmp, \tmp2
  bnez \tmp, \fp_step
.endm

/* enter()'s FP step, thread_fp_switch(prev, next), in C, on the kernel
 * stack below the trap frame at sp (nothing else uses it now), with `prev`
 * at its byte `prev_at`. What the caller keeps live must be in s0-s11,
 * which C keeps; ra gets &kernel back. */
.macro CALL_FP_SWITCH prev, next, prev_at=0
  addi a0, \prev, -\prev_at
  mv a1, \next
  call thread_fp_switch
  ld ra, TF_KERNEL(sp)
.endm

/* `next` resumes from its trap frame: its continuation is syscall_resume,
 * whose address is left in `resume`; else jumps to `bail`. For a yield's
 * peer, which may have been preempted anywhere; a thread blocked in IPC or
 * in a wait always has its syscall's continuation (thread_block_ipc,
 * thread_block_wait, or a fastpath, which leaves the one every thread in a
 * syscall has: set_continuation()'s rule, thread.c), which ipc_fast.S
 * and notify_fast.S rely on, as the C fastpaths do. */
.macro RESUMES_FROM_FRAME next, resume, tmp, bail
  ld \tmp, THREAD_CTX_RA(\next)
  ld \resume, KERNEL_SYSCALL_RESUME(ra)
  bne \tmp, \resume, \bail
.endm

/* asid_switch_fast()'s condition for `task`'s address space, with &kernel
 * in ra: its ASID tag's generation is this hart's fast_generation (ASIDs
 * exist, the tag is current, the hart owes no flush), so its cached satp
 * holds (switch_space() made it with that tag). Leaves the tag in `tag`;
 * else jumps to `bail`. */
.macro SATP_STILL_VALID task, tag, tmp, tmp2, bail
  ld \tag, TASK_ASID_TAG(\task)
  ld \tmp, KERNEL_ASIDS + ASID_FAST_GENERATION(ra)
  srli \tmp2, \tag, ASID_TAG_SHIFT_ASM
  bne \tmp, \tmp2, \bail
.endm

/* The address space a switch from a thread of `prev_task` to `next` (at
 * its byte `at`) enters is usable at once: the same task's, or another
 * task's whose cached satp still holds (SATP_STILL_VALID). Leaves next's
 * task in `next_task` and, for another task, its tag in `tag`; else jumps
 * to `bail`. */
.macro SPACE_STILL_VALID prev_task, next, next_task, tag, tmp, tmp2, bail, at=0
  ld \next_task, THREAD_TASK - \at(\next)
  beq \prev_task, \next_task, 1f
  SATP_STILL_VALID \next_task, \tag, \tmp, \tmp2, \bail
1:
.endm

/* The rest of enter() for a switch to `next` (of `next_task`) from a thread
 * of `prev_task` whose trap frame sp points to, with &kernel in ra: gp and
 * tp from that frame to next's, `current`, the address space if the task
 * changes (with the tag SATP_STILL_VALID left). Leaves sp = next's frame.
 * The switch is counted apart (COUNT_FAST_SWITCH). */
.macro ENTER_NEXT next, prev_task, next_task, tag, tmp
  sd \next, KERNEL_CURRENT(ra)
  beq \prev_task, \next_task, 1f
  sd \tag, KERNEL_ASIDS + ASID_ACTIVE(ra)
  ld \tmp, TASK_SATP(\next_task)
  csrw satp, \tmp
1:
  sd gp, TF_GP(sp)
  sd tp, TF_TP(sp)
  ld sp, THREAD_FRAME(\next)
  ld gp, TF_GP(sp)
  ld tp, TF_TP(sp)
.endm

/* ENTER_NEXT, then next returns to user mode from its frame. */
.macro ENTER_AND_RESUME next, prev_task, next_task, tag, tmp
  ENTER_NEXT \next, \prev_task, \next_task, \tag, \tmp
  RESUME_FROM_FRAME
.endm

#endif
