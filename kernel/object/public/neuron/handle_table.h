/*
 * A task's handle table: the only way a task names kernel objects.
 *
 * A handle is (generation << 16) | slot. Closing a slot bumps its
 * generation, so a stale handle (or a guessed one) never reaches the object
 * that later reuses the slot. Generation 0 is never issued, so 0 is never a
 * valid handle.
 *
 * Each live slot is a capability: an object reference, a rights mask, a
 * badge and its place in the derivation tree (cap_tree.h). The tree links
 * are intrusive and point straight at slots, possibly in other tables, so a
 * table must be emptied (every handle closed) before its memory is reused.
 *
 * handle_lookup() (and handle_lookup_slot(), which shares its code) is the
 * single place where rights are checked: every syscall that takes a handle
 * goes through it with the object type and the rights the operation needs.
 * It also refuses a capability that lies under a revoke in progress
 * (revoke.h).
 *
 * Badges (seL4-style): an endpoint server tells its clients apart by the
 * badge of the capability a client called through, read from slot->badge
 * after handle_lookup_slot. 0 means unbadged. handle_install gives 0; a
 * badge is set once, by cap_mint_check/apply (cap_transfer.h) on a child of
 * an unbadged capability, and never changes after: derive copies it, move
 * keeps it. So every capability derived from a badged one carries the same
 * badge, and a client cannot make its capability pass for another client's.
 *
 * No lock is taken; the caller serializes all handle and capability
 * operations (the kernel runs them with interrupts off).
 */
#ifndef NEURON_HANDLE_TABLE_H
#define NEURON_HANDLE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "neuron/errors.h"
#include "neuron/object.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HANDLE_TABLE_SLOTS 256u
#define HANDLE_SLOT_BITS 16 /* a handle's low bits: the slot; the rest: the generation */

/* handle_lookup_slot(): any object type will do. */
#define HANDLE_ANY_TYPE 0xffffffffu

typedef uint32_t nx_handle_value_t;

/* Slot flags. */
#define HANDLE_SLOT_REVOKING 1u /* the root of a revoke in progress */

/* A live slot's `fast`: handle_check_slot()'s verdict for the three checks
 * the assembly fastpaths make (ipc_call, ipc_reply_recv,
 * notification_signal), worked out once when the slot gets its object and
 * rights (handle_slot_take(), with handle_fast_bits()), which never change
 * while it lives. A bit is set exactly when the check passes: the object
 * is of that type and the rights hold that right. So the fastpaths test
 * one bit where the lookup loads the object's type and the rights. */
#define HANDLE_FAST_ENDPOINT_WRITE 1u      /* OBJ_ENDPOINT, NX_RIGHT_WRITE */
#define HANDLE_FAST_ENDPOINT_READ 2u       /* OBJ_ENDPOINT, NX_RIGHT_READ */
#define HANDLE_FAST_NOTIFICATION_SIGNAL 4u /* OBJ_NOTIFICATION, NX_RIGHT_SIGNAL */

/* Read-only outside kernel/object. */
typedef struct handle_slot {
  object_t *object; /* NULL when free */
  /* Derivation tree (cap_tree.c); NULL where absent. */
  struct handle_slot *parent;
  struct handle_slot *first_child;
  struct handle_slot *next_sibling;
  struct handle_slot *prev_sibling;
  uint64_t serial; /* creation order; a child's is always above its ancestors' */
  uint64_t badge;  /* 0: unbadged; set once, at a mint (see above) */
  /* The handle that names this slot: (generation << 16) | index, the index
   * finding the table (handle_slot_table). A lookup compares the whole
   * handle with it: generation, index and no bits above. While the slot is
   * free, its index's low 8 bits are flipped (HANDLE_FREE_FLIP): no handle
   * equals it, since a handle reaches slot i only with i in its low 8 bits
   * (the assembly lookup relies on it and does not test the object). */
  uint32_t value;
  uint16_t rights; /* NX_RIGHT_* (NX_RIGHTS_ALL fits 16 bits) */
  union {
    uint16_t next_free; /* free: the free list's link (a slot index) */
    struct {
      uint8_t flags; /* live: HANDLE_SLOT_* */
      uint8_t fast;  /* live: HANDLE_FAST_* */
    };
  };
} handle_slot_t;

#define HANDLE_FREE_FLIP 0xffu

/* 64 bytes, so that a slot's address is the table's plus index << 6 (the
 * assembly fastpaths' lookup shifts, where it would multiply). */
_Static_assert(sizeof(handle_slot_t) == 64, "handle slot size");

typedef struct handle_table {
  handle_slot_t slots[HANDLE_TABLE_SLOTS]; /* first: handle_slot_table relies on it */
  uint16_t free_head;                      /* HANDLE_TABLE_SLOTS when full */
  uint16_t used;
} handle_table_t;

void handle_table_init(handle_table_t *t);

/* Installs a new root capability to `obj` with `rights` (a subset of
 * NX_RIGHTS_ALL); takes a reference. NX_ERR_INVALID_ARGS for a bad object
 * or unknown rights, NX_ERR_NO_MEMORY when the table is full. */
int handle_install(handle_table_t *t, object_t *obj, uint32_t rights, nx_handle_value_t *out);

/*
 * Resolves `h` to its object if it is live, usable (not under a revoke in
 * progress), names an object of `type`, and carries every right in
 * `rights`. Errors: NX_ERR_BAD_HANDLE (free, stale, malformed, or being
 * revoked), NX_ERR_WRONG_TYPE (also for HANDLE_ANY_TYPE: a syscall always
 * names the type it needs), NX_ERR_ACCESS_DENIED. No side effects.
 */
int handle_lookup(const handle_table_t *t, nx_handle_value_t h, uint32_t type, uint32_t rights,
                  object_t **out);

/* The same check, returning the capability itself (for the capability
 * operations); `type` may be HANDLE_ANY_TYPE. */
int handle_lookup_slot(const handle_table_t *t, nx_handle_value_t h, uint32_t type, uint32_t rights,
                       handle_slot_t **out);

/* handle_lookup_slot's code, inline, for the IPC fastpath (and the one
 * implementation of the check: handle_lookup_slot and handle_lookup call
 * it too). Its parts follow. */
static inline int handle_lookup_slot_inline(const handle_table_t *t, nx_handle_value_t h,
                                            uint32_t type, uint32_t rights, handle_slot_t **out);

/* The live slot `h` names, or NULL. Liveness only: no rights, no revoke. */
static inline handle_slot_t *handle_live_slot(const handle_table_t *t, nx_handle_value_t h) {
  uint32_t index = h & ((1u << HANDLE_SLOT_BITS) - 1);
  if (index >= HANDLE_TABLE_SLOTS) return 0;
  const handle_slot_t *s = &t->slots[index];
  if (!s->object || s->value != h) return 0;
  return (handle_slot_t *)s;
}

/* Type and rights of a live, usable slot. */
static inline int handle_check_slot(handle_slot_t *s, uint32_t type, uint32_t rights,
                                    handle_slot_t **out) {
  if (type != HANDLE_ANY_TYPE && s->object->type != type) return NX_ERR_WRONG_TYPE;
  if ((s->rights & rights) != rights) return NX_ERR_ACCESS_DENIED;
  *out = s;
  return NX_OK;
}

/* Revokes in progress (revoke.h); NULL while none runs, the common case. */
struct cap_revoke;
extern struct cap_revoke *cap_revokes_active;

/* The lookup while a revoke is in progress (the slot may lie under one). */
int handle_lookup_during_revoke(handle_slot_t *s, uint32_t type, uint32_t rights,
                                handle_slot_t **out);

static inline int handle_lookup_slot_inline(const handle_table_t *t, nx_handle_value_t h,
                                            uint32_t type, uint32_t rights, handle_slot_t **out) {
  handle_slot_t *s = handle_live_slot(t, h);
  if (!s) return NX_ERR_BAD_HANDLE;
  if (cap_revokes_active) return handle_lookup_during_revoke(s, type, rights, out);
  return handle_check_slot(s, type, rights, out);
}

/*
 * Closes `h`: the capability goes (on_cap_removed runs, its reference is
 * dropped, the slot's generation moves on). Its children are not revoked:
 * they move up to its parent (cap_tree.h explains why). Closing works on a
 * capability that is being revoked, so a dying task can always empty its
 * table. Errors: NX_ERR_BAD_HANDLE (not live); NX_ERR_BUSY if `h` is the
 * root of a revoke in progress (finish that revoke first). O(1 + children).
 */
int handle_close(handle_table_t *t, nx_handle_value_t h);

/* Free slots left in `t` (a syscall that installs several handles checks
 * this once). */
uint32_t handle_table_free_slots(const handle_table_t *t);

/* The first live slot at index >= *cursor (start with 0), or NULL; advances
 * *cursor past it. Live means holding a capability, usable or not (one under
 * a revoke in progress is returned too). For listing a task's capabilities
 * and for emptying its table: closing the slot just returned (or any other)
 * between calls is fine, the cursor is only an index. O(slots skipped). */
const handle_slot_t *handle_table_next(const handle_table_t *t, uint32_t *cursor);

/* ---- For the capability layer (cap_tree.c, transfer.c, revoke.c) ---- */

/* The table holding `s`. */
handle_table_t *handle_slot_table(const handle_slot_t *s);

/* The handle value naming live slot `s`. */
static inline nx_handle_value_t handle_slot_value(const handle_slot_t *s) { return s->value; }

/* Where `s` is in its table. */
static inline uint32_t handle_slot_index(const handle_slot_t *s) {
  return s->value & ((1u << HANDLE_SLOT_BITS) - 1);
}

/* Takes the first free slot of `t` (the caller checked there is one) and
 * gives it `obj`, `rights`, a fresh serial and no badge, with no tree links
 * and no reference taken. */
handle_slot_t *handle_slot_take(handle_table_t *t, object_t *obj, uint32_t rights);

/* Returns `s` to its table's free list with a new generation. Tree links
 * and the reference are the caller's business. */
void handle_slot_free(handle_slot_t *s);

/* What the object hooks learn about live slot `s` (object.h). */
cap_info_t handle_slot_info(const handle_slot_t *s, cap_removal_t why);

/* Removes capability `s` for good: on_cap_removed, out of the tree (its
 * children move up to its parent), slot freed, reference dropped. */
void handle_slot_remove(handle_slot_t *s, cap_removal_t why);

#ifdef __cplusplus
}
#endif

#endif
