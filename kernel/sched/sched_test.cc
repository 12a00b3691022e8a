// The scheduler's operations one at a time: entity set-up and refused
// arguments, refused transitions, picking, round-robin and preemption,
// priorities, sleeping and expiry, the next timer deadline, the timer
// interrupt and the consistency check. The fastpaths' operations are in
// sched_fast_test.cc.
#include "neuron/sched.h"

#include <gtest/gtest.h>

#include <vector>

#include "kernel/sched/sched_test_fixture.h"
#include "neuron/errors.h"

namespace {

using sched_test::kSlice;
using sched_test::SchedTest;

// ---- Entity setup and refused arguments ----

TEST_F(SchedTest, EntityInitValidatesItsArguments) {
  EXPECT_EQ(sched_entity_init(nullptr, 0, kSlice), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_entity_init(&e_[0], SCHED_PRIO_MAX + 1, kSlice), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_entity_init(&e_[0], 3, 0), NX_ERR_INVALID_ARGS);
  ASSERT_EQ(sched_entity_init(&e_[0], SCHED_PRIO_MAX, SCHED_TIME_NONE), NX_OK);
  EXPECT_EQ(e_[0].state, SCHED_BLOCKED);
  EXPECT_EQ(e_[0].prio, SCHED_PRIO_MAX);
  EXPECT_EQ(e_[0].base_prio, SCHED_PRIO_MAX);
  EXPECT_EQ(e_[0].slice, SCHED_TIME_NONE);
  EXPECT_EQ(e_[0].slice_left, SCHED_TIME_NONE);
}

TEST_F(SchedTest, AnUninitializedEntityIsRefusedEverywhere) {
  sched_entity_t z{};
  EXPECT_EQ(sched_wake(&s_, &z), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_block(&s_, &z), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_sleep_until(&s_, &z, 5), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_cancel(&s_, &z), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_exit(&s_, &z), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_relinquish(&s_, &z), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_preempt(&s_, &z, 5), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_set_priority(&s_, &z, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_set_base_priority(&s_, &z, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_restore_priority(&s_, &z), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_set_slice(&z, 5), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_wake(&s_, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_exit(&s_, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_restore_priority(&s_, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_set_slice(nullptr, 5), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_peek(&s_), nullptr);
  // A priority out of range in the entity itself (damaged memory) too.
  sched_entity_t *e = New(0, 4);
  e->prio = SCHED_PRIO_MAX + 1;
  EXPECT_EQ(sched_wake(&s_, e), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(s_.rq.count, 0u);
}

TEST_F(SchedTest, InvalidPrioritiesAreRefusedAndChangeNothing) {
  sched_entity_t *a = Ready(0, 4);
  sched_entity_t *b = New(1, 4);
  EXPECT_EQ(sched_set_priority(&s_, a, SCHED_PRIO_MAX + 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_set_priority(&s_, b, 1000), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_set_base_priority(&s_, a, SCHED_PRIO_MAX + 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(a->prio, 4);
  EXPECT_EQ(a->base_prio, 4);
  EXPECT_EQ(b->prio, 4);
  EXPECT_EQ(s_.rq.bitmap, 1u << 4);
}

TEST_F(SchedTest, SetSliceValidatesAndAppliesAtTheNextFullSlice) {
  sched_entity_t *a = Ready(0, 4);
  EXPECT_EQ(sched_set_slice(a, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_set_slice(a, 25), NX_OK);
  EXPECT_EQ(a->slice_left, kSlice);  // this turn is unchanged
  ASSERT_EQ(sched_pick(&s_, 0), a);
  ASSERT_EQ(sched_relinquish(&s_, a), NX_OK);
  EXPECT_EQ(a->slice_left, 25u);
  ASSERT_EQ(sched_exit(&s_, a), NX_OK);
  EXPECT_EQ(sched_set_slice(a, 5), NX_ERR_INVALID_ARGS);
}

// ---- Refused transitions: each leaves the queues as they were ----

TEST_F(SchedTest, WakingAnythingButABlockedEntityIsRefused) {
  sched_entity_t *ready = Ready(0, 3);
  EXPECT_EQ(sched_wake(&s_, ready), NX_ERR_INVALID_ARGS);  // a double enqueue
  EXPECT_EQ(s_.rq.count, 1u);
  EXPECT_EQ(ready->state, SCHED_READY);

  sched_entity_t *running = sched_pick(&s_, 0);
  ASSERT_EQ(running, ready);
  EXPECT_EQ(sched_wake(&s_, running), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(s_.rq.count, 0u);

  sched_entity_t *sleeping = Ready(1, 3);
  ASSERT_EQ(sched_sleep_until(&s_, sleeping, 100), NX_OK);
  EXPECT_EQ(sched_wake(&s_, sleeping), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sleeping->state, SCHED_SLEEPING);
  EXPECT_EQ(sleepq_count(&s_.sleepq), 1u);

  sched_entity_t *dead = New(2, 3);
  ASSERT_EQ(sched_exit(&s_, dead), NX_OK);
  EXPECT_EQ(sched_wake(&s_, dead), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(s_.rq.count, 0u);
}

TEST_F(SchedTest, BlockingNeedsARunningOrReadyEntity) {
  sched_entity_t *blocked = New(0, 3);
  EXPECT_EQ(sched_block(&s_, blocked), NX_ERR_INVALID_ARGS);
  sched_entity_t *sleeping = Ready(1, 3);
  ASSERT_EQ(sched_sleep_until(&s_, sleeping, 100), NX_OK);
  EXPECT_EQ(sched_block(&s_, sleeping), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sleepq_count(&s_.sleepq), 1u);
  sched_entity_t *dead = New(2, 3);
  ASSERT_EQ(sched_exit(&s_, dead), NX_OK);
  EXPECT_EQ(sched_block(&s_, dead), NX_ERR_INVALID_ARGS);

  // A READY entity is taken off its queue (suspended by someone else).
  sched_entity_t *ready = Ready(3, 3);
  sched_entity_t *other = Ready(4, 3);
  ASSERT_EQ(sched_block(&s_, ready), NX_OK);
  EXPECT_EQ(ready->state, SCHED_BLOCKED);
  EXPECT_EQ(sched_peek(&s_), other);
  EXPECT_EQ(s_.rq.count, 1u);
}

TEST_F(SchedTest, SleepingNeedsARunningOrReadyEntityAndADeadline) {
  sched_entity_t *blocked = New(0, 3);
  EXPECT_EQ(sched_sleep_until(&s_, blocked, 10), NX_ERR_INVALID_ARGS);
  sched_entity_t *ready = Ready(1, 3);
  EXPECT_EQ(sched_sleep_until(&s_, ready, SCHED_TIME_NONE), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ready->state, SCHED_READY);
  ASSERT_EQ(sched_sleep_until(&s_, ready, 10), NX_OK);
  EXPECT_EQ(sched_sleep_until(&s_, ready, 20), NX_ERR_INVALID_ARGS);  // already sleeping
  EXPECT_EQ(ready->sleep.deadline, 10u);
  sched_entity_t *dead = New(2, 3);
  ASSERT_EQ(sched_exit(&s_, dead), NX_OK);
  EXPECT_EQ(sched_sleep_until(&s_, dead, 10), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sleepq_count(&s_.sleepq), 1u);
  EXPECT_EQ(s_.rq.count, 0u);
}

TEST_F(SchedTest, CancellingAnEntityThatIsNotSleepingIsRefused) {
  sched_entity_t *blocked = New(0, 3);
  EXPECT_EQ(sched_cancel(&s_, blocked), NX_ERR_INVALID_ARGS);
  sched_entity_t *ready = Ready(1, 3);
  EXPECT_EQ(sched_cancel(&s_, ready), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(s_.rq.count, 1u);
  sched_entity_t *running = sched_pick(&s_, 0);
  ASSERT_EQ(running, ready);
  EXPECT_EQ(sched_cancel(&s_, running), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(running->state, SCHED_RUNNING);
  sched_entity_t *dead = New(2, 3);
  ASSERT_EQ(sched_exit(&s_, dead), NX_OK);
  EXPECT_EQ(sched_cancel(&s_, dead), NX_ERR_INVALID_ARGS);
  // A sleep that expired cannot be cancelled either.
  ASSERT_EQ(sched_sleep_until(&s_, running, 5), NX_OK);
  ASSERT_EQ(sched_expire(&s_, 5), 1u);
  EXPECT_EQ(sched_cancel(&s_, running), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(s_.rq.count, 1u);
}

TEST_F(SchedTest, YieldAndPreemptNeedARunningEntity) {
  sched_entity_t *blocked = New(0, 3);
  sched_entity_t *ready = Ready(1, 3);
  for (sched_entity_t *e : {blocked, ready}) {
    EXPECT_EQ(sched_relinquish(&s_, e), NX_ERR_INVALID_ARGS);
    EXPECT_EQ(sched_preempt(&s_, e, 5), NX_ERR_INVALID_ARGS);
  }
  EXPECT_EQ(s_.rq.count, 1u);
  EXPECT_EQ(blocked->state, SCHED_BLOCKED);
  EXPECT_EQ(ready->state, SCHED_READY);
}

TEST_F(SchedTest, ExitTakesAnEntityOffAnyQueueOnce) {
  sched_entity_t *ready = Ready(0, 3);
  sched_entity_t *sleeping = Ready(1, 3);
  ASSERT_EQ(sched_sleep_until(&s_, sleeping, 50), NX_OK);
  sched_entity_t *blocked = New(2, 3);
  sched_entity_t *running = Ready(3, 9);
  ASSERT_EQ(sched_pick(&s_, 0), running);
  for (sched_entity_t *e : {ready, sleeping, blocked, running}) {
    ASSERT_EQ(sched_exit(&s_, e), NX_OK);
    EXPECT_EQ(e->state, SCHED_DEAD);
    EXPECT_EQ(sched_exit(&s_, e), NX_ERR_INVALID_ARGS);
  }
  EXPECT_EQ(s_.rq.count, 0u);
  EXPECT_EQ(s_.rq.bitmap, 0u);
  EXPECT_EQ(sleepq_count(&s_.sleepq), 0u);
  EXPECT_EQ(sched_pick(&s_, 0), nullptr);
  // A dead entity may start a new life.
  ASSERT_EQ(sched_entity_init(ready, 2, kSlice), NX_OK);
  EXPECT_EQ(sched_wake(&s_, ready), NX_OK);
}

// ---- Picking ----

TEST_F(SchedTest, IdlePickReturnsNull) {
  EXPECT_EQ(sched_peek(&s_), nullptr);
  EXPECT_EQ(sched_pick(&s_, 0), nullptr);
  EXPECT_EQ(s_.counters.idle_picks, 1u);
  New(0, 5);  // blocked entities do not run
  EXPECT_EQ(sched_pick(&s_, 0), nullptr);
  EXPECT_EQ(s_.counters.idle_picks, 2u);
}

TEST_F(SchedTest, PickMarksRunningAndStartsTheSlice) {
  sched_entity_t *a = Ready(0, 5);
  EXPECT_EQ(sched_peek(&s_), a);
  EXPECT_EQ(a->state, SCHED_READY);
  ASSERT_EQ(sched_pick(&s_, 1234), a);
  EXPECT_EQ(a->state, SCHED_RUNNING);
  EXPECT_EQ(a->slice_end, 1234u + kSlice);
  EXPECT_EQ(s_.rq.count, 0u);
}

TEST_F(SchedTest, EqualPrioritiesRunInFifoOrder) {
  for (int i = 0; i < 5; i++) Ready(i, 7);
  EXPECT_EQ(DrainOrder(), (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST_F(SchedTest, HigherPrioritiesAlwaysRunFirst) {
  const unsigned prios[] = {3, 31, 0, 17, 3, 31, 16, 0};
  for (int i = 0; i < 8; i++) Ready(i, prios[i]);
  EXPECT_EQ(s_.rq.bitmap, (1u << 31) | (1u << 17) | (1u << 16) | (1u << 3) | 1u);
  EXPECT_EQ(DrainOrder(), (std::vector<int>{1, 5, 3, 6, 0, 4, 2, 7}));
  EXPECT_EQ(s_.rq.bitmap, 0u);
}

TEST_F(SchedTest, YieldGoesToTheTailWithAFullSlice) {
  sched_entity_t *a = Ready(0, 5);
  Ready(1, 5);
  Ready(2, 5);
  ASSERT_EQ(sched_pick(&s_, 0), a);
  a->slice_left = 3;  // as if part of it had been charged
  ASSERT_EQ(sched_relinquish(&s_, a), NX_OK);
  EXPECT_EQ(a->state, SCHED_READY);
  EXPECT_EQ(a->slice_left, kSlice);
  EXPECT_EQ(DrainOrder(), (std::vector<int>{1, 2, 0}));
}

TEST_F(SchedTest, YieldToNoPeerRunsTheSameEntityAgain) {
  sched_entity_t *a = Ready(0, 5);
  Ready(1, 2);
  EXPECT_EQ(RunOrder(3), (std::vector<int>{0, 0, 0}));
  EXPECT_EQ(a->state, SCHED_READY);
}

// ---- Round-robin and preemption ----

TEST_F(SchedTest, SliceExpiryRotatesTheLevel) {
  Ready(0, 5);
  Ready(1, 5);
  Ready(2, 5);
  Ready(3, 1);  // below: never runs while level 5 has work
  std::vector<int> order;
  uint64_t now = 0;
  sched_entity_t *cur = sched_pick(&s_, now);
  for (int turn = 0; turn < 7; turn++) {
    order.push_back(static_cast<int>(cur - e_));
    uint64_t next = sched_next_deadline(&s_, now, cur);
    ASSERT_EQ(next, now + kSlice);
    now = next;
    ASSERT_TRUE(sched_tick(&s_, now, cur));
    ASSERT_EQ(sched_preempt(&s_, cur, now), NX_OK);
    EXPECT_EQ(cur->slice_left, kSlice);  // refilled at the tail
    cur = sched_pick(&s_, now);
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 0, 1, 2, 0}));
  EXPECT_EQ(s_.counters.slice_expiries, 7u);
  EXPECT_EQ(s_.counters.ticks_resched, 7u);
  EXPECT_EQ(s_.counters.ticks_spurious, 0u);
}

TEST_F(SchedTest, PreemptedEntityKeepsItsPlaceAndTheRestOfItsSlice) {
  sched_entity_t *a = Ready(0, 5);
  sched_entity_t *b = Ready(1, 5);
  ASSERT_EQ(sched_pick(&s_, 100), a);
  // At 104 a more urgent entity wakes.
  sched_entity_t *h = Ready(2, 9);
  EXPECT_TRUE(sched_preempt_needed(&s_, a));
  ASSERT_EQ(sched_preempt(&s_, a, 104), NX_OK);
  EXPECT_EQ(a->state, SCHED_READY);
  EXPECT_EQ(a->slice_left, kSlice - 4);
  ASSERT_EQ(sched_pick(&s_, 104), h);
  ASSERT_EQ(sched_block(&s_, h), NX_OK);
  // a is back at the head of level 5, before b, with 6 ticks left.
  ASSERT_EQ(sched_pick(&s_, 200), a);
  EXPECT_EQ(sched_next_deadline(&s_, 200, a), 206u);
  EXPECT_FALSE(sched_tick(&s_, 205, a));
  EXPECT_TRUE(sched_tick(&s_, 206, a));
  ASSERT_EQ(sched_preempt(&s_, a, 206), NX_OK);
  EXPECT_EQ(a->slice_left, kSlice);
  EXPECT_EQ(sched_peek(&s_), b);
}

TEST_F(SchedTest, PreemptingAnEntityWhoseSliceIsUsedUpSendsItToTheTail) {
  sched_entity_t *a = Ready(0, 5);
  Ready(1, 5);
  ASSERT_EQ(sched_pick(&s_, 0), a);
  ASSERT_EQ(sched_preempt(&s_, a, 15), NX_OK);  // past its slice end
  EXPECT_EQ(a->slice_left, kSlice);
  EXPECT_EQ(DrainOrder(), (std::vector<int>{1, 0}));
}

// (A monotonic timebase never does it; the rest is capped at a full slice.)
TEST_F(SchedTest, PreemptWithAClockBeforeThePickChargesNothing) {
  sched_entity_t *a = Ready(0, 5);
  Ready(1, 5);
  ASSERT_EQ(sched_pick(&s_, 50), a);
  ASSERT_EQ(sched_preempt(&s_, a, 40), NX_OK);
  EXPECT_EQ(a->slice_left, kSlice);
  EXPECT_EQ(sched_peek(&s_), a);  // at the head: it was not charged a full slice
}

TEST_F(SchedTest, PreemptNeededOnlyForAMoreUrgentEntity) {
  EXPECT_FALSE(sched_preempt_needed(&s_, nullptr));  // idle, nothing ready
  sched_entity_t *r = Running(0, 10);
  EXPECT_FALSE(sched_preempt_needed(&s_, r));
  Ready(1, 9);
  EXPECT_FALSE(sched_preempt_needed(&s_, r));  // less urgent
  Ready(2, 10);
  EXPECT_FALSE(sched_preempt_needed(&s_, r));  // a peer waits for the slice end
  sched_entity_t *sleeper = Ready(3, 11);
  ASSERT_EQ(sched_sleep_until(&s_, sleeper, 50), NX_OK);
  EXPECT_FALSE(sched_preempt_needed(&s_, r));
  ASSERT_EQ(sched_expire(&s_, 50), 1u);
  EXPECT_TRUE(sched_preempt_needed(&s_, r));  // the woken one is more urgent
  EXPECT_TRUE(sched_preempt_needed(&s_, nullptr));
  // An entity that is not RUNNING counts as idle.
  sched_entity_t *blocked = New(4, 31);
  EXPECT_TRUE(sched_preempt_needed(&s_, blocked));
}

// ---- Priorities: base, effective, inheritance ----

TEST_F(SchedTest, SetPriorityMovesAReadyEntityToTheTailOfItsNewLevel) {
  sched_entity_t *a = Ready(0, 4);
  Ready(1, 8);
  Ready(2, 8);
  ASSERT_EQ(sched_set_priority(&s_, a, 8), NX_OK);
  EXPECT_EQ(a->prio, 8);
  EXPECT_EQ(a->base_prio, 4);
  EXPECT_EQ(s_.rq.bitmap, 1u << 8);
  EXPECT_EQ(DrainOrder(), (std::vector<int>{1, 2, 0}));
}

TEST_F(SchedTest, SetPriorityToTheSameValueKeepsThePlace) {
  sched_entity_t *a = Ready(0, 8);
  Ready(1, 8);
  ASSERT_EQ(sched_set_priority(&s_, a, 8), NX_OK);
  EXPECT_EQ(DrainOrder(), (std::vector<int>{0, 1}));
}

TEST_F(SchedTest, InheritanceRaisesAndRestoreLowersTheEffectivePriority) {
  sched_entity_t *server = Ready(0, 2);
  Ready(1, 6);
  // A client at 12 calls the server: it serves at 12.
  ASSERT_EQ(sched_set_priority(&s_, server, 12), NX_OK);
  ASSERT_EQ(sched_pick(&s_, 0), server);
  EXPECT_EQ(server->prio, 12);
  EXPECT_EQ(server->base_prio, 2);
  Ready(2, 10);
  EXPECT_FALSE(sched_preempt_needed(&s_, server));
  // The reply: back to its base priority; now the others are more urgent.
  ASSERT_EQ(sched_restore_priority(&s_, server), NX_OK);
  EXPECT_EQ(server->prio, 2);
  EXPECT_TRUE(sched_preempt_needed(&s_, server));
  ASSERT_EQ(sched_preempt(&s_, server, 1), NX_OK);
  EXPECT_EQ(DrainOrder(), (std::vector<int>{2, 1, 0}));
}

TEST_F(SchedTest, PriorityOfASleepingOrBlockedEntityAppliesWhenItWakes) {
  sched_entity_t *a = Ready(0, 3);
  ASSERT_EQ(sched_sleep_until(&s_, a, 10), NX_OK);
  ASSERT_EQ(sched_set_priority(&s_, a, 20), NX_OK);
  sched_entity_t *b = New(1, 3);
  ASSERT_EQ(sched_set_base_priority(&s_, b, 21), NX_OK);
  EXPECT_EQ(b->base_prio, 21);
  EXPECT_EQ(b->prio, 21);
  EXPECT_EQ(s_.rq.bitmap, 0u);
  ASSERT_EQ(sched_expire(&s_, 10), 1u);
  ASSERT_EQ(sched_wake(&s_, b), NX_OK);
  EXPECT_EQ(s_.rq.bitmap, (1u << 20) | (1u << 21));
  EXPECT_EQ(DrainOrder(), (std::vector<int>{1, 0}));
}

TEST_F(SchedTest, SetBasePriorityDropsInheritance) {
  sched_entity_t *a = Ready(0, 3);
  ASSERT_EQ(sched_set_priority(&s_, a, 15), NX_OK);
  ASSERT_EQ(sched_set_base_priority(&s_, a, 5), NX_OK);
  EXPECT_EQ(a->prio, 5);
  EXPECT_EQ(a->base_prio, 5);
  EXPECT_EQ(s_.rq.bitmap, 1u << 5);
  ASSERT_EQ(sched_exit(&s_, a), NX_OK);
  EXPECT_EQ(sched_set_priority(&s_, a, 6), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_restore_priority(&s_, a), NX_ERR_INVALID_ARGS);
}

// ---- Sleeping and expiry ----

TEST_F(SchedTest, ExpireWakesExactlyTheDueSleepers) {
  const uint64_t deadlines[] = {30, 10, 20, 10, 31, 20};
  for (int i = 0; i < 6; i++) {
    sched_entity_t *e = Ready(i, 4);
    ASSERT_EQ(sched_sleep_until(&s_, e, deadlines[i]), NX_OK);
  }
  EXPECT_EQ(sched_expire(&s_, 9), 0u);
  EXPECT_EQ(sched_expire(&s_, 10), 2u);  // deadline == now is due; both of them
  EXPECT_EQ(e_[1].state, SCHED_READY);
  EXPECT_EQ(e_[3].state, SCHED_READY);
  EXPECT_EQ(sched_expire(&s_, 29), 2u);
  EXPECT_EQ(sched_expire(&s_, 30), 1u);
  EXPECT_EQ(e_[4].state, SCHED_SLEEPING);
  EXPECT_EQ(sleepq_count(&s_.sleepq), 1u);
  // They joined the level in deadline order, equal deadlines by arrival.
  EXPECT_EQ(DrainOrder(), (std::vector<int>{1, 3, 2, 5, 0}));
}

TEST_F(SchedTest, WokenSleepersQueueBehindReadyEntitiesWithAFullSlice) {
  sched_entity_t *s = Running(0, 4);
  s->slice_left = 1;
  ASSERT_EQ(sched_sleep_until(&s_, s, 5), NX_OK);
  EXPECT_EQ(s->state, SCHED_SLEEPING);
  Ready(1, 4);
  ASSERT_EQ(sched_expire(&s_, 5), 1u);
  EXPECT_EQ(s->slice_left, kSlice);
  EXPECT_EQ(DrainOrder(), (std::vector<int>{1, 0}));
}

TEST_F(SchedTest, AReadyEntityCanBePutToSleep) {
  sched_entity_t *a = Ready(0, 4);
  Ready(1, 4);
  ASSERT_EQ(sched_sleep_until(&s_, a, 7), NX_OK);
  EXPECT_EQ(s_.rq.count, 1u);
  EXPECT_EQ(sched_expire(&s_, 7), 1u);
  EXPECT_EQ(DrainOrder(), (std::vector<int>{1, 0}));
}

TEST_F(SchedTest, CancelWakesASleeperEarly) {
  sched_entity_t *a = Ready(0, 4);
  sched_entity_t *b = Ready(1, 4);
  ASSERT_EQ(sched_sleep_until(&s_, a, 100), NX_OK);
  ASSERT_EQ(sched_sleep_until(&s_, b, 50), NX_OK);
  ASSERT_EQ(sched_cancel(&s_, a), NX_OK);
  EXPECT_EQ(a->state, SCHED_READY);
  EXPECT_EQ(a->slice_left, kSlice);
  EXPECT_EQ(sleepq_count(&s_.sleepq), 1u);
  EXPECT_EQ(sched_next_deadline(&s_, 0, nullptr), 50u);
  EXPECT_EQ(sched_expire(&s_, 1000), 1u);  // only b was still sleeping
  EXPECT_EQ(DrainOrder(), (std::vector<int>{0, 1}));
}

TEST_F(SchedTest, ASleepDeadlineInThePastIsDueAtTheNextExpiry) {
  sched_entity_t *a = Running(0, 4, 100);
  ASSERT_EQ(sched_sleep_until(&s_, a, 50), NX_OK);
  EXPECT_EQ(sched_next_deadline(&s_, 100, nullptr), 100u);  // fire at once
  EXPECT_EQ(sched_expire(&s_, 100), 1u);
}

// ---- The next timer deadline ----

TEST_F(SchedTest, NextDeadlineIsNoneWhenIdle) {
  EXPECT_EQ(sched_next_deadline(&s_, 0, nullptr), SCHED_TIME_NONE);
  EXPECT_EQ(sched_next_deadline(&s_, 12345, nullptr), SCHED_TIME_NONE);
  New(0, 5);  // blocked: still nothing to time
  EXPECT_EQ(sched_next_deadline(&s_, 0, nullptr), SCHED_TIME_NONE);
}

TEST_F(SchedTest, NextDeadlineIsNoneWithOneEntityPerPriority) {
  sched_entity_t *r = Running(0, 20, 100);
  EXPECT_EQ(sched_next_deadline(&s_, 100, r), SCHED_TIME_NONE);
  Ready(1, 19);
  Ready(2, 3);
  Ready(3, 3);  // two at a lower level: not running, so no round-robin yet
  EXPECT_EQ(sched_next_deadline(&s_, 100, r), SCHED_TIME_NONE);
  EXPECT_EQ(sched_next_deadline(&s_, 5000, r), SCHED_TIME_NONE);  // long past its slice
}

TEST_F(SchedTest, NextDeadlineIsTheSliceEndWithAPeerOfTheSamePriority) {
  sched_entity_t *r = Running(0, 20, 100);
  Ready(1, 20);
  EXPECT_EQ(sched_next_deadline(&s_, 100, r), 100 + kSlice);
  EXPECT_EQ(sched_next_deadline(&s_, 103, r), 100 + kSlice);
  // Ran alone past its slice before the peer came: the timer fires at once.
  EXPECT_EQ(sched_next_deadline(&s_, 500, r), 500u);
  // Without the running entity (idle) there is no slice to end.
  EXPECT_EQ(sched_next_deadline(&s_, 100, nullptr), SCHED_TIME_NONE);
}

TEST_F(SchedTest, NextDeadlineIsTheEarlierOfSleeperAndSliceEnd) {
  sched_entity_t *r = Running(0, 20, 100);
  Ready(1, 20);
  sched_entity_t *s = Ready(2, 1);
  ASSERT_EQ(sched_sleep_until(&s_, s, 105), NX_OK);
  EXPECT_EQ(sched_next_deadline(&s_, 100, r), 105u);  // sleeper first
  ASSERT_EQ(sched_cancel(&s_, s), NX_OK);
  ASSERT_EQ(sched_block(&s_, s), NX_OK);
  ASSERT_EQ(sched_wake(&s_, s), NX_OK);
  ASSERT_EQ(sched_sleep_until(&s_, s, 400), NX_OK);
  EXPECT_EQ(sched_next_deadline(&s_, 100, r), 110u);  // slice end first
  // Alone at its level, only the sleeper needs the timer.
  ASSERT_EQ(sched_block(&s_, &e_[1]), NX_OK);
  EXPECT_EQ(sched_next_deadline(&s_, 100, r), 400u);
  EXPECT_EQ(sched_next_deadline(&s_, 100, nullptr), 400u);
}

TEST_F(SchedTest, NextDeadlineTreatsANonRunningEntityAsIdle) {
  sched_entity_t *a = Ready(0, 20);
  Ready(1, 20);
  EXPECT_EQ(sched_next_deadline(&s_, 0, a), SCHED_TIME_NONE);
}

TEST_F(SchedTest, AnEndlessSliceNeverNeedsTheTimer) {
  sched_entity_t *r = Running(0, 20, 100, SCHED_TIME_NONE);
  Ready(1, 20, SCHED_TIME_NONE);
  EXPECT_EQ(sched_next_deadline(&s_, 100, r), SCHED_TIME_NONE);
  EXPECT_FALSE(sched_tick(&s_, UINT64_MAX - 1, r));
  EXPECT_EQ(s_.counters.slice_expiries, 0u);
}

// ---- The timer interrupt and its counters ----

TEST_F(SchedTest, TickCountsEventsThatWokeSomeoneAndThoseThatDidNot) {
  sched_entity_t *a = Ready(0, 4);
  sched_entity_t *b = Ready(1, 4);
  ASSERT_EQ(sched_sleep_until(&s_, a, 10), NX_OK);
  ASSERT_EQ(sched_sleep_until(&s_, b, 10), NX_OK);
  EXPECT_FALSE(sched_tick(&s_, 5, nullptr));  // nothing due: spurious
  EXPECT_TRUE(sched_tick(&s_, 10, nullptr));  // woke two, idle: reschedule
  EXPECT_EQ(sched_expire(&s_, 11), 0u);
  const sched_counters_t &c = s_.counters;
  EXPECT_EQ(c.ticks, 2u);
  EXPECT_EQ(c.ticks_spurious, 1u);
  EXPECT_EQ(c.ticks_resched, 1u);
  EXPECT_EQ(c.expire_passes, 3u);
  EXPECT_EQ(c.expire_woke, 1u);
  EXPECT_EQ(c.expire_empty, 2u);
  EXPECT_EQ(c.woken, 2u);
}

TEST_F(SchedTest, TickThatWakesALessUrgentEntityIsNotSpuriousButAsksNothing) {
  sched_entity_t *r = Running(0, 9, 0);
  sched_entity_t *low = Ready(1, 2);
  ASSERT_EQ(sched_sleep_until(&s_, low, 4), NX_OK);
  EXPECT_FALSE(sched_tick(&s_, 4, r));
  EXPECT_EQ(s_.counters.ticks_spurious, 0u);
  EXPECT_EQ(s_.counters.ticks_resched, 0u);
  EXPECT_EQ(s_.counters.expire_woke, 1u);
}

TEST_F(SchedTest, TickAtASliceEndWithNoPeerStartsANewSlice) {
  sched_entity_t *r = Running(0, 9, 0);
  EXPECT_FALSE(sched_tick(&s_, 12, r));
  EXPECT_EQ(s_.counters.slice_expiries, 1u);
  EXPECT_EQ(s_.counters.ticks_spurious, 1u);  // the timer was not needed
  EXPECT_EQ(r->slice_end, 12u + kSlice);
  // A peer that arrives now gets the CPU a full slice later.
  Ready(1, 9);
  EXPECT_EQ(sched_next_deadline(&s_, 13, r), 12 + kSlice);
}

TEST_F(SchedTest, TickBeforeTheSliceEndDoesNotRotate) {
  sched_entity_t *r = Running(0, 9, 0);
  Ready(1, 9);
  EXPECT_FALSE(sched_tick(&s_, kSlice - 1, r));
  EXPECT_EQ(s_.counters.slice_expiries, 0u);
  EXPECT_TRUE(sched_tick(&s_, kSlice, r));
  EXPECT_EQ(s_.counters.slice_expiries, 1u);
}

TEST_F(SchedTest, AnIdleOrUncontendedSystemProgramsNoTimer) {
  // The benchmark's argument: with nothing to time, next_deadline is NONE,
  // so no timer interrupt happens and ticks_spurious cannot grow.
  EXPECT_EQ(sched_next_deadline(&s_, 0, nullptr), SCHED_TIME_NONE);
  sched_entity_t *a = Ready(0, 3);
  sched_entity_t *b = Ready(1, 7);
  sched_entity_t *cur = sched_pick(&s_, 0);
  ASSERT_EQ(cur, b);
  EXPECT_EQ(sched_next_deadline(&s_, 0, cur), SCHED_TIME_NONE);
  ASSERT_EQ(sched_sleep_until(&s_, cur, 100), NX_OK);
  cur = sched_pick(&s_, 1);
  ASSERT_EQ(cur, a);
  uint64_t next = sched_next_deadline(&s_, 1, cur);
  ASSERT_EQ(next, 100u);
  EXPECT_TRUE(sched_tick(&s_, next, cur));  // b is back and more urgent
  ASSERT_EQ(sched_preempt(&s_, cur, next), NX_OK);
  EXPECT_EQ(sched_pick(&s_, next), b);
  EXPECT_EQ(s_.counters.ticks, 1u);
  EXPECT_EQ(s_.counters.ticks_spurious, 0u);
  EXPECT_EQ(s_.counters.woken, 1u);
}

// ---- The consistency check itself ----

TEST_F(SchedTest, CheckNoticesAnEntityInTheWrongState) {
  sched_entity_t *a = Ready(0, 4);
  sched_entity_t *b = Ready(1, 4);
  ASSERT_EQ(sched_sleep_until(&s_, b, 10), NX_OK);
  ASSERT_EQ(sched_check(&s_), NX_OK);
  a->state = SCHED_BLOCKED;
  EXPECT_EQ(sched_check(&s_), NX_ERR_BAD_FORMAT);
  a->state = SCHED_READY;
  a->prio = 5;  // on level 4's list but claims 5
  EXPECT_EQ(sched_check(&s_), NX_ERR_BAD_FORMAT);
  a->prio = 4;
  b->state = SCHED_READY;
  EXPECT_EQ(sched_check(&s_), NX_ERR_BAD_FORMAT);
  b->state = SCHED_SLEEPING;
  s_.rq.bitmap |= 1u << 9;
  EXPECT_EQ(sched_check(&s_), NX_ERR_BAD_FORMAT);
  s_.rq.bitmap &= ~(1u << 9);
}

}  // namespace
