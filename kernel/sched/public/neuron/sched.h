/*
 * The scheduler's portable core: fixed-priority preemptive scheduling with
 * round-robin inside a priority, blocking, and a sleep queue for a tickless
 * timer.
 *
 * The kernel's thread object embeds a sched_entity_t; the scheduler only
 * links entities into its queues and never allocates. One sched_t serves one
 * hart. Pick, enqueue and dequeue are O(1); sleeping and cancelling are
 * O(1) and O(log n) amortized (see neuron/sleepq.h).
 *
 * Priorities: 0 .. SCHED_PRIO_MAX, a higher number is more urgent. The most
 * urgent READY entity always runs; entities of one priority run in FIFO
 * order and take turns when their time slice ends.
 *
 * Time is a uint64_t in ticks of the platform's timebase (the value of the
 * `time` CSR on RISC-V); the scheduler never converts it. SCHED_TIME_NONE
 * (UINT64_MAX) means "never".
 *
 * States and the calls that move an entity between them:
 *
 *   BLOCKED  --sched_wake-->                READY (tail, full slice)
 *   SLEEPING --sched_cancel, expiry-->      READY (tail, full slice)
 *   READY    --sched_pick-->                RUNNING
 *   RUNNING  --sched_relinquish-->          READY (tail, full slice)
 *   RUNNING  --sched_preempt-->             READY (head, the slice it has left;
 *                                           tail with a full slice if none left)
 *   RUNNING, READY  --sched_block-->        BLOCKED
 *   RUNNING --sched_handoff(to)-->          BLOCKED, with BLOCKED `to` RUNNING
 *   RUNNING, READY  --sched_sleep_until-->  SLEEPING
 *   any but DEAD    --sched_exit-->         DEAD (final)
 *
 * Any other transition (waking a READY entity, a second wake, cancelling an
 * entity that is not sleeping, anything on a DEAD entity...) returns
 * NX_ERR_INVALID_ARGS and changes nothing, so a kernel bug cannot corrupt
 * the queues. A RUNNING entity is on no queue: the caller holds it (as
 * "current") and gives it back with relinquish, preempt, block, sleep or exit
 * before it picks again.
 *
 * Slice semantics (those of POSIX SCHED_RR and seL4):
 *   - An entity starts its turn with a full slice when it becomes READY
 *     through a wake, a cancelled sleep, an expired sleep or
 *     sched_relinquish() (a yield).
 *   - Preempted by a more urgent entity, it goes back to the HEAD of its
 *     level and keeps the slice it has left, so being preempted does not cost
 *     it its turn.
 *   - When its slice is used up it goes to the TAIL of its level with a full
 *     slice (sched_tick() reports this; sched_preempt() does the move).
 *   - Blocking or sleeping forfeits what is left of the slice.
 *   - The slice is consumed while the entity runs, whether or not a peer is
 *     waiting. If it ran alone past its slice and a peer arrives, its slice
 *     has already ended: the next timer fires at once and the peer runs.
 *     (A timer interrupt that finds the slice used up and no peer starts a
 *     new slice instead; a tickless kernel has no such interrupt while the
 *     entity runs alone, unless a sleeper's deadline brings one.)
 *
 * No lock is taken; the caller serializes access (one hart, interrupts off).
 */
#ifndef NEURON_SCHED_H
#define NEURON_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "neuron/errors.h"
#include "neuron/runqueue.h"
#include "neuron/sleepq.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SCHED_PRIORITIES RUNQ_LEVELS /* 32 */
#define SCHED_PRIO_MIN 0
#define SCHED_PRIO_MAX (SCHED_PRIORITIES - 1)
#define SCHED_TIME_NONE UINT64_MAX

/* t + d, or SCHED_TIME_NONE if that overflows: a slice of SCHED_TIME_NONE
 * never ends. */
static inline uint64_t sched_time_after(uint64_t t, uint64_t d) {
  return d > SCHED_TIME_NONE - t ? SCHED_TIME_NONE : t + d;
}

/* Entity states. Zero is not a state, so an entity that was never passed to
 * sched_entity_init() (zeroed memory) is refused by every call. */
typedef enum sched_state {
  SCHED_RUNNING = 1, /* picked; on no queue; held by the caller */
  SCHED_READY,       /* on the run queue of its effective priority */
  SCHED_BLOCKED,     /* on no queue; waits for sched_wake() */
  SCHED_SLEEPING,    /* on the sleep queue until its deadline or sched_cancel() */
  SCHED_DEAD,        /* on no queue, for good */
} sched_state_t;

/* The part of a thread the scheduler owns. Read-only outside sched.c,
 * except through the functions below. */
typedef struct sched_entity {
  runq_link_t rq_link; /* run queue links, while READY */
  sleepq_node_t sleep; /* sleep queue node and deadline, while SLEEPING */
  uint64_t slice;      /* length of a full slice, in time units (> 0) */
  uint64_t slice_left; /* what is left of its slice for its next turn (not RUNNING) */
  uint64_t slice_end;  /* RUNNING: when its turn ends (SCHED_TIME_NONE: never) */
  uint8_t state;       /* a sched_state_t */
  uint8_t base_prio;   /* its own priority */
  uint8_t prio;        /* effective priority: base, or inherited (IPC) */
} sched_entity_t;

/* Counters for benchmarks and tests. "Expiry passes" are sched_expire()
 * calls and the expiry that each sched_tick() runs. A tickless kernel that is
 * idle, or runs one entity per priority, should see ticks_spurious stay 0. */
typedef struct sched_counters {
  uint64_t expire_passes;  /* expiry passes */
  uint64_t expire_woke;    /* ... that woke at least one sleeper */
  uint64_t expire_empty;   /* ... that woke no one */
  uint64_t woken;          /* sleepers woken by expiry, in total */
  uint64_t ticks;          /* sched_tick() calls (timer interrupts) */
  uint64_t slice_expiries; /* ticks that found the running entity's slice used up */
  uint64_t ticks_resched;  /* ticks that asked the caller to reschedule */
  uint64_t ticks_spurious; /* ticks that woke no one and asked for nothing */
  uint64_t idle_picks;     /* sched_pick() calls that found nothing ready */
} sched_counters_t;

/* Read-only outside sched.c. Must not be copied or moved after sched_init()
 * (the run queues hold pointers into it). */
typedef struct sched {
  runq_t rq;
  sleepq_t sleepq;
  sched_counters_t counters;
} sched_t;

void sched_init(sched_t *s);

/* Prepares an entity: BLOCKED, base and effective priority `prio`, slice
 * length `slice`. NX_ERR_INVALID_ARGS for a NULL entity, prio >
 * SCHED_PRIO_MAX or slice 0 (SCHED_TIME_NONE is a valid slice: the entity
 * never gives its level to a peer unless it blocks, sleeps or relinquishes). Must not be
 * called on an entity that is READY or SLEEPING (it would be unlinked
 * behind the queue's back); a DEAD entity may be initialized again. */
int sched_entity_init(sched_entity_t *e, unsigned prio, uint64_t slice);

/* Changes the length of a full slice (> 0). Takes effect at the entity's
 * next full slice. NX_ERR_INVALID_ARGS for slice 0 or a DEAD entity. */
int sched_set_slice(sched_entity_t *e, uint64_t slice);

/* BLOCKED -> READY at the tail of its level, with a full slice. */
int sched_wake(sched_t *s, sched_entity_t *e);

/* RUNNING or READY -> BLOCKED (a READY entity is taken off its queue, as
 * when another thread suspends it). */
int sched_block(sched_t *s, sched_entity_t *e);

/* RUNNING or READY -> SLEEPING until `deadline` (absolute). A deadline that
 * has already passed is accepted: the next expiry wakes it, and
 * sched_next_deadline() asks for an immediate timer. NX_ERR_INVALID_ARGS for
 * deadline SCHED_TIME_NONE (a wait without a timeout is sched_block()). */
int sched_sleep_until(sched_t *s, sched_entity_t *e, uint64_t deadline);

/* SLEEPING -> READY at the tail of its level, with a full slice, before its
 * deadline (the event it waited for came first). NX_ERR_INVALID_ARGS if it
 * is not sleeping. */
int sched_cancel(sched_t *s, sched_entity_t *e);

/* Wakes every sleeper whose deadline is <= now, earliest deadline first
 * (equal deadlines in the order they went to sleep), each to the tail of its
 * level with a full slice. Returns how many it woke. */
size_t sched_expire(sched_t *s, uint64_t now);

/* Any state but DEAD -> DEAD, off whatever queue it was on. */
int sched_exit(sched_t *s, sched_entity_t *e);

/* O(1) questions for the fastpaths, from the run queue's bitmap: whether an
 * entity of priority `prio` is READY, and whether none READY is more
 * urgent than `prio`. */
static inline bool sched_ready_at(const sched_t *s, unsigned prio) {
  return prio < SCHED_PRIORITIES && ((s->rq.bitmap >> prio) & 1u);
}
static inline bool sched_none_above(const sched_t *s, unsigned prio) {
  return prio >= SCHED_PRIO_MAX || (s->rq.bitmap >> (prio + 1)) == 0;
}
/* Whether an entity of priority `prio` or more urgent is READY: both of the
 * above at once, for a running entity that has nothing to do otherwise. */
static inline bool sched_ready_from(const sched_t *s, unsigned prio) {
  return prio < SCHED_PRIORITIES && (s->rq.bitmap >> prio) != 0;
}

/* The entity sched_pick() would return, or NULL; changes nothing. */
sched_entity_t *sched_peek(const sched_t *s);

/* Takes the most urgent READY entity (the longest waiting of its level) off
 * its queue and makes it RUNNING, its slice starting at `now`. NULL when
 * nothing is ready: the caller idles (wfi) until an interrupt. */
sched_entity_t *sched_pick(sched_t *s, uint64_t now);

/* A direct switch (the IPC fastpath): `from` (RUNNING) becomes BLOCKED and
 * `to` (BLOCKED) becomes RUNNING at once, bypassing the run queues. `to`
 * runs on the rest of from's turn: the turn is donated, its end kept
 * (neither extended nor cut to to's own slice), so a chain of calls and
 * replies takes turns with its peers as one thread would. A used-up turn
 * stays used up: the timer, armed for it if a peer waits at from's level
 * (the scheduler's rule: the running thread's turn end is armed whenever a
 * peer waits at its level), ends it at once. Only correct when nothing
 * READY is more urgent than `to`, which the caller guarantees (the
 * fastpath requires to's priority >= from's, and from was running), and
 * the assembly fastpath relies on the same rule to skip the timer when
 * both are of one level. NX_ERR_INVALID_ARGS (nothing changed) for any
 * other pair of states. */
static inline int sched_handoff(sched_entity_t *from, sched_entity_t *to) {
  /* Inline, checking only the states: it is on the IPC fastpath, and a
   * RUNNING or BLOCKED entity was initialized (its priorities are valid). */
  if (!from || !to || from->state != SCHED_RUNNING || to->state != SCHED_BLOCKED) {
    return NX_ERR_INVALID_ARGS;
  }
  from->state = SCHED_BLOCKED;
  to->slice_end = from->slice_end;
  to->state = SCHED_RUNNING;
  return NX_OK;
}

/* RUNNING -> READY at the tail of its level with a full slice: gives its
 * turn to its peers (a yield; not named sched_yield, which is the libc
 * function the host tests see through <sched.h>). */
int sched_relinquish(sched_t *s, sched_entity_t *e);

/* RUNNING -> READY, charged for the time it ran since it was picked: at the
 * head of its level keeping the rest of its slice, or at the tail with a
 * full slice if the slice is used up (now >= slice end). */
int sched_preempt(sched_t *s, sched_entity_t *e, uint64_t now);

/* A wake-up that preempts, in one step, split like a syscall: `woken`
 * (BLOCKED) is more urgent than `running` (RUNNING) and nothing READY is at
 * or above its level, so it runs at once. sched_wake_would_preempt() says
 * whether that holds (no side effects); only then may
 * sched_wake_preempting() be called, which leaves what sched_wake(woken),
 * sched_preempt(running, now) and sched_pick(now) would (running READY as
 * sched_preempt leaves it, woken RUNNING from `now` with a full slice)
 * without woken's trip through the run queue. Inline, checking only the
 * states (a RUNNING or BLOCKED entity was initialized): they are a
 * notification signal's fast case. */
static inline bool sched_wake_would_preempt(const sched_t *s, const sched_entity_t *running,
                                            const sched_entity_t *woken) {
  return running && woken && running->state == SCHED_RUNNING && woken->state == SCHED_BLOCKED &&
         woken->prio > running->prio && (s->rq.bitmap >> woken->prio) == 0;
}
static inline void sched_wake_preempting(sched_t *s, sched_entity_t *running, sched_entity_t *woken,
                                         uint64_t now) {
  sched_preempt(s, running, now);
  woken->state = SCHED_RUNNING;
  woken->slice_end = sched_time_after(now, woken->slice);
}

/* Sets the effective priority (the hook for priority inheritance: a server
 * runs at its caller's priority while it serves). A READY entity moves to
 * the tail of its new level; the same priority changes nothing, so it keeps
 * its place. For a RUNNING entity the caller then checks
 * sched_preempt_needed(). NX_ERR_INVALID_ARGS for prio > SCHED_PRIO_MAX or a
 * DEAD entity. */
int sched_set_priority(sched_t *s, sched_entity_t *e, unsigned prio);

/* Sets the base priority, and the effective one with it (any inherited
 * priority is dropped; the IPC layer applies it again if it still holds).
 * Same errors as sched_set_priority(). */
int sched_set_base_priority(sched_t *s, sched_entity_t *e, unsigned prio);

/* Ends inheritance: the effective priority goes back to the base one. */
int sched_restore_priority(sched_t *s, sched_entity_t *e);

/* Whether the caller should preempt `running` now: some READY entity is
 * more urgent than it (for instance one a wake-up or expiry just made
 * READY). With running NULL (idle), or not RUNNING: whether anything is
 * READY. A READY peer of the same priority does not preempt. */
bool sched_preempt_needed(const sched_t *s, const sched_entity_t *running);

/* The single time at which the timer must next fire, for a tickless
 * kernel: the earliest sleep deadline, or the end of `running`'s slice if
 * that is earlier and another entity of running's priority is READY (only
 * then does round-robin need a timer), or SCHED_TIME_NONE if neither
 * applies: an idle system, or one entity per priority, programs no timer.
 * A time in the past is returned as `now` (fire at once). `running` may be
 * NULL (idle); an entity that is not RUNNING is treated as NULL. */
uint64_t sched_next_deadline(const sched_t *s, uint64_t now, const sched_entity_t *running);

/* The timer interrupt: wakes the sleepers that are due, checks `running`'s
 * slice, counts the event and returns whether the caller must reschedule
 * (then it calls sched_preempt(running, now) and sched_pick()). It must
 * when a more urgent entity is READY, or when running's slice is used up
 * and a peer of its priority is READY; a used-up slice with no peer starts
 * a new slice at `now` instead. `running` may be NULL (idle). */
bool sched_tick(sched_t *s, uint64_t now, sched_entity_t *running);

/* Walks the queues (O(entities); for tests and debug builds): NX_OK if the
 * run and sleep queues are well formed and every queued entity is in the
 * matching state (READY on the level of its effective priority, SLEEPING
 * on the sleep queue); otherwise NX_ERR_BAD_FORMAT. */
int sched_check(const sched_t *s);

#ifdef __cplusplus
}
#endif

#endif
