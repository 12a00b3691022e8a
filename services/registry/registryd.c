/*
 * registryd, the name service (app/registryd): init starts it first, with
 * the receive handle of the "registry" endpoint as start->h0 and that of a
 * setup endpoint only init can call as start->h1 (the registry calls no
 * service, so h1 is free). It first serves the setup endpoint, where init
 * grants, names and registers everything the boot plan says, until init
 * calls setup_done; only then does it serve its own endpoint, for good
 * (registry.toml; the handlers and the contract with init are in
 * neuron/registry_service.h). So no client is answered by a registry that
 * does not know the plan yet: at boot, and when init restarts it (it
 * starts empty) while clients' calls wait on its endpoint.
 */
#include <stdio.h>

#include "neuron/errors.h"
#include "neuron/registry_service.h"
#include "neuron/runtime.h"
#include "services/registry/registry_server.h"

static registry_service_t g_service; /* ~9 KiB: in .bss */

static int fail(nx_handle_t log, const char *what, int64_t err) {
  char line[NX_DEBUG_WRITE_MAX];
  snprintf(line, sizeof line, "registryd: %s: %s\n", what, nx_error_name((int)err));
  nx_log_str(log, line);
  return 1;
}

int nx_main(const nx_start_info_t *start) {
  registry_service_init(&g_service);
  /* init's setup endpoint first, until init calls setup_done. */
  int64_t err =
      registry_serve_until(start->h1, &registry_service_ops, &g_service, &g_service.setup_done);
  if (err != NX_OK) return fail(start->log, "setup ended", err);
  nx_log_str(start->log, "registryd: serving\n");
  return fail(start->log, "serving ended",
              registry_serve(start->h0, &registry_service_ops, &g_service));
}
