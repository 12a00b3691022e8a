#include "neuron/user_memory.h"

#include "neuron/arch/memory_layout.h"
#include "neuron/errors.h"
#include "neuron/kernel.h"

void *memcpy(void *dst, const void *src, size_t n);

int user_range_check(const thread_t *t, uint64_t addr, uint64_t len, unsigned access) {
  if (len == 0) return NX_OK;
  if (addr < USER_MIN || addr > USER_MAX || len > USER_MAX - addr) return NX_ERR_BAD_ADDRESS;
  for (uint64_t page = addr & ~(PAGE_SIZE - 1); page < addr + len; page += PAGE_SIZE) {
    uint64_t pa;
    if (sv39_translate(&t->task->space, page, access | SV39_ACCESS_USER, &pa) != SV39_OK) {
      return NX_ERR_BAD_ADDRESS;
    }
    /* RAM only: a mapping of device memory is the driver's to access, with
     * the widths its registers need, never the kernel's memcpy. */
    if (!page_alloc_owns(&kernel.pages, pa)) return NX_ERR_BAD_ADDRESS;
  }
  return NX_OK;
}

/* One page's worth (at most) of a copy: the kernel pointer for uaddr. */
static void *user_page_ptr(const thread_t *t, uint64_t uaddr, unsigned access, uint64_t *chunk) {
  uint64_t pa = 0;
  sv39_translate(&t->task->space, uaddr, access | SV39_ACCESS_USER, &pa);
  *chunk = PAGE_SIZE - (uaddr & (PAGE_SIZE - 1));
  return page_alloc_ptr(&kernel.pages, pa);
}

void user_copy_in(const thread_t *t, void *dst, uint64_t uaddr, uint64_t len) {
  char *d = dst;
  while (len) {
    uint64_t chunk;
    const void *src = user_page_ptr(t, uaddr, SV39_ACCESS_READ, &chunk);
    if (chunk > len) chunk = len;
    memcpy(d, src, chunk);
    d += chunk;
    uaddr += chunk;
    len -= chunk;
  }
}

void user_copy_out(const thread_t *t, uint64_t uaddr, const void *src, uint64_t len) {
  const char *s = src;
  while (len) {
    uint64_t chunk;
    void *dst = user_page_ptr(t, uaddr, SV39_ACCESS_WRITE, &chunk);
    if (chunk > len) chunk = len;
    memcpy(dst, s, chunk);
    s += chunk;
    uaddr += chunk;
    len -= chunk;
  }
}

uint64_t user_copy_between(const thread_t *dst, uint64_t dst_addr, const thread_t *src,
                           uint64_t src_addr, uint64_t len) {
  uint64_t done = 0;
  while (done < len) {
    uint64_t d = dst_addr + done, s = src_addr + done;
    if (user_range_check(dst, d, 1, SV39_ACCESS_WRITE) != NX_OK ||
        user_range_check(src, s, 1, SV39_ACCESS_READ) != NX_OK) {
      break;
    }
    uint64_t dchunk, schunk;
    void *to = user_page_ptr(dst, d, SV39_ACCESS_WRITE, &dchunk);
    const void *from = user_page_ptr(src, s, SV39_ACCESS_READ, &schunk);
    uint64_t chunk = dchunk < schunk ? dchunk : schunk;
    if (chunk > len - done) chunk = len - done;
    memcpy(to, from, chunk);
    done += chunk;
  }
  return done;
}
