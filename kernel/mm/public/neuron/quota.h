/*
 * Memory quotas: how many pages a task (or a group of tasks) may hold.
 *
 * A quota counts pages charged against a limit. Quotas form a tree: a
 * quota with a parent also charges the parent, so a parent's count includes
 * everything its children hold and its limit caps them all together (a
 * service can hand a client part of its own budget, never more). A charge is
 * all or nothing: it succeeds only if every quota up to the root has room,
 * and otherwise changes nothing.
 *
 * Quotas only count; neuron/mm.h ties them to the page allocator. Every
 * operation is O(depth of the tree). No lock is taken; the caller serializes
 * access.
 */
#ifndef NEURON_QUOTA_H
#define NEURON_QUOTA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define QUOTA_UNLIMITED SIZE_MAX

/* Read-only outside quota.c. */
typedef struct quota {
  struct quota *parent; /* also charged; NULL at the root */
  size_t limit;         /* pages; QUOTA_UNLIMITED for no limit of its own */
  size_t used;          /* pages charged here, children included */
} quota_t;

/* An empty quota under parent (NULL for a root). NX_ERR_INVALID_ARGS if q is
 * NULL or q is parent or one of its ancestors (a cycle). */
int quota_init(quota_t *q, quota_t *parent, size_t limit);

/* Charges pages to q and every ancestor, or NX_ERR_NO_MEMORY (nothing
 * charged) if any of them would exceed its limit. */
int quota_charge(quota_t *q, size_t pages);

/* Gives back pages charged earlier to q, at every level; NX_ERR_INVALID_ARGS
 * (nothing changed) if q or an ancestor holds fewer. */
int quota_release(quota_t *q, size_t pages);

size_t quota_used(const quota_t *q);
size_t quota_limit(const quota_t *q);

/* The largest charge that would succeed now: the least room on the path to
 * the root. */
size_t quota_available(const quota_t *q);

#ifdef __cplusplus
}
#endif

#endif
