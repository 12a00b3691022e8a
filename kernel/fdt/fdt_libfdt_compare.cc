// The differential comparison (see fdt_libfdt_compare.h): libfdt's walk of
// a blob, and for every node the parent, properties, reg decoding, path and
// subnode lookups and compatible matches checked against ours, and our
// one-pass walk against libfdt's node and property iteration; and the QEMU
// tree.
#include "kernel/fdt/fdt_libfdt_compare.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "kernel/fdt/fdt_builder.h"
#include "kernel/fdt/fdt_reg_of.h"
#include "neuron/errors.h"
#include "neuron/fdt.h"
#include "third_party/libfdt/libfdt_reference.h"

namespace fdt_test {

uint32_t Be32(const void *p) {
  const uint8_t *b = static_cast<const uint8_t *>(p);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

namespace {

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

// Our compatible matching against libfdt's: a node's "compatible" value
// (fdt_prop) matched by fdt_list_contains against fdt_node_check_compatible,
// and a search of the whole tree as the platform does it (one walk, each
// node's list matched against many names at once by fdt_list_match) against
// fdt_node_offset_by_compatible. libfdt's fdt_stringlist_contains() compares
// strlen(str)+1 bytes even where fewer are left in the list, so it can match
// by reading the byte after the property (usually a zero of padding or of
// the next token): for a list without its final NUL, and for the empty
// string after any list. We never read past the property. Only there may
// libfdt say yes where we say no.
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
  const std::vector<std::string> probe_list(probes.begin(), probes.end());

  // The walk: each node's first "compatible" as it passes (the one fdt_prop
  // finds), and which probes it contains, 32 names to a pass.
  struct Walked {
    int node;
    std::vector<bool> contains;  // one per probe
  };
  std::vector<Walked> walked;
  fdt_walk_t w = FDT_WALK_START;
  fdt_item_t it;
  int node = -1;
  int err;
  while ((err = fdt_walk_next(f, &w, &it)) == NX_OK) {
    if (it.kind == FDT_ITEM_NODE) node = it.node;
    if (!fdt_item_is(&it, "compatible") || (!walked.empty() && walked.back().node == node)) {
      continue;
    }
    Walked entry{node, std::vector<bool>(probe_list.size())};
    for (size_t k0 = 0; k0 < probe_list.size(); k0 += 32) {
      const char *names[32];
      const uint32_t count = static_cast<uint32_t>(std::min<size_t>(32, probe_list.size() - k0));
      for (uint32_t k = 0; k < count; k++) names[k] = probe_list[k0 + k].c_str();
      const uint32_t found =
          fdt_list_match(reinterpret_cast<const char *>(it.data), it.len, names, count);
      for (uint32_t k = 0; k < count; k++) entry.contains[k0 + k] = (found >> k) & 1;
    }
    walked.push_back(entry);
  }
  EXPECT_EQ(err, NX_ERR_NOT_FOUND);

  for (size_t k = 0; k < probe_list.size(); k++) {
    const std::string &probe = probe_list[k];
    std::vector<int> ours_found;
    for (size_t i = 0; i < nodes.size(); i++) {
      uint32_t len = 0;
      const char *list =
          static_cast<const char *>(fdt_prop(f, nodes[i].offset, "compatible", &len));
      const int ours = fdt_list_contains(list, len, probe.c_str());
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
    // The search finds exactly the matching nodes, in document order.
    std::vector<int> ours_chain;
    for (const Walked &entry : walked) {
      if (entry.contains[k]) ours_chain.push_back(entry.node);
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

// Our reg decoding against the parent's cells as libfdt reads them
// (fdt_address_cells/fdt_size_cells, defaults 2 and 1) and the raw "reg".
// The root has no parent to give it cells, so its reg is not decoded.
void CompareReg(const fdt_t *f, const uint8_t *blob, const RefNode &n, Counts *c) {
  uint64_t base = 0, size = 0;
  if (n.parent < 0) return;
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
    EXPECT_EQ(RegOf(f, n.parent, n.offset, 0, &base, &size), expect) << n.path;
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
    ASSERT_EQ(RegOf(f, n.parent, n.offset, static_cast<uint32_t>(i), &base, &size), NX_OK)
        << n.path << " " << i;
    EXPECT_EQ(base, want_base) << n.path << " " << i;
    EXPECT_EQ(size, want_size) << n.path << " " << i;
    c->reg_entries++;
  }
  EXPECT_EQ(RegOf(f, n.parent, n.offset, static_cast<uint32_t>(entries), &base, &size),
            NX_ERR_OUT_OF_RANGE)
      << n.path;
}

// fdt_walk_next against libfdt: each node in order with its depth and
// name, then its properties as fdt_for_each_property_offset lists them
// (the same bytes in place), its children, and its end.
void CompareWalk(const fdt_t *f, const uint8_t *blob, const std::vector<RefNode> &nodes,
                 Counts *c) {
  struct Item {
    int kind, node, depth;
    const void *data;
    uint32_t len;
    std::string name;
    bool operator==(const Item &o) const {
      return kind == o.kind && node == o.node && depth == o.depth && data == o.data &&
             len == o.len && name == o.name;
    }
  };
  std::vector<Item> want;
  std::vector<int> open;  // depths of the nodes not yet ended
  auto end_to = [&](int depth) {
    while (!open.empty() && open.back() >= depth) {
      want.push_back({FDT_ITEM_END, 0, open.back(), nullptr, 0, ""});
      open.pop_back();
    }
  };
  for (const RefNode &n : nodes) {
    end_to(n.depth);
    want.push_back({FDT_ITEM_NODE, n.offset, n.depth, nullptr, 0, n.name});
    open.push_back(n.depth);
    int p;
    fdt_for_each_property_offset(p, blob, n.offset) {
      const char *name = nullptr;
      int len = -1;
      const void *data = fdt_getprop_by_offset(blob, p, &name, &len);
      want.push_back({FDT_ITEM_PROP, 0, n.depth, data, static_cast<uint32_t>(len), name});
    }
  }
  end_to(0);

  std::vector<Item> got;
  fdt_walk_t w = FDT_WALK_START;
  fdt_item_t it;
  int err;
  while ((err = fdt_walk_next(f, &w, &it)) == NX_OK && got.size() <= want.size()) {
    got.push_back({it.kind, it.node, it.depth, it.data, it.len, it.name ? it.name : ""});
  }
  EXPECT_EQ(err, NX_ERR_NOT_FOUND);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); i++) {
    EXPECT_TRUE(got[i] == want[i]) << "item " << i << ": " << want[i].name;
  }
  c->walk_items += static_cast<int>(got.size());
}

}  // namespace

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

  // The walk: same nodes, same order, same depths and names, and so the
  // same parents (the node open one level up).
  size_t i = 0;
  int depth = 0;
  std::vector<int> open;  // our chain of open nodes, one per depth
  for (int n = fdt_root(&f); n >= 0; n = fdt_next_node(&f, n, &depth), i++) {
    ASSERT_LT(i, nodes.size()) << "we walk more nodes than libfdt";
    EXPECT_EQ(n, nodes[i].offset);
    EXPECT_EQ(depth, nodes[i].depth) << nodes[i].path;
    EXPECT_EQ(fdt_node_name(&f, n), fdt_get_name(b, n, nullptr)) << nodes[i].path;
    ASSERT_TRUE(depth >= 0 && static_cast<size_t>(depth) <= open.size()) << nodes[i].path;
    open.resize(static_cast<size_t>(depth));
    EXPECT_EQ(open.empty() ? -1 : open.back(), nodes[i].parent) << nodes[i].path;
    open.push_back(n);
  }
  EXPECT_EQ(i, nodes.size()) << "we walk fewer nodes than libfdt";
  c->nodes += static_cast<int>(nodes.size());

  const bool root_at_zero = nodes[0].offset == 0;
  const std::set<std::string> names = StringsBlock(b);
  for (const RefNode &n : nodes) {
    SCOPED_TRACE(n.path);
    if (root_at_zero) {
      // libfdt's own parent and depth lookups agree with its walk, the
      // reference our walk was checked against above.
      const int ref_parent = fdt_parent_offset(b, n.offset);
      EXPECT_EQ(n.parent < 0 ? -FDT_ERR_NOTFOUND : n.parent, ref_parent);
      EXPECT_EQ(fdt_node_depth(b, n.offset), n.depth);
    }
    // Our lookup of the last path component against libfdt's subnode
    // lookup from the same parent, by full and unit-less name. Only where
    // our path reaches the real parent (an earlier namesake may take it),
    // and not for an empty unit-less name, which a path cannot hold.
    const std::string parent_path = n.path.substr(0, n.path.size() - n.name.size());
    if (n.parent >= 0 && n.path_usable && fdt_path(&f, parent_path.c_str()) == n.parent) {
      EXPECT_EQ(fdt_path(&f, n.path.c_str()), fdt_subnode_offset(b, n.parent, n.name.c_str()));
      c->subnode_lookups++;
      const std::string unitless = n.name.substr(0, n.name.find('@'));
      if (!unitless.empty()) {
        const int ref = fdt_subnode_offset(b, n.parent, unitless.c_str());
        EXPECT_EQ(fdt_path(&f, (parent_path + unitless).c_str()), ref < 0 ? NX_ERR_NOT_FOUND : ref);
        c->subnode_lookups++;
      }
    }
    CompareProps(&f, b, n, names, c);
    CompareReg(&f, b, n, c);
  }
  CompareWalk(&f, b, nodes, c);
  ComparePaths(&f, b, nodes, unique_names, c);
  CompareCompatible(&f, b, nodes, c);
}

std::vector<uint8_t> VirtTree() {
  std::vector<uint8_t> blob = fdt_test::LoadVirtDtb();
  EXPECT_GT(blob.size(), 1000u) << "virt_dtb.dtb missing from runfiles";
  if (blob.size() < FDT_HEADER_SIZE) return {};
  const uint32_t total = fdt_header_total_size(blob.data());
  EXPECT_LE(total, blob.size());
  blob.resize(std::min<size_t>(total, blob.size()));
  return blob;
}

}  // namespace fdt_test
