// Unit tests of the per-space mapping lists (vmo_space_t): unmapping by
// address alone (vmo_unmap_at), task teardown (vmo_space_unmap_all), both
// lists staying right through vmo_unmap_all, and what every removal does
// when a range was changed behind the module's back.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kernel/vm/test_env.h"
#include "kernel/vmo/vmo_test_util.h"
#include "neuron/errors.h"
#include "neuron/page_alloc.h"
#include "neuron/quota.h"
#include "neuron/sv39.h"
#include "neuron/vmo.h"
#include "neuron/vmo_map.h"

namespace {

using vm_test::kPage;
using vmo_test::kAll;
using vmo_test::kR;
using vmo_test::kUser;
using vmo_test::kW;
using vmo_test::ListsConsistent;
using vmo_test::VmoTest;

class VmoSpaceTest : public VmoTest {
 protected:
  void Map(vmo_t *vmo, int space, uint64_t va, uint64_t offset, uint64_t size,
           uint64_t serial = 0) {
    ASSERT_EQ(vmo_map(vmo, &vs_[space], va, offset, size, kAll, kR | kW, serial, nullptr, nullptr),
              NX_OK);
  }

  ::testing::AssertionResult Consistent(const std::vector<const vmo_t *> &vmos) {
    return ListsConsistent({&vs_[0], &vs_[1], &vs_[2]}, vmos);
  }
};

TEST_F(VmoSpaceTest, UnmapAtRemovesEachMappingOfASpaceWhateverItsVmo) {
  vmo_t *a = Create(3 * kPage);
  vmo_t *b = Create(2 * kPage, VMO_CONTIGUOUS);
  vmo_t *c = Create(kPage);
  const uint64_t va[] = {kUser, kUser + 4 * kPage, kUser + 8 * kPage, 0x3000000};
  Map(a, 0, va[0], 0, 3 * kPage);
  Map(b, 0, va[1], 0, 2 * kPage);
  Map(c, 0, va[2], 0, kPage);
  Map(a, 0, va[3], kPage, kPage);
  Map(a, 1, va[1], 0, kPage);  // the same address in another space
  EXPECT_EQ(vs_[0].count, 4u);
  EXPECT_EQ(vs_[1].count, 1u);
  ASSERT_TRUE(Consistent({a, b, c}));

  // Not the start of a mapping of this space: nothing changes.
  sv39_flush_t flush = {0, 0, 0};
  EXPECT_EQ(vmo_unmap_at(&vs_[0], va[0] + kPage, &flush), NX_ERR_NOT_FOUND);  // inside one
  EXPECT_EQ(vmo_unmap_at(&vs_[0], 0x5000000, &flush), NX_ERR_NOT_FOUND);      // nothing there
  EXPECT_EQ(vmo_unmap_at(&vs_[2], va[0], &flush), NX_ERR_NOT_FOUND);          // another space
  EXPECT_EQ(vmo_unmap_at(nullptr, va[0], &flush), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(flush.flags, 0u);
  EXPECT_EQ(vs_[0].count, 4u);

  // Middle, last, first of the list, then the only one left.
  size_t count = 4;
  for (uint64_t at : {va[2], va[0], va[3], va[1]}) {
    SCOPED_TRACE(at);
    flush = {0, 0, 0};
    ASSERT_EQ(vmo_unmap_at(&vs_[0], at, &flush), NX_OK);
    EXPECT_NE(flush.flags & SV39_FLUSH_LEAF, 0u);
    EXPECT_EQ(flush.va, at);
    EXPECT_FALSE(Mapped(as_[0], at));
    EXPECT_EQ(vs_[0].count, --count);
    EXPECT_EQ(vmo_unmap_at(&vs_[0], at, &flush), NX_ERR_NOT_FOUND);  // twice
    ASSERT_TRUE(Consistent({a, b, c}));
  }
  EXPECT_EQ(vs_[0].mappings, nullptr);
  EXPECT_EQ(a->mapping_count, 1u);  // space 1's stays
  EXPECT_EQ(a->obj.refs, 2u);
  EXPECT_TRUE(Mapped(as_[1], va[1]));
  ASSERT_EQ(vmo_unmap_at(&vs_[1], va[1], nullptr), NX_OK);
  for (vmo_t *vmo : {a, b, c}) {
    EXPECT_EQ(vmo->obj.refs, 1u);
    vmo_release(vmo);
  }
}

TEST_F(VmoSpaceTest, UnmapAtOfTheLastReferenceFreesTheVmo) {
  size_t free_pages = page_alloc_free_pages(&env_.pa);
  vmo_t *vmo = Create(5 * kPage);  // pages and an index
  Map(vmo, 2, kUser, 0, 5 * kPage);
  vmo_release(vmo);  // only the mapping holds it now
  EXPECT_EQ(sys_.live, 1u);
  EXPECT_EQ(quota_used(&vq_), 6u);
  ASSERT_EQ(vmo_unmap_at(&vs_[2], kUser, nullptr), NX_OK);
  EXPECT_EQ(sys_.live, 0u);
  EXPECT_EQ(quota_used(&vq_), 0u);
  EXPECT_EQ(vs_[2].count, 0u);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa) + vmo_system_slab_pages(&sys_), free_pages);
}

TEST_F(VmoSpaceTest, SpaceUnmapAllFreesEverythingAndReturnsPagesAndQuota) {
  size_t free_pages = page_alloc_free_pages(&env_.pa);
  size_t tables = quota_used(&sq_);
  vmo_t *a = Create(2 * kPage);
  vmo_t *b = Create(4 * kPage, VMO_CONTIGUOUS);
  vmo_t *shared = Create(6 * kPage);
  Map(a, 0, kUser, 0, 2 * kPage);
  Map(a, 0, kUser + 2 * kPage, 0, kPage);
  Map(b, 0, 0x3000000, 0, 4 * kPage);
  Map(shared, 0, 0x7000000, 0, 6 * kPage);
  Map(shared, 1, kUser, kPage, 2 * kPage);
  for (vmo_t *vmo : {a, b, shared}) vmo_release(vmo);  // the task's handles are closed
  EXPECT_EQ(quota_used(&vq_), 2u + 4u + 7u);
  EXPECT_GT(quota_used(&sq_), tables);

  // Space 0 goes: a and b with it; shared lives on in space 1.
  sv39_flush_t flush = {0, 0, 0};
  ASSERT_EQ(vmo_space_unmap_all(&vs_[0], &flush), NX_OK);
  EXPECT_NE(flush.flags & SV39_FLUSH_LEAF, 0u);
  EXPECT_NE(flush.flags & SV39_FLUSH_TABLE, 0u);
  EXPECT_EQ(vs_[0].mappings, nullptr);
  EXPECT_EQ(vs_[0].count, 0u);
  EXPECT_EQ(sv39_table_pages(&as_[0]), 1u);
  EXPECT_EQ(sys_.live, 1u);
  EXPECT_EQ(quota_used(&vq_), 7u);
  EXPECT_EQ(shared->mapping_count, 1u);
  ASSERT_TRUE(Consistent({shared}));
  uint64_t pa = 0;
  EXPECT_EQ(sv39_translate(&as_[1], kUser, SV39_ACCESS_READ | SV39_ACCESS_USER, &pa), SV39_OK);
  EXPECT_EQ(pa, vmo_page_phys(shared, 1));

  // An empty space is nothing to do; then space 1 goes too.
  ASSERT_EQ(vmo_space_unmap_all(&vs_[0], nullptr), NX_OK);
  ASSERT_EQ(vmo_space_unmap_all(&vs_[1], nullptr), NX_OK);
  EXPECT_EQ(sys_.live, 0u);
  EXPECT_EQ(quota_used(&vq_), 0u);
  EXPECT_EQ(quota_used(&sq_), tables);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa) + vmo_system_slab_pages(&sys_), free_pages);
  EXPECT_EQ(vmo_space_unmap_all(nullptr, nullptr), NX_ERR_INVALID_ARGS);
}

TEST_F(VmoSpaceTest, UnmapAllKeepsEverySpaceListRight) {
  vmo_t *a = Create(2 * kPage);
  vmo_t *b = Create(kPage);
  // Interleaved on every space list, a's records first, last and between.
  for (int s = 0; s < 3; s++) {
    uint64_t base = kUser + static_cast<uint64_t>(s) * 0x1000000;
    Map(a, s, base, 0, kPage);
    Map(b, s, base + kPage, 0, kPage);
    Map(a, s, base + 2 * kPage, kPage, kPage);
    if (s != 1) Map(b, s, base + 3 * kPage, 0, kPage);
  }
  ASSERT_TRUE(Consistent({a, b}));
  vmo_flush_set_t flushes = {};
  ASSERT_EQ(vmo_unmap_all(a, &flushes), NX_OK);
  EXPECT_EQ(flushes.count, 3u);
  EXPECT_EQ(a->mapping_count, 0u);
  ASSERT_TRUE(Consistent({a, b}));
  for (int s = 0; s < 3; s++) {
    EXPECT_EQ(vs_[s].count, s == 1 ? 1u : 2u);
    for (const vmo_mapping_t *m = vs_[s].mappings; m; m = m->space_next) EXPECT_EQ(m->vmo, b);
  }
  // What is left still unmaps by address.
  ASSERT_EQ(vmo_unmap_at(&vs_[1], kUser + 0x1000000 + kPage, nullptr), NX_OK);
  ASSERT_EQ(vmo_unmap_all(b, nullptr), NX_OK);
  ASSERT_TRUE(Consistent({a, b}));
  vmo_release(a);
  vmo_release(b);
}

TEST_F(VmoSpaceTest, MapNeedsASpaceAndApplyARequest) {
  vmo_t *vmo = Create(kPage);
  vmo_space_t unset;
  vmo_space_init(&unset, nullptr);
  vmo_map_request_t req;
  EXPECT_EQ(vmo_map_check(vmo, nullptr, kUser, 0, kPage, kAll, kR, 0, &req), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_map_check(vmo, &unset, kUser, 0, kPage, kAll, kR, 0, &req), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_map_apply(nullptr, nullptr, nullptr), NX_ERR_INVALID_ARGS);
  req.vmo = nullptr;
  EXPECT_EQ(vmo_map_apply(&req, nullptr, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(vmo_unmap_at(&unset, kUser, nullptr), NX_ERR_NOT_FOUND);
  EXPECT_EQ(vmo_space_unmap_all(&unset, nullptr), NX_OK);
  // The request carries the space and the capability into the record.
  vmo_mapping_t *m = nullptr;
  ASSERT_EQ(vmo_map_check(vmo, &vs_[1], kUser, 0, kPage, kAll, kR, 42, &req), NX_OK);
  ASSERT_EQ(vmo_map_apply(&req, &m, nullptr), NX_OK);
  EXPECT_EQ(m->vs, &vs_[1]);
  EXPECT_EQ(m->cap_serial, 42u);
  EXPECT_FALSE(m->via_child);
  EXPECT_EQ(vs_[1].mappings, m);
  ASSERT_EQ(vmo_unmap_at(&vs_[1], kUser, nullptr), NX_OK);
  vmo_release(vmo);
}

// A range unmapped behind the module's back (a kernel bug): every removal
// reports it or leaves the record, and the record keeps its reference, so
// its pages cannot be reused while a stale translation might remain.
TEST_F(VmoSpaceTest, ARangeChangedBehindTheModulesBackKeepsItsRecord) {
  vmo_t *vmo = Create(2 * kPage);
  Map(vmo, 0, kUser, 0, 2 * kPage, 7);
  Map(vmo, 0, 0x3000000, 0, kPage, 7);
  Map(vmo, 1, kUser, 0, kPage, 7);
  uint64_t pa = vmo_page_phys(vmo, 1);
  ASSERT_EQ(sv39_unmap(&as_[0], kUser + kPage, kPage, nullptr), NX_OK);

  EXPECT_EQ(vmo_unmap_at(&vs_[0], kUser, nullptr), NX_ERR_NOT_FOUND);
  EXPECT_EQ(vmo_unmap(vmo, &vs_[0], kUser, nullptr), NX_ERR_NOT_FOUND);
  vmo_flush_set_t flushes = {};
  vmo_cap_removed(vmo, 7, 3, true, &flushes);  // the others go
  EXPECT_EQ(vmo->mapping_count, 1u);
  EXPECT_EQ(vs_[0].count, 1u);
  EXPECT_EQ(vs_[1].count, 0u);
  EXPECT_EQ(flushes.count, 2u);
  Map(vmo, 0, 0x3000000, 0, kPage, 7);
  vmo_cap_removed(vmo, 7, 3, false, nullptr);  // to serial 3, through a child
  vmo_cap_revoking(vmo, 3, nullptr);
  EXPECT_EQ(vmo->mapping_count, 1u);
  EXPECT_EQ(vmo_find_mapping(vmo, &vs_[0], 0x3000000), nullptr);
  const vmo_mapping_t *m = vmo_find_mapping(vmo, &vs_[0], kUser);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->cap_serial, 3u);
  EXPECT_TRUE(m->via_child);
  Map(vmo, 1, kUser, 0, kPage);
  EXPECT_EQ(vmo_space_unmap_all(&vs_[0], nullptr), NX_ERR_NOT_FOUND);
  EXPECT_EQ(vmo_space_unmap_all(&vs_[1], nullptr), NX_OK);
  EXPECT_EQ(vmo_unmap_all(vmo, nullptr), NX_ERR_NOT_FOUND);
  EXPECT_EQ(vmo->obj.refs, 2u);
  ASSERT_TRUE(Consistent({vmo}));

  // Put back, it unmaps.
  ASSERT_EQ(sv39_map(&as_[0], kUser + kPage, pa, kPage, SV39_PERM_U | SV39_PERM_R, nullptr), NX_OK);
  EXPECT_EQ(vmo_unmap_at(&vs_[0], kUser, nullptr), NX_OK);
  EXPECT_EQ(vmo->obj.refs, 1u);
  vmo_release(vmo);
}

}  // namespace
