/*
 * A program whose plan entry calls only the registry
 * (//tests/qemu:services_test): every lookup of another service is
 * refused, whether the name exists or not, so it cannot reach them.
 */
#include <string.h>

#include "services/registry/registry_client.h"
#include "test_util.h"

#define P "registry_intruder"

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  static const char *const names[] = {"log", "flaky", "system", "console", "nonexistent"};
  uint32_t refused = 0;
  for (uint32_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    registry_lookup_result_t r = {0};
    int64_t err = registry_lookup(start->h1, names[i], strlen(names[i]), &r);
    refused += t_expect(P, names[i], err, NX_ERR_ACCESS_DENIED);
  }
  t_say(P ": %u of 5 lookups refused: access-denied\n", (unsigned)refused);
  return 0;
}
