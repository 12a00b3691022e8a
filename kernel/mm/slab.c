/*
 * Kernel object caches (see neuron/slab.h).
 *
 * A slab is one block from the page allocator, aligned to its size, so the
 * slab of any object is found by rounding the object's physical address
 * down. Before the header is read, the page allocator confirms that
 * the rounded address heads an allocated block of the slab order: a foreign
 * pointer is refused without reading memory the kernel does not own.
 *
 *   | header | bitmap | pad | object 0 | object 1 | ... | object n-1 | waste |
 *
 * The cache keeps slabs on three lists by how full they are, and allocates
 * from partial slabs first, so objects gather in few slabs and the others
 * can empty and go back to the page allocator.
 */
#include "neuron/slab.h"

#include <stdbool.h>

#include "neuron/errors.h"

#define NONE UINT32_MAX        /* the end of a slab's free list */
#define SLAB_MAGIC 0x51ab51abu /* in the header of every live slab */
#define MIN_ALIGN 8u           /* a free object holds the next free index */

struct slab {
  uint32_t magic;
  uint32_t free_head; /* index of the first free object, or NONE */
  uint32_t in_use;    /* objects allocated */
  uint32_t unused;
  slab_cache_t *cache;
  struct slab *prev; /* links in one of the cache's lists */
  struct slab *next;
  uint64_t used[]; /* bit i set while object i is allocated */
};

static size_t align_up(size_t x, size_t a) { return (x + a - 1) & ~(a - 1); }

static size_t slab_bytes(const slab_cache_t *c) { return MM_PAGE_SIZE << c->slab_order; }

static uint8_t *object(const slab_cache_t *c, struct slab *s, uint32_t i) {
  return (uint8_t *)s + c->first + (size_t)i * c->stride;
}

static bool is_used(const struct slab *s, uint32_t i) { return (s->used[i / 64] >> (i % 64)) & 1; }

static void set_used(struct slab *s, uint32_t i, bool on) {
  uint64_t bit = (uint64_t)1 << (i % 64);
  if (on) {
    s->used[i / 64] |= bit;
  } else {
    s->used[i / 64] &= ~bit;
  }
}

/* A free object's first four bytes hold the index of the next free one. */
static uint32_t next_free(const slab_cache_t *c, struct slab *s, uint32_t i) {
  return *(uint32_t *)object(c, s, i);
}

static void push_free(const slab_cache_t *c, struct slab *s, uint32_t i) {
  *(uint32_t *)object(c, s, i) = s->free_head;
  s->free_head = i;
}

static void list_insert(struct slab **head, struct slab *s) {
  s->prev = NULL;
  s->next = *head;
  if (*head) (*head)->prev = s;
  *head = s;
}

static void list_remove(struct slab **head, struct slab *s) {
  if (s->prev) {
    s->prev->next = s->next;
  } else {
    *head = s->next;
  }
  if (s->next) s->next->prev = s->prev;
  s->prev = s->next = NULL;
}

/* How many objects fit in a slab of `bytes`, header and bitmap first;
 * *first gets the offset of object 0. */
static uint32_t fit(size_t bytes, size_t stride, size_t align, size_t *first) {
  size_t fixed = sizeof(struct slab);
  size_t n = (bytes - fixed) / stride;
  /* Each object dropped frees stride >= 8 bytes, so this ends quickly. */
  for (; n > 0; n--) {
    size_t f = align_up(fixed + (n + 63) / 64 * sizeof(uint64_t), align);
    if (f + n * stride <= bytes) {
      *first = f;
      return (uint32_t)n;
    }
  }
  return 0;
}

int slab_cache_init(slab_cache_t *c, page_alloc_t *pa, const char *name, size_t size,
                    size_t align) {
  if (!c || !pa || size == 0 || align == 0 || (align & (align - 1)) != 0 || align > MM_PAGE_SIZE ||
      size > (MM_PAGE_SIZE << SLAB_MAX_ORDER)) {
    return NX_ERR_INVALID_ARGS;
  }
  if (align < MIN_ALIGN) align = MIN_ALIGN;
  size_t stride = align_up(size, align);
  unsigned max =
      page_alloc_max_order(pa) < SLAB_MAX_ORDER ? page_alloc_max_order(pa) : SLAB_MAX_ORDER;
  uint32_t n = 0;
  size_t first = 0;
  unsigned order = 0;
  for (unsigned o = 0; o <= max; o++) {
    size_t f = 0;
    uint32_t got = fit(MM_PAGE_SIZE << o, stride, align, &f);
    if (got > 0) {
      n = got;
      first = f;
      order = o;
    }
    if (n >= SLAB_MIN_OBJECTS) break;
  }
  if (n == 0) return NX_ERR_INVALID_ARGS;

  c->pa = pa;
  c->name = name;
  c->object_size = size;
  c->stride = stride;
  c->first = first;
  c->per_slab = n;
  c->slab_order = order;
  c->partial = c->full = c->empty = NULL;
  c->in_use = 0;
  c->slabs = 0;
  return NX_OK;
}

static struct slab *new_slab(slab_cache_t *c) {
  uintptr_t phys = page_alloc_alloc(c->pa, c->slab_order, 0);
  if (phys == 0) return NULL;
  struct slab *s = (struct slab *)page_alloc_ptr(c->pa, phys);
  s->magic = SLAB_MAGIC;
  s->cache = c;
  s->in_use = 0;
  s->prev = s->next = NULL;
  for (uint32_t w = 0; w < (c->per_slab + 63) / 64; w++) s->used[w] = 0;
  s->free_head = NONE;
  for (uint32_t i = c->per_slab; i > 0; i--) push_free(c, s, i - 1);
  c->slabs++;
  return s;
}

static void release_slab(slab_cache_t *c, struct slab *s) {
  s->magic = 0; /* a stale pointer into the old slab must not pass for one */
  (void)page_alloc_free(c->pa, (uintptr_t)s - c->pa->map_offset, c->slab_order);
  c->slabs--;
}

/* Rebuilds a slab's free list from its bitmap, after a write to a free
 * object damaged the list. */
static void rebuild_free_list(const slab_cache_t *c, struct slab *s) {
  s->free_head = NONE;
  for (uint32_t i = c->per_slab; i > 0; i--) {
    if (!is_used(s, i - 1)) push_free(c, s, i - 1);
  }
}

void *slab_alloc(slab_cache_t *c, unsigned flags) {
  if (!c || !c->pa) return NULL;
  struct slab *s = c->partial;
  if (!s) {
    s = c->empty;
    c->empty = NULL;
    if (!s) s = new_slab(c);
    if (!s) return NULL;
    list_insert(&c->partial, s);
  }
  /* The slab has a free object (it is not full), so a head that is out of
   * range or already allocated means the list was damaged. */
  uint32_t i = s->free_head;
  if (i >= c->per_slab || is_used(s, i)) {
    rebuild_free_list(c, s);
    i = s->free_head;
  }
  s->free_head = next_free(c, s, i);
  set_used(s, i, true);
  s->in_use++;
  c->in_use++;
  if (s->in_use == c->per_slab) {
    list_remove(&c->partial, s);
    list_insert(&c->full, s);
  }
  uint8_t *obj = object(c, s, i);
  if (flags & SLAB_ZERO) {
    uint64_t *w = (uint64_t *)obj;
    for (size_t k = 0; k < c->stride / sizeof(uint64_t); k++) w[k] = 0;
  }
  return obj;
}

int slab_free(slab_cache_t *c, void *obj) {
  if (!c || !c->pa || !obj) return NX_ERR_INVALID_ARGS;
  uintptr_t phys = (uintptr_t)obj - c->pa->map_offset;
  uintptr_t base = phys & ~(slab_bytes(c) - 1);
  if (page_alloc_block_order(c->pa, base) != (int)c->slab_order) return NX_ERR_INVALID_ARGS;
  struct slab *s = (struct slab *)page_alloc_ptr(c->pa, base);
  if (s->magic != SLAB_MAGIC || s->cache != c) return NX_ERR_INVALID_ARGS;
  uintptr_t off = phys - base;
  if (off < c->first || (off - c->first) % c->stride != 0) return NX_ERR_INVALID_ARGS;
  uintptr_t i = (off - c->first) / c->stride;
  if (i >= c->per_slab) return NX_ERR_INVALID_ARGS;
  if (!is_used(s, (uint32_t)i)) return NX_ERR_NOT_FOUND;

  bool was_full = s->in_use == c->per_slab;
  set_used(s, (uint32_t)i, false);
  push_free(c, s, (uint32_t)i);
  s->in_use--;
  c->in_use--;
  if (was_full) {
    list_remove(&c->full, s);
    list_insert(&c->partial, s);
  }
  if (s->in_use == 0) {
    list_remove(&c->partial, s);
    if (!c->empty) {
      c->empty = s;
    } else {
      release_slab(c, s);
    }
  }
  return NX_OK;
}

int slab_cache_destroy(slab_cache_t *c) {
  if (!c || !c->pa || c->in_use != 0) return NX_ERR_INVALID_ARGS;
  if (c->empty) release_slab(c, c->empty);
  c->empty = NULL;
  c->pa = NULL;
  return NX_OK;
}

size_t slab_cache_in_use(const slab_cache_t *c) { return c->in_use; }

size_t slab_cache_slabs(const slab_cache_t *c) { return c->slabs; }

size_t slab_cache_objects_per_slab(const slab_cache_t *c) { return c->per_slab; }

unsigned slab_cache_slab_order(const slab_cache_t *c) { return c->slab_order; }

/* Checks one slab; adds its allocated objects to *in_use. */
static bool check_slab(const slab_cache_t *c, struct slab *s, size_t *in_use) {
  uintptr_t phys = (uintptr_t)s - c->pa->map_offset;
  if (page_alloc_block_order(c->pa, phys) != (int)c->slab_order || s->magic != SLAB_MAGIC ||
      s->cache != c || s->in_use > c->per_slab) {
    return false;
  }
  uint32_t used = 0;
  for (uint32_t i = 0; i < c->per_slab; i++) used += is_used(s, i);
  for (uint32_t i = c->per_slab; i < (c->per_slab + 63) / 64 * 64; i++) {
    if (is_used(s, i)) return false;
  }
  if (used != s->in_use) return false;
  uint32_t listed = 0;
  for (uint32_t i = s->free_head; i != NONE; i = next_free(c, s, i)) {
    if (i >= c->per_slab || is_used(s, i) || ++listed > c->per_slab - used) return false;
  }
  if (listed != c->per_slab - used) return false;
  *in_use += used;
  return true;
}

/* Checks a list of slabs whose fill must lie in [lo, hi]; counts them. */
static bool check_list(const slab_cache_t *c, struct slab *head, uint32_t lo, uint32_t hi,
                       size_t *slabs, size_t *in_use) {
  struct slab *prev = NULL;
  for (struct slab *s = head; s; s = s->next) {
    if (++*slabs > c->slabs || s->prev != prev || !check_slab(c, s, in_use) || s->in_use < lo ||
        s->in_use > hi) {
      return false;
    }
    prev = s;
  }
  return true;
}

int slab_cache_check(const slab_cache_t *c) {
  if (!c || !c->pa) return NX_ERR_BAD_FORMAT;
  size_t slabs = 0, in_use = 0;
  if (!check_list(c, c->partial, 1, c->per_slab - 1, &slabs, &in_use) ||
      !check_list(c, c->full, c->per_slab, c->per_slab, &slabs, &in_use)) {
    return NX_ERR_BAD_FORMAT;
  }
  if (c->empty) {
    if (!check_slab(c, c->empty, &in_use) || c->empty->in_use != 0) return NX_ERR_BAD_FORMAT;
    slabs++;
  }
  if (slabs != c->slabs || in_use != c->in_use) return NX_ERR_BAD_FORMAT;
  return NX_OK;
}
