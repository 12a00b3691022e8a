#include "neuron/errors.h"
#include "neuron/registry_grants.h"

void registry_grants_init(registry_grants_t *g) {
  for (size_t i = 0; i < REGISTRY_GRANTS; i++) g->slots[i].badge = 0;
}

static registry_grant_t *grants_find(const registry_grants_t *g, uint64_t badge, const char *name,
                                     size_t len) {
  for (size_t i = 0; i < REGISTRY_GRANTS; i++) {
    const registry_grant_t *s = &g->slots[i];
    if (s->badge == badge && registry_name_equal(s->name, name, len)) {
      return (registry_grant_t *)s;
    }
  }
  return NULL;
}

int registry_grants_add(registry_grants_t *g, uint64_t badge, const char *name, size_t len,
                        uint32_t rights) {
  if (badge == 0 || rights == 0 || (rights & ~REGISTRY_RIGHTS_ALL) != 0) {
    return NX_ERR_INVALID_ARGS;
  }
  int err = registry_name_check(name, len);
  if (err != NX_OK) return err;
  registry_grant_t *s = grants_find(g, badge, name, len);
  if (s != NULL) {
    s->rights |= rights;
    return NX_OK;
  }
  for (size_t i = 0; i < REGISTRY_GRANTS; i++) {
    s = &g->slots[i];
    if (s->badge != 0) continue;
    s->badge = badge;
    s->rights = rights;
    registry_name_copy(s->name, name, len);
    return NX_OK;
  }
  return NX_ERR_NO_MEMORY;
}

uint32_t registry_grants_rights(const registry_grants_t *g, uint64_t badge, const char *name,
                                size_t len) {
  /* Free slots have badge 0, so badge 0 must not be searched for. */
  if (badge == 0 || registry_name_check(name, len) != NX_OK) return 0;
  const registry_grant_t *s = grants_find(g, badge, name, len);
  return s != NULL ? s->rights : 0;
}

size_t registry_grants_revoke(registry_grants_t *g, uint64_t badge) {
  size_t n = 0;
  if (badge == 0) return 0;
  for (size_t i = 0; i < REGISTRY_GRANTS; i++) {
    if (g->slots[i].badge == badge) {
      g->slots[i].badge = 0;
      n++;
    }
  }
  return n;
}
