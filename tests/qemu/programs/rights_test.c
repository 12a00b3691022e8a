/*
 * Rights are enforced on every path (bin/rights_test): each operation below
 * is tried through a handle that lacks exactly the right it needs and must
 * be refused with NX_ERR_ACCESS_DENIED, next to a control through a handle
 * that has the right (so a refusal for another reason would show). A closed
 * handle gives NX_ERR_BAD_HANDLE, a handle of the wrong type
 * NX_ERR_WRONG_TYPE. A refusal changes nothing and the program carries on:
 * the summary line prints only if every result matched.
 */
#include "neuron/runtime.h"
#include "tests/qemu/programs/test_util.h"

#define P "rights_test"
#define MAP_VA 0x1000000000ul

static int checks;

static void want(const char *what, int64_t got, int64_t expect) {
  checks++;
  if (t_expect(P, what, got, expect)) t_say(P ": %s: %s\n", what, t_err(got));
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  static char buf[64] = "data";

  /* VMOs: a read-only handle (read and map only, no duplicate). */
  nx_handle_t vmo = (nx_handle_t)t_ok(P, "vmo_create", nx_vmo_create(4096, 0));
  nx_handle_t ro =
      (nx_handle_t)t_ok(P, "dup read-only", nx_handle_dup(vmo, NX_RIGHT_READ | NX_RIGHT_MAP));
  want("vmo_write through a read-only handle", nx_vmo_write(ro, 0, (uintptr_t)buf, 4),
       NX_ERR_ACCESS_DENIED);
  want("vmo_write through the full handle", nx_vmo_write(vmo, 0, (uintptr_t)buf, 4), 4);
  want("vmo_read through the read-only handle", nx_vmo_read(ro, 0, (uintptr_t)buf, 4), 4);
  want("writable map through a read-only handle",
       nx_vmo_map(ro, MAP_VA, 0, 4096, NX_RIGHT_READ | NX_RIGHT_WRITE), NX_ERR_ACCESS_DENIED);
  want("executable map without the execute right",
       nx_vmo_map(vmo, MAP_VA, 0, 4096, NX_RIGHT_READ | NX_RIGHT_EXECUTE), NX_ERR_ACCESS_DENIED);
  nx_handle_t nomap = (nx_handle_t)t_ok(P, "dup without map", nx_handle_dup(vmo, NX_RIGHT_READ));
  want("map without the map right", nx_vmo_map(nomap, MAP_VA, 0, 4096, NX_RIGHT_READ),
       NX_ERR_ACCESS_DENIED);
  want("read-only map through the read-only handle", nx_vmo_map(ro, MAP_VA, 0, 4096, NX_RIGHT_READ),
       NX_OK);
  want("the mapping shows the write", *(volatile const char *)MAP_VA == 'd', 1);
  want("unmap", nx_vmo_unmap(MAP_VA), NX_OK);
  nx_handle_t wo = (nx_handle_t)t_ok(P, "dup write-only", nx_handle_dup(vmo, NX_RIGHT_WRITE));
  want("vmo_read through a write-only handle", nx_vmo_read(wo, 0, (uintptr_t)buf, 4),
       NX_ERR_ACCESS_DENIED);

  /* Duplicating: needs the duplicate right, and rights never grow. */
  want("dup without the duplicate right", nx_handle_dup(ro, NX_RIGHT_READ), NX_ERR_ACCESS_DENIED);
  want("mint without the duplicate right", nx_handle_mint(ro, NX_RIGHT_READ, 7),
       NX_ERR_ACCESS_DENIED);
  nx_handle_t rd = (nx_handle_t)t_ok(P, "dup read+duplicate",
                                     nx_handle_dup(vmo, NX_RIGHT_READ | NX_RIGHT_DUPLICATE));
  want("dup with more rights than held", nx_handle_dup(rd, NX_RIGHT_READ | NX_RIGHT_WRITE),
       NX_ERR_ACCESS_DENIED);
  int64_t fewer = nx_handle_dup(rd, NX_RIGHT_READ);
  want("dup with fewer rights", fewer > 0, 1);
  want("dup with undefined rights", nx_handle_dup(vmo, 1u << 20), NX_ERR_INVALID_ARGS);

  /* Endpoints: calling needs write, receiving read. */
  nx_handle_t ep = (nx_handle_t)t_ok(P, "endpoint_create", nx_endpoint_create());
  nx_handle_t ep_r = (nx_handle_t)t_ok(P, "dup receive-only", nx_handle_dup(ep, NX_RIGHT_READ));
  nx_handle_t ep_w = (nx_handle_t)t_ok(P, "dup call-only", nx_handle_dup(ep, NX_RIGHT_WRITE));
  nx_ipc_words_t m;
  want("ipc_call without the write right", nx_ipc_call(ep_r, 1, 0, 0, 0, 0, &m),
       NX_ERR_ACCESS_DENIED);
  want("ipc_recv without the read right", nx_ipc_recv(ep_w, &m), NX_ERR_ACCESS_DENIED);
  want("ipc_reply_recv without the read right", nx_ipc_reply_recv(ep_w, 1, 0, 0, 0, 0, &m),
       NX_ERR_ACCESS_DENIED);
  want("ipc_reply with no call to answer", nx_ipc_reply(1, 0, 0, 0, 0), NX_ERR_NOT_FOUND);
  /* Badges: bit 63 must be clear (a receive returns the badge in a0). */
  want("mint with badge bit 63", nx_handle_mint(ep, NX_RIGHT_WRITE, 1ull << 63),
       NX_ERR_INVALID_ARGS);
  int64_t badged = nx_handle_mint(ep, NX_RIGHT_WRITE, 0x7fffffffffffffffull);
  want("mint with the largest badge", badged > 0, 1);
  if (badged > 0) nx_handle_close((nx_handle_t)badged);

  /* Notifications: signal and wait each need their right. */
  nx_handle_t n = (nx_handle_t)t_ok(P, "notification_create", nx_notification_create());
  nx_handle_t n_wait = (nx_handle_t)t_ok(P, "dup wait-only", nx_handle_dup(n, NX_RIGHT_WAIT));
  nx_handle_t n_sig = (nx_handle_t)t_ok(P, "dup signal-only", nx_handle_dup(n, NX_RIGHT_SIGNAL));
  want("signal without the signal right", nx_notification_signal(n_wait, 1), NX_ERR_ACCESS_DENIED);
  want("wait without the wait right", nx_notification_wait(n_sig, 1, 0), NX_ERR_ACCESS_DENIED);
  want("signal with the signal right", nx_notification_signal(n_sig, 5), NX_OK);
  want("poll with the wait right", nx_notification_wait(n_wait, 7, 0), 5);
  want("poll finds nothing left", nx_notification_wait(n_wait, 7, 0), NX_ERR_TIMED_OUT);

  /* Channels: send needs write, receive read, bind manage. */
  nx_handle_t ch = (nx_handle_t)t_ok(P, "channel_create", nx_channel_create(4));
  nx_handle_t ch_r =
      (nx_handle_t)t_ok(P, "dup channel read-only", nx_handle_dup(ch, NX_RIGHT_READ));
  want("channel_send without the write right", nx_channel_send(ch_r, 1, 0, 0, 0, 0),
       NX_ERR_ACCESS_DENIED);
  want("channel_bind without the manage right", nx_channel_bind(ch_r, n, 1), NX_ERR_ACCESS_DENIED);
  want("channel_bind to a notification without signal", nx_channel_bind(ch, n_wait, 1),
       NX_ERR_ACCESS_DENIED);
  nx_main_ipc_buffer.handles[0] = ro; /* read and map only */
  want("channel_send of a handle without the transfer right",
       nx_channel_send(ch, 0, 0, 0, 0, nx_msg_info(1, 0)), NX_ERR_ACCESS_DENIED);
  want("channel_send", nx_channel_send(ch, 1, 2, 3, 4, 0), NX_OK);
  nx_ipc_words_t got = {0};
  want("channel_recv through the read-only handle", nx_channel_recv(ch_r, &got), NX_OK);
  want("the word that came through", (int64_t)got.w0, 1);
  want("the other three words", got.w1 == 2 && got.w2 == 3 && got.w3 == 4 && got.info == 0, 1);

  /* Wait sets: add needs manage. */
  nx_handle_t ws = (nx_handle_t)t_ok(P, "waitset_create", nx_waitset_create());
  nx_handle_t ws_w =
      (nx_handle_t)t_ok(P, "dup wait set wait-only", nx_handle_dup(ws, NX_RIGHT_WAIT));
  want("waitset_add without the manage right", nx_waitset_add(ws_w, n, 1), NX_ERR_ACCESS_DENIED);
  want("waitset_add of a notification without wait", nx_waitset_add(ws, n_sig, 1),
       NX_ERR_ACCESS_DENIED);

  /* Interrupts: the boot handle has manage and write; without them, refused. */
  if (start->uart_irq) {
    nx_handle_t irq_w =
        (nx_handle_t)t_ok(P, "dup irq write-only", nx_handle_dup(start->uart_irq, NX_RIGHT_WRITE));
    want("interrupt_bind without the manage right", nx_interrupt_bind(irq_w, n, 1),
         NX_ERR_ACCESS_DENIED);
  }

  /* Tasks: task_create needs read and execute on the boot archive. */
  static const char name[] = "nothing";
  nx_handle_t bootfs_r = (nx_handle_t)t_ok(P, "dup boot archive read-only",
                                           nx_handle_dup(start->bootfs, NX_RIGHT_READ));
  want("task_create without the execute right",
       nx_task_create(bootfs_r, (uintptr_t)name, sizeof name - 1, 10, 512), NX_ERR_ACCESS_DENIED);
  want("task_create above the caller's priority",
       nx_task_create(start->bootfs, (uintptr_t)name, sizeof name - 1, 11, 512),
       NX_ERR_ACCESS_DENIED);
  want("task_create of a missing program",
       nx_task_create(start->bootfs, (uintptr_t)name, sizeof name - 1, 10, 512), NX_ERR_NOT_FOUND);

  /* The debug log without write; a handle of the wrong type. */
  nx_handle_t log_nw =
      (nx_handle_t)t_ok(P, "dup log without write", nx_handle_dup(start->log, NX_RIGHT_DUPLICATE));
  want("debug_write without the write right", nx_debug_write(log_nw, (uintptr_t)buf, 1),
       NX_ERR_ACCESS_DENIED);
  want("vmo_read on an endpoint", nx_vmo_read(ep, 0, (uintptr_t)buf, 4), NX_ERR_WRONG_TYPE);
  want("ipc_call on a VMO", nx_ipc_call(vmo, 1, 0, 0, 0, 0, &m), NX_ERR_WRONG_TYPE);

  /* Closed handles are refused, and closing twice too. */
  want("close", nx_handle_close(ro), NX_OK);
  want("vmo_read through a closed handle", nx_vmo_read(ro, 0, (uintptr_t)buf, 4),
       NX_ERR_BAD_HANDLE);
  want("close again", nx_handle_close(ro), NX_ERR_BAD_HANDLE);
  want("close an endpoint handle", nx_handle_close(ep_w), NX_OK);
  want("ipc_call through the closed handle", nx_ipc_call(ep_w, 1, 0, 0, 0, 0, &m),
       NX_ERR_BAD_HANDLE);
  want("the other handles still work", nx_vmo_read(vmo, 0, (uintptr_t)buf, 4), 4);

  t_say(
      t_failures ? P ": FAILED (%d of %d checks)\n" : P ": all refused (%d of %d checks failed)\n",
      t_failures, checks);
  return t_failures;
}
