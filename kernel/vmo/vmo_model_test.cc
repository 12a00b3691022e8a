// A randomized test of VMOs against a reference model. Thousands of steps
// (create, map, unmap, unmap_all, kernel writes and reads, user stores
// through a mapping, handle release) across three address spaces; after
// every step the model must agree with what each space maps where (through
// sv39_lookup() and the software MMU), with every VMO's contents, references
// and mappings, with the quota (the pages the live VMOs hold), the page
// allocator and the copy counter.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "kernel/vm/test_env.h"
#include "neuron/errors.h"
#include "neuron/page_alloc.h"
#include "neuron/quota.h"
#include "neuron/rights.h"
#include "neuron/sv39.h"
#include "neuron/vmo.h"
#include "neuron/vmo_map.h"

namespace {

using vm_test::Env;
using vm_test::kMega;
using vm_test::kPage;

constexpr int kSpaces = 3;
constexpr uint64_t kWindowPages = 48;
// Across a 2 MiB line, so level-0 tables come and go.
constexpr uint64_t kBase = 0x10000000 + kMega - 16 * kPage;
constexpr size_t kQuotaLimit = 80;  // pages: creation fails now and then
constexpr size_t kMaxVmos = 12;
constexpr int kSteps = 5000;

struct ModelVmo {
  vmo_t *vmo;
  bool handle;  // the creator's reference is still held
  bool contiguous;
  size_t pages;
  size_t committed;
  std::vector<uint8_t> data;
};

struct ModelMapping {
  int space;
  uint64_t first;  // window page
  int id;
  size_t offset;  // VMO page
  size_t count;   // pages
  sv39_perm_t perms;
};

struct PageEntry {
  int id;
  size_t page;
  sv39_perm_t perms;
};

// What the quota is charged for a VMO, worked out independently of vmo.c.
size_t ExpectedCommitted(size_t pages, bool contiguous) {
  auto pow2 = [](size_t n) {
    size_t p = 1;
    while (p < n) p *= 2;
    return p;
  };
  if (contiguous) return pow2(pages);
  if (pages <= VMO_INLINE_PAGES) return pages;
  return pages + pow2((pages * sizeof(uintptr_t) + kPage - 1) / kPage);
}

class VmoModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.ok());
    ASSERT_EQ(vmo_system_init(&sys_, &env_.pa), NX_OK);
    ASSERT_EQ(quota_init(&vq_, nullptr, kQuotaLimit), NX_OK);
    ASSERT_EQ(quota_init(&sq_, nullptr, QUOTA_UNLIMITED), NX_OK);
    for (auto &as : as_) ASSERT_EQ(sv39_init(&as, &env_.pa, &sq_, nullptr, nullptr), NX_OK);
  }

  void TearDown() override {
    for (auto &as : as_) sv39_destroy(&as);
    EXPECT_EQ(vmo_system_destroy(&sys_), NX_OK);
    EXPECT_EQ(quota_used(&vq_), 0u);
    EXPECT_EQ(quota_used(&sq_), 0u);
    EXPECT_EQ(page_alloc_free_pages(&env_.pa), env_.free_at_start);
    EXPECT_EQ(page_alloc_check(&env_.pa), NX_OK);
  }

  uint64_t Va(uint64_t page) const { return kBase + page * kPage; }
  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }

  // A live VMO id (with a handle if need_handle), or -1.
  int PickVmo(bool need_handle) {
    std::vector<int> ids;
    for (auto &[id, v] : vmos_) {
      if (v.handle || !need_handle) ids.push_back(id);
    }
    return ids.empty() ? -1 : ids[Pick(ids.size())];
  }

  size_t MappingsOf(int id) const {
    size_t n = 0;
    for (const ModelMapping &m : maps_) n += m.id == id;
    return n;
  }

  // The model's side of a reference going: a VMO with no handle and no
  // mapping is gone.
  void MaybeFree(int id) {
    if (!vmos_.at(id).handle && MappingsOf(id) == 0) vmos_.erase(id);
  }

  void RemoveMapping(size_t index) {
    const ModelMapping m = maps_[index];
    for (size_t i = 0; i < m.count; i++) pages_[m.space].erase(m.first + i);
    maps_.erase(maps_.begin() + static_cast<std::ptrdiff_t>(index));
    MaybeFree(m.id);
  }

  void StepCreate() {
    if (vmos_.size() >= kMaxVmos) return;
    size_t pages = 1 + Pick(10);
    bool contiguous = Pick(4) == 0;
    size_t committed = ExpectedCommitted(pages, contiguous);
    uint64_t size = pages * kPage - (Pick(2) ? Pick(kPage) : 0);  // rounded up
    vmo_t *vmo = nullptr;
    int err = vmo_create(&sys_, size, contiguous ? VMO_CONTIGUOUS : 0, &vq_, &vmo);
    if (quota_used(&vq_) + (err == NX_OK ? 0 : committed) > kQuotaLimit) {
      ASSERT_EQ(err, NX_ERR_NO_MEMORY);
      create_refused_++;
      return;
    }
    ASSERT_EQ(err, NX_OK);
    ASSERT_EQ(vmo_size(vmo), pages * kPage);
    ASSERT_EQ(vmo_committed_pages(vmo), committed);
    vmos_[next_id_++] = {vmo,   true,      contiguous,
                         pages, committed, std::vector<uint8_t>(pages * kPage, 0)};
  }

  void StepMap() {
    int id = PickVmo(true);
    if (id < 0) return;
    ModelVmo &v = vmos_.at(id);
    int space = static_cast<int>(Pick(kSpaces));
    uint64_t first = Pick(kWindowPages - 4);
    size_t offset = Pick(v.pages + 1);
    size_t count = 1 + Pick(std::min<size_t>(v.pages, kWindowPages - first));
    uint32_t rights = 0, prot = 0;
    for (uint32_t r : {NX_RIGHT_READ, NX_RIGHT_WRITE, NX_RIGHT_EXECUTE, NX_RIGHT_MAP}) {
      if (Pick(4) != 0) rights |= r;
    }
    for (uint32_t r : {NX_RIGHT_READ, NX_RIGHT_WRITE, NX_RIGHT_EXECUTE}) {
      if (Pick(3) == 0) prot |= r;
    }
    if (Pick(2)) prot = Pick(2) ? NX_RIGHT_READ : NX_RIGHT_READ | NX_RIGHT_WRITE;

    // The documented order of the checks.
    bool r = prot & NX_RIGHT_READ, w = prot & NX_RIGHT_WRITE, x = prot & NX_RIGHT_EXECUTE;
    int want = NX_OK;
    if (!(rights & NX_RIGHT_MAP)) {
      want = NX_ERR_ACCESS_DENIED;
    } else if ((!r && !x) || (w && !r) || (w && x)) {
      want = NX_ERR_INVALID_ARGS;
    } else if (prot & ~rights) {
      want = NX_ERR_ACCESS_DENIED;
    } else if (offset + count > v.pages) {
      want = NX_ERR_OUT_OF_RANGE;
    } else if (MappingsOf(id) >= VMO_MAX_MAPPINGS) {
      want = NX_ERR_NO_MEMORY;
    } else {
      for (size_t i = 0; i < count; i++) {
        if (pages_[space].count(first + i)) want = NX_ERR_INVALID_ARGS;
      }
    }
    sv39_flush_t flush = {0, 0, 0};
    vmo_mapping_t *rec = nullptr;
    int err = vmo_map(v.vmo, &as_[space], Va(first), offset * kPage, count * kPage, rights, prot,
                      &rec, &flush);
    ASSERT_EQ(err, want);
    map_results_[err]++;
    if (err != NX_OK) {
      ASSERT_EQ(flush.flags, 0u);
      return;
    }
    ASSERT_EQ(flush.flags, SV39_FLUSH_NEW);
    ASSERT_EQ(rec, vmo_find_mapping(v.vmo, &as_[space], Va(first)));
    sv39_perm_t perms =
        SV39_PERM_U | (r ? SV39_PERM_R : 0) | (w ? SV39_PERM_W : 0) | (x ? SV39_PERM_X : 0);
    maps_.push_back({space, first, id, offset, count, perms});
    for (size_t i = 0; i < count; i++) pages_[space][first + i] = {id, offset + i, perms};
  }

  void StepUnmap() {
    if (!maps_.empty() && Pick(5) != 0) {
      size_t index = Pick(maps_.size());
      const ModelMapping &m = maps_[index];
      sv39_flush_t flush = {0, 0, 0};
      ASSERT_EQ(vmo_unmap(vmos_.at(m.id).vmo, &as_[m.space], Va(m.first), &flush), NX_OK);
      ASSERT_NE(flush.flags & SV39_FLUSH_LEAF, 0u);
      size_t live = vmos_.size();
      RemoveMapping(index);
      freed_by_unmap_ += vmos_.size() < live;
      return;
    }
    // Not a mapping of this VMO: nothing may change.
    int id = PickVmo(true);
    if (id < 0) return;
    int space = static_cast<int>(Pick(kSpaces));
    uint64_t first = Pick(kWindowPages);
    for (const ModelMapping &m : maps_) {
      if (m.id == id && m.space == space && m.first == first) return;
    }
    sv39_flush_t flush = {0, 0, 0};
    ASSERT_EQ(vmo_unmap(vmos_.at(id).vmo, &as_[space], Va(first), &flush), NX_ERR_NOT_FOUND);
    ASSERT_EQ(flush.flags, 0u);
  }

  void StepUnmapAll() {
    int id = PickVmo(true);
    if (id < 0) return;
    vmo_flush_set_t flushes = {};
    ASSERT_EQ(vmo_unmap_all(vmos_.at(id).vmo, &flushes), NX_OK);
    size_t spaces = 0;
    bool seen[kSpaces] = {};
    for (const ModelMapping &m : maps_) {
      if (m.id == id && !seen[m.space]) seen[m.space] = true, spaces++;
    }
    ASSERT_EQ(flushes.count, spaces);
    for (size_t i = maps_.size(); i-- > 0;) {
      if (maps_[i].id == id) RemoveMapping(i);
    }
  }

  // Offsets and lengths mostly inside the VMO, sometimes past its end or
  // wrapping.
  void RandomRange(const ModelVmo &v, uint64_t *offset, size_t *len, bool *ok) {
    uint64_t size = v.pages * kPage;
    switch (Pick(8)) {
      case 0:
        *offset = size - Pick(8);
        *len = 1 + Pick(16);
        break;
      case 1:
        *offset = UINT64_MAX - Pick(8);
        *len = 1 + Pick(16);
        break;
      default:
        *offset = Pick(size);
        *len = Pick(std::min<uint64_t>(size - *offset, 3 * kPage) + 1);
    }
    *ok = *offset <= size && *len <= size - *offset;
  }

  void StepWrite() {
    int id = PickVmo(true);
    if (id < 0) return;
    ModelVmo &v = vmos_.at(id);
    uint64_t offset;
    size_t len;
    bool ok;
    RandomRange(v, &offset, &len, &ok);
    std::vector<uint8_t> buf(std::min<size_t>(len, 4 * kPage));
    for (auto &b : buf) b = static_cast<uint8_t>(rng_());
    if (!ok) {
      ASSERT_EQ(vmo_write(v.vmo, offset, buf.data(), len), NX_ERR_OUT_OF_RANGE);
      return;
    }
    ASSERT_EQ(vmo_write(v.vmo, offset, buf.data(), len), NX_OK);
    std::memcpy(v.data.data() + offset, buf.data(), len);
    copied_ += len;
  }

  void StepRead() {
    int id = PickVmo(true);
    if (id < 0) return;
    ModelVmo &v = vmos_.at(id);
    uint64_t offset;
    size_t len;
    bool ok;
    RandomRange(v, &offset, &len, &ok);
    std::vector<uint8_t> buf(std::min<size_t>(len, 4 * kPage) + 1, 0xee);
    if (!ok) {
      ASSERT_EQ(vmo_read(v.vmo, offset, buf.data(), len), NX_ERR_OUT_OF_RANGE);
      return;
    }
    ASSERT_EQ(vmo_read(v.vmo, offset, buf.data(), len), NX_OK);
    ASSERT_EQ(std::memcmp(buf.data(), v.data.data() + offset, len), 0);
    ASSERT_EQ(buf[len], 0xee);  // nothing past len
    copied_ += len;
  }

  // A user store through a writable mapping: no kernel copy.
  void StepUserStore() {
    std::vector<size_t> writable;
    for (size_t i = 0; i < maps_.size(); i++) {
      if (maps_[i].perms & SV39_PERM_W) writable.push_back(i);
    }
    if (writable.empty()) return;
    const ModelMapping &m = maps_[writable[Pick(writable.size())]];
    size_t page = Pick(m.count);
    uint64_t in_page = Pick(kPage);
    uint64_t pa = 0;
    ASSERT_EQ(sv39_translate(&as_[m.space], Va(m.first + page) + in_page,
                             SV39_ACCESS_WRITE | SV39_ACCESS_USER, &pa),
              SV39_OK);
    uint8_t value = static_cast<uint8_t>(rng_());
    *static_cast<uint8_t *>(page_alloc_ptr(&env_.pa, pa)) = value;
    vmos_.at(m.id).data[(m.offset + page) * kPage + in_page] = value;
  }

  void StepRelease() {
    int id = PickVmo(true);
    if (id < 0) return;
    vmo_release(vmos_.at(id).vmo);
    vmos_.at(id).handle = false;
    MaybeFree(id);
  }

  void CheckAll(bool deep) {
    // Every page of every window, as the MMU sees it.
    for (int s = 0; s < kSpaces; s++) {
      for (uint64_t p = 0; p < kWindowPages; p++) {
        sv39_mapping_t got;
        int err = sv39_lookup(&as_[s], Va(p), &got);
        auto it = pages_[s].find(p);
        if (it == pages_[s].end()) {
          ASSERT_EQ(err, NX_ERR_NOT_FOUND) << "space " << s << " page " << p;
          continue;
        }
        ASSERT_EQ(err, NX_OK) << "space " << s << " page " << p;
        const ModelVmo &v = vmos_.at(it->second.id);
        ASSERT_EQ(got.pa, vmo_page_phys(v.vmo, it->second.page));
        ASSERT_EQ(got.perms, it->second.perms);
        uint64_t pa = 0;
        bool writable =
            sv39_translate(&as_[s], Va(p), SV39_ACCESS_WRITE | SV39_ACCESS_USER, &pa) == SV39_OK;
        ASSERT_EQ(writable, (it->second.perms & SV39_PERM_W) != 0);
      }
    }
    // Every VMO: references, mappings, contents (read through the kernel's
    // view, not vmo_read(), so the copy counter stays the model's).
    size_t committed = 0;
    for (auto &[id, v] : vmos_) {
      size_t mappings = MappingsOf(id);
      ASSERT_EQ(v.vmo->obj.refs, (v.handle ? 1u : 0u) + mappings);
      ASSERT_EQ(v.vmo->mapping_count, mappings);
      for (const ModelMapping &m : maps_) {
        if (m.id != id) continue;
        const vmo_mapping_t *rec = vmo_find_mapping(v.vmo, &as_[m.space], Va(m.first));
        ASSERT_NE(rec, nullptr);
        ASSERT_EQ(rec->offset, m.offset * kPage);
        ASSERT_EQ(rec->size, m.count * kPage);
      }
      for (size_t p = 0; p < v.pages; p++) {
        const void *page = page_alloc_ptr(&env_.pa, vmo_page_phys(v.vmo, p));
        ASSERT_EQ(std::memcmp(page, v.data.data() + p * kPage, kPage), 0) << "vmo " << id;
      }
      if (v.contiguous) {
        ASSERT_EQ(vmo_page_phys(v.vmo, v.pages - 1),
                  vmo_page_phys(v.vmo, 0) + (v.pages - 1) * kPage);
      }
      committed += v.committed;
    }
    ASSERT_EQ(sys_.live, vmos_.size());
    ASSERT_EQ(quota_used(&vq_), committed);
    ASSERT_EQ(vmo_copy_bytes(&sys_), copied_);
    size_t tables = 0;
    for (auto &as : as_) tables += sv39_table_pages(&as);
    ASSERT_EQ(quota_used(&sq_), tables);
    // Every page the allocator handed out is accounted for.
    ASSERT_EQ(page_alloc_used_pages(&env_.pa), page_alloc_total_pages(&env_.pa) -
                                                   env_.free_at_start + committed + tables +
                                                   vmo_system_slab_pages(&sys_));
    if (deep) {
      ASSERT_EQ(page_alloc_check(&env_.pa), NX_OK);
      for (auto &as : as_) ASSERT_EQ(sv39_check(&as), NX_OK);
      ASSERT_EQ(slab_cache_check(&sys_.vmos), NX_OK);
      ASSERT_EQ(slab_cache_check(&sys_.mappings), NX_OK);
    }
  }

  Env env_{16 << 20};
  vmo_system_t sys_;
  quota_t vq_, sq_;
  sv39_space_t as_[kSpaces];
  std::mt19937_64 rng_{0x766d6f};
  std::map<int, ModelVmo> vmos_;
  std::vector<ModelMapping> maps_;
  std::map<uint64_t, PageEntry> pages_[kSpaces];
  int next_id_ = 0;
  uint64_t copied_ = 0;
  std::map<int, int> map_results_;  // vmo_map() results seen
  int create_refused_ = 0;
  int freed_by_unmap_ = 0;  // VMOs whose last mapping took them
};

TEST_F(VmoModelTest, RandomOperationsMatchTheModel) {
  size_t counts[8] = {};
  for (int step = 0; step < kSteps; step++) {
    SCOPED_TRACE(step);
    size_t op = Pick(100);
    if (op < 12) {
      StepCreate();
      counts[0]++;
    } else if (op < 40) {
      StepMap();
      counts[1]++;
    } else if (op < 55) {
      StepUnmap();
      counts[2]++;
    } else if (op < 58) {
      StepUnmapAll();
      counts[3]++;
    } else if (op < 70) {
      StepWrite();
      counts[4]++;
    } else if (op < 80) {
      StepRead();
      counts[5]++;
    } else if (op < 92) {
      StepUserStore();
      counts[6]++;
    } else {
      StepRelease();
      counts[7]++;
    }
    ASSERT_NO_FATAL_FAILURE(CheckAll(step % 250 == 0));
  }
  // The run did reach the interesting states.
  EXPECT_GT(next_id_, 100);
  EXPECT_GT(create_refused_, 10);
  EXPECT_GT(freed_by_unmap_, 10);
  for (int err : {NX_OK, NX_ERR_ACCESS_DENIED, NX_ERR_INVALID_ARGS, NX_ERR_OUT_OF_RANGE}) {
    EXPECT_GT(map_results_[err], 20) << err;
  }
  for (size_t c : counts) std::printf("%zu ", c);
  std::printf(
      "\ncreated %d refused %d freed-by-unmap %d; map: ok %d denied %d invalid %d range %d\n",
      next_id_, create_refused_, freed_by_unmap_, map_results_[NX_OK],
      map_results_[NX_ERR_ACCESS_DENIED], map_results_[NX_ERR_INVALID_ARGS],
      map_results_[NX_ERR_OUT_OF_RANGE]);

  // Revoke and release everything: all pages come back.
  for (auto it = vmos_.begin(); it != vmos_.end();) {
    int id = it->first;
    ++it;
    vmo_t *vmo = vmos_.at(id).vmo;
    bool handle = vmos_.at(id).handle;
    if (!handle) vmo_retain(vmo);  // a reference for the revoker
    ASSERT_EQ(vmo_unmap_all(vmo, nullptr), NX_OK);
    vmo_release(vmo);
  }
  vmos_.clear();
  maps_.clear();
  for (auto &p : pages_) p.clear();
  ASSERT_NO_FATAL_FAILURE(CheckAll(true));
}

}  // namespace
