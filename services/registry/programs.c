#include "neuron/errors.h"
#include "neuron/registry_programs.h"

/* Every program name of a boot plan must fit a registry name. */
_Static_assert(BOOTPLAN_NAME_MAX <= REGISTRY_NAME_MAX, "program names longer than registry names");

void registry_programs_init(registry_programs_t *p) {
  for (size_t i = 0; i < BOOTPLAN_PROGRAMS; i++) p->names[i][0] = '\0';
}

static bool badge_is_program(uint64_t badge) { return badge != 0 && badge <= BOOTPLAN_PROGRAMS; }

int registry_programs_set(registry_programs_t *p, uint64_t badge, const char *name, size_t len) {
  if (!badge_is_program(badge)) return NX_ERR_INVALID_ARGS;
  int err = registry_name_check(name, len);
  if (err != NX_OK) return err;
  registry_name_copy(p->names[badge - 1], name, len);
  return NX_OK;
}

const char *registry_programs_name(const registry_programs_t *p, uint64_t badge) {
  if (!badge_is_program(badge) || p->names[badge - 1][0] == '\0') return NULL;
  return p->names[badge - 1];
}
