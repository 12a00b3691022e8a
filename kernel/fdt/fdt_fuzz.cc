// libFuzzer target for the device tree reader: fdt_open() on arbitrary
// bytes and, when it accepts them, every lookup on every node (and on
// offsets that are not nodes) and the one-pass walk. Built with AddressSanitizer and UBSan, so a
// read outside the input or undefined behaviour is a crash; the checks below
// turn broken invariants into crashes too. Run by //tools/fuzz:fuzz_test.sh (the fdt_fuzz_test
// target).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "neuron/errors.h"
#include "neuron/fdt.h"

namespace {

// A broken invariant: crash so libFuzzer keeps the input.
void Check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Input {
  const uint8_t *data;
  size_t size;

  // A property value lies inside the input, and every byte is readable.
  void CheckValue(const void *v, uint32_t len) const {
    const uint8_t *p = static_cast<const uint8_t *>(v);
    Check(p >= data && len <= size && static_cast<size_t>(p - data) <= size - len);
    volatile uint8_t sink = 0;
    for (uint32_t i = 0; i < len; i++) sink = sink ^ p[i];
    (void)sink;
  }
};

// The names in the strings block (the property names a lookup can meet),
// plus names no tree defines.
std::vector<std::string> PropertyNames(const fdt_t &f) {
  std::vector<std::string> names = {
      "reg", "compatible", "#address-cells", "#size-cells", "status", "no-such-property", ""};
  const char *s = reinterpret_cast<const char *>(f.blob + f.strings_off);
  std::string cur;
  for (uint32_t i = 0; i < f.strings_size && names.size() < 64; i++) {
    if (s[i] == 0) {
      names.push_back(cur);
      cur.clear();
    } else {
      cur += s[i];
    }
  }
  return names;
}

// The strings of a list property, an unterminated tail included.
void AddStrings(const char *v, uint32_t len, std::vector<std::string> *out) {
  uint32_t start = 0;
  for (uint32_t i = 0; i <= len && out->size() < 64; i++) {
    if (i == len || v[i] == 0) {
      if (i > start) out->emplace_back(v + start, v + i);
      start = i + 1;
    }
  }
}

void Lookups(const Input &in, const fdt_t &f, int node, const std::vector<std::string> &names,
             std::vector<std::string> *compats) {
  for (const std::string &name : names) {
    uint32_t len = 0;
    const void *v = fdt_prop(&f, node, name.c_str(), &len);
    if (v) {
      in.CheckValue(v, len);
      if (name == "compatible") AddStrings(static_cast<const char *>(v), len, compats);
    }
    uint32_t u = 0;
    const int err = fdt_prop_u32(&f, node, name.c_str(), &u);
    Check(v ? (err == (len == 4 ? NX_OK : NX_ERR_BAD_FORMAT)) : err == NX_ERR_NOT_FOUND);
    fdt_prop_is(&f, node, name.c_str(), "okay");
    fdt_prop_is(&f, node, name.c_str(), "");
  }
  for (uint32_t i = 0; i < 64; i++) {
    uint64_t base = 0, size = 0;
    const int err = fdt_reg(&f, node, i, &base, &size);
    if (err != NX_OK) {
      Check(err == NX_ERR_NOT_FOUND || err == NX_ERR_BAD_FORMAT || err == NX_ERR_NOT_SUPPORTED ||
            err == NX_ERR_OUT_OF_RANGE);
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const Input in{data, size};
  fdt_t f;
  const char *why = nullptr;
  if (fdt_open(&f, data, size, &why) != NX_OK) {
    Check(why != nullptr);
    return 0;
  }
  Check(f.blob == data && f.total_size <= size);
  if (size >= FDT_HEADER_SIZE) Check(fdt_header_total_size(data) == f.total_size);

  const std::vector<std::string> names = PropertyNames(f);
  std::vector<std::string> compats = {"ns16550a", "virtio,mmio", ""};

  // Walk every node, keeping the chain of open nodes: each node's parent and
  // path are known, and every lookup must agree with them.
  struct Open {
    int node;
    std::string path;
    bool usable;  // the path leads here: no '/' or ':' in a name, and at
                  // each level the first sibling the name matches
  };
  std::vector<Open> chain;
  std::vector<int> nodes;
  int depth = 0;
  int node = fdt_root(&f);
  Check(node >= 0);
  for (; node >= 0; node = fdt_next_node(&f, node, &depth)) {
    Check(depth >= 0 && depth < FDT_MAX_DEPTH && static_cast<size_t>(depth) <= chain.size());
    const char *name = fdt_node_name(&f, node);
    Check(name != nullptr);
    in.CheckValue(name, 1);
    chain.resize(static_cast<size_t>(depth));
    const std::string n(name);
    Open o{node, "/", true};
    if (depth > 0) {
      const Open &p = chain.back();
      o.path = (depth == 1 ? "" : p.path) + "/" + n;
      Check(fdt_parent(&f, node) == p.node);
      const int sub = fdt_subnode(&f, p.node, name);
      Check(sub >= 0 && sub <= node);  // this node or an earlier namesake
      o.usable = p.usable && sub == node && n.find_first_of("/:") == std::string::npos;
      fdt_subnode(&f, p.node, n.substr(0, n.find('@')).c_str());
    } else {
      Check(fdt_parent(&f, node) == NX_ERR_NOT_FOUND);
    }
    if (o.usable) {
      Check(fdt_path(&f, o.path.c_str()) == node);
      Check(fdt_path(&f, (o.path + ":115200n8").c_str()) == node);
      fdt_path(&f, (o.path + "/x@0").c_str());
    } else {
      const int found = fdt_path(&f, o.path.c_str());
      Check(found >= 0 || found == NX_ERR_NOT_FOUND);
    }
    chain.push_back(o);
    nodes.push_back(node);
    Lookups(in, f, node, names, &compats);
  }
  Check(node == NX_ERR_NOT_FOUND);
  Check(fdt_path(&f, "/") == fdt_root(&f));
  Check(fdt_path(&f, "relative") == NX_ERR_INVALID_ARGS);

  // The one-pass walk meets the same nodes in the same order, each
  // property in bounds and the one fdt_prop() finds for a first name, and
  // ends every node it began.
  {
    fdt_walk_t w = FDT_WALK_START;
    fdt_item_t it;
    size_t seen = 0;
    int open = 0, err, last_node = -1;
    std::vector<std::string> props;
    while ((err = fdt_walk_next(&f, &w, &it)) == NX_OK) {
      if (it.kind == FDT_ITEM_NODE) {
        Check(seen < nodes.size() && it.node == nodes[seen++] && it.depth == open++);
        last_node = it.node;
        props.clear();
      } else if (it.kind == FDT_ITEM_PROP) {
        in.CheckValue(it.data, it.len);
        bool first = true;
        for (const std::string &p : props) first = first && p != it.name;
        uint32_t len = 0;
        if (first) Check(fdt_prop(&f, last_node, it.name, &len) == it.data && len == it.len);
        props.emplace_back(it.name);
      } else {
        Check(it.kind == FDT_ITEM_END && it.depth == --open);
      }
    }
    Check(err == NX_ERR_NOT_FOUND && seen == nodes.size() && open == 0);
  }

  // Each search visits matching nodes in document order and stops.
  for (const std::string &c : compats) {
    size_t steps = 0;
    int prev = -1;
    for (int n = fdt_find_compatible(&f, FDT_FROM_START, c.c_str()); n >= 0;
         n = fdt_find_compatible(&f, n, c.c_str())) {
      Check(n > prev && fdt_is_compatible(&f, n, c.c_str()) && ++steps <= nodes.size());
      prev = n;
    }
  }

  // Offsets that are not nodes: refused, never read out of bounds.
  for (uint32_t off = 0; off < f.struct_size + 8 && off < 1024; off++) {
    const int n = static_cast<int>(off);
    fdt_node_name(&f, n);
    int d = 0;
    fdt_next_node(&f, n, &d);
    fdt_prop(&f, n, "reg", nullptr);
    fdt_subnode(&f, n, "a");
    if (off % 4 == 0) {
      uint64_t base, size2;
      fdt_reg(&f, n, 0, &base, &size2);
      fdt_find_compatible(&f, n, "ns16550a");
    }
  }
  for (int n : {-1, -4, INT32_MIN, INT32_MAX}) {
    Check(fdt_node_name(&f, n) == nullptr);
    Check(fdt_next_node(&f, n, nullptr) < 0);
    Check(fdt_prop(&f, n, "reg", nullptr) == nullptr);
  }
  return 0;
}
