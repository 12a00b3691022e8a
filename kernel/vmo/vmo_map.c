/* Mapping VMOs into Sv39 address spaces (see neuron/vmo_map.h). */
#include "neuron/vmo_map.h"

#include <stdbool.h>

#include "neuron/errors.h"
#include "neuron/rights.h"

#define PROT_ALL (NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_EXECUTE)

static bool page_aligned(uint64_t x) { return (x & (MM_PAGE_SIZE - 1)) == 0; }

/* The access asked for, as Sv39 permissions: NX_OK or the error the header
 * lists. Rights first, so a handle without MAP learns nothing else. */
static int check_prot(uint32_t rights, uint32_t prot, sv39_perm_t *perms) {
  if (!(rights & NX_RIGHT_MAP)) return NX_ERR_ACCESS_DENIED;
  if (prot & ~PROT_ALL) return NX_ERR_INVALID_ARGS;
  if (!(prot & (NX_RIGHT_READ | NX_RIGHT_EXECUTE))) return NX_ERR_INVALID_ARGS;
  /* A W-only PTE is a reserved encoding; W with X breaks W^X. */
  if ((prot & NX_RIGHT_WRITE) && !(prot & NX_RIGHT_READ)) return NX_ERR_INVALID_ARGS;
  if ((prot & NX_RIGHT_WRITE) && (prot & NX_RIGHT_EXECUTE)) return NX_ERR_INVALID_ARGS;
  if (prot & ~rights) return NX_ERR_ACCESS_DENIED;
  sv39_perm_t p = SV39_PERM_U;
  if (prot & NX_RIGHT_READ) p |= SV39_PERM_R;
  if (prot & NX_RIGHT_WRITE) p |= SV39_PERM_W;
  if (prot & NX_RIGHT_EXECUTE) p |= SV39_PERM_X;
  *perms = p;
  return NX_OK;
}

void vmo_space_init(vmo_space_t *vs, sv39_space_t *space) {
  vs->space = space;
  vs->mappings = NULL;
  vs->count = 0;
}

int vmo_map_check(vmo_t *vmo, vmo_space_t *vs, uint64_t va, uint64_t offset, uint64_t size,
                  uint32_t rights, uint32_t prot, uint64_t cap_serial, vmo_map_request_t *out) {
  if (!vmo || !vs || !vs->space || !out || vs->space->root == 0) return NX_ERR_INVALID_ARGS;
  const sv39_space_t *space = vs->space;
  sv39_perm_t perms = 0;
  int err = check_prot(rights, prot, &perms);
  if (err != NX_OK) return err;
  if (size == 0 || !page_aligned(va) || !page_aligned(offset) || !page_aligned(size)) {
    return NX_ERR_INVALID_ARGS;
  }
  if (offset > vmo->size || size > vmo->size - offset) return NX_ERR_OUT_OF_RANGE;
  uint64_t base = space->layout.user_base, window = space->layout.user_size;
  if (va < base || size > window || va - base > window - size) return NX_ERR_OUT_OF_RANGE;
  if (vmo->mapping_count >= VMO_MAX_MAPPINGS) return NX_ERR_NO_MEMORY;
  if (!sv39_range_free(space, va, size)) return NX_ERR_INVALID_ARGS;
  out->vmo = vmo;
  out->vs = vs;
  out->va = va;
  out->offset = offset;
  out->size = size;
  out->perms = perms;
  out->cap_serial = cap_serial;
  return NX_OK;
}

/* Maps a paged VMO's pages one physically contiguous run at a time (runs
 * let sv39_map_checked() use superpages where the pages happen to allow
 * it; vmo_map_check() checked the whole range, each run is part of it). On
 * failure unmaps the runs mapped so far: exactly those ranges, so no
 * superpage is split and the unmap needs no memory and cannot fail. */
static int map_paged(const vmo_map_request_t *r, sv39_flush_t *flush) {
  const vmo_t *vmo = r->vmo;
  sv39_space_t *space = r->vs->space;
  size_t first = (size_t)(r->offset >> MM_PAGE_SHIFT);
  size_t count = (size_t)(r->size >> MM_PAGE_SHIFT);
  size_t done = 0;
  while (done < count) {
    size_t run = 1;
    uintptr_t pa = vmo->page_at[first + done];
    while (done + run < count &&
           vmo->page_at[first + done + run] == pa + ((uint64_t)run << MM_PAGE_SHIFT)) {
      run++;
    }
    uint64_t va = r->va + ((uint64_t)done << MM_PAGE_SHIFT);
    int err = sv39_map_checked(space, va, pa, (uint64_t)run << MM_PAGE_SHIFT, r->perms, flush);
    if (err != NX_OK) {
      size_t undone = 0;
      while (undone < done) {
        size_t back = 1;
        uintptr_t bpa = vmo->page_at[first + undone];
        while (undone + back < done &&
               vmo->page_at[first + undone + back] == bpa + ((uint64_t)back << MM_PAGE_SHIFT)) {
          back++;
        }
        sv39_unmap(space, r->va + ((uint64_t)undone << MM_PAGE_SHIFT),
                   (uint64_t)back << MM_PAGE_SHIFT, flush);
        undone += back;
      }
      return err;
    }
    done += run;
  }
  return NX_OK;
}

/* Puts m on its VMO's list and its space's. */
static void link_mapping(vmo_mapping_t *m) {
  vmo_t *vmo = m->vmo;
  m->prev = NULL;
  m->next = vmo->mappings;
  if (vmo->mappings) vmo->mappings->prev = m;
  vmo->mappings = m;
  vmo->mapping_count++;
  vmo_space_t *vs = m->vs;
  m->space_prev = NULL;
  m->space_next = vs->mappings;
  if (vs->mappings) vs->mappings->space_prev = m;
  vs->mappings = m;
  vs->count++;
}

/* Takes m off both its lists. */
static void unlink_mapping(vmo_mapping_t *m) {
  vmo_t *vmo = m->vmo;
  if (m->prev) {
    m->prev->next = m->next;
  } else {
    vmo->mappings = m->next;
  }
  if (m->next) m->next->prev = m->prev;
  vmo->mapping_count--;
  vmo_space_t *vs = m->vs;
  if (m->space_prev) {
    m->space_prev->space_next = m->space_next;
  } else {
    vs->mappings = m->space_next;
  }
  if (m->space_next) m->space_next->space_prev = m->space_prev;
  vs->count--;
}

int vmo_map_apply(const vmo_map_request_t *req, vmo_mapping_t **out, sv39_flush_t *flush) {
  if (!req || !req->vmo) return NX_ERR_INVALID_ARGS;
  vmo_t *vmo = req->vmo;
  vmo_mapping_t *m = slab_alloc(&vmo->sys->mappings, 0);
  if (!m) return NX_ERR_NO_MEMORY;
  int err;
  if (vmo->kind == VMO_KIND_PAGED) {
    err = map_paged(req, flush);
  } else {
    /* One physically contiguous range: sv39_map_checked() uses 2 MiB leaves
     * wherever va and pa are aligned alike. */
    err = sv39_map_checked(req->vs->space, req->va, vmo->base + req->offset, req->size, req->perms,
                           flush);
  }
  if (err != NX_OK) {
    slab_free(&vmo->sys->mappings, m);
    return err;
  }
  m->vmo = vmo;
  m->vs = req->vs;
  m->va = req->va;
  m->offset = req->offset;
  m->size = req->size;
  m->perms = req->perms;
  m->cap_serial = req->cap_serial;
  m->via_child = false;
  link_mapping(m);
  vmo_retain(vmo);
  if (out) *out = m;
  return NX_OK;
}

int vmo_map(vmo_t *vmo, vmo_space_t *vs, uint64_t va, uint64_t offset, uint64_t size,
            uint32_t rights, uint32_t prot, uint64_t cap_serial, vmo_mapping_t **out,
            sv39_flush_t *flush) {
  vmo_map_request_t req;
  int err = vmo_map_check(vmo, vs, va, offset, size, rights, prot, cap_serial, &req);
  if (err != NX_OK) return err;
  return vmo_map_apply(&req, out, flush);
}

vmo_mapping_t *vmo_find_mapping(const vmo_t *vmo, const vmo_space_t *vs, uint64_t va) {
  for (vmo_mapping_t *m = vmo->mappings; m; m = m->next) {
    if (m->vs == vs && m->va == va) return m;
  }
  return NULL;
}

/* Unmaps m's range and, if that worked, forgets m and drops its reference
 * (which may free its VMO). One sv39_unmap() for the whole range: every leaf
 * in it was made by this mapping's own sv39_map() calls, so none is split
 * and no memory is needed. */
static int remove_mapping(vmo_mapping_t *m, sv39_flush_t *flush) {
  vmo_t *vmo = m->vmo;
  int err = sv39_unmap(m->vs->space, m->va, m->size, flush);
  if (err != NX_OK) return err;
  unlink_mapping(m);
  slab_free(&vmo->sys->mappings, m);
  vmo_release(vmo);
  return NX_OK;
}

int vmo_unmap(vmo_t *vmo, vmo_space_t *vs, uint64_t va, sv39_flush_t *flush) {
  if (!vmo || !vs) return NX_ERR_INVALID_ARGS;
  vmo_mapping_t *m = vmo_find_mapping(vmo, vs, va);
  if (!m) return NX_ERR_NOT_FOUND;
  return remove_mapping(m, flush);
}

int vmo_unmap_at(vmo_space_t *vs, uint64_t va, sv39_flush_t *flush) {
  if (!vs) return NX_ERR_INVALID_ARGS;
  for (vmo_mapping_t *m = vs->mappings; m; m = m->space_next) {
    if (m->va == va) return remove_mapping(m, flush);
  }
  return NX_ERR_NOT_FOUND;
}

int vmo_space_unmap_all(vmo_space_t *vs, sv39_flush_t *flush) {
  if (!vs) return NX_ERR_INVALID_ARGS;
  int first_err = NX_OK;
  vmo_mapping_t *next;
  for (vmo_mapping_t *m = vs->mappings; m; m = next) {
    next = m->space_next; /* m, and maybe its VMO, are gone after the removal */
    int err = remove_mapping(m, flush);
    if (err != NX_OK && first_err == NX_OK) first_err = err;
  }
  return first_err;
}

/* The flush to accumulate into for space: its entry, a new one, or (when
 * the set is full) scratch, whose flags the caller adds to overflow. */
static sv39_flush_t *flush_for(vmo_flush_set_t *set, sv39_space_t *space, sv39_flush_t *scratch) {
  if (!set) return NULL;
  for (size_t i = 0; i < set->count; i++) {
    if (set->entry[i].space == space) return &set->entry[i].flush;
  }
  if (set->count < VMO_FLUSH_SPACES) {
    set->entry[set->count].space = space;
    set->entry[set->count].flush = (sv39_flush_t){0, 0, 0};
    return &set->entry[set->count++].flush;
  }
  *scratch = (sv39_flush_t){0, 0, 0};
  return scratch;
}

/* Which mappings of a VMO remove_matching() removes. */
typedef enum match {
  MATCH_ALL,       /* every one */
  MATCH_SERIAL,    /* those attributed to the serial */
  MATCH_VIA_CHILD, /* those attributed to it through a closed descendant */
} match_t;

static bool matches(const vmo_mapping_t *m, match_t match, uint64_t serial) {
  if (match == MATCH_ALL) return true;
  return m->cap_serial == serial && (match == MATCH_SERIAL || m->via_child);
}

/* Removes the mappings of vmo that match, in every space; NX_OK or the
 * first sv39_unmap() error (those records stay). The function holds a
 * reference of its own meanwhile, so the last mapping's release cannot free
 * vmo under the loop; dropping it at the end may free vmo. */
static int remove_matching(vmo_t *vmo, match_t match, uint64_t serial, vmo_flush_set_t *flushes) {
  vmo_retain(vmo);
  int first_err = NX_OK;
  vmo_mapping_t *next;
  for (vmo_mapping_t *m = vmo->mappings; m; m = next) {
    next = m->next;
    if (!matches(m, match, serial)) continue;
    sv39_flush_t scratch = {0, 0, 0};
    sv39_flush_t *flush = flush_for(flushes, m->vs->space, &scratch);
    int err = remove_mapping(m, flush);
    if (flushes && flush == &scratch) flushes->overflow |= scratch.flags;
    if (err != NX_OK && first_err == NX_OK) first_err = err;
  }
  vmo_release(vmo);
  return first_err;
}

int vmo_unmap_all(vmo_t *vmo, vmo_flush_set_t *flushes) {
  if (!vmo) return NX_ERR_INVALID_ARGS;
  return remove_matching(vmo, MATCH_ALL, 0, flushes);
}

void vmo_cap_removed(vmo_t *vmo, uint64_t serial, uint64_t parent_serial, bool removed_by_revoke,
                     vmo_flush_set_t *flushes) {
  if (!vmo || serial == 0) return;
  if (removed_by_revoke) {
    /* The error case (a range changed behind this module's back) leaves
     * those mappings as they were; the header says so. */
    (void)remove_matching(vmo, MATCH_SERIAL, serial, flushes);
    return;
  }
  /* A close unmaps nothing, so no reference can go here. */
  for (vmo_mapping_t *m = vmo->mappings; m; m = m->next) {
    if (m->cap_serial != serial) continue;
    m->cap_serial = parent_serial;
    m->via_child = true;
  }
}

void vmo_cap_revoking(vmo_t *vmo, uint64_t serial, vmo_flush_set_t *flushes) {
  if (!vmo || serial == 0) return;
  (void)remove_matching(vmo, MATCH_VIA_CHILD, serial, flushes);
}
