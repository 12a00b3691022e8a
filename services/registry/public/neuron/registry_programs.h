/*
 * The programs' names, by badge: what name_of answers. A server receives
 * only its clients' badges; one that shows them to people (the log) asks
 * the registry for the name. init records each program's name at boot
 * (name_badge), from its boot plan.
 *
 * A program's badge is its plan index + 1 (BOOTPLAN_BADGE), so the table
 * is an array indexed by badge - 1 with room for every program a plan can
 * hold; init's own badge and 0 name no program.
 */
#ifndef NEURON_REGISTRY_PROGRAMS_H
#define NEURON_REGISTRY_PROGRAMS_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/bootplan.h"
#include "neuron/registry_name.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct registry_programs {
  char names[BOOTPLAN_PROGRAMS][REGISTRY_NAME_MAX + 1]; /* "": not named yet */
} registry_programs_t;

/* No program named. */
void registry_programs_init(registry_programs_t *p);

/* Records that `badge` belongs to the program called name[0..len),
 * replacing an earlier name (init may replay it when it restarts the
 * program). NX_ERR_INVALID_ARGS: badge is no program's (0, or over
 * BOOTPLAN_PROGRAMS), or a bad name (registry_name_check). */
int registry_programs_set(registry_programs_t *p, uint64_t badge, const char *name, size_t len);

/* The name recorded for `badge` (NUL-terminated), or NULL if none. */
const char *registry_programs_name(const registry_programs_t *p, uint64_t badge);

#ifdef __cplusplus
}
#endif

#endif
