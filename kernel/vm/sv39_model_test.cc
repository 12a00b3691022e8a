// A randomized test of the Sv39 page tables against a reference model: a map
// from virtual page to (frame, permissions). Every step's result is checked
// through the software MMU walk over the whole test window.
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <map>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "kernel/vm/test_env.h"
#include "neuron/errors.h"
#include "neuron/page_alloc.h"
#include "neuron/quota.h"
#include "neuron/sv39.h"

namespace {

using vm_test::Env;
using vm_test::kGiga;
using vm_test::kMega;
using vm_test::kPage;

constexpr sv39_perm_t R = SV39_PERM_R, W = SV39_PERM_W, X = SV39_PERM_X, U = SV39_PERM_U,
                      G = SV39_PERM_G;

// 16 MiB of user space across the 1 GiB line, so top-level entries come and
// go too.
constexpr uint64_t kBase = kGiga - 8 * kMega;
constexpr uint64_t kPages = 16 * kMega / kPage;
constexpr uint64_t kFrames = 0x80000000;  // frames are never touched

struct Entry {
  uint64_t pa;
  sv39_perm_t perms;
};

class Sv39ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.ok());
    ASSERT_EQ(sv39_init(&as_, &env_.pa, &env_.quota, nullptr, nullptr), NX_OK);
  }

  uint64_t Va(uint64_t page) const { return kBase + page * kPage; }

  bool AnyMapped(uint64_t first, uint64_t n) const {
    auto it = model_.lower_bound(first);
    return it != model_.end() && it->first < first + n;
  }
  bool AllMapped(uint64_t first, uint64_t n) const {
    for (uint64_t p = first; p < first + n; p++) {
      if (!model_.count(p)) return false;
    }
    return true;
  }

  // A run of mapped pages around a random mapped page (for unmap and
  // protect to hit), or a random range if nothing is mapped.
  std::pair<uint64_t, uint64_t> MappedRange() {
    if (model_.empty() || rng_() % 8 == 0) return RandomRange();
    auto it = model_.begin();
    std::advance(it, rng_() % model_.size());
    uint64_t lo = it->first, hi = it->first + 1;
    uint64_t want = 1 + rng_() % 700;
    while (hi - lo < want) {
      bool grew = false;
      if (rng_() % 2 && model_.count(hi)) hi++, grew = true;
      if (hi - lo < want && lo > 0 && model_.count(lo - 1) && rng_() % 2) lo--, grew = true;
      if (!grew && !model_.count(hi) && (lo == 0 || !model_.count(lo - 1))) break;
    }
    return {lo, hi - lo};
  }

  std::pair<uint64_t, uint64_t> RandomRange() {
    uint64_t n = rng_() % 4 == 0 ? 1 + rng_() % 1200 : 1 + rng_() % 40;
    if (n > kPages) n = kPages;
    uint64_t first = rng_() % (kPages - n + 1);
    return {first, n};
  }

  sv39_perm_t RandomPerms() {
    static const sv39_perm_t kValid[] = {R | U, R | W | U, X | U, R | X | U};
    static const sv39_perm_t kInvalid[] = {R | W | X | U, W | X | U, W | U, U, R | G | U};
    if (rng_() % 20 == 0) return kInvalid[rng_() % 5];
    return kValid[rng_() % 4];
  }

  static bool PermsValid(sv39_perm_t p) {
    return p == (R | U) || p == (R | W | U) || p == (X | U) || p == (R | X | U);
  }

  // Every page of the window as the model says; counts megapage leaves.
  void CheckAgainstModel(int step, bool translate) {
    for (uint64_t page = 0; page < kPages; page++) {
      sv39_mapping_t m;
      int err = sv39_lookup(&as_, Va(page) + 0x18, &m);
      auto it = model_.find(page);
      if (it == model_.end()) {
        ASSERT_EQ(err, NX_ERR_NOT_FOUND) << "step " << step << " page " << page;
        continue;
      }
      ASSERT_EQ(err, NX_OK) << "step " << step << " page " << page;
      ASSERT_EQ(m.pa, it->second.pa + 0x18) << "step " << step << " page " << page;
      ASSERT_EQ(m.perms, it->second.perms) << "step " << step << " page " << page;
      if (m.page_size == kMega) mega_pages_++;
      if (!translate) continue;
      const sv39_perm_t p = it->second.perms;
      uint64_t pa = 0;
      auto ok = [](bool allowed) { return allowed ? SV39_OK : SV39_FAULT_PERMISSION; };
      ASSERT_EQ(sv39_translate(&as_, Va(page), SV39_ACCESS_READ | SV39_ACCESS_USER, &pa),
                ok(p & R));
      ASSERT_EQ(sv39_translate(&as_, Va(page), SV39_ACCESS_WRITE | SV39_ACCESS_USER, &pa),
                ok(p & W));
      ASSERT_EQ(sv39_translate(&as_, Va(page), SV39_ACCESS_EXEC | SV39_ACCESS_USER, &pa),
                ok(p & X));
      ASSERT_EQ(sv39_translate(&as_, Va(page), SV39_ACCESS_READ, &pa), SV39_FAULT_PERMISSION);
    }
    ASSERT_EQ(sv39_check(&as_), NX_OK) << "step " << step;
    ASSERT_EQ(quota_used(&env_.quota), sv39_table_pages(&as_)) << "step " << step;
  }

  Env env_{16 << 20};
  sv39_space_t as_;
  std::map<uint64_t, Entry> model_;
  std::mt19937_64 rng_{20240611};
  uint64_t mega_pages_ = 0;
};

TEST_F(Sv39ModelTest, RandomOperationsMatchTheModel) {
  int results[3][2] = {};  // [map, unmap, protect][failed, succeeded]
  uint64_t splits = 0;
  for (int step = 0; step < 4000; step++) {
    unsigned kind = rng_() % 3;
    if (kind == 0) {
      // Map: sometimes whole 2 MiB chunks with a 2 MiB-aligned frame, else a
      // random run with a frame that may or may not share the 2 MiB offset.
      uint64_t first, n, pa;
      if (rng_() % 3 == 0) {
        uint64_t chunks = 1 + rng_() % 2;
        first = (rng_() % (kPages / 512 - chunks + 1)) * 512;
        n = chunks * 512;
        pa = kFrames + (rng_() % 256) * kMega;
      } else {
        std::tie(first, n) = RandomRange();
        pa = kFrames + (rng_() % 262144) * kPage;
        if (rng_() % 2) pa = kFrames + (rng_() % 256) * kMega + Va(first) % kMega;
      }
      sv39_perm_t perms = RandomPerms();
      int want = !PermsValid(perms) || AnyMapped(first, n) ? NX_ERR_INVALID_ARGS : NX_OK;
      sv39_flush_t flush = {};
      int got = sv39_map(&as_, Va(first), pa, n * kPage, perms, &flush);
      ASSERT_EQ(got, want) << "step " << step << " map " << first << "+" << n;
      if (got == NX_OK) {
        for (uint64_t i = 0; i < n; i++) model_[first + i] = {pa + i * kPage, perms};
        ASSERT_EQ(flush.flags, SV39_FLUSH_NEW);
      } else {
        ASSERT_EQ(flush.flags, 0u);
      }
      results[0][got == NX_OK]++;
    } else {
      auto [first, n] = MappedRange();
      // Superpages the operation may split: megapages partly covered.
      std::vector<uint64_t> mega_before;
      for (uint64_t edge : {first, first + n - 1}) {
        sv39_mapping_t m;
        if (sv39_lookup(&as_, Va(edge), &m) == NX_OK && m.page_size == kMega) {
          mega_before.push_back(edge);
        }
      }
      int want = AllMapped(first, n) ? NX_OK : NX_ERR_NOT_FOUND;
      sv39_flush_t flush = {};
      int got;
      if (kind == 1) {
        got = sv39_unmap(&as_, Va(first), n * kPage, &flush);
        ASSERT_EQ(got, want) << "step " << step << " unmap " << first << "+" << n;
        if (got == NX_OK) {
          for (uint64_t i = 0; i < n; i++) model_.erase(first + i);
          ASSERT_TRUE(flush.flags & SV39_FLUSH_LEAF);
          ASSERT_EQ(flush.va, Va(first));
          ASSERT_EQ(flush.size, n * kPage);
        }
      } else {
        sv39_perm_t perms = RandomPerms();
        if (!PermsValid(perms)) want = NX_ERR_INVALID_ARGS;
        got = sv39_protect(&as_, Va(first), n * kPage, perms, &flush);
        ASSERT_EQ(got, want) << "step " << step << " protect " << first << "+" << n;
        if (got == NX_OK) {
          bool changed = false;
          for (uint64_t i = 0; i < n; i++) {
            changed |= model_[first + i].perms != perms;
            model_[first + i].perms = perms;
          }
          ASSERT_EQ(flush.flags, changed ? SV39_FLUSH_LEAF : 0u);
        }
      }
      if (got != NX_OK) ASSERT_EQ(flush.flags, 0u);
      results[kind][got == NX_OK]++;
      if (got == NX_OK) {
        for (uint64_t edge : mega_before) {
          // A megapage at an edge of the range, not wholly inside it, is
          // split: what is left of it is 4 KiB leaves.
          uint64_t chunk = Va(edge) / kMega * kMega;
          if (chunk >= Va(first) && chunk + kMega <= Va(first + n)) continue;
          for (uint64_t va = chunk; va < chunk + kMega; va += kPage) {
            sv39_mapping_t m;
            if (sv39_lookup(&as_, va, &m) == NX_OK)
              ASSERT_EQ(m.page_size, kPage) << "step " << step;
          }
          splits++;
        }
      }
    }
    CheckAgainstModel(step, step % 16 == 0);
  }
  // Every kind of operation both succeeded and failed, and megapages were
  // made and split.
  for (auto &r : results) {
    EXPECT_GT(r[0], 50);
    EXPECT_GT(r[1], 200);
  }
  EXPECT_GT(mega_pages_, 0u);
  EXPECT_GT(splits, 10u);

  // Unmap everything, run by run, then destroy: every page comes back.
  while (!model_.empty()) {
    uint64_t first = model_.begin()->first, n = 1;
    while (model_.count(first + n)) n++;
    ASSERT_EQ(sv39_unmap(&as_, Va(first), n * kPage, nullptr), NX_OK);
    for (uint64_t i = 0; i < n; i++) model_.erase(first + i);
  }
  CheckAgainstModel(-1, true);
  EXPECT_EQ(sv39_table_pages(&as_), 1u);
  sv39_destroy(&as_);
  EXPECT_EQ(quota_used(&env_.quota), 0u);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa), env_.free_at_start);
  EXPECT_EQ(page_alloc_check(&env_.pa), NX_OK);
}

// Random operations with a quota so small (the root and four tables) that
// maps and splits often run out, also after taking part of what they need: a
// failed call must leave the space, the quota and the allocator as they were.
TEST_F(Sv39ModelTest, RandomOperationsUnderATightQuota) {
  quota_t tight;
  ASSERT_EQ(quota_init(&tight, &env_.quota, 5), NX_OK);
  sv39_space_t s;
  ASSERT_EQ(sv39_init(&s, &env_.pa, &tight, nullptr, nullptr), NX_OK);
  std::map<uint64_t, Entry> model;
  int no_memory = 0, partial = 0, ok = 0;
  for (int step = 0; step < 3000; step++) {
    uint64_t first = rng_() % kPages, n = 1 + rng_() % 600;
    if (first + n > kPages) n = kPages - first;
    if (rng_() % 4 == 0) {
      first &= ~uint64_t{511};
      n = 512;
    }
    uint64_t pa = kFrames + (rng_() % 256) * kMega + (rng_() % 2 ? Va(first) % kMega : 0);
    if (rng_() % 10 == 0) {
      // Start over now and then, so that calls fail with part of what they
      // need already allocated.
      while (!model.empty()) {
        uint64_t run = model.begin()->first, len = 1;
        while (model.count(run + len)) len++;
        ASSERT_EQ(sv39_unmap(&s, Va(run), len * kPage, nullptr), NX_OK);
        for (uint64_t i = 0; i < len; i++) model.erase(run + i);
      }
      ASSERT_EQ(quota_used(&tight), 1u);
    }
    int err;
    size_t free_before = page_alloc_free_pages(&env_.pa);
    size_t used_before = quota_used(&tight);
    unsigned kind = rng_() % 3;
    if (kind == 0) {
      err = sv39_map(&s, Va(first), pa, n * kPage, R | U, nullptr);
      if (err == NX_OK) {
        for (uint64_t i = 0; i < n; i++) model[first + i] = {pa + i * kPage, R | U};
      }
    } else if (kind == 1) {
      err = sv39_unmap(&s, Va(first), n * kPage, nullptr);
      if (err == NX_OK) {
        for (uint64_t i = 0; i < n; i++) model.erase(first + i);
      }
    } else {
      sv39_perm_t perms = rng_() % 2 ? R | U : R | W | U;
      err = sv39_protect(&s, Va(first), n * kPage, perms, nullptr);
      if (err == NX_OK) {
        for (uint64_t i = 0; i < n; i++) model[first + i].perms = perms;
      }
    }
    if (err == NX_ERR_NO_MEMORY) {
      no_memory++;
      partial += used_before < 5;  // some of what it needed was allocated
      ASSERT_EQ(page_alloc_free_pages(&env_.pa), free_before) << "step " << step;
      ASSERT_EQ(quota_used(&tight), used_before) << "step " << step;
    } else if (err == NX_OK) {
      ok++;
    } else {
      ASSERT_TRUE(err == NX_ERR_INVALID_ARGS || err == NX_ERR_NOT_FOUND) << err;
    }
    // The space is exactly what the model says, failed or not.
    for (uint64_t page = first > 600 ? first - 600 : 0; page < kPages && page < first + 1200;
         page++) {
      sv39_mapping_t m;
      int lerr = sv39_lookup(&s, Va(page), &m);
      auto it = model.find(page);
      if (it == model.end()) {
        ASSERT_EQ(lerr, NX_ERR_NOT_FOUND) << "step " << step << " page " << page;
      } else {
        ASSERT_EQ(lerr, NX_OK) << "step " << step << " page " << page;
        ASSERT_EQ(m.pa, it->second.pa) << "step " << step << " page " << page;
        ASSERT_EQ(m.perms, it->second.perms) << "step " << step << " page " << page;
      }
    }
    ASSERT_EQ(sv39_check(&s), NX_OK) << "step " << step;
    ASSERT_EQ(quota_used(&tight), sv39_table_pages(&s));
  }
  EXPECT_GT(no_memory, 20);
  EXPECT_GT(partial, 20);
  EXPECT_GT(ok, 200);
  sv39_destroy(&s);
  EXPECT_EQ(quota_used(&tight), 0u);
  sv39_destroy(&as_);
  EXPECT_EQ(page_alloc_free_pages(&env_.pa), env_.free_at_start);
}

}  // namespace
