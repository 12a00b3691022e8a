/*
 * The IPC core's shared vocabulary: messages, the part of a thread IPC owns,
 * and the callbacks through which the module asks the kernel to act.
 *
 * The module is a portable state machine. It never switches threads, touches
 * user memory or talks to the scheduler itself: it decides, records the
 * decision in the threads and endpoints it was given, and calls the ops
 * (block, wake, set/restore priority, copy). The kernel implements the ops
 * with its scheduler and user-memory code; the host tests implement them
 * with fakes that log every call. Storage is the caller's: nothing here
 * allocates.
 *
 * A message has three parts, cheapest first:
 *   words    up to IPC_MSG_WORDS 64-bit words, carried in registers and
 *            saved in the ipc_thread_t; this is all the fastpath moves.
 *   buffer   up to IPC_MSG_BUF_MAX bytes in the sender's IPC buffer, copied
 *            once, straight into the receiver's IPC buffer, by ops->copy
 *            (the module only knows the length; it counts the bytes).
 *            Anything larger goes through a VMO, not through IPC.
 *   handles  up to IPC_MSG_HANDLES capabilities, MOVED from the sender's
 *            handle table to the receiver's with the two-phase cap_transfer
 *            API: all are checked before any is moved, so a message moves
 *            every capability or none.
 *
 * No lock is taken; the caller serializes access (one hart, interrupts off),
 * the same rule as the handle tables, whose check/apply pairs rely on it.
 */
#ifndef NEURON_IPC_H
#define NEURON_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "neuron/handle_table.h"
#include "neuron/object.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IPC_MSG_WORDS 6u      /* a0-a5: what a syscall already saves */
#define IPC_MSG_BUF_MAX 4096u /* one page: the per-thread IPC buffer */
#define IPC_MSG_HANDLES 4u

/* Returned (instead of NX_OK) when the thread was blocked: its result comes
 * later through ops->wake(). Positive, so it never collides with an error. */
#define IPC_PENDING 1

typedef struct ipc_msg {
  uint64_t words[IPC_MSG_WORDS];
  uint32_t word_count;   /* 0 .. IPC_MSG_WORDS */
  uint32_t buf_len;      /* bytes in the IPC buffer, 0 .. IPC_MSG_BUF_MAX */
  uint32_t handle_count; /* 0 .. IPC_MSG_HANDLES */
  nx_handle_value_t handles[IPC_MSG_HANDLES];
} ipc_msg_t;

/* What a thread is doing in IPC. */
typedef enum ipc_state {
  IPC_IDLE = 0,      /* not in IPC (running, or blocked elsewhere) */
  IPC_RECV_BLOCKED,  /* a server queued on an endpoint, no caller yet (1:
                        ipc_fast.S writes it and the receiving flag with one constant) */
  IPC_SEND_BLOCKED,  /* a caller queued on an endpoint, no server yet */
  IPC_REPLY_BLOCKED, /* a caller whose message a server took; awaits reply */
} ipc_state_t;

/* A thread's one-shot reply state (seL4's reply object): whom it must
 * answer. */
typedef enum ipc_reply_state {
  IPC_REPLY_NONE = 0, /* serving no one: reply is an error */
  IPC_REPLY_PENDING,  /* serving `caller` */
  IPC_REPLY_ORPHANED, /* its caller was killed; the reply will be dropped */
} ipc_reply_state_t;

struct ipc_endpoint;

/* Embedded in the kernel's thread (found again with container_of).
 * Read-only outside kernel/ipc, except `msg` and the badge fields as the
 * functions below describe. */
typedef struct ipc_thread {
  struct ipc_thread *next, *prev; /* endpoint queue links (O(1) removal) */
  struct ipc_endpoint *queued_on; /* SEND_ or RECV_BLOCKED: the endpoint */
  struct ipc_thread *server;      /* REPLY_BLOCKED: who serves it */
  struct ipc_thread *caller;      /* reply PENDING: whom it serves */
  handle_table_t *table;          /* its task's handles (sent and received) */
  /* The message: outgoing while SEND_BLOCKED; after a receive, the received
   * one (handles are values in `table`); after a call, the reply. */
  ipc_msg_t msg;
  uint64_t send_badge; /* the badge of the capability its call used */
  uint64_t recv_badge; /* after a receive: the caller's badge */
  uint8_t state;       /* ipc_state_t */
  uint8_t reply;       /* ipc_reply_state_t */
  uint8_t base_prio;   /* its own priority */
  uint8_t prio;        /* effective: base, or inherited while serving */
  uint8_t queue_prio;  /* SEND_BLOCKED: prio when it queued (its place) */
} ipc_thread_t;

/*
 * What the module asks of the kernel. `ctx` is the system's. None may call
 * back into the module.
 *  - block: `t` (the current thread) stops running until a wake (or, for a
 *    fastpath call, until the kernel's direct switch; see fastpath.h).
 *  - wake: a blocked `t` becomes ready; `result` is its syscall's result.
 *  - set_priority / restore_priority: priority inheritance, onto
 *    sched_set_priority() / sched_restore_priority().
 *  - copy: `len` bytes from src's IPC buffer to dst's.
 */
typedef struct ipc_ops {
  void (*block)(void *ctx, ipc_thread_t *t);
  void (*wake)(void *ctx, ipc_thread_t *t, int result);
  void (*set_priority)(void *ctx, ipc_thread_t *t, unsigned prio);
  void (*restore_priority)(void *ctx, ipc_thread_t *t);
  void (*copy)(void *ctx, ipc_thread_t *dst, ipc_thread_t *src, size_t len);
} ipc_ops_t;

/* Counters for benchmarks and tests. The fastpath ones count ipc_call_fast
 * and ipc_reply_recv_fast; the kernel's assembly fastpath, which does their
 * work in place, counts its hand-overs in kernel.fast_switches instead. */
typedef struct ipc_counters {
  uint64_t copied_bytes;    /* bytes ops->copy was asked to move, ever */
  uint64_t calls_fast;      /* calls handed off on the fastpath */
  uint64_t calls_slow;      /* calls delivered or queued on the slow path */
  uint64_t replies_slow;    /* replies delivered on the slow path */
  uint64_t replies_fast;    /* replies handed back on the fastpath */
  uint64_t replies_dropped; /* replies to a caller that was killed */
  uint64_t handles_moved;   /* capabilities moved by endpoints and channels */
} ipc_counters_t;

/* One per kernel; tests make their own. */
typedef struct ipc_system {
  const ipc_ops_t *ops;
  void *ctx;
  ipc_counters_t counters;
} ipc_system_t;

/* NX_ERR_INVALID_ARGS for NULL sys or ops, or an op missing. */
int ipc_system_init(ipc_system_t *sys, const ipc_ops_t *ops, void *ctx);

/* Prepares `t`: IDLE, no reply state, base and effective priority `prio`
 * (the scheduler's number: higher is more urgent), handles in `table`.
 * NX_ERR_INVALID_ARGS for NULL arguments or prio > 255. */
int ipc_thread_init(ipc_thread_t *t, handle_table_t *table, unsigned prio);

/* NX_OK if `msg` fits: words, buffer and handles within their limits
 * (NX_ERR_OUT_OF_RANGE otherwise, NX_ERR_INVALID_ARGS for NULL). */
int ipc_msg_validate(const ipc_msg_t *msg);

/*
 * `t` is being killed: IPC lets go of it in O(1) and never calls an op on
 * it again (no wake: the kernel is ending it).
 *  - queued on an endpoint (either side): taken off the queue; a queued
 *    caller's capabilities never left its table, so nothing is lost.
 *  - REPLY_BLOCKED: its server's reply state becomes ORPHANED (the reply
 *    will be dropped) and the server's inherited priority is restored.
 *  - serving a caller: that caller is woken with NX_ERR_NOT_FOUND (its
 *    server is gone). A thread can be both (a server that called another
 *    server); both are handled.
 * Afterwards `t` is IDLE with no reply state.
 */
void ipc_thread_cancel(ipc_system_t *sys, ipc_thread_t *t);

#ifdef __cplusplus
}
#endif

#endif
