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

/* Whether `server`'s reply_recv of `msg` on `ep` can take the fastpath; no
 * side effects. */
ipc_reply_verdict_t ipc_reply_fast_check(const ipc_endpoint_t *ep, const ipc_thread_t *server,
                                         const ipc_msg_t *msg);

/* Performs it if eligible: returns the caller to switch to (see above), or
 * NULL and changes nothing (the kernel takes ipc_reply_recv()). */
ipc_thread_t *ipc_reply_recv_fast(ipc_endpoint_t *ep, ipc_thread_t *server, const ipc_msg_t *msg);

/* Whether a call of `msg` by `caller` on `ep` can take the fastpath; no
 * side effects. */
ipc_fast_verdict_t ipc_fastpath_check(const ipc_endpoint_t *ep, const ipc_thread_t *caller,
                                      const ipc_msg_t *msg);

/* Performs the fastpath call if eligible: returns the server to switch to
 * (see above), or NULL and changes nothing if not eligible (the kernel, or
 * ipc_call(), takes the slow path). */
ipc_thread_t *ipc_call_fast(ipc_endpoint_t *ep, ipc_thread_t *caller, uint64_t badge,
                            const ipc_msg_t *msg);

#ifdef __cplusplus
}
#endif

#endif
