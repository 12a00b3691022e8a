// Which RAM the allocator gets at boot: the pieces between the holes, the
// kernel image in use, and the pieces too small to manage left out.
#include "neuron/boot_ram.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kernel/mm/test_arena.h"
#include "neuron/errors.h"
#include "neuron/page_alloc.h"

namespace {

using mm_test::Arena;
using mm_test::kMiB;
using mm_test::kPage;

// 4 MiB of "RAM", max order 9.
class BootRamTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(page_alloc_init(&pa_, 9, 0), NX_OK); }

  uintptr_t At(uint64_t offset) const { return ram_.base() + offset; }
  bool Owns(uint64_t offset) const { return page_alloc_owns(&pa_, At(offset)); }

  Arena ram_{4 * kMiB, 2 * kMiB};
  page_alloc_t pa_;
};

// Firmware, then the image (in use), a device tree and a boot archive in
// the wrong order and not page aligned: three pieces, the image's pages
// allocated, no hole handed out.
TEST_F(BootRamTest, AddsThePiecesBetweenTheHoles) {
  const uint64_t image = 64 * 1024, dtb = 1 * kMiB, initrd = 3 * kMiB;
  std::vector<boot_ram_hole_t> holes = {
      {At(initrd + 100), At(initrd + 100 * 1024 + 1)},
      {At(0), At(image)},
      {At(dtb), At(dtb + 8 * 1024)},
  };
  ASSERT_EQ(boot_ram_add(&pa_, At(0), ram_.end(), holes.data(), holes.size(), At(image), 20),
            NX_OK);
  EXPECT_EQ(pa_.range_count, 3u);
  EXPECT_EQ(holes[0].base, At(0));       // sorted in place
  EXPECT_EQ(holes[2].base, At(initrd));  // widened to the page
  EXPECT_EQ(holes[2].end, At(initrd + 101 * 1024 + 1024 * 3));
  for (uint64_t off :
       {uint64_t{0}, image - kPage, dtb, dtb + 4 * 1024, initrd, initrd + 100 * 1024}) {
    EXPECT_FALSE(Owns(off)) << off;
  }
  for (uint64_t i = 0; i < 20; i++)
    EXPECT_EQ(page_alloc_block_order(&pa_, At(image + i * kPage)), 0);
  EXPECT_TRUE(Owns(dtb - kPage));
  EXPECT_TRUE(Owns(dtb + 8 * 1024));
  EXPECT_TRUE(Owns(initrd + 104 * 1024));
  EXPECT_TRUE(Owns(4 * kMiB - kPage));
  EXPECT_EQ(page_alloc_used_pages(&pa_), 20u);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

// A one-page gap between holes cannot hold records and a free page: left
// out, the rest added.
TEST_F(BootRamTest, LeavesOutPiecesTooSmallToManage) {
  std::vector<boot_ram_hole_t> holes = {{At(0), At(kMiB)}, {At(kMiB + kPage), At(2 * kMiB)}};
  ASSERT_EQ(boot_ram_add(&pa_, At(0), ram_.end(), holes.data(), holes.size(), 0, 0), NX_OK);
  EXPECT_EQ(pa_.range_count, 1u);
  EXPECT_FALSE(Owns(kMiB));
  EXPECT_TRUE(Owns(2 * kMiB));
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

// A device tree right after the image leaves no room for the image's
// piece to hold records: the image is not the allocator's (its boot code
// then stays reserved), and everything else is.
TEST_F(BootRamTest, AnImageWithoutRoomStaysOut) {
  const uint64_t image = 64 * 1024;
  std::vector<boot_ram_hole_t> holes = {{At(0), At(image)}, {At(image + 20 * kPage), At(kMiB)}};
  ASSERT_EQ(boot_ram_add(&pa_, At(0), ram_.end(), holes.data(), holes.size(), At(image), 20),
            NX_OK);
  EXPECT_FALSE(Owns(image));
  EXPECT_TRUE(Owns(kMiB));
  EXPECT_EQ(page_alloc_used_pages(&pa_), 0u);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

// Holes that overlap, reach outside RAM or cover all of it.
TEST_F(BootRamTest, TakesOverlappingAndOutlyingHoles) {
  std::vector<boot_ram_hole_t> holes = {
      {At(0) - kMiB, At(kPage)},  // from below RAM
      {At(kMiB), At(2 * kMiB)},   // overlapped by the next
      {At(kMiB + kPage), At(kMiB + 2 * kPage)},
      {At(3 * kMiB), ram_.end() + kMiB},  // past the end
  };
  ASSERT_EQ(boot_ram_add(&pa_, At(0), ram_.end(), holes.data(), holes.size(), 0, 0), NX_OK);
  EXPECT_EQ(pa_.range_count, 2u);
  EXPECT_TRUE(Owns(kPage));
  EXPECT_FALSE(Owns(kMiB + 3 * kPage));
  EXPECT_TRUE(Owns(2 * kMiB));
  EXPECT_FALSE(Owns(3 * kMiB));
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);

  page_alloc_t none;
  ASSERT_EQ(page_alloc_init(&none, 9, 0), NX_OK);
  boot_ram_hole_t all = {At(0), ram_.end()};
  EXPECT_EQ(boot_ram_add(&none, At(0), ram_.end(), &all, 1, 0, 0), NX_OK);
  EXPECT_EQ(none.range_count, 0u);
}

// More pieces than the allocator has ranges: its error, the first
// PAGE_ALLOC_MAX_RANGES pieces added.
TEST_F(BootRamTest, ReportsRunningOutOfRanges) {
  std::vector<boot_ram_hole_t> holes;
  for (uint64_t i = 1; i <= PAGE_ALLOC_MAX_RANGES; i++) {
    holes.push_back({At(i * 256 * 1024), At(i * 256 * 1024 + kPage)});
  }
  EXPECT_EQ(boot_ram_add(&pa_, At(0), ram_.end(), holes.data(), holes.size(), 0, 0),
            NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(pa_.range_count, unsigned{PAGE_ALLOC_MAX_RANGES});
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

}  // namespace
