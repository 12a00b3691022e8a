/*
 * A capability moves in an IPC message (bin/cap_transfer, with
 * app/ipc_server): this task writes a text into a VMO and sends the VMO's
 * handle in a call (handles[0] of its IPC buffer, one handle in the info
 * word). The server gets it as a new handle in its own
 * table, maps it and prints the text, writes an answer into it and moves
 * it back in the reply. Proves:
 * - the handle left this task's table with the call: using the old value
 *   fails with NX_ERR_BAD_HANDLE;
 * - the reply's handle (its new value in this thread's IPC buffer) is a
 *   working handle here again (the answer reads);
 * - a handle without the transfer right cannot be sent (access-denied) and
 *   stays usable, since a refused call moves nothing.
 */
#include <string.h>

#include "neuron/runtime.h"
#include "tests/qemu/programs/ipc_proto.h"
#include "tests/qemu/programs/test_util.h"

#define P "cap_transfer"

/* This thread's IPC buffer: handles to send go in, received ones come out. */
static nx_ipc_buffer_t *const ipcb = &nx_main_ipc_buffer;

/* A capability also moves through a channel: into the channel's own
 * holding table at send (gone from the sender at once), out to the
 * receiver at receive; a send signals the bound notification. A channel
 * destroyed with a handle still in flight closes it (its VMO then goes). */
static void through_a_channel(void) {
  nx_handle_t ch = (nx_handle_t)t_ok(P, "channel_create", nx_channel_create(2));
  nx_handle_t n = (nx_handle_t)t_ok(P, "notification_create", nx_notification_create());
  t_expect(P, "channel_bind", nx_channel_bind(ch, n, 1ull << 5), NX_OK);
  nx_handle_t vmo = (nx_handle_t)t_ok(P, "vmo_create", nx_vmo_create(4096, 0));
  static const char text[] = "sent through a channel";
  t_expect(P, "vmo_write", nx_vmo_write(vmo, 0, (uintptr_t)text, sizeof text), sizeof text);
  ipcb->handles[0] = vmo;
  t_expect(P, "channel_send", nx_channel_send(ch, 42, 0, 0, 0, nx_msg_info(1, 0)), NX_OK);
  char got[32] = {0};
  int64_t in_flight = nx_vmo_read(vmo, 0, (uintptr_t)got, 4);
  int64_t bits = nx_notification_wait(n, ~0ull >> 1, 0);
  ipcb->handles[0] = 0;
  nx_ipc_words_t r = {0};
  t_expect(P, "channel_recv", nx_channel_recv(ch, &r), NX_OK);
  nx_handle_t received = ipcb->handles[0];
  t_expect(P, "read through the received handle",
           nx_vmo_read(received, 0, (uintptr_t)got, sizeof got - 1), sizeof got - 1);
  t_say(P
        ": channel: sender's handle in flight gives %s, bound bits %#llx, received w0 %llu and "
        "%u handle reading \"%s\"\n",
        t_err(in_flight), (unsigned long long)bits, (unsigned long long)r.w0,
        nx_msg_handles(r.info), got);
  t_expect(P, "handle in flight", in_flight, NX_ERR_BAD_HANDLE);
  t_expect(P, "bound bit", bits, 1ll << 5);
  t_expect(P, "received text", strcmp(got, text), 0);
  t_expect(P, "received info", (int64_t)r.info, (int64_t)nx_msg_info(1, 0));
  /* Left in flight when the channel goes: closed with it. */
  ipcb->handles[0] = received;
  t_expect(P, "send it again", nx_channel_send(ch, 0, 0, 0, 0, nx_msg_info(1, 0)), NX_OK);
  t_expect(P, "close the channel with a handle in flight", nx_handle_close(ch), NX_OK);

  /* Nothing of that leaks: 1 MiB VMOs left in flight in closed channels,
   * 16 times over, fit in this task's 2 MiB quota only if each is freed. */
  int rounds = 0;
  for (; rounds < 16; rounds++) {
    int64_t c = nx_channel_create(1), v = nx_vmo_create(1 << 20, 0);
    if (c < 0 || v < 0) break;
    ipcb->handles[0] = (nx_handle_t)v;
    if (nx_channel_send((nx_handle_t)c, 0, 0, 0, 0, nx_msg_info(1, 0)) != NX_OK) break;
    if (nx_handle_close((nx_handle_t)c) != NX_OK) break;
  }
  t_say(P ": %d rounds of a 1 MiB VMO closed in flight\n", rounds);
  t_expect(P, "rounds without a leak", rounds, 16);
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  nx_handle_t ep = (nx_handle_t)t_ok(P, "endpoint_create", nx_endpoint_create());
  static const char name[] = "ipc_server";
  int64_t task = t_ok(P, "task_create",
                      nx_task_create(start->bootfs, (uintptr_t)name, sizeof name - 1, 10, 512));
  if (task < 0) return 1;
  nx_start_info_t info = {0};
  info.log = (nx_handle_t)t_ok(P, "give log", nx_task_give(task, start->log, NX_RIGHT_WRITE));
  info.h0 = (nx_handle_t)t_ok(P, "give endpoint", nx_task_give(task, ep, NX_RIGHT_READ));
  t_expect(P, "task_start", nx_task_start(task, (uintptr_t)&info), NX_OK);
  /* A started task takes no more handles and does not start twice. */
  t_expect(P, "task_give after the start", nx_task_give(task, ep, NX_RIGHT_READ), NX_ERR_BUSY);
  t_expect(P, "task_start twice", nx_task_start(task, (uintptr_t)&info), NX_ERR_BUSY);
  /* A task that never starts goes with its last handle, handles and all. */
  int64_t idle = t_ok(P, "second task_create",
                      nx_task_create(start->bootfs, (uintptr_t)name, sizeof name - 1, 10, 512));
  t_ok(P, "give to the idle task", nx_task_give(idle, ep, NX_RIGHT_READ));
  t_expect(P, "close the idle task", nx_handle_close((nx_handle_t)idle), NX_OK);
  t_say(P ": a task never started was closed: %s\n", t_err(nx_task_start(idle, (uintptr_t)&info)));

  nx_handle_t vmo = (nx_handle_t)t_ok(P, "vmo_create", nx_vmo_create(4096, 0));
  static const char text[] = "hello through a capability";
  t_expect(P, "vmo_write", nx_vmo_write(vmo, 0, (uintptr_t)text, sizeof text), sizeof text);

  /* Without the transfer right the call is refused and nothing moves. */
  nx_handle_t stuck = (nx_handle_t)t_ok(P, "dup", nx_handle_dup(vmo, NX_RIGHT_READ));
  ipcb->handles[0] = stuck;
  nx_ipc_words_t m;
  int64_t r = nx_ipc_call(ep, OP_VMO, 0, 0, 0, nx_msg_info(1, 0), &m);
  char got[64] = {0};
  int64_t still = nx_vmo_read(stuck, 0, (uintptr_t)got, 5);
  t_say(P ": sending a handle without transfer: %s; it still reads: %s\n", t_err(r), t_err(still));
  t_expect(P, "send without transfer", r, NX_ERR_ACCESS_DENIED);
  t_expect(P, "refused handle still works", still, 5);

  ipcb->handles[0] = vmo;
  r = nx_ipc_call(ep, OP_VMO, 0, 0, 0, nx_msg_info(1, 0), &m);
  t_expect(P, "call with the VMO", r, NX_OK);
  t_say(P ": server read %llu bytes of text, replied with %u handle(s)\n", (unsigned long long)m.w0,
        nx_msg_handles(m.info));
  t_expect(P, "text length", (int64_t)m.w0, (int64_t)strlen(text));

  /* The sent handle is gone from this task's table. */
  int64_t gone = nx_vmo_read(vmo, 0, (uintptr_t)got, 5);
  t_say(P ": the sent handle now gives %s\n", t_err(gone));
  t_expect(P, "old handle after the move", gone, NX_ERR_BAD_HANDLE);
  t_expect(P, "closing the moved handle", nx_handle_close(vmo), NX_ERR_BAD_HANDLE);

  /* The reply moved it back, under a new value. */
  if (t_expect(P, "handles in the reply", nx_msg_handles(m.info), 1)) {
    nx_handle_t back = ipcb->handles[0];
    memset(got, 0, sizeof got);
    t_expect(P, "read the returned VMO", nx_vmo_read(back, 256, (uintptr_t)got, sizeof got - 1),
             sizeof got - 1);
    t_say(P ": returned handle is %s, VMO now also says \"%s\"\n",
          back != vmo ? "new" : "the same value", got);
    t_expect(P, "answer", strcmp(got, "answer from the server"), 0);
  }

  through_a_channel();

  nx_ipc_words_t quit;
  t_expect(P, "quit", nx_ipc_call(ep, OP_QUIT, 0, 0, 0, 0, &quit), NX_OK);
  t_say(t_failures ? P ": FAILED\n" : P ": capability moved and came back\n");
  return t_failures;
}
