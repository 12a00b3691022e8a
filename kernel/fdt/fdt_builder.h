// A tiny device-tree blob writer for tests: builds valid trees that tests
// then corrupt in specific ways, and loads the tree QEMU dumps.
#ifndef NEURON_FDT_BUILDER_H
#define NEURON_FDT_BUILDER_H

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace fdt_test {

class Builder {
 public:
  Builder &Begin(const std::string &name) {
    Token(1);
    Bytes(name.c_str(), name.size() + 1);
    return *this;
  }
  Builder &End() {
    Token(2);
    return *this;
  }
  Builder &Prop(const std::string &name, const std::vector<uint8_t> &value) {
    Token(3);
    Word(static_cast<uint32_t>(value.size()));
    Word(NameOffset(name));
    Bytes(value.data(), value.size());
    return *this;
  }
  Builder &PropString(const std::string &name, const std::string &value) {
    return Prop(name, std::vector<uint8_t>(value.c_str(), value.c_str() + value.size() + 1));
  }
  Builder &PropCells(const std::string &name, const std::vector<uint32_t> &cells) {
    std::vector<uint8_t> v;
    for (uint32_t c : cells) {
      for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<uint8_t>(c >> s));
    }
    return Prop(name, v);
  }
  Builder &Nop() {
    Token(4);
    return *this;
  }

  // The finished blob: header, empty reservation map, structure, strings.
  std::vector<uint8_t> Finish() const {
    std::vector<uint8_t> s = structure_;
    for (int s8 = 24; s8 >= 0; s8 -= 8) s.push_back(static_cast<uint8_t>(9u >> s8));
    const uint32_t rsv_off = 40, struct_off = rsv_off + 16;
    const uint32_t strings_off = struct_off + static_cast<uint32_t>(s.size());
    const uint32_t total = strings_off + static_cast<uint32_t>(strings_.size());
    std::vector<uint8_t> out;
    for (uint32_t w : {0xd00dfeedu, total, struct_off, strings_off, rsv_off, 17u, 16u, 0u,
                       static_cast<uint32_t>(strings_.size()), static_cast<uint32_t>(s.size())}) {
      Put(out, w);
    }
    out.resize(out.size() + 16, 0);
    out.insert(out.end(), s.begin(), s.end());
    out.insert(out.end(), strings_.begin(), strings_.end());
    return out;
  }

  static void Put(std::vector<uint8_t> &out, uint32_t w) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(w >> s));
  }
  static void Patch(std::vector<uint8_t> &blob, size_t at, uint32_t w) {
    for (int i = 0; i < 4; i++) blob[at + i] = static_cast<uint8_t>(w >> (24 - 8 * i));
  }

 private:
  void Token(uint32_t t) { Put(structure_, t); }
  void Word(uint32_t w) { Put(structure_, w); }
  void Bytes(const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    structure_.insert(structure_.end(), b, b + n);
    while (structure_.size() % 4) structure_.push_back(0);
  }
  uint32_t NameOffset(const std::string &name) {
    auto it = names_.find(name);
    if (it != names_.end()) return it->second;
    uint32_t off = static_cast<uint32_t>(strings_.size());
    strings_.insert(strings_.end(), name.begin(), name.end());
    strings_.push_back(0);
    names_[name] = off;
    return off;
  }

  std::vector<uint8_t> structure_;
  std::vector<uint8_t> strings_;
  std::map<std::string, uint32_t> names_;
};

// A small tree shaped like the virt machine's: /chosen, one memory node,
// and a bus with a UART and a test device whose compatible is a list.
inline std::vector<uint8_t> VirtLikeTree(const std::string &stdout_path = "/soc/serial@10000000") {
  Builder b;
  b.Begin("")
      .PropCells("#address-cells", {2})
      .PropCells("#size-cells", {2})
      .Begin("chosen")
      .PropString("stdout-path", stdout_path)
      .End()
      .Begin("memory@80000000")
      .PropString("device_type", "memory")
      .PropCells("reg", {0, 0x80000000, 0, 0x10000000})
      .End()
      .Begin("soc")
      .PropCells("#address-cells", {2})
      .PropCells("#size-cells", {2})
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
  return b.Finish();
}

// The device tree QEMU's virt machine passes to the kernel (a test data file).
inline std::vector<uint8_t> LoadVirtDtb() {
  std::ifstream in("kernel/platform/virt_dtb.dtb", std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace fdt_test

#endif
