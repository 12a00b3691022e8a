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

#endif
