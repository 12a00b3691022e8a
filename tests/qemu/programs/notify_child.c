/*
 * The waiter in another task for //tests/qemu:notify_test: waits on its h0
 * (a notification of notify_test's, with the wait and signal rights) for
 * bit 0x2, and after each wake-up raises 0x4 on it, which no one waits
 * for: notify_test, less urgent, sees it pending when its signal returns
 * only if this task ran in between. Bit 0x8 ends it. Every wait goes
 * through ecall_keeping, so a register the switch between the address
 * spaces lost shows in its count.
 */
#include "keep_regs.h"
#include "neuron/syscall_numbers.h"
#include "test_util.h"

#define P "notify_child"

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  uint32_t waits = 0, right = 0, changed = 0;
  for (uint64_t i = 0;; i++) {
    const uint64_t in[6] = {start->h0, 0x2 | 0x8, NX_DEADLINE_NEVER};
    uint64_t out[6];
    changed += (uint32_t)ecall_keeping(NX_SYS_NOTIFICATION_WAIT, in, out, 500 + i);
    if (out[0] & 0x8) break;
    waits++;
    right += out[0] == 0x2;
    t_expect(P, "notification_signal", nx_notification_signal(start->h0, 0x4), NX_OK);
  }
  t_say(P ": %u waits, %u returned 0x2, %u registers changed\n", (unsigned)waits, (unsigned)right,
        (unsigned)changed);
  return waits != right || changed != 0;
}
