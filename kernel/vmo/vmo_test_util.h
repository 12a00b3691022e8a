// Test helpers shared by the VMO tests: a fixture with an allocator, quotas
// and address spaces that must all be given back at the end, and a check
// that the two lists every mapping is on (its VMO's, its space's) agree.
#ifndef NEURON_VMO_TEST_UTIL_H
#define NEURON_VMO_TEST_UTIL_H

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <vector>

#include "kernel/vm/test_env.h"
#include "neuron/errors.h"
#include "neuron/page_alloc.h"
#include "neuron/quota.h"
#include "neuron/rights.h"
#include "neuron/sv39.h"
#include "neuron/vmo.h"
#include "neuron/vmo_map.h"

namespace vmo_test {

using vm_test::Env;
using vm_test::kMega;
using vm_test::kPage;

constexpr uint32_t kR = NX_RIGHT_READ, kW = NX_RIGHT_WRITE, kX = NX_RIGHT_EXECUTE,
                   kMap = NX_RIGHT_MAP;
constexpr uint32_t kAll = NX_RIGHTS_ALL;
constexpr uint64_t kUser = 0x10000000;  // a user address, 2 MiB aligned
constexpr int kSpaces = 3;

// Whether the mapping lists of spaces and vmos (every VMO with a mapping in
// those spaces, and only such spaces) agree: each list is well linked, its
// count is right, each record names the list it is on, and the records on
// the space lists are exactly those on the VMO lists, each on one of each.
inline ::testing::AssertionResult ListsConsistent(const std::vector<const vmo_space_t *> &spaces,
                                                  const std::vector<const vmo_t *> &vmos) {
  std::set<const vmo_mapping_t *> on_spaces, on_vmos;
  for (const vmo_space_t *vs : spaces) {
    size_t n = 0;
    const vmo_mapping_t *prev = nullptr;
    for (const vmo_mapping_t *m = vs->mappings; m; prev = m, m = m->space_next, n++) {
      if (m->space_prev != prev) return ::testing::AssertionFailure() << "space_prev link";
      if (m->vs != vs) return ::testing::AssertionFailure() << "mapping on another space's list";
      if (!on_spaces.insert(m).second) return ::testing::AssertionFailure() << "on two spaces";
    }
    if (n != vs->count) return ::testing::AssertionFailure() << n << " != count " << vs->count;
  }
  for (const vmo_t *vmo : vmos) {
    size_t n = 0;
    const vmo_mapping_t *prev = nullptr;
    for (const vmo_mapping_t *m = vmo->mappings; m; prev = m, m = m->next, n++) {
      if (m->prev != prev) return ::testing::AssertionFailure() << "prev link";
      if (m->vmo != vmo) return ::testing::AssertionFailure() << "mapping on another VMO's list";
      if (!on_vmos.insert(m).second) return ::testing::AssertionFailure() << "on two VMOs";
    }
    if (n != vmo->mapping_count) {
      return ::testing::AssertionFailure() << n << " != mapping_count " << vmo->mapping_count;
    }
  }
  if (on_spaces != on_vmos) {
    return ::testing::AssertionFailure()
           << on_spaces.size() << " mappings on space lists, " << on_vmos.size() << " on VMO lists";
  }
  return ::testing::AssertionSuccess();
}

class VmoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.ok());
    ASSERT_EQ(vmo_system_init(&sys_, &env_.pa), NX_OK);
    ASSERT_EQ(quota_init(&vq_, &env_.quota, QUOTA_UNLIMITED), NX_OK);
    ASSERT_EQ(quota_init(&sq_, &env_.quota, QUOTA_UNLIMITED), NX_OK);
    for (int i = 0; i < kSpaces; i++) {
      ASSERT_EQ(sv39_init(&as_[i], &env_.pa, &sq_, nullptr, nullptr), NX_OK);
      vmo_space_init(&vs_[i], &as_[i]);
    }
  }

  // Everything given back: no VMO, no table page beyond the roots, no quota.
  void TearDown() override {
    for (const auto &vs : vs_) {
      EXPECT_EQ(vs.mappings, nullptr);
      EXPECT_EQ(vs.count, 0u);
    }
    for (auto &as : as_) {
      EXPECT_EQ(sv39_table_pages(&as), 1u);
      EXPECT_EQ(sv39_check(&as), NX_OK);
      sv39_destroy(&as);
    }
    EXPECT_EQ(sys_.live, 0u);
    EXPECT_EQ(vmo_system_destroy(&sys_), NX_OK);
    EXPECT_EQ(quota_used(&vq_), 0u);
    EXPECT_EQ(quota_used(&sq_), 0u);
    EXPECT_EQ(quota_used(&env_.quota), 0u);
    EXPECT_EQ(page_alloc_free_pages(&env_.pa), env_.free_at_start);
    EXPECT_EQ(page_alloc_check(&env_.pa), NX_OK);
  }

  vmo_t *Create(uint64_t size, uint32_t flags = 0) {
    vmo_t *vmo = nullptr;
    EXPECT_EQ(vmo_create(&sys_, size, flags, &vq_, &vmo), NX_OK);
    return vmo;
  }

  // The physical address of a user access at va, or 0 on a fault.
  uint64_t Translate(const sv39_space_t &as, uint64_t va, unsigned access) {
    uint64_t pa = 0;
    if (sv39_translate(&as, va, access | SV39_ACCESS_USER, &pa) != SV39_OK) return 0;
    return pa;
  }

  bool Mapped(const sv39_space_t &as, uint64_t va) {
    sv39_mapping_t m;
    return sv39_lookup(&as, va, &m) == NX_OK;
  }

  Env env_{16 << 20};
  vmo_system_t sys_;
  quota_t vq_;  // VMOs are charged here ...
  quota_t sq_;  // ... page tables here
  sv39_space_t as_[kSpaces];
  vmo_space_t vs_[kSpaces];  // the mapping lists of as_
};

}  // namespace vmo_test

#endif
