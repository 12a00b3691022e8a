// The page allocator over several ranges and unwritten memory: fresh
// max-order blocks whose records are written when first taken, best fit
// across ranges, buddies at range edges, records read only where written,
// the map offset, and thousands of random allocations and frees with every
// invariant checked after each step.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "kernel/mm/test_arena.h"
#include "neuron/errors.h"
#include "neuron/page_alloc.h"

namespace {

using mm_test::Arena;
using mm_test::FreeBlocks;
using mm_test::kMiB;
using mm_test::kPage;

// The max-order blocks a range starts with keep their tail records
// unwritten until first taken: garbage there (0x02 bytes read as allocated
// order-2 heads) is never believed, and they are taken lowest first.
TEST(PageAllocFreshTest, WritesABlocksRecordsWhenItIsFirstTaken) {
  Arena arena(8 * kMiB, 2 * kMiB);
  std::memset(reinterpret_cast<void *>(arena.base()), 0x02, arena.size());
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  ASSERT_EQ(page_alloc_add_range(&pa, arena.base(), arena.size()), NX_OK);
  ASSERT_EQ(page_alloc_check(&pa), NX_OK);
  // The records fill the start of the first 2 MiB; the other three are fresh.
  const uintptr_t blocks[] = {arena.base() + 2 * kMiB, arena.base() + 4 * kMiB,
                              arena.base() + 6 * kMiB};
  EXPECT_EQ(page_alloc_free_blocks(&pa, 9), 3u);
  const page_range_t &r = pa.ranges[0];
  EXPECT_EQ(r.fresh_count, 3u << 9);
  for (uintptr_t b : blocks) {
    for (uintptr_t a : {b, b + kPage, b + 5 * kPage, b + 2 * kMiB - kPage}) {
      EXPECT_EQ(page_alloc_free(&pa, a, 0), NX_ERR_NOT_FOUND);
      EXPECT_EQ(page_alloc_free(&pa, a, 2),
                a % (4 * kPage) ? NX_ERR_INVALID_ARGS : NX_ERR_NOT_FOUND);
      EXPECT_EQ(page_alloc_block_order(&pa, a), NX_ERR_NOT_FOUND);
      EXPECT_EQ(page_alloc_owner_word(&pa, a), nullptr);
    }
  }
  // Taken lowest first, each one's records cleared as it goes.
  for (uintptr_t b : blocks) {
    ASSERT_EQ(page_alloc_alloc(&pa, 9, 0), b);
    ASSERT_EQ(page_alloc_check(&pa), NX_OK);
    EXPECT_EQ(page_alloc_block_order(&pa, b), 9);
    EXPECT_EQ(page_alloc_block_order(&pa, b + kPage), NX_ERR_NOT_FOUND);  // a tail
  }
  EXPECT_EQ(r.fresh_count, 0u);
  // The check: a block in the fresh interval must be a free max-order one.
  page_range_t &changed = pa.ranges[0];
  changed.fresh_lo -= 1u << 9;  // back over blocks[2], now allocated
  changed.fresh_count = 1u << 9;
  EXPECT_EQ(page_alloc_check(&pa), NX_ERR_BAD_FORMAT);
  changed.fresh_lo += 1u << 9;
  changed.fresh_count = 0;
  ASSERT_EQ(page_alloc_check(&pa), NX_OK);
  // Back and split: small blocks come out of the first one freed.
  ASSERT_EQ(page_alloc_free(&pa, blocks[1], 9), NX_OK);
  ASSERT_EQ(page_alloc_free(&pa, blocks[0], 9), NX_OK);
  for (int i = 0; i < 20; i++) {
    uintptr_t a = page_alloc_alloc(&pa, 0, 0);
    ASSERT_NE(a, 0u);
    ASSERT_EQ(page_alloc_check(&pa), NX_OK);
  }
}

// A single fresh block split by the first small request after the edge
// blocks are gone, in a range that also has edges at both ends.
TEST(PageAllocFreshTest, SplitsAFreshBlockForSmallRequests) {
  Arena arena(8 * kMiB, 2 * kMiB);
  std::memset(reinterpret_cast<void *>(arena.base()), 0x01, arena.size());
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  // [1 MiB, 4 MiB + 3 pages): the records and smaller blocks up to 2 MiB,
  // one fresh block [2 MiB, 4 MiB), three single pages after it.
  const uintptr_t start = arena.base() + kMiB, end = arena.base() + 4 * kMiB + 3 * kPage;
  ASSERT_EQ(page_alloc_add_range(&pa, start, end - start), NX_OK);
  ASSERT_EQ(page_alloc_check(&pa), NX_OK);
  EXPECT_EQ(page_alloc_free_blocks(&pa, 9), 1u);
  std::set<uintptr_t> got;
  for (uintptr_t a; (a = page_alloc_alloc(&pa, 0, 0)) != 0;) {
    ASSERT_TRUE(got.insert(a).second);
    ASSERT_GE(a, start);
    ASSERT_LT(a, end);
  }
  EXPECT_EQ(got.size(), page_alloc_total_pages(&pa));
  EXPECT_EQ(pa.ranges[0].fresh_count, 0u);
  ASSERT_EQ(page_alloc_check(&pa), NX_OK);
  for (uintptr_t a : got) ASSERT_EQ(page_alloc_free(&pa, a, 0), NX_OK);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
  EXPECT_EQ(page_alloc_free_blocks(&pa, 9), 1u);
}

TEST(PageAllocRangesTest, PrefersTheSmallestFreeBlockInAnyRange) {
  // big: 256 pages, 2 MiB aligned: one record page, then blocks of order
  // 0 (page 1), 1 (pages 2-3), 2, ..., 7 (pages 128-255).
  Arena big(2 * kMiB, 2 * kMiB), tiny(2 * kPage, kPage);
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  ASSERT_EQ(page_alloc_add_range(&pa, big.base(), 1 * kMiB), NX_OK);
  EXPECT_EQ(page_alloc_alloc(&pa, 0, 0), big.base() + kPage);
  // tiny: one record page and one free page, after big in the range table.
  ASSERT_EQ(page_alloc_add_range(&pa, tiny.base(), tiny.size()), NX_OK);
  EXPECT_EQ(page_alloc_meta_pages(&pa), 2u);
  EXPECT_EQ(page_alloc_free_blocks(&pa, 0), 1u);
  EXPECT_EQ(page_alloc_free_blocks(&pa, 1), 1u);
  // The exact fit in tiny wins over splitting big's order-1 block.
  EXPECT_EQ(page_alloc_alloc(&pa, 0, 0), tiny.base() + kPage);
  EXPECT_EQ(page_alloc_free_blocks(&pa, 1), 1u);
  // Then big's order-1 block is split.
  EXPECT_EQ(page_alloc_alloc(&pa, 0, 0), big.base() + 2 * kPage);
  EXPECT_EQ(page_alloc_free_blocks(&pa, 1), 0u);
  EXPECT_EQ(page_alloc_free_blocks(&pa, 0), 1u);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
}

TEST(PageAllocRangesTest, TiesGoToTheFirstRange) {
  Arena big(2 * kMiB, 2 * kMiB), tiny(2 * kPage, kPage);
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  ASSERT_EQ(page_alloc_add_range(&pa, tiny.base(), tiny.size()), NX_OK);
  ASSERT_EQ(page_alloc_add_range(&pa, big.base(), 1 * kMiB), NX_OK);
  // Both ranges have an order-0 block; a larger block in a later range
  // never wins over a smaller one in an earlier range.
  EXPECT_EQ(page_alloc_alloc(&pa, 0, 0), tiny.base() + kPage);
  EXPECT_EQ(page_alloc_alloc(&pa, 0, 0), big.base() + kPage);
  EXPECT_EQ(page_alloc_alloc(&pa, 0, 0), big.base() + 2 * kPage);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
}

TEST(PageAllocRangesTest, BuddiesNeverMergeAcrossRangeEdges) {
  // Two ranges back to back in memory, the boundary inside what would be
  // one 2 MiB block: each keeps its own blocks, aligned, inside itself.
  Arena arena(4 * kMiB, 2 * kMiB);
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  const uintptr_t mid = arena.base() + kMiB + 5 * kPage;
  ASSERT_EQ(page_alloc_add_range(&pa, arena.base(), mid - arena.base()), NX_OK);
  ASSERT_EQ(page_alloc_add_range(&pa, mid, arena.end() - mid), NX_OK);
  ASSERT_EQ(page_alloc_check(&pa), NX_OK);
  const std::vector<size_t> initial = FreeBlocks(pa);
  std::vector<std::pair<uintptr_t, unsigned>> held;
  for (unsigned k = 9;; k = k > 0 ? k - 1 : 0) {
    uintptr_t a = page_alloc_alloc(&pa, k, 0);
    if (a == 0 && k == 0) break;
    if (a == 0) continue;
    EXPECT_EQ(a % (kPage << k), 0u);
    // Entirely on one side of the boundary.
    EXPECT_TRUE(a + (kPage << k) <= mid || a >= mid) << std::hex << a << " order " << k;
    held.emplace_back(a, k);
  }
  EXPECT_EQ(page_alloc_free_pages(&pa), 0u);
  for (auto [a, k] : held) ASSERT_EQ(page_alloc_free(&pa, a, k), NX_OK);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
  EXPECT_EQ(FreeBlocks(pa), initial);
}

// RAM holds anything at boot. The allocator must only ever read records it
// wrote: filled with 0x01 bytes, any other memory would read as a free
// order-1 block ready to merge (and 0xff as garbage), so a look outside a
// range's records would show up as a broken state.
TEST(PageAllocRangesTest, TrustsNoMemoryItDidNotWrite) {
  for (int fill : {0x00, 0x01, 0x02, 0xff}) {
    Arena arena(4 * kMiB, 2 * kMiB);
    std::memset(reinterpret_cast<void *>(arena.base()), fill, arena.size());
    page_alloc_t pa;
    ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
    // Back to back, boundaries off every large alignment, a gap at the end.
    // Both ranges end 2 pages past a multiple of 4, so their last block has
    // order 1 and a buddy just past the end, whose record would lie in the
    // unused tail of the record pages.
    const uintptr_t mid = arena.base() + kMiB + 2 * kPage;
    ASSERT_EQ(page_alloc_add_range(&pa, arena.base() + 5 * kPage, mid - arena.base() - 5 * kPage),
              NX_OK);
    ASSERT_EQ(page_alloc_add_range(&pa, mid, arena.end() - mid - 6 * kPage), NX_OK);
    ASSERT_EQ(page_alloc_check(&pa), NX_OK);
    const std::vector<size_t> initial = FreeBlocks(pa);
    std::vector<uintptr_t> pages;
    for (uintptr_t a; (a = page_alloc_alloc(&pa, 0, 0)) != 0;) pages.push_back(a);
    ASSERT_EQ(pages.size(), page_alloc_total_pages(&pa));
    std::mt19937 rng(fill);
    std::shuffle(pages.begin(), pages.end(), rng);
    for (uintptr_t a : pages) {
      ASSERT_EQ(page_alloc_free(&pa, a, 0), NX_OK);
      ASSERT_EQ(page_alloc_check(&pa), NX_OK) << "fill " << fill;
    }
    EXPECT_EQ(FreeBlocks(pa), initial) << "fill " << fill;
  }
}

TEST(PageAllocMapTest, ReachesMemoryThroughTheMapOffset) {
  // Physical addresses 0x80000000.. seen at the arena: the allocator hands
  // out physical addresses but writes records (and zeroes) at phys + offset.
  Arena arena(1 * kMiB, 2 * kMiB);
  const uintptr_t phys = 0x80000000;
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, arena.base() - phys), NX_OK);
  ASSERT_EQ(page_alloc_add_range(&pa, phys, arena.size()), NX_OK);
  uintptr_t a = page_alloc_alloc(&pa, 0, PAGE_ALLOC_ZERO);
  ASSERT_GE(a, phys + kPage);
  ASSERT_LT(a, phys + arena.size());
  uint8_t *p = static_cast<uint8_t *>(page_alloc_ptr(&pa, a));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p), arena.base() + (a - phys));
  EXPECT_EQ(p[0], 0);
  // The owner word is found by physical address too, as free takes it.
  EXPECT_NE(page_alloc_owner_word(&pa, a), nullptr);
  EXPECT_EQ(page_alloc_owner_word(&pa, arena.base() + (a - phys)), nullptr);
  EXPECT_EQ(page_alloc_free(&pa, a, 0), NX_OK);
  EXPECT_EQ(page_alloc_free(&pa, arena.base() + (a - phys), 0), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
}

// Thousands of random allocations and frees over two ranges, one starting
// off any large boundary, with every invariant checked after each step.
TEST(PageAllocRandomTest, InvariantsHoldUnderRandomTraffic) {
  // Memory that reads as records of allocated blocks (0x02) and of free
  // order-1 heads (0x01) where the allocator has not written: its fresh
  // blocks (three in a1; in a2, one or none, wherever it lies) must never
  // be believed.
  Arena a1(8 * kMiB, 2 * kMiB), a2(3 * kMiB, kPage);
  std::memset(reinterpret_cast<void *>(a1.base()), 0x02, a1.size());
  std::memset(reinterpret_cast<void *>(a2.base()), 0x01, a2.size());
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  ASSERT_EQ(page_alloc_add_range(&pa, a1.base(), a1.size()), NX_OK);
  ASSERT_EQ(page_alloc_add_range(&pa, a2.base() + 3 * kPage, a2.size() - 5 * kPage), NX_OK);
  const size_t total = page_alloc_total_pages(&pa);
  const std::vector<size_t> initial = FreeBlocks(pa);
  ASSERT_EQ(page_alloc_free_pages(&pa), total);

  std::mt19937 rng(20240611);
  std::map<uintptr_t, unsigned> live;  // address -> order
  std::map<uintptr_t, uint16_t> tags;  // address -> what its owner word holds
  size_t live_pages = 0;
  int allocs = 0, failures = 0, bad_frees = 0, zeroed_frees = 0;
  uintptr_t last_freed = 0;
  unsigned last_freed_order = 0;
  for (int step = 0; step < 20000; step++) {
    const bool alloc = live.empty() || rng() % 100 < 55;
    if (alloc) {
      // Mostly small orders, now and then a large one.
      unsigned order = rng() % 4 == 0 ? rng() % 10 : rng() % 3;
      const unsigned flags = rng() % 2 ? PAGE_ALLOC_ZERO : 0;
      uintptr_t a = page_alloc_alloc(&pa, order, flags);
      if (a == 0) {
        // Only when no block of that order or larger is free.
        for (unsigned k = order; k <= 9; k++) ASSERT_EQ(page_alloc_free_blocks(&pa, k), 0u);
        failures++;
      } else {
        const size_t bytes = kPage << order;
        ASSERT_EQ(a % bytes, 0u);
        ASSERT_TRUE(a1.Contains(a, bytes) || a2.Contains(a, bytes));
        if (flags & PAGE_ALLOC_ZERO) {
          const auto *z = reinterpret_cast<const uint64_t *>(a);
          ASSERT_TRUE(std::all_of(z, z + bytes / sizeof *z, [](uint64_t v) { return v == 0; }))
              << "step " << step;
        }
        // No overlap with the live neighbours on either side.
        auto next = live.lower_bound(a);
        if (next != live.end()) ASSERT_LE(a + bytes, next->first);
        if (next != live.begin()) {
          auto prev = std::prev(next);
          ASSERT_LE(prev->first + (kPage << prev->second), a);
        }
        // Tag the first and last words; they must survive until the free.
        auto *w = reinterpret_cast<uintptr_t *>(a);
        w[0] = a;
        w[bytes / sizeof(uintptr_t) - 1] = ~a;
        // The owner word too, with any 16 bits: the free lists must not care.
        uint16_t *word = page_alloc_owner_word(&pa, a);
        ASSERT_NE(word, nullptr);
        ASSERT_EQ(*word, 0u) << "step " << step;
        *word = tags[a] = static_cast<uint16_t>(rng());
        live[a] = order;
        live_pages += size_t{1} << order;
        allocs++;
      }
    } else {
      auto it = live.begin();
      std::advance(it, rng() % live.size());
      const uintptr_t a = it->first;
      const unsigned order = it->second;
      const size_t bytes = kPage << order;
      auto *w = reinterpret_cast<uintptr_t *>(a);
      ASSERT_EQ(w[0], a);
      ASSERT_EQ(w[bytes / sizeof(uintptr_t) - 1], ~a);
      ASSERT_EQ(*page_alloc_owner_word(&pa, a), tags[a]) << "step " << step;
      if (order > 0 && rng() % 8 == 0) {
        ASSERT_EQ(page_alloc_free(&pa, a, order - 1), NX_ERR_INVALID_ARGS);
        bad_frees++;
      }
      if (order == 0 && rng() % 2) {
        // As a page table that went empty: zero, and said so.
        std::memset(w, 0, kPage);
        ASSERT_EQ(page_alloc_free_zeroed(&pa, a), NX_OK);
        zeroed_frees++;
      } else {
        ASSERT_EQ(page_alloc_free(&pa, a, order), NX_OK);
      }
      live.erase(it);
      live_pages -= size_t{1} << order;
      last_freed = a;
      last_freed_order = order;
    }
    // Now and then free the last freed block again: refused unless it was
    // handed out again meanwhile.
    if (last_freed != 0 && rng() % 16 == 0 && live.count(last_freed) == 0) {
      ASSERT_EQ(page_alloc_free(&pa, last_freed, last_freed_order), NX_ERR_NOT_FOUND);
      bad_frees++;
    }
    ASSERT_EQ(page_alloc_check(&pa), NX_OK) << "step " << step;
    ASSERT_EQ(page_alloc_free_pages(&pa) + page_alloc_used_pages(&pa), total);
    ASSERT_EQ(page_alloc_used_pages(&pa), live_pages);
  }
  // The run went through both plenty and exhaustion.
  EXPECT_GT(allocs, 5000);
  EXPECT_GT(failures, 0);
  EXPECT_GT(bad_frees, 100);
  EXPECT_GT(zeroed_frees, 1000);

  for (auto [a, order] : live) ASSERT_EQ(page_alloc_free(&pa, a, order), NX_OK);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
  EXPECT_EQ(page_alloc_free_pages(&pa), total);
  // Taking every 2 MiB block there is sends the pages kept aside back to the
  // lists; with those blocks freed, the state is the initial one.
  std::vector<uintptr_t> big;
  for (uintptr_t b; (b = page_alloc_alloc(&pa, 9, 0)) != 0;) big.push_back(b);
  EXPECT_EQ(pa.zeroed_count, 0u);
  for (uintptr_t b : big) ASSERT_EQ(page_alloc_free(&pa, b, 9), NX_OK);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
  EXPECT_EQ(FreeBlocks(pa), initial);
}

}  // namespace
