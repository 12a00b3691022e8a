// Unit tests of wait sets: entry management and its errors, pending bits
// taken at once, blocking on several queues, removal from every queue when
// one fires, two notifications firing "at once", timeout and cancel.
#include "neuron/waitset.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "kernel/notify/fakes.h"
#include "neuron/errors.h"
#include "neuron/notification.h"

namespace {

using notify_test::Threads;

class WaitsetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto &n : n_) ASSERT_EQ(notification_init(&n, &t_.sys), NX_OK);
    for (auto &w : w_) ASSERT_EQ(notify_waiter_init(&w), NX_OK);
    ASSERT_EQ(waitset_init(&ws_, &t_.sys), NX_OK);
  }
  void TearDown() override {
    for (auto &n : n_) EXPECT_EQ(notification_check(&n), NX_OK);
  }

  Threads t_;
  notification_t n_[3]{};
  notify_waiter_t w_[2]{};
  waitset_t ws_{};
};

TEST_F(WaitsetTest, EntryErrors) {
  EXPECT_EQ(waitset_init(nullptr, &t_.sys), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(waitset_init(&ws_, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(waitset_add(nullptr, &n_[0], 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(waitset_add(&ws_, nullptr, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(waitset_add(&ws_, &n_[0], 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(waitset_add(&ws_, &n_[0], 1), 0);
  EXPECT_EQ(waitset_add(&ws_, &n_[0], 2), NX_ERR_INVALID_ARGS);  // already in the set
  EXPECT_EQ(n_[0].users, 1u);
  EXPECT_EQ(notification_destroy(&n_[0]), NX_ERR_BUSY);
  EXPECT_EQ(waitset_remove(nullptr, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(waitset_remove(&ws_, WAITSET_SLOTS), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(waitset_remove(&ws_, 1), NX_ERR_NOT_FOUND);
  EXPECT_EQ(waitset_destroy(&ws_), NX_ERR_BUSY);
  EXPECT_EQ(waitset_remove(&ws_, 0), NX_OK);
  EXPECT_EQ(n_[0].users, 0u);
  EXPECT_EQ(waitset_remove(&ws_, 0), NX_ERR_NOT_FOUND);
  EXPECT_EQ(waitset_destroy(nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(waitset_destroy(&ws_), NX_OK);
  EXPECT_EQ(waitset_destroy(&ws_), NX_ERR_INVALID_ARGS);
}

TEST_F(WaitsetTest, SlotsAreStableAndLimited) {
  notification_t many[WAITSET_SLOTS + 1];
  for (uint32_t i = 0; i <= WAITSET_SLOTS; i++) {
    ASSERT_EQ(notification_init(&many[i], &t_.sys), NX_OK);
  }
  for (uint32_t i = 0; i < WAITSET_SLOTS; i++) EXPECT_EQ(waitset_add(&ws_, &many[i], 1), int(i));
  EXPECT_EQ(waitset_add(&ws_, &many[WAITSET_SLOTS], 1), NX_ERR_NO_MEMORY);
  // Removing a slot frees it for the next add; the other slots keep their numbers.
  ASSERT_EQ(waitset_remove(&ws_, 5), NX_OK);
  EXPECT_EQ(waitset_add(&ws_, &many[WAITSET_SLOTS], 1), 5);
  ASSERT_EQ(notification_signal(&many[WAITSET_SLOTS], 1), NX_OK);
  ASSERT_EQ(waitset_wait(&ws_, &w_[0], NOTIFY_DEADLINE_NEVER), NX_OK);
  EXPECT_EQ(w_[0].index, 5u);
  for (uint32_t i = 0; i < WAITSET_SLOTS; i++) ASSERT_EQ(waitset_remove(&ws_, i), NX_OK);
}

TEST_F(WaitsetTest, WaitErrors) {
  EXPECT_EQ(waitset_wait(&ws_, &w_[0], NOTIFY_DEADLINE_NEVER), NX_ERR_INVALID_ARGS);  // empty
  ASSERT_EQ(waitset_add(&ws_, &n_[0], 1), 0);
  EXPECT_EQ(waitset_wait(nullptr, &w_[0], NOTIFY_DEADLINE_NEVER), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(waitset_wait(&ws_, nullptr, NOTIFY_DEADLINE_NEVER), NX_ERR_INVALID_ARGS);
  notify_waiter_t never_initialized{};
  EXPECT_EQ(waitset_wait(&ws_, &never_initialized, NOTIFY_DEADLINE_NEVER), NX_ERR_INVALID_ARGS);
  ASSERT_EQ(waitset_wait(&ws_, &w_[0], NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  EXPECT_EQ(waitset_wait(&ws_, &w_[0], NOTIFY_DEADLINE_NEVER), NX_ERR_BUSY);  // w waits
  EXPECT_EQ(waitset_wait(&ws_, &w_[1], NOTIFY_DEADLINE_NEVER), NX_ERR_BUSY);  // ws in use
  EXPECT_EQ(waitset_add(&ws_, &n_[1], 1), NX_ERR_BUSY);
  EXPECT_EQ(waitset_remove(&ws_, 0), NX_ERR_BUSY);
  EXPECT_EQ(waitset_destroy(&ws_), NX_ERR_BUSY);
  ASSERT_EQ(notify_waiter_cancel(&w_[0]), NX_OK);
  EXPECT_EQ(ws_.waiter, nullptr);
  EXPECT_EQ(waitset_remove(&ws_, 0), NX_OK);
  EXPECT_EQ(t_.blocks.size(), 1u);
  EXPECT_TRUE(t_.wakes.empty());
}

TEST_F(WaitsetTest, PendingBitsAreTakenAtOnceFromTheLowestSlot) {
  ASSERT_EQ(waitset_add(&ws_, &n_[0], 0x1), 0);
  ASSERT_EQ(waitset_add(&ws_, &n_[1], 0x6), 1);
  ASSERT_EQ(notification_signal(&n_[1], 0xf), NX_OK);
  ASSERT_EQ(notification_signal(&n_[0], 0x2), NX_OK);  // not in slot 0's mask
  ASSERT_EQ(waitset_wait(&ws_, &w_[0], NOTIFY_DEADLINE_NEVER), NX_OK);
  EXPECT_EQ(w_[0].index, 1u);
  EXPECT_EQ(w_[0].bits, 0x6u);
  EXPECT_EQ(notification_pending(&n_[1]), 0x9u);
  EXPECT_EQ(notification_pending(&n_[0]), 0x2u);
  ASSERT_EQ(notification_signal(&n_[0], 0x1), NX_OK);
  ASSERT_EQ(waitset_wait(&ws_, &w_[0], NOTIFY_DEADLINE_NEVER), NX_OK);
  EXPECT_EQ(w_[0].index, 0u);  // both match now: slot 0 first
  EXPECT_EQ(w_[0].bits, 0x1u);
  EXPECT_EQ(notification_pending(&n_[1]), 0x9u);  // untouched
  EXPECT_TRUE(t_.blocks.empty());
  // Left: 0x2 on slot 0 (mask 0x1) and 0x9 on slot 1 (mask 0x6): nothing matches.
  EXPECT_EQ(waitset_wait(&ws_, &w_[0], NOTIFY_DEADLINE_POLL), NX_ERR_TIMED_OUT);
  EXPECT_TRUE(t_.blocks.empty());
}

TEST_F(WaitsetTest, FiringOneEntryRemovesTheWaiterFromEveryQueue) {
  for (int i = 0; i < 3; i++) ASSERT_EQ(waitset_add(&ws_, &n_[i], 0x1), i);
  ASSERT_EQ(waitset_wait(&ws_, &w_[0], 500), NOTIFY_BLOCKED);
  ASSERT_EQ(t_.blocks.size(), 1u);
  EXPECT_EQ(t_.blocks[0].deadline, 500u);
  for (auto &n : n_) EXPECT_EQ(n.queued, 1u);
  ASSERT_EQ(notification_signal(&n_[1], 0x1), NX_OK);
  ASSERT_EQ(t_.wakes.size(), 1u);
  EXPECT_EQ(t_.wakes[0].w, &w_[0]);
  EXPECT_EQ(t_.wakes[0].index, 1u);
  EXPECT_EQ(t_.wakes[0].bits, 0x1u);
  for (auto &n : n_) EXPECT_EQ(n.queued, 0u);
  EXPECT_EQ(ws_.waiter, nullptr);
  // The deadline passing later finds nothing to do.
  EXPECT_EQ(notify_waiter_timeout(&w_[0]), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(t_.wakes.size(), 1u);
}

TEST_F(WaitsetTest, TwoNotificationsFiringAtOnceWakeOnce) {
  ASSERT_EQ(waitset_add(&ws_, &n_[0], 0x1), 0);
  ASSERT_EQ(waitset_add(&ws_, &n_[1], 0x1), 1);
  ASSERT_EQ(waitset_wait(&ws_, &w_[0], NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  ASSERT_EQ(notification_signal(&n_[0], 0x1), NX_OK);
  ASSERT_EQ(notification_signal(&n_[1], 0x1), NX_OK);
  ASSERT_EQ(t_.wakes.size(), 1u);
  EXPECT_EQ(t_.wakes[0].index, 0u);
  EXPECT_EQ(notification_pending(&n_[0]), 0u);
  EXPECT_EQ(notification_pending(&n_[1]), 0x1u);  // kept for the next wait
  ASSERT_EQ(waitset_wait(&ws_, &w_[0], NOTIFY_DEADLINE_NEVER), NX_OK);
  EXPECT_EQ(w_[0].index, 1u);
  EXPECT_EQ(t_.wakes.size(), 1u);  // the second wait did not block
  EXPECT_EQ(t_.sys.counters.immediate, 1u);
}

TEST_F(WaitsetTest, AWaitSetAndAPlainWaiterShareAQueueInFifoOrder) {
  ASSERT_EQ(waitset_add(&ws_, &n_[0], 0x1), 0);
  ASSERT_EQ(waitset_add(&ws_, &n_[1], 0x1), 1);
  ASSERT_EQ(notification_wait(&n_[1], &w_[1], 0x1, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  ASSERT_EQ(waitset_wait(&ws_, &w_[0], NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  EXPECT_EQ(n_[1].queued, 2u);
  ASSERT_EQ(notification_signal(&n_[1], 0x1), NX_OK);  // the plain waiter came first
  ASSERT_EQ(t_.wakes.size(), 1u);
  EXPECT_EQ(t_.wakes[0].w, &w_[1]);
  EXPECT_EQ(w_[0].state, NOTIFY_WAITER_WAITING);
  ASSERT_EQ(notification_signal(&n_[1], 0x1), NX_OK);
  ASSERT_EQ(t_.wakes.size(), 2u);
  EXPECT_EQ(t_.wakes[1].w, &w_[0]);
  EXPECT_EQ(n_[0].queued, 0u);
}

TEST_F(WaitsetTest, TimeoutAndCancelLeaveEveryQueue) {
  ASSERT_EQ(waitset_add(&ws_, &n_[0], 0x1), 0);
  ASSERT_EQ(waitset_add(&ws_, &n_[2], 0x1), 1);
  ASSERT_EQ(waitset_wait(&ws_, &w_[0], 77), NOTIFY_BLOCKED);
  ASSERT_EQ(notify_waiter_timeout(&w_[0]), NX_OK);
  ASSERT_EQ(t_.wakes.size(), 1u);
  EXPECT_EQ(t_.wakes[0].result, NX_ERR_TIMED_OUT);
  EXPECT_EQ(n_[0].queued + n_[2].queued, 0u);
  EXPECT_EQ(ws_.waiter, nullptr);
  ASSERT_EQ(waitset_wait(&ws_, &w_[1], NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  ASSERT_EQ(notify_waiter_cancel(&w_[1]), NX_OK);
  EXPECT_EQ(n_[0].queued + n_[2].queued, 0u);
  ASSERT_EQ(notification_signal(&n_[2], 0x1), NX_OK);
  EXPECT_EQ(t_.wakes.size(), 1u);
  EXPECT_EQ(notification_pending(&n_[2]), 0x1u);
  EXPECT_EQ(waitset_wait(&ws_, &w_[1], NOTIFY_DEADLINE_POLL), NX_OK);
  EXPECT_EQ(w_[1].index, 1u);
  EXPECT_EQ(waitset_wait(&ws_, &w_[1], NOTIFY_DEADLINE_POLL), NX_ERR_TIMED_OUT);
}

}  // namespace
