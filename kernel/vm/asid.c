/*
 * ASID allocator with generations (see neuron/asid.h). The scheme is the one
 * Linux uses on arm64 and riscv: a bitmap of the ASIDs taken in the current
 * generation, the ASID each hart runs, and on roll-over the running ASIDs
 * carried into the new generation while every hart owes a full flush.
 */
#include "neuron/asid.h"

#include "neuron/errors.h"

static bool test_bit(const asid_alloc_t *a, uint32_t n) {
  return (a->used[n / 64] >> (n % 64)) & 1u;
}
static void set_bit(asid_alloc_t *a, uint32_t n) { a->used[n / 64] |= (uint64_t)1 << (n % 64); }
static void clear_bit(asid_alloc_t *a, uint32_t n) {
  a->used[n / 64] &= ~((uint64_t)1 << (n % 64));
}

static uint32_t words(const asid_alloc_t *a) { return (a->count + 63) / 64; }

/* The first free ASID in [from, to), or 0. */
static uint32_t find_free_in(const asid_alloc_t *a, uint32_t from, uint32_t to) {
  uint32_t n = from;
  while (n < to) {
    if (n % 64 == 0 && a->used[n / 64] == UINT64_MAX) {
      n += 64;
      continue;
    }
    if (!test_bit(a, n)) return n;
    n++;
  }
  return 0;
}

/* A free ASID, searching from a->next and wrapping; 0 if none. */
static uint32_t find_free(const asid_alloc_t *a) {
  uint32_t n = find_free_in(a, a->next, a->count);
  if (n == 0) n = find_free_in(a, 1, a->next < a->count ? a->next : a->count);
  return n;
}

static asid_tag_t make_tag(uint64_t generation, uint32_t asid) {
  return (generation << ASID_TAG_SHIFT) | asid;
}

/* Brings hart's fast_generation in step with bits, generation and
 * flush_pending (see asid_alloc_t). */
static void refresh_fast(asid_alloc_t *a, unsigned hart) {
  bool fast = a->bits > 0 && hart < a->harts && !((a->flush_pending >> hart) & 1);
  a->fast_generation[hart] = fast ? a->generation : ASID_NO_FAST_SWITCH;
}

static void refresh_fast_all(asid_alloc_t *a) {
  for (unsigned h = 0; h < ASID_MAX_HARTS; h++) refresh_fast(a, h);
}

/* Starts a new generation: only the ASIDs running on some hart survive. */
static void rollover(asid_alloc_t *a) {
  a->generation++;
  a->rollovers++;
  for (uint32_t w = 0; w < words(a); w++) a->used[w] = 0;
  set_bit(a, 0);
  for (unsigned h = 0; h < a->harts; h++) {
    asid_tag_t t = a->active[h];
    a->active[h] = ASID_TAG_NONE;
    /* A hart that has not switched since the last roll-over still runs the
     * space it was running then. */
    if (t == ASID_TAG_NONE) t = a->reserved[h];
    if (t != ASID_TAG_NONE) set_bit(a, asid_of(t));
    a->reserved[h] = t;
  }
  a->flush_pending = a->harts == 64 ? UINT64_MAX : ((uint64_t)1 << a->harts) - 1;
  a->next = 1;
  refresh_fast_all(a);
}

/* A tag of the current generation for a space whose tag is old (stale or
 * none). */
static asid_tag_t new_context(asid_alloc_t *a, asid_tag_t old, unsigned *flags) {
  if (old != ASID_TAG_NONE) {
    asid_tag_t fresh = make_tag(a->generation, asid_of(old));
    /* Running on some hart at the roll-over: its ASID was kept for it. */
    bool reserved = false;
    for (unsigned h = 0; h < a->harts; h++) {
      if (a->reserved[h] == old) {
        a->reserved[h] = fresh;
        reserved = true;
      }
    }
    if (reserved) return fresh;
    /* Its old ASID is still free: keep it (its entries in the TLBs are its
     * own, and every hart flushes before it runs the new generation). */
    if (!test_bit(a, asid_of(old))) {
      set_bit(a, asid_of(old));
      return fresh;
    }
  }
  uint32_t n = find_free(a);
  if (n == 0) {
    rollover(a);
    *flags |= ASID_NEW_GENERATION;
    n = find_free(a); /* cannot fail: count - 1 > harts */
  }
  set_bit(a, n);
  a->next = n + 1;
  return make_tag(a->generation, n);
}

int asid_init(asid_alloc_t *a, unsigned bits, unsigned harts) {
  if (!a || bits > ASID_MAX_BITS || harts == 0 || harts > ASID_MAX_HARTS) {
    return NX_ERR_INVALID_ARGS;
  }
  uint32_t count = (uint32_t)1 << bits;
  if (bits > 0 && count - 1 <= harts) return NX_ERR_NOT_SUPPORTED;
  a->bits = bits;
  a->harts = harts;
  a->count = count;
  a->next = 1;
  a->generation = bits > 0 ? 1 : 0;
  a->rollovers = 0;
  a->flush_pending = 0;
  for (unsigned h = 0; h < ASID_MAX_HARTS; h++) {
    a->active[h] = ASID_TAG_NONE;
    a->reserved[h] = ASID_TAG_NONE;
  }
  for (uint32_t w = 0; w < (1u << ASID_MAX_BITS) / 64; w++) a->used[w] = 0;
  set_bit(a, 0); /* the kernel's */
  refresh_fast_all(a);
  return NX_OK;
}

bool asid_is_current(const asid_alloc_t *a, asid_tag_t tag) {
  if (!a || tag == ASID_TAG_NONE) return false;
  if (a->bits == 0) return true;
  return (tag >> ASID_TAG_SHIFT) == a->generation;
}

unsigned asid_switch(asid_alloc_t *a, unsigned hart, asid_tag_t *tag, uint16_t *asid) {
  if (asid) *asid = 0;
  if (!a || !tag || !asid || hart >= a->harts) return 0;
  unsigned flags = 0;
  if (a->bits == 0) {
    /* No ASIDs: tags only tell spaces apart. */
    if (*tag == ASID_TAG_NONE) *tag = make_tag(++a->generation, 0);
    if (a->active[hart] != *tag) flags |= ASID_FLUSH_LOCAL;
    a->active[hart] = *tag;
    return flags;
  }
  asid_tag_t t = *tag;
  if (!asid_is_current(a, t)) {
    t = new_context(a, t, &flags);
    *tag = t;
  }
  uint64_t me = (uint64_t)1 << hart;
  if (a->flush_pending & me) {
    a->flush_pending &= ~me;
    flags |= ASID_FLUSH_LOCAL;
    refresh_fast(a, hart);
  }
  a->active[hart] = t;
  *asid = asid_of(t);
  return flags;
}

void asid_release(asid_alloc_t *a, asid_tag_t *tag) {
  if (!a || !tag || *tag == ASID_TAG_NONE) return;
  asid_tag_t t = *tag;
  bool reserved = false;
  for (unsigned h = 0; h < a->harts; h++) {
    if (a->active[h] == t) a->active[h] = ASID_TAG_NONE;
    if (a->reserved[h] == t) {
      a->reserved[h] = ASID_TAG_NONE;
      reserved = true;
    }
  }
  /* Its ASID is taken in this generation if the tag is current or if a
   * roll-over kept it for the space. */
  if (a->bits > 0 && (asid_is_current(a, t) || reserved)) clear_bit(a, asid_of(t));
  *tag = ASID_TAG_NONE;
}

uint32_t asid_used_count(const asid_alloc_t *a) {
  if (!a || a->bits == 0) return 0;
  uint32_t n = 0;
  for (uint32_t i = 1; i < a->count; i++) n += test_bit(a, i);
  return n;
}

unsigned asid_bits_from_satp(uint64_t satp_readback) {
  uint64_t field = (satp_readback & ASID_SATP_MASK) >> ASID_SATP_SHIFT;
  unsigned bits = 0;
  while (bits < ASID_MAX_BITS && ((field >> bits) & 1u)) bits++;
  return bits;
}
