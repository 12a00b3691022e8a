/*
 * Synchronous endpoints: the queues, the hand-off of a call to a server,
 * the one-shot reply and cancellation. The semantics are written out in
 * neuron/endpoint.h; this file explains only the choices made in code.
 */
#include "neuron/endpoint.h"

#include "kernel/ipc/ipc_internal.h"
#include "neuron/errors.h"
#include "neuron/fastpath.h"

/* ---- Queues: intrusive, doubly linked, so cancelling is O(1) ---- */

/* Not inlined: six slow paths share it (the fastpath unlinks the head in
 * place). */
__attribute__((noinline)) static void queue_remove(ipc_queue_t *q, ipc_thread_t *t) {
  if (t->prev) {
    t->prev->next = t->next;
  } else {
    q->head = t->next;
  }
  if (t->next) {
    t->next->prev = t->prev;
  } else {
    q->tail = t->prev;
  }
  t->next = t->prev = 0;
}

/* Inserts `t` after `after` (NULL: at the head). */
static void queue_insert_after(ipc_queue_t *q, ipc_thread_t *after, ipc_thread_t *t) {
  t->prev = after;
  t->next = after ? after->next : q->head;
  if (t->next) {
    t->next->prev = t;
  } else {
    q->tail = t;
  }
  if (after) {
    after->next = t;
  } else {
    q->head = t;
  }
}

/* Callers: behind every caller of the same or a higher priority, so equal
 * priorities stay FIFO. Walking from the tail makes the common case (all
 * callers of one priority) O(1). */
static void queue_insert_by_prio(ipc_queue_t *q, ipc_thread_t *t) {
  /* The key is frozen: the caller's prio may drop while it waits (it may be
   * a server whose own caller dies), and the queue must stay sorted. */
  t->queue_prio = t->prio;
  ipc_thread_t *after = q->tail;
  while (after && after->queue_prio < t->queue_prio) after = after->prev;
  queue_insert_after(q, after, t);
}

static ipc_thread_t *queue_pop(ipc_queue_t *q) {
  ipc_thread_t *t = q->head;
  if (t) queue_remove(q, t);
  return t;
}

/* ---- Priority inheritance ---- */

static void inherit(ipc_system_t *sys, ipc_thread_t *server, uint8_t prio) {
  if (prio <= server->prio) return;
  server->prio = prio;
  sys->ops->set_priority(sys->ctx, server, prio);
}

/* ---- The hand-off ---- */

/* Gives caller's saved message to server (handles moved all or none, the
 * buffer copied once), makes server owe caller a reply and lends it the
 * caller's priority. On error nothing changed. Queue membership and
 * block/wake are the callers' business. */
static int take_call(ipc_system_t *sys, ipc_thread_t *caller, ipc_thread_t *server) {
  cap_plan_t plans[IPC_MSG_HANDLES];
  const ipc_msg_t *m = &caller->msg;
  int err = ipc_handles_check(caller->table, m->handles, m->handle_count, server->table, plans);
  if (err != NX_OK) return err;
  ipc_msg_copy_words(&server->msg, m);
  if (m->buf_len) {
    sys->ops->copy(sys->ctx, server, caller, m->buf_len);
    sys->counters.copied_bytes += m->buf_len;
  }
  ipc_handles_apply(sys, caller->table, m->handles, m->handle_count, server->table, plans,
                    server->msg.handles);
  server->msg.handle_count = m->handle_count;
  server->recv_badge = caller->send_badge;
  caller->state = IPC_REPLY_BLOCKED;
  caller->server = server;
  server->reply = IPC_REPLY_PENDING;
  server->caller = caller;
  inherit(sys, server, caller->prio);
  return NX_OK;
}

int ipc_endpoint_init(ipc_endpoint_t *ep, ipc_system_t *sys) {
  if (!ep || !sys) return NX_ERR_INVALID_ARGS;
  *ep = (ipc_endpoint_t){0};
  ep->obj.type = OBJ_ENDPOINT;
  ep->sys = sys;
  return NX_OK;
}

void ipc_endpoint_close(ipc_endpoint_t *ep) {
  if (!ep || ep->closed) return;
  ep->closed = true;
  ipc_system_t *sys = ep->sys;
  ipc_thread_t *t;
  while ((t = queue_pop(&ep->callers)) != 0 || (t = queue_pop(&ep->servers)) != 0) {
    t->queued_on = 0;
    t->state = IPC_IDLE;
    sys->ops->wake(sys->ctx, t, NX_ERR_BAD_HANDLE);
  }
}

int ipc_call(ipc_endpoint_t *ep, ipc_thread_t *caller, uint64_t badge, const ipc_msg_t *msg,
             ipc_thread_t **run_next) {
  if (!ep || !caller || !msg || !run_next || caller->state != IPC_IDLE) {
    return NX_ERR_INVALID_ARGS;
  }
  *run_next = 0;
  int err = ipc_msg_validate(msg);
  if (err != NX_OK) return err;
  if (ep->closed) return NX_ERR_BAD_HANDLE;
  /* Refuse a bad handle now, while the caller can still be told directly. */
  err = ipc_handles_precheck(caller->table, msg->handles, msg->handle_count);
  if (err != NX_OK) return err;

  ipc_thread_t *server = ipc_call_fast(ep, caller, badge, msg);
  if (server) {
    *run_next = server;
    return IPC_PENDING;
  }

  ipc_system_t *sys = ep->sys;
  caller->msg = *msg;
  caller->send_badge = badge;
  server = ep->servers.head;
  if (server) {
    err = take_call(sys, caller, server);
    if (err != NX_OK) return err; /* the server keeps waiting */
    queue_remove(&ep->servers, server);
    server->queued_on = 0;
    server->state = IPC_IDLE;
    sys->ops->wake(sys->ctx, server, NX_OK);
  } else {
    queue_insert_by_prio(&ep->callers, caller);
    caller->queued_on = ep;
    caller->state = IPC_SEND_BLOCKED;
  }
  sys->counters.calls_slow++;
  sys->ops->block(sys->ctx, caller);
  return IPC_PENDING;
}

int ipc_receive(ipc_endpoint_t *ep, ipc_thread_t *server) {
  if (!ep || !server || server->state != IPC_IDLE) return NX_ERR_INVALID_ARGS;
  if (ep->closed) return NX_ERR_BAD_HANDLE;
  if (server->reply == IPC_REPLY_PENDING) return NX_ERR_BUSY;
  server->reply = IPC_REPLY_NONE; /* an ORPHANED reply is forgotten */
  ipc_system_t *sys = ep->sys;
  ipc_thread_t *caller;
  while ((caller = queue_pop(&ep->callers)) != 0) {
    caller->queued_on = 0;
    int err = take_call(sys, caller, server);
    if (err == NX_OK) return NX_OK;
    /* Its handles changed while it waited: its call fails, not the
     * server's receive. */
    caller->state = IPC_IDLE;
    sys->ops->wake(sys->ctx, caller, err);
  }
  ipc_fast_server_enqueue(ep, server);
  sys->ops->block(sys->ctx, server);
  return IPC_PENDING;
}

int ipc_reply(ipc_system_t *sys, ipc_thread_t *server, const ipc_msg_t *msg) {
  if (!sys || !server || !msg) return NX_ERR_INVALID_ARGS;
  int err = ipc_msg_validate(msg);
  if (err != NX_OK) return err;
  if (server->reply == IPC_REPLY_ORPHANED) {
    server->reply = IPC_REPLY_NONE;
    sys->counters.replies_dropped++;
    return NX_OK;
  }
  if (server->reply != IPC_REPLY_PENDING) return NX_ERR_NOT_FOUND;
  ipc_thread_t *caller = server->caller;
  cap_plan_t plans[IPC_MSG_HANDLES];
  err = ipc_handles_check(server->table, msg->handles, msg->handle_count, caller->table, plans);
  if (err != NX_OK) return err;
  ipc_msg_copy_words(&caller->msg, msg);
  if (msg->buf_len) {
    sys->ops->copy(sys->ctx, caller, server, msg->buf_len);
    sys->counters.copied_bytes += msg->buf_len;
  }
  ipc_handles_apply(sys, server->table, msg->handles, msg->handle_count, caller->table, plans,
                    caller->msg.handles);
  caller->msg.handle_count = msg->handle_count;
  caller->state = IPC_IDLE;
  caller->server = 0;
  server->caller = 0;
  server->reply = IPC_REPLY_NONE;
  sys->counters.replies_slow++;
  ipc_fast_restore_priority(sys, server);
  sys->ops->wake(sys->ctx, caller, NX_OK);
  return NX_OK;
}

int ipc_reply_recv(ipc_endpoint_t *ep, ipc_thread_t *server, const ipc_msg_t *msg) {
  if (!ep || !server || !msg || server->state != IPC_IDLE) return NX_ERR_INVALID_ARGS;
  /* Check what receive would refuse before replying, so that a failure
   * leaves the reply undone rather than half the operation done. */
  if (ep->closed) return NX_ERR_BAD_HANDLE;
  int err = ipc_reply(ep->sys, server, msg);
  if (err != NX_OK) return err;
  return ipc_receive(ep, server);
}

void ipc_thread_cancel(ipc_system_t *sys, ipc_thread_t *t) {
  if (!sys || !t) return;
  if (t->state == IPC_SEND_BLOCKED) {
    queue_remove(&t->queued_on->callers, t);
  } else if (t->state == IPC_RECV_BLOCKED) {
    queue_remove(&t->queued_on->servers, t);
  } else if (t->state == IPC_REPLY_BLOCKED) {
    ipc_thread_t *server = t->server;
    server->caller = 0;
    server->reply = IPC_REPLY_ORPHANED;
    ipc_fast_restore_priority(sys, server); /* it no longer works on t's behalf */
  }
  if (t->reply == IPC_REPLY_PENDING) {
    ipc_thread_t *caller = t->caller;
    caller->server = 0;
    caller->state = IPC_IDLE;
    sys->ops->wake(sys->ctx, caller, NX_ERR_NOT_FOUND);
  }
  t->queued_on = 0;
  t->server = 0;
  t->caller = 0;
  t->state = IPC_IDLE;
  t->reply = IPC_REPLY_NONE;
  t->prio = t->base_prio; /* no op: the kernel is ending it */
}

/* Walks q: every node's prev is the node before it (so a link that loops
 * back fails at the first node seen twice, whose prev is the node before
 * its first visit), its state `state` and its endpoint ep; the tail is the
 * last node. */
static int check_queue(const ipc_endpoint_t *ep, const ipc_queue_t *q, uint8_t state) {
  const ipc_thread_t *prev = 0;
  for (const ipc_thread_t *t = q->head; t; prev = t, t = t->next) {
    if (t->prev != prev || t->state != state || t->queued_on != ep) return NX_ERR_BAD_FORMAT;
    if (state == IPC_SEND_BLOCKED && prev && prev->queue_prio < t->queue_prio) {
      return NX_ERR_BAD_FORMAT;
    }
  }
  return q->tail == prev ? NX_OK : NX_ERR_BAD_FORMAT;
}

int ipc_endpoint_check(const ipc_endpoint_t *ep) {
  if (!ep) return NX_ERR_INVALID_ARGS;
  if (ep->callers.head && ep->servers.head) return NX_ERR_BAD_FORMAT;
  int err = check_queue(ep, &ep->callers, IPC_SEND_BLOCKED);
  return err != NX_OK ? err : check_queue(ep, &ep->servers, IPC_RECV_BLOCKED);
}
