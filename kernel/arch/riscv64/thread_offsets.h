/*
 * Where the assembly fastpaths (yield_fast.S) find the kernel's C
 * structures: field offsets and state values, for assembly. trap.c checks
 * every one against the C definitions with static asserts, so a change of
 * layout fails the build instead of the fastpath.
 */
#ifndef KERNEL_ARCH_RISCV64_THREAD_OFFSETS_H
#define KERNEL_ARCH_RISCV64_THREAD_OFFSETS_H

/* thread_t (neuron/task.h); its sched_entity_t comes first, and the entity's
 * run queue link first in it, so a run queue link is its thread. */
#define THREAD_CTX_RA 88
#define THREAD_CTX_SP 96
#define THREAD_FRAME 200
#define THREAD_TASK 208
#define THREAD_FP_USED 240
#define SE_SLICE 56
#define SE_SLICE_LEFT 64
#define SE_SLICE_START 72
#define SE_STATE 80
#define SE_PRIO 82

/* sched_state_t */
#define SCHED_STATE_RUNNING 1
#define SCHED_STATE_READY 2

/* task_t */
#define TASK_ASID_TAG 112 /* space.asid_tag */
#define TASK_SATP 296
#define TASK_SATP_TAG 304

/* kernel_t: the scheduler (its run queue's levels first, 16 bytes each) and
 * the ASID allocator. */
#define KERNEL_SCHED 10992
#define SCHED_BITMAP 512
#define SCHED_PICKS 608
#define KERNEL_ASIDS 1736
#define ASID_BITS 0
#define ASID_GENERATION 16
#define ASID_FLUSH_PENDING 32
#define ASID_ACTIVE 40 /* hart 0's */
#define ASID_TAG_SHIFT_ASM 16

/* nx_kernel_stats_t */
#define KSTATS_CONTEXT_SWITCHES 24

#endif
