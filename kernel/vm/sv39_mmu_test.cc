// The software MMU (sv39_translate), which stands in for the hardware walk
// on the host: privilege and permission rules, and the faults on entries the
// hardware rejects.
#include <gtest/gtest.h>

#include <cstdint>

#include "kernel/vm/sv39_test_fixture.h"
#include "neuron/errors.h"
#include "neuron/sv39.h"

namespace sv39_test {
namespace {

// ---- The software MMU ----

TEST_F(Sv39Test, TranslateAppliesPrivilegeAndPermissionRules) {
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames, kPage, R | W | U, nullptr), NX_OK);
  ASSERT_EQ(sv39_map(&as_, kUser + kPage, kFrames + kPage, kPage, X | U, nullptr), NX_OK);
  ASSERT_EQ(sv39_map(&as_, kUser + 2 * kPage, kFrames + 2 * kPage, kPage, R | X | U, nullptr),
            NX_OK);
  ASSERT_EQ(sv39_map(&as_, kKernel, kFrames + 3 * kPage, kPage, R | W | G, nullptr), NX_OK);
  const unsigned Rd = SV39_ACCESS_READ, Wr = SV39_ACCESS_WRITE, Ex = SV39_ACCESS_EXEC,
                 User = SV39_ACCESS_USER, Sum = SV39_ACCESS_SUM, Mxr = SV39_ACCESS_MXR;
  struct Case {
    uint64_t va;
    unsigned access;
    sv39_fault_t want;
  } cases[] = {
      {kUser, Rd | User, SV39_OK},
      {kUser, Wr | User, SV39_OK},
      {kUser, Ex | User, SV39_FAULT_PERMISSION},
      {kUser, Rd, SV39_FAULT_PERMISSION},  // S-mode, SUM clear
      {kUser, Rd | Sum, SV39_OK},
      {kUser, Wr | Sum, SV39_OK},
      {kUser + kPage, Ex | User, SV39_OK},
      {kUser + kPage, Rd | User, SV39_FAULT_PERMISSION},  // execute-only
      {kUser + kPage, Rd | User | Mxr, SV39_OK},
      {kUser + 2 * kPage, Ex | Sum, SV39_FAULT_PERMISSION},  // S never executes U pages
      {kUser + 2 * kPage, Wr | User, SV39_FAULT_PERMISSION},
      {kKernel, Rd, SV39_OK},
      {kKernel, Wr, SV39_OK},
      {kKernel, Ex, SV39_FAULT_PERMISSION},
      {kKernel, Rd | User, SV39_FAULT_PERMISSION},  // U bit required from U-mode
      {kKernel, Wr | User | Sum, SV39_FAULT_PERMISSION},
      {kUser + 3 * kPage, Rd | User, SV39_FAULT_INVALID},
      {kKernel + kGiga, Rd, SV39_FAULT_INVALID},
      {uint64_t{1} << 38, Rd, SV39_FAULT_NONCANONICAL},
      {kUser, Rd | Wr | User, SV39_FAULT_PERMISSION},  // not one access
      {kUser, User, SV39_FAULT_PERMISSION},
  };
  for (const auto &c : cases) {
    uint64_t pa = 0;
    EXPECT_EQ(sv39_translate(&as_, c.va + 0x10, c.access, &pa), c.want)
        << std::hex << c.va << " access " << c.access;
    if (c.want == SV39_OK) EXPECT_EQ(pa, Pa(c.va) + 0x10);
  }
  sv39_mapping_t m;
  EXPECT_EQ(sv39_lookup(&as_, uint64_t{1} << 38, &m), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(sv39_lookup(&as_, kKernel, &m), NX_OK);
  EXPECT_EQ(m.perms, R | W | G);
  ASSERT_EQ(sv39_unmap(&as_, kUser, 3 * kPage, nullptr), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, kKernel, kPage, nullptr), NX_OK);
}

// Entries the hardware rejects, written by hand into a valid space and put
// back afterwards.
TEST_F(Sv39Test, TranslateFaultsOnMalformedEntries) {
  ASSERT_EQ(sv39_map(&as_, kUser, kFrames, kPage, R | W | U, nullptr), NX_OK);
  ASSERT_EQ(sv39_map(&as_, kUser + kMega, kFrames + kMega, kMega, R | U, nullptr), NX_OK);
  uint64_t *leaf = PteAt(as_, kUser, 0);
  uint64_t *mega = PteAt(as_, kUser + kMega, 1);
  uint64_t *pointer = PteAt(as_, kUser, 1);
  const uint64_t leaf0 = *leaf, mega0 = *mega, pointer0 = *pointer;
  ASSERT_EQ(leaf0 & (SV39_PTE_V | SV39_PTE_R | SV39_PTE_W | SV39_PTE_U | SV39_PTE_A | SV39_PTE_D),
            SV39_PTE_V | SV39_PTE_R | SV39_PTE_W | SV39_PTE_U | SV39_PTE_A | SV39_PTE_D);

  auto fault = [&](uint64_t va, unsigned access) {
    uint64_t pa = 0;
    return sv39_translate(&as_, va, access | SV39_ACCESS_USER, &pa);
  };
  auto lookup = [&](uint64_t va) {
    sv39_mapping_t m;
    return sv39_lookup(&as_, va, &m);
  };
  struct Case {
    uint64_t *entry;
    uint64_t value;
    uint64_t va;
    unsigned access;
    sv39_fault_t want;
    int lookup_err;
  } cases[] = {
      // A leaf with W but not R is reserved.
      {leaf, leaf0 & ~SV39_PTE_R, kUser, SV39_ACCESS_WRITE, SV39_FAULT_RESERVED, NX_ERR_BAD_FORMAT},
      // W and X without R: still reserved.
      {leaf, (leaf0 & ~SV39_PTE_R) | SV39_PTE_X, kUser, SV39_ACCESS_EXEC, SV39_FAULT_RESERVED,
       NX_ERR_BAD_FORMAT},
      // Bits 63..54 are reserved (N, PBMT without their extensions).
      {leaf, leaf0 | (uint64_t{1} << 54), kUser, SV39_ACCESS_READ, SV39_FAULT_RESERVED,
       NX_ERR_BAD_FORMAT},
      {leaf, leaf0 | (uint64_t{1} << 63), kUser, SV39_ACCESS_READ, SV39_FAULT_RESERVED,
       NX_ERR_BAD_FORMAT},
      // A megapage whose frame is not 2 MiB aligned.
      {mega, mega0 + (uint64_t{1} << SV39_PTE_PPN_SHIFT), kUser + kMega, SV39_ACCESS_READ,
       SV39_FAULT_MISALIGNED, NX_ERR_BAD_FORMAT},
      // A, D or U on a pointer.
      {pointer, pointer0 | SV39_PTE_A, kUser, SV39_ACCESS_READ, SV39_FAULT_RESERVED,
       NX_ERR_BAD_FORMAT},
      {pointer, pointer0 | SV39_PTE_U, kUser, SV39_ACCESS_READ, SV39_FAULT_RESERVED,
       NX_ERR_BAD_FORMAT},
      // A pointer at level 0.
      {leaf, leaf0 & ~(SV39_PTE_R | SV39_PTE_W | SV39_PTE_X | SV39_PTE_U | SV39_PTE_A | SV39_PTE_D),
       kUser, SV39_ACCESS_READ, SV39_FAULT_TOO_DEEP, NX_ERR_NOT_FOUND},
      // Invalid.
      {leaf, leaf0 & ~SV39_PTE_V, kUser, SV39_ACCESS_READ, SV39_FAULT_INVALID, NX_ERR_NOT_FOUND},
      // Svade: A clear faults; D clear faults on a write only.
      {leaf, leaf0 & ~SV39_PTE_A, kUser, SV39_ACCESS_READ, SV39_FAULT_ACCESSED, NX_OK},
      {leaf, leaf0 & ~SV39_PTE_D, kUser, SV39_ACCESS_WRITE, SV39_FAULT_ACCESSED, NX_OK},
      {leaf, leaf0 & ~SV39_PTE_D, kUser, SV39_ACCESS_READ, SV39_OK, NX_OK},
  };
  for (const auto &c : cases) {
    *c.entry = c.value;
    EXPECT_EQ(fault(c.va, c.access), c.want) << std::hex << c.value;
    EXPECT_EQ(lookup(c.va), c.lookup_err) << std::hex << c.value;
    if (c.want != SV39_OK && c.lookup_err != NX_OK) EXPECT_EQ(sv39_check(&as_), NX_ERR_BAD_FORMAT);
    *c.entry = (c.entry == leaf) ? leaf0 : (c.entry == mega) ? mega0 : pointer0;
  }
  EXPECT_EQ(fault(kUser, SV39_ACCESS_WRITE), SV39_OK);
  EXPECT_EQ(fault(kUser + kMega, SV39_ACCESS_READ), SV39_OK);
  EXPECT_EQ(sv39_check(&as_), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, kUser, kPage, nullptr), NX_OK);
  ASSERT_EQ(sv39_unmap(&as_, kUser + kMega, kMega, nullptr), NX_OK);
}

}  // namespace
}  // namespace sv39_test
