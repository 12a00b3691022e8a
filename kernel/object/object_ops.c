/*
 * The default table of per-type object operations (see object_ops_t), for
 * host programs that use the capability layer on its own (the other
 * modules' tests): no type has hooks. The kernel defines the real table,
 * with every type's hooks, in kernel/core/kobject.c; this definition is
 * weak so that the kernel's takes its place when both are linked.
 */
#include "neuron/object.h"

__attribute__((weak)) const object_ops_t *object_ops_get(uint32_t type) {
  (void)type;
  return 0;
}
