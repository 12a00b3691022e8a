/* Virtual memory objects: creation, pages, lifetime, copies (see neuron/vmo.h). */
#include "neuron/vmo.h"

#include <stdbool.h>

#include "neuron/errors.h"
#include "neuron/vmo_map.h"

/* Physical addresses are 56 bits (Sv39 PTEs cannot name more). */
#define VMO_PA_LIMIT ((uint64_t)1 << 56)

static bool page_aligned(uint64_t x) { return (x & (MM_PAGE_SIZE - 1)) == 0; }

/* The smallest order whose block holds pages pages. */
static unsigned order_for(size_t pages) {
  unsigned order = 0;
  while (((size_t)1 << order) < pages) order++;
  return order;
}

int vmo_system_init(vmo_system_t *sys, page_alloc_t *pa) {
  if (!sys || !pa) return NX_ERR_INVALID_ARGS;
  int err = slab_cache_init(&sys->vmos, pa, "vmo", sizeof(vmo_t), 8);
  if (err != NX_OK) return err;
  err = slab_cache_init(&sys->mappings, pa, "vmo_mapping", sizeof(vmo_mapping_t), 8);
  if (err != NX_OK) return err; /* the first cache holds no memory yet */
  sys->pa = pa;
  sys->copy_bytes = 0;
  sys->live = 0;
  return NX_OK;
}

int vmo_system_destroy(vmo_system_t *sys) {
  if (!sys) return NX_ERR_INVALID_ARGS;
  /* Every mapping holds a VMO alive, so no live VMO means no mapping. */
  if (sys->live != 0) return NX_ERR_BUSY;
  slab_cache_destroy(&sys->mappings);
  slab_cache_destroy(&sys->vmos);
  return NX_OK;
}

uint64_t vmo_copy_bytes(const vmo_system_t *sys) { return sys->copy_bytes; }

size_t vmo_system_slab_pages(const vmo_system_t *sys) {
  return (slab_cache_slabs(&sys->vmos) << slab_cache_slab_order(&sys->vmos)) +
         (slab_cache_slabs(&sys->mappings) << slab_cache_slab_order(&sys->mappings));
}

static vmo_t *vmo_new(vmo_system_t *sys, uint64_t size, uint32_t kind) {
  vmo_t *vmo = slab_alloc(&sys->vmos, SLAB_ZERO);
  if (!vmo) return NULL;
  vmo->obj.type = OBJ_VMO;
  vmo->obj.refs = 1;
  vmo->sys = sys;
  vmo->size = size;
  vmo->pages = (size_t)(size >> MM_PAGE_SHIFT);
  vmo->kind = kind;
  return vmo;
}

/* Frees the first n pages of a paged VMO's list. */
static void free_paged(page_alloc_t *pa, vmo_t *vmo, size_t n) {
  for (size_t i = 0; i < n; i++) page_alloc_free(pa, vmo->page_at[i], 0);
}

/* Takes the pages of a paged VMO whose quota is charged already; on failure
 * gives back everything it took. */
static int alloc_paged(page_alloc_t *pa, vmo_t *vmo, unsigned index_order) {
  if (vmo->pages <= VMO_INLINE_PAGES) {
    vmo->page_at = vmo->inline_pages;
  } else {
    /* The index is the kernel's own: it need not be zeroed. */
    vmo->index = page_alloc_alloc(pa, index_order, 0);
    if (vmo->index == 0) return NX_ERR_NO_MEMORY;
    vmo->order = index_order;
    vmo->page_at = page_alloc_ptr(pa, vmo->index);
  }
  for (size_t i = 0; i < vmo->pages; i++) {
    uintptr_t page = page_alloc_alloc(pa, 0, PAGE_ALLOC_ZERO);
    if (page == 0) {
      free_paged(pa, vmo, i);
      if (vmo->index) page_alloc_free(pa, vmo->index, index_order);
      return NX_ERR_NO_MEMORY;
    }
    vmo->page_at[i] = page;
  }
  return NX_OK;
}

int vmo_create(vmo_system_t *sys, uint64_t size, uint32_t flags, quota_t *quota, vmo_t **out) {
  if (!sys || !quota || !out || size == 0 || (flags & ~VMO_FLAGS_ALL)) {
    return NX_ERR_INVALID_ARGS;
  }
  if (size > VMO_SIZE_MAX) return NX_ERR_OUT_OF_RANGE;
  page_alloc_t *pa = sys->pa;
  size_t pages = (size_t)((size + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT);

  /* What the quota pays: the data block (contiguous) or pages plus their
   * index (paged). A block the allocator could never hold is "no memory",
   * like one it cannot hold now. */
  bool contiguous = flags & VMO_CONTIGUOUS;
  unsigned order = 0;
  size_t committed;
  if (contiguous) {
    order = order_for(pages);
    committed = (size_t)1 << order;
  } else {
    committed = pages;
    if (pages > VMO_INLINE_PAGES) {
      size_t index_bytes = pages * sizeof(uintptr_t);
      order = order_for((index_bytes + MM_PAGE_SIZE - 1) >> MM_PAGE_SHIFT);
      committed += (size_t)1 << order;
    }
  }
  if (order > page_alloc_max_order(pa)) return NX_ERR_NO_MEMORY;

  int err = quota_charge(quota, committed);
  if (err != NX_OK) return err;
  vmo_t *vmo = vmo_new(sys, (uint64_t)pages << MM_PAGE_SHIFT,
                       contiguous ? VMO_KIND_CONTIGUOUS : VMO_KIND_PAGED);
  if (!vmo) {
    quota_release(quota, committed); /* cannot fail: just charged */
    return NX_ERR_NO_MEMORY;
  }
  if (contiguous) {
    vmo->base = page_alloc_alloc(pa, order, PAGE_ALLOC_ZERO);
    vmo->order = order;
    err = vmo->base ? NX_OK : NX_ERR_NO_MEMORY;
  } else {
    err = alloc_paged(pa, vmo, order);
  }
  if (err != NX_OK) {
    slab_free(&sys->vmos, vmo);
    quota_release(quota, committed);
    return err;
  }
  vmo->quota = quota;
  vmo->committed = committed;
  sys->live++;
  *out = vmo;
  return NX_OK;
}

int vmo_create_physical(vmo_system_t *sys, uint64_t base, uint64_t size, vmo_t **out) {
  if (!sys || !out || size == 0 || !page_aligned(base) || !page_aligned(size)) {
    return NX_ERR_INVALID_ARGS;
  }
  if (size > VMO_SIZE_MAX || base >= VMO_PA_LIMIT || size > VMO_PA_LIMIT - base) {
    return NX_ERR_OUT_OF_RANGE;
  }
  /* RAM the allocator manages (its records included) is no device. */
  if (page_alloc_overlaps(sys->pa, base, base + size)) return NX_ERR_INVALID_ARGS;
  vmo_t *vmo = vmo_new(sys, size, VMO_KIND_PHYSICAL);
  if (!vmo) return NX_ERR_NO_MEMORY;
  vmo->base = base;
  sys->live++;
  *out = vmo;
  return NX_OK;
}

void vmo_retain(vmo_t *vmo) { object_retain(&vmo->obj); }

void vmo_release(vmo_t *vmo) {
  if (object_release(&vmo->obj) != 0) return;
  vmo_system_t *sys = vmo->sys;
  page_alloc_t *pa = sys->pa;
  /* The frees cannot fail: these are the blocks taken at creation. */
  if (vmo->kind == VMO_KIND_CONTIGUOUS) {
    page_alloc_free(pa, vmo->base, vmo->order);
  } else if (vmo->kind == VMO_KIND_PAGED) {
    free_paged(pa, vmo, vmo->pages);
    if (vmo->index) page_alloc_free(pa, vmo->index, vmo->order);
  }
  if (vmo->quota) quota_release(vmo->quota, vmo->committed);
  vmo->obj.type = OBJ_NONE; /* a stale pointer no longer looks like a VMO */
  slab_free(&sys->vmos, vmo);
  sys->live--;
}

uint64_t vmo_size(const vmo_t *vmo) { return vmo->size; }

vmo_kind_t vmo_kind(const vmo_t *vmo) { return (vmo_kind_t)vmo->kind; }

size_t vmo_committed_pages(const vmo_t *vmo) { return vmo->committed; }

int vmo_phys_base(const vmo_t *vmo, uint64_t *out) {
  if (!vmo || !out) return NX_ERR_INVALID_ARGS;
  if (vmo->kind == VMO_KIND_PAGED) return NX_ERR_NOT_SUPPORTED;
  *out = vmo->base;
  return NX_OK;
}

uint64_t vmo_page_phys(const vmo_t *vmo, size_t index) {
  if (index >= vmo->pages) return 0;
  if (vmo->kind == VMO_KIND_PAGED) return vmo->page_at[index];
  return vmo->base + ((uint64_t)index << MM_PAGE_SHIFT);
}

/* The checks vmo_read() and vmo_write() share. */
static int check_copy(const vmo_t *vmo, uint64_t offset, const void *buf, size_t len) {
  if (!vmo || (len > 0 && !buf)) return NX_ERR_INVALID_ARGS;
  if (vmo->kind == VMO_KIND_PHYSICAL) return NX_ERR_NOT_SUPPORTED;
  if (offset > vmo->size || len > vmo->size - offset) return NX_ERR_OUT_OF_RANGE;
  return NX_OK;
}

/* Copies len bytes between the VMO at offset and buf (to_vmo: into the VMO),
 * one page at a time for a paged VMO, whose pages are scattered. Not
 * inlined: vmo_read() and vmo_write() share it. */
__attribute__((noinline)) static void copy(vmo_t *vmo, uint64_t offset, uint8_t *buf, size_t len,
                                           bool to_vmo) {
  page_alloc_t *pa = vmo->sys->pa;
  while (len > 0) {
    size_t chunk = len;
    uintptr_t phys = vmo->base + offset;
    if (vmo->kind == VMO_KIND_PAGED) {
      size_t in_page = (size_t)(offset & (MM_PAGE_SIZE - 1));
      if (chunk > MM_PAGE_SIZE - in_page) chunk = MM_PAGE_SIZE - in_page;
      phys = vmo->page_at[offset >> MM_PAGE_SHIFT] + in_page;
    }
    uint8_t *kernel = page_alloc_ptr(pa, phys);
    if (to_vmo) {
      __builtin_memcpy(kernel, buf, chunk);
    } else {
      __builtin_memcpy(buf, kernel, chunk);
    }
    offset += chunk;
    buf += chunk;
    len -= chunk;
  }
}

int vmo_read(vmo_t *vmo, uint64_t offset, void *dst, size_t len) {
  int err = check_copy(vmo, offset, dst, len);
  if (err != NX_OK) return err;
  copy(vmo, offset, dst, len, false);
  vmo->sys->copy_bytes += len;
  return NX_OK;
}

int vmo_write(vmo_t *vmo, uint64_t offset, const void *src, size_t len) {
  int err = check_copy(vmo, offset, src, len);
  if (err != NX_OK) return err;
  /* copy() only reads buf when to_vmo is set. */
  copy(vmo, offset, (uint8_t *)(uintptr_t)src, len, true);
  vmo->sys->copy_bytes += len;
  return NX_OK;
}
