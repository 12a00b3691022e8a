// Unit tests of revocation attribution: each mapping records the capability
// it was made through; a revoke unmaps exactly what it should, a close moves
// the mappings to the parent capability (via_child) so that the parent's
// revoke still reaches them, and the VMO may go during any of it.
#include <gtest/gtest.h>

#include <cstdint>

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
using vmo_test::ListsConsistent;
using vmo_test::VmoTest;

class VmoCapTest : public VmoTest {
 protected:
  // Maps page `slot` of the window in space through capability serial.
  vmo_mapping_t *Map(vmo_t *vmo, int space, int slot, uint64_t serial) {
    vmo_mapping_t *m = nullptr;
    EXPECT_EQ(vmo_map(vmo, &vs_[space], Va(slot), 0, kPage, kAll, kR, serial, &m, nullptr), NX_OK);
    return m;
  }

  static uint64_t Va(int slot) { return kUser + static_cast<uint64_t>(slot) * kPage; }

  // The capability the mapping at slot of space is attributed to, and how;
  // -1 if there is no such mapping.
  int64_t Serial(const vmo_t *vmo, int space, int slot, bool *via_child = nullptr) {
    const vmo_mapping_t *m = vmo_find_mapping(vmo, &vs_[space], Va(slot));
    if (!m) return -1;
    if (via_child) *via_child = m->via_child;
    return static_cast<int64_t>(m->cap_serial);
  }

  ::testing::AssertionResult Consistent(const vmo_t *vmo) {
    return ListsConsistent({&vs_[0], &vs_[1], &vs_[2]}, {vmo});
  }
};

TEST_F(VmoCapTest, RevokeRemovesOnlyTheMappingsOfThatSerial) {
  vmo_t *vmo = Create(kPage);
  Map(vmo, 0, 0, 5);
  Map(vmo, 1, 0, 5);
  Map(vmo, 0, 1, 6);
  Map(vmo, 2, 0, 0);  // through no capability
  vmo_flush_set_t flushes = {};
  vmo_cap_removed(vmo, 5, 2, true, &flushes);
  EXPECT_EQ(Serial(vmo, 0, 0), -1);
  EXPECT_EQ(Serial(vmo, 1, 0), -1);
  EXPECT_FALSE(Mapped(as_[0], Va(0)));
  EXPECT_FALSE(Mapped(as_[1], Va(0)));
  EXPECT_EQ(Serial(vmo, 0, 1), 6);
  EXPECT_EQ(Serial(vmo, 2, 0), 0);
  EXPECT_EQ(vmo->obj.refs, 3u);
  ASSERT_EQ(flushes.count, 2u);  // one fence per space that lost a mapping
  for (size_t i = 0; i < flushes.count; i++) {
    EXPECT_NE(flushes.entry[i].flush.flags & SV39_FLUSH_LEAF, 0u);
  }
  ASSERT_TRUE(Consistent(vmo));

  // Serial 0 names no capability: nothing is revoked through it.
  vmo_cap_removed(vmo, 0, 0, true, nullptr);
  vmo_cap_revoking(vmo, 0, nullptr);
  vmo_cap_removed(nullptr, 6, 0, true, nullptr);
  vmo_cap_revoking(nullptr, 6, nullptr);
  EXPECT_EQ(vmo->mapping_count, 2u);
  vmo_cap_removed(vmo, 6, 2, true, nullptr);  // no flush set: fine too
  EXPECT_EQ(Serial(vmo, 0, 1), -1);
  EXPECT_EQ(vmo->mapping_count, 1u);
  EXPECT_EQ(vmo_unmap_all(vmo, nullptr), NX_OK);
  vmo_release(vmo);
}

TEST_F(VmoCapTest, CloseReattributesToTheParent) {
  vmo_t *vmo = Create(kPage);
  Map(vmo, 0, 0, 6);
  Map(vmo, 1, 0, 6);
  Map(vmo, 0, 1, 3);
  vmo_flush_set_t flushes = {};
  vmo_cap_removed(vmo, 6, 3, false, &flushes);
  bool via_child = false;
  EXPECT_EQ(Serial(vmo, 0, 0, &via_child), 3);
  EXPECT_TRUE(via_child);
  EXPECT_EQ(Serial(vmo, 1, 0, &via_child), 3);
  EXPECT_TRUE(via_child);
  EXPECT_EQ(Serial(vmo, 0, 1, &via_child), 3);
  EXPECT_FALSE(via_child);  // made through 3 itself
  EXPECT_TRUE(Mapped(as_[0], Va(0)));
  EXPECT_TRUE(Mapped(as_[1], Va(0)));
  EXPECT_EQ(flushes.count, 0u);  // nothing unmapped, nothing to fence
  EXPECT_EQ(vmo->obj.refs, 4u);

  // Closing a root: no capability is left to revoke them.
  vmo_cap_removed(vmo, 3, 0, false, nullptr);
  EXPECT_EQ(Serial(vmo, 0, 0, &via_child), 0);
  EXPECT_TRUE(via_child);
  EXPECT_EQ(Serial(vmo, 0, 1, &via_child), 0);
  EXPECT_TRUE(via_child);
  vmo_cap_revoking(vmo, 0, nullptr);
  vmo_cap_removed(vmo, 0, 0, true, nullptr);
  EXPECT_EQ(vmo->mapping_count, 3u);
  ASSERT_TRUE(Consistent(vmo));
  EXPECT_EQ(vmo_unmap_all(vmo, nullptr), NX_OK);
  vmo_release(vmo);
}

TEST_F(VmoCapTest, RevokingRemovesTheMappingsOfClosedDescendantsOnly) {
  vmo_t *vmo = Create(kPage);
  Map(vmo, 0, 0, 3);  // through the revoked capability itself: stays
  Map(vmo, 0, 1, 6);  // through a child, closed below
  Map(vmo, 2, 1, 6);
  Map(vmo, 1, 0, 7);  // through a child still open: its removal takes it
  Map(vmo, 1, 1, 9);  // another capability's, closed to another parent
  vmo_cap_removed(vmo, 6, 3, false, nullptr);
  vmo_cap_removed(vmo, 9, 8, false, nullptr);
  vmo_flush_set_t flushes = {};
  vmo_cap_revoking(vmo, 3, &flushes);
  EXPECT_EQ(Serial(vmo, 0, 1), -1);
  EXPECT_EQ(Serial(vmo, 2, 1), -1);
  EXPECT_FALSE(Mapped(as_[0], Va(1)));
  EXPECT_EQ(flushes.count, 2u);
  EXPECT_EQ(Serial(vmo, 0, 0), 3);
  EXPECT_EQ(Serial(vmo, 1, 0), 7);
  EXPECT_EQ(Serial(vmo, 1, 1), 8);
  // The revoke then removes the child still open.
  vmo_cap_removed(vmo, 7, 3, true, &flushes);
  EXPECT_EQ(Serial(vmo, 1, 0), -1);
  EXPECT_EQ(flushes.count, 3u);
  EXPECT_EQ(vmo->mapping_count, 2u);
  ASSERT_TRUE(Consistent(vmo));
  EXPECT_EQ(vmo_unmap_all(vmo, nullptr), NX_OK);
  vmo_release(vmo);
}

// Capabilities 1 -> 2 -> 3 (grandparent, child, grandchild).
TEST_F(VmoCapTest, AChainOfClosesIsStillReachedByTheGrandparentsRevoke) {
  vmo_t *vmo = Create(kPage);
  Map(vmo, 0, 0, 1);
  Map(vmo, 0, 1, 2);
  Map(vmo, 1, 0, 3);
  vmo_cap_removed(vmo, 3, 2, false, nullptr);  // the grandchild is closed ...
  vmo_cap_removed(vmo, 2, 1, false, nullptr);  // ... then the child
  bool via_child = false;
  EXPECT_EQ(Serial(vmo, 1, 0, &via_child), 1);
  EXPECT_TRUE(via_child);
  EXPECT_EQ(Serial(vmo, 0, 1, &via_child), 1);
  EXPECT_TRUE(via_child);
  vmo_cap_revoking(vmo, 1, nullptr);
  EXPECT_EQ(Serial(vmo, 1, 0), -1);
  EXPECT_EQ(Serial(vmo, 0, 1), -1);
  EXPECT_EQ(Serial(vmo, 0, 0), 1);  // the grandparent's own
  EXPECT_EQ(vmo->mapping_count, 1u);
  ASSERT_TRUE(Consistent(vmo));
  EXPECT_EQ(vmo_unmap_all(vmo, nullptr), NX_OK);
  vmo_release(vmo);
}

// Capabilities 1 -> 2 -> 3; 3 is closed, then 1 is revoked, which removes 2.
TEST_F(VmoCapTest, ARevokedCapabilityTakesItsClosedDescendantsMappings) {
  vmo_t *vmo = Create(kPage);
  Map(vmo, 0, 0, 2);
  Map(vmo, 1, 0, 3);
  Map(vmo, 2, 0, 1);
  vmo_cap_removed(vmo, 3, 2, false, nullptr);
  vmo_cap_revoking(vmo, 1, nullptr);  // nothing of 1's came through a closed child
  EXPECT_EQ(vmo->mapping_count, 3u);
  vmo_cap_removed(vmo, 2, 1, true, nullptr);
  EXPECT_EQ(Serial(vmo, 0, 0), -1);
  EXPECT_EQ(Serial(vmo, 1, 0), -1);
  EXPECT_EQ(Serial(vmo, 2, 0), 1);
  ASSERT_TRUE(Consistent(vmo));
  EXPECT_EQ(vmo_unmap_all(vmo, nullptr), NX_OK);
  vmo_release(vmo);
}

// The capability layer holds a reference while it calls in, but these
// functions must not need one: the last mapping's reference may be the last.
TEST_F(VmoCapTest, TheLastReferenceGoingDuringCapRemovedFreesTheVmo) {
  size_t free_pages = page_alloc_free_pages(&env_.pa);
  vmo_t *vmo = Create(6 * kPage);  // pages and an index
  Map(vmo, 0, 0, 4);
  Map(vmo, 1, 0, 4);
  vmo_release(vmo);
  EXPECT_EQ(quota_used(&vq_), 7u);
  vmo_flush_set_t flushes = {};
  vmo_cap_removed(vmo, 4, 1, true, &flushes);  // vmo is gone after this
  EXPECT_EQ(sys_.live, 0u);
  EXPECT_EQ(quota_used(&vq_), 0u);
  EXPECT_EQ(flushes.count, 2u);
  EXPECT_EQ(vs_[0].count + vs_[1].count, 0u);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa) + vmo_system_slab_pages(&sys_), free_pages);
}

TEST_F(VmoCapTest, TheLastReferenceGoingDuringCapRevokingFreesTheVmo) {
  size_t free_pages = page_alloc_free_pages(&env_.pa);
  vmo_t *vmo = Create(2 * kPage, VMO_CONTIGUOUS);
  Map(vmo, 2, 0, 5);
  vmo_cap_removed(vmo, 5, 4, false, nullptr);
  vmo_release(vmo);
  vmo_cap_revoking(vmo, 4, nullptr);  // vmo is gone after this
  EXPECT_EQ(sys_.live, 0u);
  EXPECT_EQ(quota_used(&vq_), 0u);
  EXPECT_EQ(vs_[2].count, 0u);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa) + vmo_system_slab_pages(&sys_), free_pages);
}

TEST_F(VmoCapTest, UnmapAllIgnoresAttribution) {
  vmo_t *vmo = Create(kPage);
  Map(vmo, 0, 0, 0);
  Map(vmo, 0, 1, 5);
  Map(vmo, 1, 0, 6);
  vmo_cap_removed(vmo, 6, 5, false, nullptr);
  ASSERT_EQ(vmo_unmap_all(vmo, nullptr), NX_OK);
  EXPECT_EQ(vmo->mapping_count, 0u);
  ASSERT_TRUE(Consistent(vmo));
  vmo_release(vmo);
}

}  // namespace
