// Ranges added with pages in use (page_alloc_add_range_in_use()): how the
// kernel image joins the allocator so that its boot code can be freed.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <random>
#include <vector>

#include "kernel/mm/test_arena.h"
#include "neuron/errors.h"
#include "neuron/page_alloc.h"

namespace {

using mm_test::Arena;
using mm_test::FreeBlocks;
using mm_test::kMiB;
using mm_test::kPage;

// 2 MiB (512 pages, 2 pages of records) aligned to 2 MiB, max order 9; the
// first kInUse pages are in use.
class PageAllocInUseTest : public ::testing::Test {
 protected:
  static constexpr size_t kInUse = 5;
  static constexpr size_t kPages = 512;
  static constexpr size_t kMeta = 2;

  void SetUp() override {
    // What was in the pages in use stays: the allocator writes no byte there.
    std::memset(reinterpret_cast<void *>(arena_.base()), 0x5a, kInUse * kPage);
    ASSERT_EQ(page_alloc_init(&pa_, 9, 0), NX_OK);
    ASSERT_EQ(page_alloc_add_range_in_use(&pa_, arena_.base(), arena_.size(), kInUse), NX_OK);
    ASSERT_EQ(page_alloc_check(&pa_), NX_OK);
  }

  uintptr_t Page(size_t i) const { return arena_.base() + i * kPage; }

  Arena arena_{2 * kMiB, 2 * kMiB};
  page_alloc_t pa_;
};

TEST_F(PageAllocInUseTest, PagesInUseComeFirstThenTheRecords) {
  EXPECT_EQ(page_alloc_meta_pages(&pa_), kMeta);
  EXPECT_EQ(page_alloc_total_pages(&pa_), kPages - kMeta);
  EXPECT_EQ(page_alloc_used_pages(&pa_), kInUse);
  EXPECT_EQ(page_alloc_free_pages(&pa_), kPages - kMeta - kInUse);
  for (size_t i = 0; i < kInUse; i++) {
    EXPECT_EQ(page_alloc_block_order(&pa_, Page(i)), 0) << i;
    ASSERT_NE(page_alloc_owner_word(&pa_, Page(i)), nullptr);
    EXPECT_EQ(*page_alloc_owner_word(&pa_, Page(i)), 0u);
  }
  for (size_t i = 0; i < kInUse * kPage; i++) {
    ASSERT_EQ(reinterpret_cast<const uint8_t *>(arena_.base())[i], 0x5a) << i;
  }
  // The records' own pages are in the range but never a block.
  for (size_t i = kInUse; i < kInUse + kMeta; i++) {
    EXPECT_TRUE(page_alloc_owns(&pa_, Page(i)));
    EXPECT_EQ(page_alloc_block_order(&pa_, Page(i)), NX_ERR_OUT_OF_RANGE) << i;
    EXPECT_EQ(page_alloc_free(&pa_, Page(i), 0), NX_ERR_OUT_OF_RANGE) << i;
  }
  // Nothing handed out comes from below the free pages.
  std::vector<uintptr_t> got;
  for (uintptr_t a; (a = page_alloc_alloc(&pa_, 0, 0)) != 0;) got.push_back(a);
  EXPECT_EQ(got.size(), kPages - kMeta - kInUse);
  for (uintptr_t a : got) EXPECT_GE(a, Page(kInUse + kMeta));
  for (uintptr_t a : got) ASSERT_EQ(page_alloc_free(&pa_, a, 0), NX_OK);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

TEST_F(PageAllocInUseTest, PagesInUseAreFreedAndMerge) {
  const size_t free_before = page_alloc_free_pages(&pa_);
  for (size_t i = 0; i < kInUse; i++) ASSERT_EQ(page_alloc_free(&pa_, Page(i), 0), NX_OK);
  EXPECT_EQ(page_alloc_free(&pa_, Page(0), 0), NX_ERR_NOT_FOUND);  // twice
  EXPECT_EQ(page_alloc_free_pages(&pa_), free_before + kInUse);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 0u);
  // Pages 0..3 merged into one order-2 block; page 4's buddy is a record.
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 2), 1u);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  // They are handed out again: the order-2 block is the only one of its
  // order, and an order-2 request takes it whole.
  EXPECT_EQ(page_alloc_alloc(&pa_, 2, 0), Page(0));
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

TEST(PageAllocInUseInitTest, RefusesRangesWithoutRoomBesidesThePagesInUse) {
  Arena arena(16 * kPage, kPage);
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  // 16 pages: one of records, so at most 14 in use leave a free page.
  EXPECT_EQ(page_alloc_add_range_in_use(&pa, arena.base(), arena.size(), 16), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_add_range_in_use(&pa, arena.base(), arena.size(), 17), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_add_range_in_use(&pa, arena.base(), arena.size(), 15), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_total_pages(&pa), 0u);
  // Pages in use from address 0 could be freed and handed out as "no
  // memory" (refused before anything is written there).
  EXPECT_EQ(page_alloc_add_range_in_use(&pa, 0, 16 * kPage, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_add_range_in_use(nullptr, arena.base(), arena.size(), 1),
            NX_ERR_INVALID_ARGS);
  ASSERT_EQ(page_alloc_add_range_in_use(&pa, arena.base(), arena.size(), 14), NX_OK);
  EXPECT_EQ(page_alloc_free_pages(&pa), 1u);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
}

TEST_F(PageAllocInUseTest, CheckNoticesRecordsAndBoundsOutOfStep) {
  page_range_t &r = pa_.ranges[0];
  r.end += kPage;
  EXPECT_EQ(page_alloc_check(&pa_), NX_ERR_BAD_FORMAT);
  r.end -= kPage;
  r.meta_pages++;
  EXPECT_EQ(page_alloc_check(&pa_), NX_ERR_BAD_FORMAT);  // one reserved record short
  r.meta_pages--;
  const size_t saved = r.meta_pages;
  r.meta_pages = r.pages;  // records without a page to manage
  EXPECT_EQ(page_alloc_check(&pa_), NX_ERR_BAD_FORMAT);
  r.meta_pages = saved;
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

// Random traffic in which the pages in use are freed at random times among
// other blocks, every invariant checked after each step; at the end, with
// everything freed, the blocks are those of the same range whose pages in
// use were freed at once.
TEST(PageAllocInUseRandomTest, PagesInUseMixWithRandomTraffic) {
  constexpr size_t kInUse = 37;  // odd: the last one's buddy is a record page
  Arena arena(4 * kMiB, 2 * kMiB), reference(4 * kMiB, 2 * kMiB);
  page_alloc_t pa, ref;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  ASSERT_EQ(page_alloc_add_range_in_use(&pa, arena.base(), arena.size(), kInUse), NX_OK);
  ASSERT_EQ(page_alloc_init(&ref, 9, 0), NX_OK);
  ASSERT_EQ(page_alloc_add_range_in_use(&ref, reference.base(), reference.size(), kInUse), NX_OK);
  for (size_t i = 0; i < kInUse; i++) {
    ASSERT_EQ(page_alloc_free(&ref, reference.base() + i * kPage, 0), NX_OK);
  }
  const size_t total = page_alloc_total_pages(&pa);

  std::mt19937 rng(20261126);
  std::map<uintptr_t, unsigned> live;  // address -> order, the pages in use first
  for (size_t i = 0; i < kInUse; i++) live[arena.base() + i * kPage] = 0;
  size_t live_pages = kInUse;
  for (int step = 0; step < 4000; step++) {
    if (live.empty() || rng() % 100 < 50) {
      const unsigned order = rng() % 4 == 0 ? rng() % 10 : rng() % 3;
      const uintptr_t a = page_alloc_alloc(&pa, order, 0);
      if (a != 0) {
        ASSERT_TRUE(arena.Contains(a, kPage << order));
        auto next = live.lower_bound(a);
        if (next != live.end()) ASSERT_LE(a + (kPage << order), next->first);
        if (next != live.begin()) {
          auto prev = std::prev(next);
          ASSERT_LE(prev->first + (kPage << prev->second), a);
        }
        live[a] = order;
        live_pages += size_t{1} << order;
      }
    } else {
      auto it = live.begin();
      std::advance(it, rng() % live.size());
      ASSERT_EQ(page_alloc_free(&pa, it->first, it->second), NX_OK) << "step " << step;
      live_pages -= size_t{1} << it->second;
      live.erase(it);
    }
    ASSERT_EQ(page_alloc_check(&pa), NX_OK) << "step " << step;
    ASSERT_EQ(page_alloc_used_pages(&pa), live_pages);
    ASSERT_EQ(page_alloc_free_pages(&pa) + live_pages, total);
  }
  for (auto [a, order] : live) ASSERT_EQ(page_alloc_free(&pa, a, order), NX_OK);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
  EXPECT_EQ(page_alloc_free_pages(&pa), total);
  EXPECT_EQ(FreeBlocks(pa), FreeBlocks(ref));
}

}  // namespace
