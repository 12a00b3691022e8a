/* A driver that binds the UART's interrupt (handed over in h0) to a
 * notification of its own and waits there, for //tests/qemu:irq_test to
 * kill: the binding must end with it, so a restarted driver can bind the
 * line again and the notification comes back. */
#include "test_util.h"

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  nx_handle_t n = (nx_handle_t)t_ok("irq_child", "notification", nx_notification_create());
  t_expect("irq_child", "interrupt_bind", nx_interrupt_bind(start->h0, n, 1), NX_OK);
  t_say("irq_child: bound, waiting\n");
  nx_notification_wait(n, 2, NX_DEADLINE_NEVER); /* not the interrupt's bit: for good */
  return 1;
}
