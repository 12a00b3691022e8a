/* Reads the kernel image from user mode: refused by the U bit. */
#include "neuron/runtime.h"

int nx_main(const nx_start_info_t *start) {
  nx_handle_t log = start->log;
  nx_log_str(log, "fault_kernel_read: reading kernel memory\n");
  volatile uint64_t v = *(volatile uint64_t *)0xffffffff80200000ul;
  (void)v;
  nx_log_str(log, "fault_kernel_read: still alive (wrong)\n");
  return 1;
}
