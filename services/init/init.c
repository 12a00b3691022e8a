/*
 * init: the first user program. For now it proves user mode works: it
 * greets through its debug-log capability and exits.
 */
#include "neuron/runtime.h"

int nx_main(const nx_start_info_t *start) {
  nx_handle_t log = start->log;
  nx_log_str(log, "init: hello from user mode\n");
  return 0;
}
