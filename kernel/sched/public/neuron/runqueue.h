/*
 * Priority run queues: one FIFO per priority level and a bitmap of the
 * levels that are not empty.
 *
 * The queues are intrusive: the caller embeds a runq_link_t in whatever it
 * queues (the scheduler embeds one in each sched_entity_t) and passes the
 * level with every call, so this module never allocates and never needs to
 * know what it is queuing. Every operation is O(1); finding the most urgent
 * level is one count-leading-zeros of the bitmap.
 *
 * Higher level = more urgent: level RUNQ_LEVELS - 1 is picked first.
 *
 * The functions trust their arguments (a link is on the level it is said to
 * be on, a pushed link is not already queued): the scheduler validates
 * states before it calls them. runq_check() verifies everything, for tests.
 *
 * Each level's list is circular around a sentinel inside the runq_t, so a
 * runq_t must not be copied or moved after runq_init(). No lock is taken;
 * the caller serializes access.
 */
#ifndef NEURON_RUNQUEUE_H
#define NEURON_RUNQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RUNQ_LEVELS 32 /* one bit of a uint32_t bitmap per level */

/* Links of a queued element. Both NULL while it is on no queue. */
typedef struct runq_link {
  struct runq_link *prev;
  struct runq_link *next;
} runq_link_t;

/* Read-only outside runqueue.c. */
typedef struct runq {
  runq_link_t level[RUNQ_LEVELS]; /* sentinels of the circular per-level lists */
  uint32_t bitmap;                /* bit p set <=> level p is not empty */
  uint32_t count;                 /* links queued, all levels together */
} runq_t;

/* The highest set bit of a non-zero word (undefined for 0), by binary
 * search: about 15 instructions, where __builtin_clz without Zbb is a
 * 35-instruction bit trick. */
static inline unsigned runq_msb32_search(uint32_t x) {
  unsigned r = 0;
  if (x >> 16) {
    x >>= 16;
    r += 16;
  }
  if (x >> 8) {
    x >>= 8;
    r += 8;
  }
  if (x >> 4) {
    x >>= 4;
    r += 4;
  }
  if (x >> 2) {
    x >>= 2;
    r += 2;
  }
  return r + (x >> 1);
}

/* The highest set bit of a non-zero word (undefined for 0): one clz
 * instruction where the ISA has one (Zbb, or the host), the search
 * otherwise. */
static inline unsigned runq_msb32(uint32_t x) {
#if defined(__riscv) && !defined(__riscv_zbb)
  return runq_msb32_search(x);
#else
  return 31u - (unsigned)__builtin_clz(x);
#endif
}

void runq_init(runq_t *rq);

/* Appends `link` to the end of `level` (it runs after everything queued
 * there), or puts it at the front (it runs next among its level). */
void runq_push_tail(runq_t *rq, runq_link_t *link, unsigned level);
void runq_push_head(runq_t *rq, runq_link_t *link, unsigned level);

/* Takes `link` off `level`, wherever it is in the list. */
void runq_remove(runq_t *rq, runq_link_t *link, unsigned level);

/* The most urgent non-empty level, or -1 when every level is empty. */
int runq_highest(const runq_t *rq);

/* The first link of the most urgent non-empty level (what runs next), or
 * NULL when the queues are empty. Does not remove it. */
runq_link_t *runq_first(const runq_t *rq);

/* The first link of `level`, or NULL; runq_next() is the one after `link`
 * on the same level, or NULL at the end. For walking a level in order. */
runq_link_t *runq_level_first(const runq_t *rq, unsigned level);
runq_link_t *runq_next(const runq_t *rq, const runq_link_t *link, unsigned level);

static inline bool runq_level_empty(const runq_t *rq, unsigned level) {
  return level >= RUNQ_LEVELS || (rq->bitmap & (1u << level)) == 0;
}

/* Walks every level (O(links); for tests and debug builds): NX_OK if the
 * lists are well linked, the bitmap matches the non-empty levels and the
 * count matches the links; otherwise NX_ERR_BAD_FORMAT. */
int runq_check(const runq_t *rq);

#ifdef __cplusplus
}
#endif

#endif
