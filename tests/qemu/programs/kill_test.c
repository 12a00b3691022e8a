/*
 * A task killed while it is blocked leaves nothing behind
 * (//tests/qemu:kill_test): app/waiting_child_* block in a notification
 * wait, a wait-set wait, an ipc_call that moves a VMO no server takes, and
 * an ipc_recv; each is killed while it waits, and afterwards nothing is
 * charged to its quota (its notification, wait set and VMO are freed,
 * whatever its wait held on them).
 */
#include "test_util.h"

#define P "kill_test"

/* Starts app/`name` with `ep` (rights `rights`) as h0, lets it reach its
 * wait, kills it and says what is still charged to it. */
static void kill_waiting(const nx_start_info_t *start, const char *name, nx_handle_t ep,
                         uint32_t rights) {
  nx_handle_t task = (nx_handle_t)t_start_app(P, start, name, 64, ep, rights);
  nx_thread_yield(); /* it runs until its wait blocks */
  nx_task_info_t ti;
  t_expect(P, "task_info", nx_task_info(task, &ti), NX_OK);
  t_expect(P, "it waits", ti.state == NX_TASK_STATE_RUNNING && ti.threads == 1, 1);
  t_expect(P, "task_kill", nx_task_kill(task, 9), NX_OK);
  t_expect(P, "task_info", nx_task_info(task, &ti), NX_OK);
  t_say(P ": %s killed while it waits: %u pages left charged to it\n", name,
        (unsigned)ti.pages_used);
  t_expect(P, "nothing left charged", (int64_t)ti.pages_used, 0);
  nx_handle_close(task);
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  nx_handle_t ep = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
  kill_waiting(start, "waiting_child_n", ep, NX_RIGHT_READ);
  kill_waiting(start, "waiting_child_ws", ep, NX_RIGHT_READ);
  kill_waiting(start, "waiting_child_call", ep, NX_RIGHT_WRITE);
  kill_waiting(start, "waiting_child_recv", ep, NX_RIGHT_READ);
  t_say(P ": done, %d failures\n", t_failures);
  return t_failures != 0;
}
