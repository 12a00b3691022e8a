// Differential test: //kernel/fdt against libfdt (dtc's reference library,
// Debian's libfdt-dev). On the QEMU virt tree, on hand-built trees and on
// random trees, both libraries walk every node and must agree on names,
// depths, parents, properties, path and subnode lookups, compatible matches
// and reg decoding. On thousands of corrupted variants of the QEMU tree,
// every blob fdt_open() accepts must pass libfdt's fdt_check_full() too: we
// may refuse more than libfdt, never less.
//
// Both libraries name a node by the offset of its BEGIN_NODE token in the
// structure block, so offsets compare directly.
#include "neuron/fdt.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "kernel/fdt/fdt_builder.h"
#include "neuron/errors.h"
#include "third_party/libfdt/libfdt_reference.h"

namespace {

using fdt_test::Builder;

// What the comparisons covered, printed at the end of each test.
struct Counts {
  int trees = 0;
  int nodes = 0;
  int props = 0;
  int prop_lookups = 0;
  int path_lookups = 0;
  int subnode_lookups = 0;
  int compat_checks = 0;
  int compat_searches = 0;
  int reg_entries = 0;
  int reg_errors = 0;
  int libfdt_compat_quirks = 0;

  void Print(const char *what) const {
    std::cout << "[differential] " << what << ": trees=" << trees << " nodes=" << nodes
              << " props=" << props << " prop_lookups=" << prop_lookups
              << " path_lookups=" << path_lookups << " subnode_lookups=" << subnode_lookups
              << " compat_checks=" << compat_checks << " compat_searches=" << compat_searches
              << " reg_entries=" << reg_entries << " reg_errors=" << reg_errors
              << " libfdt_compat_quirks=" << libfdt_compat_quirks << "\n";
  }
};

uint32_t Be32(const void *p) {
  const uint8_t *b = static_cast<const uint8_t *>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

// One node as libfdt's walk sees it.
struct RefNode {
  int offset;
  int depth;
  int parent;  // -1 for the root
  std::string name;
  std::string path;
  bool path_usable;  // no component holds '/' or ':', so the path names it
};

std::vector<RefNode> RefWalk(const void *blob) {
  std::vector<RefNode> nodes;
  std::vector<size_t> open;  // indices into nodes, one per depth
  int depth = -1;
  for (int n = libfdt_next_node(blob, -1, &depth); n >= 0 && depth >= 0;
       n = libfdt_next_node(blob, n, &depth)) {
    int len = 0;
    const char *name = fdt_get_name(blob, n, &len);
    EXPECT_NE(name, nullptr) << n;
    if (!name) break;
    RefNode r{n, depth, -1, std::string(name, static_cast<size_t>(len)), "", true};
    open.resize(static_cast<size_t>(depth));
    if (depth == 0) {
      r.path = "/";
    } else {
      const RefNode &p = nodes[open.back()];
      r.parent = p.offset;
      r.path = (depth == 1 ? "" : p.path) + "/" + r.name;
      r.path_usable = p.path_usable && r.name.find_first_of("/:") == std::string::npos;
    }
    open.push_back(nodes.size());
    nodes.push_back(r);
  }
  return nodes;
}

// Every NUL-terminated string of the strings block: the candidate property
// names, including names of properties no lookup can reach.
std::set<std::string> StringsBlock(const uint8_t *blob) {
  const uint32_t off = Be32(blob + 12), size = Be32(blob + 32);
  std::set<std::string> names;
  std::string cur;
  for (uint32_t i = 0; i < size; i++) {
    if (blob[off + i] == 0) {
      names.insert(cur);
      cur.clear();
    } else {
      cur += static_cast<char>(blob[off + i]);
    }
  }
  return names;
}

// The strings of a string list; an unterminated tail counts as one more.
std::vector<std::string> SplitList(const char *v, int len) {
  std::vector<std::string> out;
  int start = 0;
  for (int i = 0; i < len; i++) {
    if (v[i] == 0) {
      out.emplace_back(v + start, v + i);
      start = i + 1;
    }
  }
  if (start < len) out.emplace_back(v + start, v + len);
  return out;
}

// The path with every unit address dropped ("/soc/serial@1" -> "/soc/serial").
std::string Unitless(const std::string &path) {
  std::string out;
  bool skip = false;
  for (char c : path) {
    if (c == '/') skip = false;
    if (c == '@') skip = true;
    if (!skip) out += c;
  }
  return out;
}

// libfdt's lookups that start from offset 0 assume the root is there; a
// tree may put NOPs first, in which case only our side is checked for them.
void ComparePaths(const fdt_t *f, const uint8_t *blob, const std::vector<RefNode> &nodes,
                  bool unique_names, Counts *c) {
  const bool root_at_zero = !nodes.empty() && nodes[0].offset == 0;
  auto check = [&](const std::string &path, const std::string &ref_path, int expect_node) {
    const int ours = fdt_path(f, path.c_str());
    if (root_at_zero) {
      const int ref =
          fdt_path_offset_namelen(blob, ref_path.c_str(), static_cast<int>(ref_path.size()));
      if (ref >= 0) {
        EXPECT_EQ(ours, ref) << path;
      } else {
        EXPECT_EQ(ref, -FDT_ERR_NOTFOUND) << path;
        EXPECT_EQ(ours, NX_ERR_NOT_FOUND) << path;
      }
    }
    if (expect_node >= 0) EXPECT_EQ(ours, expect_node) << path;
    c->path_lookups++;
  };
  for (const RefNode &n : nodes) {
    if (!n.path_usable) continue;
    const int exact = unique_names ? n.offset : -1;
    check(n.path, n.path, exact);
    check(n.path + "/", n.path + "/", exact);
    check("/" + n.path, "/" + n.path, exact);
    // A ':' suffix (stdout-path options) is ours to strip, not libfdt's.
    check(n.path + ":115200n8", n.path, exact);
    check(Unitless(n.path), Unitless(n.path), -1);
    check(n.path + (n.depth ? "/" : "") + "no-such-node",
          n.path + (n.depth ? "/" : "") + "no-such-node", -1);
    check(n.path + (n.depth ? "/" : "") + "no-such-node@0",
          n.path + (n.depth ? "/" : "") + "no-such-node@0", -1);
  }
  // libfdt would look "relative" up as an alias; we have no aliases.
  EXPECT_EQ(fdt_path(f, "relative/path"), NX_ERR_INVALID_ARGS);
}

void CompareProps(const fdt_t *f, const uint8_t *blob, const RefNode &n,
                  const std::set<std::string> &names, Counts *c) {
  // Each property libfdt lists: ours finds the same bytes at the same place
  // (for a repeated name, both return the first).
  std::set<std::string> seen;
  int p;
  fdt_for_each_property_offset(p, blob, n.offset) {
    const char *name = nullptr;
    int len = -1;
    const void *ref = fdt_getprop_by_offset(blob, p, &name, &len);
    EXPECT_NE(ref, nullptr);
    if (!ref || !name) continue;
    c->props++;
    if (!seen.insert(name).second) continue;
    uint32_t our_len = 0xdeadbeef;
    const void *ours = fdt_prop(f, n.offset, name, &our_len);
    EXPECT_EQ(ours, ref) << n.path << " " << name;
    EXPECT_EQ(our_len, static_cast<uint32_t>(len)) << n.path << " " << name;
    if (ours && our_len == static_cast<uint32_t>(len)) {
      EXPECT_EQ(std::memcmp(ours, ref, static_cast<size_t>(len)), 0) << n.path << " " << name;
    }
    uint32_t v = 0;
    const int u32 = fdt_prop_u32(f, n.offset, name, &v);
    if (len == 4) {
      EXPECT_EQ(u32, NX_OK);
      EXPECT_EQ(v, Be32(ref));
    } else {
      EXPECT_EQ(u32, NX_ERR_BAD_FORMAT) << n.path << " " << name;
    }
    // A property that holds exactly one string matches it.
    const char *s = static_cast<const char *>(ref);
    if (len > 0 && s[len - 1] == 0 && std::strlen(s) == static_cast<size_t>(len - 1)) {
      EXPECT_TRUE(fdt_prop_is(f, n.offset, name, s)) << n.path << " " << name;
    }
  }
  // Every name the strings block holds, present or not: same answer.
  for (const std::string &name : names) {
    int ref_len = -1;
    const void *ref = fdt_getprop(blob, n.offset, name.c_str(), &ref_len);
    uint32_t our_len = 0;
    const void *ours = fdt_prop(f, n.offset, name.c_str(), &our_len);
    EXPECT_EQ(ours, ref) << n.path << " " << name;
    if (ref) {
      EXPECT_EQ(our_len, static_cast<uint32_t>(ref_len)) << n.path << " " << name;
    } else {
      EXPECT_EQ(ref_len, -FDT_ERR_NOTFOUND);
    }
    c->prop_lookups++;
  }
  EXPECT_EQ(fdt_prop(f, n.offset, "no-such-property", nullptr), nullptr);
}

// fdt_is_compatible against fdt_node_check_compatible. libfdt's
// fdt_stringlist_contains() compares strlen(str)+1 bytes even where fewer
// are left in the list, so it can match by reading the byte after the
// property (usually a zero of padding or of the next token): for a list
// without its final NUL, and for the empty string after any list. We never
// read past the property. Only there may libfdt say yes where we say no.
void CompareCompatible(const fdt_t *f, const uint8_t *blob, const std::vector<RefNode> &nodes,
                       Counts *c) {
  std::set<std::string> probes = {"", "no-such,device"};
  bool any_unterminated = false;
  std::vector<bool> terminated;
  for (const RefNode &n : nodes) {
    int len = 0;
    const char *v = static_cast<const char *>(fdt_getprop(blob, n.offset, "compatible", &len));
    terminated.push_back(!v || (len > 0 && v[len - 1] == 0));
    if (!terminated.back()) any_unterminated = true;
    if (!v) continue;
    for (const std::string &s : SplitList(v, len)) {
      probes.insert(s);
      probes.insert(s.substr(0, s.size() / 2));
      probes.insert(s + "x");
    }
  }
  for (const std::string &probe : probes) {
    std::vector<int> ours_found;
    for (size_t i = 0; i < nodes.size(); i++) {
      const int ours = fdt_is_compatible(f, nodes[i].offset, probe.c_str());
      const int ref = fdt_node_check_compatible(blob, nodes[i].offset, probe.c_str());
      EXPECT_TRUE(ref == 0 || ref == 1 || ref == -FDT_ERR_NOTFOUND) << ref;
      if (terminated[i] && !probe.empty()) {
        EXPECT_EQ(ours, ref == 0) << nodes[i].path << " '" << probe << "'";
      } else {
        EXPECT_TRUE(!ours || ref == 0) << nodes[i].path << " '" << probe << "'";
        if (!ours && ref == 0) c->libfdt_compat_quirks++;
      }
      if (ours) ours_found.push_back(nodes[i].offset);
      c->compat_checks++;
    }
    // The search visits exactly the matching nodes in document order.
    std::vector<int> ours_chain;
    for (int n = fdt_find_compatible(f, FDT_FROM_START, probe.c_str()); n >= 0;
         n = fdt_find_compatible(f, n, probe.c_str())) {
      ours_chain.push_back(n);
      if (ours_chain.size() > nodes.size()) break;
    }
    EXPECT_EQ(ours_chain, ours_found) << "'" << probe << "'";
    if (!any_unterminated && !probe.empty()) {
      std::vector<int> ref_chain;
      for (int n = fdt_node_offset_by_compatible(blob, -1, probe.c_str()); n >= 0;
           n = fdt_node_offset_by_compatible(blob, n, probe.c_str())) {
        ref_chain.push_back(n);
        if (ref_chain.size() > nodes.size()) break;
      }
      EXPECT_EQ(ours_chain, ref_chain) << "'" << probe << "'";
    }
    c->compat_searches++;
  }
}

// fdt_reg against the parent's cells as libfdt reads them
// (fdt_address_cells/fdt_size_cells, defaults 2 and 1) and the raw "reg".
void CompareReg(const fdt_t *f, const uint8_t *blob, const RefNode &n, Counts *c) {
  uint64_t base = 0, size = 0;
  if (n.parent < 0) {
    EXPECT_EQ(fdt_reg(f, n.offset, 0, &base, &size), NX_ERR_NOT_FOUND);
    return;
  }
  int ac_len = 0, sc_len = 0;
  const bool ac_bad = fdt_getprop(blob, n.parent, "#address-cells", &ac_len) && ac_len != 4;
  const bool sc_bad = fdt_getprop(blob, n.parent, "#size-cells", &sc_len) && sc_len != 4;
  const int ac = fdt_address_cells(blob, n.parent);
  const int sc = fdt_size_cells(blob, n.parent);
  int reg_len = 0;
  const uint8_t *reg = static_cast<const uint8_t *>(fdt_getprop(blob, n.offset, "reg", &reg_len));
  int expect = NX_OK;
  if (ac_bad || sc_bad) {
    EXPECT_EQ(ac_bad ? ac : sc, -FDT_ERR_BADNCELLS);
    expect = NX_ERR_BAD_FORMAT;
  } else if (ac < 1 || ac > 2 || sc < 0 || sc > 2) {
    expect = NX_ERR_NOT_SUPPORTED;  // libfdt allows up to 4 cells; we decode 2
  } else if (!reg) {
    expect = NX_ERR_NOT_FOUND;
  } else if (reg_len % (4 * (ac + sc)) != 0) {
    expect = NX_ERR_BAD_FORMAT;
  }
  if (expect != NX_OK) {
    EXPECT_EQ(fdt_reg(f, n.offset, 0, &base, &size), expect) << n.path;
    c->reg_errors++;
    return;
  }
  const int entries = reg_len / (4 * (ac + sc));
  for (int i = 0; i < entries; i++) {
    const uint8_t *e = reg + 4 * (ac + sc) * i;
    uint64_t want_base = 0, want_size = 0;
    for (int k = 0; k < ac; k++)
      want_base = (want_base << 32) | fdt32_ld(reinterpret_cast<const fdt32_t *>(e + 4 * k));
    for (int k = 0; k < sc; k++) {
      want_size = (want_size << 32) | fdt32_ld(reinterpret_cast<const fdt32_t *>(e + 4 * (ac + k)));
    }
    ASSERT_EQ(fdt_reg(f, n.offset, static_cast<uint32_t>(i), &base, &size), NX_OK)
        << n.path << " " << i;
    EXPECT_EQ(base, want_base) << n.path << " " << i;
    EXPECT_EQ(size, want_size) << n.path << " " << i;
    c->reg_entries++;
  }
  EXPECT_EQ(fdt_reg(f, n.offset, static_cast<uint32_t>(entries), &base, &size), NX_ERR_OUT_OF_RANGE)
      << n.path;
}

// Everything both libraries can answer about one blob that both accept.
// `unique_names`: no two siblings share a name or a unit-less name, so every
// path must lead back to its own node.
void CompareTree(const std::vector<uint8_t> &blob, bool unique_names, Counts *c) {
  ASSERT_EQ(fdt_check_full(blob.data(), blob.size()), 0);
  fdt_t f;
  const char *why = nullptr;
  ASSERT_EQ(fdt_open(&f, blob.data(), blob.size(), &why), NX_OK) << why;
  const uint8_t *b = blob.data();
  c->trees++;

  const std::vector<RefNode> nodes = RefWalk(b);
  ASSERT_FALSE(nodes.empty());
  EXPECT_EQ(fdt_root(&f), nodes[0].offset);

  // The walk: same nodes, same order, same depths and names.
  size_t i = 0;
  int depth = 0;
  for (int n = fdt_root(&f); n >= 0; n = fdt_next_node(&f, n, &depth), i++) {
    ASSERT_LT(i, nodes.size()) << "we walk more nodes than libfdt";
    EXPECT_EQ(n, nodes[i].offset);
    EXPECT_EQ(depth, nodes[i].depth) << nodes[i].path;
    EXPECT_EQ(fdt_node_name(&f, n), fdt_get_name(b, n, nullptr)) << nodes[i].path;
  }
  EXPECT_EQ(i, nodes.size()) << "we walk fewer nodes than libfdt";
  c->nodes += static_cast<int>(nodes.size());

  const bool root_at_zero = nodes[0].offset == 0;
  const std::set<std::string> names = StringsBlock(b);
  for (const RefNode &n : nodes) {
    SCOPED_TRACE(n.path);
    EXPECT_EQ(fdt_parent(&f, n.offset), n.parent < 0 ? NX_ERR_NOT_FOUND : n.parent);
    if (root_at_zero) {
      const int ref_parent = fdt_parent_offset(b, n.offset);
      EXPECT_EQ(n.parent < 0 ? -FDT_ERR_NOTFOUND : n.parent, ref_parent);
      EXPECT_EQ(fdt_node_depth(b, n.offset), n.depth);
    }
    if (n.parent >= 0) {
      // Our subnode lookup against libfdt's, by full and unit-less name.
      EXPECT_EQ(fdt_subnode(&f, n.parent, n.name.c_str()),
                fdt_subnode_offset(b, n.parent, n.name.c_str()));
      const std::string unitless = n.name.substr(0, n.name.find('@'));
      const int ref = fdt_subnode_offset(b, n.parent, unitless.c_str());
      EXPECT_EQ(fdt_subnode(&f, n.parent, unitless.c_str()), ref < 0 ? NX_ERR_NOT_FOUND : ref);
      c->subnode_lookups += 2;
    }
    CompareProps(&f, b, n, names, c);
    CompareReg(&f, b, n, c);
  }
  ComparePaths(&f, b, nodes, unique_names, c);
  CompareCompatible(&f, b, nodes, c);
}

// The QEMU tree, cut to its header's total size.
std::vector<uint8_t> VirtTree() {
  std::vector<uint8_t> blob = fdt_test::LoadVirtDtb();
  EXPECT_GT(blob.size(), 1000u) << "virt_dtb.dtb missing from runfiles";
  if (blob.size() < FDT_HEADER_SIZE) return {};
  const uint32_t total = fdt_header_total_size(blob.data());
  EXPECT_LE(total, blob.size());
  blob.resize(std::min<size_t>(total, blob.size()));
  return blob;
}

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

// A fixed-seed generator, so every run compares the same trees and blobs.
class Rng {
 public:
  explicit Rng(uint32_t seed) : mt_(seed) {}
  uint32_t operator()(uint32_t n) { return static_cast<uint32_t>(mt_() % n); }

 private:
  std::mt19937 mt_;
};

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
