// Model-based randomized test of the capability layer: random install,
// derive, mint, copy, move, close and revoke (run in small random budgets,
// interleaved with everything else) over several tables, against a plain
// reference model. After every step it checks:
//  - every live capability resolves exactly as the model says (usable or
//    not, object, rights), and every dead handle is refused;
//  - rights never grow along any derivation path (model and kernel tree);
//  - no table holds an object it was never given through a legal operation;
//  - reference counts equal the number of live capabilities, and an object
//    whose count reached zero was destroyed exactly once;
//  - while a revoke runs, nothing in its subtree is usable;
//  - a badge never changes once set, and a child's badge equals its
//    parent's unless it was minted from an unbadged parent (so below a
//    badged capability every badge is the same, closes notwithstanding);
//  - the hooks name the capability's parent of the moment, and on_revoke
//    runs once per successful revoke start.
#include <gtest/gtest.h>

#include <cstdio>
#include <list>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "kernel/object/fake_object_ops.h"
#include "neuron/cap_transfer.h"
#include "neuron/cap_tree.h"
#include "neuron/errors.h"
#include "neuron/revoke.h"
#include "neuron/rights.h"

namespace {

constexpr int kTables = 4;
constexpr int kObjects = 6;
constexpr uint32_t kDup = NX_RIGHT_DUPLICATE, kXfer = NX_RIGHT_TRANSFER;

struct MCap {
  int table;
  nx_handle_value_t h;
  int obj;
  uint32_t rights;
  int parent;  // model id, -1 for a root
  std::set<int> kids;
  uint64_t serial;
  uint64_t badge;  // as the kernel gave it when the capability was made
};

struct MRevoke {
  cap_revoke_t r;
  int root;
  bool root_gone = false;  // removed by an ancestor's revoke
};

class Model {
 public:
  explicit Model(uint32_t seed) : rng_(seed) {
    fake_ops::Reset();
    for (int t = 0; t < kTables; t++) {
      tables_.emplace_back(new handle_table_t);
      handle_table_init(tables_.back().get());
    }
    for (auto &o : objs_) o = {OBJ_DEBUG_LOG, 0};
  }

  void Run(int steps) {
    for (step_ = 0; step_ < steps; step_++) {
      // Alternate phases that grow the population (until tables fill up)
      // with phases that shrink it.
      static const int kMix[2][6] = {{10, 32, 40, 50, 72, 78}, {15, 55, 65, 75, 80, 82}};
      const int *mix = kMix[(step_ / 2500) % 2];
      int op = static_cast<int>(rng_() % 100);
      if (op < mix[0]) {
        Install();
      } else if (op < mix[1]) {
        Derive();
      } else if (op < mix[2]) {
        Mint();
      } else if (op < mix[3]) {
        Move();
      } else if (op < mix[4]) {
        Close();
      } else if (op < mix[5]) {
        RevokeStart();
      } else {
        RevokeStep();
      }
      if (caps_.size() > max_caps_) max_caps_ = caps_.size();
      Check();
      if (::testing::Test::HasFatalFailure()) return;
    }
    // Drain: finish every revoke, close everything; every object destroyed.
    while (!revokes_.empty()) {
      RevokeStep();
      Check();
      if (::testing::Test::HasFatalFailure()) return;
    }
    while (!caps_.empty()) {
      int id = caps_.begin()->first;
      ASSERT_EQ(handle_close(T(caps_[id].table), caps_[id].h), NX_OK);
      RemoveModel(id);
    }
    Check();
    for (int o = 0; o < kObjects; o++) EXPECT_EQ(fake_ops::destroyed[&objs_[o]], incarnations_[o]);
    EXPECT_GT(counts_[NX_OK], steps / 4);
    EXPECT_GT(counts_[NX_ERR_BAD_HANDLE], 0);
    EXPECT_GT(counts_[NX_ERR_ACCESS_DENIED], 0);
    EXPECT_GT(counts_[NX_ERR_BUSY], 0);
    EXPECT_GT(counts_[NX_ERR_NO_MEMORY], 0);
    EXPECT_GT(counts_[NX_ERR_INVALID_ARGS], 0);
    EXPECT_GT(revoke_removals_, 100);
    EXPECT_GT(mints_, 100);
    EXPECT_GT(rebadges_refused_, 100);
    EXPECT_GT(badged_derives_, 40);
    EXPECT_GT(lifted_below_unbadged_, 0);
    ::testing::Test::RecordProperty("max_caps", static_cast<int>(max_caps_));
    ::testing::Test::RecordProperty("revoke_removals", revoke_removals_);
    printf(
        "max live capabilities %zu, removed by revokes %d, ok %d, no-memory %d, busy %d, "
        "mints %d, re-badges refused %d, badged derives %d, badged lifted below unbadged %d\n",
        max_caps_, revoke_removals_, counts_[NX_OK], counts_[NX_ERR_NO_MEMORY],
        counts_[NX_ERR_BUSY], mints_, rebadges_refused_, badged_derives_, lifted_below_unbadged_);
  }

 private:
  handle_table_t *T(int t) { return tables_[t].get(); }
  uint32_t Pick(size_t n) { return static_cast<uint32_t>(rng_() % n); }

  // A (table, handle) to operate on: mostly a live capability (usable or
  // not), sometimes a dead handle, sometimes a random value.
  std::pair<int, nx_handle_value_t> PickHandle() {
    uint32_t r = Pick(100);
    if (r < 85 && !caps_.empty()) {
      const MCap &c = std::next(caps_.begin(), Pick(caps_.size()))->second;
      return {c.table, c.h};
    }
    if (r < 95 && !dead_.empty()) return dead_[Pick(dead_.size())];
    return {static_cast<int>(Pick(kTables)),
            static_cast<nx_handle_value_t>(rng_() % 4 << 16 | rng_() % 300)};
  }
  int Find(int t, nx_handle_value_t h) {
    auto it = by_handle_.find({t, h});
    return it == by_handle_.end() ? -1 : it->second;
  }
  bool Usable(int id) {
    for (int p = caps_[id].parent; p >= 0; p = caps_[p].parent) {
      if (revoking_.count(p)) return false;
    }
    return true;
  }
  int Live(int o) {
    int n = 0;
    for (auto &[id, c] : caps_) n += c.obj == o;
    return n;
  }
  int TableCount(int t) {
    int n = 0;
    for (auto &[id, c] : caps_) n += c.table == t;
    return n;
  }
  // The model's verdict on looking `id` up for `need`, as handle_lookup_slot.
  int Expect(int id, uint32_t need) {
    if (id < 0 || !Usable(id)) return NX_ERR_BAD_HANDLE;
    if ((caps_[id].rights & need) != need) return NX_ERR_ACCESS_DENIED;
    return NX_OK;
  }
  // Records a capability the kernel just made; `minted` is the badge asked
  // for by a mint, 0 for an install or a derive.
  int Add(int t, nx_handle_value_t h, int obj, uint32_t rights, int parent, uint64_t minted) {
    const handle_slot_t *s = &T(t)->slots[h & 0xffff];
    if (parent < 0) {
      EXPECT_EQ(s->badge, 0u) << "an install gives no badge";
    } else if (minted) {
      EXPECT_EQ(caps_[parent].badge, 0u) << "minted from a badged capability";
      EXPECT_EQ(s->badge, minted);
    } else {
      EXPECT_EQ(s->badge, caps_[parent].badge) << "a derive copies the badge";
    }
    int id = next_id_++;
    MCap c{t, h, obj, rights, parent, {}, s->serial, s->badge};
    caps_[id] = c;
    by_handle_[{t, h}] = id;
    by_serial_[c.serial] = id;
    if (parent >= 0) caps_[parent].kids.insert(id);
    given_[t].insert(obj);
    return id;
  }
  void Rehome(int id, int t, nx_handle_value_t h) {
    MCap &c = caps_[id];
    by_handle_.erase({c.table, c.h});
    dead_.push_back({c.table, c.h});
    c.table = t;
    c.h = h;
    by_handle_[{t, h}] = id;
    given_[t].insert(c.obj);
  }
  // Close semantics: the children move up to the parent.
  void RemoveModel(int id) {
    MCap c = caps_[id];
    // The case where the badge invariant needs its "unless" form.
    if (c.badge && c.parent >= 0 && !caps_[c.parent].badge && !c.kids.empty()) {
      lifted_below_unbadged_++;
    }
    for (int k : c.kids) {
      caps_[k].parent = c.parent;
      if (c.parent >= 0) caps_[c.parent].kids.insert(k);
    }
    if (c.parent >= 0) caps_[c.parent].kids.erase(id);
    if (revoking_.erase(id)) {
      for (auto &rv : revokes_) {
        if (rv.root == id) rv.root_gone = true;
      }
    }
    by_handle_.erase({c.table, c.h});
    by_serial_.erase(c.serial);
    dead_.push_back({c.table, c.h});
    caps_.erase(id);
  }
  // Whether a hook's parent_serial names the capability's parent: exactly
  // the model's while the capability is usable; within a revoking subtree
  // the steps re-link nodes the model does not follow, so some ancestor.
  void CheckParentSerial(int id, uint64_t parent_serial) {
    int p = caps_[id].parent;
    if (Usable(id)) {
      ASSERT_EQ(parent_serial, p < 0 ? 0u : caps_[p].serial) << "step " << step_;
      return;
    }
    for (; p >= 0; p = caps_[p].parent) {
      if (caps_[p].serial == parent_serial) return;
    }
    FAIL() << "parent_serial names no ancestor, step " << step_;
  }
  bool InSubtree(int id, int root) {
    for (int p = caps_[id].parent; p >= 0; p = caps_[p].parent) {
      if (p == root) return true;
    }
    return false;
  }

  void Install() {
    int t = Pick(kTables), o = Pick(kObjects);
    uint32_t rights = rng_() & NX_RIGHTS_ALL;
    if (Pick(10) < 8) rights |= kDup;
    if (Pick(10) < 6) rights |= kXfer;
    bool was_dead = Live(o) == 0;
    nx_handle_value_t h = 0;
    int err = handle_install(T(t), &objs_[o], rights, &h);
    counts_[err]++;
    ASSERT_EQ(err, TableCount(t) == HANDLE_TABLE_SLOTS ? NX_ERR_NO_MEMORY : NX_OK);
    if (err != NX_OK) return;
    if (was_dead) incarnations_[o]++;
    Add(t, h, o, rights, -1, 0);
  }

  void Derive() {
    auto [t, h] = PickHandle();
    int src = Find(t, h);
    int dst = Pick(kTables);
    uint32_t rights;
    if (src >= 0 && Pick(10) < 7) {
      rights = caps_[src].rights & rng_();
    } else {
      rights = Pick(20) ? (rng_() & NX_RIGHTS_ALL) : 1u << 31;
    }
    int want = Expect(src, kDup | (dst != t ? kXfer : 0));
    if (want == NX_OK && (rights & ~caps_[src].rights)) want = NX_ERR_ACCESS_DENIED;
    if (want == NX_OK && revoking_.count(src)) want = NX_ERR_BUSY;
    if (want == NX_OK && TableCount(dst) == HANDLE_TABLE_SLOTS) want = NX_ERR_NO_MEMORY;
    nx_handle_value_t out = 0;
    int err = cap_derive(T(t), h, rights, T(dst), &out);
    counts_[err]++;
    ASSERT_EQ(err, want) << "step " << step_;
    if (err != NX_OK) return;
    if (caps_[src].badge) badged_derives_++;
    Add(dst, out, caps_[src].obj, rights, src, 0);
  }

  void Mint() {
    auto [t, h] = PickHandle();
    if (Pick(10) < 3) {  // often a badged one, which must be refused
      std::vector<int> badged;
      for (auto &[id, c] : caps_) {
        if (c.badge) badged.push_back(id);
      }
      if (!badged.empty()) {
        const MCap &c = caps_[badged[Pick(badged.size())]];
        t = c.table;
        h = c.h;
      }
    }
    int src = Find(t, h);
    int dst = Pick(kTables);
    uint32_t rights;
    if (src >= 0 && Pick(10) < 8) {
      rights = caps_[src].rights & rng_();
    } else {
      rights = rng_() & NX_RIGHTS_ALL;
    }
    // Small badges collide (two clients may share one); 0 is refused.
    uint64_t badge = Pick(20) == 0 ? 0
                     : Pick(2)     ? 1 + Pick(8)
                                   : (uint64_t{rng_()} << 32 | rng_() | 1);
    int want = badge == 0 ? NX_ERR_INVALID_ARGS : Expect(src, kDup | (dst != t ? kXfer : 0));
    if (want == NX_OK && (rights & ~caps_[src].rights)) want = NX_ERR_ACCESS_DENIED;
    bool rebadge = want == NX_OK && caps_[src].badge != 0;
    if (rebadge) want = NX_ERR_ACCESS_DENIED;
    if (want == NX_OK && revoking_.count(src)) want = NX_ERR_BUSY;
    if (want == NX_OK && TableCount(dst) == HANDLE_TABLE_SLOTS) want = NX_ERR_NO_MEMORY;
    nx_handle_value_t out = 0;
    int err = cap_mint(T(t), h, rights, badge, T(dst), &out);
    counts_[err]++;
    ASSERT_EQ(err, want) << "step " << step_;
    rebadges_refused_ += rebadge;
    if (err != NX_OK) return;
    mints_++;
    Add(dst, out, caps_[src].obj, rights, src, badge);
  }

  void Move() {
    auto [t, h] = PickHandle();
    int id = Find(t, h);
    int dst = Pick(kTables);
    int want = dst == t ? NX_ERR_INVALID_ARGS : Expect(id, kXfer);
    if (want == NX_OK && revoking_.count(id)) want = NX_ERR_BUSY;
    if (want == NX_OK && TableCount(dst) == HANDLE_TABLE_SLOTS) want = NX_ERR_NO_MEMORY;
    nx_handle_value_t out = 0;
    int err = cap_move(T(t), h, T(dst), &out);
    counts_[err]++;
    ASSERT_EQ(err, want) << "step " << step_;
    if (err == NX_OK) Rehome(id, dst, out);
  }

  void Close() {
    auto [t, h] = PickHandle();
    int id = Find(t, h);
    int want = id < 0 ? NX_ERR_BAD_HANDLE : revoking_.count(id) ? NX_ERR_BUSY : NX_OK;
    size_t before = fake_ops::removals.size();
    int err = handle_close(T(t), h);
    counts_[err]++;
    ASSERT_EQ(err, want) << "step " << step_;
    if (err != NX_OK) {
      ASSERT_EQ(fake_ops::removals.size(), before);
      return;
    }
    ASSERT_EQ(fake_ops::removals.size(), before + 1);
    const fake_ops::Removal &r = fake_ops::removals.back();
    EXPECT_EQ(r.cap.why, CAP_REMOVED_CLOSE);
    EXPECT_EQ(r.cap.serial, caps_[id].serial);
    EXPECT_EQ(r.cap.table, T(t));
    EXPECT_EQ(r.cap.handle, h);
    EXPECT_EQ(r.object, &objs_[caps_[id].obj]);
    EXPECT_GE(r.refs_during_call, 1u);
    CheckParentSerial(id, r.cap.parent_serial);
    RemoveModel(id);
  }

  void RevokeStart() {
    auto [t, h] = PickHandle();
    if (Pick(10) < 6) {  // mostly something with a subtree to revoke
      std::vector<int> parents;
      for (auto &[id, c] : caps_) {
        if (!c.kids.empty()) parents.push_back(id);
      }
      if (!parents.empty()) {
        const MCap &c = caps_[parents[Pick(parents.size())]];
        t = c.table;
        h = c.h;
      }
    }
    int id = Find(t, h);
    int want = Expect(id, 0);
    if (want == NX_OK && revoking_.count(id)) want = NX_ERR_BUSY;
    revokes_.emplace_back();
    MRevoke &rv = revokes_.back();
    rv.root = id;
    size_t hooks = fake_ops::revokes.size();
    int err = cap_revoke_start(&rv.r, T(t), h);
    counts_[err]++;
    ASSERT_EQ(err, want) << "step " << step_;
    ASSERT_EQ(fake_ops::revokes.size(), hooks + (err == NX_OK)) << "step " << step_;
    if (err != NX_OK) {
      revokes_.pop_back();
      return;
    }
    const fake_ops::Removal &hook = fake_ops::revokes.back();
    ASSERT_EQ(hook.cap.why, CAP_REVOKE_STARTED);
    ASSERT_EQ(hook.cap.serial, caps_[id].serial);
    ASSERT_EQ(hook.object, &objs_[caps_[id].obj]);
    CheckParentSerial(id, hook.cap.parent_serial);
    if (caps_[id].kids.empty()) {
      ASSERT_FALSE(cap_revoke_step(&rv.r, 1)) << "nothing to revoke";
      revokes_.pop_back();
    } else {
      revoking_.insert(id);
    }
  }

  void RevokeStep() {
    if (revokes_.empty()) return;
    auto it = std::next(revokes_.begin(), Pick(revokes_.size()));
    uint32_t budget = Pick(5);
    size_t before = fake_ops::removals.size();
    bool more = cap_revoke_step(&it->r, budget);
    size_t removed = fake_ops::removals.size() - before;
    ASSERT_LE(removed, budget);
    if (it->root_gone) ASSERT_EQ(removed, 0u);
    for (size_t i = before; i < fake_ops::removals.size(); i++) {
      const fake_ops::Removal &r = fake_ops::removals[i];
      ASSERT_EQ(r.cap.why, CAP_REMOVED_REVOKE);
      ASSERT_EQ(by_serial_.count(r.cap.serial), 1u) << "removed a capability twice";
      int id = by_serial_[r.cap.serial];
      ASSERT_TRUE(InSubtree(id, it->root)) << "removed a capability outside the subtree";
      ASSERT_EQ(r.object, &objs_[caps_[id].obj]);
      // A step only removes a direct child of the revoke's root.
      ASSERT_EQ(r.cap.parent_serial, caps_[it->root].serial);
      RemoveModel(id);
      revoke_removals_++;
    }
    if (it->root_gone) {
      ASSERT_FALSE(more);
    } else {
      ASSERT_EQ(more, !caps_[it->root].kids.empty()) << "step " << step_;
    }
    if (!more) {
      revoking_.erase(it->root);
      revokes_.erase(it);
    }
  }

  void Check() {
    // Every slot of every table is a capability of the model, holding an
    // object its table was given, in a consistent tree.
    for (int t = 0; t < kTables; t++) {
      int live = 0;
      for (uint32_t i = 0; i < HANDLE_TABLE_SLOTS; i++) {
        const handle_slot_t *s = &T(t)->slots[i];
        if (!s->object) continue;
        live++;
        int id = Find(t, handle_slot_value(s));
        ASSERT_GE(id, 0) << "a slot the model does not know, step " << step_;
        ASSERT_EQ(s->object, &objs_[caps_[id].obj]);
        ASSERT_TRUE(given_[t].count(caps_[id].obj)) << "table reached an object never given";
        ASSERT_EQ(cap_tree_check_node(s), NX_OK) << "step " << step_;
      }
      ASSERT_EQ(live, TableCount(t));
      ASSERT_EQ(T(t)->used, live);
    }
    for (auto &[id, c] : caps_) {
      if (c.parent >= 0) ASSERT_EQ(c.rights & ~caps_[c.parent].rights, 0u) << "rights grew";
      // Closes lift children, so a badged capability may now hang below an
      // unbadged one, never below one with another badge.
      if (c.parent >= 0 && caps_[c.parent].badge != 0) {
        ASSERT_EQ(c.badge, caps_[c.parent].badge) << "step " << step_;
      }
      ASSERT_EQ(T(c.table)->slots[c.h & 0xffff].badge, c.badge) << "a badge changed";
      handle_slot_t *s = nullptr;
      int err = handle_lookup_slot(T(c.table), c.h, HANDLE_ANY_TYPE, 0, &s);
      bool usable = Usable(id);
      ASSERT_EQ(err, usable ? NX_OK : NX_ERR_BAD_HANDLE) << "step " << step_;
      if (!usable) continue;
      ASSERT_EQ(s->rights, c.rights);
      object_t *obj = nullptr;
      ASSERT_EQ(handle_lookup(T(c.table), c.h, OBJ_DEBUG_LOG, c.rights, &obj), NX_OK);
      ASSERT_EQ(obj, &objs_[c.obj]);
      if (c.rights != NX_RIGHTS_ALL) {
        ASSERT_EQ(handle_lookup(T(c.table), c.h, OBJ_DEBUG_LOG, NX_RIGHTS_ALL, &obj),
                  NX_ERR_ACCESS_DENIED);
      }
      // Outside revokes, the kernel's tree is the model's tree.
      const handle_slot_t *mp =
          c.parent < 0 ? nullptr : &T(caps_[c.parent].table)->slots[caps_[c.parent].h & 0xffff];
      ASSERT_EQ(s->parent, mp) << "step " << step_;
    }
    size_t n = dead_.size();
    for (size_t i = n > 64 ? n - 64 : 0; i < n; i++) CheckDead(dead_[i]);
    for (int i = 0; i < 16 && n; i++) CheckDead(dead_[Pick(n)]);
    for (int o = 0; o < kObjects; o++) {
      int live = Live(o);
      ASSERT_EQ(objs_[o].refs, static_cast<uint32_t>(live));
      ASSERT_EQ(fake_ops::destroyed[&objs_[o]], incarnations_[o] - (live > 0 ? 1 : 0));
    }
    ASSERT_EQ(cap_revoke_active_count(), revoking_.size());
  }
  void CheckDead(std::pair<int, nx_handle_value_t> d) {
    if (Find(d.first, d.second) >= 0) return;  // not dead: a random pick that is live
    handle_slot_t *s;
    ASSERT_EQ(handle_lookup_slot(T(d.first), d.second, HANDLE_ANY_TYPE, 0, &s), NX_ERR_BAD_HANDLE);
  }

  std::mt19937 rng_;
  int step_ = 0;
  std::vector<std::unique_ptr<handle_table_t>> tables_;
  object_t objs_[kObjects];
  int incarnations_[kObjects] = {};
  std::map<int, MCap> caps_;
  int next_id_ = 0;
  std::map<std::pair<int, nx_handle_value_t>, int> by_handle_;
  std::map<uint64_t, int> by_serial_;
  std::set<int> revoking_;
  std::list<MRevoke> revokes_;  // stable addresses: the kernel links them
  std::vector<std::pair<int, nx_handle_value_t>> dead_;
  std::set<int> given_[kTables];
  std::map<int, int> counts_;
  int revoke_removals_ = 0;
  int mints_ = 0;
  int rebadges_refused_ = 0;
  int badged_derives_ = 0;
  int lifted_below_unbadged_ = 0;
  size_t max_caps_ = 0;
};

class CapModelTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(CapModelTest, RandomOperationsMatchTheModel) {
  Model m(GetParam());
  m.Run(20000);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CapModelTest, ::testing::Values(1u, 2u, 3u, 2024u));

}  // namespace
