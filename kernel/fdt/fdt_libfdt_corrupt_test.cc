// Differential test, accept/reject: on thousands of corrupted variants of
// the QEMU virt tree (byte flips and word writes, truncations, header
// fields), every blob fdt_open() accepts must pass libfdt's
// fdt_check_full() too: we may refuse more than libfdt, never less.
#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "kernel/fdt/fdt_builder.h"
#include "kernel/fdt/fdt_libfdt_compare.h"
#include "neuron/errors.h"
#include "neuron/fdt.h"
#include "third_party/libfdt/libfdt_reference.h"

namespace {

using fdt_test::Be32;
using fdt_test::Builder;
using fdt_test::CompareTree;
using fdt_test::Counts;
using fdt_test::Rng;
using fdt_test::VirtTree;

// Accept/reject over corrupted QEMU trees. Every blob we accept, libfdt must
// accept; blobs both accept go through the whole comparison.
struct Verdicts {
  int variants = 0;
  int ours = 0;
  int libfdt = 0;
  int both = 0;
  int only_libfdt = 0;
  Counts compared;

  void Check(const std::vector<uint8_t> &blob, const std::string &what) {
    fdt_t f;
    const bool we_accept = fdt_open(&f, blob.data(), blob.size(), nullptr) == NX_OK;
    const bool ref_accepts = fdt_check_full(blob.data(), blob.size()) == 0;
    variants++;
    ours += we_accept;
    libfdt += ref_accepts;
    EXPECT_TRUE(!we_accept || ref_accepts) << what << ": we accept a blob libfdt refuses";
    if (we_accept && ref_accepts) {
      both++;
      SCOPED_TRACE(what);
      CompareTree(blob, false, &compared);
    }
    if (ref_accepts && !we_accept && ++only_libfdt <= 3) {
      const char *why = nullptr;
      fdt_open(&f, blob.data(), blob.size(), &why);
      std::cout << "[accept/reject] only libfdt accepts " << what << " (we say: " << why << ")\n";
    }
  }

  void Print(const char *what) const {
    std::cout << "[accept/reject] " << what << ": variants=" << variants << " we_accept=" << ours
              << " libfdt_accepts=" << libfdt << " both=" << both << " only_libfdt=" << only_libfdt
              << " only_ours=" << ours - both << "\n";
    compared.Print(what);
  }
};

TEST(FdtVsLibfdt, NeverAcceptWhatLibfdtRefuses_ByteFlips) {
  const std::vector<uint8_t> good = VirtTree();
  ASSERT_FALSE(good.empty());
  Rng rng(0x5eed);
  Verdicts v;
  for (int i = 0; i < 3000 && !::testing::Test::HasFailure(); i++) {
    std::vector<uint8_t> blob = good;
    const uint32_t flips = i < 2000 ? 1 : 1 + rng(8);
    std::string what = "flips";
    for (uint32_t k = 0; k < flips; k++) {
      const uint32_t at = rng(static_cast<uint32_t>(blob.size()));
      const uint8_t x = static_cast<uint8_t>(1 + rng(255));
      blob[at] ^= x;
      what += " [" + std::to_string(at) + "]^=" + std::to_string(x);
    }
    v.Check(blob, what);
  }
  // Aligned words set to token-like and size-like values hit the parser
  // where random bytes mostly hit property data.
  static const uint32_t kWords[] = {
      0, 1, 2, 3, 4, 9, 0x10, 0xff, 0x100, 0xfff, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff};
  for (int i = 0; i < 3000 && !::testing::Test::HasFailure(); i++) {
    std::vector<uint8_t> blob = good;
    const uint32_t at = rng(static_cast<uint32_t>(blob.size() / 4)) * 4;
    const uint32_t w = kWords[rng(sizeof(kWords) / sizeof(kWords[0]))];
    Builder::Patch(blob, at, w);
    v.Check(blob, "word [" + std::to_string(at) + "]=" + std::to_string(w));
  }
  v.Print("byte flips and word writes");
  EXPECT_EQ(v.variants, 6000);
  EXPECT_GT(v.both, 0);
  EXPECT_LT(v.ours, v.variants);
}

TEST(FdtVsLibfdt, NeverAcceptWhatLibfdtRefuses_Truncations) {
  const std::vector<uint8_t> good = VirtTree();
  ASSERT_FALSE(good.empty());
  Verdicts v;
  const uint32_t struct_size = Be32(good.data() + 36), strings_size = Be32(good.data() + 32);
  for (size_t n = 0; n <= good.size(); n++) {
    // The buffer cut short, header unchanged.
    std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(n));
    v.Check(cut, "cut to " + std::to_string(n));
    // The header's total size cut to match.
    if (n >= FDT_HEADER_SIZE) {
      Builder::Patch(cut, 4, static_cast<uint32_t>(n));
      v.Check(cut, "total size " + std::to_string(n));
    }
  }
  // Blocks that end early inside a whole blob.
  for (uint32_t k = 0; k <= struct_size; k += 4) {
    std::vector<uint8_t> blob = good;
    Builder::Patch(blob, 36, k);
    v.Check(blob, "struct size " + std::to_string(k));
  }
  for (uint32_t k = 0; k <= strings_size; k++) {
    std::vector<uint8_t> blob = good;
    Builder::Patch(blob, 32, k);
    v.Check(blob, "strings size " + std::to_string(k));
  }
  v.Print("truncations");
  // The unchanged blob comes up four times (cut to its own size, total size
  // equal to it, both block sizes at their values); those must pass.
  EXPECT_GE(v.ours, 4);
  EXPECT_LT(v.ours, v.variants);
}

TEST(FdtVsLibfdt, NeverAcceptWhatLibfdtRefuses_HeaderFields) {
  const std::vector<uint8_t> good = VirtTree();
  ASSERT_FALSE(good.empty());
  Verdicts v;
  const uint32_t total = static_cast<uint32_t>(good.size());
  for (uint32_t field = 0; field < FDT_HEADER_SIZE; field += 4) {
    const uint32_t cur = Be32(good.data() + field);
    const uint32_t values[] = {0,          1,        2,          4,          8,          16,
                               17,         18,       28,         39,         40,         41,
                               48,         56,       total - 16, total - 1,  total,      total + 1,
                               cur - 16,   cur - 8,  cur - 4,    cur - 1,    cur + 1,    cur + 4,
                               cur + 8,    cur + 16, cur ^ 0x80, 0x7fffffff, 0x80000000, 0xfffffff0,
                               0xffffffff, cur >> 1, cur << 1};
    for (uint32_t value : values) {
      std::vector<uint8_t> blob = good;
      Builder::Patch(blob, field, value);
      v.Check(blob, "header field " + std::to_string(field) + " = " + std::to_string(value));
    }
  }
  // The memory reservation block: its terminating entry made non-zero, so
  // the map runs on into the structure block.
  for (uint32_t at = Be32(good.data() + 16); at + 16 <= Be32(good.data() + 8); at += 4) {
    std::vector<uint8_t> blob = good;
    Builder::Patch(blob, at, 0x1000);
    v.Check(blob, "reservation word " + std::to_string(at));
  }
  v.Print("header fields");
  EXPECT_GT(v.both, 0);
  EXPECT_LT(v.ours, v.variants);
}

}  // namespace
