/* Needs 16 MiB of zeroed data, twice a boot program's quota: the kernel
 * must refuse to start it with an error, and start everything else. */
#include "neuron/runtime.h"

static volatile char big[16 << 20];

int nx_main(const nx_start_info_t *start) {
  nx_handle_t log = start->log;
  big[sizeof big - 1] = 1;
  nx_log_str(log, "big_bss: started (wrong: it is over its quota)\n");
  return 1;
}
