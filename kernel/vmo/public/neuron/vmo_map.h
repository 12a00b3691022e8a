/*
 * Mapping VMOs into Sv39 address spaces: the same physical pages in several
 * spaces, no copy.
 *
 * Permissions come from the capability. The caller passes the rights of the
 * handle it resolved (NX_RIGHT_*) and the access it asks for (prot: a set of
 * NX_RIGHT_READ, NX_RIGHT_WRITE, NX_RIGHT_EXECUTE). The handle must carry
 * NX_RIGHT_MAP at all, and every access asked for (READ -> R, WRITE -> W,
 * EXECUTE -> X) must be in its rights: a read-only handle makes only
 * read-only mappings. Mappings are user mappings (U).
 *
 * A map is split the way syscalls are (docs/kernel.md): vmo_map_check()
 * validates everything and changes nothing; vmo_map_apply() then cannot fail
 * on user input, only for memory (a mapping record, page tables), in which
 * case nothing has changed. The VA range must be free: nothing is ever
 * replaced.
 *
 * Each mapping is a record on its VMO's list, holding a reference to the
 * VMO, so a mapped VMO stays alive. vmo_unmap() removes one mapping;
 * vmo_unmap_all() removes every mapping of a VMO in every space, which is
 * what revoking the capability does. A mapping's VA range belongs to it:
 * nobody else may unmap or remap it, and a space must lose its mappings
 * (vmo_unmap()) before sv39_destroy().
 *
 * TLB maintenance is the caller's (this module is portable): every call
 * adds to an sv39_flush_t (one space) or a vmo_flush_set_t (several) what to
 * fence. Unmapping may free the VMO's pages (the last reference gone) and
 * page tables: the caller fences before the page allocator hands out another
 * page, as for sv39_unmap().
 *
 * No lock is taken; the caller serializes access to the VMO, the spaces, the
 * allocator and the quotas.
 */
#ifndef NEURON_VMO_MAP_H
#define NEURON_VMO_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/sv39.h"
#include "neuron/vmo.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One mapping of a VMO: [va, va + size) of space shows [offset, offset +
 * size) of vmo. Read-only outside kernel/vmo. */
typedef struct vmo_mapping {
  struct vmo_mapping *next, *prev; /* on vmo->mappings */
  vmo_t *vmo;
  sv39_space_t *space;
  uint64_t va;
  uint64_t offset;
  uint64_t size;
  sv39_perm_t perms; /* R W X U as mapped */
} vmo_mapping_t;

/* A validated map request: what vmo_map_check() hands vmo_map_apply(). */
typedef struct vmo_map_request {
  vmo_t *vmo;
  sv39_space_t *space;
  uint64_t va;
  uint64_t offset;
  uint64_t size;
  sv39_perm_t perms;
} vmo_map_request_t;

/* TLB fences owed after changes in several spaces: one sv39_flush_t per
 * space, for up to VMO_FLUSH_SPACES spaces. Changes in further spaces are
 * summed in overflow (SV39_FLUSH_* flags): if it is not 0, fence every
 * address space on every hart (sfence.vma x0, x0). Zero it before use. */
#define VMO_FLUSH_SPACES 4

typedef struct vmo_flush_set {
  size_t count;
  struct {
    sv39_space_t *space;
    sv39_flush_t flush;
  } entry[VMO_FLUSH_SPACES];
  unsigned overflow;
} vmo_flush_set_t;

/* Checks a request to map [offset, offset + size) of vmo at va in space
 * (user window) with prot, for a handle with rights; fills *out, changes
 * nothing. In order:
 *   NX_ERR_INVALID_ARGS   NULL arguments;
 *   NX_ERR_ACCESS_DENIED  rights lack NX_RIGHT_MAP;
 *   NX_ERR_INVALID_ARGS   prot has bits other than READ/WRITE/EXECUTE, asks
 *                         neither READ nor EXECUTE, WRITE without READ, or
 *                         WRITE with EXECUTE (W^X);
 *   NX_ERR_ACCESS_DENIED  prot asks for an access rights do not carry;
 *   NX_ERR_INVALID_ARGS   va, offset or size not page aligned, or size 0;
 *   NX_ERR_OUT_OF_RANGE   [offset, offset + size) leaves the VMO, or
 *                         [va, va + size) the space's user window;
 *   NX_ERR_NO_MEMORY      the VMO has VMO_MAX_MAPPINGS mappings already;
 *   NX_ERR_INVALID_ARGS   part of [va, va + size) is mapped already (as
 *                         sv39_map(): errors.h has no "exists" code). */
int vmo_map_check(vmo_t *vmo, sv39_space_t *space, uint64_t va, uint64_t offset, uint64_t size,
                  uint32_t rights, uint32_t prot, vmo_map_request_t *out);

/* Maps a request vmo_map_check() accepted, with nothing changed since. Takes
 * a reference to the VMO; *out (may be NULL) gets the record; adds the fence
 * to *flush (may be NULL). NX_ERR_NO_MEMORY (nothing changed) if no mapping
 * record or page table page can be had. */
int vmo_map_apply(const vmo_map_request_t *req, vmo_mapping_t **out, sv39_flush_t *flush);

/* vmo_map_check(), then vmo_map_apply(). */
int vmo_map(vmo_t *vmo, sv39_space_t *space, uint64_t va, uint64_t offset, uint64_t size,
            uint32_t rights, uint32_t prot, vmo_mapping_t **out, sv39_flush_t *flush);

/* The mapping of vmo in space that starts at va, or NULL. */
vmo_mapping_t *vmo_find_mapping(const vmo_t *vmo, const sv39_space_t *space, uint64_t va);

/* Removes the mapping of vmo in space starting at va and drops its
 * reference (which may free the VMO). NX_ERR_INVALID_ARGS for NULL
 * arguments; NX_ERR_NOT_FOUND if no mapping of vmo starts there; the
 * sv39_unmap() error if the mapped range was changed behind this module's
 * back (the record stays). */
int vmo_unmap(vmo_t *vmo, sv39_space_t *space, uint64_t va, sv39_flush_t *flush);

/* Removes every mapping of vmo, in every space (capability revocation).
 * The VMO lives on while other references remain. Returns NX_OK, or the
 * first sv39_unmap() error (see vmo_unmap(); those records stay, the
 * others are removed). */
int vmo_unmap_all(vmo_t *vmo, vmo_flush_set_t *flushes);

#ifdef __cplusplus
}
#endif

#endif
