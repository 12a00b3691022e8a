/* Touches unmapped memory: the kernel must end this thread, nothing else. */
#include "neuron/runtime.h"

int nx_main(const nx_start_info_t *start) {
  nx_handle_t log = start->log;
  nx_log_str(log, "fault_unmapped: writing to an unmapped address\n");
  *(volatile uint64_t *)0x3000000000ul = 1;
  nx_log_str(log, "fault_unmapped: still alive (wrong)\n");
  return 1;
}
