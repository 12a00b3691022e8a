// The PLIC driver against a fake register array: every write must land where
// the PLIC spec's memory map puts it (the offsets below are written out from
// the spec, not taken from the driver), and out-of-range lines are refused
// without touching a register.
#include "neuron/arch/plic.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "neuron/errors.h"

namespace {

// PLIC spec 1.0.0, "Memory Map".
uint64_t Priority(uint32_t irq) { return 4ull * irq; }
uint64_t EnableWord(uint32_t context, uint32_t irq) {
  return 0x2000 + 0x80ull * context + 4 * (irq / 32);
}
uint64_t Threshold(uint32_t context) { return 0x200000 + 0x1000ull * context; }
uint64_t Claim(uint32_t context) { return Threshold(context) + 4; }

// Registers up to and including context `last`'s claim/complete, every
// word set to `fill` so that the test sees which ones the driver wrote.
class Regs {
 public:
  Regs(uint32_t last, uint32_t fill) : words_((Claim(last) + 4) / 4, fill) {}
  uint32_t &At(uint64_t offset) { return words_[offset / 4]; }
  volatile void *Base() { return words_.data(); }
  uint64_t Size() const { return words_.size() * 4; }
  const std::vector<uint32_t> &Words() const { return words_; }

 private:
  std::vector<uint32_t> words_;
};

constexpr uint32_t kContext = 1;   // hart 0's S-mode on QEMU virt
constexpr uint32_t kSources = 96;  // QEMU virt's riscv,ndev

TEST(Plic, InitSetsPrioritiesDisablesOurContextAndOpensTheThreshold) {
  Regs r(2, 0xffffffff);
  plic_t p;
  ASSERT_EQ(plic_init(&p, r.Base(), r.Size(), kSources, kContext), NX_OK);
  EXPECT_EQ(r.At(Priority(0)), 0xffffffffu) << "source 0 does not exist";
  for (uint32_t irq = 1; irq <= kSources; irq++) EXPECT_EQ(r.At(Priority(irq)), 1u) << irq;
  EXPECT_EQ(r.At(Priority(kSources + 1)), 0xffffffffu) << "beyond the last source";
  // Sources 0..96 span words 0..3 of our context's enables; nothing else
  // changes, neither further words nor the other contexts.
  for (uint32_t irq = 0; irq < 1024; irq += 32) {
    EXPECT_EQ(r.At(EnableWord(kContext, irq)), irq <= kSources ? 0u : 0xffffffffu) << irq;
    EXPECT_EQ(r.At(EnableWord(0, irq)), 0xffffffffu) << irq;
    EXPECT_EQ(r.At(EnableWord(2, irq)), 0xffffffffu) << irq;
  }
  EXPECT_EQ(r.At(Threshold(kContext)), 0u);
  EXPECT_EQ(r.At(Threshold(0)), 0xffffffffu);
  EXPECT_EQ(r.At(Threshold(2)), 0xffffffffu);
}

TEST(Plic, InitCoversTheLargestPlic) {
  Regs r(0, 0xffffffff);
  plic_t p;
  ASSERT_EQ(plic_init(&p, r.Base(), r.Size(), PLIC_MAX_SOURCES, 0), NX_OK);
  EXPECT_EQ(r.At(Priority(PLIC_MAX_SOURCES)), 1u);
  for (uint32_t irq = 0; irq < 1024; irq += 32) EXPECT_EQ(r.At(EnableWord(0, irq)), 0u) << irq;
  EXPECT_EQ(r.At(EnableWord(1, 0)), 0xffffffffu) << "context 1's block starts after 0x80 bytes";
  EXPECT_EQ(r.At(Threshold(0)), 0u);
}

TEST(Plic, RefusesBadInitArguments) {
  Regs r(kContext, 7);
  const std::vector<uint32_t> before = r.Words();
  plic_t p;
  EXPECT_EQ(plic_init(nullptr, r.Base(), r.Size(), kSources, kContext), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(plic_init(&p, nullptr, r.Size(), kSources, kContext), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(plic_init(&p, r.Base(), r.Size(), 0, kContext), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(plic_init(&p, r.Base(), r.Size(), PLIC_MAX_SOURCES + 1, kContext), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(plic_init(&p, r.Base(), UINT64_MAX, kSources, PLIC_MAX_CONTEXTS), NX_ERR_OUT_OF_RANGE);
  // The context's claim/complete register must lie inside the region.
  EXPECT_EQ(plic_init(&p, r.Base(), r.Size() - 1, kSources, kContext), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(plic_init(&p, r.Base(), r.Size(), kSources, kContext + 1), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(r.Words(), before);
}

class PlicTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(plic_init(&p_, r_.Base(), r_.Size(), kSources, kContext), NX_OK);
  }

  Regs r_{kContext + 1, 0};
  plic_t p_{};
};

TEST_F(PlicTest, EnableAndDisableOneBitOfOurContext) {
  for (uint32_t irq : {1u, 31u, 32u, 33u, kSources}) {
    ASSERT_EQ(plic_enable(&p_, irq), NX_OK);
    EXPECT_EQ(r_.At(EnableWord(kContext, irq)), 1u << (irq % 32)) << irq;
    ASSERT_EQ(plic_disable(&p_, irq), NX_OK);
    EXPECT_EQ(r_.At(EnableWord(kContext, irq)), 0u) << irq;
  }
  // Other lines of the same word keep their bits.
  ASSERT_EQ(plic_enable(&p_, 1), NX_OK);
  ASSERT_EQ(plic_enable(&p_, 8), NX_OK);
  EXPECT_EQ(r_.At(EnableWord(kContext, 0)), (1u << 1) | (1u << 8));
  ASSERT_EQ(plic_disable(&p_, 1), NX_OK);
  EXPECT_EQ(r_.At(EnableWord(kContext, 0)), 1u << 8);
  EXPECT_EQ(r_.At(EnableWord(0, 8)), 0u);
  EXPECT_EQ(r_.At(EnableWord(2, 8)), 0u);
}

TEST_F(PlicTest, ClaimReadsOurContextsClaimRegister) {
  r_.At(Claim(kContext)) = 5;
  r_.At(Claim(0)) = 6;
  r_.At(Claim(2)) = 7;
  EXPECT_EQ(plic_claim(&p_), 5u);
  r_.At(Claim(kContext)) = 0;
  EXPECT_EQ(plic_claim(&p_), 0u);
}

TEST_F(PlicTest, CompleteWritesTheLineAndKeepsItsEnableBit) {
  ASSERT_EQ(plic_enable(&p_, 40), NX_OK);
  ASSERT_EQ(plic_complete(&p_, 40), NX_OK);
  EXPECT_EQ(r_.At(Claim(kContext)), 40u);
  EXPECT_EQ(r_.At(EnableWord(kContext, 40)), 1u << 8);
  // A disabled line is enabled around the write only (the PLIC ignores a
  // completion for a disabled source); it ends disabled as it was.
  ASSERT_EQ(plic_enable(&p_, 41), NX_OK);
  ASSERT_EQ(plic_disable(&p_, 40), NX_OK);
  ASSERT_EQ(plic_complete(&p_, 40), NX_OK);
  EXPECT_EQ(r_.At(Claim(kContext)), 40u);
  EXPECT_EQ(r_.At(EnableWord(kContext, 40)), 1u << 9);
  EXPECT_EQ(r_.At(Claim(0)), 0u);
  EXPECT_EQ(r_.At(Claim(2)), 0u);
}

TEST_F(PlicTest, RefusesLinesOutOfRangeWithoutTouchingARegister) {
  const std::vector<uint32_t> before = r_.Words();
  for (uint32_t irq : {0u, kSources + 1, PLIC_MAX_SOURCES + 1, UINT32_MAX}) {
    EXPECT_EQ(plic_enable(&p_, irq), NX_ERR_OUT_OF_RANGE) << irq;
    EXPECT_EQ(plic_disable(&p_, irq), NX_ERR_OUT_OF_RANGE) << irq;
    EXPECT_EQ(plic_complete(&p_, irq), NX_ERR_OUT_OF_RANGE) << irq;
  }
  EXPECT_EQ(r_.Words(), before);
}

}  // namespace
