/* The other task of //tests/qemu:yield_test: yields back a fixed number of
 * times, checking that nothing it keeps in variables changed. */
#include "test_util.h"

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  volatile uint64_t kept = 0x1234;
  uint32_t bad = 0;
  for (uint32_t i = 0; i < 600; i++) {
    nx_thread_yield();
    bad += kept != 0x1234;
  }
  t_say("yield_peer: done, %u changes\n", (unsigned)bad);
  return bad != 0;
}
