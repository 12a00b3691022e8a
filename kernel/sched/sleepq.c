/*
 * The sleep queue as a pairing heap.
 *
 * A pairing heap is a multiway tree whose root is the minimum. Inserting
 * melds the node with the root (one comparison); deleting the root merges
 * its children in two passes (pair them left to right, then fold the pairs
 * right to left), which is what gives the O(log n) amortized bound. Deleting
 * any other node cuts its subtree out, merges the subtree's children the
 * same way and melds the result with the root.
 */
#include "neuron/sleepq.h"

#include "neuron/errors.h"

/* Whether a leaves before b: by deadline, then by insertion order. */
static bool before(const sleepq_node_t *a, const sleepq_node_t *b) {
  if (a->deadline != b->deadline) return a->deadline < b->deadline;
  return a->seq < b->seq;
}

/* Melds two heap roots (both with NULL prev and next) into one; returns the
 * new root. The later one becomes the first child of the earlier one. */
static sleepq_node_t *meld(sleepq_node_t *a, sleepq_node_t *b) {
  if (before(b, a)) {
    sleepq_node_t *t = a;
    a = b;
    b = t;
  }
  b->prev = a;
  b->next = a->child;
  if (a->child) a->child->prev = b;
  a->child = b;
  return a;
}

/* Merges a list of siblings (linked by next) into one heap; returns its
 * root (NULL for an empty list). Iterative: the first pass keeps the melded
 * pairs on a stack threaded through their own `next` links, so the second
 * pass visits them right to left without recursion. */
static sleepq_node_t *merge_siblings(sleepq_node_t *first) {
  sleepq_node_t *stack = NULL;
  while (first) {
    sleepq_node_t *a = first;
    sleepq_node_t *b = a->next;
    first = b ? b->next : NULL;
    a->prev = NULL;
    a->next = NULL;
    if (b) {
      b->prev = NULL;
      b->next = NULL;
      a = meld(a, b);
    }
    a->next = stack;
    stack = a;
  }
  if (!stack) return NULL;
  sleepq_node_t *root = stack;
  stack = stack->next;
  root->next = NULL;
  while (stack) {
    sleepq_node_t *n = stack;
    stack = n->next;
    n->next = NULL;
    root = meld(root, n);
  }
  return root;
}

static void clear_links(sleepq_node_t *n) {
  n->child = NULL;
  n->next = NULL;
  n->prev = NULL;
}

void sleepq_init(sleepq_t *q) {
  q->root = NULL;
  q->count = 0;
  q->next_seq = 0;
}

void sleepq_insert(sleepq_t *q, sleepq_node_t *node, uint64_t deadline) {
  node->deadline = deadline;
  node->seq = q->next_seq++;
  clear_links(node);
  q->root = q->root ? meld(q->root, node) : node;
  q->count++;
}

/* Takes the root off: its children become the new heap. */
static sleepq_node_t *pop_root(sleepq_t *q) {
  sleepq_node_t *root = q->root;
  q->root = merge_siblings(root->child);
  clear_links(root);
  q->count--;
  return root;
}

sleepq_node_t *sleepq_pop_due(sleepq_t *q, uint64_t now) {
  if (!q->root || q->root->deadline > now) return NULL;
  return pop_root(q);
}

void sleepq_remove(sleepq_t *q, sleepq_node_t *node) {
  if (node == q->root) {
    pop_root(q);
    return;
  }
  /* Cut the node (with its subtree) out of its sibling list. */
  if (node->prev->child == node) {
    node->prev->child = node->next;
  } else {
    node->prev->next = node->next;
  }
  if (node->next) node->next->prev = node->prev;
  /* Its children form a heap of their own; meld it back under the root. */
  sleepq_node_t *sub = merge_siblings(node->child);
  if (sub) q->root = meld(q->root, sub);
  clear_links(node);
  q->count--;
}

/* The parent of a node that is not the root: walk left to the first
 * sibling, whose prev is the parent. */
static const sleepq_node_t *parent_of(const sleepq_node_t *n) {
  while (n->prev->child != n) n = n->prev;
  return n->prev;
}

int sleepq_check(const sleepq_t *q, bool (*visit)(const sleepq_node_t *node, void *ctx),
                 void *ctx) {
  if (!q->root) return q->count == 0 ? NX_OK : NX_ERR_BAD_FORMAT;
  if (q->root->prev || q->root->next) return NX_ERR_BAD_FORMAT;
  size_t seen = 0;
  const sleepq_node_t *n = q->root;
  /* Pre-order walk without recursion or a stack: down through child, right
   * through next, and up through parent_of() when a sibling list ends. */
  while (n) {
    if (++seen > q->count) return NX_ERR_BAD_FORMAT; /* a cycle, or a bad count */
    if (n->seq >= q->next_seq) return NX_ERR_BAD_FORMAT;
    if (visit && !visit(n, ctx)) return NX_ERR_BAD_FORMAT;
    /* The children's back links and heap order, checked from the parent so
     * that each node is checked once. */
    const sleepq_node_t *prev = n;
    size_t children = 0;
    for (const sleepq_node_t *c = n->child; c; c = c->next) {
      if (c->prev != prev || before(c, n)) return NX_ERR_BAD_FORMAT;
      if (++children > q->count) return NX_ERR_BAD_FORMAT;
      prev = c;
    }
    if (n->child) {
      n = n->child;
      continue;
    }
    while (n != q->root && !n->next) n = parent_of(n);
    n = n == q->root ? NULL : n->next;
  }
  return seen == q->count ? NX_OK : NX_ERR_BAD_FORMAT;
}
