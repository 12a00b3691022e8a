/*
 * Deriving, copying and moving capabilities.
 *
 *  - Derive: a new capability to the same object with a subset of the
 *    source's rights, as a child of the source in the derivation tree. Into
 *    the source's own table it needs NX_RIGHT_DUPLICATE; into another table
 *    (a copy sent over IPC) it needs NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER,
 *    since rights.h defines TRANSFER as the right to send a handle to
 *    another task. Asking for a right the source lacks is
 *    NX_ERR_ACCESS_DENIED: rights never grow. The child carries the
 *    source's badge.
 *  - Mint: a derive that also gives the child a badge (handle_table.h), for
 *    a server handing each client its own capability to an endpoint. Same
 *    rules as a derive, and the source must be unbadged: a badge is set
 *    once, so a client cannot re-badge its capability to pass for another.
 *  - Move: the capability leaves the source table for another one, with
 *    the same rights and the same place in the derivation tree (its parent
 *    and children do not change, only which table holds it; it keeps its
 *    badge; no reference is taken or dropped and on_cap_removed does not
 *    run). Needs NX_RIGHT_TRANSFER. The old handle is dead afterwards.
 *
 * Each comes in the two phases a syscall needs: *_check validates
 * everything (handle, rights, type, a free slot in the destination) with no
 * side effect and fills a plan; *_apply carries the plan out and cannot
 * fail, provided no other handle or capability operation ran in between
 * (the kernel runs both with interrupts off). A syscall that installs k
 * handles into one table checks handle_table_free_slots() >= k as well.
 */
#ifndef NEURON_CAP_TRANSFER_H
#define NEURON_CAP_TRANSFER_H

#include <stdint.h>

#include "neuron/handle_table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A checked operation; fields private to transfer.c. */
typedef struct cap_plan {
  handle_slot_t *src;
  handle_table_t *dst;
  uint32_t rights;
  uint64_t badge;
} cap_plan_t;

/*
 * Checks a derive of `h` (in `src`) into `dst` (which may be `src`) with
 * `rights`. `type` is the object type the caller expects, or HANDLE_ANY_TYPE.
 * Errors: NX_ERR_INVALID_ARGS (NULL table), NX_ERR_BAD_HANDLE (stale,
 * closed, forged, or under a revoke in progress), NX_ERR_WRONG_TYPE,
 * NX_ERR_ACCESS_DENIED (missing DUPLICATE, or TRANSFER for another table, or
 * asking for a right `h` lacks), NX_ERR_BUSY (`h` is being revoked),
 * NX_ERR_NO_MEMORY (`dst` is full).
 */
int cap_derive_check(handle_table_t *src, nx_handle_value_t h, uint32_t type, uint32_t rights,
                     handle_table_t *dst, cap_plan_t *plan);
/* Carries out a checked derive or mint; returns the child's handle in dst. */
nx_handle_value_t cap_derive_apply(const cap_plan_t *plan);

/*
 * Checks a derive of `h` (in `src`) into `dst` with `rights` and a new
 * `badge` (not 0); cap_derive_apply carries it out. Like cap_derive_check,
 * plus NX_ERR_INVALID_ARGS for badge 0 and NX_ERR_ACCESS_DENIED if `h`
 * already carries a badge (a badge is set once: a client cannot re-badge its
 * capability to pass for another).
 */
int cap_mint_check(handle_table_t *src, nx_handle_value_t h, uint32_t type, uint32_t rights,
                   uint64_t badge, handle_table_t *dst, cap_plan_t *plan);

/*
 * Checks a move of `h` from `src` to `dst`. Errors: NX_ERR_INVALID_ARGS
 * (NULL table, or `dst` is `src`), NX_ERR_BAD_HANDLE, NX_ERR_WRONG_TYPE,
 * NX_ERR_ACCESS_DENIED (no TRANSFER), NX_ERR_BUSY (`h` is being revoked),
 * NX_ERR_NO_MEMORY (`dst` is full). Applying is O(1 + children of `h`).
 */
int cap_move_check(handle_table_t *src, nx_handle_value_t h, uint32_t type, handle_table_t *dst,
                   cap_plan_t *plan);
nx_handle_value_t cap_move_apply(const cap_plan_t *plan);

/* Check and apply in one call; the new handle in *out on NX_OK. */
int cap_derive(handle_table_t *src, nx_handle_value_t h, uint32_t rights, handle_table_t *dst,
               nx_handle_value_t *out);
int cap_mint(handle_table_t *src, nx_handle_value_t h, uint32_t rights, uint64_t badge,
             handle_table_t *dst, nx_handle_value_t *out);
int cap_move(handle_table_t *src, nx_handle_value_t h, handle_table_t *dst, nx_handle_value_t *out);

#ifdef __cplusplus
}
#endif

#endif
