#include "neuron/page_alloc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <utility>
#include <vector>

#include "kernel/mm/test_arena.h"
#include "neuron/errors.h"

namespace {

using mm_test::Arena;
using mm_test::FreeBlocks;
using mm_test::kMiB;
using mm_test::kPage;

// An allocator over one 8 MiB range aligned to 2 MiB, max order 9.
class PageAllocTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(page_alloc_init(&pa_, 9, 0), NX_OK);
    ASSERT_EQ(page_alloc_add_range(&pa_, arena_.base(), arena_.size()), NX_OK);
    ASSERT_EQ(page_alloc_check(&pa_), NX_OK);
    initial_free_ = page_alloc_free_pages(&pa_);
    initial_blocks_ = FreeBlocks(pa_);
  }

  // The allocator is consistent and its state as before SetUp's last line.
  void ExpectUnchanged() {
    EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
    EXPECT_EQ(page_alloc_free_pages(&pa_), initial_free_);
    EXPECT_EQ(FreeBlocks(pa_), initial_blocks_);
  }

  Arena arena_{8 * kMiB, 2 * kMiB};
  page_alloc_t pa_;
  size_t initial_free_ = 0;
  std::vector<size_t> initial_blocks_;
};

TEST(PageAllocInitTest, RejectsBadArguments) {
  page_alloc_t pa;
  EXPECT_EQ(page_alloc_init(nullptr, 9, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_init(&pa, PAGE_ALLOC_ORDER_LIMIT + 1, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_init(&pa, 9, 123), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_init(&pa, PAGE_ALLOC_ORDER_LIMIT, 0), NX_OK);
  EXPECT_EQ(page_alloc_max_order(&pa), unsigned{PAGE_ALLOC_ORDER_LIMIT});
  EXPECT_EQ(page_alloc_init(&pa, PAGE_ALLOC_DEFAULT_MAX_ORDER, 0), NX_OK);
  EXPECT_EQ(page_alloc_total_pages(&pa), 0u);
  EXPECT_EQ(page_alloc_alloc(&pa, 0, 0), 0u);  // no ranges yet
}

TEST(PageAllocInitTest, RejectsBadRanges) {
  Arena arena(1 * kMiB, kPage);
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  EXPECT_EQ(page_alloc_add_range(nullptr, arena.base(), arena.size()), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_add_range(&pa, UINTPTR_MAX - kPage, 2 * kPage), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_add_range(&pa, UINTPTR_MAX - 10, 5), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_add_range(&pa, arena.base(), 0), NX_ERR_INVALID_ARGS);
  // Less than a page once shrunk to whole pages.
  EXPECT_EQ(page_alloc_add_range(&pa, arena.base() + 1, kPage), NX_ERR_INVALID_ARGS);
  // One page: all of it would be records.
  EXPECT_EQ(page_alloc_add_range(&pa, arena.base(), kPage), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_total_pages(&pa), 0u);

  ASSERT_EQ(page_alloc_add_range(&pa, arena.base(), arena.size() / 2), NX_OK);
  const size_t total = page_alloc_total_pages(&pa);
  // Overlapping the first range, in its records or its pages, or covering it.
  EXPECT_EQ(page_alloc_add_range(&pa, arena.base(), 2 * kPage), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_add_range(&pa, arena.base() + arena.size() / 2 - kPage, 4 * kPage),
            NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_add_range(&pa, arena.base(), arena.size()), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_total_pages(&pa), total);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
  // The same test, for any caller: the records count, the edges do not.
  const uintptr_t mid = arena.base() + arena.size() / 2;
  EXPECT_TRUE(page_alloc_overlaps(&pa, arena.base(), arena.base() + 1));
  EXPECT_TRUE(page_alloc_overlaps(&pa, mid - 1, mid + kPage));
  EXPECT_FALSE(page_alloc_overlaps(&pa, mid, arena.end()));
  EXPECT_FALSE(page_alloc_overlaps(&pa, arena.base() - kPage, arena.base()));
}

TEST(PageAllocInitTest, RefusesRangesPastTheLimit) {
  Arena arena(PAGE_ALLOC_MAX_RANGES * 4 * kPage + 4 * kPage, kPage);
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  for (unsigned i = 0; i < PAGE_ALLOC_MAX_RANGES; i++) {
    ASSERT_EQ(page_alloc_add_range(&pa, arena.base() + i * 4 * kPage, 4 * kPage), NX_OK);
  }
  EXPECT_EQ(page_alloc_add_range(&pa, arena.base() + PAGE_ALLOC_MAX_RANGES * 4 * kPage, 4 * kPage),
            NX_ERR_NOT_SUPPORTED);
  // Each 4-page range spends one page on records.
  EXPECT_EQ(page_alloc_total_pages(&pa), PAGE_ALLOC_MAX_RANGES * 3u);
  EXPECT_EQ(page_alloc_meta_pages(&pa), size_t{PAGE_ALLOC_MAX_RANGES});
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
}

TEST(PageAllocInitTest, RefusesRangesOfFourBillionPages) {
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  // Never touched: the size is refused before any record is written.
  EXPECT_EQ(page_alloc_add_range(&pa, 0x100000000000, uintptr_t{1} << 44), NX_ERR_OUT_OF_RANGE);
}

TEST_F(PageAllocTest, CarvesRecordsFromTheStartOfTheRange) {
  // 2048 pages of 12-byte records: 6 pages.
  const size_t pages = arena_.size() / kPage;
  EXPECT_EQ(page_alloc_meta_pages(&pa_), 6u);
  EXPECT_EQ(page_alloc_total_pages(&pa_), pages - 6);
  EXPECT_EQ(page_alloc_free_pages(&pa_), pages - 6);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 0u);
  // The range is cut into the largest aligned blocks: after the records at
  // pages 0..5, 6 is an order-1 block, 8 order 3, 16 order 4, ..., 256
  // order 8, then three order-9 (2 MiB) blocks.
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 0), 0u);
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 1), 1u);
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 2), 0u);
  for (unsigned k = 3; k <= 8; k++) EXPECT_EQ(page_alloc_free_blocks(&pa_, k), 1u) << k;
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 9), 3u);
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 10), 0u);  // above max_order
  // No allocation can reach the records.
  for (;;) {
    uintptr_t a = page_alloc_alloc(&pa_, 0, 0);
    if (a == 0) break;
    ASSERT_GE(a, arena_.base() + 6 * kPage);
    ASSERT_LT(a, arena_.end());
  }
  EXPECT_EQ(page_alloc_free_pages(&pa_), 0u);
  EXPECT_EQ(page_alloc_used_pages(&pa_), pages - 6);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

TEST(PageAllocInitTest, RangesShrinkToWholePages) {
  Arena arena(64 * kPage, kPage);
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  // 10 bytes into the first page and 10 bytes short of the end: 62 pages.
  ASSERT_EQ(page_alloc_add_range(&pa, arena.base() + 10, arena.size() - 20), NX_OK);
  EXPECT_EQ(page_alloc_meta_pages(&pa) + page_alloc_total_pages(&pa), 62u);
  for (uintptr_t a; (a = page_alloc_alloc(&pa, 0, 0)) != 0;) {
    EXPECT_GE(a, arena.base() + kPage);
    EXPECT_LE(a + kPage, arena.end() - kPage);
  }
}

TEST_F(PageAllocTest, BlocksAreAlignedToTheirSize) {
  for (unsigned order = 0; order <= 9; order++) {
    uintptr_t a = page_alloc_alloc(&pa_, order, 0);
    ASSERT_NE(a, 0u) << order;
    EXPECT_EQ(a % (kPage << order), 0u) << order;
    EXPECT_TRUE(arena_.Contains(a, kPage << order));
    EXPECT_EQ(page_alloc_block_order(&pa_, a), static_cast<int>(order));
  }
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

TEST_F(PageAllocTest, OrderAboveMaxOrderGivesNothing) {
  EXPECT_EQ(page_alloc_alloc(&pa_, 10, 0), 0u);
  EXPECT_EQ(page_alloc_alloc(&pa_, 1000, 0), 0u);
  ExpectUnchanged();
}

TEST_F(PageAllocTest, SplitsAndCoalescesBuddies) {
  uintptr_t a = page_alloc_alloc(&pa_, 0, 0);
  uintptr_t b = page_alloc_alloc(&pa_, 0, 0);
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  // The order-1 block at page 6 is split: a and b are its halves.
  EXPECT_EQ(a ^ b, kPage);
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 1), 0u);
  EXPECT_EQ(page_alloc_free(&pa_, a, 0), NX_OK);
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 0), 1u);
  EXPECT_EQ(page_alloc_free(&pa_, b, 0), NX_OK);
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 0), 0u);
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 1), 1u);
  ExpectUnchanged();

  // Once every block below 2 MiB is taken, a 4 KiB allocation splits a
  // 2 MiB block all the way down (keeping the lowest page), and freeing it
  // merges it all the way up again.
  std::vector<std::pair<uintptr_t, unsigned>> small;
  for (unsigned k = 0; k < 9; k++) {
    while (page_alloc_free_blocks(&pa_, k) > 0) small.emplace_back(page_alloc_alloc(&pa_, k, 0), k);
  }
  uintptr_t c = page_alloc_alloc(&pa_, 0, 0);
  ASSERT_NE(c, 0u);
  EXPECT_EQ(c % (2 * kMiB), 0u);
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 9), 2u);
  for (unsigned k = 0; k < 9; k++) EXPECT_EQ(page_alloc_free_blocks(&pa_, k), 1u) << k;
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  EXPECT_EQ(page_alloc_free(&pa_, c, 0), NX_OK);
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 9), 3u);
  for (unsigned k = 0; k < 9; k++) EXPECT_EQ(page_alloc_free_blocks(&pa_, k), 0u) << k;
  for (auto [a, k] : small) EXPECT_EQ(page_alloc_free(&pa_, a, k), NX_OK);
  ExpectUnchanged();
}

TEST_F(PageAllocTest, ExhaustionAndFullRecovery) {
  std::vector<uintptr_t> pages;
  for (uintptr_t a; (a = page_alloc_alloc(&pa_, 0, 0)) != 0;) pages.push_back(a);
  EXPECT_EQ(pages.size(), page_alloc_total_pages(&pa_));
  EXPECT_EQ(page_alloc_free_pages(&pa_), 0u);
  for (unsigned k = 0; k <= 9; k++) {
    EXPECT_EQ(page_alloc_alloc(&pa_, k, 0), 0u) << k;
    EXPECT_EQ(page_alloc_free_blocks(&pa_, k), 0u);
  }
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  // Free in an order that maximizes partial merges: odd pages first.
  for (size_t i = 1; i < pages.size(); i += 2) ASSERT_EQ(page_alloc_free(&pa_, pages[i], 0), NX_OK);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  for (size_t i = 0; i < pages.size(); i += 2) ASSERT_EQ(page_alloc_free(&pa_, pages[i], 0), NX_OK);
  ExpectUnchanged();
  // Large blocks are available again.
  EXPECT_NE(page_alloc_alloc(&pa_, 9, 0), 0u);
}

TEST_F(PageAllocTest, LargeRequestFailsWhenMemoryIsFragmented) {
  std::vector<uintptr_t> pages;
  for (uintptr_t a; (a = page_alloc_alloc(&pa_, 0, 0)) != 0;) pages.push_back(a);
  // Keep the middle page of each 2 MiB block, free the rest: plenty of free
  // pages, but no free 2 MiB block.
  std::set<uintptr_t> pins;
  for (uintptr_t m = 1; m <= 3; m++) pins.insert(arena_.base() + m * 2 * kMiB + kMiB);
  for (uintptr_t a : pages) {
    if (pins.count(a) == 0) ASSERT_EQ(page_alloc_free(&pa_, a, 0), NX_OK);
  }
  EXPECT_EQ(page_alloc_free_pages(&pa_), page_alloc_total_pages(&pa_) - 3);
  EXPECT_EQ(page_alloc_free_blocks(&pa_, 9), 0u);
  EXPECT_EQ(page_alloc_alloc(&pa_, 9, 0), 0u);
  EXPECT_NE(page_alloc_alloc(&pa_, 8, 0), 0u);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

TEST_F(PageAllocTest, FreeRejectsMisalignedAddresses) {
  uintptr_t a = page_alloc_alloc(&pa_, 2, 0);
  ASSERT_NE(a, 0u);
  const size_t free_pages = page_alloc_free_pages(&pa_);
  EXPECT_EQ(page_alloc_free(&pa_, a + 1, 2), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_free(&pa_, a + 8, 0), NX_ERR_INVALID_ARGS);
  // Page aligned, but not aligned to the order's block size.
  EXPECT_EQ(page_alloc_free(&pa_, a + kPage, 2), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_free(&pa_, a + 2 * kPage, 2), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_block_order(&pa_, a + 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_free_pages(&pa_), free_pages);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  EXPECT_EQ(page_alloc_free(&pa_, a, 2), NX_OK);
  ExpectUnchanged();
}

TEST_F(PageAllocTest, FreeRejectsAddressesOutsideTheRanges) {
  uintptr_t a = page_alloc_alloc(&pa_, 0, 0);
  ASSERT_NE(a, 0u);
  const size_t free_pages = page_alloc_free_pages(&pa_);
  EXPECT_EQ(page_alloc_free(&pa_, arena_.end(), 0), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(page_alloc_free(&pa_, arena_.base() - kPage, 0), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(page_alloc_free(&pa_, 0, 0), NX_ERR_OUT_OF_RANGE);
  // The records are in the range as added but are not managed pages.
  EXPECT_EQ(page_alloc_free(&pa_, arena_.base(), 0), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(page_alloc_free(&pa_, arena_.base() + 5 * kPage, 0), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(page_alloc_block_order(&pa_, arena_.end()), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(page_alloc_free_pages(&pa_), free_pages);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  EXPECT_EQ(page_alloc_free(&pa_, a, 0), NX_OK);
  ExpectUnchanged();
}

TEST_F(PageAllocTest, FreeRejectsTheWrongOrder) {
  uintptr_t a = page_alloc_alloc(&pa_, 2, 0);
  ASSERT_NE(a, 0u);
  const size_t free_pages = page_alloc_free_pages(&pa_);
  EXPECT_EQ(page_alloc_free(&pa_, a, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_free(&pa_, a, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_free(&pa_, a, 3), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_free(&pa_, a, 10), NX_ERR_INVALID_ARGS);  // above max_order
  EXPECT_EQ(page_alloc_free(&pa_, a, UINT32_MAX), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_free_pages(&pa_), free_pages);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  EXPECT_EQ(page_alloc_free(&pa_, a, 2), NX_OK);
  ExpectUnchanged();
}

TEST_F(PageAllocTest, FreeRejectsDoubleFreesAndPagesInsideBlocks) {
  uintptr_t a = page_alloc_alloc(&pa_, 2, 0);
  uintptr_t b = page_alloc_alloc(&pa_, 0, 0);
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  const size_t free_pages = page_alloc_free_pages(&pa_);
  // A page inside an allocated block is not a block.
  EXPECT_EQ(page_alloc_free(&pa_, a + kPage, 0), NX_ERR_NOT_FOUND);
  EXPECT_EQ(page_alloc_free(&pa_, a + 2 * kPage, 1), NX_ERR_NOT_FOUND);
  EXPECT_EQ(page_alloc_block_order(&pa_, a + kPage), NX_ERR_NOT_FOUND);
  EXPECT_EQ(page_alloc_free_pages(&pa_), free_pages);

  ASSERT_EQ(page_alloc_free(&pa_, b, 0), NX_OK);
  EXPECT_EQ(page_alloc_free(&pa_, b, 0), NX_ERR_NOT_FOUND);
  EXPECT_EQ(page_alloc_block_order(&pa_, b), NX_ERR_NOT_FOUND);
  ASSERT_EQ(page_alloc_free(&pa_, a, 2), NX_OK);
  EXPECT_EQ(page_alloc_free(&pa_, a, 2), NX_ERR_NOT_FOUND);
  // Never-allocated pages, free heads and free tails alike.
  EXPECT_EQ(page_alloc_free(&pa_, arena_.base() + 6 * kPage, 0), NX_ERR_NOT_FOUND);
  EXPECT_EQ(page_alloc_free(&pa_, arena_.base() + 7 * kPage, 0), NX_ERR_NOT_FOUND);
  ExpectUnchanged();
}

TEST_F(PageAllocTest, NullAllocatorIsRefused) {
  EXPECT_EQ(page_alloc_alloc(nullptr, 0, 0), 0u);
  EXPECT_EQ(page_alloc_free(nullptr, arena_.base() + 6 * kPage, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_block_order(nullptr, arena_.base() + 6 * kPage), NX_ERR_INVALID_ARGS);
}

TEST_F(PageAllocTest, LeavesPagesAloneUnlessAskedToZero) {
  uintptr_t a = page_alloc_alloc(&pa_, 3, 0);
  ASSERT_NE(a, 0u);
  std::memset(reinterpret_cast<void *>(a), 0xab, kPage << 3);
  ASSERT_EQ(page_alloc_free(&pa_, a, 3), NX_OK);
  // The allocator keeps its state in the records: the freed block still
  // holds what its user wrote when it is handed out again.
  uintptr_t b = page_alloc_alloc(&pa_, 3, 0);
  ASSERT_EQ(b, a);
  const uint8_t *p = reinterpret_cast<const uint8_t *>(b);
  for (size_t i = 0; i < (kPage << 3); i++) ASSERT_EQ(p[i], 0xab) << i;
  ASSERT_EQ(page_alloc_free(&pa_, b, 3), NX_OK);

  uintptr_t c = page_alloc_alloc(&pa_, 3, PAGE_ALLOC_ZERO);
  ASSERT_EQ(c, a);
  p = reinterpret_cast<const uint8_t *>(c);
  for (size_t i = 0; i < (kPage << 3); i++) ASSERT_EQ(p[i], 0) << i;
}

TEST_F(PageAllocTest, OwnerWordStartsAtZeroOnEveryAllocation) {
  for (unsigned flags : {0u, PAGE_ALLOC_ZERO}) {
    uintptr_t a = page_alloc_alloc(&pa_, 2, flags);
    ASSERT_NE(a, 0u);
    uint16_t *word = page_alloc_owner_word(&pa_, a);
    ASSERT_NE(word, nullptr);
    EXPECT_EQ(*word, 0u);
    *word = 0xbeef;
    // Blocks split and merged next to it leave it as its owner wrote it.
    uintptr_t b = page_alloc_alloc(&pa_, 0, 0);
    uintptr_t c = page_alloc_alloc(&pa_, 3, 0);
    ASSERT_NE(b, 0u);
    ASSERT_NE(c, 0u);
    EXPECT_EQ(page_alloc_free(&pa_, b, 0), NX_OK);
    EXPECT_EQ(page_alloc_free(&pa_, c, 3), NX_OK);
    EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
    EXPECT_EQ(page_alloc_owner_word(&pa_, a), word);
    EXPECT_EQ(*word, 0xbeef);
    // The next owner of the block starts from 0, not from what was left.
    ASSERT_EQ(page_alloc_free(&pa_, a, 2), NX_OK);
    ASSERT_EQ(page_alloc_alloc(&pa_, 2, flags), a);
    EXPECT_EQ(*page_alloc_owner_word(&pa_, a), 0u);
    ASSERT_EQ(page_alloc_free(&pa_, a, 2), NX_OK);
    ExpectUnchanged();
  }
}

TEST_F(PageAllocTest, OwnerWordOnlyForTheHeadOfAnAllocatedBlock) {
  uintptr_t a = page_alloc_alloc(&pa_, 2, 0);
  uintptr_t b = page_alloc_alloc(&pa_, 0, 0);
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  ASSERT_EQ(page_alloc_free(&pa_, b, 0), NX_OK);
  EXPECT_NE(page_alloc_owner_word(&pa_, a), nullptr);
  EXPECT_EQ(page_alloc_owner_word(nullptr, a), nullptr);
  EXPECT_EQ(page_alloc_owner_word(&pa_, a + 8), nullptr);      // not page aligned
  EXPECT_EQ(page_alloc_owner_word(&pa_, a + kPage), nullptr);  // a tail
  EXPECT_EQ(page_alloc_owner_word(&pa_, b), nullptr);          // freed
  // Never-allocated pages, a free head and a free tail.
  EXPECT_EQ(page_alloc_owner_word(&pa_, arena_.base() + 6 * kPage), nullptr);
  EXPECT_EQ(page_alloc_owner_word(&pa_, arena_.base() + 7 * kPage), nullptr);
  // Outside every range, the records included.
  EXPECT_EQ(page_alloc_owner_word(&pa_, arena_.end()), nullptr);
  EXPECT_EQ(page_alloc_owner_word(&pa_, arena_.base()), nullptr);
  EXPECT_EQ(page_alloc_owner_word(&pa_, 0), nullptr);
  ASSERT_EQ(page_alloc_free(&pa_, a, 2), NX_OK);
  EXPECT_EQ(page_alloc_owner_word(&pa_, a), nullptr);
  ExpectUnchanged();
}

TEST_F(PageAllocTest, ZeroedPagesAreKeptAsideAndHandedOutFirst) {
  const uintptr_t a = page_alloc_alloc(&pa_, 0, PAGE_ALLOC_ZERO);
  const uintptr_t b = page_alloc_alloc(&pa_, 0, PAGE_ALLOC_ZERO);
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  const std::vector<size_t> blocks = FreeBlocks(pa_);
  const size_t free_pages = page_alloc_free_pages(&pa_);
  ASSERT_EQ(page_alloc_free_zeroed(&pa_, a), NX_OK);
  ASSERT_EQ(page_alloc_free_zeroed(&pa_, b), NX_OK);
  EXPECT_EQ(page_alloc_free_pages(&pa_), free_pages + 2);
  EXPECT_EQ(FreeBlocks(pa_), blocks);  // in no free list
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  // Free now: a second free is refused, and there is no owner word.
  EXPECT_EQ(page_alloc_free(&pa_, a, 0), NX_ERR_NOT_FOUND);
  EXPECT_EQ(page_alloc_free_zeroed(&pa_, a), NX_ERR_NOT_FOUND);
  EXPECT_EQ(page_alloc_block_order(&pa_, b), NX_ERR_NOT_FOUND);
  EXPECT_EQ(page_alloc_owner_word(&pa_, a), nullptr);
  // A plain single page still comes from the lists; zeroed ones come from
  // the pages kept, the last kept first.
  const uintptr_t c = page_alloc_alloc(&pa_, 0, 0);
  EXPECT_NE(c, a);
  EXPECT_NE(c, b);
  EXPECT_EQ(page_alloc_alloc(&pa_, 0, PAGE_ALLOC_ZERO), b);
  EXPECT_EQ(page_alloc_alloc(&pa_, 0, PAGE_ALLOC_ZERO), a);
  ASSERT_NE(page_alloc_owner_word(&pa_, a), nullptr);
  EXPECT_EQ(*page_alloc_owner_word(&pa_, a), 0u);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  for (uintptr_t p : {a, b, c}) ASSERT_EQ(page_alloc_free(&pa_, p, 0), NX_OK);
  ExpectUnchanged();
}

TEST_F(PageAllocTest, FreeZeroedRefusesWhatFreeRefuses) {
  const uintptr_t big = page_alloc_alloc(&pa_, 1, PAGE_ALLOC_ZERO);
  ASSERT_NE(big, 0u);
  const size_t free_pages = page_alloc_free_pages(&pa_);
  EXPECT_EQ(page_alloc_free_zeroed(nullptr, big), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_free_zeroed(&pa_, big + 8), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_free_zeroed(&pa_, big), NX_ERR_INVALID_ARGS);  // two pages
  EXPECT_EQ(page_alloc_free_zeroed(&pa_, big + kPage), NX_ERR_NOT_FOUND);
  EXPECT_EQ(page_alloc_free_zeroed(&pa_, arena_.base()), NX_ERR_OUT_OF_RANGE);  // records
  EXPECT_EQ(page_alloc_free_zeroed(&pa_, arena_.end()), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(page_alloc_free_pages(&pa_), free_pages);
  EXPECT_EQ(pa_.zeroed_count, 0u);
  ASSERT_EQ(page_alloc_free(&pa_, big, 1), NX_OK);
  ExpectUnchanged();
}

TEST_F(PageAllocTest, KeepsAtMostTheLimitAside) {
  std::vector<uintptr_t> pages;
  for (unsigned i = 0; i <= PAGE_ALLOC_ZEROED_MAX; i++) {
    pages.push_back(page_alloc_alloc(&pa_, 0, PAGE_ALLOC_ZERO));
  }
  for (uintptr_t p : pages) ASSERT_EQ(page_alloc_free_zeroed(&pa_, p), NX_OK);
  EXPECT_EQ(pa_.zeroed_count, unsigned{PAGE_ALLOC_ZEROED_MAX});  // the last went to the lists
  EXPECT_EQ(page_alloc_free_pages(&pa_), initial_free_);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

// With every other page taken, the pages kept aside serve single pages of
// any kind, and rejoin the free lists (merged) for a larger request.
TEST_F(PageAllocTest, PagesKeptAsideRejoinTheListsWhenNothingElseFits) {
  std::vector<uintptr_t> pages;
  for (uintptr_t a; (a = page_alloc_alloc(&pa_, 0, 0)) != 0;) pages.push_back(a);
  std::sort(pages.begin(), pages.end());
  // Sixteen neighbours that make one 64 KiB block.
  const uintptr_t group = (pages.front() + 16 * kPage - 1) & ~(16 * kPage - 1);
  std::vector<uintptr_t> rest;
  for (uintptr_t p : pages) {
    if (p >= group && p < group + 16 * kPage) {
      std::memset(reinterpret_cast<void *>(p), 0, kPage);
      ASSERT_EQ(page_alloc_free_zeroed(&pa_, p), NX_OK);
    } else {
      rest.push_back(p);
    }
  }
  ASSERT_EQ(pa_.zeroed_count, 16u);
  for (unsigned k = 0; k <= 9; k++) EXPECT_EQ(page_alloc_free_blocks(&pa_, k), 0u) << k;
  const uintptr_t one = page_alloc_alloc(&pa_, 0, 0);
  EXPECT_GE(one, group);
  EXPECT_LT(one, group + 16 * kPage);
  ASSERT_EQ(page_alloc_free_zeroed(&pa_, one), NX_OK);  // untouched: still zero
  EXPECT_EQ(page_alloc_alloc(&pa_, 4, 0), group);
  EXPECT_EQ(pa_.zeroed_count, 0u);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  EXPECT_EQ(page_alloc_alloc(&pa_, 0, 0), 0u);  // nothing left
  ASSERT_EQ(page_alloc_free(&pa_, group, 4), NX_OK);
  for (uintptr_t p : rest) ASSERT_EQ(page_alloc_free(&pa_, p, 0), NX_OK);
  ExpectUnchanged();
}

TEST_F(PageAllocTest, CheckNoticesAKeptPageThatIsNotZeroOrKeptTwice) {
  const uintptr_t a = page_alloc_alloc(&pa_, 0, PAGE_ALLOC_ZERO);
  const uintptr_t b = page_alloc_alloc(&pa_, 0, PAGE_ALLOC_ZERO);
  ASSERT_EQ(page_alloc_free_zeroed(&pa_, a), NX_OK);
  ASSERT_EQ(page_alloc_free_zeroed(&pa_, b), NX_OK);
  ASSERT_EQ(page_alloc_check(&pa_), NX_OK);
  auto *bytes = reinterpret_cast<uint8_t *>(a);
  bytes[kPage - 1] = 1;  // written after its free
  EXPECT_EQ(page_alloc_check(&pa_), NX_ERR_BAD_FORMAT);
  bytes[kPage - 1] = 0;
  ASSERT_EQ(page_alloc_check(&pa_), NX_OK);
  pa_.zeroed[1] = a;  // a twice, b lost
  EXPECT_EQ(page_alloc_check(&pa_), NX_ERR_BAD_FORMAT);
  pa_.zeroed[1] = b;
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

TEST_F(PageAllocTest, CheckNoticesInconsistentState) {
  uintptr_t a = page_alloc_alloc(&pa_, 0, 0);
  ASSERT_NE(a, 0u);
  ASSERT_EQ(page_alloc_check(&pa_), NX_OK);
  // Each counter or list head knocked out of step is caught.
  pa_.free_pages++;
  EXPECT_EQ(page_alloc_check(&pa_), NX_ERR_BAD_FORMAT);
  pa_.free_pages--;
  pa_.total_pages--;
  EXPECT_EQ(page_alloc_check(&pa_), NX_ERR_BAD_FORMAT);
  pa_.total_pages++;
  pa_.free_blocks[3]++;
  EXPECT_EQ(page_alloc_check(&pa_), NX_ERR_BAD_FORMAT);
  pa_.free_blocks[3]--;
  pa_.ranges[0].nonempty ^= 1u << 9;
  EXPECT_EQ(page_alloc_check(&pa_), NX_ERR_BAD_FORMAT);
  pa_.ranges[0].nonempty ^= 1u << 9;
  std::swap(pa_.ranges[0].free_head[3], pa_.ranges[0].free_head[4]);
  EXPECT_EQ(page_alloc_check(&pa_), NX_ERR_BAD_FORMAT);
  std::swap(pa_.ranges[0].free_head[3], pa_.ranges[0].free_head[4]);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  // The fresh interval: misaligned, past the range, or not whole blocks.
  page_range_t &r = pa_.ranges[0];
  ASSERT_NE(r.fresh_count, 0u);
  const uint32_t pages = static_cast<uint32_t>(r.pages);
  for (auto [lo, count] :
       std::vector<std::pair<uint32_t, uint32_t>>{{r.fresh_lo + 1, r.fresh_count},
                                                  {r.fresh_lo, pages},
                                                  {pages + 1, 0},
                                                  {r.fresh_lo, r.fresh_count - 1}}) {
    const uint32_t saved_lo = r.fresh_lo, saved_count = r.fresh_count;
    r.fresh_lo = lo;
    r.fresh_count = count;
    EXPECT_EQ(page_alloc_check(&pa_), NX_ERR_BAD_FORMAT) << lo << " " << count;
    r.fresh_lo = saved_lo;
    r.fresh_count = saved_count;
  }
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
  EXPECT_EQ(page_alloc_free(&pa_, a, 0), NX_OK);
  ExpectUnchanged();
}

}  // namespace
