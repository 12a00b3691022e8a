/*
 * registryd's handlers: the registry protocol (registry.toml,
 * //services/registry:api) over the core, a name table with its grant set
 * (registry_table.h) and the programs' names (registry_programs.h).
 * Portable: their only syscalls are nx_handle_mint and nx_handle_close,
 * which the host test fakes.
 *
 * A caller is its badge: the kernel hands registryd the badge of the
 * capability each call came through, and init mints one per program
 * (BOOTPLAN_BADGE(i)) and one for itself (BOOTPLAN_BADGE_INIT). grant,
 * name_badge and setup_done answer init's badge alone (NX_ERR_ACCESS_DENIED
 * otherwise), so what a program may do is what init's boot plan says.
 *
 * Handles. The table keeps each registered endpoint as it came: unbadged,
 * with write, duplicate and transfer. A lookup mints a copy in registryd's
 * own table with the caller's badge and write + transfer (transfer: the
 * reply moves it to the caller; no duplicate: the caller cannot derive
 * more); the reply moves it. register_endpoint mints (and closes) such a
 * copy at once, so a handle no lookup could derive from is refused when the
 * server registers, not when its first client looks it up. An endpoint a
 * new registration replaces is closed, and so is the handle of every
 * refused call: nothing leaks.
 *
 * The contract with init, at boot and whenever init restarts registryd:
 *  1. init starts registryd first, with the receive handle of the
 *     "registry" endpoint as start->h0 and that of a setup endpoint of its
 *     own as start->h1. Steps 2 and 3 go through the setup endpoint;
 *     registryd serves nothing else until step 4.
 *  2. Through a setup handle badged BOOTPLAN_BADGE_INIT, for every
 *     program i of the plan: grant(BOOTPLAN_BADGE(i), REGISTRY_LOOKUP,
 *     name) for each service it calls, grant(BOOTPLAN_BADGE(i),
 *     REGISTRY_SERVE, name) for the service it provides, and
 *     name_badge(BOOTPLAN_BADGE(i), its program name).
 *  3. For every service, init registers the endpoint on its server's
 *     behalf: register_endpoint through a setup handle minted with the
 *     server's badge, with an unbadged handle to the endpoint (write,
 *     duplicate, transfer).
 *  4. init calls setup_done; registryd answers and from then on serves the
 *     "registry" endpoint.
 *  5. A program looks a service up through its own registry handle
 *     (badged with its badge) and gets a send handle with that badge.
 */
#ifndef NEURON_REGISTRY_SERVICE_H
#define NEURON_REGISTRY_SERVICE_H

#include <stdbool.h>

#include "neuron/registry_programs.h"
#include "neuron/registry_table.h"
#include "services/registry/registry_server.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct registry_service {
  registry_table_t table;       /* names, endpoints, grants */
  registry_programs_t programs; /* badge -> program name */
  bool setup_done;              /* init said setup_done */
} registry_service_t;

/* Nothing registered, granted or named. */
void registry_service_init(registry_service_t *s);

/* The protocol's handlers; their ctx is a registry_service_t. */
extern const registry_ops_t registry_service_ops;

#ifdef __cplusplus
}
#endif

#endif
