/*
 * Blocking and waking threads on behalf of the IPC and notification
 * modules: the callbacks they are given (ipc_ops_t, notify_ops_t) and the
 * preemption checks that follow a wake-up.
 *
 * Every wait of these modules leaves a continuation: the thread does not
 * stay inside its syscall but returns to user mode from its trap frame
 * when it runs again, which is what lets a fastpath switch straight from
 * one task's user mode to another's. A thread waiting in IPC
 * (thread_block_ipc) has its syscall completed by whoever ends the wait,
 * who writes the results into its trap frame (syscall_ipc_complete). A
 * thread waiting on a notification or a wait set (thread_block_wait)
 * completes its own, on its empty kernel stack, from the outcome the
 * notify module recorded in its waiter (syscall_wait_complete, run by its
 * continuation), so a deadline that passes needs no one to complete it.
 * The modules call block() on the current thread only.
 */
#include "kernel/core/syscall_util.h"
#include "neuron/arch/csr.h"
#include "neuron/errors.h"
#include "neuron/irq.h"
#include "neuron/kernel.h"
#include "neuron/task.h"
#include "neuron/user_memory.h"

/* Makes a blocked or sleeping thread READY (a running one, which ended its
 * own wait, e.g. on a timeout it noticed, just keeps running). */
static void make_ready(thread_t *t) {
  if (t->sched.state == SCHED_BLOCKED) {
    sched_wake(&kernel.sched, &t->sched);
    kernel.stats.wakeups++;
  } else if (t->sched.state == SCHED_SLEEPING) {
    sched_cancel(&kernel.sched, &t->sched);
    kernel.stats.wakeups++;
  }
}

/* ---- IPC ---- */

static void ipc_block(void *ctx, ipc_thread_t *t) {
  (void)ctx;
  sched_block(&kernel.sched, &THREAD_OF(t, ipc)->sched);
}

static void ipc_wake(void *ctx, ipc_thread_t *t, int result) {
  (void)ctx;
  thread_t *thread = THREAD_OF(t, ipc);
  syscall_ipc_complete(thread, result);
  make_ready(thread);
}

static void ipc_set_priority(void *ctx, ipc_thread_t *t, unsigned prio) {
  (void)ctx;
  sched_set_priority(&kernel.sched, &THREAD_OF(t, ipc)->sched, prio);
}

static void ipc_restore_priority(void *ctx, ipc_thread_t *t) {
  (void)ctx;
  sched_restore_priority(&kernel.sched, &THREAD_OF(t, ipc)->sched);
}

/* The one copy of a message's bytes: straight from the sender's IPC buffer
 * to the receiver's, each translated in its own address space (checked
 * page by page: either may have been unmapped since its syscall began). */
static void ipc_copy(void *ctx, ipc_thread_t *dst, ipc_thread_t *src, size_t len) {
  (void)ctx;
  thread_t *to = THREAD_OF(dst, ipc), *from = THREAD_OF(src, ipc);
  to->ipc_buf_got = (uint32_t)user_copy_between(to, to->ipc_buffer + NX_IPC_BUFFER_BYTES, from,
                                                from->ipc_buffer + NX_IPC_BUFFER_BYTES, len);
}

static const ipc_ops_t ipc_ops = {ipc_block, ipc_wake, ipc_set_priority, ipc_restore_priority,
                                  ipc_copy};

/* ---- Notifications ---- */

static void notify_block(notify_waiter_t *w, uint64_t deadline) {
  thread_t *t = THREAD_OF(w, waiter);
  if (deadline == NOTIFY_DEADLINE_NEVER) {
    sched_block(&kernel.sched, &t->sched);
  } else {
    sched_sleep_until(&kernel.sched, &t->sched, deadline);
  }
}

static void notify_wake(notify_waiter_t *w, int result) {
  (void)result; /* also in w->result, where its continuation reads it */
  make_ready(THREAD_OF(w, waiter));
}

static const notify_ops_t notify_ops = {notify_block, notify_wake};

void wait_init(void) {
  if (ipc_system_init(&kernel.ipc, &ipc_ops, 0) != NX_OK ||
      notify_system_init(&kernel.notify, &notify_ops) != NX_OK) {
    kpanic("cannot set up IPC and notifications");
  }
}

void kernel_poll_interrupts(void) {
  uint64_t pending = csr_read(sip);
  if (pending & SIP_STIP) timer_interrupt();
  if (pending & SIP_SEIP) irq_external();
}
