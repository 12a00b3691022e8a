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

/* Serves init's setup endpoint until init calls setup_done; that call is
 * answered too. */
static int64_t serve_setup(nx_handle_t setup) {
  nx_ipc_words_t in, out;
  int64_t badge = nx_ipc_recv(setup, &in);
  while (badge >= 0) {
    registry_dispatch(&registry_service_ops, &g_service, (uint64_t)badge, &in, &out);
    if (g_service.setup_done) return nx_ipc_reply(out.w0, out.w1, out.w2, out.w3, out.info);
    badge = nx_ipc_reply_recv(setup, out.w0, out.w1, out.w2, out.w3, out.info, &in);
  }
  return badge;
}

static int fail(nx_handle_t log, const char *what, int64_t err) {
  char line[NX_DEBUG_WRITE_MAX];
  snprintf(line, sizeof line, "registryd: %s: %s\n", what, nx_error_name((int)err));
  nx_log_str(log, line);
  return 1;
}

int nx_main(const nx_start_info_t *start) {
  registry_service_init(&g_service);
  int64_t err = serve_setup(start->h1);
  if (err != NX_OK) return fail(start->log, "setup ended", err);
  nx_log_str(start->log, "registryd: serving\n");
  return fail(start->log, "serving ended",
              registry_serve(start->h0, &registry_service_ops, &g_service));
}
