/* The quota-charged page front-end (see neuron/mm.h). */
#include "neuron/mm.h"

#include "neuron/errors.h"

int mm_alloc_pages(page_alloc_t *pa, quota_t *q, unsigned order, unsigned flags, uintptr_t *out) {
  if (!pa || !q || !out || order > page_alloc_max_order(pa)) return NX_ERR_INVALID_ARGS;
  size_t pages = (size_t)1 << order;
  int err = quota_charge(q, pages);
  if (err != NX_OK) return err;
  uintptr_t addr = page_alloc_alloc(pa, order, flags);
  if (addr == 0) {
    quota_release(q, pages); /* cannot fail: the charge just succeeded */
    return NX_ERR_NO_MEMORY;
  }
  *out = addr;
  return NX_OK;
}

/* The refund of a block about to be freed: the block is validated before
 * the quota is touched, and the quota before the caller frees, so that no
 * error leaves one changed without the other. Not inlined: both frees
 * share it. */
__attribute__((noinline)) static int refund(page_alloc_t *pa, quota_t *q, uintptr_t addr,
                                            unsigned order) {
  if (!pa || !q || order > page_alloc_max_order(pa) || (addr & ((MM_PAGE_SIZE << order) - 1))) {
    return NX_ERR_INVALID_ARGS;
  }
  int got = page_alloc_block_order(pa, addr);
  if (got < 0) return got;
  if ((unsigned)got != order) return NX_ERR_INVALID_ARGS;
  return quota_release(q, (size_t)1 << order);
}

int mm_free_pages(page_alloc_t *pa, quota_t *q, uintptr_t addr, unsigned order) {
  int err = refund(pa, q, addr, order);
  if (err != NX_OK) return err;
  return page_alloc_free(pa, addr, order); /* cannot fail: checked above */
}

int mm_free_zeroed_page(page_alloc_t *pa, quota_t *q, uintptr_t addr) {
  int err = refund(pa, q, addr, 0);
  if (err != NX_OK) return err;
  return page_alloc_free_zeroed(pa, addr); /* cannot fail: checked above */
}
