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

/* Whether no page of [va, va + size) translates (a malformed entry counts as
 * taken: sv39_map() would not overwrite it either). O(pages). */
static bool range_free(const sv39_space_t *space, uint64_t va, uint64_t size) {
  for (uint64_t off = 0; off < size; off += MM_PAGE_SIZE) {
    sv39_mapping_t m;
    if (sv39_lookup(space, va + off, &m) != NX_ERR_NOT_FOUND) return false;
  }
  return true;
}

int vmo_map_check(vmo_t *vmo, sv39_space_t *space, uint64_t va, uint64_t offset, uint64_t size,
                  uint32_t rights, uint32_t prot, vmo_map_request_t *out) {
  if (!vmo || !space || !out || space->root == 0) return NX_ERR_INVALID_ARGS;
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
  if (!range_free(space, va, size)) return NX_ERR_INVALID_ARGS;
  out->vmo = vmo;
  out->space = space;
  out->va = va;
  out->offset = offset;
  out->size = size;
  out->perms = perms;
  return NX_OK;
}

/* Maps a paged VMO's pages one physically contiguous run at a time (runs
 * let sv39_map() use superpages where the pages happen to allow it). On
 * failure unmaps the runs mapped so far: exactly those ranges, so no
 * superpage is split and the unmap needs no memory and cannot fail. */
static int map_paged(const vmo_map_request_t *r, sv39_flush_t *flush) {
  const vmo_t *vmo = r->vmo;
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
    int err = sv39_map(r->space, va, pa, (uint64_t)run << MM_PAGE_SHIFT, r->perms, flush);
    if (err != NX_OK) {
      size_t undone = 0;
      while (undone < done) {
        size_t back = 1;
        uintptr_t bpa = vmo->page_at[first + undone];
        while (undone + back < done &&
               vmo->page_at[first + undone + back] == bpa + ((uint64_t)back << MM_PAGE_SHIFT)) {
          back++;
        }
        sv39_unmap(r->space, r->va + ((uint64_t)undone << MM_PAGE_SHIFT),
                   (uint64_t)back << MM_PAGE_SHIFT, flush);
        undone += back;
      }
      return err;
    }
    done += run;
  }
  return NX_OK;
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
    /* One physically contiguous range: sv39_map() uses 2 MiB leaves wherever
     * va and pa are aligned alike. */
    err = sv39_map(req->space, req->va, vmo->base + req->offset, req->size, req->perms, flush);
  }
  if (err != NX_OK) {
    slab_free(&vmo->sys->mappings, m);
    return err;
  }
  m->vmo = vmo;
  m->space = req->space;
  m->va = req->va;
  m->offset = req->offset;
  m->size = req->size;
  m->perms = req->perms;
  m->prev = NULL;
  m->next = vmo->mappings;
  if (vmo->mappings) vmo->mappings->prev = m;
  vmo->mappings = m;
  vmo->mapping_count++;
  vmo_retain(vmo);
  if (out) *out = m;
  return NX_OK;
}

int vmo_map(vmo_t *vmo, sv39_space_t *space, uint64_t va, uint64_t offset, uint64_t size,
            uint32_t rights, uint32_t prot, vmo_mapping_t **out, sv39_flush_t *flush) {
  vmo_map_request_t req;
  int err = vmo_map_check(vmo, space, va, offset, size, rights, prot, &req);
  if (err != NX_OK) return err;
  return vmo_map_apply(&req, out, flush);
}

vmo_mapping_t *vmo_find_mapping(const vmo_t *vmo, const sv39_space_t *space, uint64_t va) {
  for (vmo_mapping_t *m = vmo->mappings; m; m = m->next) {
    if (m->space == space && m->va == va) return m;
  }
  return NULL;
}

/* Unmaps m's range and, if that worked, forgets m and drops its reference.
 * One sv39_unmap() for the whole range: every leaf in it was made by this
 * mapping's own sv39_map() calls, so none is split and no memory is needed. */
static int remove_mapping(vmo_mapping_t *m, sv39_flush_t *flush) {
  vmo_t *vmo = m->vmo;
  int err = sv39_unmap(m->space, m->va, m->size, flush);
  if (err != NX_OK) return err;
  if (m->prev) {
    m->prev->next = m->next;
  } else {
    vmo->mappings = m->next;
  }
  if (m->next) m->next->prev = m->prev;
  vmo->mapping_count--;
  slab_free(&vmo->sys->mappings, m);
  vmo_release(vmo);
  return NX_OK;
}

int vmo_unmap(vmo_t *vmo, sv39_space_t *space, uint64_t va, sv39_flush_t *flush) {
  if (!vmo || !space) return NX_ERR_INVALID_ARGS;
  vmo_mapping_t *m = vmo_find_mapping(vmo, space, va);
  if (!m) return NX_ERR_NOT_FOUND;
  return remove_mapping(m, flush);
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

int vmo_unmap_all(vmo_t *vmo, vmo_flush_set_t *flushes) {
  if (!vmo) return NX_ERR_INVALID_ARGS;
  /* Hold the VMO while its mappings go: the last mapping's release must not
   * free it under the loop. */
  vmo_retain(vmo);
  int first_err = NX_OK;
  vmo_mapping_t *m = vmo->mappings;
  while (m) {
    vmo_mapping_t *next = m->next;
    sv39_flush_t scratch = {0, 0, 0};
    sv39_flush_t *flush = flush_for(flushes, m->space, &scratch);
    int err = remove_mapping(m, flush);
    if (flushes && flush == &scratch) flushes->overflow |= scratch.flags;
    if (err != NX_OK && first_err == NX_OK) first_err = err;
    m = next;
  }
  vmo_release(vmo);
  return first_err;
}
