/* Deriving, copying and moving capabilities (see cap_transfer.h). */
#include <stdbool.h>

#include "neuron/cap_transfer.h"
#include "neuron/cap_tree.h"
#include "neuron/errors.h"
#include "neuron/rights.h"

/* The checks of a derive (mint: false) and of a mint of `badge`. Not
 * inlined, so that the two entry points do not each carry a copy. */
__attribute__((noinline)) static int check_derive(handle_table_t *src, nx_handle_value_t h,
                                                  uint32_t type, uint32_t rights, bool mint,
                                                  uint64_t badge, handle_table_t *dst,
                                                  cap_plan_t *plan) {
  if (!src || !dst) return NX_ERR_INVALID_ARGS;
  /* 0 is what unbadged means, so minting it would mint nothing. */
  if (mint && badge == 0) return NX_ERR_INVALID_ARGS;
  uint32_t need = NX_RIGHT_DUPLICATE | (dst != src ? NX_RIGHT_TRANSFER : 0);
  handle_slot_t *s;
  int err = handle_lookup_slot(src, h, type, need, &s);
  if (err != NX_OK) return err;
  if ((rights & ~s->rights) != 0) return NX_ERR_ACCESS_DENIED;
  /* A server badges the capabilities it gives out; re-badging one would let
   * its holder pass for another client. */
  if (mint && s->badge != 0) return NX_ERR_ACCESS_DENIED;
  /* A child of a revoking root would be refused at once and removed: say
   * so instead of handing out a dead handle. */
  if (s->flags & HANDLE_SLOT_REVOKING) return NX_ERR_BUSY;
  if (handle_table_free_slots(dst) == 0) return NX_ERR_NO_MEMORY;
  plan->src = s;
  plan->dst = dst;
  plan->rights = rights;
  plan->badge = mint ? badge : s->badge;
  return NX_OK;
}

int cap_derive_check(handle_table_t *src, nx_handle_value_t h, uint32_t type, uint32_t rights,
                     handle_table_t *dst, cap_plan_t *plan) {
  return check_derive(src, h, type, rights, false, 0, dst, plan);
}

int cap_mint_check(handle_table_t *src, nx_handle_value_t h, uint32_t type, uint32_t rights,
                   uint64_t badge, handle_table_t *dst, cap_plan_t *plan) {
  return check_derive(src, h, type, rights, true, badge, dst, plan);
}

nx_handle_value_t cap_derive_apply(const cap_plan_t *plan) {
  handle_slot_t *s = plan->src;
  handle_slot_t *child = handle_slot_take(plan->dst, s->object, plan->rights);
  child->badge = plan->badge;
  object_retain(s->object);
  cap_tree_link_child(s, child);
  return handle_slot_value(child);
}

int cap_move_check(handle_table_t *src, nx_handle_value_t h, uint32_t type, handle_table_t *dst,
                   cap_plan_t *plan) {
  if (!src || !dst || src == dst) return NX_ERR_INVALID_ARGS;
  handle_slot_t *s;
  int err = handle_lookup_slot(src, h, type, NX_RIGHT_TRANSFER, &s);
  if (err != NX_OK) return err;
  /* The revoke holds a pointer to its root's slot. */
  if (s->flags & HANDLE_SLOT_REVOKING) return NX_ERR_BUSY;
  if (handle_table_free_slots(dst) == 0) return NX_ERR_NO_MEMORY;
  plan->src = s;
  plan->dst = dst;
  plan->rights = s->rights;
  return NX_OK;
}

nx_handle_value_t cap_move_apply(const cap_plan_t *plan) {
  handle_slot_t *from = plan->src;
  handle_slot_t *to = handle_slot_take(plan->dst, from->object, from->rights);
  /* Same capability, new slot: it keeps its serial (its identity, and the
   * ordering revoke.c relies on) and its lineage. */
  to->serial = from->serial;
  to->badge = from->badge;
  cap_tree_replace(from, to);
  handle_slot_free(from);
  return handle_slot_value(to);
}

int cap_derive(handle_table_t *src, nx_handle_value_t h, uint32_t rights, handle_table_t *dst,
               nx_handle_value_t *out) {
  cap_plan_t plan;
  int err = cap_derive_check(src, h, HANDLE_ANY_TYPE, rights, dst, &plan);
  if (err == NX_OK) *out = cap_derive_apply(&plan);
  return err;
}

int cap_mint(handle_table_t *src, nx_handle_value_t h, uint32_t rights, uint64_t badge,
             handle_table_t *dst, nx_handle_value_t *out) {
  cap_plan_t plan;
  int err = cap_mint_check(src, h, HANDLE_ANY_TYPE, rights, badge, dst, &plan);
  if (err == NX_OK) *out = cap_derive_apply(&plan);
  return err;
}

int cap_move(handle_table_t *src, nx_handle_value_t h, handle_table_t *dst,
             nx_handle_value_t *out) {
  cap_plan_t plan;
  int err = cap_move_check(src, h, HANDLE_ANY_TYPE, dst, &plan);
  if (err == NX_OK) *out = cap_move_apply(&plan);
  return err;
}
