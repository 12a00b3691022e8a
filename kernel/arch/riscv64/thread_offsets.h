/*
 * Where the assembly fastpaths (yield_fast.S, ipc_fast.S, notify_fast.S) find the kernel's C
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
#define SE_SLICE_END 72
#define SE_STATE 80
#define SE_PRIO 82

/* sched_state_t */
#define SCHED_STATE_RUNNING 1
#define SCHED_STATE_READY 2
#define SCHED_STATE_BLOCKED 3

/* thread_t's IPC part, and the ipc_thread_t in it (an ipc_thread_t is its
 * thread's at -THREAD_IPC). */
#define THREAD_IPC 520
#define THREAD_IPC_BUFFER 800
#define THREAD_IPC_RECEIVING 808 /* then THREAD_IPC_BUF_GOT, in one doubleword */
#define IPCT_NEXT 0
#define IPCT_PREV 8
#define IPCT_QUEUED_ON 16
#define IPCT_SERVER 24
#define IPCT_CALLER 32
#define IPCT_STATE 144
#define IPCT_REPLY 145
#define IPCT_BASE_PRIO 146
#define IPCT_PRIO 147

/* ipc_state_t, ipc_reply_state_t */
#define IPC_STATE_IDLE 0
#define IPC_STATE_RECV_BLOCKED 1
#define IPC_STATE_REPLY_BLOCKED 3
#define IPC_REPLY_STATE_NONE 0
#define IPC_REPLY_STATE_PENDING 1

/* ipc_endpoint_t (a kendpoint_t starts with it, and with its object). */
#define EP_CALLERS_HEAD 16
#define EP_SERVERS_HEAD 32
#define EP_SERVERS_TAIL 40

/* task_t's handle table and its slots. */
#define TASK_HANDLES 328
#define HANDLE_SLOT_SHIFT 6 /* a slot is 64 bytes */
#define HANDLE_SLOT_OBJECT 0
#define HANDLE_SLOT_BADGE 48
#define HANDLE_SLOT_VALUE 56 /* 32 bits: the slot's handle */
#define HANDLE_SLOT_FAST 63  /* 8 bits: HANDLE_FAST_* */
#define HANDLE_TABLE_SLOTS_ASM 256
/* A slot's fields from the address LOOKUP_HANDLE leaves (task + index *
 * 64). */
#define SLOT_OBJECT (TASK_HANDLES + HANDLE_SLOT_OBJECT)
#define SLOT_BADGE (TASK_HANDLES + HANDLE_SLOT_BADGE)
#define SLOT_FAST (TASK_HANDLES + HANDLE_SLOT_FAST)
#define SLOT_VALUE (TASK_HANDLES + HANDLE_SLOT_VALUE)
#define OBJECT_REFS 4

/* HANDLE_FAST_*, as plain numbers for the assembler: an endpoint with
 * NX_RIGHT_WRITE (ipc_call), with NX_RIGHT_READ (ipc_reply_recv), a
 * notification with NX_RIGHT_SIGNAL. */
#define FAST_ENDPOINT_WRITE 1
#define FAST_ENDPOINT_READ 2
#define FAST_NOTIFICATION_SIGNAL 4

/* A notification (a knotification_t starts with it), its waiters' nodes
 * and the notify_waiter_t in thread_t (at THREAD_WAITER; its own node,
 * self, first). */
#define N_PENDING 16
#define N_WAITERS 24 /* its queue's head: prev, then next */
#define N_QUEUED 40
#define NODE_PREV 0
#define NODE_NEXT 8
#define NODE_MASK 24
#define NODE_WAITER 32
#define THREAD_WAITER 672
#define THREAD_WAIT_HOLD 832
#define W_STATE 80
#define W_RESULT 84
#define W_BITS 88
#define W_INDEX 96
#define NOTIFY_WAITER_IDLE_ASM 1

/* task_t */
#define TASK_ASID_TAG 112 /* space.asid_tag */
#define TASK_SATP 296

/* kernel_t, reached from &kernel (in ra on a fastpath; every offset below
 * from it fits an instruction's 12-bit immediate): the counters, the
 * fastpaths' count, the running thread, the armed deadline,
 * &syscall_resume, the scheduler (its run queue's levels
 * first, 16 bytes each), the ASID allocator. */
#define KERNEL_STATS 0
#define KERNEL_FAST_SWITCHES 96
#define KERNEL_CURRENT 104
#define KERNEL_ARMED_DEADLINE 112
#define KERNEL_SYSCALL_RESUME 120
#define KERNEL_SCHED 128
#define SCHED_BITMAP 512
#define SCHED_RQ_COUNT 516
#define KERNEL_ASIDS 744
#define ASID_FAST_GENERATION 40 /* hart 0's */
#define ASID_ACTIVE 552         /* hart 0's */
#define ASID_TAG_SHIFT_ASM 16

/* nx_kernel_stats_t */
#define KSTATS_CONTEXT_SWITCHES 24
#define KSTATS_SYSCALLS 32 /* trap.S counts every syscall the dispatcher takes */
#define KSTATS_WAKEUPS 56

#endif
