/*
 * Wait sets: waiting on several notifications at once, with a deadline. A
 * wait set holds up to WAITSET_SLOTS entries, each a (notification, mask) in
 * a numbered slot; waitset_wait() returns as soon as any entry matches and
 * reports which slot fired and the bits it took.
 *
 * How a wait on several queues stays consistent:
 *   - The queue nodes live in the wait set (one per slot), not in the
 *     waiter, so a thread's waiter stays small. Hence one waiter at a time
 *     per wait set: a second waitset_wait() while one waits is NX_ERR_BUSY.
 *   - waitset_wait() first looks at the entries in slot order; the first one
 *     with pending bits of its mask gives them at once (the others keep
 *     theirs). Only if none matches is the waiter queued, at the tail of
 *     every entry's notification, and block() called once.
 *   - The first signal that matches one of those nodes completes the waiter:
 *     all its nodes are unlinked from every queue before wake() is called
 *     (notification.c, notify_waiter_finish). A second notification that
 *     fires "at the same time" (the next call; the caller serializes them)
 *     no longer finds the waiter, so its bits stay pending: one wake-up, no
 *     bit lost. Timeout and cancel unlink every node the same way.
 *   - One notification may appear in at most one slot (combine the masks
 *     instead), which keeps a signal's queue walk simple: finishing a waiter
 *     removes only the node the walk is looking at from that queue.
 *   - Entries cannot change while a waiter waits (NX_ERR_BUSY): the queued
 *     nodes are the entries.
 * Each entry counts as a user of its notification (notification_destroy()
 * refuses while named); references to the objects are the syscall layer's.
 */
#ifndef NEURON_WAITSET_H
#define NEURON_WAITSET_H

#include <stdint.h>

#include "neuron/notification.h"
#include "neuron/object.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WAITSET_SLOTS 16u

typedef struct waitset {
  object_t obj;
  notify_system_t *sys;
  notify_node_t slots[WAITSET_SLOTS]; /* slot i is free when slots[i].n is NULL */
  uint32_t used;                      /* slots in use */
  notify_waiter_t *waiter;            /* the one waiting now, or NULL */
} waitset_t;

int waitset_init(waitset_t *ws, notify_system_t *sys);

/* NX_ERR_BUSY while a waiter waits or an entry remains (remove them first:
 * each one counts as a user of its notification). */
int waitset_destroy(waitset_t *ws);

/* Adds (n, mask) in the lowest free slot and returns the slot (>= 0).
 * NX_ERR_INVALID_ARGS for NULL arguments, mask 0, or n already in the set;
 * NX_ERR_NO_MEMORY if all slots are used; NX_ERR_BUSY while a waiter waits. */
int waitset_add(waitset_t *ws, notification_t *n, uint64_t mask);

/* Frees a slot. NX_ERR_INVALID_ARGS for a NULL ws or slot out of range,
 * NX_ERR_NOT_FOUND for a free slot, NX_ERR_BUSY while a waiter waits. */
int waitset_remove(waitset_t *ws, uint32_t slot);

/* Like notification_wait() over every entry: NX_OK at once with w->index
 * (the slot) and w->bits when an entry's bits are pending (the lowest such
 * slot), NX_ERR_TIMED_OUT for NOTIFY_DEADLINE_POLL when none is, else
 * NOTIFY_BLOCKED (queued on every entry's notification, block() called).
 * NX_ERR_INVALID_ARGS for NULL arguments or an empty set, NX_ERR_BUSY if w
 * already waits or another waiter waits on ws. */
int waitset_wait(waitset_t *ws, notify_waiter_t *w, uint64_t deadline);

#ifdef __cplusplus
}
#endif

#endif
