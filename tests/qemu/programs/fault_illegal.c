/* Executes an illegal instruction and then reads kernel memory. */
#include "neuron/runtime.h"

int nx_main(const nx_start_info_t *start) {
  nx_handle_t log = start->log;
  nx_log_str(log, "fault_illegal: executing an illegal instruction\n");
  __asm__ volatile(".word 0");
  nx_log_str(log, "fault_illegal: still alive (wrong)\n");
  return 1;
}
