// Derive, copy, move and close: every error path, the derivation tree they
// build, and object lifetime (destroy and on_cap_removed hooks).
#include "neuron/cap_transfer.h"

#include <gtest/gtest.h>

#include <memory>

#include "kernel/object/fake_object_ops.h"
#include "neuron/cap_tree.h"
#include "neuron/errors.h"
#include "neuron/revoke.h"
#include "neuron/rights.h"

namespace {

constexpr uint32_t kDup = NX_RIGHT_DUPLICATE, kXfer = NX_RIGHT_TRANSFER;
constexpr uint32_t kRW = NX_RIGHT_READ | NX_RIGHT_WRITE;

class CapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ops::Reset();
    handle_table_init(a_.get());
    handle_table_init(b_.get());
  }
  handle_slot_t *Slot(handle_table_t *t, nx_handle_value_t h) {
    handle_slot_t *s = nullptr;
    EXPECT_EQ(handle_lookup_slot(t, h, HANDLE_ANY_TYPE, 0, &s), NX_OK);
    return s;
  }
  nx_handle_value_t Install(handle_table_t *t, uint32_t rights) {
    nx_handle_value_t h = 0;
    EXPECT_EQ(handle_install(t, &obj_, rights, &h), NX_OK);
    return h;
  }
  int Lookup(handle_table_t *t, nx_handle_value_t h, uint32_t rights = 0) {
    object_t *out = nullptr;
    return handle_lookup(t, h, OBJ_DEBUG_LOG, rights, &out);
  }
  std::unique_ptr<handle_table_t> a_{new handle_table_t}, b_{new handle_table_t};
  handle_table_t *a = a_.get(), *b = b_.get();
  object_t obj_ = {OBJ_DEBUG_LOG, 0};
};

TEST_F(CapTest, DeriveMakesAChildWithFewerRights) {
  nx_handle_value_t root = Install(a, kRW | kDup);
  nx_handle_value_t child = 0;
  ASSERT_EQ(cap_derive(a, root, NX_RIGHT_READ, a, &child), NX_OK);
  EXPECT_NE(child, root);
  EXPECT_EQ(obj_.refs, 2u);
  EXPECT_EQ(Lookup(a, child, NX_RIGHT_READ), NX_OK);
  EXPECT_EQ(Lookup(a, child, NX_RIGHT_WRITE), NX_ERR_ACCESS_DENIED);
  handle_slot_t *r = Slot(a, root), *c = Slot(a, child);
  EXPECT_EQ(c->parent, r);
  EXPECT_EQ(r->first_child, c);
  EXPECT_GT(c->serial, r->serial);
  EXPECT_EQ(cap_tree_check_node(r), NX_OK);
  EXPECT_EQ(cap_tree_check_node(c), NX_OK);
  // The same rights is a subset too; zero rights is allowed.
  nx_handle_value_t same = 0, none = 0;
  EXPECT_EQ(cap_derive(a, root, kRW | kDup, a, &same), NX_OK);
  EXPECT_EQ(cap_derive(a, root, 0, a, &none), NX_OK);
  EXPECT_EQ(obj_.refs, 4u);
}

TEST_F(CapTest, DeriveErrors) {
  nx_handle_value_t full = Install(a, NX_RIGHTS_ALL);
  nx_handle_value_t nodup = Install(a, kRW | kXfer);
  nx_handle_value_t dup_only = Install(a, kRW | kDup);
  nx_handle_value_t out = 0xdead;
  cap_plan_t plan;
  // Rights never grow: a right the source lacks, or an unknown bit.
  EXPECT_EQ(cap_derive(a, dup_only, kRW | kDup | NX_RIGHT_MAP, a, &out), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(cap_derive(a, full, NX_RIGHTS_ALL + 1, a, &out), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(cap_derive(a, full, 1u << 31, a, &out), NX_ERR_ACCESS_DENIED);
  // No DUPLICATE; DUPLICATE without TRANSFER cannot copy to another table.
  EXPECT_EQ(cap_derive(a, nodup, 0, a, &out), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(cap_derive(a, nodup, 0, b, &out), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(cap_derive(a, dup_only, 0, b, &out), NX_ERR_ACCESS_DENIED);
  // Bad handles: never issued, forged generation, out-of-range slot, closed.
  EXPECT_EQ(cap_derive(a, 0, 0, a, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_derive(a, full ^ 0x10000u, 0, a, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_derive(a, (full & 0xffff0000u) | 0xffffu, 0, a, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_derive(a, (1u << 16) | 200u, 0, a, &out), NX_ERR_BAD_HANDLE);
  nx_handle_value_t closed = Install(a, NX_RIGHTS_ALL);
  ASSERT_EQ(handle_close(a, closed), NX_OK);
  EXPECT_EQ(cap_derive(a, closed, 0, a, &out), NX_ERR_BAD_HANDLE);
  // A handle of table a is meaningless in table b.
  EXPECT_EQ(cap_derive(b, full, 0, b, &out), NX_ERR_BAD_HANDLE);
  // Type and table arguments.
  EXPECT_EQ(cap_derive_check(a, full, OBJ_NONE, 0, a, &plan), NX_ERR_WRONG_TYPE);
  EXPECT_EQ(cap_derive_check(a, full, OBJ_DEBUG_LOG, 0, a, &plan), NX_OK);
  EXPECT_EQ(cap_derive(nullptr, full, 0, a, &out), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(cap_derive(a, full, 0, nullptr, &out), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(out, 0xdeadu) << "nothing written on error";
  EXPECT_EQ(obj_.refs, 3u) << "no reference taken on error";
  EXPECT_EQ(a->used, 3u);
  EXPECT_EQ(b->used, 0u);
}

TEST_F(CapTest, DeriveIntoAFullTableFailsAndTheCheckHasNoSideEffects) {
  nx_handle_value_t src = Install(a, NX_RIGHTS_ALL);
  nx_handle_value_t h;
  while (handle_table_free_slots(b) > 0) ASSERT_EQ(handle_install(b, &obj_, 0, &h), NX_OK);
  uint32_t refs = obj_.refs;
  cap_plan_t plan;
  EXPECT_EQ(cap_derive_check(a, src, HANDLE_ANY_TYPE, 0, b, &plan), NX_ERR_NO_MEMORY);
  EXPECT_EQ(cap_move_check(a, src, HANDLE_ANY_TYPE, b, &plan), NX_ERR_NO_MEMORY);
  EXPECT_EQ(obj_.refs, refs);
  EXPECT_EQ(Slot(a, src)->first_child, nullptr);
  // Same table, full: also refused.
  while (handle_table_free_slots(a) > 0) ASSERT_EQ(handle_install(a, &obj_, 0, &h), NX_OK);
  EXPECT_EQ(cap_derive(a, src, 0, a, &h), NX_ERR_NO_MEMORY);
  // A successful check changes nothing until applied.
  ASSERT_EQ(handle_close(b, h = handle_slot_value(&b->slots[7])), NX_OK);
  refs = obj_.refs;
  ASSERT_EQ(cap_derive_check(a, src, HANDLE_ANY_TYPE, NX_RIGHT_READ, b, &plan), NX_OK);
  EXPECT_EQ(obj_.refs, refs);
  EXPECT_EQ(b->used, HANDLE_TABLE_SLOTS - 1);
  nx_handle_value_t copy = cap_derive_apply(&plan);
  EXPECT_EQ(b->used, HANDLE_TABLE_SLOTS);
  EXPECT_EQ(obj_.refs, refs + 1);
  EXPECT_EQ(Lookup(b, copy, NX_RIGHT_READ), NX_OK);
  EXPECT_EQ(Slot(b, copy)->parent, Slot(a, src));
}

TEST_F(CapTest, CopyToAnotherTableIsAChildOfTheSender) {
  nx_handle_value_t src = Install(a, NX_RIGHTS_ALL);
  nx_handle_value_t copy = 0;
  ASSERT_EQ(cap_derive(a, src, NX_RIGHT_READ | kDup | kXfer, b, &copy), NX_OK);
  EXPECT_EQ(Slot(b, copy)->parent, Slot(a, src));
  EXPECT_EQ(handle_slot_table(Slot(b, copy)), b);
  EXPECT_EQ(copy & 0xffffu, 0u) << "b's first slot";
  EXPECT_EQ(Lookup(a, copy), NX_OK) << "handle values are per table: a's own slot 0";
  // The receiver can pass it on, never with more rights.
  nx_handle_value_t again = 0;
  EXPECT_EQ(cap_derive(b, copy, NX_RIGHT_WRITE, a, &again), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(cap_derive(b, copy, NX_RIGHT_READ, a, &again), NX_OK);
  EXPECT_EQ(Slot(a, again)->parent, Slot(b, copy));
}

TEST_F(CapTest, MoveKeepsLineageRightsAndReference) {
  nx_handle_value_t root = Install(a, NX_RIGHTS_ALL);
  nx_handle_value_t mid = 0, kid1 = 0, kid2 = 0, sib = 0;
  ASSERT_EQ(cap_derive(a, root, NX_RIGHTS_ALL, a, &sib), NX_OK);
  ASSERT_EQ(cap_derive(a, root, kRW | kDup | kXfer, a, &mid), NX_OK);
  ASSERT_EQ(cap_derive(a, mid, NX_RIGHT_READ, a, &kid1), NX_OK);
  ASSERT_EQ(cap_derive(a, mid, NX_RIGHT_WRITE, a, &kid2), NX_OK);
  uint64_t serial = Slot(a, mid)->serial;
  uint32_t refs = obj_.refs;
  nx_handle_value_t moved = 0;
  ASSERT_EQ(cap_move(a, mid, b, &moved), NX_OK);
  EXPECT_EQ(obj_.refs, refs) << "a move neither takes nor drops a reference";
  EXPECT_TRUE(fake_ops::removals.empty()) << "a move removes no capability";
  EXPECT_EQ(Lookup(a, mid), NX_ERR_BAD_HANDLE) << "the old handle is dead";
  handle_slot_t *m = Slot(b, moved);
  EXPECT_EQ(m->serial, serial);
  EXPECT_EQ(m->rights, kRW | kDup | kXfer);
  EXPECT_EQ(m->parent, Slot(a, root));
  EXPECT_EQ(Slot(a, kid1)->parent, m);
  EXPECT_EQ(Slot(a, kid2)->parent, m);
  for (handle_slot_t *s : {Slot(a, root), m, Slot(a, kid1), Slot(a, kid2), Slot(a, sib)})
    EXPECT_EQ(cap_tree_check_node(s), NX_OK);
  EXPECT_EQ(a->used, 4u);
  EXPECT_EQ(b->used, 1u);
  // And back: a different slot, same capability.
  nx_handle_value_t back = 0;
  ASSERT_EQ(cap_move(b, moved, a, &back), NX_OK);
  EXPECT_EQ(Slot(a, back)->serial, serial);
  EXPECT_EQ(Slot(a, kid1)->parent, Slot(a, back));
}

TEST_F(CapTest, MoveErrors) {
  nx_handle_value_t noxfer = Install(a, NX_RIGHTS_ALL & ~kXfer);
  nx_handle_value_t xfer = Install(a, kXfer);
  nx_handle_value_t out = 0xdead;
  cap_plan_t plan;
  EXPECT_EQ(cap_move(a, noxfer, b, &out), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(cap_move(a, xfer, a, &out), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(cap_move(nullptr, xfer, b, &out), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(cap_move(a, xfer, nullptr, &out), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(cap_move(a, 0, b, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_move(a, xfer + 0x10000u, b, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_move(b, xfer, a, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_move_check(a, xfer, OBJ_NONE, b, &plan), NX_ERR_WRONG_TYPE);
  EXPECT_EQ(out, 0xdeadu);
  ASSERT_EQ(cap_move(a, xfer, b, &out), NX_OK);
  nx_handle_value_t again = 0;
  EXPECT_EQ(cap_move(a, xfer, b, &again), NX_ERR_BAD_HANDLE) << "moved away";
  EXPECT_EQ(handle_close(a, xfer), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(obj_.refs, 2u);
}

TEST_F(CapTest, CloseMovesChildrenUpToTheParent) {
  nx_handle_value_t root = Install(a, NX_RIGHTS_ALL);
  nx_handle_value_t mid = 0, k1 = 0, k2 = 0, other = 0;
  ASSERT_EQ(cap_derive(a, root, NX_RIGHTS_ALL, a, &other), NX_OK);
  ASSERT_EQ(cap_derive(a, root, NX_RIGHTS_ALL, b, &mid), NX_OK);
  ASSERT_EQ(cap_derive(b, mid, NX_RIGHT_READ, a, &k1), NX_OK);
  ASSERT_EQ(cap_derive(b, mid, NX_RIGHT_WRITE, b, &k2), NX_OK);
  ASSERT_EQ(handle_close(b, mid), NX_OK);
  EXPECT_EQ(Lookup(b, mid), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(Lookup(a, k1, NX_RIGHT_READ), NX_OK) << "children survive a close";
  EXPECT_EQ(Lookup(b, k2, NX_RIGHT_WRITE), NX_OK);
  handle_slot_t *r = Slot(a, root);
  EXPECT_EQ(Slot(a, k1)->parent, r);
  EXPECT_EQ(Slot(b, k2)->parent, r);
  int children = 0;
  for (handle_slot_t *c = r->first_child; c; c = c->next_sibling) children++;
  EXPECT_EQ(children, 3);
  for (handle_slot_t *s : {r, Slot(a, k1), Slot(b, k2), Slot(a, other)})
    EXPECT_EQ(cap_tree_check_node(s), NX_OK);
  // ... so revoking the grandparent still reaches them.
  cap_revoke_t rv;
  ASSERT_EQ(cap_revoke_start(&rv, a, root), NX_OK);
  while (cap_revoke_step(&rv, 1)) {
  }
  EXPECT_EQ(Lookup(a, k1), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(Lookup(b, k2), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(Lookup(a, other), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(Lookup(a, root), NX_OK);
  EXPECT_EQ(obj_.refs, 1u);
}

TEST_F(CapTest, ClosingARootMakesItsChildrenRoots) {
  nx_handle_value_t root = Install(a, NX_RIGHTS_ALL);
  nx_handle_value_t k1 = 0, k2 = 0, g = 0;
  ASSERT_EQ(cap_derive(a, root, NX_RIGHTS_ALL, a, &k1), NX_OK);
  ASSERT_EQ(cap_derive(a, root, NX_RIGHT_READ, b, &k2), NX_OK);
  ASSERT_EQ(cap_derive(a, k1, NX_RIGHT_READ, b, &g), NX_OK);
  ASSERT_EQ(handle_close(a, root), NX_OK);
  for (auto [t, h] : {std::pair{a, k1}, std::pair{b, k2}}) {
    handle_slot_t *s = Slot(t, h);
    EXPECT_EQ(s->parent, nullptr);
    EXPECT_EQ(s->next_sibling, nullptr);
    EXPECT_EQ(s->prev_sibling, nullptr);
    EXPECT_EQ(cap_tree_check_node(s), NX_OK);
  }
  EXPECT_EQ(Slot(b, g)->parent, Slot(a, k1)) << "grandchildren stay where they were";
  EXPECT_EQ(obj_.refs, 3u);
}

TEST_F(CapTest, CloseErrors) {
  nx_handle_value_t h = Install(a, 0);
  EXPECT_EQ(handle_close(a, 0), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(handle_close(a, h ^ 0x30000u), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(handle_close(a, 0xffffffffu), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(handle_close(b, h), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(handle_close(a, h), NX_OK);
  EXPECT_EQ(handle_close(a, h), NX_ERR_BAD_HANDLE);
}

TEST_F(CapTest, TheLastCapabilityGoingDestroysTheObjectOnce) {
  nx_handle_value_t root = Install(a, NX_RIGHTS_ALL);
  nx_handle_value_t c1 = 0, c2 = 0;
  ASSERT_EQ(cap_derive(a, root, NX_RIGHT_READ, b, &c1), NX_OK);
  ASSERT_EQ(cap_derive(a, root, NX_RIGHT_WRITE, a, &c2), NX_OK);
  ASSERT_EQ(handle_close(a, root), NX_OK);
  ASSERT_EQ(handle_close(b, c1), NX_OK);
  EXPECT_EQ(fake_ops::destroyed.count(&obj_), 0u) << "one capability left";
  ASSERT_EQ(fake_ops::removals.size(), 2u);
  // The hook sees the capability that goes, while its reference is held.
  const fake_ops::Removal &r = fake_ops::removals[1];
  EXPECT_EQ(r.object, &obj_);
  EXPECT_EQ(r.cap.table, b);
  EXPECT_EQ(r.cap.handle, c1);
  EXPECT_EQ(r.cap.rights, NX_RIGHT_READ);
  EXPECT_EQ(r.cap.why, CAP_REMOVED_CLOSE);
  EXPECT_EQ(r.refs_during_call, 2u);
  ASSERT_EQ(handle_close(a, c2), NX_OK);
  EXPECT_EQ(fake_ops::destroyed[&obj_], 1);
  EXPECT_EQ(obj_.refs, 0u);
  EXPECT_EQ(fake_ops::removals.back().refs_during_call, 1u);
}

TEST_F(CapTest, MintBadgesAChildThatDeriveCopiesAndMoveKeeps) {
  nx_handle_value_t root = Install(a, NX_RIGHTS_ALL);
  EXPECT_EQ(Slot(a, root)->badge, 0u) << "install gives no badge";
  nx_handle_value_t plain = 0, minted = 0, copy = 0, grandcopy = 0, moved = 0;
  ASSERT_EQ(cap_derive(a, root, NX_RIGHTS_ALL, a, &plain), NX_OK);
  EXPECT_EQ(Slot(a, plain)->badge, 0u);
  // A server mints a client's capability into the client's table.
  ASSERT_EQ(cap_mint(a, root, kRW | kDup | kXfer, 0x1234567890ull, b, &minted), NX_OK);
  handle_slot_t *m = Slot(b, minted);
  EXPECT_EQ(m->badge, 0x1234567890ull);
  EXPECT_EQ(m->parent, Slot(a, root));
  EXPECT_EQ(m->rights, kRW | kDup | kXfer);
  EXPECT_EQ(Slot(a, root)->badge, 0u) << "the source keeps no badge";
  EXPECT_EQ(obj_.refs, 3u);
  // Whatever the client derives from it carries its badge, in any table.
  ASSERT_EQ(cap_derive(b, minted, NX_RIGHT_READ | kDup, b, &copy), NX_OK);
  ASSERT_EQ(cap_derive(b, copy, NX_RIGHT_READ, b, &grandcopy), NX_OK);
  EXPECT_EQ(Slot(b, copy)->badge, 0x1234567890ull);
  EXPECT_EQ(Slot(b, grandcopy)->badge, 0x1234567890ull);
  ASSERT_EQ(cap_move(b, minted, a, &moved), NX_OK);
  EXPECT_EQ(Slot(a, moved)->badge, 0x1234567890ull) << "a move keeps the badge";
  // Closing the minted capability lifts its badged children to the
  // unbadged root; they keep their badge.
  ASSERT_EQ(handle_close(a, moved), NX_OK);
  EXPECT_EQ(Slot(b, copy)->parent, Slot(a, root));
  EXPECT_EQ(Slot(b, copy)->badge, 0x1234567890ull);
  for (handle_slot_t *s : {Slot(a, root), Slot(a, plain), Slot(b, copy), Slot(b, grandcopy)})
    EXPECT_EQ(cap_tree_check_node(s), NX_OK);
  // A freed slot forgets its badge: the next capability there has none.
  nx_handle_value_t slot = copy & 0xffffu;
  ASSERT_EQ(handle_close(b, grandcopy), NX_OK);
  ASSERT_EQ(handle_close(b, copy), NX_OK);
  nx_handle_value_t reused = Install(b, 0);
  ASSERT_EQ(reused & 0xffffu, slot);
  EXPECT_EQ(Slot(b, reused)->badge, 0u);
}

TEST_F(CapTest, MintErrors) {
  nx_handle_value_t full = Install(a, NX_RIGHTS_ALL);
  nx_handle_value_t dup_only = Install(a, kRW | kDup);
  nx_handle_value_t nodup = Install(a, kRW | kXfer);
  nx_handle_value_t badged = 0, badged_child = 0, out = 0xdead;
  ASSERT_EQ(cap_mint(a, full, NX_RIGHTS_ALL, 7, a, &badged), NX_OK);
  ASSERT_EQ(cap_derive(a, badged, NX_RIGHTS_ALL, b, &badged_child), NX_OK);
  cap_plan_t plan;
  // Badge 0 is no badge.
  EXPECT_EQ(cap_mint(a, full, 0, 0, a, &out), NX_ERR_INVALID_ARGS);
  // A badge is set once: neither the minted capability nor anything
  // derived from it can be minted again, with any badge.
  EXPECT_EQ(cap_mint(a, badged, 0, 8, a, &out), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(cap_mint(a, badged, 0, 7, b, &out), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(cap_mint(b, badged_child, 0, 9, b, &out), NX_ERR_ACCESS_DENIED);
  // Rights only shrink, as for a derive.
  EXPECT_EQ(cap_mint(a, dup_only, kRW | kDup | NX_RIGHT_MAP, 1, a, &out), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(cap_mint(a, full, 1u << 31, 1, a, &out), NX_ERR_ACCESS_DENIED);
  // DUPLICATE always; TRANSFER too into another table.
  EXPECT_EQ(cap_mint(a, nodup, 0, 1, a, &out), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(cap_mint(a, nodup, 0, 1, b, &out), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(cap_mint(a, dup_only, 0, 1, b, &out), NX_ERR_ACCESS_DENIED);
  // Handles, types and tables.
  EXPECT_EQ(cap_mint(a, 0, 0, 1, a, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_mint(a, full ^ 0x10000u, 0, 1, a, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(cap_mint(b, nodup, 0, 1, b, &out), NX_ERR_BAD_HANDLE) << "a's handle, b's free slot";
  EXPECT_EQ(cap_mint_check(a, full, OBJ_NONE, 0, 1, a, &plan), NX_ERR_WRONG_TYPE);
  EXPECT_EQ(cap_mint(nullptr, full, 0, 1, a, &out), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(cap_mint(a, full, 0, 1, nullptr, &out), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(out, 0xdeadu) << "nothing written on error";
  EXPECT_EQ(obj_.refs, 5u) << "no reference taken on error";
  EXPECT_EQ(a->used, 4u);
  EXPECT_EQ(b->used, 1u);
  // A full destination.
  nx_handle_value_t h;
  while (handle_table_free_slots(b) > 0) ASSERT_EQ(handle_install(b, &obj_, 0, &h), NX_OK);
  uint32_t refs = obj_.refs;
  EXPECT_EQ(cap_mint(a, full, 0, 1, b, &out), NX_ERR_NO_MEMORY);
  EXPECT_EQ(obj_.refs, refs);
  // The root of a revoke in progress is busy; what lies under it is dead.
  cap_revoke_t rv;
  ASSERT_EQ(cap_revoke_start(&rv, a, full), NX_OK);
  EXPECT_EQ(cap_mint(a, full, 0, 1, a, &out), NX_ERR_BUSY);
  EXPECT_EQ(cap_mint(a, badged, 0, 1, a, &out), NX_ERR_BAD_HANDLE);
  while (cap_revoke_step(&rv, 4)) {
  }
  EXPECT_EQ(out, 0xdeadu);
  EXPECT_EQ(obj_.refs, refs - 2) << "the revoke removed badged and its child";
}

TEST_F(CapTest, MintCheckHasNoSideEffectsUntilApplied) {
  nx_handle_value_t src = Install(a, NX_RIGHTS_ALL);
  cap_plan_t plan;
  ASSERT_EQ(cap_mint_check(a, src, OBJ_DEBUG_LOG, NX_RIGHT_READ, 42, b, &plan), NX_OK);
  EXPECT_EQ(obj_.refs, 1u);
  EXPECT_EQ(b->used, 0u);
  EXPECT_EQ(Slot(a, src)->first_child, nullptr);
  nx_handle_value_t h = cap_derive_apply(&plan);
  EXPECT_EQ(Slot(b, h)->badge, 42u);
  EXPECT_EQ(Slot(b, h)->rights, NX_RIGHT_READ);
  EXPECT_EQ(Slot(b, h)->parent, Slot(a, src));
  EXPECT_EQ(obj_.refs, 2u);
}

TEST_F(CapTest, RemovalsReportTheParentAtTheTime) {
  nx_handle_value_t root = Install(a, NX_RIGHTS_ALL);
  nx_handle_value_t mid = 0, kid = 0, leaf = 0;
  ASSERT_EQ(cap_derive(a, root, NX_RIGHTS_ALL, b, &mid), NX_OK);
  ASSERT_EQ(cap_derive(b, mid, NX_RIGHTS_ALL, a, &kid), NX_OK);
  ASSERT_EQ(cap_derive(a, kid, NX_RIGHTS_ALL, b, &leaf), NX_OK);
  uint64_t root_serial = Slot(a, root)->serial, mid_serial = Slot(b, mid)->serial;
  uint64_t kid_serial = Slot(a, kid)->serial;
  ASSERT_EQ(handle_close(b, leaf), NX_OK);
  ASSERT_EQ(handle_close(b, mid), NX_OK);
  ASSERT_EQ(handle_close(a, kid), NX_OK);  // its parent mid is gone: now root's
  ASSERT_EQ(handle_close(a, root), NX_OK);
  ASSERT_EQ(fake_ops::removals.size(), 4u);
  EXPECT_EQ(fake_ops::removals[0].cap.parent_serial, kid_serial);
  EXPECT_EQ(fake_ops::removals[1].cap.serial, mid_serial);
  EXPECT_EQ(fake_ops::removals[1].cap.parent_serial, root_serial);
  EXPECT_EQ(fake_ops::removals[2].cap.serial, kid_serial);
  EXPECT_EQ(fake_ops::removals[2].cap.parent_serial, root_serial);
  EXPECT_EQ(fake_ops::removals[3].cap.serial, root_serial);
  EXPECT_EQ(fake_ops::removals[3].cap.parent_serial, 0u) << "a root has no parent";
}

TEST_F(CapTest, LookupRefusesAnyTypeAndStaysTheRightsChoke) {
  nx_handle_value_t h = Install(a, NX_RIGHT_READ);
  object_t *out = nullptr;
  EXPECT_EQ(handle_lookup(a, h, HANDLE_ANY_TYPE, 0, &out), NX_ERR_WRONG_TYPE);
  handle_slot_t *s = nullptr;
  EXPECT_EQ(handle_lookup_slot(a, h, HANDLE_ANY_TYPE, NX_RIGHT_WRITE, &s), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(handle_lookup_slot(a, h, OBJ_NONE, 0, &s), NX_ERR_WRONG_TYPE);
  EXPECT_EQ(s, nullptr);
  EXPECT_EQ(handle_install(a, &obj_, NX_RIGHTS_ALL + 1, &h), NX_ERR_INVALID_ARGS);
}

}  // namespace
