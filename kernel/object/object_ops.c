/*
 * The one table of per-type object operations (see object_ops_t). Every
 * object type that needs a destroy or on_cap_removed hook gets its entry
 * here, so the capability layer never has to know about concrete types.
 *
 * The debug log is a static object that holds a reference of its own for
 * the kernel's lifetime, so it is never destroyed and has no hooks.
 */
#include "neuron/object.h"

static const object_ops_t debug_log_ops = {0, 0};

static const object_ops_t *const table[OBJ_TYPE_COUNT] = {
    [OBJ_DEBUG_LOG] = &debug_log_ops,
};

const object_ops_t *object_ops_get(uint32_t type) {
  return type < OBJ_TYPE_COUNT ? table[type] : 0;
}
