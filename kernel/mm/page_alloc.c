/*
 * The buddy page allocator (see neuron/page_alloc.h).
 *
 * Buddies are computed on physical page frame numbers (pfn = address >> 12),
 * not on offsets into a range: the buddy of the order-k block at pfn p is the
 * one at p ^ 2^k. That keeps every block aligned to its size in physical
 * memory, which is what megapage mappings need. A range need not start on a
 * large boundary; at its edges a block simply has no buddy and never merges.
 *
 * Each managed page has a record. The first page of a block (its head) says
 * whether the block is free or allocated and its order; every other page of
 * the block is a tail. Free heads are linked into the list of their order by
 * record index. Freeing merges a block with its buddy for as long as the
 * buddy is a free head of the same order, so the free lists always hold the
 * same, fully merged, set of blocks for the same set of free pages.
 *
 * A record also holds a word for the owner of the block it heads (see
 * page_alloc_owner_word()). The allocator clears it when it hands the block
 * out and otherwise never reads or writes it, so nothing the owner stores
 * there can disturb the free lists.
 *
 * Single pages freed as known zero (page_alloc_free_zeroed(): an empty page
 * table) are kept aside, PAGE_ZEROED, in a small stack instead of the free
 * lists: merged into a larger block, a page would lose what is known about
 * it. A zeroed single-page allocation takes the last one kept, without the
 * memset, which is most of what a page-table page costs; the pages kept
 * rejoin the free lists when nothing else fits a request.
 *
 * Records are written when their pages are first needed, not when a range
 * is added (clearing them all was a third of the kernel's boot): the
 * max-order blocks a range starts with are "fresh", their tail records
 * unwritten, until the allocator first takes each one off its free list.
 * They sit in the max-order list in address order behind any other block
 * (pushed highest first, and a list only loses its head at that order:
 * merges stop below it), so they are taken lowest first and stay one
 * interval of records (fresh_count from fresh_lo): taking the block at
 * fresh_lo clears its records and moves fresh_lo past it. Nothing reads a
 * record in that interval but a fresh block's head: a lookup there is
 * refused as a free page, and a buddy is always in its own max-order block.
 */
#include "neuron/page_alloc.h"

#include <stdbool.h>

#include "neuron/errors.h"

#define NONE UINT32_MAX /* the end of a free list */

/* PAGE_RESERVED: a page holding the range's records, never handed out. */
enum { PAGE_TAIL = 0, PAGE_FREE = 1, PAGE_ALLOCATED = 2, PAGE_ZEROED = 3, PAGE_RESERVED = 4 };

struct page_meta {
  uint32_t next; /* free list links (record indexes), valid in free heads */
  uint32_t prev;
  uint8_t order;       /* order of the block this page heads */
  uint8_t state;       /* PAGE_TAIL, PAGE_FREE, PAGE_ALLOCATED, PAGE_ZEROED, PAGE_RESERVED */
  uint16_t owner_word; /* the owner's, in allocated heads; cleared on allocation */
};

static struct page_meta *meta_of(const page_range_t *r, uintptr_t pfn) {
  return &r->meta[pfn - (r->base >> MM_PAGE_SHIFT)];
}

static uintptr_t base_pfn(const page_range_t *r) { return r->base >> MM_PAGE_SHIFT; }

static uintptr_t end_pfn(const page_range_t *r) { return base_pfn(r) + r->pages; }

static void list_push(page_alloc_t *pa, page_range_t *r, unsigned order, uint32_t i) {
  struct page_meta *m = &r->meta[i];
  m->state = PAGE_FREE;
  m->order = (uint8_t)order;
  m->prev = NONE;
  m->next = r->free_head[order];
  if (m->next != NONE) r->meta[m->next].prev = i;
  r->free_head[order] = i;
  r->nonempty |= 1u << order;
  pa->free_blocks[order]++;
}

/* Unlinks free head i from its list; it becomes a tail until relabeled. */
static void list_remove(page_alloc_t *pa, page_range_t *r, uint32_t i) {
  struct page_meta *m = &r->meta[i];
  unsigned order = m->order;
  if (m->prev != NONE) {
    r->meta[m->prev].next = m->next;
  } else {
    r->free_head[order] = m->next;
    if (m->next == NONE) r->nonempty &= ~(1u << order);
  }
  if (m->next != NONE) r->meta[m->next].prev = m->prev;
  m->state = PAGE_TAIL;
  pa->free_blocks[order]--;
}

int page_alloc_init(page_alloc_t *pa, unsigned max_order, uintptr_t map_offset) {
  if (!pa || max_order > PAGE_ALLOC_ORDER_LIMIT || (map_offset & (MM_PAGE_SIZE - 1)) != 0) {
    return NX_ERR_INVALID_ARGS;
  }
  pa->map_offset = map_offset;
  pa->max_order = max_order;
  pa->range_count = 0;
  pa->total_pages = 0;
  pa->free_pages = 0;
  for (unsigned k = 0; k <= PAGE_ALLOC_ORDER_LIMIT; k++) pa->free_blocks[k] = 0;
  pa->zeroed_count = 0;
  return NX_OK;
}

/* Cuts pfns [pfn, last) of r, where no max-order block fits, into the
 * largest aligned blocks, left to right. */
static void cut_edge(page_alloc_t *pa, page_range_t *r, uintptr_t pfn, uintptr_t last) {
  while (pfn < last) {
    unsigned k = pa->max_order;
    while (k > 0 && ((pfn & (((uintptr_t)1 << k) - 1)) != 0 || last - pfn < ((uintptr_t)1 << k))) {
      k--;
    }
    list_push(pa, r, k, (uint32_t)(pfn - base_pfn(r)));
    pfn += (uintptr_t)1 << k;
  }
}

/* Whether record i of r is in the fresh interval (unwritten unless it
 * heads a fresh block). */
static bool is_fresh(const page_range_t *r, uint32_t i) { return i - r->fresh_lo < r->fresh_count; }

int page_alloc_add_range(page_alloc_t *pa, uintptr_t base, size_t size) {
  return page_alloc_add_range_in_use(pa, base, size, 0);
}

/* Labels records [from, to) of r as single pages in `state`. */
static void label_pages(page_range_t *r, uint32_t from, uint32_t to, uint8_t state) {
  for (uint32_t i = from; i < to; i++) {
    r->meta[i].state = state;
    r->meta[i].order = 0;
  }
}

int page_alloc_add_range_in_use(page_alloc_t *pa, uintptr_t base, size_t size, size_t in_use) {
  if (!pa || size > UINTPTR_MAX - base) return NX_ERR_INVALID_ARGS;
  uintptr_t end = (base + size) & ~(MM_PAGE_SIZE - 1);
  if (base > UINTPTR_MAX - (MM_PAGE_SIZE - 1)) return NX_ERR_INVALID_ARGS;
  uintptr_t start = (base + MM_PAGE_SIZE - 1) & ~(MM_PAGE_SIZE - 1);
  if (end <= start) return NX_ERR_INVALID_ARGS;
  /* Page 0 in use could be freed and handed out as "no memory". */
  if (in_use != 0 && start == 0) return NX_ERR_INVALID_ARGS;
  if (page_alloc_overlaps(pa, start, end)) return NX_ERR_INVALID_ARGS;
  if (pa->range_count == PAGE_ALLOC_MAX_RANGES) return NX_ERR_NOT_SUPPORTED;

  /* One record per page of the range, the records' own pages included
   * (labelled PAGE_RESERVED): one index space, whatever comes first. */
  size_t n = (end - start) >> MM_PAGE_SHIFT;
  if (n >= NONE) return NX_ERR_OUT_OF_RANGE;
  size_t meta_pages = (n * sizeof(struct page_meta) + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT;
  if (in_use >= n || meta_pages >= n - in_use) return NX_ERR_INVALID_ARGS;

  page_range_t *r = &pa->ranges[pa->range_count++];
  r->base = start;
  r->end = end;
  r->pages = n;
  r->meta_pages = meta_pages;
  r->meta = (struct page_meta *)page_alloc_ptr(pa, start + in_use * MM_PAGE_SIZE);
  r->nonempty = 0;
  for (unsigned k = 0; k <= PAGE_ALLOC_ORDER_LIMIT; k++) r->free_head[k] = NONE;

  /* Cut the free pages, after the pages in use and the records, into the
   * largest aligned blocks that fit: smaller ones below the first max-order
   * boundary and above the last (each edge cut left to right), max-order
   * ones between. Two equal neighbours that could merge are never both
   * produced (the pair would have been taken as one block), so this is the
   * merged state. */
  uintptr_t first = base_pfn(r) + in_use + meta_pages, last = end_pfn(r);
  uintptr_t max = (uintptr_t)1 << pa->max_order;
  uintptr_t lo = (first + max - 1) & ~(max - 1), hi = last & ~(max - 1);
  if (lo >= hi) lo = hi = first; /* no max-order block: all edge, nothing fresh */
  r->fresh_lo = (uint32_t)(lo - base_pfn(r));
  r->fresh_count = (uint32_t)(hi - lo);
  /* Every edge record starts as PAGE_TAIL with order 0, an all-zero record
   * (memset: the kernel's stores eight words an iteration). */
  _Static_assert(PAGE_TAIL == 0, "records are cleared to PAGE_TAIL");
  __builtin_memset(r->meta, 0, r->fresh_lo * sizeof(struct page_meta));
  __builtin_memset(&r->meta[hi - base_pfn(r)], 0, (last - hi) * sizeof(struct page_meta));
  label_pages(r, 0, (uint32_t)in_use, PAGE_ALLOCATED);
  label_pages(r, (uint32_t)in_use, (uint32_t)(in_use + meta_pages), PAGE_RESERVED);
  cut_edge(pa, r, first, lo);
  for (uintptr_t pfn = hi; pfn > lo; pfn -= max) {
    list_push(pa, r, pa->max_order, (uint32_t)(pfn - max - base_pfn(r)));
  }
  cut_edge(pa, r, hi, last);
  pa->total_pages += n - meta_pages;
  pa->free_pages += n - meta_pages - in_use;
  return NX_OK;
}

/* The range managing addr, or NULL. */
static page_range_t *range_of(const page_alloc_t *pa, uintptr_t addr) {
  for (unsigned i = 0; i < pa->range_count; i++) {
    const page_range_t *r = &pa->ranges[i];
    if (addr >= r->base && addr < r->end) {
      return (page_range_t *)r;
    }
  }
  return NULL;
}

/* The range with the smallest free block of at least 2^order pages (its
 * order in *found), or NULL: splitting a large block when a small one is
 * free elsewhere would break up the memory that big requests need. */
static page_range_t *smallest_fit(page_alloc_t *pa, unsigned order, unsigned *found) {
  page_range_t *best = NULL;
  unsigned best_order = pa->max_order + 1;
  for (unsigned i = 0; i < pa->range_count; i++) {
    page_range_t *r = &pa->ranges[i];
    for (unsigned k = order; k < best_order; k++) {
      if (r->nonempty & (1u << k)) {
        best = r;
        best_order = k;
        break;
      }
    }
  }
  *found = best_order;
  return best;
}

/* Puts the free block of 2^order pages at pfn (its head not yet in a list)
 * into the free lists, merged with its free buddies for as long as they are
 * free heads of the same order. */
static void release(page_alloc_t *pa, page_range_t *r, uintptr_t pfn, unsigned order) {
  meta_of(r, pfn)->state = PAGE_TAIL;
  unsigned k = order;
  while (k < pa->max_order) {
    uintptr_t buddy = pfn ^ ((uintptr_t)1 << k);
    if (buddy < base_pfn(r) || buddy + ((uintptr_t)1 << k) > end_pfn(r)) break;
    const struct page_meta *b = meta_of(r, buddy);
    if (b->state != PAGE_FREE || b->order != k) break;
    list_remove(pa, r, (uint32_t)(buddy - base_pfn(r)));
    pfn &= ~((uintptr_t)1 << k);
    k++;
  }
  list_push(pa, r, k, (uint32_t)(pfn - base_pfn(r)));
}

/* The zeroed pages kept aside rejoin the free lists (still free, so the
 * free count stays). */
static void release_zeroed(page_alloc_t *pa) {
  for (; pa->zeroed_count > 0; pa->zeroed_count--) {
    uintptr_t addr = pa->zeroed[pa->zeroed_count - 1];
    release(pa, range_of(pa, addr), addr >> MM_PAGE_SHIFT, 0);
  }
}

/* Marks block i of r (2^order pages) allocated, counts it, returns its
 * address. */
static uintptr_t hand_out(page_alloc_t *pa, page_range_t *r, uint32_t i, unsigned order) {
  r->meta[i].state = PAGE_ALLOCATED;
  r->meta[i].order = (uint8_t)order;
  r->meta[i].owner_word = 0; /* the new owner starts from 0, not the last one's value */
  pa->free_pages -= (size_t)1 << order;
  return r->base + ((uintptr_t)i << MM_PAGE_SHIFT);
}

/* Hands out the zeroed page kept aside last. */
static uintptr_t take_zeroed(page_alloc_t *pa) {
  uintptr_t addr = pa->zeroed[--pa->zeroed_count];
  page_range_t *r = range_of(pa, addr);
  return hand_out(pa, r, (uint32_t)((addr >> MM_PAGE_SHIFT) - base_pfn(r)), 0);
}

uintptr_t page_alloc_alloc(page_alloc_t *pa, unsigned order, unsigned flags) {
  if (!pa || order > pa->max_order) return 0;
  /* A page kept aside serves a zeroed single page as is, without a look at
   * the free lists, and any single page when the lists have none. */
  if (order == 0 && pa->zeroed_count > 0 && (flags & PAGE_ALLOC_ZERO)) return take_zeroed(pa);
  unsigned best_order;
  page_range_t *best;
  /* Twice at most: the second look follows the return of the kept pages. */
  while (!(best = smallest_fit(pa, order, &best_order))) {
    if (pa->zeroed_count == 0) return 0;
    if (order == 0) return take_zeroed(pa);
    release_zeroed(pa);
  }

  uint32_t i = best->free_head[best_order];
  list_remove(pa, best, i);
  if (i == best->fresh_lo && best->fresh_count != 0) {
    /* The lowest fresh block: its records are written from now on. */
    uint32_t n = (uint32_t)1 << pa->max_order;
    __builtin_memset(&best->meta[i], 0, n * sizeof(struct page_meta));
    best->fresh_lo += n;
    best->fresh_count -= n;
  }
  /* Split: keep the lower half, free the upper half, until it fits. */
  for (unsigned k = best_order; k > order; k--) {
    list_push(pa, best, k - 1, i + ((uint32_t)1 << (k - 1)));
  }
  uintptr_t addr = hand_out(pa, best, i, order);
  if (flags & PAGE_ALLOC_ZERO) {
    /* The kernel's memset stores eight words an iteration: zeroing is most
     * of what a fresh page costs (a plain loop here was 4.5 instructions a
     * word, a third of boot). */
    __builtin_memset(page_alloc_ptr(pa, addr), 0, MM_PAGE_SIZE << order);
  }
  return addr;
}

bool page_alloc_owns(const page_alloc_t *pa, uintptr_t addr) { return range_of(pa, addr) != NULL; }

bool page_alloc_overlaps(const page_alloc_t *pa, uintptr_t start, uintptr_t end) {
  for (unsigned i = 0; i < pa->range_count; i++) {
    if (start < pa->ranges[i].end && pa->ranges[i].base < end) return true;
  }
  return false;
}

/* Validates addr as the head of an allocated block: its order or an error.
 * Inlined into its four entry points: called instead, it would save 188
 * bytes of .text but cost vmo.unmap_4k 173 instructions (docs/kernel.md). */
static int lookup(const page_alloc_t *pa, uintptr_t addr, page_range_t **range) {
  if (!pa || (addr & (MM_PAGE_SIZE - 1)) != 0) return NX_ERR_INVALID_ARGS;
  page_range_t *r = range_of(pa, addr);
  if (!r) return NX_ERR_OUT_OF_RANGE;
  uintptr_t pfn = addr >> MM_PAGE_SHIFT;
  /* A fresh block is free, and its tail records unwritten. */
  if (is_fresh(r, (uint32_t)(pfn - base_pfn(r)))) return NX_ERR_NOT_FOUND;
  const struct page_meta *m = meta_of(r, pfn);
  if (m->state != PAGE_ALLOCATED) {
    /* The records are in the range but no managed page. */
    return m->state == PAGE_RESERVED ? NX_ERR_OUT_OF_RANGE : NX_ERR_NOT_FOUND;
  }
  if (range) *range = r;
  return m->order;
}

int page_alloc_block_order(const page_alloc_t *pa, uintptr_t addr) {
  return lookup(pa, addr, NULL);
}

uint16_t *page_alloc_owner_word(const page_alloc_t *pa, uintptr_t addr) {
  page_range_t *r = NULL;
  if (lookup(pa, addr, &r) < 0) return NULL;
  return &meta_of(r, addr >> MM_PAGE_SHIFT)->owner_word;
}

int page_alloc_free(page_alloc_t *pa, uintptr_t addr, unsigned order) {
  uintptr_t pfn = addr >> MM_PAGE_SHIFT;
  if (!pa || order > pa->max_order || (pfn & (((uintptr_t)1 << order) - 1)) != 0) {
    return NX_ERR_INVALID_ARGS;
  }
  page_range_t *r = NULL;
  int got = lookup(pa, addr, &r);
  if (got < 0) return got;
  if ((unsigned)got != order) return NX_ERR_INVALID_ARGS;
  pa->free_pages += (size_t)1 << order;
  release(pa, r, pfn, order);
  return NX_OK;
}

int page_alloc_free_zeroed(page_alloc_t *pa, uintptr_t addr) {
  if (!pa || pa->zeroed_count == PAGE_ALLOC_ZEROED_MAX) return page_alloc_free(pa, addr, 0);
  page_range_t *r = NULL;
  int got = lookup(pa, addr, &r);
  if (got < 0) return got;
  if (got != 0) return NX_ERR_INVALID_ARGS;
  meta_of(r, addr >> MM_PAGE_SHIFT)->state = PAGE_ZEROED;
  pa->zeroed[pa->zeroed_count++] = addr;
  pa->free_pages++;
  return NX_OK;
}

size_t page_alloc_total_pages(const page_alloc_t *pa) { return pa->total_pages; }

size_t page_alloc_free_pages(const page_alloc_t *pa) { return pa->free_pages; }

size_t page_alloc_used_pages(const page_alloc_t *pa) { return pa->total_pages - pa->free_pages; }

size_t page_alloc_meta_pages(const page_alloc_t *pa) {
  size_t n = 0;
  for (unsigned i = 0; i < pa->range_count; i++) n += pa->ranges[i].meta_pages;
  return n;
}

size_t page_alloc_free_blocks(const page_alloc_t *pa, unsigned order) {
  return order <= pa->max_order ? pa->free_blocks[order] : 0;
}

unsigned page_alloc_max_order(const page_alloc_t *pa) { return pa->max_order; }

/* Checks one range's free lists and records; adds its free pages, free
 * blocks per order and zeroed pages kept aside to the totals. */
static bool check_range(const page_alloc_t *pa, const page_range_t *r, size_t *free_pages,
                        size_t *blocks, size_t *zeroed) {
  size_t listed[PAGE_ALLOC_ORDER_LIMIT + 1] = {0};
  size_t reserved = 0;
  /* Free lists: well linked, bounded (no cycle), only free heads of the
   * list's order, the nonempty mask in step. */
  for (unsigned k = 0; k <= PAGE_ALLOC_ORDER_LIMIT; k++) {
    uint32_t i = r->free_head[k], prev = NONE;
    if ((k > pa->max_order && i != NONE) || (((r->nonempty >> k) & 1u) != (i != NONE))) {
      return false;
    }
    while (i != NONE) {
      if (i >= r->pages || ++listed[k] > r->pages) return false;
      const struct page_meta *m = &r->meta[i];
      if (m->state != PAGE_FREE || m->order != k || m->prev != prev) return false;
      prev = i;
      i = m->next;
    }
    blocks[k] += listed[k];
  }
  /* Records: the range is tiled by blocks, each aligned and inside the range,
   * with tails inside; no free block has a free buddy of its order. The
   * fresh interval holds whole max-order blocks, whose tails are not read. */
  uintptr_t max = (uintptr_t)1 << pa->max_order;
  if (r->end != r->base + r->pages * MM_PAGE_SIZE || r->meta_pages >= r->pages) return false;
  if (r->fresh_lo > r->pages || r->fresh_count > r->pages - r->fresh_lo ||
      (r->fresh_count != 0 && ((base_pfn(r) + r->fresh_lo) & (max - 1)) != 0) ||
      r->fresh_count % max != 0) {
    return false;
  }
  size_t seen[PAGE_ALLOC_ORDER_LIMIT + 1] = {0};
  uintptr_t pfn = base_pfn(r);
  while (pfn < end_pfn(r)) {
    const struct page_meta *m = meta_of(r, pfn);
    unsigned k = m->order;
    uintptr_t n = (uintptr_t)1 << (k <= PAGE_ALLOC_ORDER_LIMIT ? k : 0);
    if (m->state == PAGE_TAIL || k > pa->max_order || (pfn & (n - 1)) != 0 ||
        end_pfn(r) - pfn < n) {
      return false;
    }
    bool fresh = is_fresh(r, (uint32_t)(pfn - base_pfn(r)));
    if (fresh && (m->state != PAGE_FREE || n != max)) return false;
    for (uintptr_t t = 1; t < n && !fresh; t++) {
      if (meta_of(r, pfn + t)->state != PAGE_TAIL) return false;
    }
    if (m->state == PAGE_FREE) {
      uintptr_t buddy = pfn ^ n;
      if (k < pa->max_order && buddy >= base_pfn(r) && buddy + n <= end_pfn(r)) {
        const struct page_meta *b = meta_of(r, buddy);
        if (b->state == PAGE_FREE && b->order == k) return false;
      }
      seen[k]++;
      *free_pages += n;
    } else if (m->state == PAGE_ZEROED) {
      if (k != 0) return false;
      ++*zeroed;
      ++*free_pages;
    } else if (m->state == PAGE_RESERVED) {
      if (k != 0) return false;
      ++reserved;
    } else if (m->state != PAGE_ALLOCATED) {
      return false;
    }
    pfn += n;
  }
  for (unsigned k = 0; k <= PAGE_ALLOC_ORDER_LIMIT; k++) {
    if (listed[k] != seen[k]) return false;
  }
  return reserved == r->meta_pages;
}

/* Whether the pages kept aside are distinct, recorded PAGE_ZEROED and all
 * zero (check_range() counted the PAGE_ZEROED records: no other page is
 * recorded so). */
static bool check_zeroed(const page_alloc_t *pa) {
  if (pa->zeroed_count > PAGE_ALLOC_ZEROED_MAX) return false;
  for (unsigned i = 0; i < pa->zeroed_count; i++) {
    uintptr_t addr = pa->zeroed[i];
    for (unsigned j = 0; j < i; j++) {
      if (pa->zeroed[j] == addr) return false;
    }
    const page_range_t *r = range_of(pa, addr);
    if (!r || (addr & (MM_PAGE_SIZE - 1)) != 0) return false;
    if (meta_of(r, addr >> MM_PAGE_SHIFT)->state != PAGE_ZEROED) return false;
    const uint64_t *w = page_alloc_ptr(pa, addr);
    for (size_t k = 0; k < MM_PAGE_SIZE / sizeof *w; k++) {
      if (w[k] != 0) return false;
    }
  }
  return true;
}

int page_alloc_check(const page_alloc_t *pa) {
  size_t free_pages = 0, total = 0, zeroed = 0;
  size_t blocks[PAGE_ALLOC_ORDER_LIMIT + 1] = {0};
  for (unsigned i = 0; i < pa->range_count; i++) {
    if (!check_range(pa, &pa->ranges[i], &free_pages, blocks, &zeroed)) return NX_ERR_BAD_FORMAT;
    total += pa->ranges[i].pages - pa->ranges[i].meta_pages;
  }
  if (total != pa->total_pages || free_pages != pa->free_pages) return NX_ERR_BAD_FORMAT;
  if (zeroed != pa->zeroed_count || !check_zeroed(pa)) return NX_ERR_BAD_FORMAT;
  for (unsigned k = 0; k <= PAGE_ALLOC_ORDER_LIMIT; k++) {
    if (blocks[k] != pa->free_blocks[k]) return NX_ERR_BAD_FORMAT;
  }
  return NX_OK;
}
