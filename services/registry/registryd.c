/*
 * registryd, the name service (app/registryd): init starts it first, with
 * the receive handle of the "registry" endpoint as start->h0, and it
 * serves the registry protocol there for good (registry.toml; the
 * handlers and the contract with init are in neuron/registry_service.h).
 * It returns only if receiving fails, which a healthy system never sees:
 * init then restarts it, empty, and must replay its grants, names and
 * registrations.
 */
#include <stdio.h>

#include "neuron/errors.h"
#include "neuron/registry_service.h"
#include "neuron/runtime.h"
#include "services/registry/registry_server.h"

static registry_service_t g_service; /* ~9 KiB: in .bss */

int nx_main(const nx_start_info_t *start) {
  registry_service_init(&g_service);
  nx_log_str(start->log, "registryd: serving\n");
  int64_t err = registry_serve(start->h0, &registry_service_ops, &g_service);
  char line[NX_DEBUG_WRITE_MAX];
  snprintf(line, sizeof line, "registryd: serving ended: %s\n", nx_error_name((int)err));
  nx_log_str(start->log, line);
  return 1;
}
