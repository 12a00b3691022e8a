// Test helper: aligned host memory standing in for physical RAM, a page
// allocator over it and a quota, for the page table tests. (kernel/mm's
// test_arena is private to kernel/mm.)
#ifndef NEURON_VM_TEST_ENV_H
#define NEURON_VM_TEST_ENV_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "neuron/errors.h"
#include "neuron/page_alloc.h"
#include "neuron/quota.h"

namespace vm_test {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMega = uint64_t{1} << 21;
constexpr uint64_t kGiga = uint64_t{1} << 30;

// size bytes of host memory aligned to 2 MiB, handed to a page allocator with
// map offset 0 (physical addresses are host addresses), and a root quota.
class Env {
 public:
  explicit Env(size_t size = 4 << 20, size_t limit = QUOTA_UNLIMITED)
      : size_((size + kMega - 1) / kMega * kMega),
        mem_(static_cast<uint8_t *>(std::aligned_alloc(kMega, size_))) {
    ok_ = mem_ != nullptr && page_alloc_init(&pa, 9, 0) == NX_OK &&
          page_alloc_add_range(&pa, reinterpret_cast<uintptr_t>(mem_), size_) == NX_OK &&
          quota_init(&quota, nullptr, limit) == NX_OK;
    free_at_start = ok_ ? page_alloc_free_pages(&pa) : 0;
  }
  ~Env() { std::free(mem_); }
  Env(const Env &) = delete;
  Env &operator=(const Env &) = delete;

  bool ok() const { return ok_; }

  page_alloc_t pa;
  quota_t quota;
  size_t free_at_start = 0;

 private:
  size_t size_;
  uint8_t *mem_;
  bool ok_ = false;
};

}  // namespace vm_test

#endif
