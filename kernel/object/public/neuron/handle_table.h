/*
 * A task's handle table: the only way a task names kernel objects.
 *
 * A handle is (generation << 16) | slot. Closing a slot bumps its
 * generation, so a stale handle (or a guessed one) never reaches the object
 * that later reuses the slot. Generation 0 is never issued, so 0 is never a
 * valid handle.
 *
 * handle_lookup() is the single place where rights are checked: every
 * syscall that takes a handle goes through it with the object type and the
 * rights the operation needs.
 */
#ifndef NEURON_HANDLE_TABLE_H
#define NEURON_HANDLE_TABLE_H

#include <stdint.h>

#include "neuron/object.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HANDLE_TABLE_SLOTS 256u

typedef uint32_t nx_handle_value_t;

typedef struct handle_slot {
  object_t *object; /* NULL when free */
  uint32_t rights;
  uint16_t generation;
  uint16_t next_free; /* free-list link (slot index), valid when free */
} handle_slot_t;

typedef struct handle_table {
  handle_slot_t slots[HANDLE_TABLE_SLOTS];
  uint16_t free_head; /* HANDLE_TABLE_SLOTS when full */
  uint16_t used;
} handle_table_t;

void handle_table_init(handle_table_t *t);

/* Installs a reference to `obj` with `rights`; takes a reference. */
int handle_install(handle_table_t *t, object_t *obj, uint32_t rights, nx_handle_value_t *out);

/*
 * Resolves `h` to its object if it is live, names an object of `type`, and
 * carries every right in `rights`. Errors: NX_ERR_BAD_HANDLE (free, stale or
 * malformed), NX_ERR_WRONG_TYPE, NX_ERR_ACCESS_DENIED. No side effects.
 */
int handle_lookup(const handle_table_t *t, nx_handle_value_t h, uint32_t type, uint32_t rights,
                  object_t **out);

/* Closes `h`, dropping its reference; the slot's generation moves on. */
int handle_close(handle_table_t *t, nx_handle_value_t h);

#ifdef __cplusplus
}
#endif

#endif
