/*
 * The C side of traps (trap.S saves the registers): syscalls, faults and
 * interrupts from user mode, and the report of a kernel fault.
 *
 * A fault in user mode ends the faulting thread with a message; it never
 * reaches the kernel's own state. A fault in S-mode is a kernel bug.
 */
#include <stddef.h>

#include "kernel/arch/riscv64/thread_offsets.h"
#include "neuron/arch/csr.h"
#include "neuron/arch/trap_frame.h"
#include "neuron/console.h"
#include "neuron/irq.h"
#include "neuron/kernel.h"
#include "neuron/kobject.h"
#include "neuron/notification.h"
#include "neuron/syscall_decl.h"
#include "neuron/task.h"

_Static_assert(offsetof(trap_frame_t, ra) == TF_RA, "trap frame layout");
_Static_assert(offsetof(trap_frame_t, sp) == TF_SP, "trap frame layout");
_Static_assert(offsetof(trap_frame_t, t0) == TF_T0, "trap frame layout");
_Static_assert(offsetof(trap_frame_t, a) == TF_A0, "trap frame layout");
_Static_assert(offsetof(trap_frame_t, t3) == TF_T3, "trap frame layout");
_Static_assert(offsetof(trap_frame_t, sepc) == TF_SEPC, "trap frame layout");
_Static_assert(offsetof(trap_frame_t, thread) == TF_THREAD, "trap frame layout");
_Static_assert(offsetof(trap_frame_t, kernel) == TF_KERNEL, "trap frame layout");
_Static_assert(offsetof(trap_frame_t, s) == TF_S0, "trap frame layout");
_Static_assert(offsetof(trap_frame_t, gp) == TF_GP, "trap frame layout");
_Static_assert(offsetof(trap_frame_t, tp) == TF_TP, "trap frame layout");
_Static_assert(offsetof(trap_frame_t, ipc) == TF_IPC, "trap frame layout");
_Static_assert(sizeof(trap_frame_t) == TF_SIZE && TF_SIZE % 16 == 0, "trap frame size");
/* trap.S tells the syscalls that may end with a continuation (the IPC
 * calls, 0 .. 3, then thread_yield, notification_signal and the two waits,
 * up to NX_SYS_WAITSET_WAIT) from the others by their numbers, and saves
 * s0-s11 for them; ipc_fast.S tells ipc_call by its 0. */
_Static_assert(NX_SYS_IPC_CALL == 0 && NX_SYS_IPC_RECV == 1 && NX_SYS_IPC_REPLY == 2 &&
                   NX_SYS_IPC_REPLY_RECV == 3 && NX_SYS_THREAD_YIELD == 4 &&
                   NX_SYS_NOTIFICATION_SIGNAL == 5 && NX_SYS_NOTIFICATION_WAIT == 6 &&
                   NX_SYS_WAITSET_WAIT == 7,
               "the syscalls with continuations are numbered first");
_Static_assert(offsetof(nx_kernel_stats_t, syscalls) == KSTATS_SYSCALLS, "kstats layout");

/* What yield_fast.S reads and writes (thread_offsets.h). */
_Static_assert(offsetof(thread_t, sched) == 0 && offsetof(sched_entity_t, rq_link) == 0,
               "a run queue link is its thread");
_Static_assert(offsetof(runq_link_t, prev) == 0 && offsetof(runq_link_t, next) == 8 &&
                   sizeof(runq_link_t) == 16 && offsetof(sched_t, rq) == 0 &&
                   offsetof(runq_t, level) == 0,
               "run queue levels");
_Static_assert(offsetof(thread_t, context.ra) == THREAD_CTX_RA, "thread layout");
_Static_assert(offsetof(thread_t, context.sp) == THREAD_CTX_SP, "thread layout");
_Static_assert(offsetof(thread_t, frame) == THREAD_FRAME, "thread layout");
_Static_assert(offsetof(thread_t, task) == THREAD_TASK, "thread layout");
_Static_assert(offsetof(thread_t, fp_used) == THREAD_FP_USED, "thread layout");
_Static_assert(offsetof(sched_entity_t, slice) == SE_SLICE, "sched entity layout");
_Static_assert(offsetof(sched_entity_t, slice_left) == SE_SLICE_LEFT, "sched entity layout");
_Static_assert(offsetof(sched_entity_t, slice_end) == SE_SLICE_END, "sched entity layout");
_Static_assert(offsetof(sched_entity_t, state) == SE_STATE, "sched entity layout");
_Static_assert(offsetof(sched_entity_t, prio) == SE_PRIO, "sched entity layout");
_Static_assert(SCHED_RUNNING == SCHED_STATE_RUNNING && SCHED_READY == SCHED_STATE_READY,
               "sched states");
_Static_assert(offsetof(task_t, space.asid_tag) == TASK_ASID_TAG, "task layout");
_Static_assert(offsetof(task_t, satp) == TASK_SATP, "task layout");
_Static_assert(offsetof(kernel_t, stats) == KERNEL_STATS, "kernel layout");
_Static_assert(offsetof(kernel_t, fast_switches) == KERNEL_FAST_SWITCHES, "kernel layout");
_Static_assert(offsetof(kernel_t, current) == KERNEL_CURRENT, "kernel layout");
_Static_assert(offsetof(kernel_t, armed_deadline) == KERNEL_ARMED_DEADLINE, "kernel layout");
_Static_assert(offsetof(kernel_t, syscall_resume) == KERNEL_SYSCALL_RESUME, "kernel layout");
_Static_assert(offsetof(kernel_t, sched) == KERNEL_SCHED, "kernel layout");
_Static_assert(offsetof(sched_t, rq.bitmap) == SCHED_BITMAP &&
                   sizeof(((sched_t *)0)->rq.bitmap) == 4 && RUNQ_LEVELS == 32,
               "scheduler layout: a 32-bit bitmap, priorities 0..31");
_Static_assert(offsetof(kernel_t, asids) == KERNEL_ASIDS, "kernel layout");
_Static_assert(offsetof(asid_alloc_t, fast_generation) == ASID_FAST_GENERATION,
               "ASID allocator layout");
_Static_assert(offsetof(asid_alloc_t, active) == ASID_ACTIVE, "ASID allocator layout");
/* The fastpaths reach all of these from &kernel with 12-bit offsets. */
_Static_assert(KERNEL_ASIDS + ASID_ACTIVE + 8 <= 2048 &&
                   KERNEL_SCHED + SCHED_RQ_COUNT + 4 <= 2048 &&
                   KERNEL_SCHED + sizeof(runq_link_t) * (SCHED_PRIO_MAX + 1) <= 2048 &&
                   KERNEL_ARMED_DEADLINE + 8 <= 2048,
               "the fastpaths' part of kernel_t fits 12-bit offsets");
_Static_assert(ASID_TAG_SHIFT == ASID_TAG_SHIFT_ASM, "ASID tags");
_Static_assert(offsetof(nx_kernel_stats_t, context_switches) == KSTATS_CONTEXT_SWITCHES,
               "kstats layout");

/* What ipc_fast.S reads and writes (thread_offsets.h). */
_Static_assert(SCHED_BLOCKED == SCHED_STATE_BLOCKED, "sched states");
_Static_assert(offsetof(thread_t, ipc) == THREAD_IPC, "thread layout");
_Static_assert(offsetof(thread_t, ipc_buffer) == THREAD_IPC_BUFFER, "thread layout");
/* ipc_receiving, padding and ipc_buf_got fill one doubleword, which
 * ipc_fast.S writes with one store (ipc_receiving in its low byte). */
_Static_assert(offsetof(thread_t, ipc_receiving) == THREAD_IPC_RECEIVING &&
                   sizeof(((thread_t *)0)->ipc_receiving) == 1 &&
                   offsetof(thread_t, ipc_buf_got) == THREAD_IPC_RECEIVING + 4 &&
                   sizeof(((thread_t *)0)->ipc_buf_got) == 4 && THREAD_IPC_RECEIVING % 8 == 0,
               "thread layout");
_Static_assert(offsetof(ipc_thread_t, next) == IPCT_NEXT &&
                   offsetof(ipc_thread_t, prev) == IPCT_PREV,
               "IPC thread layout");
_Static_assert(offsetof(ipc_thread_t, queued_on) == IPCT_QUEUED_ON, "IPC thread layout");
_Static_assert(offsetof(ipc_thread_t, server) == IPCT_SERVER, "IPC thread layout");
_Static_assert(offsetof(ipc_thread_t, caller) == IPCT_CALLER, "IPC thread layout");
_Static_assert(offsetof(ipc_thread_t, state) == IPCT_STATE, "IPC thread layout");
_Static_assert(offsetof(ipc_thread_t, reply) == IPCT_REPLY && IPCT_REPLY == IPCT_STATE + 1 &&
                   sizeof(((ipc_thread_t *)0)->state) == 1 &&
                   sizeof(((ipc_thread_t *)0)->reply) == 1,
               "IPC thread layout: state and reply, one halfword (ipc_fast.S)");
_Static_assert(offsetof(ipc_thread_t, base_prio) == IPCT_BASE_PRIO, "IPC thread layout");
_Static_assert(offsetof(ipc_thread_t, prio) == IPCT_PRIO, "IPC thread layout");
_Static_assert(IPC_IDLE == IPC_STATE_IDLE && IPC_RECV_BLOCKED == IPC_STATE_RECV_BLOCKED &&
                   IPC_REPLY_BLOCKED == IPC_STATE_REPLY_BLOCKED,
               "IPC states");
_Static_assert(IPC_REPLY_NONE == IPC_REPLY_STATE_NONE &&
                   IPC_REPLY_PENDING == IPC_REPLY_STATE_PENDING,
               "IPC reply states");
_Static_assert(offsetof(kendpoint_t, ep) == 0 && offsetof(ipc_endpoint_t, obj) == 0,
               "an endpoint object is its ipc_endpoint_t");
_Static_assert(offsetof(ipc_endpoint_t, callers.head) == EP_CALLERS_HEAD, "endpoint layout");
_Static_assert(offsetof(ipc_endpoint_t, servers.head) == EP_SERVERS_HEAD, "endpoint layout");
_Static_assert(offsetof(ipc_endpoint_t, servers.tail) == EP_SERVERS_TAIL, "endpoint layout");
_Static_assert(offsetof(task_t, handles) == TASK_HANDLES && offsetof(handle_table_t, slots) == 0,
               "task layout");
_Static_assert(sizeof(handle_slot_t) == 1 << HANDLE_SLOT_SHIFT &&
                   HANDLE_TABLE_SLOTS == HANDLE_TABLE_SLOTS_ASM && HANDLE_SLOT_BITS == 16,
               "handle slots");
_Static_assert(offsetof(handle_slot_t, object) == HANDLE_SLOT_OBJECT, "handle slot layout");
_Static_assert(offsetof(handle_slot_t, badge) == HANDLE_SLOT_BADGE, "handle slot layout");
_Static_assert(offsetof(handle_slot_t, fast) == HANDLE_SLOT_FAST &&
                   sizeof(((handle_slot_t *)0)->fast) == 1,
               "handle slot layout");
_Static_assert(offsetof(handle_slot_t, value) == HANDLE_SLOT_VALUE &&
                   sizeof(((handle_slot_t *)0)->value) == 4,
               "handle slot layout");
_Static_assert(HANDLE_FAST_ENDPOINT_WRITE == FAST_ENDPOINT_WRITE &&
                   HANDLE_FAST_ENDPOINT_READ == FAST_ENDPOINT_READ &&
                   HANDLE_FAST_NOTIFICATION_SIGNAL == FAST_NOTIFICATION_SIGNAL,
               "the fastpaths' checks");
/* NOLINTBEGIN(misc-redundant-expression): the rights syscalls.toml gives
 * expand to these macros today; the assertion catches the day they do not. */
_Static_assert(SYS_IPC_CALL_EP_RIGHTS == NX_RIGHT_WRITE &&
                   SYS_IPC_REPLY_RECV_EP_RIGHTS == NX_RIGHT_READ &&
                   SYS_NOTIFICATION_SIGNAL_N_RIGHTS == NX_RIGHT_SIGNAL,
               "the rights the fastpaths check");
/* NOLINTEND(misc-redundant-expression) */

/* What notify_fast.S reads and writes (thread_offsets.h). */
_Static_assert(offsetof(object_t, refs) == OBJECT_REFS && sizeof(((object_t *)0)->refs) == 4,
               "object layout");
_Static_assert(offsetof(knotification_t, n) == 0 && offsetof(notification_t, obj) == 0,
               "a notification handle's object is its notification");
_Static_assert(offsetof(notification_t, pending) == N_PENDING, "notification layout");
_Static_assert(offsetof(notification_t, waiters) == N_WAITERS, "notification layout");
_Static_assert(offsetof(notification_t, queued) == N_QUEUED &&
                   sizeof(((notification_t *)0)->queued) == 4,
               "notification layout");
_Static_assert(offsetof(notify_node_t, link.prev) == NODE_PREV &&
                   offsetof(notify_node_t, link.next) == NODE_NEXT &&
                   offsetof(notify_link_t, prev) == NODE_PREV &&
                   offsetof(notify_link_t, next) == NODE_NEXT,
               "notify links");
_Static_assert(offsetof(notify_node_t, mask) == NODE_MASK &&
                   offsetof(notify_node_t, waiter) == NODE_WAITER,
               "notify node layout");
_Static_assert(offsetof(thread_t, waiter) == THREAD_WAITER &&
                   offsetof(thread_t, wait_hold) == THREAD_WAIT_HOLD,
               "thread layout");
_Static_assert(offsetof(notify_waiter_t, self) == 0 &&
                   offsetof(notify_waiter_t, state) == W_STATE &&
                   sizeof(((notify_waiter_t *)0)->state) == 1 &&
                   offsetof(notify_waiter_t, result) == W_RESULT &&
                   offsetof(notify_waiter_t, bits) == W_BITS &&
                   offsetof(notify_waiter_t, index) == W_INDEX,
               "notify waiter layout");
_Static_assert(NOTIFY_WAITER_IDLE == NOTIFY_WAITER_IDLE_ASM && NX_OK == 0, "notify states");
_Static_assert(offsetof(sched_t, rq.count) == SCHED_RQ_COUNT &&
                   sizeof(((sched_t *)0)->rq.count) == 4,
               "scheduler layout");
_Static_assert(offsetof(nx_kernel_stats_t, wakeups) == KSTATS_WAKEUPS, "kstats layout");
_Static_assert(NX_SIGNAL_BITS == 0x7fffffffffffffffull,
               "notify_fast.S checks the signal bits as a positive 64-bit value");

void trap_user(trap_frame_t *tf, uint64_t scause, uint64_t stval);
void trap_kernel_fault(uint64_t scause, uint64_t sepc, uint64_t stval, uint64_t sp);

static const char *exception_name(uint64_t cause) {
  switch (cause) {
    case EXC_INSN_MISALIGNED:
    case EXC_LOAD_MISALIGNED:
    case EXC_STORE_MISALIGNED:
      return "misaligned access";
    case EXC_INSN_ACCESS:
    case EXC_LOAD_ACCESS:
    case EXC_STORE_ACCESS:
      return "access fault";
    case EXC_ILLEGAL_INSN:
      return "illegal instruction";
    case EXC_BREAKPOINT:
      return "breakpoint";
    case EXC_INSN_PAGE_FAULT:
    case EXC_LOAD_PAGE_FAULT:
    case EXC_STORE_PAGE_FAULT:
      return "page fault";
    default:
      return "exception";
  }
}

void trap_user(trap_frame_t *tf, uint64_t scause, uint64_t stval) {
  reap_zombie();
  if (scause & SCAUSE_INTERRUPT) {
    uint64_t irq = scause & ~SCAUSE_INTERRUPT;
    if (irq == IRQ_S_TIMER) timer_interrupt();
    if (irq == IRQ_S_EXTERNAL) irq_external();
    return;
  }
  if (scause == EXC_ILLEGAL_INSN && thread_fp_first_use()) return; /* retry with FP on */
  kernel.stats.user_faults++;
  kprintf("NEURON: task %s thread %u: %s (scause %lu) at pc %#lx, address %#lx; thread ended\n",
          kernel.current->task->name, kernel.current->id, exception_name(scause),
          (unsigned long)scause, (unsigned long)tf->sepc, (unsigned long)stval);
  /* The task ends with a fault if this is its last thread (task_exit_status). */
  if (kernel.current->task->live_threads == 1) kernel.current->task->faulted = true;
  thread_exit_current(-1);
}

void trap_kernel_fault(uint64_t scause, uint64_t sepc, uint64_t stval, uint64_t sp) {
  kprintf("NEURON: kernel fault: scause %#lx sepc %#lx stval %#lx sp %#lx\n", (unsigned long)scause,
          (unsigned long)sepc, (unsigned long)stval, (unsigned long)sp);
  kpanic("fault in the kernel");
}
