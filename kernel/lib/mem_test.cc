// The kernel's memcpy, memmove and memset (mem.c, renamed for the host by
// the mem_host target) against plain byte loops, for every length up to a
// few of the unrolled loops' strides and every alignment of each side.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" {
void *nx_memcpy(void *dst, const void *src, size_t n);
void *nx_memmove(void *dst, const void *src, size_t n);
void *nx_memset(void *dst, int c, size_t n);
}

namespace {

constexpr size_t kMaxLen = 200;  // a 128-byte stride, a 64-byte one and the tails
constexpr size_t kPad = 16;

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; i++) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

TEST(Mem, CopiesEveryLengthAndAlignment) {
  const std::vector<uint8_t> src = Pattern(kMaxLen + 2 * kPad, 1);
  for (size_t so = 0; so < 8; so++) {
    for (size_t dof = 0; dof < 8; dof++) {
      for (size_t n = 0; n <= kMaxLen; n++) {
        std::vector<uint8_t> dst = Pattern(kMaxLen + 2 * kPad, 99);
        std::vector<uint8_t> want = dst;
        for (size_t i = 0; i < n; i++) want[kPad + dof + i] = src[so + i];
        ASSERT_EQ(nx_memcpy(&dst[kPad + dof], &src[so], n), &dst[kPad + dof]);
        ASSERT_EQ(dst, want) << "src+" << so << " dst+" << dof << " n=" << n;
      }
    }
  }
}

TEST(Mem, MovesOverlappingRangesBothWays) {
  for (size_t from = 0; from < 24; from++) {
    for (size_t to = 0; to < 24; to++) {
      for (size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 65u, 150u}) {
        std::vector<uint8_t> buf = Pattern(kMaxLen + 2 * kPad, 5);
        std::vector<uint8_t> want = buf;
        std::vector<uint8_t> part(buf.begin() + from, buf.begin() + from + n);
        for (size_t i = 0; i < n; i++) want[to + i] = part[i];
        ASSERT_EQ(nx_memmove(&buf[to], &buf[from], n), &buf[to]);
        ASSERT_EQ(buf, want) << "from " << from << " to " << to << " n=" << n;
      }
    }
  }
}

TEST(Mem, FillsEveryLengthAndAlignment) {
  for (size_t off = 0; off < 16; off++) {
    for (size_t n = 0; n <= kMaxLen; n++) {
      for (int c : {0, 0xa5, 0x1ff}) {  // only the low byte counts
        std::vector<uint8_t> buf = Pattern(kMaxLen + 2 * kPad, 3);
        std::vector<uint8_t> want = buf;
        for (size_t i = 0; i < n; i++) want[off + i] = static_cast<uint8_t>(c);
        ASSERT_EQ(nx_memset(&buf[off], c, n), &buf[off]);
        ASSERT_EQ(buf, want) << "+" << off << " n=" << n << " c=" << c;
      }
    }
  }
}

}  // namespace
