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

// The property lookups on one node, and its reg decoded with the cells of
// `parent` (negative for the root, which has no reg to decode).
void Lookups(const Input &in, const fdt_t &f, int node, int parent,
             const std::vector<std::string> &names, std::vector<std::string> *compats) {
  for (const std::string &name : names) {
    uint32_t len = 0;
    const void *v = fdt_prop(&f, node, name.c_str(), &len);
    if (v) {
      in.CheckValue(v, len);
      if (name == "compatible") AddStrings(static_cast<const char *>(v), len, compats);
    }
    uint32_t u = 0;
    int err = fdt_prop_u32(&f, node, name.c_str(), &u);
    Check(v ? (err == (len == 4 ? NX_OK : NX_ERR_BAD_FORMAT)) : err == NX_ERR_NOT_FOUND);
    uint64_t number = 0;
    err = fdt_prop_number(&f, node, name.c_str(), &number);
    Check(v ? (err == (len == 4 || len == 8 ? NX_OK : NX_ERR_BAD_FORMAT))
            : err == NX_ERR_NOT_FOUND);
    if (v && len == 4) Check(number == u);
  }
  if (parent < 0) return;
  uint32_t ac_len = 0, sc_len = 0, reg_len = 0, ac = 0, sc = 0;
  const void *ac_value = fdt_prop(&f, parent, "#address-cells", &ac_len);
  const void *sc_value = fdt_prop(&f, parent, "#size-cells", &sc_len);
  if (fdt_cells_decode(ac_value, ac_len, sc_value, sc_len, &ac, &sc) != NX_OK) {
    Check((ac_value && ac_len != 4) || (sc_value && sc_len != 4));
    return;
  }
  const void *reg = fdt_prop(&f, node, "reg", &reg_len);
  for (uint32_t i = 0; i < 64; i++) {
    uint64_t base = 0, size = 0;
    const int err = fdt_reg_decode(reg, reg_len, ac, sc, i, &base, &size);
    if (err != NX_OK) {
      Check(err == NX_ERR_NOT_FOUND || err == NX_ERR_BAD_FORMAT || err == NX_ERR_NOT_SUPPORTED ||
            err == NX_ERR_OUT_OF_RANGE);
      break;
    }
  }
}

// A compatible list as the walk passes it: fdt_list_contains and
// fdt_list_match find exactly the entries that end in a NUL inside the value.
void CheckList(const char *list, uint32_t len, const std::vector<std::string> &probes) {
  std::vector<std::string> entries;
  uint32_t start = 0;
  for (uint32_t i = 0; i < len; i++) {
    if (list[i] == 0) {
      entries.emplace_back(list + start, list + i);
      start = i + 1;
    }
  }
  const char *names[32];
  uint32_t count = 0;
  for (const std::string &p : probes) {
    if (count == 32) break;
    names[count++] = p.c_str();
  }
  const uint32_t found = fdt_list_match(list, len, names, count);
  for (uint32_t k = 0; k < count; k++) {
    bool want = false;
    for (const std::string &e : entries) want = want || e == names[k];
    Check(fdt_list_contains(list, len, names[k]) == want && ((found >> k) & 1) == want);
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
    int parent = -1;
    if (depth > 0) {
      const Open &p = chain.back();
      parent = p.node;
      const std::string prefix = depth == 1 ? "/" : p.path + "/";
      o.path = prefix + n;
      o.usable = p.usable && n.find_first_of("/:") == std::string::npos;
      if (o.usable) {
        // The parent's path leads to it, so this name leads to this node or
        // an earlier namesake, and the unit-less name (if any) no further.
        const int sub = fdt_path(&f, o.path.c_str());
        Check(sub > p.node && sub <= node);
        Check(fdt_name_matches(fdt_node_name(&f, sub), name, n.size()));
        o.usable = sub == node;
        const std::string unitless = n.substr(0, n.find('@'));
        const int found = fdt_path(&f, (prefix + unitless).c_str());
        Check(unitless.empty() ? found == p.node : found > p.node && found <= node);
      }
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
    Lookups(in, f, node, parent, names, &compats);
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
        Check(!fdt_item_is(&it, it.name));  // a node is not a property
        last_node = it.node;
        props.clear();
      } else if (it.kind == FDT_ITEM_PROP) {
        in.CheckValue(it.data, it.len);
        bool first = true;
        for (const std::string &p : props) first = first && p != it.name;
        uint32_t len = 0;
        if (first) Check(fdt_prop(&f, last_node, it.name, &len) == it.data && len == it.len);
        Check(fdt_item_is(&it, it.name));
        if (first && fdt_item_is(&it, "compatible")) {
          CheckList(reinterpret_cast<const char *>(it.data), it.len, compats);
        }
        props.emplace_back(it.name);
      } else {
        Check(it.kind == FDT_ITEM_END && it.depth == --open);
      }
    }
    Check(err == NX_ERR_NOT_FOUND && seen == nodes.size() && open == 0);
  }

  // Offsets that are not nodes: refused, never read out of bounds.
  for (uint32_t off = 0; off < f.struct_size + 8 && off < 1024; off++) {
    const int n = static_cast<int>(off);
    fdt_node_name(&f, n);
    int d = 0;
    fdt_next_node(&f, n, &d);
    fdt_prop(&f, n, "reg", nullptr);
    uint32_t u = 0;
    fdt_prop_u32(&f, n, "#address-cells", &u);
    uint64_t number = 0;
    fdt_prop_number(&f, n, "reg", &number);
  }
  for (int n : {-1, -4, INT32_MIN, INT32_MAX}) {
    Check(fdt_node_name(&f, n) == nullptr);
    Check(fdt_next_node(&f, n, nullptr) < 0);
    Check(fdt_prop(&f, n, "reg", nullptr) == nullptr);
  }
  return 0;
}
