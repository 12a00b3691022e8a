/* A service that fails every time (exit code 3): init restarts it up to
 * its limit, then gives up, and the rest of the system goes on. */
#include "neuron/runtime.h"

int nx_main(const nx_start_info_t *start) {
  nx_log_str(start->log, "always_fails: failing\n");
  return 3;
}
