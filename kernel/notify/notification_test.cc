// Unit tests of notifications: every error path, signal before and after a
// wait, masks, FIFO among waiters, one signal waking several, timeouts,
// polls, cancellation and the counters.
#include "neuron/notification.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "kernel/notify/fakes.h"
#include "neuron/errors.h"
#include "neuron/waitset.h"

namespace {

using notify_test::Threads;

class NotificationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(notification_init(&n_, &t_.sys), NX_OK);
    for (auto &w : w_) ASSERT_EQ(notify_waiter_init(&w), NX_OK);
  }
  void TearDown() override { EXPECT_EQ(notification_check(&n_), NX_OK); }

  Threads t_;
  notification_t n_{};
  notify_waiter_t w_[4]{};
};

TEST_F(NotificationTest, InitErrors) {
  notify_system_t sys;
  notify_ops_t no_wake = {Threads::Block, nullptr};
  notify_ops_t no_block = {nullptr, Threads::Wake};
  EXPECT_EQ(notify_system_init(nullptr, Threads::Ops()), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(notify_system_init(&sys, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(notify_system_init(&sys, &no_wake), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(notify_system_init(&sys, &no_block), NX_ERR_INVALID_ARGS);
  notification_t n;
  EXPECT_EQ(notification_init(nullptr, &t_.sys), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(notification_init(&n, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(notify_waiter_init(nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(n_.obj.type, OBJ_NOTIFICATION);
  EXPECT_EQ(n_.obj.refs, 1u);
}

TEST_F(NotificationTest, SignalAndWaitErrors) {
  EXPECT_EQ(notification_signal(nullptr, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(notification_signal(&n_, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(notification_wait(nullptr, &w_[0], 1, NOTIFY_DEADLINE_NEVER), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(notification_wait(&n_, nullptr, 1, NOTIFY_DEADLINE_NEVER), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(notification_wait(&n_, &w_[0], 0, NOTIFY_DEADLINE_NEVER), NX_ERR_INVALID_ARGS);
  notify_waiter_t never_initialized{};
  EXPECT_EQ(notification_wait(&n_, &never_initialized, 1, NOTIFY_DEADLINE_NEVER),
            NX_ERR_INVALID_ARGS);
  EXPECT_EQ(notification_pending(&n_), 0u);
  EXPECT_TRUE(t_.blocks.empty());
}

TEST_F(NotificationTest, SignalBeforeWaitReturnsAtOnce) {
  ASSERT_EQ(notification_signal(&n_, 0x5), NX_OK);
  EXPECT_EQ(notification_pending(&n_), 0x5u);
  EXPECT_EQ(notification_wait(&n_, &w_[0], 0xff, NOTIFY_DEADLINE_NEVER), NX_OK);
  EXPECT_EQ(w_[0].bits, 0x5u);
  EXPECT_EQ(w_[0].result, NX_OK);
  EXPECT_EQ(w_[0].state, NOTIFY_WAITER_IDLE);
  EXPECT_EQ(notification_pending(&n_), 0u);
  EXPECT_TRUE(t_.blocks.empty());
  EXPECT_TRUE(t_.wakes.empty());
  EXPECT_EQ(t_.sys.counters.immediate, 1u);
}

TEST_F(NotificationTest, WaitBeforeSignalBlocksThenWakes) {
  ASSERT_EQ(notification_wait(&n_, &w_[0], 0x6, 1234), NOTIFY_BLOCKED);
  ASSERT_EQ(t_.blocks.size(), 1u);
  EXPECT_EQ(t_.blocks[0].w, &w_[0]);
  EXPECT_EQ(t_.blocks[0].deadline, 1234u);
  EXPECT_EQ(n_.queued, 1u);
  EXPECT_EQ(notification_check(&n_), NX_OK);
  // A second wait by the same waiter is refused while it waits.
  EXPECT_EQ(notification_wait(&n_, &w_[0], 1, 1), NX_ERR_BUSY);
  EXPECT_EQ(notify_waiter_init(&w_[0]), NX_ERR_BUSY);

  ASSERT_EQ(notification_signal(&n_, 0x3), NX_OK);
  ASSERT_EQ(t_.wakes.size(), 1u);
  EXPECT_EQ(t_.wakes[0].w, &w_[0]);
  EXPECT_EQ(t_.wakes[0].result, NX_OK);
  EXPECT_EQ(t_.wakes[0].bits, 0x2u);  // only the bit of its mask
  EXPECT_EQ(t_.wakes[0].state, NOTIFY_WAITER_IDLE);
  EXPECT_EQ(notification_pending(&n_), 0x1u);  // the rest stays pending
  EXPECT_EQ(n_.queued, 0u);
  EXPECT_EQ(t_.sys.counters.blocks, 1u);
}

// The direct case: the same effects as notification_signal on a sole
// waiter, without the wake callback; refused (nothing changed) otherwise.
TEST_F(NotificationTest, DirectSignalCompletesTheSoleWaiterWithoutWakingIt) {
  EXPECT_EQ(notification_direct_waiter(nullptr, 1), nullptr);
  EXPECT_EQ(notification_direct_waiter(&n_, 1), nullptr);  // no waiter
  ASSERT_EQ(notification_wait(&n_, &w_[0], 0x6, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  EXPECT_EQ(notification_direct_waiter(&n_, 0), nullptr);
  EXPECT_EQ(notification_direct_waiter(&n_, 0x1), nullptr);  // outside its mask
  ASSERT_EQ(notification_wait(&n_, &w_[1], 0x6, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  EXPECT_EQ(notification_direct_waiter(&n_, 0x2), nullptr);  // not the only one
  ASSERT_EQ(notify_waiter_cancel(&w_[1]), NX_OK);
  ASSERT_EQ(notification_direct_waiter(&n_, 0x3), &w_[0]);
  EXPECT_EQ(n_.queued, 1u);  // the check changed nothing
  EXPECT_EQ(notification_pending(&n_), 0u);
  notification_signal_to(&n_, 0x3, &w_[0]);
  EXPECT_TRUE(t_.wakes.empty());  // the caller runs it
  EXPECT_EQ(w_[0].state, NOTIFY_WAITER_IDLE);
  EXPECT_EQ(w_[0].result, NX_OK);
  EXPECT_EQ(w_[0].bits, 0x2u);
  EXPECT_EQ(notification_pending(&n_), 0x1u);
  EXPECT_EQ(n_.queued, 0u);
  EXPECT_EQ(w_[0].index, 0u);
}

TEST_F(NotificationTest, DirectSignalLeavesWaitSetWaitersToTheGeneralPath) {
  waitset_t ws;
  ASSERT_EQ(waitset_init(&ws, &t_.sys), NX_OK);
  ASSERT_GE(waitset_add(&ws, &n_, 0x1), 0);
  ASSERT_EQ(waitset_wait(&ws, &w_[0], NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  EXPECT_EQ(notification_direct_waiter(&n_, 0x1), nullptr);
  ASSERT_EQ(notification_signal(&n_, 0x1), NX_OK);
  ASSERT_EQ(t_.wakes.size(), 1u);
  ASSERT_EQ(waitset_remove(&ws, 0), NX_OK);
}

TEST_F(NotificationTest, BitsOutsideTheMaskStayPending) {
  ASSERT_EQ(notification_wait(&n_, &w_[0], 0x10, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  ASSERT_EQ(notification_signal(&n_, 0x3), NX_OK);
  EXPECT_TRUE(t_.wakes.empty());
  EXPECT_EQ(notification_pending(&n_), 0x3u);
  EXPECT_EQ(n_.queued, 1u);
  EXPECT_EQ(notification_check(&n_), NX_OK);
  // A waiter for those bits takes them at once, leaving the first queued.
  EXPECT_EQ(notification_wait(&n_, &w_[1], 0x1, NOTIFY_DEADLINE_NEVER), NX_OK);
  EXPECT_EQ(w_[1].bits, 0x1u);
  EXPECT_EQ(notification_pending(&n_), 0x2u);
  ASSERT_EQ(notification_signal(&n_, 0x10), NX_OK);
  ASSERT_EQ(t_.wakes.size(), 1u);
  EXPECT_EQ(t_.wakes[0].bits, 0x10u);
  EXPECT_EQ(notification_pending(&n_), 0x2u);
}

TEST_F(NotificationTest, WaitersWithTheSameMaskAreServedFifo) {
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(notification_wait(&n_, &w_[i], 0x1, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  }
  for (int i = 0; i < 3; i++) {
    ASSERT_EQ(notification_signal(&n_, 0x1), NX_OK);
    ASSERT_EQ(t_.wakes.size(), size_t(i + 1));
    EXPECT_EQ(t_.wakes[i].w, &w_[i]);
    EXPECT_EQ(n_.queued, uint32_t(2 - i));
  }
  EXPECT_EQ(notification_pending(&n_), 0u);
}

TEST_F(NotificationTest, OneSignalWakesEachMatchingWaiterWithItsOwnBits) {
  ASSERT_EQ(notification_wait(&n_, &w_[0], 0x3, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  ASSERT_EQ(notification_wait(&n_, &w_[1], 0x3, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  ASSERT_EQ(notification_wait(&n_, &w_[2], 0x4, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  ASSERT_EQ(notification_wait(&n_, &w_[3], 0x8, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  // The first waiter takes both bits it asked for; the second (same mask)
  // finds nothing left; the third takes bit 2; the fourth is not asked for.
  ASSERT_EQ(notification_signal(&n_, 0x7), NX_OK);
  ASSERT_EQ(t_.wakes.size(), 2u);
  EXPECT_EQ(t_.wakes[0].w, &w_[0]);
  EXPECT_EQ(t_.wakes[0].bits, 0x3u);
  EXPECT_EQ(t_.wakes[1].w, &w_[2]);
  EXPECT_EQ(t_.wakes[1].bits, 0x4u);
  EXPECT_EQ(notification_pending(&n_), 0u);
  EXPECT_EQ(n_.queued, 2u);
  EXPECT_EQ(w_[1].state, NOTIFY_WAITER_WAITING);
  EXPECT_EQ(w_[3].state, NOTIFY_WAITER_WAITING);
  EXPECT_EQ(notification_check(&n_), NX_OK);
  EXPECT_EQ(notify_waiter_cancel(&w_[1]), NX_OK);
  EXPECT_EQ(notify_waiter_cancel(&w_[3]), NX_OK);
}

TEST_F(NotificationTest, TimeoutWakesWithTimedOutAndLeavesTheQueue) {
  ASSERT_EQ(notification_wait(&n_, &w_[0], 0x1, 100), NOTIFY_BLOCKED);
  ASSERT_EQ(notification_wait(&n_, &w_[1], 0x1, 200), NOTIFY_BLOCKED);
  ASSERT_EQ(notification_wait(&n_, &w_[2], 0x1, 300), NOTIFY_BLOCKED);
  ASSERT_EQ(t_.blocks.size(), 3u);
  EXPECT_EQ(t_.blocks[1].deadline, 200u);
  // The middle one expires: it leaves, the queue stays linked around it.
  ASSERT_EQ(notify_waiter_timeout(&w_[1]), NX_OK);
  ASSERT_EQ(t_.wakes.size(), 1u);
  EXPECT_EQ(t_.wakes[0].w, &w_[1]);
  EXPECT_EQ(t_.wakes[0].result, NX_ERR_TIMED_OUT);
  EXPECT_EQ(w_[1].result, NX_ERR_TIMED_OUT);
  EXPECT_EQ(n_.queued, 2u);
  EXPECT_EQ(notification_check(&n_), NX_OK);
  // A second expiry, or one after a signal won the race, changes nothing.
  EXPECT_EQ(notify_waiter_timeout(&w_[1]), NX_ERR_INVALID_ARGS);
  ASSERT_EQ(notification_signal(&n_, 0x1), NX_OK);
  EXPECT_EQ(notify_waiter_timeout(&w_[0]), NX_ERR_INVALID_ARGS);
  ASSERT_EQ(t_.wakes.size(), 2u);
  EXPECT_EQ(t_.wakes[1].w, &w_[0]);
  EXPECT_EQ(t_.wakes[1].result, NX_OK);
  ASSERT_EQ(notification_signal(&n_, 0x1), NX_OK);
  ASSERT_EQ(t_.wakes.size(), 3u);
  EXPECT_EQ(t_.wakes[2].w, &w_[2]);
  EXPECT_EQ(t_.sys.counters.timeouts, 1u);
  EXPECT_EQ(notify_waiter_timeout(nullptr), NX_ERR_INVALID_ARGS);
}

TEST_F(NotificationTest, PollNeverBlocks) {
  EXPECT_EQ(notification_wait(&n_, &w_[0], 0x1, NOTIFY_DEADLINE_POLL), NX_ERR_TIMED_OUT);
  EXPECT_EQ(w_[0].result, NX_ERR_TIMED_OUT);
  EXPECT_EQ(w_[0].state, NOTIFY_WAITER_IDLE);
  EXPECT_TRUE(t_.blocks.empty());
  EXPECT_TRUE(t_.wakes.empty());
  ASSERT_EQ(notification_signal(&n_, 0x1), NX_OK);
  EXPECT_EQ(notification_wait(&n_, &w_[0], 0x1, NOTIFY_DEADLINE_POLL), NX_OK);
  EXPECT_EQ(w_[0].bits, 0x1u);
}

TEST_F(NotificationTest, CancelLeavesTheQueueWithoutAWakeup) {
  ASSERT_EQ(notification_wait(&n_, &w_[0], 0x1, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  ASSERT_EQ(notification_wait(&n_, &w_[1], 0x1, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  ASSERT_EQ(notify_waiter_cancel(&w_[0]), NX_OK);
  EXPECT_EQ(w_[0].state, NOTIFY_WAITER_IDLE);
  EXPECT_EQ(n_.queued, 1u);
  EXPECT_TRUE(t_.wakes.empty());
  EXPECT_EQ(notify_waiter_cancel(&w_[0]), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(notify_waiter_cancel(nullptr), NX_ERR_INVALID_ARGS);
  // The signal goes to the one left; the cancelled waiter may wait again.
  ASSERT_EQ(notification_signal(&n_, 0x1), NX_OK);
  ASSERT_EQ(t_.wakes.size(), 1u);
  EXPECT_EQ(t_.wakes[0].w, &w_[1]);
  EXPECT_EQ(notification_wait(&n_, &w_[0], 0x1, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  EXPECT_EQ(notify_waiter_cancel(&w_[0]), NX_OK);
  EXPECT_EQ(t_.sys.counters.cancels, 2u);
}

TEST_F(NotificationTest, DestroyIsRefusedWhileWaitedOn) {
  EXPECT_EQ(notification_destroy(nullptr), NX_ERR_INVALID_ARGS);
  ASSERT_EQ(notification_wait(&n_, &w_[0], 0x1, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  EXPECT_EQ(notification_destroy(&n_), NX_ERR_BUSY);
  ASSERT_EQ(notify_waiter_cancel(&w_[0]), NX_OK);
  notification_t other;
  ASSERT_EQ(notification_init(&other, &t_.sys), NX_OK);
  ASSERT_EQ(notification_signal(&other, 0x1), NX_OK);
  EXPECT_EQ(notification_destroy(&other), NX_OK);  // pending bits do not keep it
  EXPECT_EQ(other.obj.type, OBJ_NONE);
  EXPECT_EQ(notification_destroy(&other), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(notification_check(&other), NX_ERR_BAD_FORMAT);
}

TEST_F(NotificationTest, CheckFindsACorruptQueue) {
  ASSERT_EQ(notification_wait(&n_, &w_[0], 0x1, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  n_.queued = 2;
  EXPECT_EQ(notification_check(&n_), NX_ERR_BAD_FORMAT);
  n_.queued = 1;
  n_.pending = 0x1;  // a queued waiter that should have been woken
  EXPECT_EQ(notification_check(&n_), NX_ERR_BAD_FORMAT);
  n_.pending = 0;
  ASSERT_EQ(notify_waiter_cancel(&w_[0]), NX_OK);
}

TEST_F(NotificationTest, AllSixtyFourBits) {
  ASSERT_EQ(notification_wait(&n_, &w_[0], UINT64_C(1) << 63, NOTIFY_DEADLINE_NEVER),
            NOTIFY_BLOCKED);
  ASSERT_EQ(notification_signal(&n_, ~UINT64_C(0)), NX_OK);
  ASSERT_EQ(t_.wakes.size(), 1u);
  EXPECT_EQ(t_.wakes[0].bits, UINT64_C(1) << 63);
  EXPECT_EQ(notification_pending(&n_), ~UINT64_C(0) >> 1);
}

}  // namespace
