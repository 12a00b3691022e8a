/*
 * ASID allocation for Sv39 address spaces, with generations.
 *
 * The hardware implements ASIDLEN bits of satp's 16-bit ASID field (0 to 16;
 * asid_bits_from_satp() reads it back at boot). ASID 0 is kept for the
 * kernel's own address space, so 2^bits - 1 ASIDs are handed to address
 * spaces.
 *
 * A space carries an asid_tag_t: (generation << 16) | asid, 0 before it first
 * runs. An ASID is assigned lazily, when the space is switched to on a hart
 * (asid_switch()), and stays valid as long as the allocator's generation does
 * not change. When every ASID of the generation is taken, the allocator
 * starts a new generation: it forgets every assignment except the ASIDs
 * running right now on some hart (those stay reserved to their space in the
 * new generation, so a hart need not stop what it runs), marks every hart as
 * owing a full TLB flush, and hands out ASIDs afresh; a space with a stale
 * tag gets a new ASID (or its old one back, if still free) the next time it
 * is switched to. So:
 *
 *   - asid_switch() returns ASID_FLUSH_LOCAL when the hart must run
 *     `sfence.vma x0, x0` (flush every entry of every ASID) before running
 *     with the returned ASID: the first switch on each hart after a roll-over
 *     (its TLB may hold entries of the old generation tagged with ASIDs now
 *     given to other spaces) and, without ASIDs (bits 0), every switch to a
 *     different space;
 *   - it also returns ASID_NEW_GENERATION when this very call rolled the
 *     generation over (for statistics and tracing; the flushes it implies are
 *     reported to each hart on its next switch, this one included).
 *
 * With bits 0 (no ASIDs), every space runs with ASID 0 and tags only name the
 * space, so a switch between spaces costs a full flush.
 *
 * An ASID freed by asid_release() can be handed out again within the same
 * generation, so the caller must have flushed it on every hart first
 * (`sfence.vma x0, asid`), which it does anyway before freeing the space's
 * page tables.
 *
 * Correctness needs more usable ASIDs than harts (a roll-over reserves one per
 * hart and must still find one free): asid_init() refuses
 * 2^bits - 1 <= harts; the caller then falls back to bits 0.
 *
 * No lock is taken; the caller serializes every call on one allocator (one
 * allocator serves all harts).
 */
#ifndef NEURON_ASID_H
#define NEURON_ASID_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ASID_MAX_BITS 16
#define ASID_MAX_HARTS 64

/* satp's ASID field. */
#define ASID_SATP_SHIFT 44
#define ASID_SATP_MASK ((uint64_t)0xffff << ASID_SATP_SHIFT)

/* asid_switch() result flags. */
#define ASID_FLUSH_LOCAL 1u    /* flush this hart's whole TLB before running */
#define ASID_NEW_GENERATION 2u /* this call started a new generation */

/* (generation << ASID_TAG_SHIFT) | asid; 0: not assigned yet. */
typedef uint64_t asid_tag_t;
#define ASID_TAG_SHIFT 16
#define ASID_TAG_NONE ((asid_tag_t)0)
/* A fast_generation no tag has (a tag's generation has 48 bits). */
#define ASID_NO_FAST_SWITCH UINT64_MAX

/* The allocator (about 10 KiB: put it in a static). Read-only outside asid.c. */
typedef struct asid_alloc {
  unsigned bits;          /* implemented ASID bits, 0..ASID_MAX_BITS */
  unsigned harts;         /* 1..ASID_MAX_HARTS */
  uint32_t count;         /* 2^bits */
  uint32_t next;          /* where the search for a free ASID resumes */
  uint64_t generation;    /* the current generation; starts at 1 (bits 0: the last tag made) */
  uint64_t rollovers;     /* generations started after the first */
  uint64_t flush_pending; /* bit h: hart h owes a full flush */
  /* What asid_switch_fast() compares a tag's generation with, per hart:
   * the generation, or ASID_NO_FAST_SWITCH (no tag's) while the hart owes
   * a flush or there are no ASIDs. Derived from the fields above and kept
   * in step with them, so the check is one compare (also in assembly). */
  uint64_t fast_generation[ASID_MAX_HARTS];
  asid_tag_t active[ASID_MAX_HARTS];         /* what each hart runs (0 once rolled over) */
  asid_tag_t reserved[ASID_MAX_HARTS];       /* what each hart ran at the last roll-over */
  uint64_t used[(1u << ASID_MAX_BITS) / 64]; /* ASIDs taken in this generation */
} asid_alloc_t;

/* Empties *a for bits implemented ASID bits and harts harts (ids 0 to
 * harts - 1). NX_ERR_INVALID_ARGS for a NULL a, bits > ASID_MAX_BITS or harts
 * outside 1..ASID_MAX_HARTS; NX_ERR_NOT_SUPPORTED if bits > 0 but
 * 2^bits - 1 <= harts (use bits 0). */
int asid_init(asid_alloc_t *a, unsigned bits, unsigned harts);

/* Hart hart is about to run the space whose tag is *tag: makes *tag valid in
 * the current generation (assigning an ASID, possibly rolling the generation
 * over), records it as the hart's active space, stores the ASID for satp in
 * *asid and returns ASID_FLUSH_LOCAL / ASID_NEW_GENERATION flags (see above).
 * A hart id out of range, or NULL pointers, return 0 and change nothing, with
 * *asid (if not NULL) set to 0. */
unsigned asid_switch(asid_alloc_t *a, unsigned hart, asid_tag_t *tag, uint16_t *asid);

/* The space with tag *tag is gone (runs on no hart; its ASID flushed on all of
 * them): frees its ASID if it belongs to the current generation and resets
 * *tag to ASID_TAG_NONE. */
void asid_release(asid_alloc_t *a, asid_tag_t *tag);

/* The ASID in a tag (valid for satp only after asid_switch() in the current
 * generation). */
static inline uint16_t asid_of(asid_tag_t tag) { return (uint16_t)(tag & 0xffff); }

/* True if tag holds an ASID assigned in a's current generation. */
bool asid_is_current(const asid_alloc_t *a, asid_tag_t tag);

/* asid_switch()'s common case, inline, for the context switch: there are
 * ASIDs, `tag` is of the current generation (so not ASID_TAG_NONE: the
 * generation is at least 1) and hart (< ASID_MAX_HARTS) owes no flush, so
 * switching to it needs no allocation and no fence. Records it as the
 * hart's active tag and returns true; false (nothing changed) means: call
 * asid_switch(). */
static inline bool asid_switch_fast(asid_alloc_t *a, unsigned hart, asid_tag_t tag) {
  if ((tag >> ASID_TAG_SHIFT) != a->fast_generation[hart]) return false;
  a->active[hart] = tag;
  return true;
}

/* ASIDs handed out in the current generation (reserved ones included). */
uint32_t asid_used_count(const asid_alloc_t *a);

/* ASIDLEN from a satp read back after writing it with all ASID bits set: the
 * implemented bits are the low ones that stuck. */
unsigned asid_bits_from_satp(uint64_t satp_readback);

#ifdef __cplusplus
}
#endif

#endif
