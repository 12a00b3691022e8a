/*
 * Kernel objects: every object user space can name through a handle starts
 * with this header. The type says which table of operations applies; the
 * reference count keeps the object alive while handles (and later mappings)
 * point at it.
 */
#ifndef NEURON_OBJECT_H
#define NEURON_OBJECT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum object_type {
  OBJ_NONE = 0,
  OBJ_DEBUG_LOG = 1, /* the kernel console, for early user programs */
  OBJ_TYPE_COUNT,
} object_type_t;

typedef struct object {
  uint32_t type;
  uint32_t refs;
} object_t;

/* Takes and drops a reference. Dropping the last one is the owner's job to
 * act on (object_release returns the remaining count). */
void object_retain(object_t *obj);
uint32_t object_release(object_t *obj);

#ifdef __cplusplus
}
#endif

#endif
