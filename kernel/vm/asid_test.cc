#include "neuron/asid.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "neuron/errors.h"

namespace {

// Among the tags valid in the allocator's current generation, no two share
// an ASID, and none has ASID 0.
void ExpectDistinct(const asid_alloc_t &a, const std::vector<asid_tag_t> &tags) {
  std::map<uint16_t, size_t> owner;
  for (size_t i = 0; i < tags.size(); i++) {
    if (!asid_is_current(&a, tags[i])) continue;
    uint16_t asid = asid_of(tags[i]);
    EXPECT_NE(asid, 0u) << "space " << i;
    auto [it, inserted] = owner.emplace(asid, i);
    EXPECT_TRUE(inserted) << "ASID " << asid << " held by spaces " << it->second << " and " << i;
  }
}

TEST(AsidTest, InitRejectsBadArguments) {
  auto a = std::make_unique<asid_alloc_t>();
  EXPECT_EQ(asid_init(nullptr, 4, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(asid_init(a.get(), ASID_MAX_BITS + 1, 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(asid_init(a.get(), 4, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(asid_init(a.get(), 4, ASID_MAX_HARTS + 1), NX_ERR_INVALID_ARGS);
  // 15 usable ASIDs are too few for 15 harts: a roll-over could find none.
  EXPECT_EQ(asid_init(a.get(), 4, 15), NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(asid_init(a.get(), 1, 1), NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(asid_init(a.get(), 4, 14), NX_OK);
  EXPECT_EQ(asid_init(a.get(), 0, ASID_MAX_HARTS), NX_OK);
  EXPECT_EQ(asid_init(a.get(), ASID_MAX_BITS, ASID_MAX_HARTS), NX_OK);
}

TEST(AsidTest, SwitchRejectsBadArguments) {
  auto a = std::make_unique<asid_alloc_t>();
  ASSERT_EQ(asid_init(a.get(), 4, 2), NX_OK);
  asid_tag_t tag = ASID_TAG_NONE;
  uint16_t asid = 77;
  EXPECT_EQ(asid_switch(a.get(), 2, &tag, &asid), 0u);
  EXPECT_EQ(asid, 0u);
  EXPECT_EQ(tag, ASID_TAG_NONE);
  EXPECT_EQ(asid_switch(a.get(), 0, nullptr, &asid), 0u);
  EXPECT_EQ(asid_switch(nullptr, 0, &tag, &asid), 0u);
  EXPECT_EQ(asid_used_count(a.get()), 0u);
}

TEST(AsidTest, BitsFromSatpReadback) {
  const uint64_t mode = uint64_t{8} << 60, ppn = 0x80123;
  EXPECT_EQ(asid_bits_from_satp(mode | ppn), 0u);
  EXPECT_EQ(asid_bits_from_satp(mode | (uint64_t{0xff} << ASID_SATP_SHIFT) | ppn), 8u);
  EXPECT_EQ(asid_bits_from_satp(mode | (uint64_t{0x1ff} << ASID_SATP_SHIFT)), 9u);
  EXPECT_EQ(asid_bits_from_satp(mode | ASID_SATP_MASK | ppn), 16u);
}

TEST(AsidTest, AssignsDistinctAsidsOnFirstSwitch) {
  auto a = std::make_unique<asid_alloc_t>();
  ASSERT_EQ(asid_init(a.get(), 4, 1), NX_OK);
  std::vector<asid_tag_t> tags(15, ASID_TAG_NONE);
  std::set<uint16_t> seen;
  for (auto &tag : tags) {
    uint16_t asid = 0;
    EXPECT_EQ(asid_switch(a.get(), 0, &tag, &asid), 0u);  // no flush: 15 ASIDs for 15 spaces
    EXPECT_EQ(asid, asid_of(tag));
    EXPECT_TRUE(asid_is_current(a.get(), tag));
    seen.insert(asid);
  }
  EXPECT_EQ(seen.size(), 15u);
  EXPECT_EQ(seen.count(0), 0u);
  EXPECT_EQ(asid_used_count(a.get()), 15u);
  ExpectDistinct(*a, tags);
  // Switching back keeps the ASID and needs no flush.
  asid_tag_t before = tags[3];
  uint16_t asid = 0;
  EXPECT_EQ(asid_switch(a.get(), 0, &tags[3], &asid), 0u);
  EXPECT_EQ(tags[3], before);
  EXPECT_EQ(asid, asid_of(before));
}

// The inline fast switch takes exactly the cases asid_switch() would handle
// with no allocation and no flush, and refuses the rest without a change.
TEST(AsidTest, FastSwitchOnlyForCurrentTagsWithNoFlushOwed) {
  auto a = std::make_unique<asid_alloc_t>();
  ASSERT_EQ(asid_init(a.get(), 4, 2), NX_OK);
  asid_tag_t tag = ASID_TAG_NONE;
  EXPECT_FALSE(asid_switch_fast(a.get(), 0, tag));  // never assigned
  uint16_t asid = 0;
  asid_switch(a.get(), 0, &tag, &asid);
  EXPECT_TRUE(asid_switch_fast(a.get(), 1, tag));
  EXPECT_EQ(a->active[1], tag);
  // Exhaust the ASIDs: the roll-over makes `tag` stale and owes flushes.
  std::vector<asid_tag_t> others(20, ASID_TAG_NONE);
  for (auto &t : others) asid_switch(a.get(), 0, &t, &asid);
  ASSERT_GT(a->rollovers, 0u);
  asid_tag_t active_before = a->active[1];
  EXPECT_FALSE(asid_switch_fast(a.get(), 1, others.back()));  // hart 1 owes a flush
  EXPECT_EQ(a->active[1], active_before);
  asid_tag_t stale = tag;
  if (!asid_is_current(a.get(), stale)) EXPECT_FALSE(asid_switch_fast(a.get(), 0, stale));
  // Without ASIDs there is no fast path at all.
  auto none = std::make_unique<asid_alloc_t>();
  ASSERT_EQ(asid_init(none.get(), 0, 1), NX_OK);
  asid_tag_t t0 = ASID_TAG_NONE;
  asid_switch(none.get(), 0, &t0, &asid);
  EXPECT_FALSE(asid_switch_fast(none.get(), 0, t0));
}

// fast_generation is derived state: over random switches, releases and
// roll-overs on 3 harts, with and without ASIDs, the one-compare fast
// switch takes a tag exactly when the definition holds (ASIDs exist, the
// tag is of the current generation, the hart owes no flush), also for
// never-assigned tags and harts the allocator does not have.
TEST(AsidTest, FastSwitchAgreesWithItsDefinitionThroughRollovers) {
  for (unsigned bits : {0u, 3u, 4u}) {
    auto a = std::make_unique<asid_alloc_t>();
    ASSERT_EQ(asid_init(a.get(), bits, 3), NX_OK);
    std::vector<asid_tag_t> tags(24, ASID_TAG_NONE);
    std::mt19937 rng(bits + 7);
    for (int step = 0; step < 3000; step++) {
      size_t i = rng() % tags.size();
      unsigned hart = rng() % 4;  // hart 3 is past the allocator's harts
      if (rng() % 8 == 0) {
        asid_release(a.get(), &tags[i]);
        continue;
      }
      asid_tag_t tag = tags[i];
      bool expect = bits > 0 && hart < 3 && tag != ASID_TAG_NONE &&
                    (tag >> ASID_TAG_SHIFT) == a->generation && !((a->flush_pending >> hart) & 1);
      asid_tag_t active_before = a->active[hart];
      ASSERT_EQ(asid_switch_fast(a.get(), hart, tag), expect)
          << "bits " << bits << " step " << step;
      if (!expect) {
        EXPECT_EQ(a->active[hart], active_before);
        uint16_t asid = 0;
        if (hart < 3) asid_switch(a.get(), hart, &tags[i], &asid);
      }
    }
    if (bits > 0) EXPECT_GT(a->rollovers, 0u) << "bits " << bits;
  }
}

// A 4-bit ASID space (15 usable) shared by 40 spaces: the generation rolls
// over, the roll-over is reported with a flush, and every space keeps getting
// an ASID no other current space holds.
TEST(AsidTest, ExhaustionRollsOverTheGeneration) {
  auto a = std::make_unique<asid_alloc_t>();
  ASSERT_EQ(asid_init(a.get(), 4, 1), NX_OK);
  std::vector<asid_tag_t> tags(40, ASID_TAG_NONE);
  unsigned rollovers = 0, flushes = 0;
  for (int round = 0; round < 5; round++) {
    for (size_t i = 0; i < tags.size(); i++) {
      uint16_t asid = 0;
      unsigned flags = asid_switch(a.get(), 0, &tags[i], &asid);
      if (flags & ASID_NEW_GENERATION) {
        rollovers++;
        // The hart that rolled over owes the flush itself.
        EXPECT_TRUE(flags & ASID_FLUSH_LOCAL);
      }
      if (flags & ASID_FLUSH_LOCAL) flushes++;
      EXPECT_NE(asid, 0u);
      EXPECT_EQ(asid, asid_of(tags[i]));
      EXPECT_TRUE(asid_is_current(a.get(), tags[i]));
      ExpectDistinct(*a, tags);
    }
  }
  EXPECT_GE(rollovers, 10u);  // 200 switches, at most 15 ASIDs per generation
  EXPECT_EQ(flushes, rollovers);
  EXPECT_EQ(a->rollovers, rollovers);
}

// A roll-over keeps the ASID a hart is running for that space: hart 1 runs S
// throughout while hart 0 churns through spaces; no other space gets S's
// ASID, and S keeps it when hart 1 switches to it again (with the flush the
// roll-over owes).
TEST(AsidTest, RolloverKeepsTheAsidsHartsAreRunning) {
  auto a = std::make_unique<asid_alloc_t>();
  ASSERT_EQ(asid_init(a.get(), 2, 2), NX_OK);  // 3 usable ASIDs, 2 harts
  asid_tag_t s = ASID_TAG_NONE;
  uint16_t s_asid = 0;
  ASSERT_EQ(asid_switch(a.get(), 1, &s, &s_asid), 0u);
  std::vector<asid_tag_t> others(10, ASID_TAG_NONE);
  unsigned rollovers = 0;
  for (int round = 0; round < 4; round++) {
    for (auto &tag : others) {
      uint16_t asid = 0;
      unsigned flags = asid_switch(a.get(), 0, &tag, &asid);
      if (flags & ASID_NEW_GENERATION) rollovers++;
      EXPECT_NE(asid, s_asid);
    }
  }
  EXPECT_GE(rollovers, 2u);
  EXPECT_FALSE(asid_is_current(a.get(), s));
  uint16_t again = 0;
  EXPECT_EQ(asid_switch(a.get(), 1, &s, &again), ASID_FLUSH_LOCAL);
  EXPECT_EQ(again, s_asid);
  EXPECT_TRUE(asid_is_current(a.get(), s));
  // Hart 1 has flushed: switching it again costs nothing.
  EXPECT_EQ(asid_switch(a.get(), 1, &s, &again), 0u);
}

TEST(AsidTest, ReleasedAsidIsReusedWithoutRollover) {
  auto a = std::make_unique<asid_alloc_t>();
  ASSERT_EQ(asid_init(a.get(), 2, 1), NX_OK);  // ASIDs 1..3
  asid_tag_t t[4] = {};
  uint16_t asid[4] = {};
  for (int i = 0; i < 3; i++) ASSERT_EQ(asid_switch(a.get(), 0, &t[i], &asid[i]), 0u);
  EXPECT_EQ(asid_used_count(a.get()), 3u);
  asid_release(a.get(), &t[1]);
  EXPECT_EQ(t[1], ASID_TAG_NONE);
  EXPECT_EQ(asid_used_count(a.get()), 2u);
  EXPECT_EQ(asid_switch(a.get(), 0, &t[3], &asid[3]), 0u);
  EXPECT_EQ(asid[3], asid[1]);
  EXPECT_EQ(a->rollovers, 0u);
  // Releasing twice, or a tag never assigned, changes nothing.
  asid_release(a.get(), &t[1]);
  asid_tag_t none = ASID_TAG_NONE;
  asid_release(a.get(), &none);
  EXPECT_EQ(asid_used_count(a.get()), 3u);
}

TEST(AsidTest, WithoutAsidsEverySpaceChangeFlushes) {
  auto a = std::make_unique<asid_alloc_t>();
  ASSERT_EQ(asid_init(a.get(), 0, 2), NX_OK);
  asid_tag_t s1 = ASID_TAG_NONE, s2 = ASID_TAG_NONE;
  uint16_t asid = 99;
  EXPECT_EQ(asid_switch(a.get(), 0, &s1, &asid), ASID_FLUSH_LOCAL);
  EXPECT_EQ(asid, 0u);
  EXPECT_EQ(asid_switch(a.get(), 0, &s1, &asid), 0u);
  EXPECT_EQ(asid_switch(a.get(), 0, &s2, &asid), ASID_FLUSH_LOCAL);
  EXPECT_NE(s1, s2);
  EXPECT_EQ(asid, 0u);
  EXPECT_EQ(asid_switch(a.get(), 0, &s1, &asid), ASID_FLUSH_LOCAL);
  EXPECT_EQ(asid_switch(a.get(), 1, &s1, &asid), ASID_FLUSH_LOCAL);
  EXPECT_EQ(asid_switch(a.get(), 1, &s1, &asid), 0u);
  EXPECT_EQ(asid_used_count(a.get()), 0u);
}

// Random switches, destroys and creations over 3 harts and 7 ASIDs, against a
// model of each hart's TLB: the set of (ASID, space) pairs it may hold. A hart
// must never run a space with an ASID under which its TLB may still hold
// another space's entries.
TEST(AsidTest, RandomSwitchesNeverAliasInAnyTlb) {
  auto a = std::make_unique<asid_alloc_t>();
  const unsigned kHarts = 3;
  ASSERT_EQ(asid_init(a.get(), 3, kHarts), NX_OK);
  std::mt19937 rng(12345);
  std::vector<asid_tag_t> tags(12, ASID_TAG_NONE);
  std::vector<int> running(kHarts, -1);  // space index per hart
  std::vector<uint16_t> running_asid(kHarts, 0);
  std::vector<std::set<std::pair<uint16_t, int>>> tlb(kHarts);
  int next_id = 0;
  std::vector<int> id(tags.size());
  for (auto &i : id) i = next_id++;
  unsigned rollovers = 0, releases = 0;
  for (int step = 0; step < 20000; step++) {
    size_t s = rng() % tags.size();
    bool is_running = false;
    for (int r : running) is_running |= r == static_cast<int>(s);
    if (rng() % 10 == 0 && !is_running) {
      // Destroy s (running nowhere): flush its ASID on every hart, release,
      // and put a new space in its slot.
      uint16_t n = asid_of(tags[s]);
      for (auto &t : tlb) {
        for (auto it = t.begin(); it != t.end();) it = it->first == n ? t.erase(it) : std::next(it);
      }
      asid_release(a.get(), &tags[s]);
      id[s] = next_id++;
      releases++;
      continue;
    }
    unsigned h = rng() % kHarts;
    uint16_t asid = 0;
    unsigned flags = asid_switch(a.get(), h, &tags[s], &asid);
    if (flags & ASID_NEW_GENERATION) rollovers++;
    if (flags & ASID_FLUSH_LOCAL) tlb[h].clear();
    ASSERT_NE(asid, 0u);
    for (const auto &[n, space] : tlb[h]) {
      ASSERT_FALSE(n == asid && space != id[s])
          << "step " << step << ": hart " << h << " runs space " << id[s] << " with ASID " << asid
          << " while its TLB holds space " << space << "'s entries under it";
    }
    tlb[h].insert({asid, id[s]});
    running[h] = static_cast<int>(s);
    running_asid[h] = asid;
    ExpectDistinct(*a, tags);
    // The ASID each hart is running with (perhaps from an older generation)
    // belongs to no other current space.
    for (unsigned g = 0; g < kHarts; g++) {
      if (running[g] < 0) continue;
      for (size_t j = 0; j < tags.size(); j++) {
        if (static_cast<int>(j) == running[g] || !asid_is_current(a.get(), tags[j])) continue;
        ASSERT_NE(asid_of(tags[j]), running_asid[g]) << "step " << step << ": hart " << g;
      }
    }
  }
  EXPECT_GT(rollovers, 100u);
  EXPECT_GT(releases, 100u);
}

}  // namespace
