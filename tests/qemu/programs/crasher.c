/* A service that crashes on its first start (a store to an unmapped
 * address) and runs fine once restarted: init must restart it after its
 * backoff. start->arg0 is its restart count. */
#include "neuron/runtime.h"

int nx_main(const nx_start_info_t *start) {
  if (start->arg0 == 0) {
    nx_log_str(start->log, "crasher: first start, crashing\n");
    *(volatile int *)0x3000000000ul = 1;
  }
  nx_log_str(start->log, "crasher: up after a restart\n");
  return 0;
}
