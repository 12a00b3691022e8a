#include "neuron/slab.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "kernel/mm/test_arena.h"
#include "neuron/errors.h"
#include "neuron/page_alloc.h"

namespace {

using mm_test::Arena;
using mm_test::kMiB;
using mm_test::kPage;

uintptr_t Addr(const void *p) { return reinterpret_cast<uintptr_t>(p); }

class SlabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(page_alloc_init(&pa_, 9, 0), NX_OK);
    ASSERT_EQ(page_alloc_add_range(&pa_, arena_.base(), arena_.size()), NX_OK);
    total_ = page_alloc_total_pages(&pa_);
  }

  Arena arena_{4 * kMiB, 2 * kMiB};
  page_alloc_t pa_;
  size_t total_ = 0;
};

TEST_F(SlabTest, InitRejectsBadArguments) {
  slab_cache_t c;
  EXPECT_EQ(slab_cache_init(nullptr, &pa_, "x", 32, 8), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(slab_cache_init(&c, nullptr, "x", 32, 8), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(slab_cache_init(&c, &pa_, "x", 0, 8), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(slab_cache_init(&c, &pa_, "x", 32, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(slab_cache_init(&c, &pa_, "x", 32, 24), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(slab_cache_init(&c, &pa_, "x", 32, 2 * kPage), NX_ERR_INVALID_ARGS);
  // Too large for a slab of 2^SLAB_MAX_ORDER pages, header included.
  EXPECT_EQ(slab_cache_init(&c, &pa_, "x", kPage << SLAB_MAX_ORDER, 8), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(slab_cache_init(&c, &pa_, "x", SIZE_MAX, 8), NX_ERR_INVALID_ARGS);
  // Too large for the allocator's largest block.
  page_alloc_t small;
  ASSERT_EQ(page_alloc_init(&small, 0, 0), NX_OK);
  EXPECT_EQ(slab_cache_init(&c, &small, "x", 5000, 8), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 0u);
}

TEST_F(SlabTest, SmallObjectsShareAPage) {
  slab_cache_t c;
  ASSERT_EQ(slab_cache_init(&c, &pa_, "small", 24, 8), NX_OK);
  EXPECT_EQ(slab_cache_slab_order(&c), 0u);
  const size_t n = slab_cache_objects_per_slab(&c);
  EXPECT_EQ(n, 168u);                   // (4096 - 40-byte header - 24-byte bitmap) / 24
  EXPECT_EQ(slab_cache_slabs(&c), 0u);  // no memory until the first object
  std::vector<void *> objs;
  for (size_t i = 0; i < n; i++) objs.push_back(slab_alloc(&c, 0));
  EXPECT_EQ(slab_cache_slabs(&c), 1u);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 1u);
  const uintptr_t page = Addr(objs[0]) & ~(kPage - 1);
  std::map<uintptr_t, int> seen;
  for (void *o : objs) {
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(Addr(o) % 8, 0u);
    EXPECT_EQ(Addr(o) & ~(kPage - 1), page);
    seen[Addr(o)]++;
  }
  EXPECT_EQ(seen.size(), n);
  for (auto it = seen.begin(); std::next(it) != seen.end(); ++it) {
    EXPECT_GE(std::next(it)->first - it->first, 24u);
  }
  EXPECT_EQ(slab_cache_in_use(&c), n);
  void *more = slab_alloc(&c, 0);
  ASSERT_NE(more, nullptr);
  EXPECT_EQ(slab_cache_slabs(&c), 2u);
  EXPECT_EQ(slab_cache_check(&c), NX_OK);
  EXPECT_EQ(slab_free(&c, more), NX_OK);
  for (void *o : objs) ASSERT_EQ(slab_free(&c, o), NX_OK);
  EXPECT_EQ(slab_cache_check(&c), NX_OK);
  EXPECT_EQ(slab_cache_destroy(&c), NX_OK);
  EXPECT_EQ(page_alloc_free_pages(&pa_), total_);
}

TEST_F(SlabTest, HonoursAlignment) {
  for (size_t align = 1; align <= kPage; align *= 2) {
    for (size_t size : {size_t{1}, size_t{13}, size_t{40}, size_t{100}}) {
      slab_cache_t c;
      ASSERT_EQ(slab_cache_init(&c, &pa_, "aligned", size, align), NX_OK) << align;
      EXPECT_GE(slab_cache_objects_per_slab(&c), size_t{SLAB_MIN_OBJECTS});
      EXPECT_LE(slab_cache_slab_order(&c), unsigned{SLAB_MAX_ORDER});
      std::vector<void *> objs;
      for (size_t i = 0; i < 2 * slab_cache_objects_per_slab(&c) + 1; i++) {
        void *o = slab_alloc(&c, 0);
        ASSERT_NE(o, nullptr);
        EXPECT_EQ(Addr(o) % align, 0u) << "align " << align << " size " << size;
        std::memset(o, 0x77, size);
        objs.push_back(o);
      }
      EXPECT_EQ(slab_cache_check(&c), NX_OK);
      for (void *o : objs) ASSERT_EQ(slab_free(&c, o), NX_OK);
      ASSERT_EQ(slab_cache_destroy(&c), NX_OK);
    }
  }
  EXPECT_EQ(page_alloc_free_pages(&pa_), total_);
  EXPECT_EQ(page_alloc_check(&pa_), NX_OK);
}

TEST_F(SlabTest, LargeObjectsUseLargerSlabs) {
  for (size_t size : {size_t{1000}, size_t{2048}, size_t{5000}, size_t{7000}}) {
    slab_cache_t c;
    ASSERT_EQ(slab_cache_init(&c, &pa_, "large", size, 8), NX_OK);
    const unsigned order = slab_cache_slab_order(&c);
    EXPECT_GT(order, 0u) << size;
    EXPECT_LE(order, unsigned{SLAB_MAX_ORDER});
    EXPECT_GE(slab_cache_objects_per_slab(&c), size_t{SLAB_MIN_OBJECTS});
    EXPECT_LE(slab_cache_objects_per_slab(&c) * size, kPage << order);
    void *o = slab_alloc(&c, 0);
    ASSERT_NE(o, nullptr);
    std::memset(o, 0x11, size);
    EXPECT_EQ(page_alloc_used_pages(&pa_), size_t{1} << order);
    EXPECT_EQ(slab_free(&c, o), NX_OK);
    EXPECT_EQ(slab_cache_destroy(&c), NX_OK);
    EXPECT_EQ(page_alloc_used_pages(&pa_), 0u);
  }
  // Fewer than SLAB_MIN_OBJECTS fit even in the largest slab: it is used.
  slab_cache_t c;
  ASSERT_EQ(slab_cache_init(&c, &pa_, "larger", 20000, 8), NX_OK);
  EXPECT_EQ(slab_cache_slab_order(&c), unsigned{SLAB_MAX_ORDER});
  EXPECT_EQ(slab_cache_objects_per_slab(&c), 3u);
}

TEST_F(SlabTest, OneObjectPerSlab) {
  // Too large for SLAB_MIN_OBJECTS per slab: one object fills a slab.
  slab_cache_t c;
  ASSERT_EQ(slab_cache_init(&c, &pa_, "huge", 60000, 8), NX_OK);
  EXPECT_EQ(slab_cache_objects_per_slab(&c), 1u);
  EXPECT_EQ(slab_cache_slab_order(&c), unsigned{SLAB_MAX_ORDER});
  void *a = slab_alloc(&c, 0);
  void *b = slab_alloc(&c, 0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(slab_cache_slabs(&c), 2u);
  EXPECT_EQ(slab_cache_check(&c), NX_OK);
  EXPECT_EQ(slab_free(&c, a), NX_OK);
  EXPECT_EQ(slab_free(&c, a), NX_ERR_NOT_FOUND);  // its slab is the kept empty one
  EXPECT_EQ(slab_free(&c, b), NX_OK);
  EXPECT_EQ(slab_free(&c, b), NX_ERR_INVALID_ARGS);  // its slab went back to the allocator
  EXPECT_EQ(slab_cache_slabs(&c), 1u);
  EXPECT_EQ(slab_cache_check(&c), NX_OK);
  void *again = slab_alloc(&c, 0);
  EXPECT_EQ(again, a);  // the kept slab is reused
  EXPECT_EQ(slab_free(&c, again), NX_OK);
  EXPECT_EQ(slab_cache_destroy(&c), NX_OK);
  EXPECT_EQ(page_alloc_free_pages(&pa_), total_);
}

TEST_F(SlabTest, FreeRejectsForeignPointers) {
  slab_cache_t c, other;
  ASSERT_EQ(slab_cache_init(&c, &pa_, "mine", 1000, 8), NX_OK);
  ASSERT_EQ(slab_cache_init(&other, &pa_, "other", 1000, 8), NX_OK);
  void *mine = slab_alloc(&c, 0);
  void *theirs = slab_alloc(&other, 0);
  ASSERT_NE(mine, nullptr);
  ASSERT_NE(theirs, nullptr);
  const unsigned order = slab_cache_slab_order(&c);
  const uintptr_t slab = Addr(mine) & ~((kPage << order) - 1);
  const size_t pages_used = page_alloc_used_pages(&pa_);
  // A block of the slab order that is not a slab.
  uintptr_t plain = page_alloc_alloc(&pa_, order, PAGE_ALLOC_ZERO);
  ASSERT_NE(plain, 0u);
  std::unique_ptr<uint8_t[]> heap(new uint8_t[64]);
  int local = 0;

  auto refused = [&](void *p) {
    EXPECT_EQ(slab_free(&c, p), NX_ERR_INVALID_ARGS) << p;
    EXPECT_EQ(slab_cache_in_use(&c), 1u);
    EXPECT_EQ(slab_cache_check(&c), NX_OK);
  };
  refused(nullptr);
  refused(heap.get());
  refused(&local);
  refused(reinterpret_cast<void *>(plain));
  refused(reinterpret_cast<void *>(plain + 1000));
  refused(theirs);                                        // another cache's object
  refused(static_cast<uint8_t *>(mine) + 8);              // inside an object
  refused(static_cast<uint8_t *>(mine) + 999);            // last byte of an object
  refused(reinterpret_cast<void *>(slab));                // the header
  refused(reinterpret_cast<void *>(slab + c.first - 8));  // the bitmap
  // Past the last object, on an object boundary: the slab's waste.
  ASSERT_LT(c.first + c.per_slab * c.stride, kPage << order);
  refused(reinterpret_cast<void *>(slab + c.first + c.per_slab * c.stride));
  refused(reinterpret_cast<void *>(arena_.base()));  // the page allocator's records
  EXPECT_EQ(slab_cache_in_use(&other), 1u);
  EXPECT_EQ(page_alloc_used_pages(&pa_), pages_used + (size_t{1} << order));

  EXPECT_EQ(slab_free(&c, mine), NX_OK);
  EXPECT_EQ(slab_free(&other, theirs), NX_OK);
  EXPECT_EQ(page_alloc_free(&pa_, plain, order), NX_OK);
}

TEST_F(SlabTest, FreeReadsNoMemoryOutsideItsSlabs) {
  // A foreign pointer need not point to readable memory: slab_free() asks
  // the page allocator before it reads a header, so an inaccessible page
  // is refused, not touched.
  void *none = mmap(nullptr, 4 * kPage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(none, MAP_FAILED);
  slab_cache_t c;
  ASSERT_EQ(slab_cache_init(&c, &pa_, "objs", 64, 8), NX_OK);
  for (size_t off : {size_t{0}, size_t{64}, 3 * kPage + 128}) {
    EXPECT_EQ(slab_free(&c, static_cast<uint8_t *>(none) + off), NX_ERR_INVALID_ARGS);
  }
  EXPECT_EQ(slab_cache_in_use(&c), 0u);
  EXPECT_EQ(slab_cache_destroy(&c), NX_OK);
  munmap(none, 4 * kPage);
}

TEST_F(SlabTest, FreeRejectsDoubleFrees) {
  slab_cache_t c;
  ASSERT_EQ(slab_cache_init(&c, &pa_, "objs", 64, 8), NX_OK);
  void *a = slab_alloc(&c, 0);
  void *b = slab_alloc(&c, 0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(slab_free(&c, a), NX_OK);
  EXPECT_EQ(slab_free(&c, a), NX_ERR_NOT_FOUND);
  EXPECT_EQ(slab_cache_in_use(&c), 1u);
  EXPECT_EQ(slab_cache_check(&c), NX_OK);
  // Objects never handed out are free too.
  EXPECT_EQ(slab_free(&c, static_cast<uint8_t *>(b) + 5 * c.stride), NX_ERR_NOT_FOUND);
  EXPECT_EQ(slab_free(&c, b), NX_OK);
  EXPECT_EQ(slab_free(&c, b), NX_ERR_NOT_FOUND);  // the slab is kept, empty
  EXPECT_EQ(slab_cache_in_use(&c), 0u);
  EXPECT_EQ(slab_cache_check(&c), NX_OK);
  // Nothing was lost: every object can be handed out once more.
  std::vector<void *> objs;
  for (size_t i = 0; i < slab_cache_objects_per_slab(&c); i++) objs.push_back(slab_alloc(&c, 0));
  EXPECT_EQ(slab_cache_slabs(&c), 1u);
  for (void *o : objs) EXPECT_EQ(slab_free(&c, o), NX_OK);
  EXPECT_EQ(slab_cache_destroy(&c), NX_OK);
}

TEST_F(SlabTest, KeepsAtMostOneEmptySlab) {
  slab_cache_t c;
  ASSERT_EQ(slab_cache_init(&c, &pa_, "objs", 256, 8), NX_OK);
  const size_t n = slab_cache_objects_per_slab(&c);
  std::vector<void *> objs;
  for (size_t i = 0; i < 4 * n; i++) objs.push_back(slab_alloc(&c, 0));
  EXPECT_EQ(slab_cache_slabs(&c), 4u);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 4u);
  // Free everything: three slabs go back, one stays for the next alloc.
  for (void *o : objs) ASSERT_EQ(slab_free(&c, o), NX_OK);
  EXPECT_EQ(slab_cache_in_use(&c), 0u);
  EXPECT_EQ(slab_cache_slabs(&c), 1u);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 1u);
  EXPECT_EQ(slab_cache_check(&c), NX_OK);
  // Alloc/free at a slab boundary does not churn pages.
  for (int i = 0; i < 10; i++) {
    void *o = slab_alloc(&c, 0);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(page_alloc_used_pages(&pa_), 1u);
    ASSERT_EQ(slab_free(&c, o), NX_OK);
  }
  EXPECT_EQ(slab_cache_destroy(&c), NX_OK);
  EXPECT_EQ(page_alloc_used_pages(&pa_), 0u);
}

TEST_F(SlabTest, CheckNoticesInconsistentState) {
  slab_cache_t c;
  ASSERT_EQ(slab_cache_init(&c, &pa_, "objs", 64, 8), NX_OK);
  void *a = slab_alloc(&c, 0);
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(slab_cache_check(&c), NX_OK);
  c.in_use++;
  EXPECT_EQ(slab_cache_check(&c), NX_ERR_BAD_FORMAT);
  c.in_use--;
  c.slabs++;
  EXPECT_EQ(slab_cache_check(&c), NX_ERR_BAD_FORMAT);
  c.slabs--;
  std::swap(c.partial, c.full);  // a slab with free objects on the full list
  EXPECT_EQ(slab_cache_check(&c), NX_ERR_BAD_FORMAT);
  std::swap(c.partial, c.full);
  EXPECT_EQ(slab_cache_check(&c), NX_OK);
  EXPECT_EQ(slab_free(&c, a), NX_OK);
  EXPECT_EQ(slab_cache_destroy(&c), NX_OK);
}

TEST_F(SlabTest, DestroyWaitsForTheLastObject) {
  slab_cache_t c;
  ASSERT_EQ(slab_cache_init(&c, &pa_, "objs", 128, 8), NX_OK);
  void *o = slab_alloc(&c, 0);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(slab_cache_destroy(&c), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(slab_cache_check(&c), NX_OK);
  EXPECT_EQ(slab_free(&c, o), NX_OK);
  EXPECT_EQ(slab_cache_destroy(&c), NX_OK);
  EXPECT_EQ(page_alloc_free_pages(&pa_), total_);
  // A destroyed cache hands out nothing and takes nothing back.
  EXPECT_EQ(slab_alloc(&c, 0), nullptr);
  EXPECT_EQ(slab_free(&c, o), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(slab_cache_destroy(&c), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(slab_alloc(nullptr, 0), nullptr);
  EXPECT_EQ(slab_free(nullptr, o), NX_ERR_INVALID_ARGS);
}

TEST(SlabExhaustionTest, FailsCleanlyWhenPagesRunOut) {
  Arena arena(2 * kMiB, 2 * kMiB);
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  ASSERT_EQ(page_alloc_add_range(&pa, arena.base(), 16 * kPage), NX_OK);
  ASSERT_EQ(page_alloc_total_pages(&pa), 15u);
  slab_cache_t c;
  ASSERT_EQ(slab_cache_init(&c, &pa, "objs", 24, 8), NX_OK);
  std::vector<void *> objs;
  for (void *o; (o = slab_alloc(&c, 0)) != nullptr;) objs.push_back(o);
  EXPECT_EQ(objs.size(), 15 * slab_cache_objects_per_slab(&c));
  EXPECT_EQ(page_alloc_free_pages(&pa), 0u);
  EXPECT_EQ(slab_alloc(&c, SLAB_ZERO), nullptr);
  EXPECT_EQ(slab_cache_in_use(&c), objs.size());
  EXPECT_EQ(slab_cache_check(&c), NX_OK);
  for (void *o : objs) ASSERT_EQ(slab_free(&c, o), NX_OK);
  EXPECT_EQ(slab_cache_destroy(&c), NX_OK);
  EXPECT_EQ(page_alloc_free_pages(&pa), 15u);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
}

TEST_F(SlabTest, ZeroesOnlyWhenAsked) {
  slab_cache_t c;
  ASSERT_EQ(slab_cache_init(&c, &pa_, "objs", 100, 8), NX_OK);
  void *keep = slab_alloc(&c, 0);  // keeps the slab from emptying
  void *a = slab_alloc(&c, 0);
  ASSERT_NE(a, nullptr);
  std::memset(a, 0xee, 100);
  ASSERT_EQ(slab_free(&c, a), NX_OK);
  void *b = slab_alloc(&c, SLAB_ZERO);
  ASSERT_EQ(b, a);  // the last freed object comes back first
  const auto *p = static_cast<const uint8_t *>(b);
  for (size_t i = 0; i < 100; i++) ASSERT_EQ(p[i], 0) << i;
  std::memset(b, 0xee, 100);
  ASSERT_EQ(slab_free(&c, b), NX_OK);
  void *d = slab_alloc(&c, 0);
  ASSERT_EQ(d, a);
  // Unzeroed: past the free-list link, the old contents are still there.
  p = static_cast<const uint8_t *>(d);
  for (size_t i = 8; i < 100; i++) ASSERT_EQ(p[i], 0xee) << i;
  EXPECT_EQ(slab_free(&c, d), NX_OK);
  EXPECT_EQ(slab_free(&c, keep), NX_OK);
  EXPECT_EQ(slab_cache_destroy(&c), NX_OK);
}

TEST_F(SlabTest, RepairsAFreeListDamagedByAWriteAfterFree) {
  slab_cache_t c;
  ASSERT_EQ(slab_cache_init(&c, &pa_, "objs", 32, 8), NX_OK);
  const size_t n = slab_cache_objects_per_slab(&c);
  std::vector<void *> objs;
  for (size_t i = 0; i < 4; i++) objs.push_back(slab_alloc(&c, 0));
  ASSERT_EQ(slab_free(&c, objs[1]), NX_OK);
  ASSERT_EQ(slab_free(&c, objs[2]), NX_OK);
  // Use after free: scribble over the freed objects' link words.
  std::memset(objs[2], 0xff, 32);
  std::memset(objs[1], 0x01, 32);
  EXPECT_EQ(slab_cache_check(&c), NX_ERR_BAD_FORMAT);
  // Allocation notices and rebuilds the list from the bitmap: the slab
  // still hands out each of its objects exactly once.
  std::map<uintptr_t, int> seen = {{Addr(objs[0]), 1}, {Addr(objs[3]), 1}};
  for (size_t i = 2; i < n; i++) {
    void *o = slab_alloc(&c, 0);
    ASSERT_NE(o, nullptr);
    ASSERT_EQ(seen[Addr(o)]++, 0) << "handed out twice: " << o;
  }
  EXPECT_EQ(slab_cache_slabs(&c), 1u);
  EXPECT_EQ(slab_cache_in_use(&c), n);
  EXPECT_EQ(slab_cache_check(&c), NX_OK);
  for (auto [a, count] : seen) ASSERT_EQ(slab_free(&c, reinterpret_cast<void *>(a)), NX_OK);
  EXPECT_EQ(slab_cache_destroy(&c), NX_OK);
}

TEST(SlabMapTest, WorksThroughTheMapOffset) {
  // Physical 0x80000000.. seen at the arena: objects are kernel pointers,
  // slabs physical blocks.
  Arena arena(2 * kMiB, 2 * kMiB);
  const uintptr_t phys = 0x80000000;
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, arena.base() - phys), NX_OK);
  ASSERT_EQ(page_alloc_add_range(&pa, phys, arena.size()), NX_OK);
  slab_cache_t c;
  ASSERT_EQ(slab_cache_init(&c, &pa, "mapped", 200, 64), NX_OK);
  std::vector<void *> objs;
  for (size_t i = 0; i < 3 * slab_cache_objects_per_slab(&c); i++) {
    void *o = slab_alloc(&c, SLAB_ZERO);
    ASSERT_NE(o, nullptr);
    ASSERT_TRUE(arena.Contains(Addr(o), 200));
    ASSERT_EQ(Addr(o) % 64, 0u);
    objs.push_back(o);
  }
  EXPECT_EQ(page_alloc_used_pages(&pa), 3u << slab_cache_slab_order(&c));
  EXPECT_EQ(slab_cache_check(&c), NX_OK);
  // The physical address of an object is not a kernel pointer.
  EXPECT_EQ(slab_free(&c, reinterpret_cast<void *>(Addr(objs[0]) - (arena.base() - phys))),
            NX_ERR_INVALID_ARGS);
  for (void *o : objs) ASSERT_EQ(slab_free(&c, o), NX_OK);
  EXPECT_EQ(slab_cache_destroy(&c), NX_OK);
  EXPECT_EQ(page_alloc_used_pages(&pa), 0u);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
}

// Thousands of random allocations and frees in two caches sharing a small
// page allocator, through exhaustion, with every invariant checked after
// each step.
TEST(SlabRandomTest, InvariantsHoldUnderRandomTraffic) {
  Arena arena(2 * kMiB, 2 * kMiB);
  page_alloc_t pa;
  ASSERT_EQ(page_alloc_init(&pa, 9, 0), NX_OK);
  ASSERT_EQ(page_alloc_add_range(&pa, arena.base(), 1 * kMiB), NX_OK);
  const size_t total = page_alloc_total_pages(&pa);
  std::vector<size_t> initial_blocks;
  for (unsigned k = 0; k <= 9; k++) initial_blocks.push_back(page_alloc_free_blocks(&pa, k));

  struct Cache {
    slab_cache_t c;
    size_t size;
    std::map<uintptr_t, uint8_t> live;  // object -> fill byte
  } caches[2];
  caches[0].size = 48;
  caches[1].size = 700;
  ASSERT_EQ(slab_cache_init(&caches[0].c, &pa, "small", 48, 16), NX_OK);
  ASSERT_EQ(slab_cache_init(&caches[1].c, &pa, "large", 700, 64), NX_OK);
  ASSERT_GT(slab_cache_slab_order(&caches[1].c), 0u);

  std::mt19937 rng(7031);
  std::map<uintptr_t, size_t> all;  // every live object of both caches -> size
  int allocs = 0, failures = 0, double_frees = 0;
  for (int step = 0; step < 20000; step++) {
    Cache &k = caches[rng() % 2];
    slab_cache_t *c = &k.c;
    if (k.live.empty() || rng() % 100 < 60) {
      void *o = slab_alloc(c, rng() % 4 == 0 ? SLAB_ZERO : 0);
      if (!o) {
        // Only when no partial or empty slab is left and no block of the
        // slab order is free.
        ASSERT_EQ(c->partial, nullptr);
        ASSERT_EQ(c->empty, nullptr);
        for (unsigned o2 = slab_cache_slab_order(c); o2 <= 9; o2++) {
          ASSERT_EQ(page_alloc_free_blocks(&pa, o2), 0u);
        }
        failures++;
      } else {
        const uintptr_t a = Addr(o);
        ASSERT_EQ(a % (c == &caches[0].c ? 16 : 64), 0u);
        ASSERT_TRUE(arena.Contains(a, k.size));
        auto next = all.lower_bound(a);
        if (next != all.end()) ASSERT_LE(a + k.size, next->first);
        if (next != all.begin()) {
          auto prev = std::prev(next);
          ASSERT_LE(prev->first + prev->second, a);
        }
        const uint8_t fill = static_cast<uint8_t>(rng());
        std::memset(o, fill, k.size);
        k.live[a] = fill;
        all[a] = k.size;
        allocs++;
      }
    } else {
      auto it = k.live.begin();
      std::advance(it, rng() % k.live.size());
      const uintptr_t a = it->first;
      const auto *p = reinterpret_cast<const uint8_t *>(a);
      for (size_t i = 0; i < k.size; i++) ASSERT_EQ(p[i], it->second) << i;
      const size_t slabs = slab_cache_slabs(c);
      ASSERT_EQ(slab_free(c, reinterpret_cast<void *>(a)), NX_OK);
      k.live.erase(it);
      all.erase(a);
      if (rng() % 8 == 0) {
        // Freed again: still in a slab of the cache, or its slab is gone.
        const int want = slab_cache_slabs(c) < slabs ? NX_ERR_INVALID_ARGS : NX_ERR_NOT_FOUND;
        ASSERT_EQ(slab_free(c, reinterpret_cast<void *>(a)), want);
        // And never accepted by the other cache.
        ASSERT_EQ(slab_free(&caches[c == &caches[0].c ? 1 : 0].c, reinterpret_cast<void *>(a)),
                  NX_ERR_INVALID_ARGS);
        double_frees++;
      }
    }
    size_t pages = 0;
    for (Cache &each : caches) {
      ASSERT_EQ(slab_cache_check(&each.c), NX_OK) << "step " << step;
      ASSERT_EQ(slab_cache_in_use(&each.c), each.live.size());
      // Every slab but the one kept empty holds at least one object.
      ASSERT_LE(slab_cache_slabs(&each.c), each.live.size() + 1);
      pages += slab_cache_slabs(&each.c) << slab_cache_slab_order(&each.c);
    }
    ASSERT_EQ(page_alloc_used_pages(&pa), pages);
    ASSERT_EQ(page_alloc_check(&pa), NX_OK);
  }
  EXPECT_GT(allocs, 5000);
  EXPECT_GT(failures, 0);
  EXPECT_GT(double_frees, 100);

  for (Cache &each : caches) {
    for (auto [a, fill] : each.live)
      ASSERT_EQ(slab_free(&each.c, reinterpret_cast<void *>(a)), NX_OK);
    EXPECT_LE(slab_cache_slabs(&each.c), 1u);
    EXPECT_EQ(slab_cache_destroy(&each.c), NX_OK);
  }
  EXPECT_EQ(page_alloc_free_pages(&pa), total);
  for (unsigned k = 0; k <= 9; k++) EXPECT_EQ(page_alloc_free_blocks(&pa, k), initial_blocks[k]);
  EXPECT_EQ(page_alloc_check(&pa), NX_OK);
}

}  // namespace
