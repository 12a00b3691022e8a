/*
 * The call fastpath: a call that can be handed straight to a waiting
 * server, bypassing the scheduler's run queues.
 *
 * A call is eligible when ALL of these hold (checked in this order; the
 * first that fails is the reason returned):
 *   1. the endpoint is open;
 *   2. a server is already waiting on it (otherwise the caller must queue);
 *   3. the message is registers only: no buffer bytes (nothing to copy),
 *      at most IPC_MSG_WORDS words;
 *   4. no capabilities travel (no handle table work, nothing can fail
 *      after the check);
 *   5. the server's own priority is not below the caller's effective
 *      priority. Then no inheritance is needed, and switching straight to
 *      the server skips no thread that should run first: the caller was
 *      running, so nothing ready is more urgent than it, hence than the
 *      server.
 * The caller must be IDLE (a kernel invariant, not a reason).
 *
 * On the fastpath the words go from caller to server, the server owes the
 * caller a reply, and the caller is REPLY_BLOCKED; the module calls NEITHER
 * ops->block(caller) NOR ops->wake(server). It returns the server instead:
 * the kernel blocks the caller and switches directly to the server in one
 * step, donating the rest of the caller's time slice, without a run-queue
 * round trip. Everything that fails a condition goes the slow path
 * (ipc_call() does that itself), which behaves the same except that it
 * blocks and wakes through the ops.
 */
#ifndef NEURON_FASTPATH_H
#define NEURON_FASTPATH_H

#include <stdint.h>

#include "neuron/endpoint.h"
#include "neuron/ipc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ipc_fast_verdict {
  IPC_FAST_OK = 0,
  IPC_FAST_CLOSED,    /* 1: the endpoint is closed */
  IPC_FAST_NO_SERVER, /* 2: no server waiting */
  IPC_FAST_BUFFER,    /* 3: buffer bytes, or too many words */
  IPC_FAST_HANDLES,   /* 4: capabilities travel */
  IPC_FAST_PRIORITY,  /* 5: the server's priority is below the caller's */
  IPC_FAST_INVALID,   /* NULL argument or caller not IDLE */
} ipc_fast_verdict_t;

/*
 * The reply half: a server's reply_recv whose reply can be handed straight
 * back to its caller. Eligible when ALL of these hold (checked in this
 * order; the first that fails is the reason returned):
 *   1. the endpoint is open;
 *   2. the server owes a reply to a live caller (reply PENDING);
 *   3. the reply is registers only (no buffer bytes, at most
 *      IPC_MSG_WORDS words);
 *   4. no capabilities travel;
 *   5. no caller is queued on the endpoint (else the receive would take it
 *      at once and the server would go on running: the slow path).
 * The server must be IDLE (a kernel invariant, not a reason).
 * What the module cannot see is the run queue: the kernel takes the
 * fastpath only if no READY thread is more urgent than the caller (it was
 * the most urgent when it called, but others may have woken since).
 *
 * On the fastpath the words go to the caller, which becomes IDLE; the
 * server's inherited priority is restored and it queues on the endpoint as
 * a receiver (RECV_BLOCKED). The module calls NEITHER ops->wake(caller) NOR
 * ops->block(server): the kernel blocks the server and switches straight
 * to the caller.
 */
typedef enum ipc_reply_verdict {
  IPC_REPLY_FAST_OK = 0,
  IPC_REPLY_FAST_CLOSED,    /* 1: the endpoint is closed */
  IPC_REPLY_FAST_NO_CALLER, /* 2: no caller waits for this server's reply */
  IPC_REPLY_FAST_BUFFER,    /* 3: buffer bytes, or too many words */
  IPC_REPLY_FAST_HANDLES,   /* 4: capabilities travel */
  IPC_REPLY_FAST_QUEUED,    /* 5: a caller is queued on the endpoint */
  IPC_REPLY_FAST_INVALID,   /* NULL argument or server not IDLE */
} ipc_reply_verdict_t;

/* ---- The hand-offs, inline: the kernel's syscall fastpath compiles them
 * in place, so a call or a reply is one function with no calls. ---- */

/* A server that waits again goes to the tail of ep's server queue,
 * RECV_BLOCKED (ipc_receive's effect, without the block callback). */
static inline __attribute__((always_inline)) void ipc_fast_server_enqueue(ipc_endpoint_t *ep,
                                                                          ipc_thread_t *server) {
  ipc_queue_t *q = &ep->servers;
  server->prev = q->tail;
  server->next = 0;
  if (q->tail) {
    q->tail->next = server;
  } else {
    q->head = server;
  }
  q->tail = server;
  server->queued_on = ep;
  server->state = IPC_RECV_BLOCKED;
}

/* Ends a server's inherited priority (the scheduler is told only if it had
 * one). */
static inline __attribute__((always_inline)) void ipc_fast_restore_priority(ipc_system_t *sys,
                                                                            ipc_thread_t *t) {
  if (t->prio == t->base_prio) return;
  t->prio = t->base_prio;
  sys->ops->restore_priority(sys->ctx, t);
}

/* Whether a call of `msg` by `caller` on `ep` can take the fastpath; no
 * side effects. */
static inline __attribute__((always_inline)) ipc_fast_verdict_t ipc_fastpath_check(
    const ipc_endpoint_t *ep, const ipc_thread_t *caller, const ipc_msg_t *msg) {
  if (!ep || !caller || !msg || caller->state != IPC_IDLE) return IPC_FAST_INVALID;
  if (ep->closed) return IPC_FAST_CLOSED;
  const ipc_thread_t *server = ep->servers.head;
  if (!server) return IPC_FAST_NO_SERVER;
  if (msg->buf_len != 0 || msg->word_count > IPC_MSG_WORDS) return IPC_FAST_BUFFER;
  if (msg->handle_count != 0) return IPC_FAST_HANDLES;
  /* A waiting server owes no reply, so its prio is its own. */
  if (server->prio < caller->prio) return IPC_FAST_PRIORITY;
  return IPC_FAST_OK;
}

/* Performs the fastpath call if eligible: returns the server to switch to
 * (see the top of this file), or NULL and changes nothing if not eligible (the kernel, or
 * ipc_call(), takes the slow path). */
static inline __attribute__((always_inline)) ipc_thread_t *ipc_call_fast(ipc_endpoint_t *ep,
                                                                         ipc_thread_t *caller,
                                                                         uint64_t badge,
                                                                         const ipc_msg_t *msg) {
  if (ipc_fastpath_check(ep, caller, msg) != IPC_FAST_OK) return 0;
  ipc_thread_t *server = ep->servers.head;
  /* Unlink the head: the O(1) special case of the queue's removal. */
  ep->servers.head = server->next;
  if (server->next) {
    server->next->prev = 0;
  } else {
    ep->servers.tail = 0;
  }
  server->next = 0;
  server->queued_on = 0;
  server->state = IPC_IDLE;

  for (uint32_t i = 0; i < msg->word_count; i++) server->msg.words[i] = msg->words[i];
  server->msg.word_count = msg->word_count;
  server->msg.buf_len = 0;
  server->msg.handle_count = 0;
  server->recv_badge = badge;
  /* Not caller->send_badge: only a queued caller's is read (take_call). */
  caller->state = IPC_REPLY_BLOCKED;
  caller->server = server;
  server->reply = IPC_REPLY_PENDING;
  server->caller = caller;
  ep->sys->counters.calls_fast++;
  return server;
}

/* Whether `server`'s reply_recv of `msg` on `ep` can take the fastpath; no
 * side effects. */
static inline __attribute__((always_inline)) ipc_reply_verdict_t ipc_reply_fast_check(
    const ipc_endpoint_t *ep, const ipc_thread_t *server, const ipc_msg_t *msg) {
  if (!ep || !server || !msg || server->state != IPC_IDLE) return IPC_REPLY_FAST_INVALID;
  if (ep->closed) return IPC_REPLY_FAST_CLOSED;
  if (server->reply != IPC_REPLY_PENDING) return IPC_REPLY_FAST_NO_CALLER;
  if (msg->buf_len != 0 || msg->word_count > IPC_MSG_WORDS) return IPC_REPLY_FAST_BUFFER;
  if (msg->handle_count != 0) return IPC_REPLY_FAST_HANDLES;
  if (ep->callers.head) return IPC_REPLY_FAST_QUEUED;
  return IPC_REPLY_FAST_OK;
}

/* Performs it if eligible: returns the caller to switch to (see the top of this file), or
 * NULL and changes nothing (the kernel takes ipc_reply_recv()). */
static inline __attribute__((always_inline)) ipc_thread_t *ipc_reply_recv_fast(
    ipc_endpoint_t *ep, ipc_thread_t *server, const ipc_msg_t *msg) {
  if (ipc_reply_fast_check(ep, server, msg) != IPC_REPLY_FAST_OK) return 0;
  ipc_thread_t *caller = server->caller;
  for (uint32_t i = 0; i < msg->word_count; i++) caller->msg.words[i] = msg->words[i];
  caller->msg.word_count = msg->word_count;
  caller->msg.buf_len = 0;
  caller->msg.handle_count = 0;
  caller->state = IPC_IDLE;
  caller->server = 0;
  server->caller = 0;
  server->reply = IPC_REPLY_NONE;
  ep->sys->counters.replies_fast++;
  ipc_fast_restore_priority(ep->sys, server);
  ipc_fast_server_enqueue(ep, server);
  return caller;
}

#ifdef __cplusplus
}
#endif

#endif
