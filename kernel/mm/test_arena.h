// Test helpers: aligned host memory standing in for physical RAM, handed to
// the page allocator as a range, and the allocator's free blocks per order.
#ifndef NEURON_MM_TEST_ARENA_H
#define NEURON_MM_TEST_ARENA_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "neuron/page_alloc.h"

namespace mm_test {

constexpr size_t kPage = 4096;
constexpr size_t kMiB = 1 << 20;

class Arena {
 public:
  // size bytes aligned to align (a power of two); size is rounded up to it.
  Arena(size_t size, size_t align)
      : size_((size + align - 1) / align * align),
        mem_(static_cast<uint8_t *>(std::aligned_alloc(align, size_))) {}
  ~Arena() { std::free(mem_); }
  Arena(const Arena &) = delete;
  Arena &operator=(const Arena &) = delete;

  uintptr_t base() const { return reinterpret_cast<uintptr_t>(mem_); }
  size_t size() const { return size_; }
  uintptr_t end() const { return base() + size_; }
  bool Contains(uintptr_t addr, size_t n) const { return addr >= base() && addr + n <= end(); }

 private:
  size_t size_;
  uint8_t *mem_;
};

// Free blocks per order, to compare an allocator's state with another's.
inline std::vector<size_t> FreeBlocks(const page_alloc_t &pa) {
  std::vector<size_t> v;
  for (unsigned k = 0; k <= PAGE_ALLOC_ORDER_LIMIT; k++)
    v.push_back(page_alloc_free_blocks(&pa, k));
  return v;
}

}  // namespace mm_test

#endif
