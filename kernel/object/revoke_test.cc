// Revocation: errors, the subtree being unusable from the start, bounded
// steps on a deep chain and a wide fan, and revokes interleaved with other
// operations.
#include "neuron/revoke.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

#include "kernel/object/fake_object_ops.h"
#include "neuron/cap_transfer.h"
#include "neuron/cap_tree.h"
#include "neuron/errors.h"
#include "neuron/rights.h"

namespace {

struct Cap {
  handle_table_t *t;
  nx_handle_value_t h;
};

class RevokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ops::Reset();
    AddTables(2);
  }
  void TearDown() override { EXPECT_EQ(cap_revoke_active_count(), 0u); }
  void AddTables(size_t n) {
    for (size_t i = 0; i < n; i++) {
      tables_.emplace_back(new handle_table_t);
      handle_table_init(tables_.back().get());
    }
  }
  handle_table_t *T(size_t i) { return tables_[i].get(); }
  Cap Install(size_t t, uint32_t rights = NX_RIGHTS_ALL) {
    Cap c{T(t), 0};
    EXPECT_EQ(handle_install(c.t, &obj_, rights, &c.h), NX_OK);
    return c;
  }
  Cap Derive(Cap from, handle_table_t *to, uint32_t rights = NX_RIGHTS_ALL) {
    Cap c{to, 0};
    EXPECT_EQ(cap_derive(from.t, from.h, rights, to, &c.h), NX_OK);
    return c;
  }
  handle_slot_t *Slot(Cap c) {
    handle_slot_t *s = nullptr;
    EXPECT_EQ(handle_lookup_slot(c.t, c.h, HANDLE_ANY_TYPE, 0, &s), NX_OK);
    return s;
  }
  int Use(Cap c) {
    object_t *out;
    return handle_lookup(c.t, c.h, OBJ_DEBUG_LOG, 0, &out);
  }
  // Runs `r` to the end in steps of `budget`, checking each step's removals
  // and calling `between` after every step.
  int Finish(cap_revoke_t *r, uint32_t budget) {
    return Finish(r, budget, [] {});
  }
  template <typename Check>
  int Finish(cap_revoke_t *r, uint32_t budget, Check between) {
    int steps = 0;
    bool more = true;
    while (more) {
      size_t before = fake_ops::removals.size();
      more = cap_revoke_step(r, budget);
      EXPECT_LE(fake_ops::removals.size() - before, budget);
      steps++;
      between();
    }
    return steps;
  }
  std::vector<std::unique_ptr<handle_table_t>> tables_;
  object_t obj_ = {OBJ_DEBUG_LOG, 0};
};

TEST_F(RevokeTest, Errors) {
  Cap root = Install(0);
  Cap kid = Derive(root, T(1));
  Cap grandkid = Derive(kid, T(0));
  cap_revoke_t r, r2;
  EXPECT_EQ(cap_revoke_start(&r, T(0), 0), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_revoke_start(&r, T(0), root.h ^ 0x10000u), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_revoke_start(&r, T(1), grandkid.h), NX_ERR_BAD_HANDLE);  // T(0)'s handle
  Cap closed = Install(0);
  ASSERT_EQ(handle_close(closed.t, closed.h), NX_OK);
  EXPECT_EQ(cap_revoke_start(&r, closed.t, closed.h), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_revoke_active_count(), 0u);

  // No right is needed: a handle with no rights at all may revoke.
  Cap weak = Derive(root, T(1), 0);
  Cap weak_child{T(1), 0};
  EXPECT_EQ(cap_derive(weak.t, weak.h, 0, weak.t, &weak_child.h), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(cap_revoke_start(&r, weak.t, weak.h), NX_OK);
  EXPECT_FALSE(cap_revoke_step(&r, 16)) << "nothing below it";
  EXPECT_EQ(cap_revoke_active_count(), 0u);

  ASSERT_EQ(cap_revoke_start(&r, kid.t, kid.h), NX_OK);
  EXPECT_EQ(cap_revoke_active_count(), 1u);
  EXPECT_EQ(cap_revoke_start(&r2, kid.t, kid.h), NX_ERR_BUSY);
  EXPECT_EQ(cap_revoke_start(&r2, grandkid.t, grandkid.h), NX_ERR_BAD_HANDLE);
  // The root of a revoke cannot be closed, moved or derived from meanwhile.
  nx_handle_value_t out = 0;
  EXPECT_EQ(handle_close(kid.t, kid.h), NX_ERR_BUSY);
  EXPECT_EQ(cap_move(kid.t, kid.h, T(0), &out), NX_ERR_BUSY);
  EXPECT_EQ(cap_derive(kid.t, kid.h, 0, T(0), &out), NX_ERR_BUSY);
  // Nothing in the subtree can be used, derived from or moved.
  EXPECT_EQ(cap_derive(grandkid.t, grandkid.h, 0, T(0), &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_move(grandkid.t, grandkid.h, T(1), &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(Use(kid), NX_OK);
  EXPECT_TRUE(cap_revoke_step(&r, 0)) << "budget 0 does nothing";
  EXPECT_EQ(obj_.refs, 4u);
  EXPECT_FALSE(cap_revoke_step(&r, 1));
  EXPECT_EQ(r.removed, 1u);
  EXPECT_FALSE(cap_revoke_step(&r, 1)) << "a finished revoke stays finished";
  EXPECT_EQ(handle_close(kid.t, kid.h), NX_OK) << "no longer busy";
  EXPECT_EQ(obj_.refs, 2u);
}

TEST_F(RevokeTest, OnRevokeRunsOnceWithTheRootsInfoBeforeAnyRemoval) {
  constexpr uint32_t kRights = NX_RIGHTS_ALL & ~NX_RIGHT_MANAGE;
  Cap parent = Install(0);
  Cap root = Derive(parent, T(1), kRights);
  Cap kid = Derive(root, T(0), kRights);
  Derive(kid, T(1), kRights);
  uint64_t serial = Slot(root)->serial;
  cap_revoke_t r;
  ASSERT_EQ(cap_revoke_start(&r, root.t, root.h), NX_OK);
  ASSERT_EQ(fake_ops::revokes.size(), 1u);
  EXPECT_TRUE(fake_ops::removals.empty()) << "nothing removed yet";
  const fake_ops::Removal &rv = fake_ops::revokes[0];
  EXPECT_EQ(rv.object, &obj_);
  EXPECT_EQ(rv.cap.why, CAP_REVOKE_STARTED);
  EXPECT_EQ(rv.cap.table, root.t);
  EXPECT_EQ(rv.cap.handle, root.h);
  EXPECT_EQ(rv.cap.rights, kRights);
  EXPECT_EQ(rv.cap.serial, serial);
  EXPECT_EQ(rv.cap.parent_serial, Slot(parent)->serial);
  EXPECT_EQ(rv.refs_during_call, 4u);
  Finish(&r, 1);
  EXPECT_EQ(fake_ops::revokes.size(), 1u) << "steps do not call it again";
  // Every removal reports the root as its parent: steps lift each
  // capability up to it before removing it.
  ASSERT_EQ(fake_ops::removals.size(), 2u);
  for (const auto &rm : fake_ops::removals) EXPECT_EQ(rm.cap.parent_serial, serial);
}

TEST_F(RevokeTest, OnRevokeRunsForAChildlessCapabilityToo) {
  Cap root = Install(0);
  Cap kid = Derive(root, T(1));
  // The child is gone (mappings made through it may not be), and the
  // revoke has nothing to remove: the object must hear of it all the same.
  ASSERT_EQ(handle_close(kid.t, kid.h), NX_OK);
  cap_revoke_t r;
  ASSERT_EQ(cap_revoke_start(&r, root.t, root.h), NX_OK);
  EXPECT_EQ(cap_revoke_active_count(), 0u);
  ASSERT_EQ(fake_ops::revokes.size(), 1u);
  EXPECT_EQ(fake_ops::revokes[0].cap.serial, Slot(root)->serial);
  EXPECT_EQ(fake_ops::revokes[0].cap.parent_serial, 0u) << "a root";
  EXPECT_EQ(fake_ops::revokes[0].cap.why, CAP_REVOKE_STARTED);
  EXPECT_FALSE(cap_revoke_step(&r, 1));
  EXPECT_EQ(fake_ops::revokes.size(), 1u);
  // Each successful start calls it again.
  ASSERT_EQ(cap_revoke_start(&r, root.t, root.h), NX_OK);
  EXPECT_EQ(fake_ops::revokes.size(), 2u);
}

TEST_F(RevokeTest, OnRevokeDoesNotRunWhenTheStartFails) {
  Cap root = Install(0);
  Cap kid = Derive(root, T(1));
  Cap grandkid = Derive(kid, T(0));
  cap_revoke_t r, r2;
  EXPECT_EQ(cap_revoke_start(&r, T(0), 0), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_revoke_start(&r, T(1), root.h ^ 0x10000u), NX_ERR_BAD_HANDLE);
  EXPECT_TRUE(fake_ops::revokes.empty());
  ASSERT_EQ(cap_revoke_start(&r, kid.t, kid.h), NX_OK);
  ASSERT_EQ(fake_ops::revokes.size(), 1u);
  EXPECT_EQ(cap_revoke_start(&r2, kid.t, kid.h), NX_ERR_BUSY);
  EXPECT_EQ(cap_revoke_start(&r2, grandkid.t, grandkid.h), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(fake_ops::revokes.size(), 1u);
  Finish(&r, 4);
}

TEST_F(RevokeTest, TheSubtreeIsUnusableFromTheStartAndTheRestIsNot) {
  Cap parent = Install(0);
  Cap root = Derive(parent, T(0));
  Cap sibling = Derive(parent, T(1));
  Cap other_root = Install(1);
  std::vector<Cap> below;
  below.push_back(Derive(root, T(1), NX_RIGHT_READ | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER));
  below.push_back(Derive(below[0], T(0), NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER));
  below.push_back(Derive(below[1], T(1), 0));
  below.push_back(Derive(root, T(0), NX_RIGHT_WRITE));
  Cap sib_kid = Derive(sibling, T(0));
  cap_revoke_t r;
  ASSERT_EQ(cap_revoke_start(&r, root.t, root.h), NX_OK);
  for (Cap c : below) EXPECT_EQ(Use(c), NX_ERR_BAD_HANDLE);
  for (Cap c : {parent, root, sibling, other_root, sib_kid}) EXPECT_EQ(Use(c), NX_OK);
  size_t removals = 0;
  while (cap_revoke_step(&r, 1)) {
    for (Cap c : below) EXPECT_EQ(Use(c), NX_ERR_BAD_HANDLE);
    EXPECT_EQ(Use(root), NX_OK);
    EXPECT_EQ(Use(sib_kid), NX_OK);
    EXPECT_LE(fake_ops::removals.size() - removals, 1u);
    removals = fake_ops::removals.size();
  }
  for (Cap c : below) EXPECT_EQ(Use(c), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(r.removed, below.size());
  EXPECT_EQ(obj_.refs, 5u);  // parent, root, sibling, other_root, sib_kid
  EXPECT_EQ(Slot(root)->first_child, nullptr);
  for (const auto &rm : fake_ops::removals) EXPECT_EQ(rm.cap.why, CAP_REMOVED_REVOKE);
  // The revoked capability itself can derive again.
  Cap fresh = Derive(root, T(1));
  EXPECT_EQ(Use(fresh), NX_OK);
}

TEST_F(RevokeTest, ClosesDuringARevokeAreFine) {
  Cap root = Install(0);
  std::vector<Cap> chain{Derive(root, T(1))};
  for (int i = 0; i < 20; i++) chain.push_back(Derive(chain.back(), T(i % 2)));
  cap_revoke_t r;
  ASSERT_EQ(cap_revoke_start(&r, root.t, root.h), NX_OK);
  ASSERT_TRUE(cap_revoke_step(&r, 3));
  // A dying task empties its table: every handle closes, doomed or not.
  for (size_t i = 0; i < chain.size(); i += 3) {
    if (chain[i].t == T(1)) {
      int err = handle_close(chain[i].t, chain[i].h);
      EXPECT_TRUE(err == NX_OK || err == NX_ERR_BAD_HANDLE) << err;  // already revoked?
    }
  }
  Finish(&r, 2);
  for (Cap c : chain) EXPECT_EQ(Use(c), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(obj_.refs, 1u);
  EXPECT_EQ(T(0)->used + T(1)->used, 1u);
}

TEST_F(RevokeTest, AnAncestorsRevokeEndsADescendantsRevoke) {
  Cap root = Install(0);
  Cap mid = Derive(root, T(1));
  Cap leaf1 = Derive(mid, T(0));
  Cap leaf2 = Derive(leaf1, T(1));
  cap_revoke_t inner, outer;
  ASSERT_EQ(cap_revoke_start(&inner, mid.t, mid.h), NX_OK);
  ASSERT_EQ(cap_revoke_start(&outer, root.t, root.h), NX_OK);
  EXPECT_EQ(cap_revoke_active_count(), 2u);
  EXPECT_EQ(Use(mid), NX_ERR_BAD_HANDLE) << "under the outer revoke";
  Finish(&outer, 1);
  EXPECT_EQ(cap_revoke_active_count(), 0u);
  EXPECT_FALSE(cap_revoke_step(&inner, 16)) << "its root is gone";
  for (Cap c : {mid, leaf1, leaf2}) EXPECT_EQ(Use(c), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(obj_.refs, 1u);
}

TEST_F(RevokeTest, ADescendantsRevokeCanFinishFirst) {
  Cap root = Install(0);
  Cap mid = Derive(root, T(1));
  Cap leaf = Derive(mid, T(0));
  Cap other = Derive(root, T(0));
  cap_revoke_t inner, outer;
  ASSERT_EQ(cap_revoke_start(&inner, mid.t, mid.h), NX_OK);
  ASSERT_EQ(cap_revoke_start(&outer, root.t, root.h), NX_OK);
  Finish(&inner, 16);
  EXPECT_EQ(cap_revoke_active_count(), 1u);
  EXPECT_EQ(Use(other), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(Use(leaf), NX_ERR_BAD_HANDLE);
  Finish(&outer, 16);
  EXPECT_EQ(obj_.refs, 1u);
}

// 10,000 derivations in a chain across 40 tables, revoked in steps of 16.
TEST_F(RevokeTest, DeepChainRevokesInBoundedSteps) {
  constexpr size_t kDepth = 10000;
  AddTables(40);
  Cap root = Install(0);
  Cap bystander = Derive(root, T(0));  // older than the chain, not under it
  Cap top = Derive(root, T(1));
  std::vector<Cap> chain{Derive(top, T(2))};
  for (size_t i = 1; i < kDepth; i++) chain.push_back(Derive(chain.back(), T(2 + i % 40)));
  ASSERT_EQ(obj_.refs, kDepth + 3);
  cap_revoke_t r;
  ASSERT_EQ(cap_revoke_start(&r, top.t, top.h), NX_OK);
  std::mt19937 rng(7);
  int steps = Finish(&r, 16, [&] {
    ASSERT_EQ(Use(top), NX_OK);
    ASSERT_EQ(Use(bystander), NX_OK);
    for (int i = 0; i < 4; i++) ASSERT_EQ(Use(chain[rng() % kDepth]), NX_ERR_BAD_HANDLE);
    ASSERT_EQ(Use(chain.back()), NX_ERR_BAD_HANDLE);
  });
  ASSERT_FALSE(HasFailure());
  // Each capability is moved up once and removed once: at most 2n / 16 steps.
  EXPECT_LE(steps, static_cast<int>(2 * kDepth / 16 + 1));
  EXPECT_EQ(r.removed, kDepth);
  EXPECT_EQ(obj_.refs, 3u);
  EXPECT_EQ(fake_ops::destroyed.count(&obj_), 0u);
  for (Cap c : chain) ASSERT_EQ(Use(c), NX_ERR_BAD_HANDLE);
  size_t used = 0;
  for (auto &t : tables_) used += t->used;
  EXPECT_EQ(used, 3u);
}

// 10,000 children of one capability across 40 tables.
TEST_F(RevokeTest, WideFanRevokesInBoundedSteps) {
  constexpr size_t kWidth = 10000;
  AddTables(40);
  Cap root = Install(0);
  std::vector<Cap> kids;
  for (size_t i = 0; i < kWidth; i++) {
    kids.push_back(Derive(root, T(1 + i % 41), i % 2 ? NX_RIGHT_READ : NX_RIGHT_WRITE));
  }
  cap_revoke_t r;
  ASSERT_EQ(cap_revoke_start(&r, root.t, root.h), NX_OK);
  std::mt19937 rng(9);
  int steps = Finish(&r, 16, [&] {
    ASSERT_EQ(Use(root), NX_OK);
    for (int i = 0; i < 4; i++) ASSERT_EQ(Use(kids[rng() % kWidth]), NX_ERR_BAD_HANDLE);
  });
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(steps, static_cast<int>((kWidth + 15) / 16));
  EXPECT_EQ(r.removed, kWidth);
  EXPECT_EQ(obj_.refs, 1u);
  // Revoking the last holder's only subtree does not destroy the object;
  // closing the last capability does, once.
  ASSERT_EQ(handle_close(root.t, root.h), NX_OK);
  EXPECT_EQ(fake_ops::destroyed[&obj_], 1);
}

}  // namespace
