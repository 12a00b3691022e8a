/*
 * What notification.c shares with waitset.c: queueing the nodes of a waiter
 * and ending its wait. Not part of the public API.
 */
#ifndef NEURON_NOTIFY_INTERNAL_H
#define NEURON_NOTIFY_INTERNAL_H

#include <stdint.h>

#include "neuron/notification.h"

/* Links a node at the tail of n's queue (node->n, mask and waiter are set). */
void notify_enqueue(notification_t *n, notify_node_t *node);

/* Unlinks every queued node of w, detaches it from its wait set and makes it
 * IDLE with the given outcome. Calls no callback. */
void notify_waiter_finish(notify_waiter_t *w, int result, uint64_t bits, uint32_t index);

/* A wait that needs no blocking: takes `take` from n's pending bits, gives
 * w that outcome (entry `index`) and counts it on sys. Returns NX_OK. */
int notify_take_now(notify_system_t *sys, notification_t *n, notify_waiter_t *w, uint64_t take,
                    uint32_t index);

/* A poll (NOTIFY_DEADLINE_POLL) that found nothing: gives w that outcome.
 * Returns NX_ERR_TIMED_OUT. */
int notify_poll_empty(notify_waiter_t *w);

#endif
