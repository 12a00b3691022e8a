#include "neuron/object.h"

void object_retain(object_t *obj) { obj->refs++; }

uint32_t object_release(object_t *obj) { return --obj->refs; }
