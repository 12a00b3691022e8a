// Test helper: aligned host memory standing in for physical RAM, handed to
// the page allocator as a range.
#ifndef NEURON_MM_TEST_ARENA_H
#define NEURON_MM_TEST_ARENA_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>

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

}  // namespace mm_test

#endif
