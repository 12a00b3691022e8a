/*
 * The physical page allocator: a binary buddy allocator over the RAM ranges
 * the boot code hands it.
 *
 * Memory is managed in blocks of 2^order pages (4 KiB each), order 0 up to
 * the max_order chosen at init (10 by default, so 2 MiB megapage blocks
 * exist). A block of order k always starts at a physical address aligned to
 * 2^k pages, so an order-9 block can be mapped as one Sv39 megapage and any
 * block is physically contiguous (DMA buffers need nothing else).
 *
 * There is no fixed heap: each range pays for its own bookkeeping. The first
 * pages of a range (after any pages in use when it was added) hold one small
 * record per page (its free-list links, the order and state of the block it
 * heads, a word for the block's owner); the rest of the range is handed out.
 * The free lists link these records, not the free pages, so a stray write
 * into freed memory cannot corrupt the allocator, and freeing can check that
 * the address really heads an allocated block of that order. A range that
 * starts at address 0 starts with its records, so address 0 is never handed
 * out and 0 can mean "no memory".
 *
 * Addresses are physical. The allocator reads and writes its records (and
 * zeroes pages) through map_offset: the byte at physical p is at virtual
 * p + map_offset (0 while the kernel runs identity mapped; on the host the
 * tests pass ordinary heap memory with offset 0).
 *
 * Every operation is O(max_order + PAGE_ALLOC_MAX_RANGES), an allocation
 * that sends the zeroed pages kept aside back to the free lists
 * PAGE_ALLOC_ZEROED_MAX times that. The allocator takes no lock; the caller
 * serializes access.
 */
#ifndef NEURON_PAGE_ALLOC_H
#define NEURON_PAGE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MM_PAGE_SHIFT 12
#define MM_PAGE_SIZE ((uintptr_t)1 << MM_PAGE_SHIFT)

#define PAGE_ALLOC_MAX_RANGES 8
#define PAGE_ALLOC_ORDER_LIMIT 20 /* the largest max_order accepted (4 GiB blocks) */
#define PAGE_ALLOC_DEFAULT_MAX_ORDER 10
/* How many freed pages known to be zero the allocator keeps aside. */
#define PAGE_ALLOC_ZEROED_MAX 16

/* page_alloc_alloc() flags. */
#define PAGE_ALLOC_ZERO 1u /* zero the block before returning it */

struct page_meta; /* one per managed page; private to page_alloc.c */

/* One RAM range: its records and a free list per order. Read-only outside
 * page_alloc.c. */
typedef struct page_range {
  uintptr_t base;         /* the range as added, page aligned ... */
  uintptr_t end;          /* ... to here */
  size_t pages;           /* its pages, the records' own included */
  size_t meta_pages;      /* pages spent on the records */
  struct page_meta *meta; /* the records, one per page, after the pages in use */
  uint32_t nonempty;      /* bit k set: free_head[k] is not empty */
  uint32_t free_head[PAGE_ALLOC_ORDER_LIMIT + 1];
  /* The fresh_count records from fresh_lo on are not written yet but for
   * the heads of the max-order blocks there, free since the range was
   * added (see page_alloc.c). */
  uint32_t fresh_lo, fresh_count;
} page_range_t;

/* The allocator. Put it anywhere (a static in the kernel); it holds no
 * pointers into itself. Read-only outside page_alloc.c. */
typedef struct page_alloc {
  uintptr_t map_offset;
  unsigned max_order;
  unsigned range_count;
  size_t total_pages;
  size_t free_pages;
  size_t free_blocks[PAGE_ALLOC_ORDER_LIMIT + 1];
  /* Single free pages known to be all zero (page_alloc_free_zeroed()),
   * kept out of the free lists so that merging does not lose that. */
  unsigned zeroed_count;
  uintptr_t zeroed[PAGE_ALLOC_ZEROED_MAX];
  page_range_t ranges[PAGE_ALLOC_MAX_RANGES];
} page_alloc_t;

/* Empties *pa. max_order is at most PAGE_ALLOC_ORDER_LIMIT (else
 * NX_ERR_INVALID_ARGS); map_offset must be page aligned. */
int page_alloc_init(page_alloc_t *pa, unsigned max_order, uintptr_t map_offset);

/* Hands [base, base + size) to the allocator, shrunk inward to whole pages:
 * page_alloc_add_range_in_use(pa, base, size, 0). */
int page_alloc_add_range(page_alloc_t *pa, uintptr_t base, size_t size);

/* Hands [base, base + size) to the allocator, shrunk inward to whole pages,
 * of which the first in_use hold something now (the kernel image, whose
 * boot code is freed later): each is an allocated single page until
 * page_alloc_free(addr, 0). The records take the pages after them; the rest
 * is free. Only the records of the blocks below the first and above the
 * last max-order boundary are written now; a max-order block's are written
 * when it is first taken, so the cost does not grow with the RAM added.
 * Errors: NX_ERR_INVALID_ARGS if the range wraps, overlaps an earlier range,
 * is too small to hold one free page besides its records and the pages in
 * use, or has pages in use from address 0 (which could then be handed out);
 * NX_ERR_NOT_SUPPORTED past PAGE_ALLOC_MAX_RANGES ranges;
 * NX_ERR_OUT_OF_RANGE for 2^32 pages or more. */
int page_alloc_add_range_in_use(page_alloc_t *pa, uintptr_t base, size_t size, size_t in_use);

/* A block of 2^order pages, aligned to its size, or 0 if none is free (or
 * order > max_order). Not zeroed unless flags has PAGE_ALLOC_ZERO: memory
 * must be zeroed before user space can see it. A zeroed single page comes
 * from the pages page_alloc_free_zeroed() kept, if any, without being
 * zeroed again; those pages go back to the free lists (and merge) when
 * nothing else is free. */
uintptr_t page_alloc_alloc(page_alloc_t *pa, unsigned order, unsigned flags);

/* Returns a block from page_alloc_alloc(); order must be the one it was
 * allocated with. Nothing changes on error: NX_ERR_INVALID_ARGS for an
 * address not page aligned or not aligned to the order, an order above
 * max_order or different from the block's; NX_ERR_OUT_OF_RANGE for an
 * address outside every managed range (records included); NX_ERR_NOT_FOUND
 * when no allocated block starts at addr (a double free, or a page inside a
 * block). */
int page_alloc_free(page_alloc_t *pa, uintptr_t addr, unsigned order);

/* page_alloc_free(addr, 0) for a page the caller knows is all zero (an
 * empty page table): up to PAGE_ALLOC_ZEROED_MAX such pages are kept aside
 * (free, counted in page_alloc_free_pages(), in no free list) for the next
 * zeroed single-page allocations, which then skip the 4 KiB of stores. The
 * errors of page_alloc_free(addr, 0). page_alloc_check() verifies that every
 * page kept is still zero. */
int page_alloc_free_zeroed(page_alloc_t *pa, uintptr_t addr);

/* The order of the allocated block starting at addr, or the error
 * page_alloc_free() would give (with any order). */
int page_alloc_block_order(const page_alloc_t *pa, uintptr_t addr);

/* A 16-bit word kept in the record of the allocated block starting at addr,
 * for the block's owner (like the spare fields of Linux's struct page): the
 * page tables count their non-zero entries there, so an unmap finds an empty
 * table without scanning it, at no memory cost. addr is what
 * page_alloc_alloc() returned (a physical address, as page_alloc_free()
 * takes). page_alloc_alloc() sets the word to 0; after that the allocator
 * neither reads nor writes it, whatever happens to other blocks, until the
 * block is freed (the pointer is then stale). NULL unless an allocated block
 * starts at addr: a NULL pa, an address not page aligned, outside every range
 * (records included), in a free block or inside an allocated one.
 * O(ranges). */
uint16_t *page_alloc_owner_word(const page_alloc_t *pa, uintptr_t addr);

/* Accounting, in pages except page_alloc_free_blocks() (blocks of one order
 * in the free lists, so not the zeroed pages kept aside; 0 for orders above
 * max_order). free + used == total at all times. */
size_t page_alloc_total_pages(const page_alloc_t *pa);
size_t page_alloc_free_pages(const page_alloc_t *pa);
size_t page_alloc_used_pages(const page_alloc_t *pa);
size_t page_alloc_meta_pages(const page_alloc_t *pa);
size_t page_alloc_free_blocks(const page_alloc_t *pa, unsigned order);
unsigned page_alloc_max_order(const page_alloc_t *pa);

/* Whether addr lies in RAM the allocator manages (as opposed to device
 * memory, or memory reserved at boot): in a range, its records and the pages
 * in use when it was added included. O(ranges). */
bool page_alloc_owns(const page_alloc_t *pa, uintptr_t addr);

/* Whether [start, end) touches a range, as page_alloc_owns() counts it.
 * O(ranges). */
bool page_alloc_overlaps(const page_alloc_t *pa, uintptr_t start, uintptr_t end);

/* The kernel pointer for a physical address the allocator manages. */
static inline void *page_alloc_ptr(const page_alloc_t *pa, uintptr_t phys) {
  return (void *)(phys + pa->map_offset);
}

/* Walks every record and free list (O(pages); for tests and debug builds):
 * NX_OK if the lists, the records and the counters agree, every block lies in
 * its range aligned to its order, no two free buddies are left unmerged and
 * every zeroed page kept aside is one page, recorded as such and all zero;
 * NX_ERR_BAD_FORMAT otherwise. */
int page_alloc_check(const page_alloc_t *pa);

#ifdef __cplusplus
}
#endif

#endif
