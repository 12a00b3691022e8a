/* A task that blocks for good, for //tests/qemu:kill_test to kill while it
 * waits; whatever its wait holds must come back when it dies. How it waits
 * (one program per way, made with -D):
 *   WAIT_NOTIFICATION  on a notification of its own;
 *   WAIT_WAITSET       through a wait set holding that notification;
 *   WAIT_CALL          in an ipc_call on h0 that no server takes, moving a
 *                      VMO of its own (4 pages) with the call;
 *   WAIT_RECV          in an ipc_recv on h0 that no caller reaches. */
#include "test_util.h"

#define P "waiting_child"

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
#if defined(WAIT_NOTIFICATION) || defined(WAIT_WAITSET)
  nx_handle_t n = (nx_handle_t)t_ok(P, "notification", nx_notification_create());
#endif
#if defined(WAIT_NOTIFICATION)
  nx_notification_wait(n, 1, NX_DEADLINE_NEVER);
#elif defined(WAIT_WAITSET)
  nx_handle_t ws = (nx_handle_t)t_ok(P, "waitset", nx_waitset_create());
  t_ok(P, "waitset_add", nx_waitset_add(ws, n, 1));
  uint64_t bits;
  nx_waitset_wait(ws, NX_DEADLINE_NEVER, (uintptr_t)&bits);
#elif defined(WAIT_CALL)
  nx_main_ipc_buffer.handles[0] = (nx_handle_t)t_ok(P, "vmo", nx_vmo_create(4 * 4096ull, 0));
  nx_ipc_words_t reply;
  nx_ipc_call(start->h0, 0, 0, 0, 0, nx_msg_info(1, 0), &reply);
#elif defined(WAIT_RECV)
  nx_ipc_words_t msg;
  nx_ipc_recv(start->h0, &msg);
#else
#error "say how the child waits"
#endif
  t_say(P ": FAILED: its wait ended\n");
  return 1;
}
