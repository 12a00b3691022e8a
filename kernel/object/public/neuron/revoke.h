/*
 * Revocation: removing every capability derived from one, in bounded
 * slices. The design is described at the top of revoke.c.
 */
#ifndef NEURON_REVOKE_H
#define NEURON_REVOKE_H

#include <stdbool.h>
#include <stdint.h>

#include "neuron/handle_table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A revoke in progress. Owned by whoever runs it (the revoking thread's
 * syscall state); it must stay at the same address until cap_revoke_step
 * returns false. Fields are private to revoke.c. */
typedef struct cap_revoke {
  handle_slot_t *root;     /* NULL once finished */
  struct cap_revoke *next; /* the list of revokes in progress */
  uint64_t removed;        /* capabilities this revoke removed so far */
} cap_revoke_t;

/*
 * Starts revoking everything derived from `h` (not `h` itself, which stays
 * usable). From the moment this returns NX_OK every capability below `h`,
 * in every table, is refused by handle_lookup, even before it is removed.
 * No right is needed beyond a usable handle: the subtree holds only
 * capabilities derived through this one, so its holder is their delegator
 * (NX_RIGHT_MANAGE is about changing the object, not about the handles
 * its holder handed out). On success the object's on_revoke hook runs once
 * (object.h), with or without children to remove; on error it does not.
 * Errors: NX_ERR_BAD_HANDLE (not usable), NX_ERR_BUSY (a revoke of `h` is
 * already in progress). O(1) plus the hook.
 */
int cap_revoke_start(cap_revoke_t *r, handle_table_t *t, nx_handle_value_t h);

/* Does at most `budget` units of work (a removal or moving one capability
 * up the tree; at most `budget` removals) and says whether work remains.
 * Between steps anything else may run, closes and other revokes included. */
bool cap_revoke_step(cap_revoke_t *r, uint32_t budget);

/* For handle_lookup: whether `s` lies below the root of a revoke in
 * progress. O(1) while no revoke runs (inline: every lookup asks) or when
 * `s` is older than every revoking root; otherwise O(depth of `s` below the
 * oldest revoking root). cap_revoke_blocks_walk is its out-of-line part. */
bool cap_revoke_blocks_walk(const handle_slot_t *s);
/* cap_revokes_active, revoke.c's list (NULL while none runs), is declared
 * in handle_table.h. */
static inline bool cap_revoke_blocks(const handle_slot_t *s) {
  return cap_revokes_active && cap_revoke_blocks_walk(s);
}

/* For handle_slot_remove: revoking root `s` is being removed (by the revoke
 * of one of its ancestors); its own revoke ends with nothing left to do. */
void cap_revoke_root_removed(const handle_slot_t *s);

/* Revokes in progress (for tests and diagnostics). */
uint32_t cap_revoke_active_count(void);

#ifdef __cplusplus
}
#endif

#endif
