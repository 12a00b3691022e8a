/*
 * Notifications: kernel objects that hold 64 signal bits, the way a device
 * interrupt, a timer or another thread tells a thread "something happened"
 * without a message. notification_signal() ORs bits in; a waiter asks for the
 * bits of a mask and takes (clears) those that are pending, or blocks until a
 * signal brings one.
 *
 * The module does not know threads. A thread that may wait embeds a
 * notify_waiter_t; the kernel gives the module two callbacks (notify_ops_t):
 *   block(w, deadline)  the waiter has been queued; stop running it until
 *                       wake() or the deadline (NOTIFY_DEADLINE_NEVER: none).
 *                       The kernel plugs in sched_block / sched_sleep_until.
 *   wake(w, result)     the wait is over: result NX_OK (w->bits and w->index
 *                       say what arrived) or NX_ERR_TIMED_OUT. The kernel plugs
 *                       in sched_wake / sched_cancel, and the syscall result.
 * Every block() is followed by exactly one wake(), unless the wait is
 * cancelled (notify_waiter_cancel(), for a thread that is being killed), which
 * calls neither. The callbacks must not call back into this module (a signal
 * may be walking a queue while it calls wake()).
 *
 * Timeouts: the module keeps no clock. When a waiter's deadline passes the
 * kernel calls notify_waiter_timeout(), which takes it off every queue and
 * calls wake(w, NX_ERR_TIMED_OUT). A signal and a timeout that race are
 * serialized by the caller; whichever comes second finds the waiter idle and
 * changes nothing (so there is never a lost or a double wake-up). A deadline
 * of NOTIFY_DEADLINE_POLL (0) never blocks: nothing pending means
 * NX_ERR_TIMED_OUT at once.
 *
 * Which waiter gets the bits (the policy):
 *   - Waiters queue in FIFO order. A waiter is queued only if nothing it asked
 *     for was pending, so at all times no queued waiter's mask meets the
 *     pending bits (notification_check() checks this).
 *   - A signal walks the queue from the head: each waiter whose mask meets the
 *     pending bits takes exactly (pending & mask), which are cleared, and is
 *     woken. Bits it did not ask for stay pending for the waiters behind it
 *     and for later waits. The walk stops when nothing is pending.
 *   So one signal may wake several waiters (with disjoint bits), a waiter is
 *   never woken with bits outside its mask, and a bit is delivered to at most
 *   one waiter. The walk is O(queued waiters).
 *
 * A waiter may be queued on several notifications at once (a wait set,
 * neuron/waitset.h): it then has one node per notification. Whichever node
 * matches first completes the waiter and unlinks all its nodes before wake()
 * is called, so no other notification can see it again.
 *
 * Memory: nothing is allocated; notifications and waiters are embedded in or
 * provided by the caller. No lock is taken; the caller serializes access (one
 * hart, interrupts off).
 */
#ifndef NEURON_NOTIFICATION_H
#define NEURON_NOTIFICATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "neuron/object.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NOTIFY_DEADLINE_POLL 0u          /* never block */
#define NOTIFY_DEADLINE_NEVER UINT64_MAX /* block until a signal */

/* The value of notification_wait() / waitset_wait() when the caller was
 * queued and block() was called: the result comes later through wake(). */
#define NOTIFY_BLOCKED 1

struct notification;
struct notify_waiter;
struct waitset;

/* A doubly linked list link; a node whose next is NULL is on no list. */
typedef struct notify_link {
  struct notify_link *prev, *next;
} notify_link_t;

/* One (notification, mask) a waiter waits for. link must stay first (the
 * queue code turns a link back into its node). Read-only outside the
 * module. */
typedef struct notify_node {
  notify_link_t link;           /* in n's queue while the waiter waits */
  struct notification *n;       /* what it waits on (NULL: a free wait-set slot) */
  uint64_t mask;                /* the bits it asks for (never 0) */
  struct notify_waiter *waiter; /* its waiter, while queued */
  uint32_t index;               /* 0, or its slot in a wait set */
} notify_node_t;

typedef enum notify_waiter_state {
  NOTIFY_WAITER_IDLE = 1, /* on no queue; result, bits, index hold the last outcome */
  NOTIFY_WAITER_WAITING,  /* queued (every node of it), block() was called */
} notify_waiter_state_t;

typedef struct notify_waiter {
  notify_node_t self;        /* the node of a wait on one notification */
  notify_node_t *nodes;      /* the nodes of the current wait: &self or a wait set's */
  uint32_t node_count;       /* how many entries nodes has (free slots included) */
  struct waitset *ws;        /* the wait set of the current wait, or NULL */
  struct notify_system *sys; /* whose callbacks and counters the wait uses */
  uint8_t state;             /* a notify_waiter_state_t */
  int result;                /* NX_OK or NX_ERR_TIMED_OUT, once IDLE again */
  uint64_t bits;             /* the bits it took (result NX_OK) */
  uint32_t index;            /* which node took them (its wait-set slot) */
} notify_waiter_t;

typedef struct notify_ops {
  void (*block)(notify_waiter_t *w, uint64_t deadline);
  void (*wake)(notify_waiter_t *w, int result);
} notify_ops_t;

/* Counters for tests: how waits ended. (A wake-up by a signal is the
 * kernel's to count, with every other wake-up: kernel.stats.wakeups. The
 * signal path, the hot one, counts nothing here.) */
typedef struct notify_counters {
  uint64_t immediate; /* waits that took pending bits without blocking */
  uint64_t blocks;    /* waits that blocked */
  uint64_t timeouts;  /* waiters woken by notify_waiter_timeout() (polls excluded) */
  uint64_t cancels;   /* waits ended by notify_waiter_cancel() */
} notify_counters_t;

/* The callbacks and counters shared by every notification of a kernel. */
typedef struct notify_system {
  const notify_ops_t *ops;
  notify_counters_t counters;
} notify_system_t;

typedef struct notification {
  object_t obj;
  notify_system_t *sys;
  uint64_t pending;      /* signalled, not yet taken */
  notify_link_t waiters; /* queue head (a circular list), FIFO */
  uint32_t queued;       /* nodes on the queue */
  uint32_t users;        /* wait-set entries and interrupts that name it */
} notification_t;

/* NX_ERR_INVALID_ARGS for a NULL argument or callback. */
int notify_system_init(notify_system_t *sys, const notify_ops_t *ops);

/* An object with one reference (the creator's), nothing pending, no waiter. */
int notification_init(notification_t *n, notify_system_t *sys);

/* Ends a notification. NX_ERR_BUSY while a waiter is queued or a wait set
 * entry or an interrupt names it (whoever holds a capability to it keeps a
 * reference, so with the syscall layer in place this cannot happen; the
 * check guards the module's invariants). Pending bits are dropped. */
int notification_destroy(notification_t *n);

/* Prepares a waiter (IDLE). Must not be called while it waits. */
int notify_waiter_init(notify_waiter_t *w);

/* ORs `bits` (not 0) in and wakes the waiters that now match (see the policy
 * above). NX_ERR_INVALID_ARGS for a NULL n or bits 0. */
int notification_signal(notification_t *n, uint64_t bits);

/* A signal's direct case, split like a syscall (check, then commit), for a
 * kernel that switches to the woken thread itself instead of waking it:
 * notification_direct_waiter() returns n's waiter when it is the only one,
 * waits on n alone (not through a wait set) and would take some of
 * pending | bits, else NULL; it changes nothing. notification_signal_to()
 * then signals as notification_signal() would, completing that waiter
 * (IDLE, NX_OK, its bits), but does not call ops->wake: the caller makes it
 * run. */
notify_waiter_t *notification_direct_waiter(const notification_t *n, uint64_t bits);
void notification_signal_to(notification_t *n, uint64_t bits, notify_waiter_t *w);

/* Takes the pending bits of `mask` (not 0): if any are pending, clears them,
 * records them in w (bits, index 0, result NX_OK) and returns NX_OK without
 * blocking. Otherwise: NX_ERR_TIMED_OUT for deadline NOTIFY_DEADLINE_POLL,
 * else queues w at the tail, calls block(w, deadline) and returns
 * NOTIFY_BLOCKED. NX_ERR_INVALID_ARGS for NULL arguments or mask 0,
 * NX_ERR_BUSY if w is already waiting. */
int notification_wait(notification_t *n, notify_waiter_t *w, uint64_t mask, uint64_t deadline);

/* The deadline of a waiting w passed: off every queue, result
 * NX_ERR_TIMED_OUT, wake() called. NX_ERR_INVALID_ARGS (and nothing done) if
 * it is not waiting, e.g. a signal woke it first. */
int notify_waiter_timeout(notify_waiter_t *w);

/* Ends the wait of a waiting w without a wake-up (its thread is being
 * killed): off every queue, IDLE. O(1) per queue it is on.
 * NX_ERR_INVALID_ARGS if it is not waiting. */
int notify_waiter_cancel(notify_waiter_t *w);

/* The bits pending on n. */
uint64_t notification_pending(const notification_t *n);

/* Walks n's queue (O(waiters); tests and debug builds): NX_OK if the list is
 * well formed, its length is `queued`, every node points back to n and to a
 * WAITING waiter, and no queued mask meets the pending bits; else
 * NX_ERR_BAD_FORMAT. */
int notification_check(const notification_t *n);

#ifdef __cplusplus
}
#endif

#endif
