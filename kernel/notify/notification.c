/* Notifications: signal bits, waiters, timeouts (see neuron/notification.h). */
#include "neuron/notification.h"

#include "kernel/notify/notify_internal.h"
#include "neuron/errors.h"
#include "neuron/waitset.h"

static void list_init(notify_link_t *head) { head->prev = head->next = head; }

static void list_unlink(notify_link_t *l) {
  l->prev->next = l->next;
  l->next->prev = l->prev;
  l->prev = l->next = NULL; /* "on no list" */
}

int notify_system_init(notify_system_t *sys, const notify_ops_t *ops) {
  if (!sys || !ops || !ops->block || !ops->wake) return NX_ERR_INVALID_ARGS;
  sys->ops = ops;
  sys->counters = (notify_counters_t){0};
  return NX_OK;
}

int notification_init(notification_t *n, notify_system_t *sys) {
  if (!n || !sys) return NX_ERR_INVALID_ARGS;
  n->obj.type = OBJ_NOTIFICATION;
  n->obj.refs = 1;
  n->sys = sys;
  n->pending = 0;
  list_init(&n->waiters);
  n->queued = 0;
  n->users = 0;
  return NX_OK;
}

int notification_destroy(notification_t *n) {
  if (!n || n->obj.type != OBJ_NOTIFICATION) return NX_ERR_INVALID_ARGS;
  if (n->queued != 0 || n->users != 0) return NX_ERR_BUSY;
  n->obj.type = OBJ_NONE; /* a stale pointer no longer looks like a notification */
  n->pending = 0;
  return NX_OK;
}

int notify_waiter_init(notify_waiter_t *w) {
  if (!w) return NX_ERR_INVALID_ARGS;
  if (w->state == NOTIFY_WAITER_WAITING) return NX_ERR_BUSY;
  *w = (notify_waiter_t){0};
  w->state = NOTIFY_WAITER_IDLE;
  w->result = NX_OK;
  return NX_OK;
}

void notify_enqueue(notification_t *n, notify_node_t *node) {
  notify_link_t *tail = n->waiters.prev;
  node->link.prev = tail;
  node->link.next = &n->waiters;
  tail->next = &node->link;
  n->waiters.prev = &node->link;
  n->queued++;
}

/* Not inlined into this file's four callers: the ends of a wait are no
 * hot path (notify_fast.S has its own). */
__attribute__((noinline)) void notify_waiter_finish(notify_waiter_t *w, int result, uint64_t bits,
                                                    uint32_t index) {
  /* Every node goes before anyone is told, so the notification whose signal
   * is completing w, and every other one w waits on, no longer sees it: this
   * is what makes a second wake-up impossible. */
  for (uint32_t i = 0; i < w->node_count; i++) {
    notify_node_t *node = &w->nodes[i];
    if (!node->link.next) continue; /* a free slot, or a node that was never queued */
    list_unlink(&node->link);
    node->n->queued--;
    node->waiter = NULL;
  }
  if (w->ws) w->ws->waiter = NULL;
  w->ws = NULL;
  w->state = NOTIFY_WAITER_IDLE;
  w->result = result;
  w->bits = bits;
  w->index = index;
}

/* The bits of n's pending ones that `node` waits for go to its waiter,
 * which is finished (IDLE, NX_OK) and returned; NULL if it takes none.
 * Not inlined: a signal and a direct hand-over share it. */
__attribute__((noinline)) static notify_waiter_t *complete_node(notification_t *n,
                                                                notify_node_t *node) {
  uint64_t take = n->pending & node->mask;
  if (!take) return NULL;
  notify_waiter_t *w = node->waiter;
  n->pending &= ~take;
  notify_waiter_finish(w, NX_OK, take, node->index);
  return w;
}

int notification_signal(notification_t *n, uint64_t bits) {
  if (!n || bits == 0) return NX_ERR_INVALID_ARGS;
  n->pending |= bits;
  /* FIFO walk. The next link is read before a waiter is finished: finishing
   * unlinks that waiter's nodes, and a wait set never names one
   * notification twice (waitset_add refuses it), so only the current node
   * of this queue goes away. */
  notify_link_t *l = n->waiters.next;
  while (l != &n->waiters && n->pending != 0) {
    notify_link_t *next = l->next;
    notify_waiter_t *w = complete_node(n, (notify_node_t *)l);
    if (w) n->sys->ops->wake(w, NX_OK);
    l = next;
  }
  return NX_OK;
}

notify_waiter_t *notification_direct_waiter(const notification_t *n, uint64_t bits) {
  if (!n || bits == 0 || n->queued != 1) return NULL;
  const notify_node_t *node = (const notify_node_t *)n->waiters.next;
  notify_waiter_t *w = node->waiter;
  /* Its own node (self) is queued only by a wait on n alone: a wait set
   * queues its slots instead. */
  if (node != &w->self || ((n->pending | bits) & node->mask) == 0) return NULL;
  return w;
}

void notification_signal_to(notification_t *n, uint64_t bits, notify_waiter_t *w) {
  n->pending |= bits;
  complete_node(n, &w->self); /* takes some: notification_direct_waiter checked */
}

int notify_take_now(notify_system_t *sys, notification_t *n, notify_waiter_t *w, uint64_t take,
                    uint32_t index) {
  n->pending &= ~take;
  w->result = NX_OK;
  w->bits = take;
  w->index = index;
  sys->counters.immediate++;
  return NX_OK;
}

int notify_poll_empty(notify_waiter_t *w) {
  w->result = NX_ERR_TIMED_OUT;
  w->bits = 0;
  w->index = 0;
  return NX_ERR_TIMED_OUT;
}

int notification_wait(notification_t *n, notify_waiter_t *w, uint64_t mask, uint64_t deadline) {
  if (!n || !w || mask == 0) return NX_ERR_INVALID_ARGS;
  if (w->state != NOTIFY_WAITER_IDLE) {
    return w->state == NOTIFY_WAITER_WAITING ? NX_ERR_BUSY : NX_ERR_INVALID_ARGS;
  }
  uint64_t take = n->pending & mask;
  if (take) return notify_take_now(n->sys, n, w, take, 0);
  if (deadline == NOTIFY_DEADLINE_POLL) return notify_poll_empty(w);
  w->self = (notify_node_t){.n = n, .mask = mask, .waiter = w, .index = 0};
  w->nodes = &w->self;
  w->node_count = 1;
  w->ws = NULL;
  w->sys = n->sys;
  w->state = NOTIFY_WAITER_WAITING;
  notify_enqueue(n, &w->self);
  n->sys->counters.blocks++;
  n->sys->ops->block(w, deadline);
  return NOTIFY_BLOCKED;
}

int notify_waiter_timeout(notify_waiter_t *w) {
  if (!w || w->state != NOTIFY_WAITER_WAITING) return NX_ERR_INVALID_ARGS;
  notify_system_t *sys = w->sys;
  notify_waiter_finish(w, NX_ERR_TIMED_OUT, 0, 0);
  sys->counters.timeouts++;
  sys->ops->wake(w, NX_ERR_TIMED_OUT);
  return NX_OK;
}

int notify_waiter_cancel(notify_waiter_t *w) {
  if (!w || w->state != NOTIFY_WAITER_WAITING) return NX_ERR_INVALID_ARGS;
  notify_system_t *sys = w->sys;
  notify_waiter_finish(w, NX_ERR_TIMED_OUT, 0, 0);
  sys->counters.cancels++;
  return NX_OK;
}

uint64_t notification_pending(const notification_t *n) { return n->pending; }

int notification_check(const notification_t *n) {
  if (!n || n->obj.type != OBJ_NOTIFICATION) return NX_ERR_BAD_FORMAT;
  uint32_t count = 0;
  const notify_link_t *prev = &n->waiters;
  for (const notify_link_t *l = n->waiters.next; l != &n->waiters; l = l->next) {
    if (!l || l->prev != prev || ++count > n->queued) return NX_ERR_BAD_FORMAT;
    const notify_node_t *node = (const notify_node_t *)l;
    if (node->n != n || !node->waiter || node->waiter->state != NOTIFY_WAITER_WAITING)
      return NX_ERR_BAD_FORMAT;
    if (node->mask == 0 || (node->mask & n->pending) != 0) return NX_ERR_BAD_FORMAT;
    prev = l;
  }
  if (n->waiters.prev != prev || count != n->queued) return NX_ERR_BAD_FORMAT;
  return NX_OK;
}
