/*
 * memcpy, memmove and memset for the freestanding kernel. The
 * compiler emits calls to these for struct copies and initializers even
 * with -ffreestanding, and the kernel zeroes and fills whole pages with
 * them, so the aligned case moves 8 bytes an instruction. They are only
 * linked into riscv64 kernel images; host builds use the C library's.
 */
#include <stddef.h>
#include <stdint.h>

typedef uint64_t __attribute__((may_alias)) word_t;

static int aligned(const void *a, const void *b) {
  return (((uintptr_t)a | (uintptr_t)b) & 7) == 0;
}

/* Eight words from `from` to `to` (memcpy's unrolled step: the loop
 * around it is paid once per 64 bytes). */
static inline void copy_8_words(word_t *to, const word_t *from) {
  word_t w0 = from[0], w1 = from[1], w2 = from[2], w3 = from[3];
  word_t w4 = from[4], w5 = from[5], w6 = from[6], w7 = from[7];
  to[0] = w0;
  to[1] = w1;
  to[2] = w2;
  to[3] = w3;
  to[4] = w4;
  to[5] = w5;
  to[6] = w6;
  to[7] = w7;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  if (aligned(d, s)) {
    /* Sixteen words an iteration for pages (IPC messages and ELF segments
     * are copied in pages: the loop overhead is paid once per 128 bytes),
     * then eight, then one. */
    for (; n >= 128; n -= 128, d += 128, s += 128) {
      copy_8_words((word_t *)d, (const word_t *)s);
      copy_8_words((word_t *)d + 8, (const word_t *)s + 8);
    }
    for (; n >= 64; n -= 64, d += 64, s += 64) copy_8_words((word_t *)d, (const word_t *)s);
    for (; n >= 8; n -= 8, d += 8, s += 8) *(word_t *)d = *(const word_t *)s;
  }
  while (n--) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  if (d <= s || d >= s + n) return memcpy(dst, src, n);
  /* Overlapping with dst above src: copy backwards. */
  while (n--) d[n] = s[n];
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  uint8_t *d = dst;
  if (((uintptr_t)d & 7) == 0) {
    word_t w = (uint8_t)c * 0x0101010101010101ull;
    /* Eight words an iteration: page zeroing and the page allocator's
     * records at boot are most of what the kernel writes. */
    for (; n >= 64; n -= 64, d += 64) {
      word_t *p = (word_t *)d;
      p[0] = w;
      p[1] = w;
      p[2] = w;
      p[3] = w;
      p[4] = w;
      p[5] = w;
      p[6] = w;
      p[7] = w;
    }
    for (; n >= 8; n -= 8, d += 8) *(word_t *)d = w;
  }
  while (n--) *d++ = (uint8_t)c;
  return dst;
}
