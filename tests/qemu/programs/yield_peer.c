/* The other task of //tests/qemu:yield_test: yields back a fixed number of
 * times with its own pattern in the registers the ABI keeps (keep_regs.h),
 * so that a register the kernel let through from yield_test, or kept from
 * here, shows on one side or the other. */
#include "keep_regs.h"
#include "neuron/syscall_numbers.h"
#include "test_util.h"

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  uint32_t bad = 0;
  for (uint32_t i = 0; i < 600; i++) {
    const uint64_t in[6] = {0};
    uint64_t out[6];
    bad += (uint32_t)ecall_keeping(NX_SYS_THREAD_YIELD, in, out, 70000 + i);
  }
  t_say("yield_peer: done, %u changes\n", (unsigned)bad);
  return bad != 0;
}
