#include "neuron/object.h"

void object_retain(object_t *obj) { obj->refs++; }

uint32_t object_release(object_t *obj) { return --obj->refs; }

void object_drop(object_t *obj) {
  if (object_release(obj) != 0) return;
  const object_ops_t *ops = object_ops_get(obj->type);
  if (ops && ops->destroy) ops->destroy(obj);
}
