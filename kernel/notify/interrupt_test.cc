// Unit tests of interrupt objects with a fake controller: bind and its
// errors, fire (mask, complete, signal), spurious reports, ack, unbind.
#include "neuron/interrupt.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernel/notify/fakes.h"
#include "neuron/errors.h"
#include "neuron/notification.h"

namespace {

using notify_test::Controller;
using notify_test::Threads;
using Calls = std::vector<std::string>;

constexpr uint32_t kLines = 8;

class InterruptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(interrupt_controller_init(&ctl_, Controller::Ops(), &fake_, table_, kLines), NX_OK);
    ASSERT_EQ(notification_init(&n_, &t_.sys), NX_OK);
    for (auto &i : intr_) ASSERT_EQ(interrupt_init(&i), NX_OK);
    ASSERT_EQ(notify_waiter_init(&w_), NX_OK);
  }

  Threads t_;
  Controller fake_;
  interrupt_controller_t ctl_{};
  interrupt_t *table_[kLines]{};
  notification_t n_{};
  interrupt_t intr_[2]{};
  notify_waiter_t w_{};
};

TEST_F(InterruptTest, InitErrors) {
  interrupt_controller_t ctl;
  interrupt_t *table[2];
  interrupt_ops_t no_complete = {Controller::Mask, Controller::Unmask, nullptr};
  EXPECT_EQ(interrupt_controller_init(nullptr, Controller::Ops(), nullptr, table, 2),
            NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_controller_init(&ctl, nullptr, nullptr, table, 2), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_controller_init(&ctl, &no_complete, nullptr, table, 2), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_controller_init(&ctl, Controller::Ops(), nullptr, nullptr, 2),
            NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_controller_init(&ctl, Controller::Ops(), nullptr, table, 1),
            NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_init(nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(intr_[0].obj.type, OBJ_INTERRUPT);
  EXPECT_TRUE(fake_.calls.empty());
}

TEST_F(InterruptTest, BindErrors) {
  EXPECT_EQ(interrupt_bind(nullptr, &intr_[0], 3, &n_, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_bind(&ctl_, nullptr, 3, &n_, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_bind(&ctl_, &intr_[0], 3, nullptr, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_bind(&ctl_, &intr_[0], 3, &n_, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_bind(&ctl_, &intr_[0], 3, &n_, 0x3), NX_ERR_INVALID_ARGS);  // two bits
  EXPECT_EQ(interrupt_bind(&ctl_, &intr_[0], 0, &n_, 1), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(interrupt_bind(&ctl_, &intr_[0], kLines, &n_, 1), NX_ERR_OUT_OF_RANGE);
  EXPECT_TRUE(fake_.calls.empty());
  ASSERT_EQ(interrupt_bind(&ctl_, &intr_[0], 3, &n_, 1), NX_OK);
  EXPECT_EQ(fake_.calls, (Calls{"unmask 3"}));
  EXPECT_EQ(interrupt_bind(&ctl_, &intr_[1], 3, &n_, 2), NX_ERR_BUSY);  // the line is bound
  EXPECT_EQ(interrupt_bind(&ctl_, &intr_[0], 4, &n_, 2), NX_ERR_BUSY);  // the object is bound
  EXPECT_EQ(fake_.calls.size(), 1u);
  EXPECT_EQ(n_.users, 1u);
  EXPECT_EQ(notification_destroy(&n_), NX_ERR_BUSY);
  ASSERT_EQ(interrupt_unbind(&intr_[0]), NX_OK);
  EXPECT_EQ(n_.users, 0u);
}

TEST_F(InterruptTest, FireMasksCompletesAndSignals) {
  ASSERT_EQ(interrupt_bind(&ctl_, &intr_[0], 5, &n_, 0x10), NX_OK);
  ASSERT_EQ(notification_wait(&n_, &w_, 0x10, NOTIFY_DEADLINE_NEVER), NOTIFY_BLOCKED);
  fake_.calls.clear();
  ASSERT_EQ(interrupt_fire(&ctl_, 5), NX_OK);
  EXPECT_EQ(fake_.calls, (Calls{"mask 5", "complete 5"}));  // mask before complete
  EXPECT_TRUE(intr_[0].masked);
  ASSERT_EQ(t_.wakes.size(), 1u);
  EXPECT_EQ(t_.wakes[0].bits, 0x10u);
  EXPECT_EQ(ctl_.counters.fired, 1u);
  // Without a waiter the bit stays pending.
  ASSERT_EQ(interrupt_ack(&intr_[0]), NX_OK);
  ASSERT_EQ(interrupt_fire(&ctl_, 5), NX_OK);
  EXPECT_EQ(notification_pending(&n_), 0x10u);
}

TEST_F(InterruptTest, FireWhileMaskedIsSpurious) {
  ASSERT_EQ(interrupt_bind(&ctl_, &intr_[0], 2, &n_, 0x1), NX_OK);
  ASSERT_EQ(interrupt_fire(&ctl_, 2), NX_OK);
  ASSERT_EQ(notification_wait(&n_, &w_, 0x1, NOTIFY_DEADLINE_POLL), NX_OK);  // takes the bit
  fake_.calls.clear();
  EXPECT_EQ(interrupt_fire(&ctl_, 2), NX_ERR_BUSY);
  EXPECT_EQ(fake_.calls, (Calls{"complete 2"}));
  EXPECT_EQ(notification_pending(&n_), 0u);  // nothing signalled
  EXPECT_EQ(ctl_.counters.spurious, 1u);
  EXPECT_EQ(ctl_.counters.fired, 1u);
}

TEST_F(InterruptTest, UnboundOrInvalidLinesAreSpurious) {
  EXPECT_EQ(interrupt_fire(nullptr, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_fire(&ctl_, 6), NX_ERR_NOT_FOUND);
  EXPECT_EQ(fake_.calls, (Calls{"mask 6", "complete 6"}));  // an unbound line is silenced
  fake_.calls.clear();
  EXPECT_EQ(interrupt_fire(&ctl_, kLines + 3), NX_ERR_NOT_FOUND);
  EXPECT_EQ(fake_.calls, (Calls{"complete 11"}));
  fake_.calls.clear();
  EXPECT_EQ(interrupt_fire(&ctl_, 0), NX_ERR_NOT_FOUND);  // "no interrupt": nothing to complete
  EXPECT_TRUE(fake_.calls.empty());
  EXPECT_EQ(ctl_.counters.spurious, 3u);
}

TEST_F(InterruptTest, AckUnmasks) {
  EXPECT_EQ(interrupt_ack(nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_ack(&intr_[0]), NX_ERR_INVALID_ARGS);  // not bound
  ASSERT_EQ(interrupt_bind(&ctl_, &intr_[0], 1, &n_, 0x1), NX_OK);
  EXPECT_EQ(interrupt_ack(&intr_[0]), NX_ERR_INVALID_ARGS);  // nothing to acknowledge
  ASSERT_EQ(interrupt_fire(&ctl_, 1), NX_OK);
  EXPECT_TRUE(fake_.masked[1]);
  fake_.calls.clear();
  ASSERT_EQ(interrupt_ack(&intr_[0]), NX_OK);
  EXPECT_EQ(fake_.calls, (Calls{"unmask 1"}));
  EXPECT_FALSE(fake_.masked[1]);
  EXPECT_FALSE(intr_[0].masked);
  EXPECT_EQ(interrupt_ack(&intr_[0]), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ctl_.counters.acks, 1u);
}

TEST_F(InterruptTest, UnbindMasksAndFreesTheLine) {
  EXPECT_EQ(interrupt_unbind(nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_unbind(&intr_[0]), NX_ERR_INVALID_ARGS);
  ASSERT_EQ(interrupt_bind(&ctl_, &intr_[0], 7, &n_, 0x1), NX_OK);
  ASSERT_EQ(interrupt_fire(&ctl_, 7), NX_OK);
  fake_.calls.clear();
  ASSERT_EQ(interrupt_unbind(&intr_[0]), NX_OK);
  EXPECT_EQ(fake_.calls, (Calls{"mask 7"}));
  EXPECT_TRUE(fake_.masked[7]);
  EXPECT_EQ(table_[7], nullptr);
  EXPECT_EQ(notification_pending(&n_), 0x1u);  // what was signalled stays
  EXPECT_EQ(interrupt_unbind(&intr_[0]), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(interrupt_ack(&intr_[0]), NX_ERR_INVALID_ARGS);
  // The line and the object are free again: rebinding starts unmasked.
  ASSERT_EQ(interrupt_bind(&ctl_, &intr_[1], 7, &n_, 0x2), NX_OK);
  EXPECT_FALSE(fake_.masked[7]);
  EXPECT_FALSE(intr_[1].masked);
  ASSERT_EQ(interrupt_bind(&ctl_, &intr_[0], 6, &n_, 0x4), NX_OK);
  ASSERT_EQ(interrupt_fire(&ctl_, 7), NX_OK);
  EXPECT_EQ(notification_pending(&n_), 0x3u);
}

}  // namespace
