// The scheduler's operations for the fastpaths: a wake-up that preempts in
// one step, the IPC fastpath's direct hand-off and the O(1) bitmap
// questions. The wake-up must leave what the general operations
// (sched_test.cc) would.
#include <gtest/gtest.h>

#include <cstdint>

#include "kernel/sched/sched_test_fixture.h"
#include "neuron/errors.h"
#include "neuron/sched.h"

namespace {

using sched_test::kSlice;
using sched_test::SchedTest;

// ---- Wake-ups that preempt ----

// sched_wake_preempting leaves what wake + preempt + pick leave, on two
// schedulers built the same way: one slice still running, one used up.
TEST_F(SchedTest, WakePreemptingIsWakePreemptAndPick) {
  for (uint64_t now : {uint64_t{104}, uint64_t{100 + kSlice + 1}}) {
    SCOPED_TRACE(now);
    sched_t other;
    sched_init(&other);
    sched_entity_t a[4] = {}, b[4] = {};
    for (sched_t *s : {&s_, &other}) {
      sched_entity_t *e = s == &s_ ? a : b;
      sched_init(s);
      ASSERT_EQ(sched_entity_init(&e[0], 5, kSlice), NX_OK);  // running
      ASSERT_EQ(sched_entity_init(&e[1], 5, kSlice), NX_OK);  // its READY peer
      ASSERT_EQ(sched_entity_init(&e[2], 3, kSlice), NX_OK);  // READY, less urgent
      ASSERT_EQ(sched_entity_init(&e[3], 9, kSlice), NX_OK);  // the waiter
      for (int i = 0; i < 3; i++) ASSERT_EQ(sched_wake(s, &e[i]), NX_OK);
      ASSERT_EQ(sched_pick(s, 100), &e[0]);
    }
    ASSERT_TRUE(sched_wake_would_preempt(&s_, &a[0], &a[3]));
    sched_wake_preempting(&s_, &a[0], &a[3], now);
    ASSERT_EQ(sched_wake(&other, &b[3]), NX_OK);
    ASSERT_EQ(sched_preempt(&other, &b[0], now), NX_OK);
    ASSERT_EQ(sched_pick(&other, now), &b[3]);
    for (int i = 0; i < 4; i++) {
      SCOPED_TRACE(i);
      EXPECT_EQ(a[i].state, b[i].state);
      if (a[i].state == SCHED_RUNNING) {
        EXPECT_EQ(a[i].slice_end, b[i].slice_end);
      } else {
        EXPECT_EQ(a[i].slice_left, b[i].slice_left);
      }
    }
    EXPECT_EQ(s_.rq.bitmap, other.rq.bitmap);
    // The same order afterwards: the running one back first (or last, its
    // slice used up), then its peer, then the lower level.
    ASSERT_EQ(sched_block(&s_, &a[3]), NX_OK);
    ASSERT_EQ(sched_block(&other, &b[3]), NX_OK);
    for (int k = 0; k < 3; k++) {
      sched_entity_t *x = sched_pick(&s_, 300), *y = sched_pick(&other, 300);
      ASSERT_TRUE(x && y);
      EXPECT_EQ(x - a, y - b);
      ASSERT_EQ(sched_block(&s_, x), NX_OK);
      ASSERT_EQ(sched_block(&other, y), NX_OK);
    }
  }
}

TEST_F(SchedTest, WakeWouldPreemptOnlyAMoreUrgentBlockedEntityWithNothingReadyAtItsLevel) {
  sched_entity_t *run = Running(0, 5);
  sched_entity_t *low = New(1, 5);  // not more urgent than run
  sched_entity_t *high = New(2, 12);
  sched_entity_t *ready = Ready(3, 12);  // READY at high's level
  EXPECT_FALSE(sched_wake_would_preempt(&s_, run, low));
  EXPECT_FALSE(sched_wake_would_preempt(&s_, run, high));  // ready at 12
  ASSERT_EQ(sched_block(&s_, ready), NX_OK);
  ASSERT_TRUE(sched_wake_would_preempt(&s_, run, ready));  // now it is the waiter
  sched_wake_preempting(&s_, run, ready, 1);
  EXPECT_FALSE(sched_wake_would_preempt(&s_, ready, high));  // as urgent
  high->prio = 13;
  high->base_prio = 13;
  ASSERT_TRUE(sched_wake_would_preempt(&s_, ready, high));
  sched_wake_preempting(&s_, ready, high, 2);
  // Not RUNNING / not BLOCKED, and NULL.
  EXPECT_FALSE(sched_wake_would_preempt(&s_, run, low));     // run is READY
  EXPECT_FALSE(sched_wake_would_preempt(&s_, high, ready));  // ready is READY
  EXPECT_FALSE(sched_wake_would_preempt(&s_, nullptr, low));
  EXPECT_FALSE(sched_wake_would_preempt(&s_, high, nullptr));
  EXPECT_EQ(high->state, SCHED_RUNNING);
  EXPECT_EQ(ready->state, SCHED_READY);
  EXPECT_EQ(low->state, SCHED_BLOCKED);
}

// ---- Hand-off, the bitmap ----

// The fastpath's direct switch: from blocks, to runs on the rest of from's
// turn, and no run queue is touched.
TEST_F(SchedTest, HandoffDonatesTheRestOfTheTurn) {
  sched_entity_t *from = Running(0, 5, /*now=*/100);
  sched_entity_t *to = New(1, 7);
  sched_entity_t *peer = Ready(2, 5);
  ASSERT_EQ(sched_handoff(from, to), NX_OK);
  EXPECT_EQ(from->state, SCHED_BLOCKED);
  EXPECT_EQ(to->state, SCHED_RUNNING);
  EXPECT_EQ(to->slice_end, 100 + kSlice);  // from's turn's end
  EXPECT_EQ(peer->state, SCHED_READY);     // untouched, still queued
  EXPECT_EQ(sched_peek(&s_), peer);
}

// The turn is donated as it is: to's own slice neither caps a longer rest
// nor renews a used-up one, which the next tick then ends (a peer waits).
TEST_F(SchedTest, HandoffKeepsTheTurnsEnd) {
  sched_entity_t *from = Running(0, 5, /*now=*/0);
  sched_entity_t *to = New(1, 5, /*slice=*/3);
  ASSERT_EQ(sched_handoff(from, to), NX_OK);
  EXPECT_EQ(to->slice_end, kSlice);  // not 3: a longer rest is not capped
  // Back to from, after the turn ran out: the end stays where it was.
  sched_entity_t *peer = Ready(2, 5);
  ASSERT_EQ(sched_handoff(to, from), NX_OK);
  EXPECT_EQ(from->slice_end, kSlice);
  EXPECT_TRUE(sched_tick(&s_, kSlice + 1, from));  // used up, a peer waits
  ASSERT_EQ(sched_preempt(&s_, from, kSlice + 1), NX_OK);
  EXPECT_EQ(sched_pick(&s_, kSlice + 1), peer);
}

TEST_F(SchedTest, HandoffRefusesWrongStates) {
  sched_entity_t *running = Running(0, 5);
  sched_entity_t *ready = Ready(1, 5);
  sched_entity_t *blocked = New(2, 5);
  EXPECT_EQ(sched_handoff(ready, blocked), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_handoff(running, ready), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_handoff(running, running), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_handoff(nullptr, blocked), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sched_handoff(running, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(running->state, SCHED_RUNNING);
  EXPECT_EQ(blocked->state, SCHED_BLOCKED);
}

TEST_F(SchedTest, ReadyAtAndNoneAboveReadTheBitmap) {
  EXPECT_FALSE(sched_ready_at(&s_, 5));
  EXPECT_TRUE(sched_none_above(&s_, 0));
  EXPECT_FALSE(sched_ready_from(&s_, 0));
  Ready(0, 5);
  EXPECT_TRUE(sched_ready_at(&s_, 5));
  EXPECT_FALSE(sched_ready_at(&s_, 4));
  EXPECT_FALSE(sched_ready_at(&s_, SCHED_PRIORITIES));  // out of range: never
  EXPECT_TRUE(sched_none_above(&s_, 5));
  EXPECT_FALSE(sched_none_above(&s_, 4));
  EXPECT_TRUE(sched_ready_from(&s_, 5));  // at the level
  EXPECT_TRUE(sched_ready_from(&s_, 4));  // above it
  EXPECT_FALSE(sched_ready_from(&s_, 6));
  EXPECT_FALSE(sched_ready_from(&s_, SCHED_PRIORITIES));
  Ready(1, SCHED_PRIO_MAX);
  EXPECT_FALSE(sched_none_above(&s_, 5));
  EXPECT_TRUE(sched_none_above(&s_, SCHED_PRIO_MAX));
  EXPECT_TRUE(sched_ready_from(&s_, SCHED_PRIO_MAX));
}

}  // namespace
