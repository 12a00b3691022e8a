/* A task that waits for good, for //tests/qemu:notify_test to kill: on a
 * notification of its own (notify_child_n) or through a wait set
 * (notify_child_ws). Whatever the wait held must come back when it dies. */
#include "test_util.h"

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  nx_handle_t n = (nx_handle_t)t_ok("waiting_child", "notification", nx_notification_create());
#ifdef THROUGH_WAITSET
  nx_handle_t ws = (nx_handle_t)t_ok("waiting_child", "waitset", nx_waitset_create());
  t_ok("waiting_child", "waitset_add", nx_waitset_add(ws, n, 1));
  uint64_t bits;
  nx_waitset_wait(ws, NX_DEADLINE_NEVER, (uintptr_t)&bits);
#else
  nx_notification_wait(n, 1, NX_DEADLINE_NEVER);
#endif
  t_say("waiting_child: FAILED: woke up\n");
  return 1;
}
