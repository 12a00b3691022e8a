/*
 * The scheduler: states, slices and the tickless timer policy on top of the
 * run queues (runqueue.c) and the sleep queue (sleepq.c).
 *
 * Every public call validates the entity's state before touching a queue,
 * and the state alone says which queue (if any) the entity is on: READY
 * means on the run queue of level `prio`, SLEEPING means on the sleep
 * queue, anything else means on none. Keeping that one rule is what lets a
 * bad call (a double wake, a cancel of a thread that is not sleeping) fail
 * cleanly instead of linking an entity twice.
 */
#include "neuron/sched.h"

#include "neuron/errors.h"

#define ENTITY_OF(ptr, member) \
  ((sched_entity_t *)(void *)((char *)(ptr)-offsetof(sched_entity_t, member)))
#define CONST_ENTITY_OF(ptr, member) \
  ((const sched_entity_t *)(const void *)((const char *)(ptr)-offsetof(sched_entity_t, member)))

/* Whether e looks like an initialized entity. Catches NULL and zeroed
 * memory (state 0), not arbitrary garbage. */
static bool valid(const sched_entity_t *e) {
  return e && e->state >= SCHED_RUNNING && e->state <= SCHED_DEAD && e->prio <= SCHED_PRIO_MAX &&
         e->base_prio <= SCHED_PRIO_MAX;
}

static bool in_state(const sched_entity_t *e, sched_state_t st) {
  return valid(e) && e->state == st;
}

/* Links a READY entity into its level. */
static void enqueue(sched_t *s, sched_entity_t *e, bool at_head) {
  e->state = SCHED_READY;
  if (at_head) {
    runq_push_head(&s->rq, &e->rq_link, e->prio);
  } else {
    runq_push_tail(&s->rq, &e->rq_link, e->prio);
  }
}

/* READY at the tail with a full slice: the start of a new turn. */
static void enqueue_fresh(sched_t *s, sched_entity_t *e) {
  e->slice_left = e->slice;
  enqueue(s, e, false);
}

/* Takes e off whichever queue its state says it is on. */
static void unlink(sched_t *s, sched_entity_t *e) {
  if (e->state == SCHED_READY) {
    runq_remove(&s->rq, &e->rq_link, e->prio);
  } else if (e->state == SCHED_SLEEPING) {
    sleepq_remove(&s->sleepq, &e->sleep);
  }
}

void sched_init(sched_t *s) {
  runq_init(&s->rq);
  sleepq_init(&s->sleepq);
  s->counters = (sched_counters_t){0};
}

int sched_entity_init(sched_entity_t *e, unsigned prio, uint64_t slice) {
  if (!e || prio > SCHED_PRIO_MAX || slice == 0) return NX_ERR_INVALID_ARGS;
  e->rq_link = (runq_link_t){0};
  e->sleep = (sleepq_node_t){0};
  e->slice = slice;
  e->slice_left = slice;
  e->slice_end = 0;
  e->state = SCHED_BLOCKED;
  e->base_prio = (uint8_t)prio;
  e->prio = (uint8_t)prio;
  return NX_OK;
}

int sched_set_slice(sched_entity_t *e, uint64_t slice) {
  if (!valid(e) || e->state == SCHED_DEAD || slice == 0) return NX_ERR_INVALID_ARGS;
  e->slice = slice;
  return NX_OK;
}

int sched_wake(sched_t *s, sched_entity_t *e) {
  if (!in_state(e, SCHED_BLOCKED)) return NX_ERR_INVALID_ARGS;
  enqueue_fresh(s, e);
  return NX_OK;
}

int sched_block(sched_t *s, sched_entity_t *e) {
  if (!in_state(e, SCHED_RUNNING) && !in_state(e, SCHED_READY)) return NX_ERR_INVALID_ARGS;
  unlink(s, e);
  e->state = SCHED_BLOCKED;
  return NX_OK;
}

int sched_sleep_until(sched_t *s, sched_entity_t *e, uint64_t deadline) {
  if (!in_state(e, SCHED_RUNNING) && !in_state(e, SCHED_READY)) return NX_ERR_INVALID_ARGS;
  if (deadline == SCHED_TIME_NONE) return NX_ERR_INVALID_ARGS;
  unlink(s, e);
  e->state = SCHED_SLEEPING;
  sleepq_insert(&s->sleepq, &e->sleep, deadline);
  return NX_OK;
}

int sched_cancel(sched_t *s, sched_entity_t *e) {
  if (!in_state(e, SCHED_SLEEPING)) return NX_ERR_INVALID_ARGS;
  sleepq_remove(&s->sleepq, &e->sleep);
  enqueue_fresh(s, e);
  return NX_OK;
}

/* Wakes the due sleepers and counts the pass. The heap yields them earliest
 * first, so the run queues receive them in deadline order. */
static size_t expire_due(sched_t *s, uint64_t now) {
  size_t woken = 0;
  sleepq_node_t *n;
  while ((n = sleepq_pop_due(&s->sleepq, now)) != NULL) {
    enqueue_fresh(s, ENTITY_OF(n, sleep));
    woken++;
  }
  sched_counters_t *c = &s->counters;
  c->expire_passes++;
  if (woken) {
    c->expire_woke++;
    c->woken += woken;
  } else {
    c->expire_empty++;
  }
  return woken;
}

size_t sched_expire(sched_t *s, uint64_t now) { return expire_due(s, now); }

int sched_exit(sched_t *s, sched_entity_t *e) {
  if (!valid(e) || e->state == SCHED_DEAD) return NX_ERR_INVALID_ARGS;
  unlink(s, e);
  e->state = SCHED_DEAD;
  return NX_OK;
}

sched_entity_t *sched_peek(const sched_t *s) {
  runq_link_t *l = runq_first(&s->rq);
  return l ? ENTITY_OF(l, rq_link) : NULL;
}

sched_entity_t *sched_pick(sched_t *s, uint64_t now) {
  sched_entity_t *e = sched_peek(s);
  if (!e) {
    s->counters.idle_picks++;
    return NULL;
  }
  runq_remove(&s->rq, &e->rq_link, e->prio);
  e->state = SCHED_RUNNING;
  e->slice_end = sched_time_after(now, e->slice_left);
  return e;
}

int sched_relinquish(sched_t *s, sched_entity_t *e) {
  if (!in_state(e, SCHED_RUNNING)) return NX_ERR_INVALID_ARGS;
  enqueue_fresh(s, e);
  return NX_OK;
}

int sched_preempt(sched_t *s, sched_entity_t *e, uint64_t now) {
  if (!in_state(e, SCHED_RUNNING)) return NX_ERR_INVALID_ARGS;
  /* What is left of its turn, until its end; never more than a full slice
   * (which only a clock read before the pick could give: the timebase is
   * monotonic). */
  if (now >= e->slice_end) {
    enqueue_fresh(s, e);
  } else {
    uint64_t rest = e->slice_end - now;
    e->slice_left = rest < e->slice ? rest : e->slice;
    enqueue(s, e, true);
  }
  return NX_OK;
}

/* Not inlined into the two calls below: no hot path changes a priority. */
__attribute__((noinline)) int sched_set_priority(sched_t *s, sched_entity_t *e, unsigned prio) {
  if (!valid(e) || e->state == SCHED_DEAD || prio > SCHED_PRIO_MAX) return NX_ERR_INVALID_ARGS;
  if (prio == e->prio) return NX_OK;
  if (e->state == SCHED_READY) {
    runq_remove(&s->rq, &e->rq_link, e->prio);
    e->prio = (uint8_t)prio;
    runq_push_tail(&s->rq, &e->rq_link, e->prio);
  } else {
    e->prio = (uint8_t)prio;
  }
  return NX_OK;
}

int sched_set_base_priority(sched_t *s, sched_entity_t *e, unsigned prio) {
  int err = sched_set_priority(s, e, prio);
  if (err != NX_OK) return err;
  e->base_prio = (uint8_t)prio;
  return NX_OK;
}

int sched_restore_priority(sched_t *s, sched_entity_t *e) {
  if (!valid(e)) return NX_ERR_INVALID_ARGS;
  return sched_set_priority(s, e, e->base_prio);
}

/* `running` if it is a RUNNING entity, else NULL (idle). */
static const sched_entity_t *as_running(const sched_entity_t *running) {
  return in_state(running, SCHED_RUNNING) ? running : NULL;
}

bool sched_preempt_needed(const sched_t *s, const sched_entity_t *running) {
  /* A bit above running's level: no search for the highest one needed. */
  running = as_running(running);
  return running ? !sched_none_above(s, running->prio) : s->rq.bitmap != 0;
}

uint64_t sched_next_deadline(const sched_t *s, uint64_t now, const sched_entity_t *running) {
  uint64_t next = sleepq_min_deadline(&s->sleepq);
  running = as_running(running);
  /* Round-robin needs the timer only when a peer waits at running's level;
   * a more urgent READY entity is not a timer matter (the caller preempts at
   * once, see sched_preempt_needed()), and a less urgent one waits anyway. */
  if (running && !runq_level_empty(&s->rq, running->prio)) {
    if (running->slice_end < next) next = running->slice_end;
  }
  if (next != SCHED_TIME_NONE && next < now) next = now;
  return next;
}

bool sched_tick(sched_t *s, uint64_t now, sched_entity_t *running) {
  sched_counters_t *c = &s->counters;
  c->ticks++;
  size_t woken = expire_due(s, now);
  if (!in_state(running, SCHED_RUNNING)) running = NULL;
  bool resched = false;
  if (running && now >= running->slice_end) {
    c->slice_expiries++;
    if (!runq_level_empty(&s->rq, running->prio)) {
      resched = true; /* sched_preempt() will send it to the tail */
    } else {
      /* Nobody to take turns with: a new slice, so that a peer arriving
       * later gets the CPU one full slice from now, not at once. */
      running->slice_end = sched_time_after(now, running->slice);
    }
  }
  if (sched_preempt_needed(s, running)) resched = true;
  if (resched) {
    c->ticks_resched++;
  } else if (woken == 0) {
    c->ticks_spurious++;
  }
  return resched;
}

/* sleepq_check() visitor: every node in the sleep queue is a SLEEPING
 * entity. */
static bool sleeper_ok(const sleepq_node_t *n, void *ctx) {
  (void)ctx;
  const sched_entity_t *e = CONST_ENTITY_OF(n, sleep);
  return e->state == SCHED_SLEEPING;
}

int sched_check(const sched_t *s) {
  if (runq_check(&s->rq) != NX_OK) return NX_ERR_BAD_FORMAT;
  for (unsigned p = 0; p < SCHED_PRIORITIES; p++) {
    for (const runq_link_t *l = runq_level_first(&s->rq, p); l; l = runq_next(&s->rq, l, p)) {
      const sched_entity_t *e = CONST_ENTITY_OF(l, rq_link);
      if (e->state != SCHED_READY || e->prio != p) return NX_ERR_BAD_FORMAT;
      if (e->slice_left == 0) return NX_ERR_BAD_FORMAT;
    }
  }
  return sleepq_check(&s->sleepq, sleeper_ok, NULL);
}
