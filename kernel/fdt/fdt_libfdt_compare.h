// The differential comparison of //kernel/fdt against libfdt (dtc's
// reference library, Debian's libfdt-dev) on one blob, and what the
// differential tests (fdt_libfdt_test.cc, fdt_libfdt_corrupt_test.cc) share:
// the counts they print, the QEMU tree and a fixed-seed generator.
//
// Both libraries name a node by the offset of its BEGIN_NODE token in the
// structure block, so offsets compare directly.
#ifndef KERNEL_FDT_FDT_LIBFDT_COMPARE_H
#define KERNEL_FDT_FDT_LIBFDT_COMPARE_H

#include <cstdint>
#include <iostream>
#include <random>
#include <vector>

namespace fdt_test {

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
  int walk_items = 0;
  int libfdt_compat_quirks = 0;

  void Print(const char *what) const {
    std::cout << "[differential] " << what << ": trees=" << trees << " nodes=" << nodes
              << " props=" << props << " prop_lookups=" << prop_lookups
              << " path_lookups=" << path_lookups << " subnode_lookups=" << subnode_lookups
              << " compat_checks=" << compat_checks << " compat_searches=" << compat_searches
              << " reg_entries=" << reg_entries << " reg_errors=" << reg_errors
              << " walk_items=" << walk_items << " libfdt_compat_quirks=" << libfdt_compat_quirks
              << "\n";
  }
};

// The big-endian 32-bit word at p.
uint32_t Be32(const void *p);

// Everything both libraries can answer about one blob that both accept.
// `unique_names`: no two siblings share a name or a unit-less name, so every
// path must lead back to its own node.
void CompareTree(const std::vector<uint8_t> &blob, bool unique_names, Counts *c);

// The QEMU tree, cut to its header's total size.
std::vector<uint8_t> VirtTree();

// A fixed-seed generator, so every run compares the same trees and blobs.
class Rng {
 public:
  explicit Rng(uint32_t seed) : mt_(seed) {}
  uint32_t operator()(uint32_t n) { return static_cast<uint32_t>(mt_() % n); }

 private:
  std::mt19937 mt_;
};

}  // namespace fdt_test

#endif  // KERNEL_FDT_FDT_LIBFDT_COMPARE_H
