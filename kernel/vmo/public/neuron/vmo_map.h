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
 * Each mapping is a record on two lists: its VMO's (so revoking a capability
 * finds the mappings made through it) and its address space's, a vmo_space_t
 * (so the unmap syscall, which names only an address, and task teardown find
 * them). The record holds a reference to the VMO, so a mapped VMO stays
 * alive. vmo_unmap() and vmo_unmap_at() remove one mapping,
 * vmo_space_unmap_all() every mapping of a space (before sv39_destroy()),
 * vmo_unmap_all() every mapping of a VMO in every space. A mapping's VA
 * range belongs to it: nobody else may unmap or remap it.
 *
 * Revocation. Every mapping records the serial of the capability it was
 * made through (cap_serial; 0: through none, never revoked). When a
 * capability goes, the capability layer calls vmo_cap_removed():
 *   - revoked (an ancestor was revoked): its mappings are unmapped;
 *   - closed by its holder: its mappings stay, but are attributed to the
 *     capability it was derived from, with via_child set. Otherwise a holder
 *     could map through a derived capability, close it, and keep the
 *     mapping when the capability it was derived from is revoked: closing
 *     would escape revocation. The capability tree lifts a closed
 *     capability's children to its parent for the same reason.
 * A revoke of R removes R's descendants (each reported through
 * vmo_cap_removed()) but leaves R; the mappings of descendants closed
 * earlier are attributed to R by then, marked via_child, so
 * vmo_cap_revoking() unmaps those and keeps the ones made through R itself.
 * A chain of closes keeps moving the attribution up, so the nearest
 * surviving ancestor's revoke still reaches the mapping.
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "neuron/sv39.h"
#include "neuron/vmo.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An address space as this module sees it: the page tables and every
 * mapping in them, of any VMO (a doubly linked list through space_next and
 * space_prev). One per task. Read-only outside kernel/vmo. */
typedef struct vmo_space {
  sv39_space_t *space;
  struct vmo_mapping *mappings; /* every mapping in this space, any VMO */
  size_t count;
} vmo_space_t;

/* One mapping of a VMO: [va, va + size) of vs shows [offset, offset + size)
 * of vmo. Read-only outside kernel/vmo. */
typedef struct vmo_mapping {
  struct vmo_mapping *next, *prev;             /* on vmo->mappings */
  struct vmo_mapping *space_next, *space_prev; /* on vs->mappings */
  vmo_t *vmo;
  vmo_space_t *vs;
  uint64_t va;
  uint64_t offset;
  uint64_t size;
  sv39_perm_t perms;   /* R W X U as mapped */
  uint64_t cap_serial; /* the capability it is attributed to; 0: none */
  bool via_child;      /* made through a since-closed descendant of it */
} vmo_mapping_t;

/* A validated map request: what vmo_map_check() hands vmo_map_apply(). */
typedef struct vmo_map_request {
  vmo_t *vmo;
  vmo_space_t *vs;
  uint64_t va;
  uint64_t offset;
  uint64_t size;
  sv39_perm_t perms;
  uint64_t cap_serial;
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

/* Makes *vs the (empty) mapping list of space. */
void vmo_space_init(vmo_space_t *vs, sv39_space_t *space);

/* Checks a request to map [offset, offset + size) of vmo at va in vs (user
 * window) with prot, for the capability cap_serial (0: none) with rights;
 * fills *out, changes nothing. In order:
 *   NX_ERR_INVALID_ARGS   NULL arguments (vs->space included);
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
int vmo_map_check(vmo_t *vmo, vmo_space_t *vs, uint64_t va, uint64_t offset, uint64_t size,
                  uint32_t rights, uint32_t prot, uint64_t cap_serial, vmo_map_request_t *out);

/* Maps a request vmo_map_check() accepted, with nothing changed since. Takes
 * a reference to the VMO; the mapping is attributed to the request's
 * capability (via_child false); *out (may be NULL) gets the record; adds the
 * fence to *flush (may be NULL). NX_ERR_INVALID_ARGS for NULL req or
 * req->vmo; NX_ERR_NO_MEMORY (nothing changed) if no mapping record or page
 * table page can be had. */
int vmo_map_apply(const vmo_map_request_t *req, vmo_mapping_t **out, sv39_flush_t *flush);

/* vmo_map_check(), then vmo_map_apply(). */
int vmo_map(vmo_t *vmo, vmo_space_t *vs, uint64_t va, uint64_t offset, uint64_t size,
            uint32_t rights, uint32_t prot, uint64_t cap_serial, vmo_mapping_t **out,
            sv39_flush_t *flush);

/* The mapping of vmo in vs that starts at va, or NULL. O(mappings of vmo). */
vmo_mapping_t *vmo_find_mapping(const vmo_t *vmo, const vmo_space_t *vs, uint64_t va);

/* Removes the mapping of vmo in vs starting at va and drops its reference
 * (which may free the VMO). NX_ERR_INVALID_ARGS for NULL arguments;
 * NX_ERR_NOT_FOUND if no mapping of vmo starts there; the sv39_unmap() error
 * if the mapped range was changed behind this module's back (the record
 * stays, and with it the reference that keeps the pages from reuse). */
int vmo_unmap(vmo_t *vmo, vmo_space_t *vs, uint64_t va, sv39_flush_t *flush);

/* Removes the mapping that starts at va in vs, whatever its VMO (the unmap
 * syscall names only an address), and drops its reference (which may free
 * the VMO: its last reference). NX_ERR_INVALID_ARGS for NULL vs;
 * NX_ERR_NOT_FOUND if no mapping starts there; the sv39_unmap() error as for
 * vmo_unmap(). O(mappings of vs). */
int vmo_unmap_at(vmo_space_t *vs, uint64_t va, sv39_flush_t *flush);

/* Removes every mapping of vs (task teardown, before sv39_destroy()); each
 * may free its VMO. NX_ERR_INVALID_ARGS for NULL vs; else NX_OK, or the
 * first sv39_unmap() error (those records stay, the others are removed). */
int vmo_space_unmap_all(vmo_space_t *vs, sv39_flush_t *flush);

/* Removes every mapping of vmo, in every space, whatever it is attributed
 * to. May free the VMO (when the caller holds no reference of its own).
 * NX_ERR_INVALID_ARGS for NULL vmo; else NX_OK, or the first sv39_unmap()
 * error (see vmo_unmap(); those records stay, the others are removed). */
int vmo_unmap_all(vmo_t *vmo, vmo_flush_set_t *flushes);

/* Capability `serial` of vmo is going away (the object layer's
 * on_cap_removed). removed_by_revoke: it is being revoked (an ancestor was
 * revoked), and every mapping attributed to `serial` is unmapped, its fences
 * added to flushes (may be NULL). Otherwise (its holder closed it) its
 * mappings stay but are attributed to parent_serial (the capability it was
 * derived from; 0 if it was a root, and then no revoke reaches them) with
 * via_child set, so that a later revoke of the parent still reaches them.
 *
 * A capability closed while a revoke of one of its ancestors is in progress
 * is to be reported with removed_by_revoke: it is unusable already, and its
 * mappings, attributed to the revoking root, would escape the
 * vmo_cap_revoking() that has already run for that root.
 *
 * Unmapping drops references and may free the VMO, even while this runs
 * (the caller need not hold a reference): vmo is held by a reference of the
 * function's own until its last access, and is not to be used afterwards
 * unless the caller holds a reference. Does nothing for NULL vmo or serial
 * 0 (no capability). A mapping whose range was changed behind this module's
 * back stays, as for vmo_unmap(). O(mappings of vmo). */
void vmo_cap_removed(vmo_t *vmo, uint64_t serial, uint64_t parent_serial, bool removed_by_revoke,
                     vmo_flush_set_t *flushes);

/* A revoke of capability `serial` of vmo starts (that capability itself
 * stays): unmaps every mapping attributed to `serial` with via_child set
 * (made through a since-closed descendant), adding the fences to flushes
 * (may be NULL); mappings made through `serial` itself stay. The
 * descendants still open are reported one by one to vmo_cap_removed() as
 * the revoke removes them. Like vmo_cap_removed(): may free the VMO, does
 * nothing for NULL vmo or serial 0, leaves a mapping changed behind this
 * module's back in place. O(mappings of vmo). */
void vmo_cap_revoking(vmo_t *vmo, uint64_t serial, vmo_flush_set_t *flushes);

#ifdef __cplusplus
}
#endif

#endif
