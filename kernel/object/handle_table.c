#include "neuron/handle_table.h"

#include <stddef.h>

#include "neuron/cap_tree.h"
#include "neuron/errors.h"
#include "neuron/revoke.h"
#include "neuron/rights.h"

_Static_assert(NX_RIGHTS_ALL <= UINT16_MAX, "rights fit a slot's 16 bits");
_Static_assert(HANDLE_TABLE_SLOTS - 1 <= HANDLE_FREE_FLIP,
               "flipping an index's low 8 bits makes it another slot's");

/* Capability serials: one counter for the whole kernel, never reused (64
 * bits do not wrap in the machine's lifetime), so every child's serial is
 * above its ancestors'. */
static uint64_t next_serial = 1;

void handle_table_init(handle_table_t *t) {
  for (uint32_t i = 0; i < HANDLE_TABLE_SLOTS; i++) {
    handle_slot_t *s = &t->slots[i];
    s->object = 0;
    s->parent = s->first_child = s->next_sibling = s->prev_sibling = 0;
    s->serial = 0;
    s->badge = 0;
    s->rights = 0;
    s->value = (1u << HANDLE_SLOT_BITS) | (i ^ HANDLE_FREE_FLIP); /* generation 1, free */
    s->next_free = (uint16_t)(i + 1);
  }
  t->free_head = 0;
  t->used = 0;
}

handle_table_t *handle_slot_table(const handle_slot_t *s) {
  /* slots[] is the table's first member, so slot 0's address is the table's. */
  return (handle_table_t *)((uintptr_t)(s - handle_slot_index(s)) -
                            offsetof(handle_table_t, slots));
}

uint32_t handle_table_free_slots(const handle_table_t *t) { return HANDLE_TABLE_SLOTS - t->used; }

const handle_slot_t *handle_table_next(const handle_table_t *t, uint32_t *cursor) {
  for (uint32_t i = *cursor; i < HANDLE_TABLE_SLOTS; i++) {
    if (t->slots[i].object) {
      *cursor = i + 1;
      return &t->slots[i];
    }
  }
  return 0;
}

/* The checks behind the HANDLE_FAST_* bits. */
static const struct {
  uint32_t type;
  uint32_t rights;
  uint8_t bit;
} fast_checks[] = {
    {OBJ_ENDPOINT, NX_RIGHT_WRITE, HANDLE_FAST_ENDPOINT_WRITE},
    {OBJ_ENDPOINT, NX_RIGHT_READ, HANDLE_FAST_ENDPOINT_READ},
    {OBJ_NOTIFICATION, NX_RIGHT_SIGNAL, HANDLE_FAST_NOTIFICATION_SIGNAL},
};

/* The HANDLE_FAST_* bits of a slot holding an object of `type` with
 * `rights`: handle_check_slot()'s verdicts, as its code gives them. */
static uint8_t handle_fast_bits(uint32_t type, uint32_t rights) {
  /* A slot of that object and rights, for handle_check_slot() to judge. */
  object_t obj = {.type = type};
  handle_slot_t s = {.object = &obj, .rights = (uint16_t)rights};
  handle_slot_t *unused;
  uint8_t bits = 0;
  for (size_t i = 0; i < sizeof fast_checks / sizeof fast_checks[0]; i++) {
    if (handle_check_slot(&s, fast_checks[i].type, fast_checks[i].rights, &unused) == NX_OK) {
      bits |= fast_checks[i].bit;
    }
  }
  return bits;
}

handle_slot_t *handle_slot_take(handle_table_t *t, object_t *obj, uint32_t rights) {
  handle_slot_t *s = &t->slots[t->free_head];
  t->free_head = s->next_free;
  t->used++;
  s->value ^= HANDLE_FREE_FLIP; /* live: its handle */
  s->object = obj;
  s->rights = (uint16_t)rights; /* a subset of NX_RIGHTS_ALL: the callers check */
  s->serial = next_serial++;
  s->badge = 0;
  s->flags = 0;
  s->fast = handle_fast_bits(obj->type, rights);
  return s;
}

void handle_slot_free(handle_slot_t *s) {
  handle_table_t *t = handle_slot_table(s);
  s->object = 0;
  s->rights = 0;
  s->badge = 0;
  /* Skip generation 0 when wrapping, so 0 stays an invalid handle. */
  uint32_t index = handle_slot_index(s);
  uint16_t next = (uint16_t)((s->value >> HANDLE_SLOT_BITS) + 1);
  s->value = ((uint32_t)(next ? next : 1) << HANDLE_SLOT_BITS) | (index ^ HANDLE_FREE_FLIP);
  s->next_free = t->free_head;
  t->free_head = (uint16_t)index;
  t->used--;
}

cap_info_t handle_slot_info(const handle_slot_t *s, cap_removal_t why) {
  cap_info_t info = {
      .table = handle_slot_table(s),
      .handle = handle_slot_value(s),
      .rights = s->rights,
      .serial = s->serial,
      .parent_serial = s->parent ? s->parent->serial : 0,
      .why = why,
  };
  return info;
}

void handle_slot_remove(handle_slot_t *s, cap_removal_t why) {
  object_t *obj = s->object;
  const object_ops_t *ops = object_ops_get(obj->type);
  if (ops && ops->on_cap_removed) {
    cap_info_t info = handle_slot_info(s, why);
    ops->on_cap_removed(obj, &info);
  }
  if (s->flags & HANDLE_SLOT_REVOKING) cap_revoke_root_removed(s);
  cap_tree_lift_children(s);
  cap_tree_unlink(s);
  handle_slot_free(s);
  object_drop(obj);
}

int handle_install(handle_table_t *t, object_t *obj, uint32_t rights, nx_handle_value_t *out) {
  if (!obj || obj->type == OBJ_NONE || obj->type >= OBJ_TYPE_COUNT) return NX_ERR_INVALID_ARGS;
  if (rights & ~NX_RIGHTS_ALL) return NX_ERR_INVALID_ARGS;
  if (t->free_head >= HANDLE_TABLE_SLOTS) return NX_ERR_NO_MEMORY;
  handle_slot_t *s = handle_slot_take(t, obj, rights);
  object_retain(obj);
  *out = handle_slot_value(s);
  return NX_OK;
}

/* The lookup while a revoke is in progress: the slot may lie under one.
 * Out of line (handle_lookup_slot_inline reaches it by a tail call), so
 * that the common lookup is a leaf that saves no registers. */
__attribute__((noinline)) int handle_lookup_during_revoke(handle_slot_t *s, uint32_t type,
                                                          uint32_t rights, handle_slot_t **out) {
  if (cap_revoke_blocks_walk(s)) return NX_ERR_BAD_HANDLE;
  return handle_check_slot(s, type, rights, out);
}

/* The one rights check (its code is handle_lookup_slot_inline's). Not
 * inlined into handle_lookup() below, which calls it. */
__attribute__((noinline)) int handle_lookup_slot(const handle_table_t *t, nx_handle_value_t h,
                                                 uint32_t type, uint32_t rights,
                                                 handle_slot_t **out) {
  return handle_lookup_slot_inline(t, h, type, rights, out);
}

int handle_lookup(const handle_table_t *t, nx_handle_value_t h, uint32_t type, uint32_t rights,
                  object_t **out) {
  if (type == HANDLE_ANY_TYPE) return NX_ERR_WRONG_TYPE; /* callers of this one name a type */
  handle_slot_t *s;
  int err = handle_lookup_slot(t, h, type, rights, &s);
  if (err == NX_OK) *out = s->object;
  return err;
}

int handle_close(handle_table_t *t, nx_handle_value_t h) {
  handle_slot_t *s = handle_live_slot(t, h);
  if (!s) return NX_ERR_BAD_HANDLE;
  if (s->flags & HANDLE_SLOT_REVOKING) return NX_ERR_BUSY;
  handle_slot_remove(s, CAP_REMOVED_CLOSE);
  return NX_OK;
}
