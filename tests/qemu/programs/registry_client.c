/*
 * A client of several services (//tests/qemu:services_test). Its plan
 * entry calls registry, flaky, log and system: init hands it the first
 * three as start->h1..h3, and it finds "system" (its fourth) by name in the
 * registry. It checks that a lookup of a name its plan does not call is
 * refused, that its calls reach each service, that after the flaky service
 * crashes (and init restarts it) its next call succeeds through the same
 * handle, that after the registry itself is restarted its lookups (and
 * refusals) are as before, and last it shuts the system down.
 */
#include "services/registry/registry_client.h"

#include <string.h>

#include "services/init/system_client.h"
#include "services/log/log_client.h"
#include "test_util.h"
#include "tests/qemu/programs/flaky_client.h"

#define P "registry_client"

static nx_handle_t lookup(nx_handle_t registry, const char *name, int64_t want) {
  registry_lookup_result_t r = {0};
  int64_t err = registry_lookup(registry, name, strlen(name), &r);
  t_say(P ": lookup %s: %s\n", name, nx_error_name((int)err));
  t_expect(P, name, err, want);
  return err == NX_OK ? r.endpoint : 0;
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  nx_handle_t registry = start->h1, flaky = start->h2, log = start->h3;
  lookup(registry, "console", NX_ERR_ACCESS_DENIED); /* not in its plan entry */
  nx_handle_t system = lookup(registry, "system", NX_OK);
  nx_handle_t flaky_again = lookup(registry, "flaky", NX_OK);

  log_write_result_t w;
  t_expect(P, "log write", log_write(log, 1, "found by name", 13, &w), NX_OK);
  flaky_echo_result_t e = {0};
  t_expect(P, "echo", flaky_echo(flaky, 41, &e), NX_OK);
  t_expect(P, "echo through the looked-up handle", flaky_echo(flaky_again, 1, &e), NX_OK);
  t_say(P ": flaky answered %llu before the crash\n", (unsigned long long)e.value);
  int64_t err = flaky_crash(flaky);
  t_say(P ": the crash call ended with %s\n", nx_error_name((int)err));
  err = flaky_echo(flaky, 99, &e);
  t_expect(P, "echo after the restart", err, NX_OK);
  t_expect(P, "value", (int64_t)e.value, 100);
  t_say(P ": next call answered %llu by the server restarted %llu time(s)\n",
        (unsigned long long)e.value, (unsigned long long)e.restarts);
  /* The registry itself ended and restarted (registryd is plan index 0):
   * init tells the new one everything again, before this lookup (init's
   * calls, more urgent, queue ahead of it on the same endpoint). */
  t_expect(P, "restart the registry", system_restart(system, 0), NX_OK);
  lookup(registry, "flaky", NX_OK);
  lookup(registry, "console", NX_ERR_ACCESS_DENIED);
  t_say(P ": shutting down\n");
  return (int)system_shutdown(system);
}
