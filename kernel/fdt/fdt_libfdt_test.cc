// Differential test: //kernel/fdt against libfdt (dtc's reference library,
// Debian's libfdt-dev). On the QEMU virt tree, on hand-built trees and on
// random trees, both libraries walk every node and must agree on names,
// depths, parents, properties, path and subnode lookups, compatible matches
// and reg decoding (fdt_libfdt_compare.h). Blobs libfdt refuses we refuse
// too: hand-made ones here, corrupted QEMU trees in
// fdt_libfdt_corrupt_test.cc.
#include "neuron/fdt.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "kernel/fdt/fdt_builder.h"
#include "kernel/fdt/fdt_libfdt_compare.h"
#include "neuron/errors.h"
#include "third_party/libfdt/libfdt_reference.h"

namespace {

using fdt_test::Builder;
using fdt_test::CompareTree;
using fdt_test::Counts;
using fdt_test::Rng;
using fdt_test::VirtTree;

TEST(FdtVsLibfdt, AgreeOnTheTreeQemuPasses) {
  const std::vector<uint8_t> blob = VirtTree();
  ASSERT_FALSE(blob.empty());
  Counts c;
  CompareTree(blob, true, &c);
  c.Print("QEMU virt tree");
  // The tree has its usual devices, so the comparison covered something.
  EXPECT_GT(c.nodes, 20);
  EXPECT_GT(c.reg_entries, 10);
  EXPECT_GT(c.compat_searches, 10);
}

std::vector<uint8_t> Cells(std::initializer_list<uint32_t> cells) {
  std::vector<uint8_t> v;
  for (uint32_t w : cells) Builder::Put(v, w);
  return v;
}

std::vector<uint8_t> Str(const std::string &s) {
  return std::vector<uint8_t>(s.c_str(), s.c_str() + s.size() + 1);
}

// Hand-built trees, each aimed at one corner of the format or a lookup.
struct NamedTree {
  const char *what;
  std::vector<uint8_t> blob;
  bool unique_names;
};

std::vector<NamedTree> HandBuiltTrees() {
  std::vector<NamedTree> trees;
  {
    Builder b;  // shaped like the virt machine's
    b.Begin("")
        .PropCells("#address-cells", {2})
        .PropCells("#size-cells", {2})
        .PropString("compatible", "riscv-virtio")
        .Begin("chosen")
        .PropString("stdout-path", "/soc/serial@10000000")
        .End()
        .Begin("memory@80000000")
        .PropString("device_type", "memory")
        .PropCells("reg", {0, 0x80000000, 0, 0x10000000, 1, 0, 0, 0x1000})
        .End()
        .Begin("soc")
        .PropCells("#address-cells", {2})
        .PropCells("#size-cells", {2})
        .Prop("compatible", Str("simple-bus"))
        .Nop()
        .Begin("serial@10000000")
        .PropString("compatible", "ns16550a")
        .PropCells("reg", {0, 0x10000000, 0, 0x100})
        .End()
        .Begin("test@100000")
        .Prop("compatible", {'s', 'i', 'f', 'i', 'v', 'e', ',', 't', 'e', 's',
                             't', '1', 0,   's', 'y', 's', 'c', 'o', 'n', 0})
        .PropCells("reg", {0, 0x100000, 0, 0x1000})
        .End()
        .End()
        .End();
    trees.push_back({"virt-like", b.Finish(), true});
  }
  {
    // Every combination of cells the reg decoder meets, good and bad.
    Builder b;
    b.Begin("");
    struct Bus {
      const char *name;
      std::vector<uint8_t> ac, sc;  // empty: absent
      std::vector<uint8_t> reg;
    };
    const std::vector<Bus> buses = {
        {"defaults", {}, {}, Cells({0, 0x1000, 0x10, 1, 0x2000, 0x20})},
        {"one-one", Cells({1}), Cells({1}), Cells({0x1000, 0x10, 0x2000, 0x20, 0x3000, 0x30})},
        {"one-zero", Cells({1}), Cells({0}), Cells({0x1000, 0x2000})},
        {"two-two", Cells({2}), Cells({2}), Cells({1, 2, 3, 4})},
        {"two-zero", Cells({2}), Cells({0}), Cells({0xffffffff, 0xfffffff0})},
        {"one-two", Cells({1}), Cells({2}), Cells({5, 6, 7})},
        {"three", Cells({3}), Cells({1}), Cells({1, 2, 3, 4})},
        {"four", Cells({4}), Cells({1}), Cells({1, 2, 3, 4, 5})},
        {"zero-address", Cells({0}), Cells({1}), Cells({1})},
        {"huge-size", Cells({1}), Cells({5}), Cells({1, 2, 3, 4, 5, 6})},
        {"short-cells", {0, 1}, Cells({1}), Cells({1, 2})},
        {"long-cells", Cells({1, 1}), Cells({1}), Cells({1, 2})},
        {"bad-size-cells", Cells({1}), {1, 2, 3}, Cells({1, 2})},
        {"misfit-reg", Cells({2}), Cells({1}), Cells({1, 2, 3, 4})},
        {"empty-reg", Cells({1}), Cells({1}), {}},
        {"odd-reg", Cells({1}), Cells({1}), {1, 2, 3}},
    };
    for (const Bus &bus : buses) {
      b.Begin(bus.name);
      if (!bus.ac.empty()) b.Prop("#address-cells", bus.ac);
      if (!bus.sc.empty()) b.Prop("#size-cells", bus.sc);
      b.Begin("dev@0").Prop("reg", bus.reg).End();
      b.Begin("noreg@0").PropString("status", "okay").End();
      b.End();
    }
    b.End();
    trees.push_back({"reg cells", b.Finish(), true});
  }
  {
    // Unit-less lookups and look-alike names: the first match in document
    // order wins, and a name with '@' only matches exactly.
    Builder b;
    b.Begin("")
        .Begin("a@1")
        .End()
        .Begin("a")
        .End()
        .Begin("a@2")
        .Begin("x")
        .End()
        .End()
        .Begin("ab@1")
        .End()
        .Begin("b@1@2")
        .End()
        .Begin("c,d@0,1")
        .End()
        .Begin("same")
        .Begin("inner")
        .End()
        .End()
        .Begin("same")
        .Begin("other")
        .End()
        .End()
        .Begin("@nameless")
        .End()
        .Begin("trailing@")
        .End()
        .End();
    trees.push_back({"look-alike names", b.Finish(), false});
  }
  {
    // As deep as fdt_open() allows.
    Builder b;
    b.Begin("");
    for (int i = 1; i < FDT_MAX_DEPTH; i++) {
      b.Begin("level@" + std::to_string(i))
          .PropCells("#address-cells", {1})
          .PropCells("reg", {static_cast<uint32_t>(i), 1});
    }
    for (int i = 0; i < FDT_MAX_DEPTH; i++) b.End();
    trees.push_back({"deepest", b.Finish(), true});
  }
  {
    // NOPs everywhere a token may go (not after the root: see
    // RefuseWhatLibfdtRefuses), duplicate and empty properties, unpadded
    // lengths, and a property after a child (no lookup finds it).
    Builder b;
    b.Nop()
        .Nop()
        .Begin("")
        .Nop()
        .Prop("empty", {})
        .Nop()
        .Prop("odd", {1, 2, 3, 4, 5})
        .Prop("odd", {9})
        .Prop("one", {7})
        .Nop()
        .Begin("child")
        .Nop()
        .End()
        .Nop()
        .Prop("late", {1, 2, 3, 4})
        .Begin("child2")
        .Prop("late", {5, 6, 7, 8})
        .End()
        .Nop()
        .End();
    trees.push_back({"NOPs first and everywhere", b.Finish(), true});
  }
  {
    // String lists with empty entries, an empty list, and lists missing the
    // final NUL (libfdt may read one byte past those).
    Builder b;
    b.Begin("")
        .Begin("multi")
        .Prop("compatible", {'a', 0, 0, 'b', ',', 'c', 0, 0})
        .End()
        .Begin("empty")
        .Prop("compatible", {})
        .End()
        .Begin("unterminated")
        .Prop("compatible", {'a', 0, 'n', 's'})
        .End()
        .Begin("unterminated-padded")
        .Prop("compatible", {'n', 's'})
        .End()
        .Begin("plain")
        .PropString("compatible", "ns")
        .End()
        .End();
    trees.push_back({"compatible lists", b.Finish(), true});
  }
  {
    Builder b;  // many siblings
    b.Begin("").PropCells("#address-cells", {1}).PropCells("#size-cells", {1});
    for (uint32_t i = 0; i < 200; i++) {
      char name[32];
      std::snprintf(name, sizeof(name), "dev@%x", i * 0x1000);
      b.Begin(name)
          .PropString("compatible", i % 3 ? "vendor,dev" : "vendor,other")
          .PropCells("reg", {i * 0x1000, 0x100})
          .End();
    }
    b.End();
    trees.push_back({"wide", b.Finish(), true});
  }
  return trees;
}

TEST(FdtVsLibfdt, AgreeOnHandBuiltTrees) {
  Counts c;
  for (const NamedTree &t : HandBuiltTrees()) {
    SCOPED_TRACE(t.what);
    CompareTree(t.blob, t.unique_names, &c);
  }
  c.Print("hand-built trees");
  EXPECT_EQ(c.trees, 7);
  EXPECT_GT(c.libfdt_compat_quirks, 0) << "the unterminated lists should show libfdt's over-read";
}

// The blobs fdt_open() used to accept and libfdt refuses (found by this
// test); each is refused by both now, for the reason given.
TEST(FdtVsLibfdt, RefuseWhatLibfdtRefuses) {
  Builder builder;
  builder.Begin("").PropString("compatible", "x").Begin("a").End().End();
  const std::vector<uint8_t> good = builder.Finish();
  const uint32_t total = static_cast<uint32_t>(good.size());
  struct Case {
    const char *what;
    std::vector<uint8_t> blob;
    size_t max_size;  // what fdt_open() and fdt_check_full() are told
    const char *why;
  };
  std::vector<Case> cases;
  auto patched = [&](std::initializer_list<std::pair<size_t, uint32_t>> words) {
    std::vector<uint8_t> blob = good;
    for (const auto &w : words) Builder::Patch(blob, w.first, w.second);
    return blob;
  };
  cases.push_back({"reservation map past the end", patched({{16, total}}), total,
                   "reservation map outside the blob"});
  cases.push_back({"reservation map entry across the end", patched({{16, total - 8}}), total,
                   "reservation map outside the blob"});
  // The map's one entry made non-empty; the next would start in the
  // structure block, so put the map last in the blob instead.
  cases.push_back({"reservation map never terminated", patched({{16, total - 16}, {total - 4, 1}}),
                   total, "reservation map outside the blob"});
  cases.push_back({"reservation map in the header", patched({{16, 8}}), total,
                   "reservation map outside the blob"});
  cases.push_back({"strings block over the header", patched({{12, 0}}), total,
                   "strings block outside the blob"});
  // A 40-byte header whose fields read as tokens: struct_off 16 makes
  // off_mem_rsvmap (1) a BEGIN_NODE, version (17) its empty name,
  // last_comp_version (2) an END_NODE and boot_cpuid_phys (9) the END.
  std::vector<uint8_t> header;
  for (uint32_t w : {0xd00dfeedu, 40u, 16u, 40u, 1u, 17u, 2u, 9u, 0u, 16u}) Builder::Put(header, w);
  cases.push_back({"structure block inside the header", header, header.size(),
                   "structure block outside the blob"});
  {
    Builder b;
    b.Begin("").End().Nop();
    cases.push_back({"NOP after the root node", b.Finish(), 0, "token after the root node"});
  }
  // Offsets are ints: a blob of 2 GiB or more is refused from its header
  // alone (neither library reads past the real 4 KiB here).
  std::vector<uint8_t> big = patched({{4, 0x80000000u}});
  big.resize(4096);
  cases.push_back({"2 GiB total size", big, 0x80000000u, "bad total size"});

  for (Case &c : cases) {
    if (c.max_size == 0) c.max_size = c.blob.size();
    fdt_t f;
    const char *why = nullptr;
    EXPECT_EQ(fdt_open(&f, c.blob.data(), c.max_size, &why), NX_ERR_BAD_FORMAT) << c.what;
    EXPECT_STREQ(why, c.why) << c.what;
    EXPECT_LT(fdt_check_full(c.blob.data(), c.max_size), 0) << c.what;
  }
  // The unpatched tree passes both, so each case fails for its patch alone.
  fdt_t f;
  EXPECT_EQ(fdt_open(&f, good.data(), good.size(), nullptr), NX_OK);
  EXPECT_EQ(fdt_check_full(good.data(), good.size()), 0);
}

void RandomNode(Builder *b, Rng *rng, int depth) {
  static const char *const kPropNames[] = {"reg",    "compatible", "#address-cells", "#size-cells",
                                           "status", "x",          "vendor,y",       "device_type"};
  static const char *const kStrings[] = {"okay", "ns16550a", "vendor,dev", "a", "", "memory"};
  static const char *const kNodeNames[] = {"a", "a@1", "a@2", "b", "b@1", "dev@10000000", "c,d"};
  const uint32_t props = (*rng)(5);
  for (uint32_t i = 0; i < props; i++) {
    const std::string name = kPropNames[(*rng)(8)];
    std::vector<uint8_t> v;
    switch ((*rng)(4)) {
      case 0:  // small cells
        for (uint32_t k = (*rng)(5); k > 0; k--) Builder::Put(v, (*rng)(4));
        break;
      case 1:  // a string list
        for (uint32_t k = (*rng)(3) + 1; k > 0; k--) {
          const std::string s = kStrings[(*rng)(6)];
          v.insert(v.end(), s.c_str(), s.c_str() + s.size() + 1);
        }
        break;
      case 2:  // random bytes
        for (uint32_t k = (*rng)(13); k > 0; k--) v.push_back(static_cast<uint8_t>((*rng)(256)));
        break;
      default:  // big cells
        for (uint32_t k = (*rng)(7); k > 0; k--) Builder::Put(v, (*rng)(0xffffffffu));
        break;
    }
    b->Prop(name, v);
    if ((*rng)(6) == 0) b->Nop();
  }
  const uint32_t children = depth < 5 ? (*rng)(4) : 0;
  for (uint32_t i = 0; i < children; i++) {
    b->Begin(kNodeNames[(*rng)(7)]);
    RandomNode(b, rng, depth + 1);
    b->End();
  }
}

TEST(FdtVsLibfdt, AgreeOnRandomTrees) {
  Rng rng(20240601);
  Counts c;
  for (int i = 0; i < 300; i++) {
    Builder b;
    b.Begin("");
    RandomNode(&b, &rng, 0);
    b.End();
    SCOPED_TRACE("random tree " + std::to_string(i));
    CompareTree(b.Finish(), false, &c);
    if (::testing::Test::HasFailure()) break;
  }
  c.Print("random trees");
  EXPECT_EQ(c.trees, 300);
}

}  // namespace
