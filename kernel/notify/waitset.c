/* Wait sets: one waiter queued on several notifications (see neuron/waitset.h). */
#include "neuron/waitset.h"

#include "kernel/notify/notify_internal.h"
#include "neuron/errors.h"

int waitset_init(waitset_t *ws, notify_system_t *sys) {
  if (!ws || !sys) return NX_ERR_INVALID_ARGS;
  ws->obj.type = OBJ_WAITSET;
  ws->obj.refs = 1;
  ws->sys = sys;
#pragma clang loop unroll(disable)
  /* Not unrolled (nor the slot scan in waitset_add): a loop is a fraction
   * of the code its 16 copies would be, and these run once per creation or
   * add. */
  for (uint32_t i = 0; i < WAITSET_SLOTS; i++) ws->slots[i] = (notify_node_t){.index = i};
  ws->used = 0;
  ws->waiter = NULL;
  return NX_OK;
}

int waitset_destroy(waitset_t *ws) {
  if (!ws || ws->obj.type != OBJ_WAITSET) return NX_ERR_INVALID_ARGS;
  if (ws->waiter || ws->used != 0) return NX_ERR_BUSY;
  ws->obj.type = OBJ_NONE;
  return NX_OK;
}

int waitset_add(waitset_t *ws, notification_t *n, uint64_t mask) {
  if (!ws || !n || mask == 0) return NX_ERR_INVALID_ARGS;
  if (ws->waiter) return NX_ERR_BUSY;
  int free_slot = -1;
#pragma clang loop unroll(disable)
  for (uint32_t i = 0; i < WAITSET_SLOTS; i++) {
    if (ws->slots[i].n == n) return NX_ERR_INVALID_ARGS;
    if (!ws->slots[i].n && free_slot < 0) free_slot = (int)i;
  }
  if (free_slot < 0) return NX_ERR_NO_MEMORY;
  ws->slots[free_slot] = (notify_node_t){.n = n, .mask = mask, .index = (uint32_t)free_slot};
  ws->used++;
  n->users++;
  return free_slot;
}

int waitset_remove(waitset_t *ws, uint32_t slot) {
  if (!ws || slot >= WAITSET_SLOTS) return NX_ERR_INVALID_ARGS;
  if (!ws->slots[slot].n) return NX_ERR_NOT_FOUND;
  if (ws->waiter) return NX_ERR_BUSY;
  ws->slots[slot].n->users--;
  ws->slots[slot] = (notify_node_t){.index = slot};
  ws->used--;
  return NX_OK;
}

int waitset_wait(waitset_t *ws, notify_waiter_t *w, uint64_t deadline) {
  if (!ws || !w || ws->used == 0) return NX_ERR_INVALID_ARGS;
  if (w->state != NOTIFY_WAITER_IDLE) {
    return w->state == NOTIFY_WAITER_WAITING ? NX_ERR_BUSY : NX_ERR_INVALID_ARGS;
  }
  if (ws->waiter) return NX_ERR_BUSY;
  /* Anything already pending is taken without queueing: the lowest slot
   * wins, and only that entry's bits are taken. */
  for (uint32_t i = 0; i < WAITSET_SLOTS; i++) {
    notify_node_t *node = &ws->slots[i];
    if (!node->n) continue;
    uint64_t take = node->n->pending & node->mask;
    if (take) return notify_take_now(ws->sys, node->n, w, take, i);
  }
  if (deadline == NOTIFY_DEADLINE_POLL) return notify_poll_empty(w);
  /* Nothing matched, so no queued node can match either until a signal
   * comes: queue on every entry, then block once. */
  w->nodes = ws->slots;
  w->node_count = WAITSET_SLOTS;
  w->ws = ws;
  w->sys = ws->sys;
  w->state = NOTIFY_WAITER_WAITING;
  ws->waiter = w;
  for (uint32_t i = 0; i < WAITSET_SLOTS; i++) {
    notify_node_t *node = &ws->slots[i];
    if (!node->n) continue;
    node->waiter = w;
    notify_enqueue(node->n, node);
  }
  ws->sys->counters.blocks++;
  ws->sys->ops->block(w, deadline);
  return NOTIFY_BLOCKED;
}
