/*
 * The registry's grant set: which names each program may look up or serve,
 * as init's boot plan says (the manifest's grants, built and checked by the
 * image rule).
 *
 * A program is known by its badge: init mints each program's capability to
 * the registry endpoint with a badge of its own and keeps that badge across
 * the program's restarts, and the kernel hands the badge to the registry
 * with every call (docs/abi.md). A client cannot forge it, so the grant set
 * keyed by badge is what stops a program from reaching a service its
 * manifest entry does not name. Badge 0 means an unbadged capability: it
 * identifies no program and is never granted anything.
 *
 * The server glue must accept grant changes only from init.
 */
#ifndef NEURON_REGISTRY_GRANTS_H
#define NEURON_REGISTRY_GRANTS_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/registry_name.h"
#include "neuron/registry_rights.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most (program, name) pairs the set holds: every program's grants
 * together. */
#define REGISTRY_GRANTS 128u

typedef struct registry_grant {
  uint64_t badge; /* 0: slot free */
  uint32_t rights;
  char name[REGISTRY_NAME_MAX + 1];
} registry_grant_t;

typedef struct registry_grants {
  registry_grant_t slots[REGISTRY_GRANTS];
} registry_grants_t;

void registry_grants_init(registry_grants_t *g);

/* Grants `rights` on `name` to the program with `badge`, adding to what it
 * already holds on that name (granting twice is harmless, so init can
 * replay a program's grants when it restarts it).
 * NX_ERR_INVALID_ARGS: badge 0, rights empty or unknown, or a bad name.
 * NX_ERR_NO_MEMORY: the set is full. */
int registry_grants_add(registry_grants_t *g, uint64_t badge, const char *name, size_t len,
                        uint32_t rights);

/* The rights `badge` holds on `name`: 0 when none (also for badge 0 and
 * for names that are not valid). */
uint32_t registry_grants_rights(const registry_grants_t *g, uint64_t badge, const char *name,
                                size_t len);

/* Drops every grant of `badge` (its program left the system for good);
 * returns how many names it held. */
size_t registry_grants_revoke(registry_grants_t *g, uint64_t badge);

#ifdef __cplusplus
}
#endif

#endif
