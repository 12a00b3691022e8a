// The Sv39 tests' fixture: an address space over host memory standing in
// for RAM (test_env.h) whose teardown checks that every page came back,
// helpers that look translations up or reach entries to write by hand, and
// the permissions and addresses the tests use. Shared by sv39_test.cc,
// sv39_mmu_test.cc and sv39_kernel_test.cc.
#ifndef KERNEL_VM_SV39_TEST_FIXTURE_H
#define KERNEL_VM_SV39_TEST_FIXTURE_H

#include <gtest/gtest.h>

#include <cstdint>

#include "kernel/vm/test_env.h"
#include "neuron/errors.h"
#include "neuron/page_alloc.h"
#include "neuron/quota.h"
#include "neuron/sv39.h"

namespace sv39_test {

using vm_test::Env;
using vm_test::kGiga;
using vm_test::kMega;
using vm_test::kPage;

constexpr sv39_perm_t R = SV39_PERM_R, W = SV39_PERM_W, X = SV39_PERM_X, U = SV39_PERM_U,
                      G = SV39_PERM_G;

constexpr uint64_t kUser = 0x10000000;          // a user address, 2 MiB aligned
constexpr uint64_t kKernel = SV39_KERNEL_BASE;  // the start of the kernel half
constexpr uint64_t kFrames = 0x80000000;        // "physical" frames (never touched)

// The table a pointer entry points to (its physical address).
inline uint64_t TableOf(uint64_t pte) {
  return ((pte & SV39_PTE_PPN_MASK) >> SV39_PTE_PPN_SHIFT) << 12;
}

// The entry for va at level, reached through valid pointers (map offset 0:
// physical addresses are host addresses), for tests that write entries by
// hand.
inline uint64_t *PteAt(const sv39_space_t &as, uint64_t va, unsigned level) {
  uint64_t table = as.root;
  for (unsigned l = SV39_LEVELS - 1; l > level; l--) {
    table = TableOf(reinterpret_cast<uint64_t *>(table)[(va >> (12 + 9 * l)) & 511]);
  }
  return &reinterpret_cast<uint64_t *>(table)[(va >> (12 + 9 * level)) & 511];
}

class Sv39Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.ok());
    ASSERT_EQ(quota_init(&task_, &env_.quota, QUOTA_UNLIMITED), NX_OK);
    ASSERT_EQ(sv39_init(&as_, &env_.pa, &task_, nullptr, nullptr), NX_OK);
    EXPECT_EQ(sv39_table_pages(&as_), 1u);
    EXPECT_EQ(quota_used(&task_), 1u);
  }

  // Destroying the space gives back every page it took.
  void TearDown() override {
    sv39_destroy(&as_);
    EXPECT_EQ(quota_used(&task_), 0u);
    EXPECT_EQ(quota_used(&env_.quota), 0u);
    EXPECT_EQ(page_alloc_free_pages(&env_.pa), env_.free_at_start);
    EXPECT_EQ(page_alloc_check(&env_.pa), NX_OK);
  }

  // The translation of va: pa, or ~0 if not mapped; *size and *perms if given.
  uint64_t Pa(uint64_t va, uint64_t *size = nullptr, sv39_perm_t *perms = nullptr) {
    return PaIn(as_, va, size, perms);
  }
  static uint64_t PaIn(const sv39_space_t &as, uint64_t va, uint64_t *size = nullptr,
                       sv39_perm_t *perms = nullptr) {
    sv39_mapping_t m;
    int err = sv39_lookup(&as, va, &m);
    if (err != NX_OK) {
      EXPECT_EQ(err, NX_ERR_NOT_FOUND) << std::hex << va;
      return ~uint64_t{0};
    }
    if (size) *size = m.page_size;
    if (perms) *perms = m.perms;
    return m.pa;
  }
  uint64_t PageSize(uint64_t va) {
    uint64_t size = 0;
    Pa(va, &size);
    return size;
  }
  sv39_perm_t Perms(uint64_t va) {
    sv39_perm_t perms = 0;
    Pa(va, nullptr, &perms);
    return perms;
  }
  void ExpectUnmapped(uint64_t va, uint64_t size) {
    for (uint64_t off = 0; off < size; off += kPage) {
      sv39_mapping_t m;
      EXPECT_EQ(sv39_lookup(&as_, va + off, &m), NX_ERR_NOT_FOUND) << std::hex << va + off;
    }
  }

  Env env_{8 << 20};
  quota_t task_;
  sv39_space_t as_;
};

}  // namespace sv39_test

#endif  // KERNEL_VM_SV39_TEST_FIXTURE_H
