// Unit tests of VMOs: creation and its errors, zeroing, copies, physical
// VMOs, mapping rights and errors, sharing without copies, superpages,
// unmap and revocation (unmap_all), and the accounting around them all.
#include "neuron/vmo.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernel/vm/test_env.h"
#include "kernel/vmo/vmo_test_util.h"
#include "neuron/errors.h"
#include "neuron/page_alloc.h"
#include "neuron/quota.h"
#include "neuron/rights.h"
#include "neuron/sv39.h"
#include "neuron/vmo_map.h"

namespace {

using vm_test::kMega;
using vm_test::kPage;
using vmo_test::kAll;
using vmo_test::kMap;
using vmo_test::kR;
using vmo_test::kSpaces;
using vmo_test::kUser;
using vmo_test::kW;
using vmo_test::kX;
using vmo_test::VmoTest;

// ---- Creation ----

TEST_F(VmoTest, CreateRejectsBadArguments) {
  vmo_t *vmo = nullptr;
  size_t free_pages = page_alloc_free_pages(&env_.pa);
  EXPECT_EQ(vmo_create(&sys_, 0, 0, &vq_, &vmo), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_create(&sys_, kPage, 2, &vq_, &vmo), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_create(nullptr, kPage, 0, &vq_, &vmo), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_create(&sys_, kPage, 0, nullptr, &vmo), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_create(&sys_, kPage, 0, &vq_, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_create(&sys_, VMO_SIZE_MAX + 1, 0, &vq_, &vmo), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(vmo_create(&sys_, UINT64_MAX, 0, &vq_, &vmo), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(vmo_create(&sys_, UINT64_MAX, VMO_CONTIGUOUS, &vq_, &vmo), NX_ERR_OUT_OF_RANGE);
  // Sizes in range that no block of this allocator can hold (the index of a
  // VMO_SIZE_MAX VMO, an 8 MiB contiguous block with max_order 9).
  EXPECT_EQ(vmo_create(&sys_, VMO_SIZE_MAX, 0, &vq_, &vmo), NX_ERR_NO_MEMORY);
  EXPECT_EQ(vmo_create(&sys_, 4 * kMega, VMO_CONTIGUOUS, &vq_, &vmo), NX_ERR_NO_MEMORY);
  EXPECT_EQ(vmo, nullptr);
  EXPECT_EQ(quota_used(&vq_), 0u);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa), free_pages);
  EXPECT_EQ(sys_.live, 0u);
}

TEST_F(VmoTest, SizesRoundUpAndCommittedPagesCountWhatIsHeld) {
  struct Case {
    uint64_t size;
    uint32_t flags;
    uint64_t rounded;
    size_t committed;
  } cases[] = {
      {1, 0, kPage, 1},
      {kPage, 0, kPage, 1},
      {kPage + 1, 0, 2 * kPage, 2},
      {4 * kPage, 0, 4 * kPage, 4},               // the list fits in the vmo_t
      {5 * kPage, 0, 5 * kPage, 5 + 1},           // plus a one-page index
      {513 * kPage, 0, 513 * kPage, 513 + 2},     // 513 entries: a two-page index
      {3 * kPage, VMO_CONTIGUOUS, 3 * kPage, 4},  // the whole order-2 block
      {kMega, VMO_CONTIGUOUS, kMega, 512},        // kMega: 2 MiB
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.size);
    vmo_t *vmo = Create(c.size, c.flags);
    ASSERT_NE(vmo, nullptr);
    EXPECT_EQ(vmo->obj.type, OBJ_VMO);
    EXPECT_EQ(vmo->obj.refs, 1u);
    EXPECT_EQ(vmo_size(vmo), c.rounded);
    EXPECT_EQ(vmo_committed_pages(vmo), c.committed);
    EXPECT_EQ(quota_used(&vq_), c.committed);
    EXPECT_EQ(vmo_kind(vmo), c.flags ? VMO_KIND_CONTIGUOUS : VMO_KIND_PAGED);
    for (size_t i = 0; i < c.rounded / kPage; i++) EXPECT_NE(vmo_page_phys(vmo, i), 0u);
    EXPECT_EQ(vmo_page_phys(vmo, c.rounded / kPage), 0u);
    vmo_release(vmo);
    EXPECT_EQ(quota_used(&vq_), 0u);
  }
}

TEST_F(VmoTest, OverQuotaFailsWithNothingTaken) {
  quota_t small;
  ASSERT_EQ(quota_init(&small, &vq_, 5), NX_OK);
  size_t free_pages = page_alloc_free_pages(&env_.pa);
  vmo_t *vmo = nullptr;
  // 5 data pages need an index page too: 6 > 5.
  EXPECT_EQ(vmo_create(&sys_, 5 * kPage, 0, &small, &vmo), NX_ERR_NO_MEMORY);
  EXPECT_EQ(vmo_create(&sys_, 5 * kPage, VMO_CONTIGUOUS, &small, &vmo), NX_ERR_NO_MEMORY);
  EXPECT_EQ(quota_used(&small), 0u);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa), free_pages);
  // The parent's limit counts as well.
  ASSERT_EQ(quota_init(&vq_, &env_.quota, 2), NX_OK);
  EXPECT_EQ(vmo_create(&sys_, 3 * kPage, 0, &small, &vmo), NX_ERR_NO_MEMORY);
  EXPECT_EQ(vmo, nullptr);
  EXPECT_EQ(quota_used(&small), 0u);
  EXPECT_EQ(quota_used(&vq_), 0u);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa), free_pages);
  // Exactly at the limit works.
  ASSERT_EQ(vmo_create(&sys_, 2 * kPage, 0, &small, &vmo), NX_OK);
  EXPECT_EQ(quota_used(&small), 2u);
  vmo_release(vmo);
}

TEST_F(VmoTest, AllocatorRunningOutMidwayRollsEverythingBack) {
  // Take all but 10 free pages, so a 20-page VMO fails part way through.
  std::vector<uintptr_t> held;
  while (page_alloc_free_pages(&env_.pa) > 10) {
    uintptr_t p = page_alloc_alloc(&env_.pa, 0, 0);
    ASSERT_NE(p, 0u);
    held.push_back(p);
  }
  vmo_t *vmo = nullptr;
  size_t free_pages = page_alloc_free_pages(&env_.pa);
  size_t slab_pages = vmo_system_slab_pages(&sys_);
  EXPECT_EQ(vmo_create(&sys_, 20 * kPage, 0, &vq_, &vmo), NX_ERR_NO_MEMORY);
  EXPECT_EQ(vmo_create(&sys_, 20 * kPage, VMO_CONTIGUOUS, &vq_, &vmo), NX_ERR_NO_MEMORY);
  EXPECT_EQ(vmo, nullptr);
  EXPECT_EQ(quota_used(&vq_), 0u);
  // The vmo_t slab may have stayed (a cache keeps one empty slab).
  EXPECT_EQ(page_alloc_free_pages(&env_.pa) + vmo_system_slab_pages(&sys_) - slab_pages,
            free_pages);
  EXPECT_EQ(sys_.live, 0u);
  EXPECT_EQ(page_alloc_check(&env_.pa), NX_OK);
  // What is left still works.
  ASSERT_EQ(vmo_create(&sys_, 4 * kPage, 0, &vq_, &vmo), NX_OK);
  vmo_release(vmo);
  for (uintptr_t p : held) ASSERT_EQ(page_alloc_free(&env_.pa, p, 0), NX_OK);
  ASSERT_EQ(vmo_system_destroy(&sys_), NX_OK);  // its empty slabs go back too
  ASSERT_EQ(vmo_system_init(&sys_, &env_.pa), NX_OK);
}

TEST_F(VmoTest, NewVmosReadAsZerosOverDirtyPages) {
  // Dirty every free page of the allocator, then give them all back.
  std::vector<uintptr_t> held;
  for (uintptr_t p; (p = page_alloc_alloc(&env_.pa, 0, 0)) != 0;) {
    std::memset(page_alloc_ptr(&env_.pa, p), 0xa5, kPage);
    held.push_back(p);
  }
  ASSERT_GT(held.size(), 1000u);
  for (uintptr_t p : held) ASSERT_EQ(page_alloc_free(&env_.pa, p, 0), NX_OK);

  vmo_t *paged = Create(40 * kPage);
  vmo_t *contig = Create(kMega, VMO_CONTIGUOUS);
  ASSERT_NE(paged, nullptr);
  ASSERT_NE(contig, nullptr);
  for (vmo_t *vmo : {paged, contig}) {
    std::vector<uint8_t> buf(vmo_size(vmo), 0xff);
    ASSERT_EQ(vmo_read(vmo, 0, buf.data(), buf.size()), NX_OK);
    EXPECT_EQ(buf, std::vector<uint8_t>(buf.size(), 0));
  }
  vmo_release(paged);
  vmo_release(contig);
}

// ---- Copies ----

TEST_F(VmoTest, ReadWriteRoundTripAcrossPagesAndCountBytes) {
  vmo_t *vmo = Create(6 * kPage);  // paged, with an index
  vmo_t *contig = Create(4 * kPage, VMO_CONTIGUOUS);
  for (vmo_t *v : {vmo, contig}) {
    std::vector<uint8_t> data(2 * kPage + 100);
    for (size_t i = 0; i < data.size(); i++) data[i] = static_cast<uint8_t>(i * 7 + 3);
    uint64_t before = vmo_copy_bytes(&sys_);
    ASSERT_EQ(vmo_write(v, kPage - 50, data.data(), data.size()), NX_OK);
    std::vector<uint8_t> back(data.size());
    ASSERT_EQ(vmo_read(v, kPage - 50, back.data(), back.size()), NX_OK);
    EXPECT_EQ(back, data);
    EXPECT_EQ(vmo_copy_bytes(&sys_), before + 2 * data.size());
    // Each byte landed in the page it belongs to (through the kernel view).
    const uint8_t *p1 = static_cast<const uint8_t *>(page_alloc_ptr(&env_.pa, vmo_page_phys(v, 1)));
    EXPECT_EQ(p1[0], data[50]);
    const uint8_t *p3 = static_cast<const uint8_t *>(page_alloc_ptr(&env_.pa, vmo_page_phys(v, 3)));
    EXPECT_EQ(p3[49], data.back());
  }
  vmo_release(vmo);
  vmo_release(contig);
}

TEST_F(VmoTest, ReadWriteOutOfRangeCopyNothing) {
  vmo_t *vmo = Create(2 * kPage);
  uint8_t buf[16] = {1, 2, 3};
  uint64_t size = 2 * kPage;
  uint64_t before = vmo_copy_bytes(&sys_);
  EXPECT_EQ(vmo_read(vmo, size, buf, 1), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(vmo_write(vmo, size, buf, 1), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(vmo_read(vmo, size - 8, buf, 9), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(vmo_write(vmo, size - 8, buf, 9), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(vmo_read(vmo, size + 1, buf, 0), NX_ERR_OUT_OF_RANGE);
  // offset + len wraps around 2^64: must not look small.
  EXPECT_EQ(vmo_read(vmo, UINT64_MAX, buf, 2), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(vmo_write(vmo, UINT64_MAX - 4, buf, 16), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(vmo_read(vmo, 8, buf, SIZE_MAX), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(vmo_write(vmo, 8, buf, SIZE_MAX - 4), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(vmo_read(vmo, 0, nullptr, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_write(nullptr, 0, buf, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_copy_bytes(&sys_), before);
  // The last byte and an empty copy at the end are fine.
  EXPECT_EQ(vmo_write(vmo, size - 1, buf, 1), NX_OK);
  EXPECT_EQ(vmo_read(vmo, size, buf, 0), NX_OK);
  EXPECT_EQ(vmo_read(vmo, 0, nullptr, 0), NX_OK);
  EXPECT_EQ(vmo_copy_bytes(&sys_), before + 1);
  vmo_release(vmo);
}

// ---- Physical VMOs ----

TEST_F(VmoTest, PhysicalVmoWrapsDeviceMemoryWithoutZeroingOrFreeing) {
  // "Device memory": host memory the page allocator does not manage.
  uint8_t *dev = static_cast<uint8_t *>(std::aligned_alloc(kPage, 4 * kPage));
  ASSERT_NE(dev, nullptr);
  std::memset(dev, 0x5a, 4 * kPage);
  uint64_t base = reinterpret_cast<uintptr_t>(dev);
  size_t free_pages = page_alloc_free_pages(&env_.pa);

  vmo_t *vmo = nullptr;
  ASSERT_EQ(vmo_create_physical(&sys_, base, 4 * kPage, &vmo), NX_OK);
  EXPECT_EQ(vmo_kind(vmo), VMO_KIND_PHYSICAL);
  EXPECT_EQ(vmo_committed_pages(vmo), 0u);
  uint64_t got = 0;
  ASSERT_EQ(vmo_phys_base(vmo, &got), NX_OK);
  EXPECT_EQ(got, base);
  EXPECT_EQ(vmo_page_phys(vmo, 3), base + 3 * kPage);
  uint8_t byte = 0;
  EXPECT_EQ(vmo_read(vmo, 0, &byte, 1), NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(vmo_write(vmo, 0, &byte, 1), NX_ERR_NOT_SUPPORTED);

  // Mapped, the device's bytes show through; nothing was zeroed.
  ASSERT_EQ(vmo_map(vmo, &vs_[0], kUser, kPage, 2 * kPage, kAll, kR | kW, 0, nullptr, nullptr),
            NX_OK);
  uint64_t pa = Translate(as_[0], kUser + kPage + 5, SV39_ACCESS_READ);
  EXPECT_EQ(pa, base + 2 * kPage + 5);
  EXPECT_EQ(*reinterpret_cast<uint8_t *>(pa), 0x5a);
  ASSERT_EQ(vmo_unmap(vmo, &vs_[0], kUser, nullptr), NX_OK);
  vmo_release(vmo);
  EXPECT_EQ(quota_used(&vq_), 0u);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa) + vmo_system_slab_pages(&sys_), free_pages);
  for (size_t i = 0; i < 4 * kPage; i++) ASSERT_EQ(dev[i], 0x5a);
  std::free(dev);
}

TEST_F(VmoTest, PhysicalVmoRejectsBadRanges) {
  vmo_t *vmo = nullptr;
  const uint64_t dev = 0x10000000;  // never dereferenced
  EXPECT_EQ(vmo_create_physical(&sys_, dev, 0, &vmo), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_create_physical(&sys_, dev + 1, kPage, &vmo), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_create_physical(&sys_, dev, kPage + 1, &vmo), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_create_physical(&sys_, dev, kPage, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_create_physical(&sys_, uint64_t{1} << 56, kPage, &vmo), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(vmo_create_physical(&sys_, (uint64_t{1} << 56) - kPage, 2 * kPage, &vmo),
            NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(vmo_create_physical(&sys_, UINT64_MAX - kPage + 1, kPage, &vmo), NX_ERR_OUT_OF_RANGE);
  // RAM the allocator manages (a free page, its records, a range edge).
  const page_range_t &r = env_.pa.ranges[0];
  EXPECT_EQ(vmo_create_physical(&sys_, r.base + r.meta_pages * kPage, kPage, &vmo),
            NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_create_physical(&sys_, r.base, kPage, &vmo), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_create_physical(&sys_, r.base - kPage, 2 * kPage, &vmo), NX_ERR_INVALID_ARGS);
  uint64_t end = r.end;
  EXPECT_EQ(vmo_create_physical(&sys_, end - kPage, 2 * kPage, &vmo), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo, nullptr);
  // Right next to RAM is fine.
  ASSERT_EQ(vmo_create_physical(&sys_, end, kPage, &vmo), NX_OK);
  vmo_release(vmo);
  EXPECT_EQ(sys_.live, 0u);
}

// ---- Mapping: rights and errors ----

TEST_F(VmoTest, RightsDecideThePermissions) {
  vmo_t *vmo = Create(2 * kPage);
  struct Case {
    uint32_t rights, prot;
    int err;
    sv39_perm_t perms;
  } cases[] = {
      {kMap | kR, kR, NX_OK, SV39_PERM_R},
      {kMap | kR | kW, kR | kW, NX_OK, SV39_PERM_R | SV39_PERM_W},
      {kMap | kR | kW, kR, NX_OK, SV39_PERM_R},  // less than allowed is fine
      {kMap | kR | kX, kR | kX, NX_OK, SV39_PERM_R | SV39_PERM_X},
      {kMap | kX, kX, NX_OK, SV39_PERM_X},
      {kAll, kR | kW, NX_OK, SV39_PERM_R | SV39_PERM_W},
      {kR | kW | kX, kR, NX_ERR_ACCESS_DENIED, 0},  // no MAP right
      {kAll & ~kMap, kR, NX_ERR_ACCESS_DENIED, 0},
      {kMap | kR, kR | kW, NX_ERR_ACCESS_DENIED, 0},  // W without WRITE
      {kMap | kR, kR | kX, NX_ERR_ACCESS_DENIED, 0},  // X without EXECUTE
      {kMap | kW, kR | kW, NX_ERR_ACCESS_DENIED, 0},  // R without READ
      {kAll, kR | kW | kX, NX_ERR_INVALID_ARGS, 0},   // W^X, even with every right
      {kAll, kW | kX, NX_ERR_INVALID_ARGS, 0},
      {kAll, kW, NX_ERR_INVALID_ARGS, 0},  // W needs R
      {kAll, 0, NX_ERR_INVALID_ARGS, 0},
      {kAll, kR | kMap, NX_ERR_INVALID_ARGS, 0},  // not an access
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(testing::Message() << "rights " << c.rights << " prot " << c.prot);
    vmo_mapping_t *m = nullptr;
    sv39_flush_t flush = {0, 0, 0};
    ASSERT_EQ(vmo_map(vmo, &vs_[0], kUser, 0, 2 * kPage, c.rights, c.prot, 0, &m, &flush), c.err);
    if (c.err != NX_OK) {
      EXPECT_FALSE(Mapped(as_[0], kUser));
      EXPECT_EQ(flush.flags, 0u);
      continue;
    }
    sv39_mapping_t got;
    ASSERT_EQ(sv39_lookup(&as_[0], kUser + kPage, &got), NX_OK);
    EXPECT_EQ(got.perms, c.perms | SV39_PERM_U);
    EXPECT_EQ(m->perms, c.perms | SV39_PERM_U);
    EXPECT_EQ(flush.flags, SV39_FLUSH_NEW);
    EXPECT_EQ(flush.va, kUser);
    EXPECT_EQ(flush.size, 2 * kPage);
    ASSERT_EQ(vmo_unmap(vmo, &vs_[0], kUser, nullptr), NX_OK);
  }
  EXPECT_EQ(vmo->obj.refs, 1u);
  vmo_release(vmo);
}

TEST_F(VmoTest, MapRejectsBadRangesWithNothingChanged) {
  vmo_t *vmo = Create(4 * kPage);
  vmo_t *other = Create(kPage);
  ASSERT_EQ(vmo_map(other, &vs_[0], kUser + 8 * kPage, 0, kPage, kAll, kR, 0, nullptr, nullptr),
            NX_OK);
  size_t tables = sv39_table_pages(&as_[0]);
  const uint64_t user_end = SV39_USER_END;
  struct Case {
    uint64_t va, offset, size;
    int err;
  } cases[] = {
      {kUser + 1, 0, kPage, NX_ERR_INVALID_ARGS},  // misaligned va
      {kUser, 1, kPage, NX_ERR_INVALID_ARGS},      // misaligned offset
      {kUser, 0, kPage - 1, NX_ERR_INVALID_ARGS},  // misaligned size
      {kUser, 0, 0, NX_ERR_INVALID_ARGS},          // empty
      {kUser, 0, 5 * kPage, NX_ERR_OUT_OF_RANGE},  // past the VMO
      {kUser, 4 * kPage, kPage, NX_ERR_OUT_OF_RANGE},
      {kUser, 2 * kPage, 3 * kPage, NX_ERR_OUT_OF_RANGE},
      {kUser, UINT64_MAX - kPage + 1, 2 * kPage, NX_ERR_OUT_OF_RANGE},  // offset + size wraps
      {0, 0, kPage, NX_ERR_OUT_OF_RANGE},                               // page 0
      {user_end - kPage, 0, 2 * kPage, NX_ERR_OUT_OF_RANGE},            // past the window
      {user_end, 0, kPage, NX_ERR_OUT_OF_RANGE},
      {SV39_KERNEL_BASE, 0, kPage, NX_ERR_OUT_OF_RANGE},  // the kernel half
      {UINT64_MAX - kPage + 1, 0, 2 * kPage, NX_ERR_OUT_OF_RANGE},
      {kUser + 5 * kPage, 0, 4 * kPage, NX_ERR_INVALID_ARGS},  // overlaps the other mapping
      {kUser + 8 * kPage, 0, kPage, NX_ERR_INVALID_ARGS},      // exactly on it
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(testing::Message() << std::hex << c.va << " " << c.offset << " " << c.size);
    vmo_map_request_t req;
    EXPECT_EQ(vmo_map_check(vmo, &vs_[0], c.va, c.offset, c.size, kAll, kR, 0, &req), c.err);
    sv39_flush_t flush = {0, 0, 0};
    EXPECT_EQ(vmo_map(vmo, &vs_[0], c.va, c.offset, c.size, kAll, kR, 0, nullptr, &flush), c.err);
    EXPECT_EQ(flush.flags, 0u);
  }
  EXPECT_EQ(vmo->obj.refs, 1u);
  EXPECT_EQ(vmo->mapping_count, 0u);
  EXPECT_EQ(sv39_table_pages(&as_[0]), tables);
  EXPECT_FALSE(Mapped(as_[0], kUser + 5 * kPage));
  vmo_map_request_t req;
  EXPECT_EQ(vmo_map_check(nullptr, &vs_[0], kUser, 0, kPage, kAll, kR, 0, &req),
            NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_map_check(vmo, nullptr, kUser, 0, kPage, kAll, kR, 0, &req), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_map_check(vmo, &vs_[0], kUser, 0, kPage, kAll, kR, 0, nullptr),
            NX_ERR_INVALID_ARGS);
  // The tail of the VMO right before the other mapping fits exactly.
  ASSERT_EQ(vmo_map(vmo, &vs_[0], kUser + 4 * kPage, 0, 4 * kPage, kAll, kR, 0, nullptr, nullptr),
            NX_OK);
  EXPECT_EQ(vmo_unmap_all(vmo, nullptr), NX_OK);
  EXPECT_EQ(vmo_unmap_all(other, nullptr), NX_OK);
  vmo_release(vmo);
  vmo_release(other);
}

TEST_F(VmoTest, CheckHasNoSideEffectsAndApplyMaps) {
  vmo_t *vmo = Create(3 * kPage);
  size_t used = quota_used(&sq_), free_pages = page_alloc_free_pages(&env_.pa);
  vmo_map_request_t req;
  ASSERT_EQ(vmo_map_check(vmo, &vs_[1], kUser, kPage, 2 * kPage, kMap | kR, kR, 0, &req), NX_OK);
  EXPECT_EQ(quota_used(&sq_), used);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa), free_pages);
  EXPECT_EQ(vmo->obj.refs, 1u);
  EXPECT_EQ(vmo->mapping_count, 0u);
  EXPECT_FALSE(Mapped(as_[1], kUser));

  vmo_mapping_t *m = nullptr;
  ASSERT_EQ(vmo_map_apply(&req, &m, nullptr), NX_OK);
  EXPECT_EQ(vmo->obj.refs, 2u);  // the mapping holds a reference
  EXPECT_EQ(m, vmo_find_mapping(vmo, &vs_[1], kUser));
  EXPECT_EQ(m->offset, kPage);
  EXPECT_EQ(Translate(as_[1], kUser + kPage, SV39_ACCESS_READ), vmo_page_phys(vmo, 2));
  EXPECT_EQ(Translate(as_[1], kUser, SV39_ACCESS_WRITE), 0u);  // read-only
  ASSERT_EQ(vmo_unmap(vmo, &vs_[1], kUser, nullptr), NX_OK);
  vmo_release(vmo);
}

TEST_F(VmoTest, ApplyOutOfTableMemoryChangesNothing) {
  // A paged VMO whose two pages are not physically adjacent (the first is a
  // hole left between two held pages), so it maps as two sv39_map() runs.
  // The vmo_t cache gets its slab first, so that slab does not take the hole.
  vmo_release(Create(kPage));
  uintptr_t a = page_alloc_alloc(&env_.pa, 0, 0), b = page_alloc_alloc(&env_.pa, 0, 0),
            c = page_alloc_alloc(&env_.pa, 0, 0);
  ASSERT_EQ(page_alloc_free(&env_.pa, b, 0), NX_OK);
  vmo_t *vmo = Create(2 * kPage);
  ASSERT_NE(vmo_page_phys(vmo, 1), vmo_page_phys(vmo, 0) + kPage);

  // The space may take 2 more table pages: the first run (below the 2 MiB
  // line) needs a level-1 and a level-0 table, the second a level-0 table.
  // (One page of a limit of 4 is held back for now.)
  quota_t tight;
  ASSERT_EQ(quota_init(&tight, &env_.quota, 4), NX_OK);
  ASSERT_EQ(quota_charge(&tight, 1), NX_OK);
  sv39_space_t as;
  ASSERT_EQ(sv39_init(&as, &env_.pa, &tight, nullptr, nullptr), NX_OK);
  vmo_space_t vs;
  vmo_space_init(&vs, &as);
  const uint64_t va = kUser + kMega - kPage;
  size_t records = slab_cache_in_use(&sys_.mappings);
  sv39_flush_t flush = {0, 0, 0};
  EXPECT_EQ(vmo_map(vmo, &vs, va, 0, 2 * kPage, kAll, kR | kW, 0, nullptr, &flush),
            NX_ERR_NO_MEMORY);
  EXPECT_FALSE(Mapped(as, va));
  EXPECT_FALSE(Mapped(as, va + kPage));
  EXPECT_EQ(sv39_table_pages(&as), 1u);
  EXPECT_EQ(quota_used(&tight), 2u);
  EXPECT_EQ(vmo->obj.refs, 1u);
  EXPECT_EQ(vmo->mapping_count, 0u);
  EXPECT_EQ(slab_cache_in_use(&sys_.mappings), records);
  EXPECT_EQ(sv39_check(&as), NX_OK);
  // The first run was mapped and taken back: the caller is told to fence.
  EXPECT_NE(flush.flags & SV39_FLUSH_LEAF, 0u);

  // With room for the third table it maps.
  ASSERT_EQ(quota_release(&tight, 1), NX_OK);
  ASSERT_EQ(vmo_map(vmo, &vs, va, 0, 2 * kPage, kAll, kR | kW, 0, nullptr, nullptr), NX_OK);
  EXPECT_EQ(Translate(as, va + kPage, SV39_ACCESS_WRITE), vmo_page_phys(vmo, 1));
  ASSERT_EQ(vmo_unmap(vmo, &vs, va, nullptr), NX_OK);
  sv39_destroy(&as);
  EXPECT_EQ(quota_used(&tight), 0u);
  vmo_release(vmo);
  ASSERT_EQ(page_alloc_free(&env_.pa, a, 0), NX_OK);
  ASSERT_EQ(page_alloc_free(&env_.pa, c, 0), NX_OK);
}

TEST_F(VmoTest, UnmapOfANonMappingIsNotFound) {
  vmo_t *vmo = Create(2 * kPage);
  vmo_t *other = Create(kPage);
  ASSERT_EQ(vmo_map(vmo, &vs_[0], kUser, 0, 2 * kPage, kAll, kR, 0, nullptr, nullptr), NX_OK);
  sv39_flush_t flush = {0, 0, 0};
  EXPECT_EQ(vmo_unmap(vmo, &vs_[0], kUser + kPage, &flush), NX_ERR_NOT_FOUND);  // inside
  EXPECT_EQ(vmo_unmap(vmo, &vs_[1], kUser, &flush), NX_ERR_NOT_FOUND);          // another space
  EXPECT_EQ(vmo_unmap(other, &vs_[0], kUser, &flush), NX_ERR_NOT_FOUND);        // another VMO
  EXPECT_EQ(vmo_unmap(vmo, &vs_[0], 0x20000000, &flush), NX_ERR_NOT_FOUND);
  EXPECT_EQ(vmo_unmap(nullptr, &vs_[0], kUser, &flush), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_unmap(vmo, nullptr, kUser, &flush), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(flush.flags, 0u);
  EXPECT_TRUE(Mapped(as_[0], kUser));
  ASSERT_EQ(vmo_unmap(vmo, &vs_[0], kUser, &flush), NX_OK);
  EXPECT_NE(flush.flags & SV39_FLUSH_LEAF, 0u);
  EXPECT_EQ(vmo_unmap(vmo, &vs_[0], kUser, &flush), NX_ERR_NOT_FOUND);  // twice
  vmo_release(vmo);
  vmo_release(other);
}

TEST_F(VmoTest, MappingsPerVmoAreBounded) {
  vmo_t *vmo = Create(kPage);
  for (int i = 0; i < VMO_MAX_MAPPINGS; i++) {
    ASSERT_EQ(
        vmo_map(vmo, &vs_[i % kSpaces], kUser + i * kPage, 0, kPage, kAll, kR, 0, nullptr, nullptr),
        NX_OK);
  }
  EXPECT_EQ(vmo_map(vmo, &vs_[0], kUser + kMega, 0, kPage, kAll, kR, 0, nullptr, nullptr),
            NX_ERR_NO_MEMORY);
  EXPECT_EQ(vmo->obj.refs, 1u + VMO_MAX_MAPPINGS);
  EXPECT_EQ(vmo_unmap_all(vmo, nullptr), NX_OK);
  EXPECT_EQ(vmo->obj.refs, 1u);
  vmo_release(vmo);
}

// ---- Sharing and superpages ----

TEST_F(VmoTest, TwoSpacesShareTheSamePagesWithoutCopies) {
  vmo_t *vmo = Create(3 * kPage);
  const uint64_t va_a = kUser, va_b = 0x2000000 + 5 * kPage;
  ASSERT_EQ(vmo_map(vmo, &vs_[0], va_a, 0, 3 * kPage, kAll, kR | kW, 0, nullptr, nullptr), NX_OK);
  ASSERT_EQ(vmo_map(vmo, &vs_[1], va_b, kPage, 2 * kPage, kMap | kR, kR, 0, nullptr, nullptr),
            NX_OK);

  // The kernel writes (one copy, counted) ...
  const char msg[] = "frame 42";
  ASSERT_EQ(vmo_write(vmo, kPage + 100, msg, sizeof msg), NX_OK);
  uint64_t copied = vmo_copy_bytes(&sys_);
  EXPECT_EQ(copied, sizeof msg);
  // ... and space B reads the same bytes through its own page tables.
  uint64_t pa_b = Translate(as_[1], va_b + 100, SV39_ACCESS_READ);
  ASSERT_NE(pa_b, 0u);
  EXPECT_STREQ(reinterpret_cast<const char *>(pa_b), msg);
  // Space A (a device's driver) writes through its mapping; B sees it at
  // once: the same frame, no copy anywhere.
  uint64_t pa_a = Translate(as_[0], va_a + 2 * kPage + 7, SV39_ACCESS_WRITE);
  ASSERT_NE(pa_a, 0u);
  EXPECT_EQ(pa_a, Translate(as_[1], va_b + kPage + 7, SV39_ACCESS_READ));
  *reinterpret_cast<uint8_t *>(pa_a) = 0x77;
  EXPECT_EQ(*reinterpret_cast<uint8_t *>(Translate(as_[1], va_b + kPage + 7, SV39_ACCESS_READ)),
            0x77);
  EXPECT_EQ(vmo_copy_bytes(&sys_), copied);
  // B's mapping is read-only.
  EXPECT_EQ(Translate(as_[1], va_b, SV39_ACCESS_WRITE), 0u);
  EXPECT_EQ(vmo_unmap_all(vmo, nullptr), NX_OK);
  vmo_release(vmo);
}

TEST_F(VmoTest, AlignedContiguousVmoMapsWithMegapages) {
  vmo_t *vmo = Create(kMega, VMO_CONTIGUOUS);  // 2 MiB, order 9: 2 MiB aligned
  ASSERT_NE(vmo, nullptr);
  uint64_t base = 0;
  ASSERT_EQ(vmo_phys_base(vmo, &base), NX_OK);
  ASSERT_EQ(base % kMega, 0u);
  EXPECT_EQ(vmo_committed_pages(vmo), 512u);
  // A megapage-aligned va: one 2 MiB leaf in both spaces; only the root and
  // a level-1 table are needed.
  const uint64_t va = 0x40000000;
  for (int s = 0; s < 2; s++) {
    ASSERT_EQ(vmo_map(vmo, &vs_[s], va, 0, kMega, kAll, kR | kW, 0, nullptr, nullptr), NX_OK);
    for (uint64_t off : {uint64_t{0}, kMega / 2, kMega - kPage}) {
      sv39_mapping_t m;
      ASSERT_EQ(sv39_lookup(&as_[s], va + off, &m), NX_OK);
      EXPECT_EQ(m.page_size, kMega);
      EXPECT_EQ(m.pa, base + off);
    }
    EXPECT_EQ(sv39_table_pages(&as_[s]), 2u);
  }
  // Not aligned alike (va off by a page): 4 KiB leaves.
  ASSERT_EQ(vmo_map(vmo, &vs_[2], va + kPage, 0, kMega, kAll, kR, 0, nullptr, nullptr), NX_OK);
  sv39_mapping_t m;
  ASSERT_EQ(sv39_lookup(&as_[2], va + kPage, &m), NX_OK);
  EXPECT_EQ(m.page_size, kPage);
  EXPECT_EQ(m.pa, base);
  vmo_flush_set_t flushes = {};
  EXPECT_EQ(vmo_unmap_all(vmo, &flushes), NX_OK);
  EXPECT_EQ(flushes.count, 3u);
  vmo_release(vmo);
}

// ---- Revocation and lifetime ----

TEST_F(VmoTest, UnmapAllRemovesEveryMappingInEverySpace) {
  size_t vq0 = quota_used(&vq_), sq0 = quota_used(&sq_);
  vmo_t *vmo = Create(4 * kPage);
  ASSERT_EQ(vmo_map(vmo, &vs_[0], kUser, 0, 4 * kPage, kAll, kR | kW, 0, nullptr, nullptr), NX_OK);
  ASSERT_EQ(vmo_map(vmo, &vs_[0], 0x3000000, kPage, kPage, kAll, kR, 0, nullptr, nullptr), NX_OK);
  ASSERT_EQ(vmo_map(vmo, &vs_[1], kUser, 0, 2 * kPage, kAll, kR, 0, nullptr, nullptr), NX_OK);
  ASSERT_EQ(
      vmo_map(vmo, &vs_[2], 0x7000000, 2 * kPage, 2 * kPage, kAll, kR | kX, 0, nullptr, nullptr),
      NX_OK);
  EXPECT_EQ(vmo->obj.refs, 5u);
  EXPECT_EQ(vmo->mapping_count, 4u);
  EXPECT_GT(quota_used(&sq_), sq0);

  vmo_flush_set_t flushes = {};
  ASSERT_EQ(vmo_unmap_all(vmo, &flushes), NX_OK);
  EXPECT_EQ(vmo->obj.refs, 1u);
  EXPECT_EQ(vmo->mapping_count, 0u);
  EXPECT_EQ(vmo->mappings, nullptr);
  for (uint64_t va : {kUser, kUser + 3 * kPage, uint64_t{0x3000000}})
    EXPECT_FALSE(Mapped(as_[0], va));
  EXPECT_FALSE(Mapped(as_[1], kUser));
  EXPECT_FALSE(Mapped(as_[2], 0x7000000));
  // The page tables went too, and each space got one merged fence.
  EXPECT_EQ(quota_used(&sq_), sq0);
  ASSERT_EQ(flushes.count, 3u);
  EXPECT_EQ(flushes.overflow, 0u);
  for (size_t i = 0; i < flushes.count; i++) {
    EXPECT_NE(flushes.entry[i].flush.flags & SV39_FLUSH_LEAF, 0u);
    EXPECT_NE(flushes.entry[i].flush.flags & SV39_FLUSH_TABLE, 0u);
  }
  // Space 0's fence covers both its mappings.
  for (size_t i = 0; i < flushes.count; i++) {
    if (flushes.entry[i].space != &as_[0]) continue;
    EXPECT_LE(flushes.entry[i].flush.va, kUser);
    EXPECT_GE(flushes.entry[i].flush.va + flushes.entry[i].flush.size, uint64_t{0x3001000});
  }
  // The VMO lives on (its handle) until released; then its quota is back.
  EXPECT_EQ(quota_used(&vq_), vq0 + 4);
  vmo_release(vmo);
  EXPECT_EQ(quota_used(&vq_), vq0);
  EXPECT_EQ(sys_.live, 0u);
}

TEST_F(VmoTest, FlushSetOverflowsPastItsSpaces) {
  vmo_t *vmo = Create(kPage);
  std::vector<sv39_space_t> extra(VMO_FLUSH_SPACES);
  std::vector<vmo_space_t> extra_vs(VMO_FLUSH_SPACES);
  for (size_t i = 0; i < extra.size(); i++) {
    ASSERT_EQ(sv39_init(&extra[i], &env_.pa, &sq_, nullptr, nullptr), NX_OK);
    vmo_space_init(&extra_vs[i], &extra[i]);
  }
  for (auto &vs : extra_vs) {
    ASSERT_EQ(vmo_map(vmo, &vs, kUser, 0, kPage, kAll, kR, 0, nullptr, nullptr), NX_OK);
  }
  ASSERT_EQ(vmo_map(vmo, &vs_[0], kUser, 0, kPage, kAll, kR, 0, nullptr, nullptr), NX_OK);
  vmo_flush_set_t flushes = {};
  ASSERT_EQ(vmo_unmap_all(vmo, &flushes), NX_OK);
  EXPECT_EQ(flushes.count, size_t{VMO_FLUSH_SPACES});
  EXPECT_NE(flushes.overflow & SV39_FLUSH_LEAF, 0u);
  for (auto &as : extra) sv39_destroy(&as);
  vmo_release(vmo);
}

TEST_F(VmoTest, AMappedVmoOutlivesItsHandleUntilTheLastMappingGoes) {
  size_t free_pages = page_alloc_free_pages(&env_.pa);
  vmo_t *a = Create(2 * kPage);
  vmo_t *b = Create(kPage, VMO_CONTIGUOUS);
  ASSERT_EQ(vmo_map(a, &vs_[0], kUser, 0, 2 * kPage, kAll, kR | kW, 0, nullptr, nullptr), NX_OK);
  ASSERT_EQ(vmo_map(a, &vs_[1], kUser, 0, kPage, kAll, kR, 0, nullptr, nullptr), NX_OK);
  ASSERT_EQ(vmo_map(b, &vs_[1], kUser + kPage, 0, kPage, kAll, kR, 0, nullptr, nullptr), NX_OK);
  uint8_t v = 9;
  ASSERT_EQ(vmo_write(a, kPage, &v, 1), NX_OK);
  vmo_release(a);  // the handle goes; the mappings keep it
  vmo_release(b);
  EXPECT_EQ(sys_.live, 2u);
  EXPECT_EQ(quota_used(&vq_), 3u);
  uint64_t pa = Translate(as_[0], kUser + kPage, SV39_ACCESS_READ);
  ASSERT_NE(pa, 0u);
  EXPECT_EQ(*reinterpret_cast<uint8_t *>(pa), 9);

  ASSERT_EQ(vmo_unmap(a, &vs_[1], kUser, nullptr), NX_OK);
  EXPECT_EQ(sys_.live, 2u);
  ASSERT_EQ(vmo_unmap(a, &vs_[0], kUser, nullptr), NX_OK);  // the last: a is freed
  EXPECT_EQ(sys_.live, 1u);
  EXPECT_EQ(quota_used(&vq_), 1u);
  EXPECT_EQ(vmo_system_destroy(&sys_), NX_ERR_BUSY);
  ASSERT_EQ(vmo_unmap_all(b, nullptr), NX_OK);  // revocation frees b
  EXPECT_EQ(sys_.live, 0u);
  EXPECT_EQ(quota_used(&vq_), 0u);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa) + vmo_system_slab_pages(&sys_), free_pages);
}

}  // namespace
