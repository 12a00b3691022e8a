/*
 * Virtual memory objects (VMOs): kernel objects that own physical pages and
 * can be mapped into several address spaces without a copy (neuron/vmo_map.h).
 * This is the zero-copy path: a device's DMA buffer is one VMO, mapped into
 * the driver and into the application; neither the kernel nor anyone else
 * copies the bytes.
 *
 * Three kinds:
 *   paged       pages from the page allocator, one by one (order 0), so a
 *               large VMO needs no large free block. Their physical
 *               addresses are kept in an index: inline in the vmo_t for up to
 *               VMO_INLINE_PAGES pages, else in a block from the allocator
 *               charged to the same quota (the metadata a task causes is the
 *               task's to pay for).
 *   contiguous  (VMO_CONTIGUOUS) one buddy block of 2^order pages, for DMA:
 *               physically contiguous, aligned to its size, base reported by
 *               vmo_phys_base(). Since the buddy allocator cannot give back
 *               the tail of a block, the whole block is charged (a 3-page
 *               contiguous VMO holds 4 pages). A 2 MiB-aligned run of it maps
 *               with 2 MiB leaves.
 *   physical    vmo_create_physical(): a range of device memory (MMIO, a
 *               frame buffer) handed out at boot. Never zeroed, never freed,
 *               charged to no quota, and refused if it overlaps RAM the page
 *               allocator manages (that would hand out pages the allocator
 *               also gives to others).
 *
 * Pages are allocated eagerly, at creation, and zeroed then: a VMO never has
 * a page fault path, a DMA buffer is complete when a device is given its
 * address, and nobody can see a page before it is zeroed. The quota is
 * charged for everything up front in one all-or-nothing charge, so a VMO the
 * quota cannot hold fails at once without touching the allocator; if the
 * allocator runs out part way, every page taken is given back and the charge
 * is refunded.
 *
 * Lifetime. The object header's refs counts the creator's reference (1 at
 * creation; handles will hold more) plus one per mapping. vmo_release() drops
 * one; the last one returns the pages to the allocator and the quota. So
 * dropping the last handle of a mapped VMO leaves it alive until its last
 * mapping goes (unmapped, its space torn down, or revoked: neuron/vmo_map.h);
 * there is no "destroy while mapped".
 *
 * The vmo_t records and the mapping records come from slab caches of a
 * vmo_system_t, which also counts the bytes the kernel copies in and out of
 * VMOs (vmo_read()/vmo_write()): the benchmark reports it, so a path that
 * claims to be zero-copy can show that it copied nothing.
 *
 * Portable: no TLB maintenance here (neuron/vmo_map.h returns what to fence).
 * No lock is taken; the caller serializes access.
 */
#ifndef NEURON_VMO_H
#define NEURON_VMO_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/object.h"
#include "neuron/page_alloc.h"
#include "neuron/quota.h"
#include "neuron/slab.h"

#ifdef __cplusplus
extern "C" {
#endif

/* vmo_create() flags. */
#define VMO_CONTIGUOUS 1u /* one physically contiguous block (for DMA) */
#define VMO_FLAGS_ALL VMO_CONTIGUOUS

/* No VMO is larger than the user window of an Sv39 space: it could never be
 * mapped whole, and the limit keeps every size computation far from
 * overflow. */
#define VMO_SIZE_MAX ((uint64_t)1 << 38)

/* Paged VMOs of up to this many pages keep their page list in the vmo_t. */
#define VMO_INLINE_PAGES 4

/* Mappings one VMO may have at a time. Mapping records come from a slab
 * that no quota pays for, so their number per VMO is bounded. */
#define VMO_MAX_MAPPINGS 64

typedef enum vmo_kind {
  VMO_KIND_PAGED = 0,
  VMO_KIND_CONTIGUOUS = 1,
  VMO_KIND_PHYSICAL = 2,
} vmo_kind_t;

/* Where VMOs come from: the page allocator, the caches of VMO and mapping
 * records, and the copy counter. One per kernel (a static); tests make their
 * own. Read-only outside kernel/vmo. */
typedef struct vmo_system {
  page_alloc_t *pa;
  slab_cache_t vmos;     /* vmo_t */
  slab_cache_t mappings; /* vmo_mapping_t (neuron/vmo_map.h) */
  uint64_t copy_bytes;   /* bytes vmo_read()/vmo_write() copied, ever */
  size_t live;           /* VMOs not yet freed */
} vmo_system_t;

struct vmo_mapping;

/* A VMO. Read-only outside kernel/vmo. */
typedef struct vmo {
  object_t obj; /* first: type OBJ_VMO; refs = references + mappings */
  vmo_system_t *sys;
  quota_t *quota;     /* charged for committed pages; NULL for physical */
  uint64_t size;      /* bytes, a whole number of pages */
  size_t pages;       /* size / MM_PAGE_SIZE */
  size_t committed;   /* pages charged to quota: data (whole block) + index */
  uint32_t kind;      /* vmo_kind_t */
  unsigned order;     /* contiguous: the block's; paged: the index block's */
  uintptr_t base;     /* contiguous, physical: the first page */
  uintptr_t index;    /* paged: the index block (0: the list is inline) */
  uintptr_t *page_at; /* paged: the physical address of each page */
  uintptr_t inline_pages[VMO_INLINE_PAGES];
  struct vmo_mapping *mappings; /* every mapping, in any space (next, prev) */
  size_t mapping_count;
} vmo_t;

/* Sets up *sys over pa (its slab caches take no memory yet).
 * NX_ERR_INVALID_ARGS for NULL arguments. */
int vmo_system_init(vmo_system_t *sys, page_alloc_t *pa);

/* Returns the caches' pages; NX_ERR_BUSY (nothing changed) while VMOs live. */
int vmo_system_destroy(vmo_system_t *sys);

/* Bytes the kernel copied into and out of VMOs (vmo_read(), vmo_write()). */
uint64_t vmo_copy_bytes(const vmo_system_t *sys);

/* Pages the system's slab caches hold (for accounting in tests). */
size_t vmo_system_slab_pages(const vmo_system_t *sys);

/* A new VMO of size bytes, rounded up to whole pages, zeroed, charged to
 * quota, with one reference. flags: VMO_CONTIGUOUS or 0. Errors (nothing
 * allocated or charged): NX_ERR_INVALID_ARGS for NULL arguments, size 0 or
 * unknown flags; NX_ERR_OUT_OF_RANGE for size > VMO_SIZE_MAX;
 * NX_ERR_NO_MEMORY if the quota (or an ancestor) has no room, the allocator
 * has no pages (no block big enough, for contiguous), or no vmo_t record. */
int vmo_create(vmo_system_t *sys, uint64_t size, uint32_t flags, quota_t *quota, vmo_t **out);

/* A VMO for the device memory [base, base + size) (both page aligned, size >
 * 0), with one reference. Not zeroed, not charged, never freed to the
 * allocator. NX_ERR_INVALID_ARGS for NULL arguments, misalignment, size 0 or
 * a range overlapping memory the page allocator manages; NX_ERR_OUT_OF_RANGE
 * past the 56-bit physical address space or above VMO_SIZE_MAX;
 * NX_ERR_NO_MEMORY for no vmo_t record. */
int vmo_create_physical(vmo_system_t *sys, uint64_t base, uint64_t size, vmo_t **out);

/* Takes a reference (a handle). */
void vmo_retain(vmo_t *vmo);

/* Drops a reference. The last one (there is no mapping left then: each holds
 * one) frees the pages, refunds the quota and frees the vmo_t; vmo is not to
 * be used after a release that may have been the last. */
void vmo_release(vmo_t *vmo);

uint64_t vmo_size(const vmo_t *vmo);
vmo_kind_t vmo_kind(const vmo_t *vmo);

/* Pages charged to the VMO's quota (0 for a physical VMO). */
size_t vmo_committed_pages(const vmo_t *vmo);

/* The physical address of the VMO's first byte for a contiguous or physical
 * VMO (what a device is told); NX_ERR_NOT_SUPPORTED for a paged one. */
int vmo_phys_base(const vmo_t *vmo, uint64_t *out);

/* The physical address of page index of the VMO, or 0 past its end. */
uint64_t vmo_page_phys(const vmo_t *vmo, size_t index);

/* Copy len bytes out of / into the VMO at offset, through the kernel's view
 * of physical memory (page_alloc_ptr()). len 0 is a successful no-op.
 * NX_ERR_INVALID_ARGS for NULL vmo (or NULL buffer with len > 0);
 * NX_ERR_OUT_OF_RANGE if [offset, offset + len) leaves the VMO (overflow
 * safe); NX_ERR_NOT_SUPPORTED for a physical VMO: device registers need
 * accesses of the right width, not a byte copy, so the kernel does not touch
 * device memory on a user's behalf. Adds len to the copy counter. */
int vmo_read(vmo_t *vmo, uint64_t offset, void *dst, size_t len);
int vmo_write(vmo_t *vmo, uint64_t offset, const void *src, size_t len);

#ifdef __cplusplus
}
#endif

#endif
