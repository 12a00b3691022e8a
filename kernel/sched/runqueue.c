/*
 * Priority run queues. Each level is a circular doubly linked list around a
 * sentinel, so push and remove need no special case for an empty list or
 * for the ends; the bitmap is updated whenever a level goes from empty to
 * non-empty or back, which is what makes picking O(1).
 */
#include "neuron/runqueue.h"

#include "neuron/errors.h"

/* runq_msb32() hands a uint32_t to __builtin_clz(unsigned int). */
_Static_assert(sizeof(unsigned) == sizeof(uint32_t), "unsigned int must be 32 bits");
_Static_assert(RUNQ_LEVELS == 32, "the bitmap is one uint32_t");

void runq_init(runq_t *rq) {
  for (unsigned i = 0; i < RUNQ_LEVELS; i++) {
    rq->level[i].prev = &rq->level[i];
    rq->level[i].next = &rq->level[i];
  }
  rq->bitmap = 0;
  rq->count = 0;
}

/* Links `link` between two neighbours that are adjacent now. */
static void insert_between(runq_link_t *link, runq_link_t *prev, runq_link_t *next) {
  link->prev = prev;
  link->next = next;
  prev->next = link;
  next->prev = link;
}

void runq_push_tail(runq_t *rq, runq_link_t *link, unsigned level) {
  runq_link_t *head = &rq->level[level];
  insert_between(link, head->prev, head);
  rq->bitmap |= 1u << level;
  rq->count++;
}

void runq_push_head(runq_t *rq, runq_link_t *link, unsigned level) {
  runq_link_t *head = &rq->level[level];
  insert_between(link, head, head->next);
  rq->bitmap |= 1u << level;
  rq->count++;
}

void runq_remove(runq_t *rq, runq_link_t *link, unsigned level) {
  runq_link_t *head = &rq->level[level];
  link->prev->next = link->next;
  link->next->prev = link->prev;
  link->prev = NULL;
  link->next = NULL;
  if (head->next == head) rq->bitmap &= ~(1u << level);
  rq->count--;
}

int runq_highest(const runq_t *rq) {
  if (rq->bitmap == 0) return -1;
  return (int)runq_msb32(rq->bitmap);
}

runq_link_t *runq_first(const runq_t *rq) {
  if (rq->bitmap == 0) return NULL;
  return rq->level[runq_msb32(rq->bitmap)].next;
}

runq_link_t *runq_level_first(const runq_t *rq, unsigned level) {
  if (level >= RUNQ_LEVELS) return NULL;
  const runq_link_t *head = &rq->level[level];
  return head->next == head ? NULL : head->next;
}

runq_link_t *runq_next(const runq_t *rq, const runq_link_t *link, unsigned level) {
  if (level >= RUNQ_LEVELS) return NULL;
  return link->next == &rq->level[level] ? NULL : link->next;
}

int runq_check(const runq_t *rq) {
  uint32_t bitmap = 0;
  uint64_t total = 0;
  for (unsigned i = 0; i < RUNQ_LEVELS; i++) {
    const runq_link_t *head = &rq->level[i];
    const runq_link_t *prev = head;
    /* Bounded by the recorded count (+1 for the sentinel), so a cycle that
     * misses the sentinel ends the walk instead of hanging it. */
    uint64_t steps = 0;
    for (const runq_link_t *l = head->next; l != head; l = l->next) {
      if (l == NULL || l->prev != prev) return NX_ERR_BAD_FORMAT;
      if (++steps > (uint64_t)rq->count) return NX_ERR_BAD_FORMAT;
      prev = l;
    }
    if (head->prev != prev) return NX_ERR_BAD_FORMAT;
    if (steps > 0) bitmap |= 1u << i;
    total += steps;
  }
  if (bitmap != rq->bitmap || total != rq->count) return NX_ERR_BAD_FORMAT;
  return NX_OK;
}
