/* Runs after the faulting tasks: proves the kernel and other tasks go on. */
#include "neuron/runtime.h"

int nx_main(const nx_start_info_t *start) {
  nx_handle_t log = start->log;
  nx_thread_yield();
  nx_log_str(log, "survivor: still running after the faults\n");
  return 0;
}
