#include "neuron/registry.h"

#include "neuron/errors.h"

void registry_init(registry_t *r) {
  for (size_t i = 0; i < REGISTRY_ENTRIES; i++) r->entries[i].owner = 0;
  registry_grants_init(&r->grants);
}

static registry_entry_t *registry_find(const registry_t *r, const char *name, size_t len) {
  for (size_t i = 0; i < REGISTRY_ENTRIES; i++) {
    const registry_entry_t *e = &r->entries[i];
    if (e->owner != 0 && registry_name_equal(e->name, name, len)) return (registry_entry_t *)e;
  }
  return NULL;
}

/* The checks register and unregister share: a valid name the caller may
 * serve. Grants are checked before the table, so a caller without them
 * learns nothing about what is registered. */
static int registry_check_serve(const registry_t *r, uint64_t owner, const char *name, size_t len) {
  int err = registry_name_check(name, len);
  if (err != NX_OK) return err;
  if ((registry_grants_rights(&r->grants, owner, name, len) & REGISTRY_SERVE) == 0) {
    return NX_ERR_ACCESS_DENIED;
  }
  return NX_OK;
}

int registry_register(registry_t *r, uint64_t owner, const char *name, size_t len,
                      uint32_t endpoint, uint32_t *replaced) {
  if (replaced != NULL) *replaced = 0;
  int err = registry_check_serve(r, owner, name, len);
  if (err != NX_OK) return err;
  if (endpoint == 0) return NX_ERR_BAD_HANDLE;
  registry_entry_t *e = registry_find(r, name, len);
  if (e != NULL) {
    if (e->owner != owner) return NX_ERR_ACCESS_DENIED;
    /* The same handle again replaces nothing: the glue must not close it. */
    if (replaced != NULL && e->endpoint != endpoint) *replaced = e->endpoint;
    e->endpoint = endpoint;
    return NX_OK;
  }
  for (size_t i = 0; i < REGISTRY_ENTRIES; i++) {
    e = &r->entries[i];
    if (e->owner != 0) continue;
    e->owner = owner;
    e->endpoint = endpoint;
    registry_name_copy(e->name, name, len);
    return NX_OK;
  }
  return NX_ERR_NO_MEMORY;
}

int registry_lookup(const registry_t *r, uint64_t client, const char *name, size_t len,
                    uint32_t *endpoint) {
  if (endpoint == NULL) return NX_ERR_INVALID_ARGS;
  int err = registry_name_check(name, len);
  if (err != NX_OK) return err;
  if ((registry_grants_rights(&r->grants, client, name, len) & REGISTRY_LOOKUP) == 0) {
    return NX_ERR_ACCESS_DENIED;
  }
  const registry_entry_t *e = registry_find(r, name, len);
  if (e == NULL) return NX_ERR_NOT_FOUND;
  *endpoint = e->endpoint;
  return NX_OK;
}

int registry_unregister(registry_t *r, uint64_t owner, const char *name, size_t len,
                        uint32_t *endpoint) {
  int err = registry_check_serve(r, owner, name, len);
  if (err != NX_OK) return err;
  registry_entry_t *e = registry_find(r, name, len);
  if (e == NULL) return NX_ERR_NOT_FOUND;
  if (e->owner != owner) return NX_ERR_ACCESS_DENIED;
  if (endpoint != NULL) *endpoint = e->endpoint;
  e->owner = 0;
  return NX_OK;
}

size_t registry_remove_owner(registry_t *r, uint64_t owner, registry_release_fn release,
                             void *ctx) {
  size_t n = 0;
  if (owner == 0) return 0; /* free slots have owner 0 */
  for (size_t i = 0; i < REGISTRY_ENTRIES; i++) {
    registry_entry_t *e = &r->entries[i];
    if (e->owner != owner) continue;
    e->owner = 0;
    n++;
    if (release != NULL) release(ctx, e->endpoint);
  }
  return n;
}

size_t registry_count(const registry_t *r) {
  size_t n = 0;
  for (size_t i = 0; i < REGISTRY_ENTRIES; i++) n += r->entries[i].owner != 0;
  return n;
}
