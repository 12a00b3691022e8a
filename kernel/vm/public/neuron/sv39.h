/*
 * Sv39 page tables: address spaces built from 4 KiB table pages of 512
 * eight-byte entries, three levels, 39-bit virtual addresses (RISC-V
 * privileged spec, "Sv39").
 *
 * Table pages come from the page allocator, charged to the quota of the
 * space's owner, zeroed. Mapped frames are the caller's (they belong to
 * VMOs): the module stores their addresses and never touches them.
 *
 * Mappings. sv39_map() maps [va, va + size) to [pa, pa + size) with 4 KiB
 * pages, using a 2 MiB leaf for every 2 MiB-aligned chunk where va and pa
 * are both 2 MiB aligned, and a 1 GiB leaf likewise. sv39_unmap() and
 * sv39_protect() work on any page-aligned part of what is mapped: a superpage
 * only partly covered is split into a table of smaller leaves (with the same
 * frames and permissions), which needs table pages and so can fail with
 * NX_ERR_NO_MEMORY. Table pages left empty by an unmap are freed at once.
 *
 * Every call checks everything before it changes anything, and allocates all
 * the table pages it may need up front, so it either succeeds whole or
 * returns an error with the space unchanged (quota and allocator included):
 *   NX_ERR_INVALID_ARGS  a NULL pointer, misaligned va/pa/size, size 0,
 *                        unknown permission bits, no R or X, W with X (W^X
 *                        holds for every mapping), G with U, or (map) part of
 *                        the range already mapped: nothing is overwritten
 *                        (errors.h has no "already exists" code yet);
 *   NX_ERR_OUT_OF_RANGE  the range leaves the window its permissions allow
 *                        (U mappings: the user window; others: the kernel
 *                        window), touches a top-level entry shared from the
 *                        kernel (sv39_share_kernel()), or pa + size passes
 *                        the 56-bit physical address space;
 *   NX_ERR_NOT_FOUND     (unmap, protect) part of the range is not mapped;
 *   NX_ERR_NOT_SUPPORTED (unmap, protect) the range touches a 1 GiB leaf the
 *                        kernel space has shared (its copies would go stale);
 *   NX_ERR_NO_MEMORY     the quota or the allocator has no page for a table.
 *
 * TLB maintenance is the caller's: a call that changes entries adds to an
 * sv39_flush_t what must be fenced (sfence.vma) and where; see there.
 *
 * The kernel half. One space (the kernel's, sv39_init() with no ASID
 * allocator) holds the kernel's mappings, made global (SV39_PERM_G).
 * sv39_share_kernel() copies its top-level entries for the kernel window into
 * another space, so every space maps the kernel with the same tables; the
 * receiving space refuses to map, unmap or protect under those entries, and
 * the kernel space never frees a level-1 table it has shared.
 * Kernel mappings made later under a shared top-level entry are seen by every
 * space; a new top-level entry is not, so reserve them early
 * (sv39_reserve_top()) or share again.
 *
 * No lock is taken; the caller serializes calls on a space (and on the
 * allocator and quota it uses).
 */
#ifndef NEURON_SV39_H
#define NEURON_SV39_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "neuron/asid.h"
#include "neuron/page_alloc.h"
#include "neuron/quota.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Geometry and page table entries ---- */

#define SV39_LEVELS 3
#define SV39_PTES 512
#define SV39_PAGE_SIZE ((uint64_t)1 << 12)
#define SV39_MEGA_SIZE ((uint64_t)1 << 21) /* a level-1 leaf */
#define SV39_GIGA_SIZE ((uint64_t)1 << 30) /* a level-2 leaf */
#define SV39_VA_BITS 39
#define SV39_PA_LIMIT ((uint64_t)1 << 56) /* physical addresses are 56 bits */

#define SV39_PTE_V ((uint64_t)1 << 0)
#define SV39_PTE_R ((uint64_t)1 << 1)
#define SV39_PTE_W ((uint64_t)1 << 2)
#define SV39_PTE_X ((uint64_t)1 << 3)
#define SV39_PTE_U ((uint64_t)1 << 4)
#define SV39_PTE_G ((uint64_t)1 << 5)
#define SV39_PTE_A ((uint64_t)1 << 6)
#define SV39_PTE_D ((uint64_t)1 << 7)
#define SV39_PTE_PPN_SHIFT 10
#define SV39_PTE_PPN_MASK ((((uint64_t)1 << 44) - 1) << SV39_PTE_PPN_SHIFT)
#define SV39_PTE_RESERVED ((uint64_t)0x3ff << 54) /* N, PBMT, reserved: must be 0 */

/* satp */
#define SV39_SATP_MODE ((uint64_t)8 << 60)

/* ---- Permissions ---- */

/* R, W, X, U as in the PTE (the same bit values), plus G for the kernel's
 * global mappings. A mapping needs R or X; W needs R; never W with X; G only
 * without U. */
typedef uint32_t sv39_perm_t;
#define SV39_PERM_R ((sv39_perm_t)SV39_PTE_R)
#define SV39_PERM_W ((sv39_perm_t)SV39_PTE_W)
#define SV39_PERM_X ((sv39_perm_t)SV39_PTE_X)
#define SV39_PERM_U ((sv39_perm_t)SV39_PTE_U)
#define SV39_PERM_G ((sv39_perm_t)SV39_PTE_G)
#define SV39_PERM_ALL (SV39_PERM_R | SV39_PERM_W | SV39_PERM_X | SV39_PERM_U | SV39_PERM_G)

/* ---- Address layout ---- */

/* Where a space accepts mappings: U mappings in [user_base, user_base +
 * user_size), the others in [kernel_base, kernel_base + kernel_size). Each
 * window lies in one canonical half (page aligned; size 0: none). */
typedef struct sv39_layout {
  uint64_t user_base, user_size;
  uint64_t kernel_base, kernel_size;
} sv39_layout_t;

/* The default (sv39_init() with a NULL layout): user space in the lower half
 * from page 1 up to 0x40_0000_0000 (page 0 stays unmapped), the kernel in the
 * upper half, 0xffff_ffc0_0000_0000 to the top. */
#define SV39_USER_BASE ((uint64_t)0x1000)
#define SV39_USER_END ((uint64_t)1 << (SV39_VA_BITS - 1))
#define SV39_KERNEL_BASE ((uint64_t)0xffffffc000000000)
#define SV39_KERNEL_SIZE ((uint64_t)1 << (SV39_VA_BITS - 1))

/* ---- TLB maintenance reports ---- */

/* What to fence, accumulated over calls: zero it, pass it to any number of
 * calls, then fence the pages of [va, va + size) as flags say, on every hart
 * that may run the space (sfence.vma va, asid per page; or, for a large
 * range, the whole ASID). flags 0: nothing to do. A range ending at the top
 * of the address space has va + size == 2^64 (0 in 64 bits); a union from
 * address 0 to the top has va 0 and size UINT64_MAX.
 *
 * SV39_FLUSH_NEW: entries only went from invalid to valid. No stale
 *   translation exists, but without Svvptc a hart may still fault on the
 *   range until it fences: fence the range now, or fence and retry in the
 *   page-fault path.
 * SV39_FLUSH_LEAF: translations in the range were removed or changed: fence
 *   before the old frames are reused or the old permissions stop being
 *   tolerable. (A superpage split by the call is covered: a fence of any page
 *   in it drops it.)
 * SV39_FLUSH_TABLE: table pages were freed. A fence by address keeps cached
 *   non-leaf entries, so fence the whole ASID (sfence.vma x0, asid), and do
 *   it before the page allocator hands out another page: the freed tables
 *   went straight back to it.
 * SV39_FLUSH_GLOBAL: global (G) entries changed: fence every ASID (rs2 = x0). */
#define SV39_FLUSH_NEW 1u
#define SV39_FLUSH_LEAF 2u
#define SV39_FLUSH_TABLE 4u
#define SV39_FLUSH_GLOBAL 8u

typedef struct sv39_flush {
  uint64_t va;
  uint64_t size;
  unsigned flags;
} sv39_flush_t;

/* ---- Address spaces ---- */

/* An address space. Read-only outside sv39.c. */
typedef struct sv39_space {
  page_alloc_t *pa;    /* table pages come from here ... */
  quota_t *quota;      /* ... charged here */
  asid_alloc_t *asids; /* NULL: always ASID 0 (the kernel's space) */
  asid_tag_t asid_tag; /* see neuron/asid.h */
  uint64_t root;       /* physical address of the top-level table */
  size_t table_pages;  /* table pages held, the root included */
  sv39_layout_t layout;
  uint64_t shared[SV39_PTES / 64]; /* top-level entries borrowed from the kernel space */
  uint64_t pinned[SV39_PTES / 64]; /* top-level entries lent out: never freed */
} sv39_space_t;

/* Makes *as an empty space: allocates its root table from pa, charged to
 * quota. asids: the allocator its ASIDs come from, or NULL for the kernel's
 * space (ASID 0). layout: NULL for the default. NX_ERR_INVALID_ARGS for NULL
 * pa/quota/as or a bad layout (misaligned, wrapping, outside one canonical
 * half), NX_ERR_NO_MEMORY for no root page. */
int sv39_init(sv39_space_t *as, page_alloc_t *pa, quota_t *quota, asid_alloc_t *asids,
              const sv39_layout_t *layout);

/* Frees every table page the space allocated (not the mapped frames, not
 * tables shared from the kernel space) and its ASID. The space must run on no
 * hart and its ASID must have been flushed on every hart. A kernel space must
 * outlive the spaces it shares with. */
void sv39_destroy(sv39_space_t *as);

/* Maps [va, va + size) to [pa, pa + size) with perms (see above). Adds
 * SV39_FLUSH_NEW for the range to *flush (flush may be NULL). */
int sv39_map(sv39_space_t *as, uint64_t va, uint64_t pa, uint64_t size, sv39_perm_t perms,
             sv39_flush_t *flush);

/* sv39_map() of a request whose checks the caller made, in the same
 * syscall's decode, with nothing in between: as initialized, [va, va +
 * size) page aligned, non-empty, in the user window and free
 * (sv39_range_free()), perms user permissions sv39_map() accepts, pa page
 * aligned with [pa, pa + size) below SV39_PA_LIMIT. Checks none of it
 * again; fails only when no table page is left (NX_ERR_NO_MEMORY), with
 * nothing changed. */
int sv39_map_checked(sv39_space_t *as, uint64_t va, uint64_t pa, uint64_t size, sv39_perm_t perms,
                     sv39_flush_t *flush);

/* Unmaps [va, va + size), which must be wholly mapped; splits superpages
 * partly covered and frees tables left empty. Adds SV39_FLUSH_LEAF (and
 * TABLE, GLOBAL as they apply) to *flush. The range must lie in the user or
 * the kernel window. */
int sv39_unmap(sv39_space_t *as, uint64_t va, uint64_t size, sv39_flush_t *flush);

/* Sets the permissions of [va, va + size), which must be wholly mapped, to
 * perms (the rules and windows of sv39_map()); splits superpages partly
 * covered. Adds SV39_FLUSH_LEAF (and GLOBAL) to *flush. */
int sv39_protect(sv39_space_t *as, uint64_t va, uint64_t size, sv39_perm_t perms,
                 sv39_flush_t *flush);

/* One translation, as sv39_lookup() finds it. */
typedef struct sv39_mapping {
  uint64_t pa;        /* of the byte at va */
  uint64_t page_size; /* of the leaf: 4 KiB, 2 MiB or 1 GiB */
  sv39_perm_t perms;  /* R W X U G of the leaf */
} sv39_mapping_t;

/* Walks the tables for va exactly as the MMU does, without the permission
 * check: NX_OK with *out filled; NX_ERR_OUT_OF_RANGE for a non-canonical va;
 * NX_ERR_NOT_FOUND if the walk meets an invalid entry (or a pointer at level
 * 0); NX_ERR_BAD_FORMAT for an entry the MMU faults on as malformed (W
 * without R, reserved bits, A/D/U on a pointer, a misaligned superpage). */
int sv39_lookup(const sv39_space_t *as, uint64_t va, sv39_mapping_t *out);

/* Whether nothing is mapped in [va, va + size) (page aligned, in the user
 * window; false otherwise). O(tables under the range), not O(pages): a 2
 * MiB range with no table below it is one entry to look at. */
bool sv39_range_free(const sv39_space_t *as, uint64_t va, uint64_t size);

/* ---- The software MMU ---- */

/* An access to translate: exactly one of READ, WRITE, EXEC, plus the
 * privilege and mstatus bits that matter. */
#define SV39_ACCESS_READ 1u
#define SV39_ACCESS_WRITE 2u
#define SV39_ACCESS_EXEC 4u
#define SV39_ACCESS_USER 8u /* from U-mode (else S-mode) */
#define SV39_ACCESS_SUM 16u /* mstatus.SUM: S-mode may read/write U pages */
#define SV39_ACCESS_MXR 32u /* mstatus.MXR: executable pages are readable */

typedef enum sv39_fault {
  SV39_OK = 0,
  SV39_FAULT_NONCANONICAL, /* va bits 63..39 differ from bit 38 */
  SV39_FAULT_INVALID,      /* an entry on the walk has V clear */
  SV39_FAULT_RESERVED,     /* W without R, reserved bits, A/D/U on a pointer */
  SV39_FAULT_TOO_DEEP,     /* a pointer at level 0 */
  SV39_FAULT_MISALIGNED,   /* a superpage whose low PPN bits are not zero */
  SV39_FAULT_PERMISSION,   /* R/W/X, U or SUM rules refuse the access */
  SV39_FAULT_ACCESSED,     /* A clear, or D clear on a write (Svade: the
                            * hardware faults instead of setting them) */
} sv39_fault_t;

/* The MMU: walks the space's tables for an access of kind access (SV39_ACCESS_
 * flags) at va and returns SV39_OK with the physical address in *pa, or the
 * page fault the hardware would raise (what kind: fault-reason detail the
 * hardware does not give). SV39_FAULT_PERMISSION also for a bad access. */
sv39_fault_t sv39_translate(const sv39_space_t *as, uint64_t va, unsigned access, uint64_t *pa);

/* ---- The kernel's mappings ---- */

/* Copies kernel's top-level entries for its kernel window into as (which must
 * have none of its own there: NX_ERR_INVALID_ARGS, nothing changed) and marks
 * them shared; entries shared before are refreshed. NX_ERR_INVALID_ARGS also
 * if as is kernel, or kernel has an ASID allocator. */
int sv39_share_kernel(sv39_space_t *as, sv39_space_t *kernel);

/* Gives every top-level entry covering [va, va + size) of the kernel window a
 * level-1 table now (empty ones included) and pins them, so that kernel
 * mappings made there later reach every space it is shared with. The
 * sv39_map() errors that apply. */
int sv39_reserve_top(sv39_space_t *as, uint64_t va, uint64_t size);

/* ---- satp, ASIDs, accounting ---- */

/* satp for Sv39 with the given root table and ASID. */
static inline uint64_t sv39_make_satp(uint64_t root, uint16_t asid) {
  return SV39_SATP_MODE | ((uint64_t)asid << ASID_SATP_SHIFT) | (root >> 12);
}

/* Hart hart switches to as: assigns its ASID if needed (neuron/asid.h), stores
 * the satp value to load in *satp and the asid_switch() flags in *flags
 * (ASID_FLUSH_LOCAL: sfence.vma x0, x0 after writing satp, before running).
 * A space without an ASID allocator runs with ASID 0, flags 0.
 * NX_ERR_INVALID_ARGS (nothing changed) for NULL pointers, a destroyed space
 * or a hart the ASID allocator does not know. */
int sv39_activate(sv39_space_t *as, unsigned hart, uint64_t *satp, unsigned *flags);

/* satp for as with its current ASID (0 before sv39_activate()). */
uint64_t sv39_satp(const sv39_space_t *as);

/* The space's current ASID (0 before sv39_activate()). */
uint16_t sv39_asid(const sv39_space_t *as);

/* Table pages held, the root included: what the space charged its quota. */
size_t sv39_table_pages(const sv39_space_t *as);

/* Walks every table (O(tables); for tests and debug builds): NX_OK if every
 * entry is well formed (leaves with A set, D with W, aligned superpages, no
 * reserved encodings), no table below the root is empty unless pinned, every
 * table below the root the space owns holds the number of its non-zero
 * entries in its page's owner word (page_alloc_owner_word(): what unmap reads
 * to free empty tables), and the table count matches; NX_ERR_BAD_FORMAT
 * otherwise. */
int sv39_check(const sv39_space_t *as);

#ifdef __cplusplus
}
#endif

#endif
