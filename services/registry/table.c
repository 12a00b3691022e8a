#include "neuron/errors.h"
#include "neuron/registry_table.h"

void registry_table_init(registry_table_t *r) {
  for (size_t i = 0; i < REGISTRY_TABLE_ENTRIES; i++) r->entries[i].owner = 0;
  registry_grants_init(&r->grants);
}

static registry_table_entry_t *table_find(const registry_table_t *r, const char *name, size_t len) {
  for (size_t i = 0; i < REGISTRY_TABLE_ENTRIES; i++) {
    const registry_table_entry_t *e = &r->entries[i];
    if (e->owner != 0 && registry_name_equal(e->name, name, len))
      return (registry_table_entry_t *)e;
  }
  return NULL;
}

/* Grants are checked before the table, so a caller without them learns
 * nothing about what is registered. */
int registry_table_check_serve(const registry_table_t *r, uint64_t owner, const char *name,
                               size_t len) {
  int err = registry_name_check(name, len);
  if (err != NX_OK) return err;
  if ((registry_grants_rights(&r->grants, owner, name, len) & REGISTRY_SERVE) == 0) {
    return NX_ERR_ACCESS_DENIED;
  }
  return NX_OK;
}

int registry_table_register(registry_table_t *r, uint64_t owner, const char *name, size_t len,
                            uint32_t endpoint, uint32_t *replaced) {
  if (replaced != NULL) *replaced = 0;
  int err = registry_table_check_serve(r, owner, name, len);
  if (err != NX_OK) return err;
  if (endpoint == 0) return NX_ERR_BAD_HANDLE;
  registry_table_entry_t *e = table_find(r, name, len);
  if (e != NULL) {
    if (e->owner != owner) return NX_ERR_ACCESS_DENIED;
    /* The same handle again replaces nothing: the glue must not close it. */
    if (replaced != NULL && e->endpoint != endpoint) *replaced = e->endpoint;
    e->endpoint = endpoint;
    return NX_OK;
  }
  for (size_t i = 0; i < REGISTRY_TABLE_ENTRIES; i++) {
    e = &r->entries[i];
    if (e->owner != 0) continue;
    e->owner = owner;
    e->endpoint = endpoint;
    registry_name_copy(e->name, name, len);
    return NX_OK;
  }
  return NX_ERR_NO_MEMORY;
}

int registry_table_lookup(const registry_table_t *r, uint64_t client, const char *name, size_t len,
                          uint32_t *endpoint) {
  if (endpoint == NULL) return NX_ERR_INVALID_ARGS;
  int err = registry_name_check(name, len);
  if (err != NX_OK) return err;
  if ((registry_grants_rights(&r->grants, client, name, len) & REGISTRY_LOOKUP) == 0) {
    return NX_ERR_ACCESS_DENIED;
  }
  const registry_table_entry_t *e = table_find(r, name, len);
  if (e == NULL) return NX_ERR_NOT_FOUND;
  *endpoint = e->endpoint;
  return NX_OK;
}

int registry_table_unregister(registry_table_t *r, uint64_t owner, const char *name, size_t len,
                              uint32_t *endpoint) {
  int err = registry_table_check_serve(r, owner, name, len);
  if (err != NX_OK) return err;
  registry_table_entry_t *e = table_find(r, name, len);
  if (e == NULL) return NX_ERR_NOT_FOUND;
  if (e->owner != owner) return NX_ERR_ACCESS_DENIED;
  if (endpoint != NULL) *endpoint = e->endpoint;
  e->owner = 0;
  return NX_OK;
}

size_t registry_table_remove_owner(registry_table_t *r, uint64_t owner,
                                   registry_table_release_fn release, void *ctx) {
  size_t n = 0;
  if (owner == 0) return 0; /* free slots have owner 0 */
  for (size_t i = 0; i < REGISTRY_TABLE_ENTRIES; i++) {
    registry_table_entry_t *e = &r->entries[i];
    if (e->owner != owner) continue;
    e->owner = 0;
    n++;
    if (release != NULL) release(ctx, e->endpoint);
  }
  return n;
}

size_t registry_table_count(const registry_table_t *r) {
  size_t n = 0;
  for (size_t i = 0; i < REGISTRY_TABLE_ENTRIES; i++) n += r->entries[i].owner != 0;
  return n;
}
