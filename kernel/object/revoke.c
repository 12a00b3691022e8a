/*
 * Revocation in bounded, resumable slices.
 *
 * Revoking capability R removes every capability derived from it (its
 * whole subtree, in every table) and leaves R itself alive. A subtree can
 * hold tens of thousands of capabilities, so the work is split: the kernel
 * calls cap_revoke_step(r, budget) as often as it likes, each call doing at
 * most `budget` units of work, and may run other threads (and their
 * capability operations) in between.
 *
 * 1. Unusable at once. cap_revoke_start only sets HANDLE_SLOT_REVOKING on R
 *    and puts the revoke on the list of revokes in progress (O(1)), then
 *    runs R's object's on_revoke hook (also when R has no children, so the
 *    object can drop what was made through descendants closed before). From
 *    then on handle_lookup refuses (NX_ERR_BAD_HANDLE) any capability with a
 *    REVOKING strict ancestor, by walking its parent links
 *    (cap_revoke_blocks). That walk is skipped entirely while no revoke is
 *    in progress (the common case: lookups stay O(1)), and it stops at the
 *    first ancestor whose serial is below the smallest serial of any
 *    revoking root: serials only grow downwards, so nothing older than every
 *    revoking root can lie under one. A lookup pays O(depth) only for a
 *    capability younger than some revoking root while that revoke runs, and
 *    never more than its depth below the oldest revoking root.
 *    Since everything under R is refused, nothing can derive from, move or
 *    revoke inside the subtree while it is dismantled; R itself cannot be
 *    closed, moved or derived from (NX_ERR_BUSY) until its revoke ends.
 *
 * 2. Bounded steps with no cursor. A step looks only at R's first child C:
 *      - C has a child G: move G up to become R's first child (one unit);
 *      - C has no child: remove C (one unit: on_cap_removed, slot freed,
 *        reference dropped, destroy if it was the last one).
 *    Each capability is moved up at most once (once a child of R it stays
 *    one) and removed once, so a subtree of n capabilities takes at most 2n
 *    units, whatever its shape (a chain of 10,000 and a fan of 10,000 cost
 *    the same per unit). No descent into the tree is remembered between
 *    steps, so the other operations allowed meanwhile cannot invalidate the
 *    revoke's state: a close of a capability in the subtree (always allowed,
 *    so a dying task can empty its table) just moves its children up, still
 *    under R. Every state the tree passes through keeps the subtree under R,
 *    hence unusable.
 *
 * 3. Nested revokes. A revoke of an ancestor of R may remove R while R's
 *    revoke is in progress; R's revoke then ends (cap_revoke_root_removed)
 *    and the ancestor's revoke takes over the rest (it moves R's children up
 *    before it can remove R).
 *
 * The list of revokes in progress is global (one capability space for the
 * kernel); the caller serializes all capability operations.
 */
#include "neuron/revoke.h"

#include "neuron/cap_tree.h"
#include "neuron/errors.h"

cap_revoke_t *cap_revokes_active; /* revokes in progress (revoke.h) */
static uint64_t min_root_serial;  /* the smallest serial of their roots */

static void recompute_min(void) {
  min_root_serial = UINT64_MAX;
  for (cap_revoke_t *r = cap_revokes_active; r; r = r->next) {
    if (r->root->serial < min_root_serial) min_root_serial = r->root->serial;
  }
}

/* Takes `r` off the list of revokes in progress and clears its root's mark.
 * Not inlined: both ends of a revoke share it. */
__attribute__((noinline)) static void finish(cap_revoke_t *r) {
  for (cap_revoke_t **p = &cap_revokes_active; *p; p = &(*p)->next) {
    if (*p == r) {
      *p = r->next;
      break;
    }
  }
  r->root->flags &= (uint8_t)~HANDLE_SLOT_REVOKING;
  r->root = 0;
  r->next = 0;
  recompute_min();
}

bool cap_revoke_blocks_walk(const handle_slot_t *s) {
  for (const handle_slot_t *p = s->parent; p && p->serial >= min_root_serial; p = p->parent) {
    if (p->flags & HANDLE_SLOT_REVOKING) return true;
  }
  return false;
}

int cap_revoke_start(cap_revoke_t *r, handle_table_t *t, nx_handle_value_t h) {
  handle_slot_t *s;
  int err = handle_lookup_slot(t, h, HANDLE_ANY_TYPE, 0, &s);
  if (err != NX_OK) return err;
  if (s->flags & HANDLE_SLOT_REVOKING) return NX_ERR_BUSY;
  r->removed = 0;
  r->next = 0;
  r->root = 0; /* with no children, nothing to do: cap_revoke_step reports it done */
  if (s->first_child) {
    r->root = s;
    s->flags |= HANDLE_SLOT_REVOKING;
    r->next = cap_revokes_active;
    cap_revokes_active = r;
    if (s->serial < min_root_serial || !r->next) min_root_serial = s->serial;
  }
  const object_ops_t *ops = object_ops_get(s->object->type);
  if (ops && ops->on_revoke) {
    cap_info_t info = handle_slot_info(s, CAP_REVOKE_STARTED);
    ops->on_revoke(s->object, &info);
  }
  return NX_OK;
}

bool cap_revoke_step(cap_revoke_t *r, uint32_t budget) {
  handle_slot_t *root = r->root;
  if (!root) return false;
  for (; budget > 0; budget--) {
    handle_slot_t *c = root->first_child;
    if (!c) break;
    handle_slot_t *g = c->first_child;
    if (g) {
      cap_tree_unlink(g);
      cap_tree_link_child(root, g);
    } else {
      handle_slot_remove(c, CAP_REMOVED_REVOKE);
      r->removed++;
    }
  }
  if (root->first_child) return true;
  finish(r);
  return false;
}

void cap_revoke_root_removed(const handle_slot_t *s) {
  for (cap_revoke_t *r = cap_revokes_active; r; r = r->next) {
    if (r->root == s) {
      finish(r);
      return;
    }
  }
}

uint32_t cap_revoke_active_count(void) {
  uint32_t n = 0;
  for (cap_revoke_t *r = cap_revokes_active; r; r = r->next) n++;
  return n;
}
