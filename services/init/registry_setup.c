/*
 * Telling the registry what the boot plan grants (services/registry): init
 * calls it on its setup endpoint (which registryd serves before anything
 * else, and only init holds) through a handle minted with its own badge
 * (BOOTPLAN_BADGE_INIT), the only one whose grants the registry takes. For every program: a
 * LOOKUP grant on each service it calls, a SERVE grant on the one it
 * provides, and its name (for servers that show clients by name). Then
 * init registers each service's endpoint on its server's behalf, through a
 * handle minted with that server's badge, so a lookup finds the service
 * from the start and a server restarted by init keeps serving the same
 * endpoint. init's own "system" service is registered the same way under
 * init's badge. Last, setup_done: registryd answers and turns to its own
 * endpoint, where clients' calls may already wait. A registry that init
 * restarts starts empty and is told all of it again the same way, before
 * it answers any client.
 */
#include <string.h>

#include "init_state.h"
#include "neuron/registry_rights.h"
#include "services/registry/registry_client.h"

static int report(int64_t err, const char *what, const char *name) {
  if (err != NX_OK) {
    init_say("init: registry: %s %s: %s\n", what, name, nx_error_name((int)err));
  }
  return (int)err;
}

/* Registers `ep` under `name`, owned by `owner`, through the registry's
 * setup endpoint. */
static int register_for(nx_handle_t setup, uint64_t owner, const char *name, nx_handle_t ep) {
  int64_t as_owner = nx_handle_mint(setup, NX_RIGHT_WRITE, owner);
  if (as_owner < 0) return report(as_owner, "cannot act for the server of", name);
  /* The registry keeps an unbadged send handle, from which it mints each
   * client's badged one. */
  int64_t copy = nx_handle_dup(ep, NX_RIGHT_WRITE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER);
  int64_t err = copy;
  if (copy >= 0) {
    err = registry_register_endpoint((nx_handle_t)as_owner, name, strlen(name), (nx_handle_t)copy);
  }
  nx_handle_close((nx_handle_t)as_owner);
  return report(err, "cannot register", name);
}

int init_setup_registry(uint32_t registry) {
  const bootplan_t *plan = &g_init.plan;
  nx_handle_t setup = g_init.registry_setup;
  if (!setup)
    return report(NX_ERR_BAD_HANDLE, "no setup endpoint for", plan->programs[registry].name);
  int64_t mine = nx_handle_mint(setup, NX_RIGHT_WRITE, BOOTPLAN_BADGE_INIT);
  int err = report(mine < 0 ? mine : NX_OK, "no handle to", plan->programs[registry].name);
  if (err == NX_OK) {
    err = report(registry_grant((nx_handle_t)mine, BOOTPLAN_BADGE_INIT, REGISTRY_SERVE, "system",
                                strlen("system")),
                 "cannot grant", "system");
  }
  for (uint32_t i = 0; i < plan->count && err == NX_OK; i++) {
    const bootplan_program_t *p = &plan->programs[i];
    err =
        report(registry_name_badge((nx_handle_t)mine, BOOTPLAN_BADGE(i), p->name, strlen(p->name)),
               "cannot name", p->name);
    for (uint32_t c = 0; c < p->call_count && err == NX_OK; c++) {
      err = report(registry_grant((nx_handle_t)mine, BOOTPLAN_BADGE(i), REGISTRY_LOOKUP,
                                  p->calls[c], strlen(p->calls[c])),
                   "cannot grant", p->calls[c]);
    }
    if (err == NX_OK && p->provides[0]) {
      err = report(registry_grant((nx_handle_t)mine, BOOTPLAN_BADGE(i), REGISTRY_SERVE, p->provides,
                                  strlen(p->provides)),
                   "cannot grant", p->provides);
    }
  }
  for (uint32_t i = 0; i < plan->count && err == NX_OK; i++) {
    if (i != registry && g_init.endpoints[i]) {
      err = register_for(setup, BOOTPLAN_BADGE(i), plan->programs[i].provides, g_init.endpoints[i]);
    }
  }
  if (err == NX_OK) err = register_for(setup, BOOTPLAN_BADGE_INIT, "system", g_init.system);
  if (err == NX_OK) err = report(registry_setup_done((nx_handle_t)mine), "cannot finish", "setup");
  if (mine >= 0) nx_handle_close((nx_handle_t)mine);
  nx_handle_close(setup);
  g_init.registry_setup = 0;
  return err;
}
