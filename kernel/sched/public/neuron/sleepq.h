/*
 * The sleep queue: elements waiting for an absolute deadline, earliest
 * first.
 *
 * It is an intrusive pairing heap. The caller embeds a sleepq_node_t in
 * whatever sleeps (the scheduler embeds one in each sched_entity_t), so
 * nothing is allocated. Costs, with n sleepers:
 *   - insert and looking at the earliest: O(1);
 *   - taking the earliest off, or removing any node (a cancelled timeout):
 *     O(log n) amortized.
 * A sorted list would make insert O(n), which a kernel with many timed
 * waits cannot afford; a binary heap would need an array, i.e. allocation
 * or a fixed limit. The merging is iterative, never recursive, so the
 * kernel stack use is constant whatever the heap's shape.
 *
 * Order is by deadline, then by insertion order (a sequence number), so
 * sleepers with the same deadline leave in the order they arrived and the
 * queue's behaviour is fully deterministic.
 *
 * The functions trust their arguments (an inserted node is not already in
 * the heap, a removed node is in this one): the scheduler validates states
 * before it calls them. sleepq_check() verifies everything, for tests.
 * No lock is taken; the caller serializes access.
 */
#ifndef NEURON_SLEEPQ_H
#define NEURON_SLEEPQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SLEEPQ_NONE UINT64_MAX /* "no deadline": the earliest of an empty queue */

/* A node of the heap. The links are the usual child/sibling form of a
 * pairing heap; `prev` points to the left sibling, or to the parent for a
 * first child, which is what makes removing any node O(1) before the merge.
 * All links are NULL while the node is in no heap. */
typedef struct sleepq_node {
  uint64_t deadline; /* absolute time, in the caller's unit */
  uint64_t seq;      /* insertion order, breaks ties between equal deadlines */
  struct sleepq_node *child;
  struct sleepq_node *next;
  struct sleepq_node *prev;
} sleepq_node_t;

/* Read-only outside sleepq.c. */
typedef struct sleepq {
  sleepq_node_t *root; /* the earliest node, or NULL */
  size_t count;        /* nodes in the heap */
  uint64_t next_seq;   /* sequence number of the next insert */
} sleepq_t;

void sleepq_init(sleepq_t *q);

/* Adds `node` with `deadline`. */
void sleepq_insert(sleepq_t *q, sleepq_node_t *node, uint64_t deadline);

/* The earliest node (ties: the first inserted), or NULL when empty. */
static inline sleepq_node_t *sleepq_min(const sleepq_t *q) { return q->root; }

/* The earliest deadline, or SLEEPQ_NONE when empty. */
static inline uint64_t sleepq_min_deadline(const sleepq_t *q) {
  return q->root ? q->root->deadline : SLEEPQ_NONE;
}

/* Takes the earliest node off if its deadline is <= now, else returns NULL
 * and changes nothing. Calling it until NULL drains every due node, in
 * deadline order. */
sleepq_node_t *sleepq_pop_due(sleepq_t *q, uint64_t now);

/* Takes `node` off the heap, wherever it is. */
void sleepq_remove(sleepq_t *q, sleepq_node_t *node);

static inline size_t sleepq_count(const sleepq_t *q) { return q->count; }

/* Walks the heap (O(n); for tests and debug builds): NX_OK if the links are
 * consistent, every node is no earlier than its parent and the count
 * matches; otherwise NX_ERR_BAD_FORMAT. If `visit` is not NULL it is called
 * on every node and a false return fails the check (the scheduler uses it
 * to check the state of each sleeper). */
int sleepq_check(const sleepq_t *q, bool (*visit)(const sleepq_node_t *node, void *ctx), void *ctx);

#ifdef __cplusplus
}
#endif

#endif
