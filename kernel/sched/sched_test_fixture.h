// The scheduler tests' fixture: a sched_t, sixteen entities, and helpers
// that set entities up (BLOCKED, READY or RUNNING) and report the order in
// which they run. Shared by sched_test.cc and sched_fast_test.cc.
#ifndef KERNEL_SCHED_SCHED_TEST_FIXTURE_H
#define KERNEL_SCHED_SCHED_TEST_FIXTURE_H

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "neuron/errors.h"
#include "neuron/sched.h"

namespace sched_test {

constexpr uint64_t kSlice = 10;

class SchedTest : public ::testing::Test {
 protected:
  void SetUp() override { sched_init(&s_); }
  void TearDown() override { EXPECT_EQ(sched_check(&s_), NX_OK); }

  // Entity i, initialized (BLOCKED) at `prio`.
  sched_entity_t *New(int i, unsigned prio, uint64_t slice = kSlice) {
    EXPECT_EQ(sched_entity_init(&e_[i], prio, slice), NX_OK);
    return &e_[i];
  }
  // Entity i, READY at `prio`.
  sched_entity_t *Ready(int i, unsigned prio, uint64_t slice = kSlice) {
    sched_entity_t *e = New(i, prio, slice);
    EXPECT_EQ(sched_wake(&s_, e), NX_OK);
    return e;
  }
  // Entity i, RUNNING at `prio`, picked at `now` (call it before making
  // anything else ready, so that the pick takes it).
  sched_entity_t *Running(int i, unsigned prio, uint64_t now = 0, uint64_t slice = kSlice) {
    sched_entity_t *e = Ready(i, prio, slice);
    EXPECT_EQ(sched_pick(&s_, now), e);
    return e;
  }
  // Picks `n` entities, giving each back with a yield, and returns their
  // indices: the order in which they run.
  std::vector<int> RunOrder(int n, uint64_t now = 0) {
    std::vector<int> order;
    for (int k = 0; k < n; k++) {
      sched_entity_t *e = sched_pick(&s_, now);
      if (!e) break;
      order.push_back(static_cast<int>(e - e_));
      EXPECT_EQ(sched_relinquish(&s_, e), NX_OK);
    }
    return order;
  }
  // Picks everything READY once, blocking each: the drain order.
  std::vector<int> DrainOrder(uint64_t now = 0) {
    std::vector<int> order;
    while (sched_entity_t *e = sched_pick(&s_, now)) {
      order.push_back(static_cast<int>(e - e_));
      EXPECT_EQ(sched_block(&s_, e), NX_OK);
    }
    return order;
  }

  sched_t s_;
  sched_entity_t e_[16];
};

}  // namespace sched_test

#endif  // KERNEL_SCHED_SCHED_TEST_FIXTURE_H
