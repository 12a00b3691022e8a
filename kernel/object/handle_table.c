#include "neuron/handle_table.h"

#include "neuron/errors.h"

#define SLOT_BITS 16
#define SLOT_MASK 0xffffu

void handle_table_init(handle_table_t *t) {
  for (uint32_t i = 0; i < HANDLE_TABLE_SLOTS; i++) {
    t->slots[i].object = 0;
    t->slots[i].rights = 0;
    t->slots[i].generation = 1;
    t->slots[i].next_free = (uint16_t)(i + 1);
  }
  t->free_head = 0;
  t->used = 0;
}

int handle_install(handle_table_t *t, object_t *obj, uint32_t rights, nx_handle_value_t *out) {
  if (!obj || obj->type == OBJ_NONE || obj->type >= OBJ_TYPE_COUNT) return NX_ERR_INVALID_ARGS;
  if (t->free_head >= HANDLE_TABLE_SLOTS) return NX_ERR_NO_MEMORY;
  uint16_t index = t->free_head;
  handle_slot_t *s = &t->slots[index];
  t->free_head = s->next_free;
  s->object = obj;
  s->rights = rights;
  t->used++;
  object_retain(obj);
  *out = ((nx_handle_value_t)s->generation << SLOT_BITS) | index;
  return NX_OK;
}

/* The live slot `h` names, or NULL. */
static const handle_slot_t *live_slot(const handle_table_t *t, nx_handle_value_t h) {
  uint32_t index = h & SLOT_MASK;
  uint32_t generation = h >> SLOT_BITS;
  if (index >= HANDLE_TABLE_SLOTS) return 0;
  const handle_slot_t *s = &t->slots[index];
  if (!s->object || s->generation != generation) return 0;
  return s;
}

int handle_lookup(const handle_table_t *t, nx_handle_value_t h, uint32_t type, uint32_t rights,
                  object_t **out) {
  const handle_slot_t *s = live_slot(t, h);
  if (!s) return NX_ERR_BAD_HANDLE;
  if (s->object->type != type) return NX_ERR_WRONG_TYPE;
  if ((s->rights & rights) != rights) return NX_ERR_ACCESS_DENIED;
  *out = s->object;
  return NX_OK;
}

int handle_close(handle_table_t *t, nx_handle_value_t h) {
  const handle_slot_t *live = live_slot(t, h);
  if (!live) return NX_ERR_BAD_HANDLE;
  handle_slot_t *s = &t->slots[h & SLOT_MASK];
  object_release(s->object);
  s->object = 0;
  s->rights = 0;
  /* Skip generation 0 when wrapping, so 0 stays an invalid handle. */
  uint16_t next = (uint16_t)(s->generation + 1);
  s->generation = next ? next : 1;
  s->next_free = t->free_head;
  t->free_head = (uint16_t)(h & SLOT_MASK);
  t->used--;
  return NX_OK;
}
