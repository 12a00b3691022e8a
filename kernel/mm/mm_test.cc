#include "neuron/mm.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "kernel/mm/test_arena.h"
#include "neuron/errors.h"
#include "neuron/page_alloc.h"
#include "neuron/quota.h"

namespace {

using mm_test::Arena;
using mm_test::kMiB;
using mm_test::kPage;

class MmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(page_alloc_init(&pa_, 9, 0), NX_OK);
    ASSERT_EQ(page_alloc_add_range(&pa_, arena_.base(), arena_.size()), NX_OK);
    ASSERT_EQ(quota_init(&system_, nullptr, 64), NX_OK);
    ASSERT_EQ(quota_init(&task_, &system_, 16), NX_OK);
    total_ = page_alloc_total_pages(&pa_);
  }

  Arena arena_{2 * kMiB, 2 * kMiB};
  page_alloc_t pa_;
  quota_t system_, task_;
  size_t total_ = 0;
};

TEST_F(MmTest, ChargesAndRefundsTheQuota) {
  uintptr_t a = 0, b = 0;
  ASSERT_EQ(mm_alloc_pages(&pa_, &task_, 2, 0, &a), NX_OK);
  EXPECT_EQ(page_alloc_block_order(&pa_, a), 2);
  EXPECT_EQ(quota_used(&task_), 4u);
  EXPECT_EQ(quota_used(&system_), 4u);
  ASSERT_EQ(mm_alloc_pages(&pa_, &task_, 0, 0, &b), NX_OK);
  EXPECT_EQ(quota_used(&task_), 5u);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 5u);
  EXPECT_EQ(mm_free_pages(&pa_, &task_, a, 2), NX_OK);
  EXPECT_EQ(mm_free_pages(&pa_, &task_, b, 0), NX_OK);
  EXPECT_EQ(quota_used(&task_), 0u);
  EXPECT_EQ(quota_used(&system_), 0u);
  EXPECT_EQ(page_alloc_free_pages(&pa_), total_);
}

TEST_F(MmTest, QuotaExceededTakesNoPage) {
  uintptr_t a = 0;
  ASSERT_EQ(mm_alloc_pages(&pa_, &task_, 4, 0, &a), NX_OK);  // 16 pages: the whole quota
  uintptr_t b = 0xdead;
  EXPECT_EQ(mm_alloc_pages(&pa_, &task_, 0, 0, &b), NX_ERR_NO_MEMORY);
  EXPECT_EQ(b, 0xdeadu);
  EXPECT_EQ(quota_used(&task_), 16u);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 16u);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

TEST_F(MmTest, ParentQuotaExceededTakesNoPage) {
  quota_t other;
  ASSERT_EQ(quota_init(&other, &system_, QUOTA_UNLIMITED), NX_OK);
  uintptr_t a = 0, b = 0;
  ASSERT_EQ(mm_alloc_pages(&pa_, &other, 5, 0, &a), NX_OK);  // 32 of system's 64
  ASSERT_EQ(mm_alloc_pages(&pa_, &other, 4, 0, &b), NX_OK);  // 48
  uintptr_t c = 0;
  ASSERT_EQ(mm_alloc_pages(&pa_, &other, 0, 0, &c), NX_OK);  // 49
  // task's own limit allows 16 pages, but system has room for only 15.
  uintptr_t d = 0;
  EXPECT_EQ(mm_alloc_pages(&pa_, &task_, 4, 0, &d), NX_ERR_NO_MEMORY);
  EXPECT_EQ(quota_used(&task_), 0u);
  EXPECT_EQ(quota_used(&system_), 49u);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 49u);
  EXPECT_EQ(mm_free_pages(&pa_, &other, c, 0), NX_OK);
  EXPECT_EQ(mm_alloc_pages(&pa_, &task_, 4, 0, &d), NX_OK);
  EXPECT_EQ(quota_used(&system_), 64u);
}

TEST_F(MmTest, MemoryExhaustedRefundsTheCharge) {
  quota_t unlimited;
  ASSERT_EQ(quota_init(&unlimited, nullptr, QUOTA_UNLIMITED), NX_OK);
  std::vector<uintptr_t> pages;
  for (;;) {
    uintptr_t a = 0;
    int err = mm_alloc_pages(&pa_, &unlimited, 0, 0, &a);
    if (err != NX_OK) {
      EXPECT_EQ(err, NX_ERR_NO_MEMORY);
      break;
    }
    pages.push_back(a);
  }
  EXPECT_EQ(pages.size(), total_);
  EXPECT_EQ(quota_used(&unlimited), total_);
  uintptr_t a = 0;
  EXPECT_EQ(mm_alloc_pages(&pa_, &unlimited, 3, 0, &a), NX_ERR_NO_MEMORY);
  EXPECT_EQ(quota_used(&unlimited), total_);
  for (uintptr_t p : pages) ASSERT_EQ(mm_free_pages(&pa_, &unlimited, p, 0), NX_OK);
  EXPECT_EQ(quota_used(&unlimited), 0u);
  EXPECT_EQ(page_alloc_free_pages(&pa_), total_);
}

TEST_F(MmTest, RejectsBadArguments) {
  uintptr_t a = 0;
  EXPECT_EQ(mm_alloc_pages(nullptr, &task_, 0, 0, &a), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(mm_alloc_pages(&pa_, nullptr, 0, 0, &a), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(mm_alloc_pages(&pa_, &task_, 0, 0, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(mm_alloc_pages(&pa_, &task_, 10, 0, &a), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(quota_used(&task_), 0u);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 0u);
  EXPECT_EQ(mm_free_pages(nullptr, &task_, arena_.base(), 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(mm_free_pages(&pa_, nullptr, arena_.base(), 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(mm_free_pages(&pa_, &task_, arena_.base(), 10), NX_ERR_INVALID_ARGS);
}

TEST_F(MmTest, BadFreesChangeNeitherQuotaNorAllocator) {
  uintptr_t a = 0;
  ASSERT_EQ(mm_alloc_pages(&pa_, &task_, 2, 0, &a), NX_OK);
  const size_t free_pages = page_alloc_free_pages(&pa_);
  auto unchanged = [&] {
    EXPECT_EQ(quota_used(&task_), 4u);
    EXPECT_EQ(quota_used(&system_), 4u);
    EXPECT_EQ(page_alloc_free_pages(&pa_), free_pages);
    EXPECT_EQ(page_alloc_block_order(&pa_, a), 2);
    EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  };
  EXPECT_EQ(mm_free_pages(&pa_, &task_, a, 1), NX_ERR_INVALID_ARGS);  // wrong order
  unchanged();
  EXPECT_EQ(mm_free_pages(&pa_, &task_, a + 8, 2), NX_ERR_INVALID_ARGS);  // misaligned
  unchanged();
  EXPECT_EQ(mm_free_pages(&pa_, &task_, a + kPage, 2), NX_ERR_INVALID_ARGS);  // not order aligned
  unchanged();
  EXPECT_EQ(mm_free_pages(&pa_, &task_, a + kPage, 0), NX_ERR_NOT_FOUND);  // inside the block
  unchanged();
  EXPECT_EQ(mm_free_pages(&pa_, &task_, arena_.end(), 0), NX_ERR_OUT_OF_RANGE);
  unchanged();
  // A quota that does not hold the pages cannot give them back.
  quota_t other;
  ASSERT_EQ(quota_init(&other, nullptr, 100), NX_OK);
  EXPECT_EQ(mm_free_pages(&pa_, &other, a, 2), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(quota_used(&other), 0u);
  unchanged();

  EXPECT_EQ(mm_free_pages(&pa_, &task_, a, 2), NX_OK);
  EXPECT_EQ(mm_free_pages(&pa_, &task_, a, 2), NX_ERR_NOT_FOUND);  // double free
  EXPECT_EQ(quota_used(&task_), 0u);
  EXPECT_EQ(page_alloc_free_pages(&pa_), total_);
}

TEST_F(MmTest, ZeroedFreeRefundsOnlyWhatFreeWould) {
  uintptr_t a = 0, b = 0;
  ASSERT_EQ(mm_alloc_pages(&pa_, &task_, 2, 0, &a), NX_OK);
  ASSERT_EQ(mm_alloc_pages(&pa_, &task_, 0, PAGE_ALLOC_ZERO, &b), NX_OK);
  EXPECT_EQ(mm_free_zeroed_page(nullptr, &task_, b), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(mm_free_zeroed_page(&pa_, nullptr, b), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(mm_free_zeroed_page(&pa_, &task_, b + 8), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(mm_free_zeroed_page(&pa_, &task_, a), NX_ERR_INVALID_ARGS);  // an order-2 block
  EXPECT_EQ(mm_free_zeroed_page(&pa_, &task_, a + kPage), NX_ERR_NOT_FOUND);
  quota_t other;
  ASSERT_EQ(quota_init(&other, nullptr, 100), NX_OK);
  EXPECT_EQ(mm_free_zeroed_page(&pa_, &other, b), NX_ERR_INVALID_ARGS);  // not other's
  EXPECT_EQ(quota_used(&task_), 5u);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 5u);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  EXPECT_EQ(mm_free_zeroed_page(&pa_, &task_, b), NX_OK);
  EXPECT_EQ(mm_free_zeroed_page(&pa_, &task_, b), NX_ERR_NOT_FOUND);  // double free
  EXPECT_EQ(quota_used(&task_), 4u);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 4u);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  EXPECT_EQ(mm_free_pages(&pa_, &task_, a, 2), NX_OK);
}

TEST_F(MmTest, ZeroFlagReachesTheAllocator) {
  uintptr_t a = 0;
  ASSERT_EQ(mm_alloc_pages(&pa_, &task_, 1, 0, &a), NX_OK);
  std::memset(reinterpret_cast<void *>(a), 0x5a, 2 * kPage);
  ASSERT_EQ(mm_free_pages(&pa_, &task_, a, 1), NX_OK);
  uintptr_t b = 0;
  ASSERT_EQ(mm_alloc_pages(&pa_, &task_, 1, PAGE_ALLOC_ZERO, &b), NX_OK);
  ASSERT_EQ(b, a);
  const auto *p = reinterpret_cast<const uint8_t *>(b);
  for (size_t i = 0; i < 2 * kPage; i++) ASSERT_EQ(p[i], 0) << i;
}

}  // namespace
