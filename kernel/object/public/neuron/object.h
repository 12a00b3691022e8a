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
  OBJ_TYPE_COUNT,
} object_type_t;

typedef struct object {
  uint32_t type;
  uint32_t refs;
} object_t;

struct handle_table;

/* Why a capability went away (passed to on_cap_removed). */
typedef enum cap_removal {
  CAP_REMOVED_CLOSE = 1,  /* its holder closed it */
  CAP_REMOVED_REVOKE = 2, /* an ancestor was revoked */
} cap_removal_t;

/* What on_cap_removed learns about the capability that is going away. The
 * serial names the capability for its whole life (it survives a move to
 * another table, unlike the handle value), so mappings made through a
 * capability can record it and be found again. */
typedef struct cap_info {
  const struct handle_table *table; /* the table that held it */
  uint32_t handle;                  /* its handle value in that table */
  uint32_t rights;
  uint64_t serial;
  cap_removal_t why;
} cap_info_t;

/*
 * What each object type does at the two moments the capability layer cannot
 * handle generically. Either pointer may be NULL (nothing to do).
 *  - destroy: the last reference is gone; free the object and return its
 *    memory to the owner's quota.
 *  - on_cap_removed: one capability to `obj` is about to go (close or
 *    revoke); the object still holds that capability's reference while this
 *    runs. Later: remove the mappings made through it. It must not call back
 *    into the handle or capability functions (the tree is mid-update).
 */
typedef struct object_ops {
  void (*destroy)(object_t *obj);
  void (*on_cap_removed)(object_t *obj, const cap_info_t *cap);
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
