/*
 * Sv39 page tables (see neuron/sv39.h).
 *
 * Every change runs in three steps: check (arguments, then a read-only walk:
 * is the range free / wholly mapped), count and allocate every table page the
 * change needs (new tables, superpage splits) into a pool, then apply the
 * change, which can no longer fail. So an error leaves the space, its quota
 * and the allocator as they were.
 *
 * The walks are written once per level-generic recursion: a table at level L
 * (2 = root) covers 2^(12 + 9(L+1)) bytes and each entry 2^(12 + 9L). Ranges
 * are [first, last] with last inclusive, so a range may end at the top of the
 * address space without overflow.
 *
 * Every table below the root that the space allocated keeps the number of its
 * non-zero entries in the allocator's owner word for its page
 * (page_alloc_owner_word()), so that an unmap sees at once whether it left a
 * table empty instead of scanning 512 entries. The root keeps none: it is
 * only freed with the space. Tables reached through shared top-level entries
 * are the kernel space's, counted there.
 */
#include "neuron/sv39.h"

#include "neuron/errors.h"
#include "neuron/mm.h"

#define TOP_LEVEL (SV39_LEVELS - 1)
#define PTE_LOW_BITS ((uint64_t)0x3ff) /* V R W X U G A D and the two RSW bits */

/* ---- Entries ---- */

static unsigned level_shift(unsigned level) { return 12 + 9 * level; }
static uint64_t level_size(unsigned level) { return (uint64_t)1 << level_shift(level); }
static unsigned index_of(uint64_t va, unsigned level) {
  return (unsigned)((va >> level_shift(level)) & (SV39_PTES - 1));
}

static bool pte_valid(uint64_t pte) { return (pte & SV39_PTE_V) != 0; }
static bool pte_leaf(uint64_t pte) { return (pte & (SV39_PTE_R | SV39_PTE_X)) != 0; }
static bool pte_pointer(uint64_t pte) { return pte_valid(pte) && !pte_leaf(pte); }
static uint64_t pte_addr(uint64_t pte) {
  return ((pte & SV39_PTE_PPN_MASK) >> SV39_PTE_PPN_SHIFT) << 12;
}
static uint64_t make_pte(uint64_t addr, uint64_t low_bits) {
  return ((addr >> 12) << SV39_PTE_PPN_SHIFT) | low_bits;
}
static uint64_t make_pointer(uint64_t table) { return make_pte(table, SV39_PTE_V); }

/* The low bits of a leaf with perms: valid, accessed, dirty if writable (the
 * kernel does not track A/D, and Svade hardware would fault on them). */
static uint64_t leaf_bits(sv39_perm_t perms) {
  uint64_t bits = SV39_PTE_V | SV39_PTE_A | (uint64_t)perms;
  if (perms & SV39_PERM_W) bits |= SV39_PTE_D;
  return bits;
}

static uint64_t *table_of(const sv39_space_t *as, uint64_t phys) {
  return (uint64_t *)page_alloc_ptr(as->pa, (uintptr_t)phys);
}

/* ---- Live entry counts ---- */

/* The count of a table below the root. Never NULL: the table is an
 * allocated block the space took. */
static uint16_t *live_count(const sv39_space_t *as, uint64_t table) {
  return page_alloc_owner_word(as->pa, (uintptr_t)table);
}

/* The non-zero entries of a table below the root, without looking at them. */
static unsigned table_live_entries(const sv39_space_t *as, uint64_t table) {
  return *live_count(as, table);
}

/* Records that a call on a table at level made added non-zero entries
 * (delta > 0) or cleared some (delta < 0). The walks add up their changes to
 * one table and call this once, so a run of 512 leaves costs one lookup. */
static void live_adjust(const sv39_space_t *as, uint64_t table, unsigned level, int delta) {
  if (level == TOP_LEVEL || delta == 0) return;
  uint16_t *count = live_count(as, table);
  *count = (uint16_t)(*count + delta);
}

static bool bit_test(const uint64_t *set, unsigned i) { return (set[i / 64] >> (i % 64)) & 1u; }
static void bit_set(uint64_t *set, unsigned i) { set[i / 64] |= (uint64_t)1 << (i % 64); }

/* ---- Addresses ---- */

static bool canonical(uint64_t va) {
  uint64_t top = va >> (SV39_VA_BITS - 1); /* bits 63..38 */
  return top == 0 || top == (UINT64_MAX >> (SV39_VA_BITS - 1));
}

static bool page_aligned(uint64_t v) { return (v & (SV39_PAGE_SIZE - 1)) == 0; }

/* A layout window: empty, or page aligned inside one canonical half. */
static bool window_ok(uint64_t base, uint64_t size) {
  if (size == 0) return true;
  if (!page_aligned(base) || !page_aligned(size) || !canonical(base)) return false;
  if (base < SV39_USER_END) return size <= SV39_USER_END - base;
  return size <= (uint64_t)0 - base; /* up to the top of the space */
}

static bool window_contains(uint64_t base, uint64_t wsize, uint64_t va, uint64_t size) {
  if (wsize == 0 || va < base || va - base >= wsize) return false;
  return size <= wsize - (va - base);
}

/* ---- Flush reports ---- */

static void flush_add(sv39_flush_t *flush, uint64_t va, uint64_t size, unsigned flags) {
  if (!flush || flags == 0 || size == 0) return;
  if (flush->flags == 0) {
    flush->va = va;
    flush->size = size;
    flush->flags = flags;
    return;
  }
  uint64_t first = flush->va < va ? flush->va : va;
  uint64_t old_last = flush->va + (flush->size - 1);
  uint64_t new_last = va + (size - 1);
  uint64_t last = old_last > new_last ? old_last : new_last;
  flush->va = first;
  flush->size = last - first == UINT64_MAX ? UINT64_MAX : last - first + 1;
  flush->flags |= flags;
}

/* ---- Operations ---- */

typedef struct op {
  sv39_space_t *as;
  uint64_t offset; /* map: pa - va, modulo 2^64 */
  uint64_t bits;   /* map, protect: the low bits of the new leaves */
  uint64_t pool;   /* allocated table pages, linked through their first word */
  unsigned flush;  /* SV39_FLUSH_* to report */
} op_t;

/* Takes n zeroed pages charged to the space's quota into the pool, or none.
 * Not inlined: four operations share it. */
__attribute__((noinline)) static int pool_fill(op_t *op, size_t n) {
  sv39_space_t *as = op->as;
  for (size_t i = 0; i < n; i++) {
    uintptr_t page = 0;
    int err = mm_alloc_pages(as->pa, as->quota, 0, PAGE_ALLOC_ZERO, &page);
    if (err != NX_OK) {
      while (op->pool != 0) {
        uint64_t next = table_of(as, op->pool)[0];
        (void)mm_free_pages(as->pa, as->quota, (uintptr_t)op->pool, 0);
        op->pool = next;
      }
      return err;
    }
    table_of(as, page)[0] = op->pool;
    op->pool = page;
  }
  return NX_OK;
}

/* A zeroed table page from the pool (never empty: the counts are exact). Its
 * live count is 0 already: the allocator cleared the owner word, and the pool
 * link in t[0] is not counted. */
static uint64_t pool_take(op_t *op) {
  uint64_t page = op->pool;
  uint64_t *t = table_of(op->as, page);
  op->pool = t[0];
  t[0] = 0;
  op->as->table_pages++;
  return page;
}

/* Returns what the pool still holds (nothing, unless a count was wrong). */
static void pool_drain(op_t *op) {
  while (op->pool != 0) {
    uint64_t next = table_of(op->as, op->pool)[0];
    (void)mm_free_pages(op->as->pa, op->as->quota, (uintptr_t)op->pool, 0);
    op->pool = next;
  }
}

/* Frees a table page of the space (ours: the frees cannot fail). An empty
 * one (no live entry) is all zero: the allocator keeps it so for the next
 * table (or zeroed page) it hands out. */
static void table_free(sv39_space_t *as, uint64_t table, bool empty) {
  if (empty) {
    (void)mm_free_zeroed_page(as->pa, as->quota, (uintptr_t)table);
  } else {
    (void)mm_free_pages(as->pa, as->quota, (uintptr_t)table, 0);
  }
  as->table_pages--;
}

/* The root entries [first, last] touch, as indices. */
static unsigned root_first(uint64_t first) { return index_of(first, TOP_LEVEL); }
static unsigned root_last(uint64_t last) { return index_of(last, TOP_LEVEL); }

/* ---- Read-only walks ---- */

/* True if nothing in [first, last] is mapped. */
/* NOLINTNEXTLINE(misc-no-recursion): one table level down per call, at most 3 deep */
static bool range_free(const sv39_space_t *as, uint64_t table, unsigned level, uint64_t first,
                       uint64_t last) {
  const uint64_t *t = table_of(as, table);
  for (uint64_t cur = first;;) {
    uint64_t e_last = cur | (level_size(level) - 1);
    uint64_t sub = e_last < last ? e_last : last;
    uint64_t pte = t[index_of(cur, level)];
    if (pte_valid(pte)) {
      if (level == 0 || pte_leaf(pte)) return false;
      if (!range_free(as, pte_addr(pte), level - 1, cur, sub)) return false;
    }
    if (sub == last) return true;
    cur = sub + 1;
  }
}

/* ---- Map ---- */

/* Whether the entry at level for [cur, cur + level_size) takes one leaf. */
static bool leaf_fits(const op_t *op, unsigned level, uint64_t cur, uint64_t sub) {
  if (level == 0) return true;
  uint64_t mask = level_size(level) - 1;
  return (cur & mask) == 0 && sub == (cur | mask) && ((cur + op->offset) & mask) == 0;
}

/* Tables a map of [first, last] needs below a table (0: one still to make). */
/* NOLINTNEXTLINE(misc-no-recursion): one table level down per call, at most 3 deep */
static size_t map_cost(const op_t *op, uint64_t table, unsigned level, uint64_t first,
                       uint64_t last) {
  if (level == 0) return 0;
  const uint64_t *t = table ? table_of(op->as, table) : 0;
  size_t n = 0;
  for (uint64_t cur = first;;) {
    uint64_t e_last = cur | (level_size(level) - 1);
    uint64_t sub = e_last < last ? e_last : last;
    uint64_t pte = t ? t[index_of(cur, level)] : 0;
    if (pte_valid(pte)) {
      n += map_cost(op, pte_addr(pte), level - 1, cur, sub);
    } else if (!leaf_fits(op, level, cur, sub)) {
      n += 1 + map_cost(op, 0, level - 1, cur, sub);
    }
    if (sub == last) return n;
    cur = sub + 1;
  }
}

/* NOLINTNEXTLINE(misc-no-recursion): one table level down per call, at most 3 deep */
static void map_apply(op_t *op, uint64_t table, unsigned level, uint64_t first, uint64_t last) {
  uint64_t *t = table_of(op->as, table);
  int filled = 0; /* entries that went from 0 to a leaf or a pointer */
  for (uint64_t cur = first;;) {
    uint64_t e_last = cur | (level_size(level) - 1);
    uint64_t sub = e_last < last ? e_last : last;
    unsigned i = index_of(cur, level);
    if (pte_valid(t[i])) {
      map_apply(op, pte_addr(t[i]), level - 1, cur, sub);
    } else if (leaf_fits(op, level, cur, sub)) {
      t[i] = make_pte(cur + op->offset, op->bits);
      filled++;
    } else {
      /* Fill the new table, then link it. */
      uint64_t child = pool_take(op);
      map_apply(op, child, level - 1, cur, sub);
      t[i] = make_pointer(child);
      filled++;
    }
    if (sub == last) break;
    cur = sub + 1;
  }
  live_adjust(op->as, table, level, filled);
}

/* ---- Splitting superpages ---- */

/* Tables needed to carve [first, last], a strict part of one leaf at level,
 * down to leaves that fit it. */
/* NOLINTNEXTLINE(misc-no-recursion): one table level down per call, at most 3 deep */
static size_t split_cost(unsigned level, uint64_t first, uint64_t last) {
  size_t n = 1; /* the table of level - 1 leaves replacing it */
  unsigned sublevel = level - 1;
  if (sublevel == 0) return n;
  uint64_t mask = level_size(sublevel) - 1;
  for (uint64_t cur = first;;) {
    uint64_t e_last = cur | mask;
    uint64_t sub = e_last < last ? e_last : last;
    if ((cur & mask) != 0 || sub != e_last) n += split_cost(sublevel, cur, sub);
    if (sub == last) return n;
    cur = sub + 1;
  }
}

/* True if every page of [first, last] is mapped; adds to *splits the tables
 * needed to split every leaf the range covers only in part (what an unmap
 * or a protect must have before it changes anything). One walk for both. */
/* NOLINTNEXTLINE(misc-no-recursion): one table level down per call, at most 3 deep */
static bool range_mapped(const sv39_space_t *as, uint64_t table, unsigned level, uint64_t first,
                         uint64_t last, size_t *splits) {
  const uint64_t *t = table_of(as, table);
  uint64_t mask = level_size(level) - 1;
  for (uint64_t cur = first;;) {
    uint64_t e_last = cur | mask;
    uint64_t sub = e_last < last ? e_last : last;
    uint64_t pte = t[index_of(cur, level)];
    if (!pte_valid(pte)) return false;
    if (pte_leaf(pte)) {
      if (level > 0 && ((cur & mask) != 0 || sub != e_last)) *splits += split_cost(level, cur, sub);
    } else if (level == 0 || !range_mapped(as, pte_addr(pte), level - 1, cur, sub, splits)) {
      return false;
    }
    if (sub == last) return true;
    cur = sub + 1;
  }
}

/* Replaces the leaf at t[i] (level > 0) by a table of level - 1 leaves with the
 * same frames and bits; returns the table. */
static uint64_t split_leaf(op_t *op, uint64_t *t, unsigned i, unsigned level) {
  uint64_t pte = t[i];
  uint64_t child = pool_take(op);
  uint64_t *ct = table_of(op->as, child);
  uint64_t step = level_size(level - 1);
  for (unsigned j = 0; j < SV39_PTES; j++) {
    ct[j] = make_pte(pte_addr(pte) + j * step, pte & PTE_LOW_BITS);
  }
  live_adjust(op->as, child, level - 1, SV39_PTES); /* t[i] stays non-zero */
  t[i] = make_pointer(child);
  return child;
}

/* ---- Unmap ---- */

/* NOLINTNEXTLINE(misc-no-recursion): one table level down per call, at most 3 deep */
static void unmap_apply(op_t *op, uint64_t table, unsigned level, uint64_t first, uint64_t last) {
  sv39_space_t *as = op->as;
  uint64_t *t = table_of(as, table);
  uint64_t mask = level_size(level) - 1;
  int cleared = 0; /* entries that went to 0 */
  for (uint64_t cur = first;;) {
    uint64_t e_last = cur | mask;
    uint64_t sub = e_last < last ? e_last : last;
    unsigned i = index_of(cur, level);
    uint64_t pte = t[i];
    bool full = (cur & mask) == 0 && sub == e_last;
    if (pte_leaf(pte) && full) {
      t[i] = 0;
      cleared++;
      if (pte & SV39_PTE_G) op->flush |= SV39_FLUSH_GLOBAL;
    } else {
      uint64_t child = pte_leaf(pte) ? split_leaf(op, t, i, level) : pte_addr(pte);
      unmap_apply(op, child, level - 1, cur, sub);
      bool pinned = level == TOP_LEVEL && bit_test(as->pinned, i);
      if (!pinned && table_live_entries(as, child) == 0) {
        t[i] = 0;
        cleared++;
        table_free(as, child, true);
        op->flush |= SV39_FLUSH_TABLE;
      }
    }
    if (sub == last) break;
    cur = sub + 1;
  }
  live_adjust(as, table, level, -cleared);
}

/* ---- Protect ---- */

/* NOLINTNEXTLINE(misc-no-recursion): one table level down per call, at most 3 deep */
static void protect_apply(op_t *op, uint64_t table, unsigned level, uint64_t first, uint64_t last) {
  uint64_t *t = table_of(op->as, table);
  uint64_t mask = level_size(level) - 1;
  for (uint64_t cur = first;;) {
    uint64_t e_last = cur | mask;
    uint64_t sub = e_last < last ? e_last : last;
    unsigned i = index_of(cur, level);
    uint64_t pte = t[i];
    bool full = (cur & mask) == 0 && sub == e_last;
    if (pte_leaf(pte) && full) {
      uint64_t next = (pte & SV39_PTE_PPN_MASK) | op->bits;
      if (next != pte) {
        t[i] = next;
        op->flush |= SV39_FLUSH_LEAF;
        if ((pte | next) & SV39_PTE_G) op->flush |= SV39_FLUSH_GLOBAL;
      }
    } else {
      uint64_t child = pte_leaf(pte) ? split_leaf(op, t, i, level) : pte_addr(pte);
      protect_apply(op, child, level - 1, cur, sub);
    }
    if (sub == last) return;
    cur = sub + 1;
  }
}

/* ---- Checks shared by the entry points ---- */

static int check_perms(sv39_perm_t perms) {
  if (perms & ~SV39_PERM_ALL) return NX_ERR_INVALID_ARGS;
  if (!(perms & (SV39_PERM_R | SV39_PERM_X))) return NX_ERR_INVALID_ARGS;
  if ((perms & SV39_PERM_W) && !(perms & SV39_PERM_R)) return NX_ERR_INVALID_ARGS;
  if ((perms & SV39_PERM_W) && (perms & SV39_PERM_X)) return NX_ERR_INVALID_ARGS; /* W^X */
  if ((perms & SV39_PERM_U) && (perms & SV39_PERM_G)) return NX_ERR_INVALID_ARGS;
  return NX_OK;
}

static bool in_user_window(const sv39_space_t *as, uint64_t va, uint64_t size) {
  return window_contains(as->layout.user_base, as->layout.user_size, va, size);
}

static bool in_kernel_window(const sv39_space_t *as, uint64_t va, uint64_t size) {
  return window_contains(as->layout.kernel_base, as->layout.kernel_size, va, size);
}

/* The range is the space's own: no top-level entry of it is shared. */
static bool range_owned(const sv39_space_t *as, uint64_t va, uint64_t size) {
  uint64_t last = va + (size - 1);
  for (unsigned i = root_first(va);; i++) {
    if (bit_test(as->shared, i)) return false;
    if (i == root_last(last)) return true;
  }
}

/* Unmap and protect may not change a pinned top-level leaf: the spaces it is
 * shared with hold copies of it. */
static bool pinned_leaf_in(const sv39_space_t *as, uint64_t va, uint64_t size) {
  const uint64_t *root = table_of(as, as->root);
  uint64_t last = va + (size - 1);
  for (unsigned i = root_first(va);; i++) {
    if (bit_test(as->pinned, i) && pte_leaf(root[i])) return true;
    if (i == root_last(last)) return false;
  }
}

/* Arguments of map and protect: perms, alignment, window. */
static int check_request(const sv39_space_t *as, uint64_t va, uint64_t size, sv39_perm_t perms) {
  int err = check_perms(perms);
  if (err != NX_OK) return err;
  if (size == 0 || !page_aligned(va) || !page_aligned(size)) return NX_ERR_INVALID_ARGS;
  bool ok = (perms & SV39_PERM_U) ? in_user_window(as, va, size) : in_kernel_window(as, va, size);
  if (!ok || !range_owned(as, va, size)) return NX_ERR_OUT_OF_RANGE;
  return NX_OK;
}

/* ---- Entry points ---- */

int sv39_init(sv39_space_t *as, page_alloc_t *pa, quota_t *quota, asid_alloc_t *asids,
              const sv39_layout_t *layout) {
  if (!as || !pa || !quota) return NX_ERR_INVALID_ARGS;
  sv39_layout_t l = {SV39_USER_BASE, SV39_USER_END - SV39_USER_BASE, SV39_KERNEL_BASE,
                     SV39_KERNEL_SIZE};
  if (layout) l = *layout;
  if (!window_ok(l.user_base, l.user_size) || !window_ok(l.kernel_base, l.kernel_size)) {
    return NX_ERR_INVALID_ARGS;
  }
  uintptr_t root = 0;
  int err = mm_alloc_pages(pa, quota, 0, PAGE_ALLOC_ZERO, &root);
  if (err != NX_OK) return err;
  as->pa = pa;
  as->quota = quota;
  as->asids = asids;
  as->asid_tag = ASID_TAG_NONE;
  as->root = root;
  as->table_pages = 1;
  as->layout = l;
  for (unsigned w = 0; w < SV39_PTES / 64; w++) {
    as->shared[w] = 0;
    as->pinned[w] = 0;
  }
  return NX_OK;
}

/* NOLINTNEXTLINE(misc-no-recursion): one table level down per call, at most 3 deep */
static void free_tree(sv39_space_t *as, uint64_t table, unsigned level) {
  /* No live counts to keep: every table below goes, and the root with it. */
  uint64_t *t = table_of(as, table);
  for (unsigned i = 0; i < SV39_PTES; i++) {
    if (level == TOP_LEVEL && bit_test(as->shared, i)) continue;
    if (level > 0 && pte_pointer(t[i])) {
      uint64_t child = pte_addr(t[i]);
      free_tree(as, child, level - 1);
      t[i] = 0;
      table_free(as, child, false);
    }
  }
}

void sv39_destroy(sv39_space_t *as) {
  if (!as || as->root == 0) return;
  free_tree(as, as->root, TOP_LEVEL);
  table_free(as, as->root, false);
  as->root = 0;
  if (as->asids) asid_release(as->asids, &as->asid_tag);
}

bool sv39_range_free(const sv39_space_t *as, uint64_t va, uint64_t size) {
  if (!as || as->root == 0 || size == 0 || !page_aligned(va) || !page_aligned(size) ||
      !in_user_window(as, va, size)) {
    return false;
  }
  return range_free(as, as->root, TOP_LEVEL, va, va + (size - 1));
}

int sv39_map(sv39_space_t *as, uint64_t va, uint64_t pa, uint64_t size, sv39_perm_t perms,
             sv39_flush_t *flush) {
  if (!as || as->root == 0) return NX_ERR_INVALID_ARGS;
  int err = check_request(as, va, size, perms);
  if (err != NX_OK) return err;
  if (!page_aligned(pa)) return NX_ERR_INVALID_ARGS;
  if (pa >= SV39_PA_LIMIT || size > SV39_PA_LIMIT - pa) return NX_ERR_OUT_OF_RANGE;
  if (!range_free(as, as->root, TOP_LEVEL, va, va + (size - 1))) return NX_ERR_INVALID_ARGS;
  return sv39_map_checked(as, va, pa, size, perms, flush);
}

int sv39_map_checked(sv39_space_t *as, uint64_t va, uint64_t pa, uint64_t size, sv39_perm_t perms,
                     sv39_flush_t *flush) {
  uint64_t last = va + (size - 1);
  op_t op = {as, pa - va, leaf_bits(perms), 0, 0};
  int err = pool_fill(&op, map_cost(&op, as->root, TOP_LEVEL, va, last));
  if (err != NX_OK) return err;
  map_apply(&op, as->root, TOP_LEVEL, va, last);
  pool_drain(&op);
  flush_add(flush, va, size, SV39_FLUSH_NEW);
  return NX_OK;
}

int sv39_unmap(sv39_space_t *as, uint64_t va, uint64_t size, sv39_flush_t *flush) {
  if (!as || as->root == 0) return NX_ERR_INVALID_ARGS;
  if (size == 0 || !page_aligned(va) || !page_aligned(size)) return NX_ERR_INVALID_ARGS;
  if (!in_user_window(as, va, size) && !in_kernel_window(as, va, size)) {
    return NX_ERR_OUT_OF_RANGE;
  }
  if (!range_owned(as, va, size)) return NX_ERR_OUT_OF_RANGE;
  uint64_t last = va + (size - 1);
  size_t splits = 0;
  if (!range_mapped(as, as->root, TOP_LEVEL, va, last, &splits)) return NX_ERR_NOT_FOUND;
  if (pinned_leaf_in(as, va, size)) return NX_ERR_NOT_SUPPORTED;

  op_t op = {as, 0, 0, 0, SV39_FLUSH_LEAF};
  int err = pool_fill(&op, splits);
  if (err != NX_OK) return err;
  unmap_apply(&op, as->root, TOP_LEVEL, va, last);
  pool_drain(&op);
  flush_add(flush, va, size, op.flush);
  return NX_OK;
}

int sv39_protect(sv39_space_t *as, uint64_t va, uint64_t size, sv39_perm_t perms,
                 sv39_flush_t *flush) {
  if (!as || as->root == 0) return NX_ERR_INVALID_ARGS;
  int err = check_request(as, va, size, perms);
  if (err != NX_OK) return err;
  uint64_t last = va + (size - 1);
  size_t splits = 0;
  if (!range_mapped(as, as->root, TOP_LEVEL, va, last, &splits)) return NX_ERR_NOT_FOUND;
  if (pinned_leaf_in(as, va, size)) return NX_ERR_NOT_SUPPORTED;

  op_t op = {as, 0, leaf_bits(perms), 0, 0};
  err = pool_fill(&op, splits);
  if (err != NX_OK) return err;
  protect_apply(&op, as->root, TOP_LEVEL, va, last);
  pool_drain(&op);
  flush_add(flush, va, size, op.flush);
  return NX_OK;
}

/* ---- The walk ---- */

/* The MMU's walk for va up to the leaf: its entry and level. */
/* The bits a pointer to a table must have clear (and V set), for walk(). */
#define WALK_POINTER_MASK                                                                     \
  (SV39_PTE_V | SV39_PTE_R | SV39_PTE_W | SV39_PTE_X | SV39_PTE_U | SV39_PTE_A | SV39_PTE_D | \
   SV39_PTE_RESERVED)

/* Inlined: its two callers are hot (every user copy translates) and its
 * outputs then stay in registers. */
static inline __attribute__((always_inline)) sv39_fault_t walk(const sv39_space_t *as, uint64_t va,
                                                               uint64_t *leaf,
                                                               unsigned *level_out) {
  if (!canonical(va)) return SV39_FAULT_NONCANONICAL;
  /* The common case above the leaf, a pointer to the next table, in one
   * compare: exactly what passes every check below for a non-leaf. The
   * three levels are spelled out so that every shift is a constant. */
  unsigned level = TOP_LEVEL;
  uint64_t pte = table_of(as, as->root)[index_of(va, TOP_LEVEL)];
  if ((pte & WALK_POINTER_MASK) == SV39_PTE_V) {
    level = 1;
    pte = table_of(as, pte_addr(pte))[index_of(va, 1)];
    if ((pte & WALK_POINTER_MASK) == SV39_PTE_V) {
      level = 0;
      pte = table_of(as, pte_addr(pte))[index_of(va, 0)];
    }
  }
  if (!pte_valid(pte)) return SV39_FAULT_INVALID;
  if (pte & SV39_PTE_RESERVED) return SV39_FAULT_RESERVED;
  if ((pte & SV39_PTE_W) && !(pte & SV39_PTE_R)) return SV39_FAULT_RESERVED;
  if (!pte_leaf(pte)) {
    /* A pointer with bits a pointer must not have, or one below level 0. */
    if (pte & (SV39_PTE_A | SV39_PTE_D | SV39_PTE_U)) return SV39_FAULT_RESERVED;
    return SV39_FAULT_TOO_DEEP;
  }
  uint64_t ppn = (pte & SV39_PTE_PPN_MASK) >> SV39_PTE_PPN_SHIFT;
  if (ppn & ((level_size(level) >> 12) - 1)) return SV39_FAULT_MISALIGNED;
  *leaf = pte;
  *level_out = level;
  return SV39_OK;
}

int sv39_lookup(const sv39_space_t *as, uint64_t va, sv39_mapping_t *out) {
  if (!as || !out || as->root == 0) return NX_ERR_INVALID_ARGS;
  uint64_t pte = 0;
  unsigned level = 0;
  switch (walk(as, va, &pte, &level)) {
    case SV39_OK:
      break;
    case SV39_FAULT_NONCANONICAL:
      return NX_ERR_OUT_OF_RANGE;
    case SV39_FAULT_INVALID:
    case SV39_FAULT_TOO_DEEP:
      return NX_ERR_NOT_FOUND;
    default:
      return NX_ERR_BAD_FORMAT;
  }
  out->page_size = level_size(level);
  out->pa = pte_addr(pte) + (va & (out->page_size - 1));
  out->perms = (sv39_perm_t)(pte & SV39_PERM_ALL);
  return NX_OK;
}

/* The checks of an access of `kind` through the leaf pte, in the spec's
 * order: privilege (U-mode only U pages; S-mode U pages only with SUM, never
 * to execute), then the permission, then A and D. */
static sv39_fault_t leaf_allows(uint64_t pte, unsigned access, unsigned kind) {
  if (access & SV39_ACCESS_USER) {
    if (!(pte & SV39_PTE_U)) return SV39_FAULT_PERMISSION;
  } else if (pte & SV39_PTE_U) {
    if (!(access & SV39_ACCESS_SUM) || kind == SV39_ACCESS_EXEC) return SV39_FAULT_PERMISSION;
  }
  bool allowed = false;
  if (kind == SV39_ACCESS_READ) {
    allowed = (pte & SV39_PTE_R) || ((access & SV39_ACCESS_MXR) && (pte & SV39_PTE_X));
  } else if (kind == SV39_ACCESS_WRITE) {
    allowed = (pte & SV39_PTE_W) != 0;
  } else {
    allowed = (pte & SV39_PTE_X) != 0;
  }
  if (!allowed) return SV39_FAULT_PERMISSION;
  if (!(pte & SV39_PTE_A)) return SV39_FAULT_ACCESSED;
  if (kind == SV39_ACCESS_WRITE && !(pte & SV39_PTE_D)) return SV39_FAULT_ACCESSED;
  return SV39_OK;
}

sv39_fault_t sv39_translate(const sv39_space_t *as, uint64_t va, unsigned access, uint64_t *pa) {
  if (!as || !pa || as->root == 0) return SV39_FAULT_PERMISSION;
  unsigned kind = access & (SV39_ACCESS_READ | SV39_ACCESS_WRITE | SV39_ACCESS_EXEC);
  /* The bits a leaf has when the access is plainly allowed. */
  uint64_t need = SV39_PTE_A;
  if (kind == SV39_ACCESS_READ) {
    need |= SV39_PTE_R;
  } else if (kind == SV39_ACCESS_WRITE) {
    need |= SV39_PTE_W | SV39_PTE_D;
  } else if (kind == SV39_ACCESS_EXEC) {
    need |= SV39_PTE_X;
  } else {
    return SV39_FAULT_PERMISSION;
  }
  if (access & SV39_ACCESS_USER) need |= SV39_PTE_U;
  uint64_t pte = 0;
  unsigned level = 0;
  sv39_fault_t fault = walk(as, va, &pte, &level);
  if (fault != SV39_OK) return fault;
  /* The common case in one compare: every bit needed, and no U page for
   * the kernel. Anything else gets the full checks (SUM and MXR may still
   * allow it, or they say which fault). */
  bool user_page_for_kernel = (pte & SV39_PTE_U) && !(access & SV39_ACCESS_USER);
  if ((pte & need) != need || user_page_for_kernel) {
    fault = leaf_allows(pte, access, kind);
    if (fault != SV39_OK) return fault;
  }
  *pa = pte_addr(pte) + (va & (level_size(level) - 1));
  return SV39_OK;
}

/* ---- The kernel's mappings ---- */

int sv39_share_kernel(sv39_space_t *as, sv39_space_t *kernel) {
  if (!as || !kernel || as == kernel || kernel->asids || as->pa != kernel->pa || as->root == 0 ||
      kernel->root == 0) {
    return NX_ERR_INVALID_ARGS;
  }
  uint64_t size = kernel->layout.kernel_size;
  if (size == 0) return NX_OK;
  unsigned first = root_first(kernel->layout.kernel_base);
  unsigned last = root_last(kernel->layout.kernel_base + (size - 1));
  const uint64_t *kroot = table_of(kernel, kernel->root);
  uint64_t *root = table_of(as, as->root);
  for (unsigned i = first; i <= last; i++) {
    if (pte_valid(kroot[i]) && !bit_test(as->shared, i) && root[i] != 0) return NX_ERR_INVALID_ARGS;
  }
  for (unsigned i = first; i <= last; i++) {
    if (!pte_valid(kroot[i])) continue;
    root[i] = kroot[i];
    bit_set(as->shared, i);
    bit_set(kernel->pinned, i);
  }
  return NX_OK;
}

int sv39_reserve_top(sv39_space_t *as, uint64_t va, uint64_t size) {
  if (!as || as->root == 0) return NX_ERR_INVALID_ARGS;
  if (size == 0 || !page_aligned(va) || !page_aligned(size)) return NX_ERR_INVALID_ARGS;
  if (!in_kernel_window(as, va, size) || !range_owned(as, va, size)) return NX_ERR_OUT_OF_RANGE;
  uint64_t *root = table_of(as, as->root);
  unsigned first = root_first(va), last = root_last(va + (size - 1));
  size_t need = 0;
  for (unsigned i = first; i <= last; i++) need += !pte_valid(root[i]);
  op_t op = {as, 0, 0, 0, 0};
  int err = pool_fill(&op, need);
  if (err != NX_OK) return err;
  for (unsigned i = first; i <= last; i++) {
    if (!pte_valid(root[i])) root[i] = make_pointer(pool_take(&op));
    bit_set(as->pinned, i);
  }
  pool_drain(&op);
  return NX_OK;
}

/* ---- satp, ASIDs, accounting ---- */

int sv39_activate(sv39_space_t *as, unsigned hart, uint64_t *satp, unsigned *flags) {
  if (!as || !satp || !flags || as->root == 0) return NX_ERR_INVALID_ARGS;
  if (as->asids && hart >= as->asids->harts) return NX_ERR_INVALID_ARGS;
  uint16_t asid = 0;
  *flags = as->asids ? asid_switch(as->asids, hart, &as->asid_tag, &asid) : 0;
  *satp = sv39_make_satp(as->root, asid);
  return NX_OK;
}

uint16_t sv39_asid(const sv39_space_t *as) { return as && as->asids ? asid_of(as->asid_tag) : 0; }

uint64_t sv39_satp(const sv39_space_t *as) {
  return as ? sv39_make_satp(as->root, sv39_asid(as)) : 0;
}

size_t sv39_table_pages(const sv39_space_t *as) { return as ? as->table_pages : 0; }

/* Whether a table below the root holds the count of its non-zero entries
 * (and is a block the allocator handed out: else it has no count). */
static bool live_count_matches(const sv39_space_t *as, uint64_t table, unsigned live) {
  const uint16_t *count = page_alloc_owner_word(as->pa, (uintptr_t)table);
  return count && *count == live;
}

/* Checks a table and everything below it; counts the tables. */
/* NOLINTNEXTLINE(misc-no-recursion): one table level down per call, at most 3 deep */
static bool check_table(const sv39_space_t *as, uint64_t table, unsigned level, size_t *tables) {
  const uint64_t *t = table_of(as, table);
  (*tables)++;
  unsigned live = 0;
  for (unsigned i = 0; i < SV39_PTES; i++) {
    uint64_t pte = t[i];
    if (level == TOP_LEVEL && bit_test(as->shared, i)) continue;
    live += pte != 0;
    if (!pte_valid(pte)) {
      if (pte != 0) return false;
      continue;
    }
    if (pte & SV39_PTE_RESERVED) return false;
    if (pte_leaf(pte)) {
      if (check_perms((sv39_perm_t)(pte & SV39_PERM_ALL)) != NX_OK) return false;
      if (!(pte & SV39_PTE_A)) return false;
      if (!(pte & SV39_PTE_W) != !(pte & SV39_PTE_D)) return false;
      if (pte_addr(pte) & (level_size(level) - 1)) return false;
      continue;
    }
    if (level == 0 || (pte & (PTE_LOW_BITS & ~SV39_PTE_V))) return false;
    uint64_t child = pte_addr(pte);
    if (!check_table(as, child, level - 1, tables)) return false;
    /* The child's count is now known to be right. */
    bool pinned = level == TOP_LEVEL && bit_test(as->pinned, i);
    if (!pinned && table_live_entries(as, child) == 0) return false;
  }
  return level == TOP_LEVEL || live_count_matches(as, table, live);
}

int sv39_check(const sv39_space_t *as) {
  if (!as || as->root == 0) return NX_ERR_INVALID_ARGS;
  size_t tables = 0;
  if (!check_table(as, as->root, TOP_LEVEL, &tables)) return NX_ERR_BAD_FORMAT;
  return tables == as->table_pages ? NX_OK : NX_ERR_BAD_FORMAT;
}
