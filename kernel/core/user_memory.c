#include "neuron/user_memory.h"

#include "neuron/arch/memory_layout.h"
#include "neuron/errors.h"
#include "neuron/kernel.h"

void *memcpy(void *dst, const void *src, size_t n);

/* Whether [addr, addr + len), len > 0, lies in the user window. */
static bool in_user_window(uint64_t addr, uint64_t len) {
  return addr >= USER_MIN && addr <= USER_MAX && len <= USER_MAX - addr;
}

/* The physical address of user address uaddr in t's space, if a user
 * access of kind `access` may reach it there and it is RAM: a mapping of
 * device memory is the driver's to access, with the widths its registers
 * need, never the kernel's memcpy. */
static bool user_ram(const thread_t *t, uint64_t uaddr, unsigned access, uint64_t *pa) {
  return sv39_translate(&t->task->space, uaddr, access | SV39_ACCESS_USER, pa) == SV39_OK &&
         page_alloc_owns(&kernel.pages, *pa);
}

int user_range_check(const thread_t *t, uint64_t addr, uint64_t len, unsigned access) {
  if (len == 0) return NX_OK;
  if (!in_user_window(addr, len)) return NX_ERR_BAD_ADDRESS;
  for (uint64_t page = addr & ~(PAGE_SIZE - 1); page < addr + len; page += PAGE_SIZE) {
    uint64_t pa;
    if (!user_ram(t, page, access, &pa)) return NX_ERR_BAD_ADDRESS;
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
    /* Each side's page is checked and translated once per chunk: the chunk
     * ends where either page does. */
    uint64_t d = dst_addr + done, s = src_addr + done, to, from;
    if (!in_user_window(d, 1) || !in_user_window(s, 1) ||
        !user_ram(dst, d, SV39_ACCESS_WRITE, &to) || !user_ram(src, s, SV39_ACCESS_READ, &from)) {
      break;
    }
    uint64_t dchunk = PAGE_SIZE - (d & (PAGE_SIZE - 1));
    uint64_t schunk = PAGE_SIZE - (s & (PAGE_SIZE - 1));
    uint64_t chunk = dchunk < schunk ? dchunk : schunk;
    if (chunk > len - done) chunk = len - done;
    memcpy(page_alloc_ptr(&kernel.pages, to), page_alloc_ptr(&kernel.pages, from), chunk);
    done += chunk;
  }
  return done;
}
