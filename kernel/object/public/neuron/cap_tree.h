/*
 * The capability derivation tree.
 *
 * Every capability (a live handle slot) has a parent (the capability it was
 * derived from; NULL for a root, one made by handle_install) and a list of
 * children. The links are intrusive, in the slots themselves, and cross
 * tables: a capability copied to another task is a child of the sender's.
 * Children are kept in a doubly linked sibling list headed by the parent's
 * first_child, so unlinking one is O(1).
 *
 * Invariants (checked by cap_tree_check, used by the tests):
 *  - a child's rights are a subset of its parent's, so rights never grow
 *    along a derivation path;
 *  - a child names the same object as its parent;
 *  - a child's serial is above its parent's (moves keep serials and every
 *    re-link attaches a node to one of its ancestors), which lets revoke.c
 *    cut the ancestor walk of a lookup short;
 *  - a child of a badged capability carries the same badge (only a mint
 *    gives a new one, and only below an unbadged capability; a close lifts
 *    children of a badged capability to one with the same badge or none).
 *
 * Close semantics: closing a capability does not revoke its children; they
 * move up to its parent (as in seL4's derivation tree when a non-root
 * capability is deleted). Keeping them as an orphan subtree would let a
 * holder escape revocation: A derives B, B derives C and gives C away, B is
 * closed, and a revoke of A would no longer reach C. Moving children up
 * keeps "revoking A removes everything derived through A" true, and rights
 * still shrink along every path (a child's rights are within B's, which are
 * within A's). Closing a root makes its children roots. The cost is one
 * parent-pointer write per child.
 *
 * No recursion anywhere: trees may be arbitrarily deep.
 */
#ifndef NEURON_CAP_TREE_H
#define NEURON_CAP_TREE_H

#include <stdbool.h>

#include "neuron/handle_table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Makes `child` (which has no parent and no siblings) the first child of
 * `parent`. O(1). */
void cap_tree_link_child(handle_slot_t *parent, handle_slot_t *child);

/* Takes `node` out of its parent's child list (its own children stay with
 * it). O(1). */
void cap_tree_unlink(handle_slot_t *node);

/* Moves every child of `node` to `node`'s parent (or makes them roots if
 * `node` is one). O(children). */
void cap_tree_lift_children(handle_slot_t *node);

/* Puts `to` (a fresh slot, no links) in `from`'s place in the tree: same
 * parent, same siblings, same children; `from` is left unlinked.
 * O(children). */
void cap_tree_replace(handle_slot_t *from, handle_slot_t *to);

/* For tests: NX_OK if the links around `node` and its children agree and the
 * invariants above hold for them; NX_ERR_BAD_FORMAT otherwise. */
int cap_tree_check_node(const handle_slot_t *node);

#ifdef __cplusplus
}
#endif

#endif
