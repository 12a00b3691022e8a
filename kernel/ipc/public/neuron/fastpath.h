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
