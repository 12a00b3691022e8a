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

int mm_free_pages(page_alloc_t *pa, quota_t *q, uintptr_t addr, unsigned order) {
  if (!pa || !q || order > page_alloc_max_order(pa) || (addr & ((MM_PAGE_SIZE << order) - 1))) {
    return NX_ERR_INVALID_ARGS;
  }
  /* Validate the block before touching the quota, and the quota before
   * freeing, so that no error leaves one changed without the other. */
  int got = page_alloc_block_order(pa, addr);
  if (got < 0) return got;
  if ((unsigned)got != order) return NX_ERR_INVALID_ARGS;
  int err = quota_release(q, (size_t)1 << order);
  if (err != NX_OK) return err;
  return page_alloc_free(pa, addr, order); /* cannot fail: checked above */
}
