/* The capability derivation tree: link primitives (see cap_tree.h). */
#include "neuron/cap_tree.h"

#include "neuron/errors.h"

void cap_tree_link_child(handle_slot_t *parent, handle_slot_t *child) {
  child->parent = parent;
  child->prev_sibling = 0;
  child->next_sibling = parent->first_child;
  if (parent->first_child) parent->first_child->prev_sibling = child;
  parent->first_child = child;
}

void cap_tree_unlink(handle_slot_t *node) {
  if (node->prev_sibling) {
    node->prev_sibling->next_sibling = node->next_sibling;
  } else if (node->parent) {
    node->parent->first_child = node->next_sibling;
  }
  if (node->next_sibling) node->next_sibling->prev_sibling = node->prev_sibling;
  node->parent = node->next_sibling = node->prev_sibling = 0;
}

void cap_tree_lift_children(handle_slot_t *node) {
  handle_slot_t *first = node->first_child;
  if (!first) return;
  node->first_child = 0;
  handle_slot_t *up = node->parent;
  if (!up) {
    /* Each child becomes a root of its own: roots have no siblings. */
    for (handle_slot_t *c = first, *next; c; c = next) {
      next = c->next_sibling;
      c->parent = c->next_sibling = c->prev_sibling = 0;
    }
    return;
  }
  /* Re-point the children, then splice their list in front of `up`'s. */
  handle_slot_t *last = first;
  for (handle_slot_t *c = first; c; c = c->next_sibling) {
    c->parent = up;
    last = c;
  }
  last->next_sibling = up->first_child;
  if (up->first_child) up->first_child->prev_sibling = last;
  up->first_child = first;
}

void cap_tree_replace(handle_slot_t *from, handle_slot_t *to) {
  to->parent = from->parent;
  to->prev_sibling = from->prev_sibling;
  to->next_sibling = from->next_sibling;
  to->first_child = from->first_child;
  if (to->prev_sibling) {
    to->prev_sibling->next_sibling = to;
  } else if (to->parent) {
    to->parent->first_child = to;
  }
  if (to->next_sibling) to->next_sibling->prev_sibling = to;
  for (handle_slot_t *c = to->first_child; c; c = c->next_sibling) c->parent = to;
  from->parent = from->first_child = from->next_sibling = from->prev_sibling = 0;
}

int cap_tree_check_node(const handle_slot_t *node) {
  if (!node->object) return NX_ERR_BAD_FORMAT;
  const handle_slot_t *p = node->parent;
  if (p) {
    if (p->object != node->object || (node->rights & ~p->rights) != 0) return NX_ERR_BAD_FORMAT;
    if (node->serial <= p->serial) return NX_ERR_BAD_FORMAT;
    if (p->badge != 0 && node->badge != p->badge) return NX_ERR_BAD_FORMAT;
    if (!node->prev_sibling && p->first_child != node) return NX_ERR_BAD_FORMAT;
  } else if (node->prev_sibling || node->next_sibling) {
    return NX_ERR_BAD_FORMAT;
  }
  if (node->prev_sibling && node->prev_sibling->next_sibling != node) return NX_ERR_BAD_FORMAT;
  if (node->next_sibling && node->next_sibling->prev_sibling != node) return NX_ERR_BAD_FORMAT;
  const handle_slot_t *prev = 0;
  for (const handle_slot_t *c = node->first_child; c; c = c->next_sibling) {
    if (c->parent != node || c->prev_sibling != prev) return NX_ERR_BAD_FORMAT;
    prev = c;
  }
  return NX_OK;
}
