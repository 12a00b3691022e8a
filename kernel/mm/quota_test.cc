#include "neuron/quota.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "neuron/errors.h"

namespace {

TEST(QuotaTest, InitRejectsNullAndCycles) {
  quota_t root, child;
  EXPECT_EQ(quota_init(nullptr, nullptr, 10), NX_ERR_INVALID_ARGS);
  ASSERT_EQ(quota_init(&root, nullptr, 10), NX_OK);
  EXPECT_EQ(quota_init(&root, &root, 10), NX_ERR_INVALID_ARGS);
  ASSERT_EQ(quota_init(&child, &root, 5), NX_OK);
  // root under its own child would make a loop.
  EXPECT_EQ(quota_init(&root, &child, 10), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(root.parent, nullptr);
  EXPECT_EQ(quota_used(&child), 0u);
  EXPECT_EQ(quota_limit(&child), 5u);
}

TEST(QuotaTest, ChargesUpToTheLimit) {
  quota_t q;
  ASSERT_EQ(quota_init(&q, nullptr, 10), NX_OK);
  EXPECT_EQ(quota_available(&q), 10u);
  EXPECT_EQ(quota_charge(&q, 4), NX_OK);
  EXPECT_EQ(quota_charge(&q, 0), NX_OK);
  EXPECT_EQ(quota_charge(&q, 6), NX_OK);  // exactly at the limit
  EXPECT_EQ(quota_used(&q), 10u);
  EXPECT_EQ(quota_available(&q), 0u);
  EXPECT_EQ(quota_charge(&q, 1), NX_ERR_NO_MEMORY);
  EXPECT_EQ(quota_used(&q), 10u);
  EXPECT_EQ(quota_release(&q, 3), NX_OK);
  EXPECT_EQ(quota_charge(&q, 4), NX_ERR_NO_MEMORY);
  EXPECT_EQ(quota_charge(&q, 3), NX_OK);
  EXPECT_EQ(quota_release(&q, 10), NX_OK);
  EXPECT_EQ(quota_used(&q), 0u);
}

TEST(QuotaTest, RefusesChargesThatWouldWrap) {
  quota_t q;
  ASSERT_EQ(quota_init(&q, nullptr, QUOTA_UNLIMITED), NX_OK);
  EXPECT_EQ(quota_charge(&q, SIZE_MAX - 5), NX_OK);
  EXPECT_EQ(quota_charge(&q, 10), NX_ERR_NO_MEMORY);
  EXPECT_EQ(quota_used(&q), SIZE_MAX - 5);
  EXPECT_EQ(quota_available(&q), 5u);
  EXPECT_EQ(quota_charge(&q, 5), NX_OK);
  EXPECT_EQ(quota_charge(&q, 1), NX_ERR_NO_MEMORY);
}

TEST(QuotaTest, ReleaseRejectsMoreThanCharged) {
  quota_t q;
  ASSERT_EQ(quota_init(&q, nullptr, 10), NX_OK);
  EXPECT_EQ(quota_release(&q, 1), NX_ERR_INVALID_ARGS);
  ASSERT_EQ(quota_charge(&q, 3), NX_OK);
  EXPECT_EQ(quota_release(&q, 4), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(quota_used(&q), 3u);
  EXPECT_EQ(quota_release(nullptr, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(quota_charge(nullptr, 1), NX_ERR_INVALID_ARGS);
}

TEST(QuotaTest, ChildChargesItsParent) {
  quota_t parent, a, b;
  ASSERT_EQ(quota_init(&parent, nullptr, 10), NX_OK);
  ASSERT_EQ(quota_init(&a, &parent, 100), NX_OK);  // larger than the parent's
  ASSERT_EQ(quota_init(&b, &parent, 4), NX_OK);
  EXPECT_EQ(quota_charge(&a, 5), NX_OK);
  EXPECT_EQ(quota_used(&parent), 5u);
  EXPECT_EQ(quota_charge(&b, 4), NX_OK);
  EXPECT_EQ(quota_used(&parent), 9u);
  EXPECT_EQ(quota_available(&a), 1u);  // the parent's room, not a's own
  EXPECT_EQ(quota_available(&b), 0u);  // b's own limit
  EXPECT_EQ(quota_release(&b, 4), NX_OK);
  EXPECT_EQ(quota_used(&parent), 5u);
  EXPECT_EQ(quota_used(&b), 0u);
}

TEST(QuotaTest, ParentLimitRefusesTheWholeCharge) {
  quota_t root, mid, leaf;
  ASSERT_EQ(quota_init(&root, nullptr, 8), NX_OK);
  ASSERT_EQ(quota_init(&mid, &root, QUOTA_UNLIMITED), NX_OK);
  ASSERT_EQ(quota_init(&leaf, &mid, 20), NX_OK);
  ASSERT_EQ(quota_charge(&leaf, 6), NX_OK);
  EXPECT_EQ(quota_used(&root), 6u);
  // leaf and mid have room, root does not: nothing is charged anywhere.
  EXPECT_EQ(quota_charge(&leaf, 3), NX_ERR_NO_MEMORY);
  EXPECT_EQ(quota_used(&leaf), 6u);
  EXPECT_EQ(quota_used(&mid), 6u);
  EXPECT_EQ(quota_used(&root), 6u);
  // A charge at mid counts at root but not at leaf.
  EXPECT_EQ(quota_charge(&mid, 2), NX_OK);
  EXPECT_EQ(quota_used(&root), 8u);
  EXPECT_EQ(quota_used(&leaf), 6u);
  EXPECT_EQ(quota_charge(&leaf, 1), NX_ERR_NO_MEMORY);
  EXPECT_EQ(quota_release(&mid, 2), NX_OK);
  EXPECT_EQ(quota_release(&leaf, 6), NX_OK);
  EXPECT_EQ(quota_used(&root), 0u);
  EXPECT_EQ(quota_used(&mid), 0u);
}

TEST(QuotaTest, ReleaseChecksEveryLevel) {
  quota_t root, leaf;
  ASSERT_EQ(quota_init(&root, nullptr, 10), NX_OK);
  ASSERT_EQ(quota_init(&leaf, &root, 10), NX_OK);
  ASSERT_EQ(quota_charge(&leaf, 5), NX_OK);
  // Break the invariant by hand (the parent holds less than its child): a
  // release that the parent cannot cover changes no level.
  root.used = 2;
  EXPECT_EQ(quota_release(&leaf, 3), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(quota_used(&leaf), 5u);
  EXPECT_EQ(quota_used(&root), 2u);
  EXPECT_EQ(quota_release(&leaf, 2), NX_OK);
  EXPECT_EQ(quota_used(&leaf), 3u);
  EXPECT_EQ(quota_used(&root), 0u);
}

TEST(QuotaTest, LimitBelowUseRefusesEveryCharge) {
  quota_t q;
  ASSERT_EQ(quota_init(&q, nullptr, 10), NX_OK);
  ASSERT_EQ(quota_charge(&q, 8), NX_OK);
  q.limit = 5;  // as after a limit is lowered below what is held
  EXPECT_EQ(quota_available(&q), 0u);
  EXPECT_EQ(quota_charge(&q, 0), NX_ERR_NO_MEMORY);
  EXPECT_EQ(quota_charge(&q, 1), NX_ERR_NO_MEMORY);
  EXPECT_EQ(quota_release(&q, 8), NX_OK);
}

}  // namespace
