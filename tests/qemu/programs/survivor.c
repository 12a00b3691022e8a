/* Runs after the faulting tasks: proves the kernel and other tasks go on. */
#include "neuron/runtime.h"

int nx_main(nx_handle_t log) {
  nx_thread_yield();
  nx_log_str(log, "survivor: still running after the faults\n");
  return 0;
}
