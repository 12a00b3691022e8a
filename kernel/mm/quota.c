/*
 * Memory quotas (see neuron/quota.h). Charging walks the path to the root
 * twice, once to check every level and once to charge it, so a refused
 * charge leaves no level changed and nothing has to be undone.
 */
#include "neuron/quota.h"

#include "neuron/errors.h"

int quota_init(quota_t *q, quota_t *parent, size_t limit) {
  if (!q) return NX_ERR_INVALID_ARGS;
  for (const quota_t *a = parent; a; a = a->parent) {
    if (a == q) return NX_ERR_INVALID_ARGS;
  }
  q->parent = parent;
  q->limit = limit;
  q->used = 0;
  return NX_OK;
}

int quota_charge(quota_t *q, size_t pages) {
  if (!q) return NX_ERR_INVALID_ARGS;
  for (const quota_t *a = q; a; a = a->parent) {
    /* used never exceeds limit; checking it anyway keeps limit - used from wrapping. */
    if (a->used > a->limit || pages > a->limit - a->used) return NX_ERR_NO_MEMORY;
  }
  for (quota_t *a = q; a; a = a->parent) a->used += pages;
  return NX_OK;
}

int quota_release(quota_t *q, size_t pages) {
  if (!q) return NX_ERR_INVALID_ARGS;
  for (const quota_t *a = q; a; a = a->parent) {
    if (a->used < pages) return NX_ERR_INVALID_ARGS;
  }
  for (quota_t *a = q; a; a = a->parent) a->used -= pages;
  return NX_OK;
}

size_t quota_used(const quota_t *q) { return q->used; }

size_t quota_limit(const quota_t *q) { return q->limit; }

size_t quota_available(const quota_t *q) {
  size_t room = SIZE_MAX;
  for (const quota_t *a = q; a; a = a->parent) {
    size_t here = a->used < a->limit ? a->limit - a->used : 0;
    if (here < room) room = here;
  }
  return room;
}
