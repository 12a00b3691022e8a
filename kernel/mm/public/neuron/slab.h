/*
 * Kernel object caches: slab allocation of fixed-size objects.
 *
 * A cache hands out objects of one size and alignment (threads, endpoints,
 * capability nodes). It takes slabs (one page, or 2, 4, 8 or 16 contiguous pages
 * when fewer than SLAB_MIN_OBJECTS objects would fit in a page) from the
 * page allocator and carves them into objects. Each slab starts with a
 * header: the owning cache, a bitmap of allocated objects and the head of
 * the list of free objects, which is threaded through the free objects
 * themselves. Allocation and freeing are O(1).
 *
 * Freeing is checked: the pointer must lie in a block the page allocator
 * has handed out with the slab order, whose header names this cache, at an
 * object boundary, and the object must be allocated. A foreign pointer or a
 * double free returns an error and changes nothing. The bitmap, not the free
 * list, is the authority: a write to a freed object that damages the list
 * is noticed at the next allocation and the list is rebuilt from the bitmap.
 *
 * A slab whose last object is freed goes back to the page allocator, except
 * that one empty slab per cache is kept, so an alloc/free pair at a slab
 * boundary does not take and return pages every time.
 *
 * No lock is taken; the caller serializes access.
 */
#ifndef NEURON_SLAB_H
#define NEURON_SLAB_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/page_alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SLAB_MIN_OBJECTS 8 /* slabs grow past one page until this many fit */
#define SLAB_MAX_ORDER 4   /* ... but never past 2^4 pages (64 KiB) */

/* slab_alloc() flags. */
#define SLAB_ZERO 1u /* zero the object before returning it */

struct slab; /* a slab's header; private to slab.c */

/* Read-only outside slab.c. */
typedef struct slab_cache {
  page_alloc_t *pa;     /* where slabs come from; NULL once destroyed */
  const char *name;     /* for diagnostics */
  size_t object_size;   /* as asked */
  size_t stride;        /* distance between objects: size and alignment rounded up */
  size_t first;         /* offset of the first object from the slab's start */
  uint32_t per_slab;    /* objects in one slab */
  unsigned slab_order;  /* a slab is 2^slab_order pages */
  struct slab *partial; /* slabs with free and allocated objects */
  struct slab *full;    /* slabs with no free object */
  struct slab *empty;   /* at most one slab with no allocated object */
  size_t in_use;        /* objects allocated */
  size_t slabs;         /* slabs held, the empty one included */
} slab_cache_t;

/* Sets up an empty cache of objects of `size` bytes aligned to `align` (a
 * power of two up to MM_PAGE_SIZE; objects are at least 8 bytes and 8-byte
 * aligned, as the free list lives in them). NX_ERR_INVALID_ARGS for a NULL
 * argument, size 0, a bad alignment, or an object too large for a slab of
 * SLAB_MAX_ORDER (or of the allocator's max_order) pages. Takes no memory. */
int slab_cache_init(slab_cache_t *c, page_alloc_t *pa, const char *name, size_t size, size_t align);

/* Returns the cache's slabs to the page allocator. NX_ERR_INVALID_ARGS (and
 * nothing changes) while objects are still allocated. */
int slab_cache_destroy(slab_cache_t *c);

/* An object, or NULL if no page is free for a new slab. Not zeroed unless
 * flags has SLAB_ZERO. */
void *slab_alloc(slab_cache_t *c, unsigned flags);

/* Returns an object to its cache. NX_ERR_INVALID_ARGS if obj is not an
 * object of this cache (NULL, foreign, inside an object, or in a slab that
 * has gone back to the page allocator, as after a late double free);
 * NX_ERR_NOT_FOUND if it is in a live slab but already free. Nothing
 * changes on error. */
int slab_free(slab_cache_t *c, void *obj);

size_t slab_cache_in_use(const slab_cache_t *c);
size_t slab_cache_slabs(const slab_cache_t *c);
size_t slab_cache_objects_per_slab(const slab_cache_t *c);
unsigned slab_cache_slab_order(const slab_cache_t *c);

/* Walks every slab (O(objects); for tests and debug builds): NX_OK if the
 * lists, headers, bitmaps, free lists and counters agree; otherwise
 * NX_ERR_BAD_FORMAT. */
int slab_cache_check(const slab_cache_t *c);

#ifdef __cplusplus
}
#endif

#endif
