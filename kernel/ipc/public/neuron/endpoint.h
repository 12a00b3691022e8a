/*
 * Synchronous endpoints (seL4-style): call / receive / reply / reply_recv.
 *
 * A client calls with a message and blocks until a server has received it
 * and replied. A server receives and blocks until a caller arrives; it gets
 * the message and the BADGE of the capability the caller used (the kernel
 * reads it from the caller's handle and passes it in; servers tell their
 * clients apart by it). Each server thread has a one-shot reply state: a
 * receive that takes a call makes it PENDING on that caller; the reply
 * answers exactly that caller and clears it. Replying twice, or with no
 * caller, is NX_ERR_NOT_FOUND.
 *
 * Queues. An endpoint holds either waiting callers or waiting servers,
 * never both (whichever arrives second is matched at once).
 *   - Callers wait in priority order (highest effective priority first),
 *     FIFO among equal priorities: the most urgent client is served first,
 *     and equal clients cannot starve one another. Enqueueing walks from the
 *     tail past lower-priority callers (O(callers of lower priority)); taking
 *     the head and cancelling are O(1).
 *   - Servers wait FIFO: they are interchangeable, and FIFO spreads work.
 *   A caller's priority is taken when it enqueues; a later change does not
 *   reorder it.
 *
 * Priority inheritance. When a server takes a call whose caller's effective
 * priority is above the server's, the server is raised to it
 * (ops->set_priority) for as long as it serves that call; the reply (or the
 * caller's death) restores it (ops->restore_priority). Because the caller's
 * EFFECTIVE priority is used, it carries through chains: a server that,
 * while serving, calls a second server lends that one the inherited
 * priority too. Known limit: callers still queued do not raise a server
 * that is busy with someone else (the endpoint does not know which server
 * will take them); the wait is bounded by one call per queued caller ahead.
 *
 * Capabilities. The handles of a call are checked against the caller's
 * table when it calls (a bad one fails the call at once, nothing moved, the
 * caller not blocked). They move when a server takes the message: checked
 * again then (the caller's table or the server's may have changed while it
 * waited) and moved all or none. If that second check fails, the CALLER's
 * call fails with the error (it is woken with it) and the server goes on to
 * the next caller or waits: one client's bad message never fails a server.
 * A reply's handles go from the server's table to the caller's; if they
 * cannot, the reply fails and nothing changes (the caller still waits, the
 * server may reply again).
 *
 * Errors: NX_ERR_INVALID_ARGS (NULL, or a thread that is not IDLE, which
 * would be a kernel bug), NX_ERR_OUT_OF_RANGE (the message does not fit),
 * NX_ERR_BAD_HANDLE (the endpoint is closed; also the wake result of threads
 * queued on it when it closes), NX_ERR_BUSY (receive while a reply is still
 * owed), NX_ERR_NOT_FOUND (reply with no caller; a caller's result when its
 * server was killed), and any error of handle_lookup_slot() /
 * cap_move_check() for the handles of a message.
 */
#ifndef NEURON_ENDPOINT_H
#define NEURON_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "neuron/ipc.h"
#include "neuron/object.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A doubly linked queue of threads (through ipc_thread_t.next/prev). No
 * count: nothing decides by one, and ipc_endpoint_check() walks the links
 * (each node's prev must be the node before it, which also ends the walk
 * of a queue whose links loop). */
typedef struct ipc_queue {
  ipc_thread_t *head, *tail;
} ipc_queue_t;

/* Read-only outside kernel/ipc. */
typedef struct ipc_endpoint {
  object_t obj; /* first: type OBJ_ENDPOINT */
  ipc_system_t *sys;
  ipc_queue_t callers; /* SEND_BLOCKED, by priority then FIFO */
  ipc_queue_t servers; /* RECV_BLOCKED, FIFO */
  bool closed;
} ipc_endpoint_t;

/* An open endpoint with empty queues. NX_ERR_INVALID_ARGS for NULL. */
int ipc_endpoint_init(ipc_endpoint_t *ep, ipc_system_t *sys);

/*
 * Closes `ep` (its last capability went): every queued caller and server is
 * woken with NX_ERR_BAD_HANDLE (queued callers' handles never left their
 * tables). Calls already taken by a server are unaffected: the reply does
 * not go through the endpoint. Later operations on `ep` fail with
 * NX_ERR_BAD_HANDLE. Closing twice does nothing.
 */
void ipc_endpoint_close(ipc_endpoint_t *ep);

/*
 * `caller` (IDLE, the current thread) calls `ep` with `msg` through a
 * capability badged `badge`. *run_next is set to NULL, or, when the call
 * took the fastpath (fastpath.h), to the server the kernel must switch to
 * directly. Returns:
 *   IPC_PENDING  the caller is blocked (ops->block ran, or on the fastpath
 *                the kernel blocks it in the direct switch); the reply, or
 *                an error, arrives through ops->wake and lands in
 *                caller->msg.
 *   < 0          nothing happened: the caller was not blocked, no handle
 *                moved.
 */
int ipc_call(ipc_endpoint_t *ep, ipc_thread_t *caller, uint64_t badge, const ipc_msg_t *msg,
             ipc_thread_t **run_next);

/*
 * `server` (IDLE, the current thread, owing no reply) waits for a call.
 * NX_OK: a caller was waiting; its message is in server->msg, its badge in
 * server->recv_badge, and server owes it a reply. IPC_PENDING: the server
 * is blocked until a caller arrives (woken with NX_OK and the same
 * results). A reply state ORPHANED (the last caller died) is cleared first.
 * NX_ERR_BUSY: a reply is still PENDING (reply first, or use reply_recv).
 */
int ipc_receive(ipc_endpoint_t *ep, ipc_thread_t *server);

/*
 * Answers the caller `server` is serving with `msg`: the caller is woken
 * with NX_OK and the reply in caller->msg; the server's inherited priority
 * is restored; the reply state is cleared. NX_ERR_NOT_FOUND: no caller
 * (none taken, or already answered). If the caller was killed (ORPHANED)
 * the reply is dropped and NX_OK returned: the server could not have known.
 * On error nothing changes.
 */
int ipc_reply(ipc_system_t *sys, ipc_thread_t *server, const ipc_msg_t *msg);

/* ipc_reply() then ipc_receive() in one step (a server's loop). If the
 * reply fails, nothing happens and its error is returned; otherwise the
 * receive's result. */
int ipc_reply_recv(ipc_endpoint_t *ep, ipc_thread_t *server, const ipc_msg_t *msg);

/* Walks the queues (for tests and debug builds): NX_OK if both are well
 * formed, agree with their counts, hold threads in the matching state
 * pointing back at `ep`, callers in priority order, and not both nonempty.
 * NX_ERR_BAD_FORMAT otherwise. */
int ipc_endpoint_check(const ipc_endpoint_t *ep);

#ifdef __cplusplus
}
#endif

#endif
