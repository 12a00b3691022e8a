#include "neuron/fdt.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernel/fdt/fdt_builder.h"
#include "kernel/fdt/fdt_reg_of.h"
#include "neuron/errors.h"

namespace {

using fdt_test::Builder;
using fdt_test::RegOf;

int Open(fdt_t *fdt, const std::vector<uint8_t> &blob, const char **why = nullptr) {
  return fdt_open(fdt, blob.data(), blob.size(), why);
}

TEST(Fdt, OpensAValidTree) {
  auto blob = fdt_test::VirtLikeTree();
  fdt_t fdt;
  ASSERT_EQ(Open(&fdt, blob), NX_OK);
  EXPECT_EQ(fdt_header_total_size(blob.data()), blob.size());
  EXPECT_STREQ(fdt_node_name(&fdt, fdt_root(&fdt)), "");
  auto bad_magic = blob;
  Builder::Patch(bad_magic, 0, 0xfeedd00d);
  EXPECT_EQ(fdt_header_total_size(bad_magic.data()), 0u);
}

TEST(Fdt, FindsNodesByPathAndUnitlessName) {
  auto blob = fdt_test::VirtLikeTree();
  fdt_t fdt;
  ASSERT_EQ(Open(&fdt, blob), NX_OK);
  int serial = fdt_path(&fdt, "/soc/serial@10000000");
  ASSERT_GE(serial, 0);
  EXPECT_STREQ(fdt_node_name(&fdt, serial), "serial@10000000");
  EXPECT_EQ(fdt_path(&fdt, "/soc/serial"), serial);
  EXPECT_EQ(fdt_path(&fdt, "/soc/serial@10000000:115200n8"), serial);
  EXPECT_EQ(fdt_path(&fdt, "/"), fdt_root(&fdt));
  EXPECT_EQ(fdt_path(&fdt, "/soc/serial@2"), NX_ERR_NOT_FOUND);
  EXPECT_EQ(fdt_path(&fdt, "/nothing"), NX_ERR_NOT_FOUND);
  EXPECT_EQ(fdt_path(&fdt, "relative"), NX_ERR_INVALID_ARGS);
  // "soc" has no '@' name, so "soc@1" must not match it.
  EXPECT_EQ(fdt_path(&fdt, "/soc@1"), NX_ERR_NOT_FOUND);
}

TEST(Fdt, MatchesNodeNamesWithOrWithoutUnitAddress) {
  EXPECT_TRUE(fdt_name_matches("serial@10000000", "serial@10000000", 15));
  EXPECT_TRUE(fdt_name_matches("serial@10000000", "serial", 6));
  // Only `len` characters are the lookup name (a path component).
  EXPECT_TRUE(fdt_name_matches("cpus", "cpus/cpu@0", 4));
  EXPECT_FALSE(fdt_name_matches("serial@10000000", "serial@2", 8));
  EXPECT_FALSE(fdt_name_matches("serial@10000000", "seria", 5));
  EXPECT_FALSE(fdt_name_matches("serial", "serial@1", 8));
  // A lookup name with '@' matches only exactly.
  EXPECT_FALSE(fdt_name_matches("a@1@2", "a@1", 3));
}

TEST(Fdt, ReadsPropertiesAndCompatibleLists) {
  auto blob = fdt_test::VirtLikeTree();
  fdt_t fdt;
  ASSERT_EQ(Open(&fdt, blob), NX_OK);
  // A compatible list is matched as drivers match it: the property's value,
  // then fdt_list_contains on it.
  const int test = fdt_path(&fdt, "/soc/test");
  ASSERT_GE(test, 0);
  uint32_t len = 0;
  const char *compat = static_cast<const char *>(fdt_prop(&fdt, test, "compatible", &len));
  ASSERT_NE(compat, nullptr);
  EXPECT_EQ(len, sizeof "sifive,test1\0syscon");
  EXPECT_TRUE(fdt_list_contains(compat, len, "sifive,test1"));
  EXPECT_TRUE(fdt_list_contains(compat, len, "syscon"));
  EXPECT_FALSE(fdt_list_contains(compat, len, "sifive"));  // a prefix is not an entry
  uint32_t v = 0;
  EXPECT_EQ(fdt_prop_u32(&fdt, fdt_root(&fdt), "#size-cells", &v), NX_OK);
  EXPECT_EQ(v, 2u);
  EXPECT_EQ(fdt_prop_u32(&fdt, fdt_root(&fdt), "missing", &v), NX_ERR_NOT_FOUND);
  uint64_t n = 0;
  EXPECT_EQ(fdt_prop_number(&fdt, fdt_root(&fdt), "#size-cells", &n), NX_OK);
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(fdt_prop_number(&fdt, fdt_path(&fdt, "/memory"), "reg", &n), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(fdt_prop_number(&fdt, fdt_root(&fdt), "missing", &n), NX_ERR_NOT_FOUND);
  int chosen = fdt_path(&fdt, "/chosen");
  EXPECT_EQ(fdt_prop_u32(&fdt, chosen, "stdout-path", &v), NX_ERR_BAD_FORMAT);
  const char *stdout_path = static_cast<const char *>(fdt_prop(&fdt, chosen, "stdout-path", &len));
  ASSERT_NE(stdout_path, nullptr);
  EXPECT_EQ(len, sizeof "/soc/serial@10000000");  // the string and its NUL
  EXPECT_STREQ(stdout_path, "/soc/serial@10000000");
  // A node without the list matches nothing.
  EXPECT_EQ(fdt_prop(&fdt, chosen, "compatible", nullptr), nullptr);
  EXPECT_FALSE(fdt_list_contains(nullptr, 0, "syscon"));
  EXPECT_EQ(fdt_prop(&fdt, -5, "reg", nullptr), nullptr);
}

TEST(Fdt, ReadsNumbersOfOneOrTwoCells) {
  Builder b;
  b.Begin("")
      .Begin("chosen")
      .PropCells("linux,initrd-start", {0x1, 0x80000000})
      .PropCells("linux,initrd-end", {0x88000000})
      .PropCells("three", {1, 2, 3})
      .Prop("empty", {})
      .End()
      .End();
  auto blob = b.Finish();
  fdt_t fdt;
  ASSERT_EQ(Open(&fdt, blob), NX_OK);
  const int chosen = fdt_path(&fdt, "/chosen");
  uint64_t n = 0;
  ASSERT_EQ(fdt_prop_number(&fdt, chosen, "linux,initrd-start", &n), NX_OK);
  EXPECT_EQ(n, 0x180000000u);
  ASSERT_EQ(fdt_prop_number(&fdt, chosen, "linux,initrd-end", &n), NX_OK);
  EXPECT_EQ(n, 0x88000000u);
  n = 99;
  EXPECT_EQ(fdt_prop_number(&fdt, chosen, "three", &n), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(fdt_prop_number(&fdt, chosen, "empty", &n), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(n, 99u);  // untouched on a refusal
}

TEST(Fdt, DecodesRegWithTheParentsCells) {
  auto blob = fdt_test::VirtLikeTree();
  fdt_t fdt;
  ASSERT_EQ(Open(&fdt, blob), NX_OK);
  const int root = fdt_root(&fdt), soc = fdt_path(&fdt, "/soc");
  const int serial = fdt_path(&fdt, "/soc/serial");
  uint64_t base = 0, size = 0;
  ASSERT_EQ(RegOf(&fdt, soc, serial, 0, &base, &size), NX_OK);
  EXPECT_EQ(base, 0x10000000u);
  EXPECT_EQ(size, 0x100u);
  EXPECT_EQ(RegOf(&fdt, soc, serial, 1, &base, &size), NX_ERR_OUT_OF_RANGE);
  ASSERT_EQ(RegOf(&fdt, root, fdt_path(&fdt, "/memory"), 0, &base, &size), NX_OK);
  EXPECT_EQ(base, 0x80000000u);
  EXPECT_EQ(size, 0x10000000u);
  EXPECT_EQ(RegOf(&fdt, root, fdt_path(&fdt, "/chosen"), 0, &base, &size), NX_ERR_NOT_FOUND);
}

TEST(Fdt, RegRejectsUnsupportedAndMisSizedCells) {
  Builder b;
  b.Begin("")
      .PropCells("#address-cells", {3})
      .PropCells("#size-cells", {1})
      .Begin("a")
      .PropCells("reg", {1, 2, 3, 4})
      .End()
      .End();
  auto blob = b.Finish();
  fdt_t fdt;
  ASSERT_EQ(Open(&fdt, blob), NX_OK);
  uint64_t base, size;
  EXPECT_EQ(RegOf(&fdt, fdt_root(&fdt), fdt_path(&fdt, "/a"), 0, &base, &size),
            NX_ERR_NOT_SUPPORTED);

  Builder c;
  c.Begin("").PropCells("#address-cells", {2}).Begin("a").PropCells("reg", {1, 2}).End().End();
  blob = c.Finish();
  ASSERT_EQ(Open(&fdt, blob), NX_OK);
  // Default #size-cells is 1, so an entry is 3 cells and 2 cells are malformed.
  EXPECT_EQ(RegOf(&fdt, fdt_root(&fdt), fdt_path(&fdt, "/a"), 0, &base, &size), NX_ERR_BAD_FORMAT);

  Builder d;
  d.Begin("").Prop("#size-cells", {0, 1}).Begin("a").PropCells("reg", {1, 2, 3}).End().End();
  blob = d.Finish();
  ASSERT_EQ(Open(&fdt, blob), NX_OK);
  // A #size-cells of 2 bytes is not one cell.
  EXPECT_EQ(RegOf(&fdt, fdt_root(&fdt), fdt_path(&fdt, "/a"), 0, &base, &size), NX_ERR_BAD_FORMAT);
}

TEST(Fdt, IteratesInDocumentOrderWithDepth) {
  auto blob = fdt_test::VirtLikeTree();
  fdt_t fdt;
  ASSERT_EQ(Open(&fdt, blob), NX_OK);
  std::vector<std::string> names;
  std::vector<int> depths;
  int depth = 0;
  for (int n = fdt_root(&fdt); n >= 0; n = fdt_next_node(&fdt, n, &depth)) {
    names.push_back(fdt_node_name(&fdt, n));
    depths.push_back(depth);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"", "chosen", "memory@80000000", "soc",
                                             "serial@10000000", "test@100000"}));
  EXPECT_EQ(depths, (std::vector<int>{0, 1, 1, 1, 2, 2}));
  EXPECT_EQ(fdt_next_node(&fdt, 3, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(fdt_node_name(&fdt, 3), nullptr);
}

// One walk item as text: "N name@depth", "P name=len" or "E depth".
std::vector<std::string> Walk(const fdt_t *fdt, int *last) {
  std::vector<std::string> items;
  fdt_walk_t w = FDT_WALK_START;
  fdt_item_t it;
  while ((*last = fdt_walk_next(fdt, &w, &it)) == NX_OK) {
    if (it.kind == FDT_ITEM_NODE) {
      items.push_back("N " + std::string(it.name) + "@" + std::to_string(it.depth));
      EXPECT_STREQ(fdt_node_name(fdt, it.node), it.name);
    } else if (it.kind == FDT_ITEM_PROP) {
      items.push_back("P " + std::string(it.name) + "=" + std::to_string(it.len));
    } else {
      items.push_back("E " + std::to_string(it.depth));
    }
  }
  return items;
}

TEST(Fdt, WalksNodesAndTheirPropertiesInDocumentOrder) {
  Builder b;
  b.Nop().Begin("").PropCells("#size-cells", {1}).Nop();
  b.Begin("a@1").PropCells("reg", {1, 2, 3}).Begin("b").End();
  // After a child: fdt_prop() does not see it, and neither does the walk.
  b.PropCells("late", {1});
  b.End().Begin("c").Prop("empty", {}).End().End();
  auto blob = b.Finish();
  fdt_t fdt;
  ASSERT_EQ(Open(&fdt, blob), NX_OK);
  int last = 0;
  EXPECT_EQ(Walk(&fdt, &last),
            (std::vector<std::string>{"N @0", "P #size-cells=4", "N a@1@1", "P reg=12", "N b@2",
                                      "E 2", "E 1", "N c@1", "P empty=0", "E 1", "E 0"}));
  EXPECT_EQ(last, NX_ERR_NOT_FOUND);
  EXPECT_EQ(fdt_prop(&fdt, fdt_path(&fdt, "/a"), "late", nullptr), nullptr);
}

TEST(Fdt, TellsAWalkItemByPropertyName) {
  Builder b;
  b.Begin("").PropCells("reg", {1}).Begin("reg").End().End();
  auto blob = b.Finish();
  fdt_t fdt;
  ASSERT_EQ(Open(&fdt, blob), NX_OK);
  fdt_walk_t w = FDT_WALK_START;
  fdt_item_t it;
  ASSERT_EQ(fdt_walk_next(&fdt, &w, &it), NX_OK);  // the root
  EXPECT_FALSE(fdt_item_is(&it, ""));
  ASSERT_EQ(fdt_walk_next(&fdt, &w, &it), NX_OK);  // its "reg"
  EXPECT_TRUE(fdt_item_is(&it, "reg"));
  EXPECT_FALSE(fdt_item_is(&it, "re"));
  EXPECT_FALSE(fdt_item_is(&it, "regs"));
  ASSERT_EQ(fdt_walk_next(&fdt, &w, &it), NX_OK);  // a node named like it
  ASSERT_EQ(it.kind, FDT_ITEM_NODE);
  EXPECT_FALSE(fdt_item_is(&it, "reg"));
}

// A root and `levels` - 1 nodes, each inside the one before.
std::vector<uint8_t> Nested(int levels) {
  Builder b;
  b.Begin("");
  for (int i = 1; i < levels; i++) b.Begin("n");
  for (int i = 0; i < levels; i++) b.End();
  return b.Finish();
}

TEST(Fdt, TheWalkRefusesWhatFdtOpenWouldHave) {
  // The walk works on any fdt_t; one filled by hand (or a blob changed
  // after fdt_open) still cannot make it read out of bounds or overflow a
  // caller's per-depth arrays.
  auto blob = Nested(FDT_MAX_DEPTH);
  fdt_t fdt;
  ASSERT_EQ(Open(&fdt, blob), NX_OK);
  int last = 0;
  EXPECT_EQ(Walk(&fdt, &last).size(), 2u * FDT_MAX_DEPTH);
  EXPECT_EQ(last, NX_ERR_NOT_FOUND);

  // One level more: fdt_open() refuses it, the walk too.
  auto too_deep = Nested(FDT_MAX_DEPTH + 1);
  EXPECT_EQ(Open(&fdt, too_deep), NX_ERR_BAD_FORMAT);
  fdt_t unchecked = fdt;  // the first tree's layout, the deeper tree's bytes
  ASSERT_EQ(Open(&unchecked, blob), NX_OK);
  unchecked.blob = too_deep.data();
  unchecked.struct_size = static_cast<uint32_t>(too_deep.size()) - unchecked.struct_off;
  unchecked.strings_off = static_cast<uint32_t>(too_deep.size());
  unchecked.strings_size = 0;
  EXPECT_EQ(Walk(&unchecked, &last).size(), static_cast<size_t>(FDT_MAX_DEPTH));
  EXPECT_EQ(last, NX_ERR_BAD_FORMAT);

  // An END_NODE before any node, and an unknown token.
  Builder b;
  b.Begin("").Begin("a").End().End();
  auto good = b.Finish();
  ASSERT_EQ(Open(&fdt, good), NX_OK);
  const size_t struct_off = fdt.struct_off;
  std::vector<uint8_t> bad = good;
  Builder::Patch(bad, struct_off, 2);  // the root's BEGIN_NODE becomes END_NODE
  fdt.blob = bad.data();
  EXPECT_TRUE(Walk(&fdt, &last).empty());
  EXPECT_EQ(last, NX_ERR_BAD_FORMAT);
  // The lookups refuse it too.
  EXPECT_EQ(fdt_root(&fdt), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(fdt_path(&fdt, "/a"), NX_ERR_BAD_FORMAT);
  bad = good;
  Builder::Patch(bad, struct_off + 8, 7);  // "a"'s BEGIN_NODE becomes token 7
  fdt.blob = bad.data();
  EXPECT_EQ(Walk(&fdt, &last), (std::vector<std::string>{"N @0"}));
  EXPECT_EQ(last, NX_ERR_BAD_FORMAT);
  EXPECT_EQ(fdt_next_node(&fdt, fdt_root(&fdt), nullptr), NX_ERR_BAD_FORMAT);
  // The search for "a" stops at the bad token without finding it.
  EXPECT_EQ(fdt_path(&fdt, "/a"), NX_ERR_NOT_FOUND);
}

TEST(Fdt, MatchesSeveralStringsInOneListPass) {
  const char list[] = "vendor,dev\0ns16550a\0\0virtio,mmio";
  const char *names[] = {"ns16550a", "virtio,mmio", "vendor", "", "vendor,dev"};
  EXPECT_EQ(fdt_list_match(list, sizeof list, names, 5), 0x1bu);  // all but "vendor"
  // An unterminated last entry ends the list: "virtio,mmio" is not in it.
  EXPECT_EQ(fdt_list_match(list, sizeof list - 1, names, 5), 0x19u);
  EXPECT_EQ(fdt_list_match(nullptr, 8, names, 5), 0u);
  EXPECT_EQ(fdt_list_match(list, 0, names, 5), 0u);
  EXPECT_TRUE(fdt_list_contains(list, sizeof list, "ns16550a"));
  EXPECT_FALSE(fdt_list_contains(list, sizeof list, "ns16550"));
}

TEST(Fdt, DecodesOneCellAndCellCountValuesDirectly) {
  const uint8_t one[] = {0, 0, 0, 7}, two[] = {0, 0, 0, 1, 0, 0, 0, 2};
  uint32_t v = 99;
  EXPECT_EQ(fdt_u32_decode(one, 4, &v), NX_OK);
  EXPECT_EQ(v, 7u);
  v = 99;
  EXPECT_EQ(fdt_u32_decode(nullptr, 0, &v), NX_ERR_NOT_FOUND);
  EXPECT_EQ(fdt_u32_decode(two, 8, &v), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(fdt_u32_decode(one, 3, &v), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(v, 99u);  // untouched on a refusal
  uint32_t ac = 0, sc = 0;
  EXPECT_EQ(fdt_cells_decode(nullptr, 0, nullptr, 0, &ac, &sc), NX_OK);
  EXPECT_EQ(ac, 2u);  // the Devicetree Specification's defaults
  EXPECT_EQ(sc, 1u);
  EXPECT_EQ(fdt_cells_decode(one, 4, two + 4, 4, &ac, &sc), NX_OK);
  EXPECT_EQ(ac, 7u);
  EXPECT_EQ(sc, 2u);
  EXPECT_EQ(fdt_cells_decode(two, 8, nullptr, 0, &ac, &sc), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(fdt_cells_decode(nullptr, 0, one, 2, &ac, &sc), NX_ERR_BAD_FORMAT);
}

TEST(Fdt, DecodesARegValueDirectly) {
  const uint8_t reg[] = {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4};
  uint64_t base = 0, size = 0;
  ASSERT_EQ(fdt_reg_decode(reg, sizeof reg, 1, 1, 1, &base, &size), NX_OK);
  EXPECT_EQ(base, 3u);
  EXPECT_EQ(size, 4u);
  ASSERT_EQ(fdt_reg_decode(reg, sizeof reg, 2, 2, 0, &base, &size), NX_OK);
  EXPECT_EQ(base, 0x100000002u);
  EXPECT_EQ(size, 0x300000004u);
  ASSERT_EQ(fdt_reg_decode(reg, 12, 2, 1, 0, &base, &size), NX_OK);
  EXPECT_EQ(size, 3u);
  ASSERT_EQ(fdt_reg_decode(reg, 8, 2, 0, 0, &base, &size), NX_OK);
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(fdt_reg_decode(nullptr, 0, 2, 1, 0, &base, &size), NX_ERR_NOT_FOUND);
  EXPECT_EQ(fdt_reg_decode(reg, sizeof reg, 0, 1, 0, &base, &size), NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(fdt_reg_decode(reg, sizeof reg, 3, 1, 0, &base, &size), NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(fdt_reg_decode(reg, sizeof reg, 1, 3, 0, &base, &size), NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(fdt_reg_decode(reg, 12, 1, 1, 0, &base, &size), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(fdt_reg_decode(reg, sizeof reg, 1, 1, 2, &base, &size), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(fdt_cell(reg + 12), 4u);
}

struct Corruption {
  const char *what;
  size_t offset;  // byte offset in the blob, or SIZE_MAX for the special cases
  uint32_t value;
  const char *why;
};

// Every way a header or structure can lie is refused with a reason.
TEST(Fdt, RejectsMalformedBlobs) {
  const auto good = fdt_test::VirtLikeTree();
  fdt_t fdt;
  const char *why = nullptr;

  EXPECT_EQ(fdt_open(&fdt, nullptr, 100, &why), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(fdt_open(&fdt, good.data(), 39, &why), NX_ERR_BAD_FORMAT);
  EXPECT_STREQ(why, "smaller than a header");
  EXPECT_EQ(fdt_open(&fdt, good.data(), good.size() - 1, &why), NX_ERR_BAD_FORMAT);
  EXPECT_STREQ(why, "bad total size");

  const uint32_t struct_off = 56;
  const Corruption cases[] = {
      {"magic", 0, 0xfeedd00d, "bad magic"},
      {"tiny total", 4, 8, "bad total size"},
      {"old version", 20, 16, "unsupported version"},
      {"future compat", 24, 18, "unsupported version"},
      {"struct offset", 8, 0xfffffff0, "structure block outside the blob"},
      {"struct unaligned", 8, 57, "structure block outside the blob"},
      {"struct size", 36, 0x7ffffff0, "structure block outside the blob"},
      {"strings offset", 12, 0xfffffff0, "strings block outside the blob"},
      {"strings size", 32, 0xfffff, "strings block outside the blob"},
      {"root token", struct_off, 7, "truncated or unknown token"},
      {"root is END_NODE", struct_off, 2, "END_NODE without a node"},
      {"root is a property", struct_off, 3, "property outside any node"},
      {"root is END", struct_off, 9, "END before the root node closed"},
      // The first property's name offset (token, name "", len, nameoff).
      {"prop name offset", struct_off + 12, 0xffff, "truncated or unknown token"},
      // The first property's length.
      {"prop length", struct_off + 8, 0xfffffff0, "truncated or unknown token"},
  };
  for (const auto &c : cases) {
    auto blob = good;
    Builder::Patch(blob, c.offset, c.value);
    why = nullptr;
    EXPECT_EQ(Open(&fdt, blob, &why), NX_ERR_BAD_FORMAT) << c.what;
    EXPECT_STREQ(why, c.why) << c.what;
  }
}

TEST(Fdt, RejectsStructuralErrors) {
  fdt_t fdt;
  const char *why = nullptr;
  {
    Builder b;  // root never closed
    b.Begin("").Begin("a").End();
    EXPECT_EQ(Open(&fdt, b.Finish(), &why), NX_ERR_BAD_FORMAT);
    EXPECT_STREQ(why, "END before the root node closed");
  }
  {
    Builder b;  // two roots
    b.Begin("").End().Begin("").End();
    EXPECT_EQ(Open(&fdt, b.Finish(), &why), NX_ERR_BAD_FORMAT);
    EXPECT_STREQ(why, "more than one root node");
  }
  {
    Builder b;
    b.Begin("root").End();
    EXPECT_EQ(Open(&fdt, b.Finish(), &why), NX_ERR_BAD_FORMAT);
    EXPECT_STREQ(why, "root node has a name");
  }
  {
    Builder b;
    b.Begin("").Begin("").End().End();
    EXPECT_EQ(Open(&fdt, b.Finish(), &why), NX_ERR_BAD_FORMAT);
    EXPECT_STREQ(why, "node without a name");
  }
  {
    Builder b;
    b.Begin("");
    for (int i = 0; i < FDT_MAX_DEPTH; i++) b.Begin("n");
    for (int i = 0; i <= FDT_MAX_DEPTH; i++) b.End();
    EXPECT_EQ(Open(&fdt, b.Finish(), &why), NX_ERR_BAD_FORMAT);
    EXPECT_STREQ(why, "nodes nested too deeply");
  }
  {
    // A node name that runs to the end of the structure block unterminated.
    Builder b;
    b.Begin("").End();
    auto blob = b.Finish();
    // Structure: BEGIN, "\0\0\0\0", END_NODE, END. Overwrite the name padding
    // and everything after it with non-zero bytes.
    for (size_t i = 56 + 4; i < 56 + 16; i++) blob[i] = 'x';
    EXPECT_EQ(Open(&fdt, blob, &why), NX_ERR_BAD_FORMAT);
    EXPECT_STREQ(why, "truncated or unknown token");
  }
}

TEST(Fdt, AcceptsTheTreeQemuPasses) {
  auto blob = fdt_test::LoadVirtDtb();
  ASSERT_GT(blob.size(), 1000u) << "virt_dtb.dtb missing from runfiles";
  fdt_t fdt;
  const char *why = nullptr;
  ASSERT_EQ(Open(&fdt, blob, &why), NX_OK) << why;
  // The devices the kernel needs are there, found as the platform finds
  // them: one walk, each node's compatible list matched as it passes.
  const char *const wanted[] = {"ns16550a", "virtio,mmio"};
  uint32_t found = 0;
  fdt_walk_t w = FDT_WALK_START;
  fdt_item_t it;
  int err;
  while ((err = fdt_walk_next(&fdt, &w, &it)) == NX_OK) {
    if (fdt_item_is(&it, "compatible")) {
      found |= fdt_list_match(reinterpret_cast<const char *>(it.data), it.len, wanted, 2);
    }
  }
  EXPECT_EQ(err, NX_ERR_NOT_FOUND);
  EXPECT_EQ(found, 3u);
}

// Every truncation of a real tree is refused without reading past the cut
// (each cut is its own exact-size allocation, so a wild read would land
// outside it).
TEST(Fdt, EveryTruncationIsRefused) {
  auto blob = fdt_test::LoadVirtDtb();
  ASSERT_GE(blob.size(), FDT_HEADER_SIZE);
  const size_t total = fdt_header_total_size(blob.data());
  ASSERT_LE(total, blob.size());
  fdt_t fdt;
  for (size_t n = 0; n < total; n++) {
    std::vector<uint8_t> cut(blob.begin(), blob.begin() + static_cast<long>(n));
    EXPECT_EQ(fdt_open(&fdt, cut.data(), cut.size(), nullptr), NX_ERR_BAD_FORMAT) << n;
  }
  EXPECT_EQ(fdt_open(&fdt, blob.data(), total, nullptr), NX_OK);
}

}  // namespace
