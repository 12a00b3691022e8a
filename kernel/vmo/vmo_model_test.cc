// A randomized test of VMOs against a reference model. Thousands of steps
// (create, map, unmap by VMO or by address alone, unmap_all, space teardown,
// kernel writes and reads, user stores through a mapping, handle release,
// and capabilities derived, closed and revoked) across three address spaces;
// after every step the model must agree with what each space maps where
// (through sv39_lookup() and the software MMU), with every VMO's contents,
// references and mappings, which capability each mapping is attributed to,
// with both mapping lists (each record on one VMO's and one space's), with
// the quota (the pages the live VMOs hold), the page allocator and the copy
// counter.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "kernel/vm/test_env.h"
#include "kernel/vmo/vmo_test_util.h"
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
constexpr size_t kMaxCaps = 40;
constexpr int kSteps = 20000;

struct ModelVmo {
  vmo_t *vmo;
  bool handle;  // the creator's reference is still held (capabilities hold one each)
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
  uint64_t serial;  // the capability it is attributed to
  bool via_child;
};

// A capability to a VMO: a node of the derivation tree (serials grow
// downwards, as in kernel/object). Each holds a reference to its VMO.
struct ModelCap {
  int id;
  uint64_t parent;  // 0: a root
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
    for (int s = 0; s < kSpaces; s++) {
      ASSERT_EQ(sv39_init(&as_[s], &env_.pa, &sq_, nullptr, nullptr), NX_OK);
      vmo_space_init(&vs_[s], &as_[s]);
    }
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

  // A live VMO id with a handle (or, if caps_too, a capability), or -1.
  int PickVmo(bool caps_too = false) {
    std::vector<int> ids;
    for (auto &[id, v] : vmos_) {
      if (v.handle || (caps_too && CapsOf(id) > 0)) ids.push_back(id);
    }
    return ids.empty() ? -1 : ids[Pick(ids.size())];
  }

  // A capability's serial (of VMO id if id >= 0), or 0 if there is none.
  uint64_t PickCap(int id = -1) {
    std::vector<uint64_t> serials;
    for (auto &[serial, c] : caps_) {
      if (id < 0 || c.id == id) serials.push_back(serial);
    }
    return serials.empty() ? 0 : serials[Pick(serials.size())];
  }

  size_t CapsOf(int id) const {
    size_t n = 0;
    for (auto &[serial, c] : caps_) n += c.id == id;
    return n;
  }

  size_t MappingsOf(int id) const {
    size_t n = 0;
    for (const ModelMapping &m : maps_) n += m.id == id;
    return n;
  }

  // The model's side of a reference going: a VMO with no handle, no
  // capability and no mapping is gone.
  void MaybeFree(int id) {
    if (!vmos_.at(id).handle && CapsOf(id) == 0 && MappingsOf(id) == 0) vmos_.erase(id);
  }

  void RemoveMapping(size_t index) {
    const ModelMapping m = maps_[index];
    for (size_t i = 0; i < m.count; i++) pages_[m.space].erase(m.first + i);
    maps_.erase(maps_.begin() + static_cast<std::ptrdiff_t>(index));
    MaybeFree(m.id);
  }

  // Removes the mappings pred accepts (freeing VMOs only once all are gone,
  // so a VMO is not looked up after its model went), marks their spaces in
  // spaces (may be null), counts the VMOs freed; returns how many it removed.
  template <typename Pred>
  size_t RemoveMappingsWhere(Pred pred, std::set<int> *spaces = nullptr) {
    std::set<int> ids;
    size_t removed = 0;
    for (size_t i = maps_.size(); i-- > 0;) {
      const ModelMapping m = maps_[i];
      if (!pred(m)) continue;
      ids.insert(m.id);
      if (spaces) spaces->insert(m.space);
      for (size_t p = 0; p < m.count; p++) pages_[m.space].erase(m.first + p);
      maps_.erase(maps_.begin() + static_cast<std::ptrdiff_t>(i));
      removed++;
    }
    size_t live = vmos_.size();
    for (int id : ids) MaybeFree(id);
    freed_by_unmap_ += static_cast<int>(live - vmos_.size());
    return removed;
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
    int id = next_id_++;
    vmos_[id] = {vmo, true, contiguous, pages, committed, std::vector<uint8_t>(pages * kPage, 0)};
    // Mostly with a capability of its own to map, derive from and revoke.
    if (Pick(4) != 0 && caps_.size() < kMaxCaps) {
      vmo_retain(vmo);
      caps_[next_serial_++] = {id, 0};
    }
  }

  void StepMap() {
    int id = PickVmo(true);
    if (id < 0) return;
    ModelVmo &v = vmos_.at(id);
    // Through one of its capabilities, or (with a handle) through none.
    uint64_t serial = v.handle && Pick(8) == 0 ? 0 : PickCap(id);
    int space = static_cast<int>(Pick(kSpaces));
    uint64_t first = Pick(kWindowPages - 4);
    size_t offset = Pick(v.pages + 1);
    size_t count = 1 + Pick(std::min<size_t>(v.pages, kWindowPages - first));
    uint32_t rights = 0, prot = 0;
    for (uint32_t r : {NX_RIGHT_READ, NX_RIGHT_WRITE, NX_RIGHT_EXECUTE, NX_RIGHT_MAP}) {
      if (Pick(4) != 0) rights |= r;
    }
    // Half the time a capability made for mapping, so that many maps work.
    if (Pick(2)) rights |= NX_RIGHT_MAP | NX_RIGHT_READ | NX_RIGHT_WRITE;
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
    int err = vmo_map(v.vmo, &vs_[space], Va(first), offset * kPage, count * kPage, rights, prot,
                      serial, &rec, &flush);
    ASSERT_EQ(err, want);
    map_results_[err]++;
    if (err != NX_OK) {
      ASSERT_EQ(flush.flags, 0u);
      return;
    }
    ASSERT_EQ(flush.flags, SV39_FLUSH_NEW);
    ASSERT_EQ(rec, vmo_find_mapping(v.vmo, &vs_[space], Va(first)));
    sv39_perm_t perms =
        SV39_PERM_U | (r ? SV39_PERM_R : 0) | (w ? SV39_PERM_W : 0) | (x ? SV39_PERM_X : 0);
    maps_.push_back({space, first, id, offset, count, perms, serial, false});
    for (size_t i = 0; i < count; i++) pages_[space][first + i] = {id, offset + i, perms};
  }

  void StepUnmap() {
    if (!maps_.empty() && Pick(5) != 0) {
      size_t index = Pick(maps_.size());
      const ModelMapping &m = maps_[index];
      sv39_flush_t flush = {0, 0, 0};
      ASSERT_EQ(vmo_unmap(vmos_.at(m.id).vmo, &vs_[m.space], Va(m.first), &flush), NX_OK);
      ASSERT_NE(flush.flags & SV39_FLUSH_LEAF, 0u);
      size_t live = vmos_.size();
      RemoveMapping(index);
      freed_by_unmap_ += vmos_.size() < live;
      return;
    }
    // Not a mapping of this VMO: nothing may change.
    int id = PickVmo();
    if (id < 0) return;
    int space = static_cast<int>(Pick(kSpaces));
    uint64_t first = Pick(kWindowPages);
    for (const ModelMapping &m : maps_) {
      if (m.id == id && m.space == space && m.first == first) return;
    }
    sv39_flush_t flush = {0, 0, 0};
    ASSERT_EQ(vmo_unmap(vmos_.at(id).vmo, &vs_[space], Va(first), &flush), NX_ERR_NOT_FOUND);
    ASSERT_EQ(flush.flags, 0u);
  }

  // The unmap syscall: an address alone.
  void StepUnmapAt() {
    int space = static_cast<int>(Pick(kSpaces));
    uint64_t first = Pick(kWindowPages);
    bool starts = false;
    for (const ModelMapping &m : maps_) starts |= m.space == space && m.first == first;
    sv39_flush_t flush = {0, 0, 0};
    int err = vmo_unmap_at(&vs_[space], Va(first), &flush);
    if (!starts) {
      ASSERT_EQ(err, NX_ERR_NOT_FOUND);
      ASSERT_EQ(flush.flags, 0u);
      return;
    }
    ASSERT_EQ(err, NX_OK);
    ASSERT_NE(flush.flags & SV39_FLUSH_LEAF, 0u);
    RemoveMappingsWhere(
        [&](const ModelMapping &m) { return m.space == space && m.first == first; });
  }

  // A task's teardown.
  void StepSpaceUnmapAll() {
    int space = static_cast<int>(Pick(kSpaces));
    bool any = false;
    for (const ModelMapping &m : maps_) any |= m.space == space;
    sv39_flush_t flush = {0, 0, 0};
    ASSERT_EQ(vmo_space_unmap_all(&vs_[space], &flush), NX_OK);
    ASSERT_EQ((flush.flags & SV39_FLUSH_LEAF) != 0, any);
    RemoveMappingsWhere([&](const ModelMapping &m) { return m.space == space; });
    ASSERT_EQ(sv39_table_pages(&as_[space]), 1u);
  }

  // A new capability: a root (from the creator's handle) or a child of one.
  void StepDerive() {
    if (caps_.size() >= kMaxCaps) return;
    uint64_t parent = Pick(8) == 0 ? 0 : PickCap();
    int id = parent ? caps_.at(parent).id : PickVmo();
    if (id < 0) return;
    vmo_retain(vmos_.at(id).vmo);
    caps_[next_serial_++] = {id, parent};
  }

  // Its holder closes a capability: its children and its mappings move up.
  void StepClose() {
    uint64_t serial = PickCap();
    if (serial == 0) return;
    const ModelCap c = caps_.at(serial);
    vmo_t *vmo = vmos_.at(c.id).vmo;
    vmo_flush_set_t flushes = {};
    vmo_cap_removed(vmo, serial, c.parent, false, &flushes);
    ASSERT_EQ(flushes.count, 0u);
    for (auto &[s, child] : caps_) {
      if (child.parent == serial) child.parent = c.parent;
    }
    for (ModelMapping &m : maps_) {
      if (m.serial != serial) continue;
      m.serial = c.parent;
      m.via_child = true;
      reattributed_++;
    }
    caps_.erase(serial);
    vmo_release(vmo);
    MaybeFree(c.id);
  }

  // A revoke of a capability as kernel/object runs it: vmo_cap_revoking()
  // once, then the first child of the root again and again, its own first
  // child moved up to the root if it has one, else removed.
  void StepRevoke() {
    // Half the time one that reaches a mapping: an ancestor of the
    // capability it is attributed to, or that capability if it came through
    // a closed child. Else any, mostly one something is derived from.
    uint64_t root = 0;
    const ModelMapping *target = maps_.empty() ? nullptr : &maps_[Pick(maps_.size())];
    if (target && target->serial && Pick(2)) {
      root = target->serial;
      if (!target->via_child || Pick(2)) {
        for (size_t up = 1 + Pick(3); up > 0 && caps_.at(root).parent; up--) {
          root = caps_.at(root).parent;
        }
      }
    } else {
      root = PickCap();
      if (root == 0) return;
      if (caps_.at(root).parent && Pick(4) != 0) root = caps_.at(root).parent;
    }
    int id = caps_.at(root).id;
    vmo_t *vmo = vmos_.at(id).vmo;  // the root's reference keeps it
    vmo_flush_set_t flushes = {};
    vmo_cap_revoking(vmo, root, &flushes);
    std::set<int> spaces;  // that lost a mapping: each owes a fence
    revoked_via_child_ += RemoveMappingsWhere(
        [&](const ModelMapping &m) { return m.serial == root && m.via_child; }, &spaces);
    auto first_child = [&](uint64_t parent) -> uint64_t {
      for (auto &[s, c] : caps_) {
        if (c.parent == parent) return s;
      }
      return 0;
    };
    for (uint64_t child; (child = first_child(root)) != 0;) {
      if (uint64_t grandchild = first_child(child)) {
        caps_.at(grandchild).parent = root;
        continue;
      }
      vmo_cap_removed(vmo, child, root, true, &flushes);
      revoked_ +=
          RemoveMappingsWhere([&](const ModelMapping &m) { return m.serial == child; }, &spaces);
      caps_.erase(child);
      vmo_release(vmo);
    }
    ASSERT_EQ(flushes.count, spaces.size());
  }

  void StepUnmapAll() {
    int id = PickVmo();
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
    int id = PickVmo();
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
    int id = PickVmo();
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
    int id = PickVmo();
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
    // Every VMO: references, mappings and what they are attributed to,
    // contents (read through the kernel's view, not vmo_read(), so the copy
    // counter stays the model's).
    size_t committed = 0;
    std::vector<const vmo_t *> live;
    for (auto &[id, v] : vmos_) {
      size_t mappings = MappingsOf(id);
      ASSERT_EQ(v.vmo->obj.refs, (v.handle ? 1u : 0u) + CapsOf(id) + mappings);
      ASSERT_EQ(v.vmo->mapping_count, mappings);
      for (const ModelMapping &m : maps_) {
        if (m.id != id) continue;
        const vmo_mapping_t *rec = vmo_find_mapping(v.vmo, &vs_[m.space], Va(m.first));
        ASSERT_NE(rec, nullptr);
        ASSERT_EQ(rec->offset, m.offset * kPage);
        ASSERT_EQ(rec->size, m.count * kPage);
        ASSERT_EQ(rec->cap_serial, m.serial);
        ASSERT_EQ(rec->via_child, m.via_child);
      }
      live.push_back(v.vmo);
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
    // Each record on exactly one VMO list and one space list.
    ASSERT_TRUE(vmo_test::ListsConsistent({&vs_[0], &vs_[1], &vs_[2]}, live));
    for (int s = 0; s < kSpaces; s++) {
      size_t n = 0;
      for (const ModelMapping &m : maps_) n += m.space == s;
      ASSERT_EQ(vs_[s].count, n);
    }
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
  vmo_space_t vs_[kSpaces];
  std::mt19937_64 rng_{0x766d6f};
  std::map<int, ModelVmo> vmos_;
  std::vector<ModelMapping> maps_;
  std::map<uint64_t, ModelCap> caps_;  // by serial
  uint64_t next_serial_ = 1;
  std::map<uint64_t, PageEntry> pages_[kSpaces];
  int next_id_ = 0;
  uint64_t copied_ = 0;
  std::map<int, int> map_results_;  // vmo_map() results seen
  int create_refused_ = 0;
  int freed_by_unmap_ = 0;        // VMOs whose last mapping took them
  int reattributed_ = 0;          // mappings moved up by a close
  size_t revoked_ = 0;            // mappings a revoke removed with their capability
  size_t revoked_via_child_ = 0;  // ... through a closed descendant
};

TEST_F(VmoModelTest, RandomOperationsMatchTheModel) {
  // Each step with its weight (out of 100).
  struct Step {
    const char *name;
    int weight;
    std::function<void()> run;
    int count;
  } steps[] = {
      {"create", 11, [this] { StepCreate(); }, 0},
      {"map", 26, [this] { StepMap(); }, 0},
      {"unmap", 5, [this] { StepUnmap(); }, 0},
      {"unmap_at", 3, [this] { StepUnmapAt(); }, 0},
      {"unmap_all", 1, [this] { StepUnmapAll(); }, 0},
      {"space_unmap_all", 1, [this] { StepSpaceUnmapAll(); }, 0},
      {"write", 8, [this] { StepWrite(); }, 0},
      {"read", 7, [this] { StepRead(); }, 0},
      {"user_store", 8, [this] { StepUserStore(); }, 0},
      {"release", 7, [this] { StepRelease(); }, 0},
      {"derive", 9, [this] { StepDerive(); }, 0},
      {"close", 7, [this] { StepClose(); }, 0},
      {"revoke", 7, [this] { StepRevoke(); }, 0},
  };
  for (int step = 0; step < kSteps; step++) {
    SCOPED_TRACE(step);
    int op = static_cast<int>(Pick(100));
    for (Step &s : steps) {
      if ((op -= s.weight) >= 0) continue;
      ASSERT_NO_FATAL_FAILURE(s.run());
      s.count++;
      break;
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
  EXPECT_GT(reattributed_, 20);
  EXPECT_GT(revoked_, 20u);
  EXPECT_GT(revoked_via_child_, 5u);
  for (const Step &s : steps) std::printf("%s %d, ", s.name, s.count);
  std::printf(
      "\ncreated %d refused %d freed-by-unmap %d; map: ok %d denied %d invalid %d range %d; "
      "capabilities %llu, mappings re-attributed %d, revoked %zu (via a child %zu)\n",
      next_id_, create_refused_, freed_by_unmap_, map_results_[NX_OK],
      map_results_[NX_ERR_ACCESS_DENIED], map_results_[NX_ERR_INVALID_ARGS],
      map_results_[NX_ERR_OUT_OF_RANGE], static_cast<unsigned long long>(next_serial_ - 1),
      reattributed_, revoked_, revoked_via_child_);

  // Tear every space down, then close every capability and handle: all
  // pages come back.
  for (int s = 0; s < kSpaces; s++) {
    ASSERT_EQ(vmo_space_unmap_all(&vs_[s], nullptr), NX_OK);
    RemoveMappingsWhere([&](const ModelMapping &m) { return m.space == s; });
  }
  ASSERT_TRUE(maps_.empty());
  while (!caps_.empty()) ASSERT_NO_FATAL_FAILURE(StepClose());
  for (auto it = vmos_.begin(); it != vmos_.end();) {
    vmo_t *vmo = it->second.vmo;
    ++it;
    vmo_release(vmo);  // only VMOs with a handle are left
  }
  vmos_.clear();
  ASSERT_NO_FATAL_FAILURE(CheckAll(true));
}

}  // namespace
