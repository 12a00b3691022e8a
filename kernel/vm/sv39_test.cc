// The Sv39 page tables: creating spaces, mapping (pages, megapages and
// gigapages), refused requests that change nothing, unmap and protect,
// running out of memory mid-way, flush reports, satp and ASIDs, and
// destroying a space. The software MMU walk is tested in sv39_mmu_test.cc,
// the kernel's shared mappings in sv39_kernel_test.cc.
#include "neuron/sv39.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "kernel/vm/sv39_test_fixture.h"
#include "neuron/asid.h"
#include "neuron/errors.h"
#include "neuron/page_alloc.h"
#include "neuron/quota.h"

namespace sv39_test {
namespace {

// ---- Creating spaces ----

TEST_F(Sv39Test, InitRejectsBadArguments) {
  sv39_space_t s;
  EXPECT_EQ(sv39_init(nullptr, &env_.pa, &task_, nullptr, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_init(&s, nullptr, &task_, nullptr, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_init(&s, &env_.pa, nullptr, nullptr, nullptr), NX_ERR_INVALID_ARGS);
  const sv39_layout_t bad[] = {
      {0x1800, 0x10000, kKernel, kPage},                   // misaligned user base
      {0x1000, 0x1800, kKernel, kPage},                    // misaligned user size
      {0x1000, SV39_USER_END, kKernel, kPage},             // user window past the lower half
      {0x1000, kPage, kKernel - kPage, 2 * kPage},         // kernel window across the hole
      {0x1000, kPage, kKernel, SV39_KERNEL_SIZE + kPage},  // kernel window past the top
      {0x1000, kPage, uint64_t{1} << 40, kPage},           // not canonical
  };
  for (const auto &layout : bad) {
    EXPECT_EQ(sv39_init(&s, &env_.pa, &task_, nullptr, &layout), NX_ERR_INVALID_ARGS);
  }
  EXPECT_EQ(quota_used(&task_), 1u);  // only as_'s root
}

TEST_F(Sv39Test, InitWithoutAPageForTheRoot) {
  quota_t empty;
  ASSERT_EQ(quota_init(&empty, &env_.quota, 0), NX_OK);
  sv39_space_t s;
  EXPECT_EQ(sv39_init(&s, &env_.pa, &empty, nullptr, nullptr), NX_ERR_NO_MEMORY);
  EXPECT_EQ(quota_used(&empty), 0u);
}

// ---- Mapping ----

TEST_F(Sv39Test, MapsPagesAndLooksThemUp) {
  sv39_flush_t flush = {};
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames + kPage, 3 * kPage, R | W | U, &flush), NX_OK);
  for (uint64_t i = 0; i < 3; i++) {
    uint64_t size = 0;
    sv39_perm_t perms = 0;
    EXPECT_EQ(Pa(kUser + i * kPage + 0x123, &size, &perms), kFrames + (i + 1) * kPage + 0x123);
    EXPECT_EQ(size, kPage);
    EXPECT_EQ(perms, R | W | U);
  }
  ExpectUnmapped(kUser - kPage, kPage);
  ExpectUnmapped(kUser + 3 * kPage, kPage);
  EXPECT_EQ(sv39_table_pages(&as_), 3u);  // root, level 1, level 0
  EXPECT_EQ(quota_used(&task_), 3u);
  EXPECT_EQ(flush.flags, SV39_FLUSH_NEW);
  EXPECT_EQ(flush.va, kUser);
  EXPECT_EQ(flush.size, 3 * kPage);
  EXPECT_EQ(sv39_check(&as_), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, kUser, 3 * kPage, nullptr), NX_OK);
}

// sv39_range_free agrees with a page-by-page lookup, and refuses what is
// not a page-aligned range of the user window.
TEST_F(Sv39Test, RangeFreeMatchesLookups) {
  constexpr uint64_t kMega = 2ull << 20;
  EXPECT_TRUE(sv39_range_free(&as_, kUser, kMega));  // nothing mapped: no table below
  ASSERT_EQ(sv39_map(&as_, kUser + 5 * kPage, kFrames, kPage, R | U, nullptr), NX_OK);
  EXPECT_FALSE(sv39_range_free(&as_, kUser, kMega));
  EXPECT_FALSE(sv39_range_free(&as_, kUser + 5 * kPage, kPage));
  EXPECT_TRUE(sv39_range_free(&as_, kUser, 5 * kPage));
  EXPECT_TRUE(sv39_range_free(&as_, kUser + 6 * kPage, kMega - 6 * kPage));
  EXPECT_FALSE(sv39_range_free(&as_, kUser + 1, kPage));  // misaligned
  EXPECT_FALSE(sv39_range_free(&as_, kUser, 0));
  EXPECT_FALSE(sv39_range_free(&as_, 0, kPage));  // page 0 is outside the window
  EXPECT_FALSE(sv39_range_free(&as_, SV39_USER_END - kPage, 2 * kPage));
  EXPECT_FALSE(sv39_range_free(nullptr, kUser, kPage));
  ASSERT_EQ(sv39_unmap(&as_, kUser + 5 * kPage, kPage, nullptr), NX_OK);
  EXPECT_TRUE(sv39_range_free(&as_, kUser, kMega));
}

// sv39_map_checked maps what sv39_map would (superpages included) for a
// request the caller checked, and out of memory changes nothing.
TEST_F(Sv39Test, CheckedMapMapsLikeMap) {
  constexpr uint64_t kMega = 2ull << 20;
  const uint64_t va = kUser + kMega - kPage;  // one page, then a 2 MiB leaf
  ASSERT_TRUE(sv39_range_free(&as_, va, kMega + kPage));
  sv39_flush_t flush = {};
  ASSERT_EQ(sv39_map_checked(&as_, va, kFrames + kMega - kPage, kMega + kPage, R | W | U, &flush),
            NX_OK);
  uint64_t size = 0;
  sv39_perm_t perms = 0;
  EXPECT_EQ(Pa(va, &size, &perms), kFrames + kMega - kPage);
  EXPECT_EQ(size, kPage);
  EXPECT_EQ(Pa(va + kPage + 0x42, &size, &perms), kFrames + kMega + 0x42);
  EXPECT_EQ(size, kMega);
  EXPECT_EQ(perms, R | W | U);
  EXPECT_EQ(flush.flags, SV39_FLUSH_NEW);
  EXPECT_EQ(flush.va, va);
  EXPECT_EQ(flush.size, kMega + kPage);
  EXPECT_EQ(sv39_check(&as_), NX_OK);
  EXPECT_FALSE(sv39_range_free(&as_, va, kPage));

  // Out of table pages: refused, nothing mapped, nothing charged.
  std::vector<uintptr_t> taken;
  while (page_alloc_free_pages(&env_.pa) > 0) taken.push_back(page_alloc_alloc(&env_.pa, 0, 0));
  const size_t used = quota_used(&task_);
  flush = {};
  EXPECT_EQ(sv39_map_checked(&as_, kUser + kGiga, kFrames, kPage, R | U, &flush), NX_ERR_NO_MEMORY);
  EXPECT_EQ(flush.flags, 0u);
  EXPECT_EQ(quota_used(&task_), used);
  ExpectUnmapped(kUser + kGiga, kPage);
  EXPECT_EQ(sv39_check(&as_), NX_OK);
  for (uintptr_t p : taken) ASSERT_EQ(page_alloc_free(&env_.pa, p, 0), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, va, kMega + kPage, nullptr), NX_OK);
}

TEST_F(Sv39Test, UsesMegapagesWhereVaPaAndSizeAllow) {
  // One page, one 2 MiB chunk, one page.
  uint64_t va = kUser + kMega - kPage, pa = kFrames + kMega - kPage;
  ASSERT_EQ(sv39_map(&as_, va, pa, kMega + 2 * kPage, R | U, nullptr), NX_OK);
  EXPECT_EQ(PageSize(va), kPage);
  EXPECT_EQ(PageSize(va + kPage), kMega);
  EXPECT_EQ(Pa(va + kPage + 0x12345), pa + kPage + 0x12345);
  EXPECT_EQ(PageSize(va + kPage + kMega - 1), kMega);
  EXPECT_EQ(PageSize(va + kPage + kMega), kPage);
  EXPECT_EQ(sv39_table_pages(&as_), 4u);  // root, level 1, two level 0
  EXPECT_EQ(sv39_check(&as_), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, va, kMega + 2 * kPage, nullptr), NX_OK);
  EXPECT_EQ(sv39_table_pages(&as_), 1u);

  // va aligned, pa not: 4 KiB pages only.
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames + kPage, kMega, R | U, nullptr), NX_OK);
  for (uint64_t off = 0; off < kMega; off += kPage) ASSERT_EQ(PageSize(kUser + off), kPage);
  EXPECT_EQ(sv39_table_pages(&as_), 3u);
  ASSERT_EQ(sv39_unmap(&as_, kUser, kMega, nullptr), NX_OK);
}

TEST_F(Sv39Test, UsesGigapagesAndSplitsThemOnPartialUnmap) {
  const uint64_t va = kGiga, pa = 3 * kGiga;
  ASSERT_EQ(sv39_map(&as_, va, pa, kGiga, R | W | U, nullptr), NX_OK);
  EXPECT_EQ(PageSize(va + 12345), kGiga);
  EXPECT_EQ(Pa(va + 0x2345678), pa + 0x2345678);
  EXPECT_EQ(sv39_table_pages(&as_), 1u);  // the root holds the leaf

  // Punch one page out of the middle: a level-1 table of megapages, one of
  // which becomes a level-0 table.
  const uint64_t hole = va + 5 * kMega + 7 * kPage;
  sv39_flush_t flush = {};
  ASSERT_EQ(sv39_unmap(&as_, hole, kPage, &flush), NX_OK);
  EXPECT_EQ(flush.flags, SV39_FLUSH_LEAF);
  EXPECT_EQ(flush.va, hole);
  EXPECT_EQ(flush.size, kPage);
  EXPECT_EQ(sv39_table_pages(&as_), 3u);
  ExpectUnmapped(hole, kPage);
  EXPECT_EQ(PageSize(hole - kPage), kPage);
  EXPECT_EQ(Pa(hole - kPage), pa + (hole - kPage - va));
  EXPECT_EQ(Pa(hole + kPage + 5), pa + (hole + kPage - va) + 5);
  EXPECT_EQ(PageSize(va + 5 * kMega), kPage);  // the megapage split in turn
  EXPECT_EQ(PageSize(va + 4 * kMega), kMega);
  EXPECT_EQ(Pa(va + 4 * kMega + 99), pa + 4 * kMega + 99);
  EXPECT_EQ(PageSize(va + 6 * kMega), kMega);
  EXPECT_EQ(PageSize(va + kGiga - 1), kMega);
  EXPECT_EQ(Perms(va + kGiga - 1), R | W | U);
  EXPECT_EQ(sv39_check(&as_), NX_OK);

  // Unmap the rest in two pieces: every table goes.
  ASSERT_EQ(sv39_unmap(&as_, va, hole - va, nullptr), NX_OK);
  flush = {};
  ASSERT_EQ(sv39_unmap(&as_, hole + kPage, va + kGiga - hole - kPage, &flush), NX_OK);
  EXPECT_EQ(flush.flags, SV39_FLUSH_LEAF | SV39_FLUSH_TABLE);
  EXPECT_EQ(sv39_table_pages(&as_), 1u);
  ExpectUnmapped(va, 4 * kMega);
}

// ---- Refused requests change nothing ----

TEST_F(Sv39Test, WriteAndExecuteTogetherAreRefused) {
  for (sv39_perm_t p : {R | W | X, W | X, R | W | X | U, W | X | U}) {
    EXPECT_EQ(sv39_map(&as_, kUser, kFrames, kPage, p, nullptr), NX_ERR_INVALID_ARGS) << p;
    EXPECT_EQ(sv39_map(&as_, kKernel, kFrames, kPage, p, nullptr), NX_ERR_INVALID_ARGS) << p;
  }
  ExpectUnmapped(kUser, kPage);
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames, kPage, R | X | U, nullptr), NX_OK);
  EXPECT_EQ(sv39_protect(&as_, kUser, kPage, R | W | X | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Perms(kUser), R | X | U);
  EXPECT_EQ(sv39_table_pages(&as_), 3u);
  ASSERT_EQ(sv39_unmap(&as_, kUser, kPage, nullptr), NX_OK);
}

TEST_F(Sv39Test, MalformedPermissionsAreRefused) {
  const sv39_perm_t bad[] = {0, W, W | U, U, G, R | U | G, R | (1u << 8), R | (1u << 0)};
  for (sv39_perm_t p : bad) {
    EXPECT_EQ(sv39_map(&as_, kUser, kFrames, kPage, p, nullptr), NX_ERR_INVALID_ARGS) << p;
  }
  EXPECT_EQ(sv39_table_pages(&as_), 1u);
}

TEST_F(Sv39Test, MisalignedOrEmptyRangesAreRefused) {
  EXPECT_EQ(sv39_map(&as_, kUser + 1, kFrames, kPage, R | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_map(&as_, kUser + 0x800, kFrames, kPage, R | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_map(&as_, kUser, kFrames + 0x10, kPage, R | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_map(&as_, kUser, kFrames, 0x1800, R | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_map(&as_, kUser, kFrames, 0, R | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_table_pages(&as_), 1u);
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames, 2 * kPage, R | U, nullptr), NX_OK);
  EXPECT_EQ(sv39_unmap(&as_, kUser + 8, kPage, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_unmap(&as_, kUser, kPage + 8, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_unmap(&as_, kUser, 0, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_protect(&as_, kUser + 8, kPage, R | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_protect(&as_, kUser, 100, R | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_protect(&as_, kUser, 0, R | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Pa(kUser + kPage), kFrames + kPage);
  EXPECT_EQ(sv39_map(nullptr, kUser, kFrames, kPage, R | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_unmap(nullptr, kUser, kPage, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_protect(nullptr, kUser, kPage, R | U, nullptr), NX_ERR_INVALID_ARGS);
  ASSERT_EQ(sv39_unmap(&as_, kUser, 2 * kPage, nullptr), NX_OK);
}

TEST_F(Sv39Test, RangesOutsideTheirWindowAreRefused) {
  const uint64_t user_top = SV39_USER_END;  // 0x40_0000_0000
  EXPECT_EQ(user_top, uint64_t{0x4000000000});
  // Page 0, the end of the user window, straddling it, the upper half.
  EXPECT_EQ(sv39_map(&as_, 0, kFrames, kPage, R | U, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_map(&as_, 0, kFrames, 2 * kPage, R | U, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_map(&as_, user_top, kFrames, kPage, R | U, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_map(&as_, user_top - kPage, kFrames, 2 * kPage, R | U, nullptr),
            NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_map(&as_, kKernel, kFrames, kPage, R | U, nullptr), NX_ERR_OUT_OF_RANGE);
  // Not canonical; a size that wraps.
  EXPECT_EQ(sv39_map(&as_, uint64_t{1} << 45, kFrames, kPage, R | U, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_map(&as_, kUser, kFrames, ~uint64_t{0} - 0xfff, R | U, nullptr),
            NX_ERR_OUT_OF_RANGE);
  // Kernel mappings (no U) belong to the kernel window.
  EXPECT_EQ(sv39_map(&as_, kUser, kFrames, kPage, R | W, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_map(&as_, kKernel - kPage, kFrames, kPage, R, nullptr), NX_ERR_OUT_OF_RANGE);
  // Physical addresses have 56 bits.
  EXPECT_EQ(sv39_map(&as_, kUser, SV39_PA_LIMIT, kPage, R | U, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_map(&as_, kUser, SV39_PA_LIMIT - kPage, 2 * kPage, R | U, nullptr),
            NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_table_pages(&as_), 1u);
  EXPECT_EQ(sv39_unmap(&as_, 0, kPage, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_unmap(&as_, user_top - kPage, 2 * kPage, nullptr), NX_ERR_OUT_OF_RANGE);

  // The edges themselves are fine: the last user page, the first and the very
  // last kernel page.
  ASSERT_EQ(sv39_map(&as_, user_top - kPage, SV39_PA_LIMIT - kPage, kPage, R | U, nullptr), NX_OK);
  ASSERT_EQ(sv39_map(&as_, kKernel, kFrames, kPage, R | W | G, nullptr), NX_OK);
  ASSERT_EQ(sv39_map(&as_, ~uint64_t{0} - 0xfff, kFrames, kPage, R, nullptr), NX_OK);
  EXPECT_EQ(Pa(~uint64_t{0}), kFrames + 0xfff);
  EXPECT_EQ(Pa(user_top - 1), SV39_PA_LIMIT - 1);
  EXPECT_EQ(sv39_protect(&as_, user_top - kPage, kPage, R, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_protect(&as_, kKernel, kPage, R | U, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_check(&as_), NX_OK);
  sv39_flush_t flush = {};
  ASSERT_EQ(sv39_unmap(&as_, ~uint64_t{0} - 0xfff, kPage, &flush), NX_OK);
  EXPECT_EQ(flush.va + flush.size, 0u);  // ends at the top
  ASSERT_EQ(sv39_unmap(&as_, kKernel, kPage, &flush), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, user_top - kPage, kPage, &flush), NX_OK);
  EXPECT_EQ(flush.va, user_top - kPage);
  EXPECT_EQ(flush.size, ~uint64_t{0} - (user_top - kPage) + 1);
  EXPECT_TRUE(flush.flags & SV39_FLUSH_GLOBAL);
}

TEST_F(Sv39Test, CustomLayoutMovesTheWindows) {
  // An identity-mapped kernel below 4 GiB, user space below it.
  sv39_layout_t layout = {0x10000, 0x80000000 - 0x10000, 0x80000000, 4 * kGiga - 0x80000000};
  sv39_space_t s;
  ASSERT_EQ(sv39_init(&s, &env_.pa, &task_, nullptr, &layout), NX_OK);
  EXPECT_EQ(sv39_map(&s, 0x80200000, 0x80200000, kMega, R | X | G, nullptr), NX_OK);
  EXPECT_EQ(sv39_map(&s, 0x80400000, 0x80400000, kPage, R | U, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_map(&s, 0x1000, 0x80400000, kPage, R | U, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_map(&s, 0x10000, 0x80400000, kPage, R | U, nullptr), NX_OK);
  EXPECT_EQ(sv39_map(&s, kKernel, kFrames, kPage, R, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(PaIn(s, 0x80200000 + 5), 0x80200000u + 5);
  sv39_destroy(&s);
}

TEST_F(Sv39Test, MappingOverAMappingIsRefused) {
  ASSERT_EQ(sv39_map(&as_, kUser + 4 * kPage, kFrames, 4 * kPage, R | U, nullptr), NX_OK);
  size_t tables = sv39_table_pages(&as_);
  // Overlapping the first page, the last page, or covering it all.
  EXPECT_EQ(sv39_map(&as_, kUser, kFrames, 5 * kPage, R | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_map(&as_, kUser + 7 * kPage, kFrames, 3 * kPage, R | U, nullptr),
            NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_map(&as_, kUser, kFrames, kMega, R | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_map(&as_, kUser + 5 * kPage, kFrames + 77 * kPage, kPage, R | W | U, nullptr),
            NX_ERR_INVALID_ARGS);
  ExpectUnmapped(kUser, 4 * kPage);
  ExpectUnmapped(kUser + 8 * kPage, 2 * kPage);
  EXPECT_EQ(Pa(kUser + 5 * kPage), kFrames + kPage);
  EXPECT_EQ(Perms(kUser + 5 * kPage), R | U);
  EXPECT_EQ(sv39_table_pages(&as_), tables);

  // Inside a megapage, and a megapage over 4 KiB pages.
  ASSERT_EQ(sv39_map(&as_, kUser + 2 * kMega, kFrames, kMega, R | U, nullptr), NX_OK);
  EXPECT_EQ(sv39_map(&as_, kUser + 2 * kMega + 9 * kPage, kFrames, kPage, R | U, nullptr),
            NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_map(&as_, kUser, kFrames, kMega, R | U, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(PageSize(kUser + 2 * kMega + 9 * kPage), kMega);
  EXPECT_EQ(sv39_check(&as_), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, kUser + 4 * kPage, 4 * kPage, nullptr), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, kUser + 2 * kMega, kMega, nullptr), NX_OK);
}

TEST_F(Sv39Test, UnmapOrProtectOfUnmappedPagesIsRefused) {
  EXPECT_EQ(sv39_unmap(&as_, kUser, kPage, nullptr), NX_ERR_NOT_FOUND);
  EXPECT_EQ(sv39_protect(&as_, kUser, kPage, R | U, nullptr), NX_ERR_NOT_FOUND);
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames, 2 * kPage, R | W | U, nullptr), NX_OK);
  // Two mapped pages and one unmapped: all or nothing.
  sv39_flush_t flush = {};
  EXPECT_EQ(sv39_unmap(&as_, kUser, 3 * kPage, &flush), NX_ERR_NOT_FOUND);
  EXPECT_EQ(sv39_unmap(&as_, kUser - kPage, 2 * kPage, &flush), NX_ERR_NOT_FOUND);
  EXPECT_EQ(sv39_protect(&as_, kUser, 3 * kPage, R | U, &flush), NX_ERR_NOT_FOUND);
  EXPECT_EQ(flush.flags, 0u);
  EXPECT_EQ(Pa(kUser), kFrames);
  EXPECT_EQ(Pa(kUser + kPage), kFrames + kPage);
  EXPECT_EQ(Perms(kUser + kPage), R | W | U);
  ASSERT_EQ(sv39_unmap(&as_, kUser, 2 * kPage, nullptr), NX_OK);
  EXPECT_EQ(sv39_unmap(&as_, kUser, 2 * kPage, nullptr), NX_ERR_NOT_FOUND);
}

// ---- Unmap and protect ----

TEST_F(Sv39Test, UnmapFreesTablesLeftEmpty) {
  // Pages under two level-0 tables in one level-1 table, and one more under
  // another top-level entry.
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames, kPage, R | U, nullptr), NX_OK);
  ASSERT_EQ(sv39_map(&as_, kUser + kMega, kFrames, kPage, R | U, nullptr), NX_OK);
  ASSERT_EQ(sv39_map(&as_, kUser + kGiga, kFrames, kPage, R | U, nullptr), NX_OK);
  EXPECT_EQ(sv39_table_pages(&as_), 6u);
  EXPECT_EQ(quota_used(&task_), 6u);
  sv39_flush_t flush = {};
  ASSERT_EQ(sv39_unmap(&as_, kUser, kPage, &flush), NX_OK);
  EXPECT_EQ(flush.flags, SV39_FLUSH_LEAF | SV39_FLUSH_TABLE);
  EXPECT_EQ(sv39_table_pages(&as_), 5u);
  ASSERT_EQ(sv39_unmap(&as_, kUser + kMega, kPage, nullptr), NX_OK);
  EXPECT_EQ(sv39_table_pages(&as_), 3u);
  ASSERT_EQ(sv39_unmap(&as_, kUser + kGiga, kPage, nullptr), NX_OK);
  EXPECT_EQ(sv39_table_pages(&as_), 1u);
  EXPECT_EQ(quota_used(&task_), 1u);
  EXPECT_EQ(sv39_check(&as_), NX_OK);
}

// Unmap frees a table when the count of its non-zero entries, kept in the
// allocator's owner word of its page, drops to 0; sv39_check holds every
// count against the entries.
TEST_F(Sv39Test, CheckHoldsLiveCountsToTheEntries) {
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames, 2 * kPage, R | U, nullptr), NX_OK);
  uint64_t *pointer = PteAt(as_, kUser, 1);
  uint64_t *leaves = PteAt(as_, kUser, 0);
  uint16_t *count0 = page_alloc_owner_word(&env_.pa, TableOf(*pointer));
  uint16_t *count1 = page_alloc_owner_word(&env_.pa, TableOf(*PteAt(as_, kUser, 2)));
  ASSERT_NE(count0, nullptr);
  ASSERT_NE(count1, nullptr);
  EXPECT_EQ(*count0, 2u);
  EXPECT_EQ(*count1, 1u);
  EXPECT_EQ(sv39_check(&as_), NX_OK);

  // A count out of step with its table, at level 0 and at level 1.
  for (uint16_t *count : {count0, count1}) {
    (*count)++;
    EXPECT_EQ(sv39_check(&as_), NX_ERR_BAD_FORMAT);
    *count -= 2;
    EXPECT_EQ(sv39_check(&as_), NX_ERR_BAD_FORMAT);
    (*count)++;
  }
  // A well-formed entry written behind the module's back.
  leaves[2] = leaves[0];
  EXPECT_EQ(sv39_check(&as_), NX_ERR_BAD_FORMAT);
  leaves[2] = 0;
  // A table left empty, its count in step: unmap would have freed it.
  const uint64_t saved[2] = {leaves[0], leaves[1]};
  leaves[0] = leaves[1] = 0;
  *count0 = 0;
  EXPECT_EQ(sv39_check(&as_), NX_ERR_BAD_FORMAT);
  leaves[0] = saved[0];
  leaves[1] = saved[1];
  *count0 = 2;
  // A table that is no block of the allocator has no count at all.
  alignas(4096) static uint64_t copy[SV39_PTES];
  std::copy(leaves, leaves + SV39_PTES, copy);
  const uint64_t pointer0 = *pointer;
  *pointer = (reinterpret_cast<uintptr_t>(copy) >> 12 << SV39_PTE_PPN_SHIFT) | SV39_PTE_V;
  EXPECT_EQ(sv39_check(&as_), NX_ERR_BAD_FORMAT);
  *pointer = pointer0;

  EXPECT_EQ(sv39_check(&as_), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, kUser, kPage, nullptr), NX_OK);
  EXPECT_EQ(*count0, 1u);
  EXPECT_EQ(sv39_table_pages(&as_), 3u);
  ASSERT_EQ(sv39_unmap(&as_, kUser + kPage, kPage, nullptr), NX_OK);
  EXPECT_EQ(sv39_table_pages(&as_), 1u);
}

TEST_F(Sv39Test, PartialUnmapSplitsAMegapage) {
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames, kMega, R | W | U, nullptr), NX_OK);
  EXPECT_EQ(sv39_table_pages(&as_), 2u);
  ASSERT_EQ(sv39_unmap(&as_, kUser + 10 * kPage, 3 * kPage, nullptr), NX_OK);
  EXPECT_EQ(sv39_table_pages(&as_), 3u);
  for (uint64_t off = 0; off < kMega; off += kPage) {
    if (off >= 10 * kPage && off < 13 * kPage) {
      ExpectUnmapped(kUser + off, kPage);
      continue;
    }
    uint64_t size = 0;
    sv39_perm_t perms = 0;
    ASSERT_EQ(Pa(kUser + off, &size, &perms), kFrames + off);
    ASSERT_EQ(size, kPage);
    ASSERT_EQ(perms, R | W | U);
  }
  EXPECT_EQ(sv39_check(&as_), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, kUser, 10 * kPage, nullptr), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, kUser + 13 * kPage, kMega - 13 * kPage, nullptr), NX_OK);
  EXPECT_EQ(sv39_table_pages(&as_), 1u);
}

TEST_F(Sv39Test, ProtectChangesPermissionsAndSplitsWhereNeeded) {
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames, 2 * kMega, R | W | U, nullptr), NX_OK);
  sv39_flush_t flush = {};
  // The whole first megapage: stays a megapage.
  ASSERT_EQ(sv39_protect(&as_, kUser, kMega, R | U, &flush), NX_OK);
  EXPECT_EQ(flush.flags, SV39_FLUSH_LEAF);
  EXPECT_EQ(PageSize(kUser), kMega);
  EXPECT_EQ(Perms(kUser), R | U);
  // One page of the second: split.
  ASSERT_EQ(sv39_protect(&as_, kUser + kMega + kPage, kPage, R | X | U, nullptr), NX_OK);
  EXPECT_EQ(PageSize(kUser + kMega), kPage);
  EXPECT_EQ(Perms(kUser + kMega), R | W | U);
  EXPECT_EQ(Perms(kUser + kMega + kPage), R | X | U);
  EXPECT_EQ(Pa(kUser + kMega + kPage + 3), kFrames + kMega + kPage + 3);
  EXPECT_EQ(Perms(kUser + kMega + 2 * kPage), R | W | U);
  EXPECT_EQ(sv39_table_pages(&as_), 3u);
  // Nothing to change: nothing to flush.
  flush = {};
  ASSERT_EQ(sv39_protect(&as_, kUser, kMega, R | U, &flush), NX_OK);
  EXPECT_EQ(flush.flags, 0u);
  // The dirty bit follows W.
  ASSERT_EQ(sv39_protect(&as_, kUser, 2 * kMega, R | W | U, nullptr), NX_OK);
  uint64_t pa = 0;
  EXPECT_EQ(sv39_translate(&as_, kUser + 5, SV39_ACCESS_WRITE | SV39_ACCESS_USER, &pa), SV39_OK);
  EXPECT_EQ(pa, kFrames + 5);
  EXPECT_EQ(sv39_check(&as_), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, kUser, 2 * kMega, nullptr), NX_OK);
  EXPECT_EQ(sv39_table_pages(&as_), 1u);
}

// ---- Out of memory: nothing changes ----

TEST_F(Sv39Test, QuotaRunningOutMidMapRollsBack) {
  quota_t small;
  ASSERT_EQ(quota_init(&small, &env_.quota, 4), NX_OK);
  sv39_space_t s;
  ASSERT_EQ(sv39_init(&s, &env_.pa, &small, nullptr, nullptr), NX_OK);
  ASSERT_EQ(sv39_map(&s, kUser, kFrames, kPage, R | U, nullptr), NX_OK);  // 3 pages now
  size_t free_before = page_alloc_free_pages(&env_.pa);
  // Two 2 MiB regions under two new top-level entries, in 4 KiB pages: needs
  // two level-1 and two level-0 tables; the quota has room for one.
  const uint64_t va = 2 * kGiga - 2 * kMega + kPage;
  sv39_flush_t flush = {};
  EXPECT_EQ(sv39_map(&s, va, kFrames + kPage, 4 * kMega - 2 * kPage, R | U, &flush),
            NX_ERR_NO_MEMORY);
  EXPECT_EQ(flush.flags, 0u);
  EXPECT_EQ(quota_used(&small), 3u);
  EXPECT_EQ(sv39_table_pages(&s), 3u);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa), free_before);
  EXPECT_EQ(page_alloc_check(&env_.pa), NX_OK);
  EXPECT_EQ(PaIn(s, kUser), kFrames);
  for (uint64_t off = 0; off < 4 * kMega - 2 * kPage; off += kPage) {
    sv39_mapping_t m;
    ASSERT_EQ(sv39_lookup(&s, va + off, &m), NX_ERR_NOT_FOUND);
  }
  EXPECT_EQ(sv39_check(&s), NX_OK);
  // What fits still maps.
  ASSERT_EQ(sv39_map(&s, kUser + kPage, kFrames, kMega, R | U, nullptr), NX_OK);
  ASSERT_EQ(sv39_unmap(&s, kUser, kMega + kPage, nullptr), NX_OK);
  sv39_destroy(&s);
  EXPECT_EQ(quota_used(&small), 0u);
}

TEST_F(Sv39Test, AllocatorRunningOutMidMapRollsBack) {
  // Take every free page but two.
  std::vector<uintptr_t> taken;
  while (page_alloc_free_pages(&env_.pa) > 2) taken.push_back(page_alloc_alloc(&env_.pa, 0, 0));
  EXPECT_EQ(sv39_map(&as_, kUser, kFrames, kPage, R | U, nullptr), NX_OK);  // 2 tables
  EXPECT_EQ(sv39_map(&as_, kUser + kGiga, kFrames, kPage, R | U, nullptr), NX_ERR_NO_MEMORY);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa), 0u);
  EXPECT_EQ(quota_used(&task_), 3u);
  ExpectUnmapped(kUser + kGiga, kPage);
  ASSERT_EQ(sv39_unmap(&as_, kUser, kPage, nullptr), NX_OK);
  for (uintptr_t p : taken) ASSERT_EQ(page_alloc_free(&env_.pa, p, 0), NX_OK);
}

TEST_F(Sv39Test, SplitWithoutMemoryChangesNothing) {
  quota_t small;
  ASSERT_EQ(quota_init(&small, &env_.quota, 2), NX_OK);
  sv39_space_t s;
  ASSERT_EQ(sv39_init(&s, &env_.pa, &small, nullptr, nullptr), NX_OK);
  ASSERT_EQ(sv39_map(&s, kUser, kFrames, kMega, R | W | U, nullptr), NX_OK);  // root + level 1
  sv39_flush_t flush = {};
  EXPECT_EQ(sv39_unmap(&s, kUser + kPage, kPage, &flush), NX_ERR_NO_MEMORY);
  EXPECT_EQ(sv39_protect(&s, kUser + kPage, kPage, R | U, &flush), NX_ERR_NO_MEMORY);
  EXPECT_EQ(flush.flags, 0u);
  uint64_t size = 0;
  sv39_perm_t perms = 0;
  EXPECT_EQ(PaIn(s, kUser + kPage, &size, &perms), kFrames + kPage);
  EXPECT_EQ(size, kMega);
  EXPECT_EQ(perms, R | W | U);
  EXPECT_EQ(quota_used(&small), 2u);
  // Whole megapages need no split.
  ASSERT_EQ(sv39_protect(&s, kUser, kMega, R | U, nullptr), NX_OK);
  ASSERT_EQ(sv39_unmap(&s, kUser, kMega, nullptr), NX_OK);
  sv39_destroy(&s);
  EXPECT_EQ(quota_used(&small), 0u);
}
// ---- Flush reports ----

TEST_F(Sv39Test, FlushReportsAccumulate) {
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames, 8 * kPage, R | W | U, nullptr), NX_OK);
  sv39_flush_t flush = {};
  ASSERT_EQ(sv39_unmap(&as_, kUser + 6 * kPage, kPage, &flush), NX_OK);
  EXPECT_EQ(flush.flags, SV39_FLUSH_LEAF);
  ASSERT_EQ(sv39_protect(&as_, kUser + 2 * kPage, kPage, R | U, &flush), NX_OK);
  EXPECT_EQ(flush.va, kUser + 2 * kPage);
  EXPECT_EQ(flush.size, 5 * kPage);
  ASSERT_EQ(sv39_unmap(&as_, kUser, 6 * kPage, &flush), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, kUser + 7 * kPage, kPage, &flush), NX_OK);
  EXPECT_EQ(flush.va, kUser);
  EXPECT_EQ(flush.size, 8 * kPage);
  EXPECT_EQ(flush.flags, SV39_FLUSH_LEAF | SV39_FLUSH_TABLE);
  ASSERT_EQ(sv39_map(&as_, kKernel, kFrames, kPage, R | G, nullptr), NX_OK);
  flush = {};
  ASSERT_EQ(sv39_protect(&as_, kKernel, kPage, R | W | G, &flush), NX_OK);
  EXPECT_EQ(flush.flags, SV39_FLUSH_LEAF | SV39_FLUSH_GLOBAL);
  ASSERT_EQ(sv39_unmap(&as_, kKernel, kPage, nullptr), NX_OK);
}
// ---- satp and ASIDs ----

TEST_F(Sv39Test, SatpHoldsModeAsidAndRoot) {
  EXPECT_EQ(sv39_make_satp(0x80123000, 5),
            (uint64_t{8} << 60) | (uint64_t{5} << 44) | uint64_t{0x80123});
  uint64_t satp = 0;
  unsigned flags = 99;
  ASSERT_EQ(sv39_activate(&as_, 0, &satp, &flags), NX_OK);
  EXPECT_EQ(flags, 0u);  // no ASID allocator: ASID 0, nothing to flush
  EXPECT_EQ(satp, (uint64_t{8} << 60) | (as_.root >> 12));
  EXPECT_EQ(sv39_satp(&as_), satp);
  EXPECT_EQ(sv39_asid(&as_), 0u);
}

// 20 spaces over a 4-bit ASID space: generations roll over, the caller is
// told to flush, and every space keeps translating through its own tables
// with a satp naming its current ASID.
TEST_F(Sv39Test, SpacesKeepWorkingAcrossAsidRollovers) {
  auto asids = std::make_unique<asid_alloc_t>();
  ASSERT_EQ(asid_init(asids.get(), 4, 1), NX_OK);
  std::vector<sv39_space_t> spaces(20);
  for (size_t i = 0; i < spaces.size(); i++) {
    ASSERT_EQ(sv39_init(&spaces[i], &env_.pa, &task_, asids.get(), nullptr), NX_OK);
    ASSERT_EQ(sv39_map(&spaces[i], kUser, kFrames + i * kPage, kPage, R | U, nullptr), NX_OK);
  }
  unsigned rollovers = 0;
  for (int round = 0; round < 6; round++) {
    std::set<uint16_t> in_generation;
    for (size_t i = 0; i < spaces.size(); i++) {
      uint64_t satp = 0;
      unsigned flags = 0;
      ASSERT_EQ(sv39_activate(&spaces[i], 0, &satp, &flags), NX_OK);
      if (flags & ASID_NEW_GENERATION) {
        rollovers++;
        EXPECT_TRUE(flags & ASID_FLUSH_LOCAL);  // sfence.vma x0, x0 before running
        in_generation.clear();
      }
      uint16_t asid = sv39_asid(&spaces[i]);
      EXPECT_NE(asid, 0u);
      EXPECT_LT(asid, 16u);
      EXPECT_TRUE(in_generation.insert(asid).second) << "ASID " << asid << " given twice";
      EXPECT_EQ(satp >> 60, 8u);
      EXPECT_EQ((satp >> 44) & 0xffff, asid);
      EXPECT_EQ(satp & ((uint64_t{1} << 44) - 1), spaces[i].root >> 12);
      EXPECT_EQ(sv39_satp(&spaces[i]), satp);
      EXPECT_EQ(PaIn(spaces[i], kUser), kFrames + i * kPage);
    }
  }
  EXPECT_GE(rollovers, 6u);
  uint64_t satp = 0;
  unsigned flags = 0;
  EXPECT_EQ(sv39_activate(&spaces[0], 1, &satp, &flags), NX_ERR_INVALID_ARGS);  // one hart
  EXPECT_EQ(sv39_activate(&spaces[0], 0, nullptr, &flags), NX_ERR_INVALID_ARGS);
  for (auto &s : spaces) {
    ASSERT_EQ(sv39_unmap(&s, kUser, kPage, nullptr), NX_OK);
    sv39_destroy(&s);
  }
  EXPECT_EQ(asid_used_count(asids.get()), 0u);
}

TEST_F(Sv39Test, DestroyFreesTablesNotFrames) {
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames, 3 * kMega + 5 * kPage, R | W | U, nullptr), NX_OK);
  ASSERT_EQ(sv39_map(&as_, 7 * kGiga + kPage, kFrames, kPage, R | U, nullptr), NX_OK);
  ASSERT_EQ(sv39_map(&as_, kKernel + kPage, kFrames, kPage, R | W, nullptr), NX_OK);
  EXPECT_GT(sv39_table_pages(&as_), 1u);
  EXPECT_EQ(quota_used(&task_), sv39_table_pages(&as_));
  // TearDown destroys the space with everything still mapped and checks the
  // quota and the allocator.
}

}  // namespace
}  // namespace sv39_test
