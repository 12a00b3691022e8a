// The kernel's mappings: a kernel space's shared top-level entries seen the
// same from every space that shares them, the refused shares, and
// reserved top-level entries reaching spaces shared earlier.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "kernel/vm/sv39_test_fixture.h"
#include "neuron/asid.h"
#include "neuron/errors.h"
#include "neuron/quota.h"
#include "neuron/sv39.h"

namespace sv39_test {
namespace {

// ---- The kernel's mappings ----

class Sv39KernelTest : public Sv39Test {
 protected:
  void SetUp() override {
    Sv39Test::SetUp();
    ASSERT_EQ(sv39_init(&kernel_, &env_.pa, &env_.quota, nullptr, nullptr), NX_OK);
    ASSERT_EQ(sv39_map(&kernel_, kText, kFrames, 4 * kPage, R | X | G, nullptr), NX_OK);
    ASSERT_EQ(sv39_map(&kernel_, kText + kMega, kFrames + kMega, kMega, R | W | G, nullptr), NX_OK);
  }
  void TearDown() override {
    sv39_destroy(&kernel_);
    Sv39Test::TearDown();
  }
  static constexpr uint64_t kText = SV39_KERNEL_BASE + 2 * kGiga;
  sv39_space_t kernel_;
};

TEST_F(Sv39KernelTest, SharedKernelMappingsLookTheSameEverywhere) {
  sv39_space_t other;
  ASSERT_EQ(sv39_init(&other, &env_.pa, &task_, nullptr, nullptr), NX_OK);
  ASSERT_EQ(sv39_share_kernel(&as_, &kernel_), NX_OK);
  ASSERT_EQ(sv39_share_kernel(&other, &kernel_), NX_OK);
  EXPECT_EQ(sv39_table_pages(&as_), 1u);  // nothing of its own yet
  for (uint64_t va : {kText, kText + 3 * kPage + 5, kText + kMega + 0x54321}) {
    sv39_perm_t perms = 0;
    EXPECT_EQ(Pa(va, nullptr, &perms), PaIn(kernel_, va));
    EXPECT_EQ(PaIn(other, va), PaIn(kernel_, va));
    EXPECT_TRUE(perms & G);
    uint64_t pa = 0;
    EXPECT_EQ(sv39_translate(&as_, va, SV39_ACCESS_READ | SV39_ACCESS_USER, &pa),
              SV39_FAULT_PERMISSION);
  }
  // The space maps its own user pages beside them ...
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames, kPage, R | U, nullptr), NX_OK);
  // ... but cannot touch the kernel's.
  EXPECT_EQ(sv39_map(&as_, kText + 8 * kPage, kFrames, kPage, R | G, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_unmap(&as_, kText, kPage, nullptr), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_protect(&as_, kText, kPage, R | G, nullptr), NX_ERR_OUT_OF_RANGE);
  // Elsewhere in the kernel window it may still map (not shared).
  ASSERT_EQ(sv39_map(&as_, SV39_KERNEL_BASE, kFrames, kPage, R, nullptr), NX_OK);
  // Kernel mappings made later under a shared entry reach every space.
  ASSERT_EQ(sv39_map(&kernel_, kText + 16 * kPage, kFrames, kPage, R | G, nullptr), NX_OK);
  EXPECT_EQ(Pa(kText + 16 * kPage), kFrames);
  EXPECT_EQ(PaIn(other, kText + 16 * kPage), kFrames);
  // The kernel unmapping all of it keeps its shared level-1 table.
  size_t kernel_tables = sv39_table_pages(&kernel_);
  ASSERT_EQ(sv39_unmap(&kernel_, kText, 4 * kPage, nullptr), NX_OK);
  ASSERT_EQ(sv39_unmap(&kernel_, kText + 16 * kPage, kPage, nullptr), NX_OK);
  ASSERT_EQ(sv39_unmap(&kernel_, kText + kMega, kMega, nullptr), NX_OK);
  EXPECT_EQ(sv39_table_pages(&kernel_), kernel_tables - 1);  // only the level-0 table
  EXPECT_EQ(sv39_check(&kernel_), NX_OK);
  ExpectUnmapped(kText, 4 * kPage);
  EXPECT_EQ(PaIn(other, kText + kMega), ~uint64_t{0});
  // Destroying a space leaves the kernel's tables alone.
  sv39_destroy(&other);
  ASSERT_EQ(sv39_map(&kernel_, kText, kFrames, kPage, R | G, nullptr), NX_OK);
  EXPECT_EQ(Pa(kText), kFrames);
  EXPECT_EQ(sv39_check(&as_), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, kUser, kPage, nullptr), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, SV39_KERNEL_BASE, kPage, nullptr), NX_OK);
}

TEST_F(Sv39KernelTest, ShareRefusesConflictsAndBadPairs) {
  ASSERT_EQ(sv39_map(&as_, kText + 8 * kPage, kFrames, kPage, R, nullptr), NX_OK);
  EXPECT_EQ(sv39_share_kernel(&as_, &kernel_), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Pa(kText), ~uint64_t{0});
  EXPECT_EQ(sv39_share_kernel(&kernel_, &kernel_), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(sv39_share_kernel(nullptr, &kernel_), NX_ERR_INVALID_ARGS);
  auto asids = std::make_unique<asid_alloc_t>();
  ASSERT_EQ(asid_init(asids.get(), 4, 1), NX_OK);
  sv39_space_t with_asid, plain;
  ASSERT_EQ(sv39_init(&with_asid, &env_.pa, &task_, asids.get(), nullptr), NX_OK);
  ASSERT_EQ(sv39_init(&plain, &env_.pa, &task_, nullptr, nullptr), NX_OK);
  EXPECT_EQ(sv39_share_kernel(&plain, &with_asid), NX_ERR_INVALID_ARGS);
  // Sharing twice refreshes.
  ASSERT_EQ(sv39_share_kernel(&plain, &kernel_), NX_OK);
  ASSERT_EQ(sv39_share_kernel(&plain, &kernel_), NX_OK);
  EXPECT_EQ(PaIn(plain, kText), kFrames);
  sv39_destroy(&with_asid);
  sv39_destroy(&plain);
  ASSERT_EQ(sv39_unmap(&as_, kText + 8 * kPage, kPage, nullptr), NX_OK);
}

TEST_F(Sv39KernelTest, ReservedTopLevelEntriesReachSpacesSharedEarlier) {
  const uint64_t heap = SV39_KERNEL_BASE + 5 * kGiga;
  size_t before = sv39_table_pages(&kernel_);
  ASSERT_EQ(sv39_reserve_top(&kernel_, heap, 2 * kGiga), NX_OK);
  EXPECT_EQ(sv39_table_pages(&kernel_), before + 2);
  EXPECT_EQ(sv39_check(&kernel_), NX_OK);  // empty but pinned: fine
  EXPECT_EQ(sv39_reserve_top(&kernel_, kUser, kPage), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_reserve_top(&kernel_, heap + 1, kPage), NX_ERR_INVALID_ARGS);
  ASSERT_EQ(sv39_share_kernel(&as_, &kernel_), NX_OK);
  ASSERT_EQ(sv39_map(&kernel_, heap + kGiga + kMega, kFrames, kPage, R | W | G, nullptr), NX_OK);
  EXPECT_EQ(Pa(heap + kGiga + kMega), kFrames);
  ASSERT_EQ(sv39_unmap(&kernel_, heap + kGiga + kMega, kPage, nullptr), NX_OK);
  EXPECT_EQ(sv39_table_pages(&kernel_), before + 2);
  // A gigapage shared out cannot be changed: the copies would go stale.
  const uint64_t giga = SV39_KERNEL_BASE + 9 * kGiga;
  ASSERT_EQ(sv39_map(&kernel_, giga, kGiga, kGiga, R | W | G, nullptr), NX_OK);
  ASSERT_EQ(sv39_share_kernel(&as_, &kernel_), NX_OK);
  EXPECT_EQ(Pa(giga + 5), kGiga + 5);
  EXPECT_EQ(sv39_unmap(&kernel_, giga, kGiga, nullptr), NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(sv39_protect(&kernel_, giga, kPage, R | G, nullptr), NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(Pa(giga + 5), kGiga + 5);
}

}  // namespace
}  // namespace sv39_test
