/* Sleeps to three deadlines and checks it never wakes early. */
#include "neuron/runtime.h"

int nx_main(const nx_start_info_t *start) {
  nx_handle_t log = start->log;
  int early = 0;
  for (int i = 1; i <= 3; i++) {
    int64_t deadline = nx_clock_get() + 20000000ll * i; /* 20, 40, 60 ms */
    nx_nanosleep_until((uint64_t)deadline);
    if (nx_clock_get() < deadline) early++;
  }
  nx_log_str(log, early ? "sleeper: woke early\n" : "sleeper: woke at every deadline\n");
  return early;
}
