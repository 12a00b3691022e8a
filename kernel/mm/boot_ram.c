#include "neuron/boot_ram.h"

#include "neuron/errors.h"

#define PAGE ((uint64_t)MM_PAGE_SIZE)

/* Sorts the (few) holes by base, widened to whole pages. */
static void sort_holes(boot_ram_hole_t *h, size_t n) {
  for (size_t i = 0; i < n; i++) {
    h[i].base &= ~(PAGE - 1);
    h[i].end = h[i].end > UINT64_MAX - (PAGE - 1) ? UINT64_MAX & ~(PAGE - 1)
                                                  : (h[i].end + PAGE - 1) & ~(PAGE - 1);
  }
  for (size_t i = 1; i < n; i++) {
    boot_ram_hole_t x = h[i];
    size_t j = i;
    for (; j > 0 && h[j - 1].base > x.base; j--) h[j] = h[j - 1];
    h[j] = x;
  }
}

int boot_ram_add(page_alloc_t *pa, uint64_t base, uint64_t end, boot_ram_hole_t *holes, size_t n,
                 uint64_t in_use_base, size_t in_use_pages) {
  sort_holes(holes, n);
  for (size_t i = 0; i <= n && base < end; i++) {
    uint64_t stop = i < n && holes[i].base < end ? holes[i].base : end;
    if (stop > base) {
      size_t in_use = base == in_use_base ? in_use_pages : 0;
      int err = page_alloc_add_range_in_use(pa, base, stop - base, in_use);
      /* The pieces never overlap or wrap, so a refusal as invalid means
       * too small: that piece stays out. */
      if (err != NX_OK && err != NX_ERR_INVALID_ARGS) return err;
    }
    if (i < n && holes[i].end > base) base = holes[i].end;
  }
  return NX_OK;
}
