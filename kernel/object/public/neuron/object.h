/*
 * Kernel objects: every object user space can name through a handle starts
 * with this header. The type says which table of operations applies
 * (object_ops_get); the reference count keeps the object alive while
 * capabilities (and later mappings) point at it.
 */
#ifndef NEURON_OBJECT_H
#define NEURON_OBJECT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum object_type {
  OBJ_NONE = 0,
  OBJ_DEBUG_LOG = 1,    /* the kernel console, for early user programs */
  OBJ_VMO = 2,          /* kernel/vmo */
  OBJ_NOTIFICATION = 3, /* kernel/notify */
  OBJ_INTERRUPT = 4,    /* kernel/notify */
  OBJ_WAITSET = 5,      /* kernel/notify */
  OBJ_ENDPOINT = 6,     /* kernel/ipc */
  OBJ_CHANNEL = 7,      /* kernel/ipc */
  OBJ_TASK = 8,         /* kernel/core: a task, for its creator */
  OBJ_TYPE_COUNT,
} object_type_t;

typedef struct object {
  uint32_t type;
  uint32_t refs;
} object_t;

struct handle_table;

/* Why a hook runs: a capability went away (on_cap_removed), or a revoke of
 * one is starting (on_revoke). */
typedef enum cap_removal {
  CAP_REMOVED_CLOSE = 1,  /* its holder closed it */
  CAP_REMOVED_REVOKE = 2, /* an ancestor was revoked */
  CAP_REVOKE_STARTED = 3, /* on_revoke: its subtree is being revoked; it stays */
} cap_removal_t;

/* What the hooks learn about the capability concerned. The serial names the
 * capability for its whole life (it survives a move to another table,
 * unlike the handle value), so mappings made through a capability can
 * record it and be found again. parent_serial is the serial of its parent
 * at the moment of the call (0 for a root): closes lift children to their
 * grandparent, so an object that keeps its own copy of the derivation links
 * (to find, at on_revoke, the mappings made through descendants that are
 * gone by then) learns of each re-link when the capability between goes. */
typedef struct cap_info {
  const struct handle_table *table; /* the table that held it */
  uint32_t handle;                  /* its handle value in that table */
  uint32_t rights;
  uint64_t serial;
  uint64_t parent_serial;
  cap_removal_t why;
} cap_info_t;

/*
 * What each object type does at the moments the capability layer cannot
 * handle generically. Any pointer may be NULL (nothing to do). None may call
 * back into the handle or capability functions: they run in the middle of
 * one (for on_cap_removed, with the tree mid-update).
 *  - destroy: the last reference is gone; free the object and return its
 *    memory to the owner's quota.
 *  - on_cap_removed: one capability to `obj` is about to go (close or
 *    revoke); the object still holds that capability's reference while this
 *    runs. Later: remove the mappings made through it.
 *  - on_revoke: a revoke of capability `root` (to obj) is starting; the
 *    capability itself stays (root->why is CAP_REVOKE_STARTED). Called once
 *    per cap_revoke_start that succeeds, whether or not anything is derived
 *    from it (mappings made through since-closed descendants must go even
 *    then), after the subtree became unusable and before any of it is
 *    removed.
 */
typedef struct object_ops {
  void (*destroy)(object_t *obj);
  void (*on_cap_removed)(object_t *obj, const cap_info_t *cap);
  void (*on_revoke)(object_t *obj, const cap_info_t *root);
} object_ops_t;

/* The operations of `type`, or NULL for a type without any. Defined in one
 * table, object_ops.c (tests link their own table instead). */
const object_ops_t *object_ops_get(uint32_t type);

/* Takes and drops a reference. object_release does not act on the count
 * reaching zero (it returns the remaining count); object_drop does: it runs
 * the type's destroy hook when the last reference goes. */
void object_retain(object_t *obj);
uint32_t object_release(object_t *obj);
void object_drop(object_t *obj);

#ifdef __cplusplus
}
#endif

#endif
