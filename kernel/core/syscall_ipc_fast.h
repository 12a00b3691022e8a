/*
 * The two halves of the IPC fastpath, shared by syscall_fastpath() (before
 * dispatch) and the full invokes: if the words-only message `m` can be
 * handed over directly, they deliver it into the other thread's saved
 * registers and switch to it in user mode (never returning); otherwise
 * they return having changed nothing. The caller's checks are the
 * decoder's: a usable endpoint handle with the right, an IPC buffer.
 *
 * Inline, with the IPC module's hand-offs (neuron/fastpath.h): a fastpath
 * call or reply is then one function up to the switch, with no call, no
 * message built in memory and one copy of the words.
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

static inline __attribute__((always_inline)) void syscall_call_fast(thread_t *caller,
                                                                    const handle_slot_t *ep_slot,
                                                                    const ipc_msg_t *m) {
  kendpoint_t *ep = (kendpoint_t *)ep_slot->object;
  ipc_thread_t *next = ipc_call_fast(&ep->ep, &caller->ipc, ep_slot->badge, m);
  if (!next) return;
  caller->ipc_buf_got = 0;
  caller->ipc_receiving = false;
  /* The server's receive completes in its saved registers and it runs at
   * once, in user mode; the caller's reply will be delivered the same way. */
  thread_t *server = THREAD_OF(next, ipc);
  deliver_words(server, (int64_t)ep_slot->badge, m);
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
