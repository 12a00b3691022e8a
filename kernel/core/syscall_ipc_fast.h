/*
 * The C halves of the IPC fastpath, for the invokes of ipc_call and
 * ipc_reply_recv (the cases kernel/arch/riscv64/ipc_fast.S leaves to the
 * dispatcher: an address space to switch with a new ASID, an inherited
 * priority, a timer to program): a words-only message
 * that can be handed over directly goes into the other thread's saved
 * registers, and the kernel switches to it in user mode (never
 * returning). The caller's checks are the decoder's: a usable endpoint
 * handle with the right, an IPC buffer.
 *
 * Inline, with the IPC module's hand-offs (neuron/fastpath.h).
 */
#ifndef KERNEL_CORE_SYSCALL_IPC_FAST_H
#define KERNEL_CORE_SYSCALL_IPC_FAST_H

#include "neuron/errors.h"
#include "neuron/fastpath.h"
#include "neuron/kernel.h"
#include "neuron/kobject.h"
#include "neuron/task.h"

/* The fastpath's delivery of a words-only message straight into a blocked
 * thread's saved registers: a0 (its syscall's result), w0..w3, info 0. */
static inline __attribute__((always_inline)) void deliver_words(thread_t *t, int64_t a0,
                                                                const ipc_msg_t *m) {
  uint64_t *regs = t->frame->a;
  regs[0] = (uint64_t)a0;
  regs[1] = m->words[0];
  regs[2] = m->words[1];
  regs[3] = m->words[2];
  regs[4] = m->words[3];
  regs[5] = 0;
}

/* The call fastpath's last step, once ipc_call() has handed the words-only
 * message `m` to `server` (ipc_call_fast): its receive returns the badge
 * with the words, and it runs at once in user mode; the caller's reply
 * will be delivered the same way. */
static inline __attribute__((always_inline, noreturn)) void syscall_call_handoff(
    thread_t *server, uint64_t badge, const ipc_msg_t *m) {
  deliver_words(server, (int64_t)badge, m);
  thread_handoff_user(server);
}

/* Whether the reply fastpath may switch straight to `client`: nothing READY
 * is more urgent (the run queue is the one thing the IPC module cannot
 * see). */
static inline __attribute__((always_inline)) bool client_runs_next(const thread_t *client) {
  return sched_none_above(&kernel.sched, client->sched.prio);
}

static inline __attribute__((always_inline)) void syscall_reply_recv_fast(thread_t *caller,
                                                                          kendpoint_t *ep,
                                                                          const ipc_msg_t *m) {
  ipc_thread_t *client = caller->ipc.reply == IPC_REPLY_PENDING ? caller->ipc.caller : 0;
  if (!client || !client_runs_next(THREAD_OF(client, ipc)) ||
      !ipc_reply_recv_fast(&ep->ep, &caller->ipc, m)) {
    return;
  }
  caller->ipc_buf_got = 0;
  caller->ipc_receiving = true;
  thread_t *c = THREAD_OF(client, ipc);
  deliver_words(c, NX_OK, m); /* its call returns 0 with the reply */
  thread_handoff_user(c);     /* the server now waits as a receiver */
}

#endif
