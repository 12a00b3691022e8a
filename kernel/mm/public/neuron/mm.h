/*
 * The kernel's page allocation front-end: pages taken on behalf of a quota.
 *
 * Every page the kernel allocates for a task is charged to that task's quota
 * (neuron/quota.h) before it is taken from the page allocator
 * (neuron/page_alloc.h), and the charge is refunded if no page is free, so a
 * quota never counts pages it does not hold. Freeing checks the block first,
 * then releases the charge and returns the pages, so a bad free changes
 * neither the quota nor the allocator.
 */
#ifndef NEURON_MM_H
#define NEURON_MM_H

#include <stdint.h>

#include "neuron/page_alloc.h"
#include "neuron/quota.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Allocates 2^order pages charged to q into *out (flags as for
 * page_alloc_alloc()). NX_ERR_INVALID_ARGS for a NULL argument or an order
 * above the allocator's max_order; NX_ERR_NO_MEMORY if q (or an ancestor)
 * has no room or no block is free; on error nothing is charged or taken. */
int mm_alloc_pages(page_alloc_t *pa, quota_t *q, unsigned order, unsigned flags, uintptr_t *out);

/* Frees a block from mm_alloc_pages() and refunds q. The page_alloc_free()
 * errors, or NX_ERR_INVALID_ARGS if q holds fewer pages than the block;
 * on error nothing changes. */
int mm_free_pages(page_alloc_t *pa, quota_t *q, uintptr_t addr, unsigned order);

/* mm_free_pages(addr, 0) for a page the caller knows is all zero
 * (page_alloc_free_zeroed()); the same errors. */
int mm_free_zeroed_page(page_alloc_t *pa, quota_t *q, uintptr_t addr);

#ifdef __cplusplus
}
#endif

#endif
