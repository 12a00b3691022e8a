/*
 * Task B of revoke_test (app/revoke_reader): start->h0 is a read-only VMO
 * handle, start->h1 a notification shared with A. Maps the VMO (read-only:
 * a writable mapping is refused), prints what it reads, signals A, waits
 * for A's revoke, then checks that its handle is refused and reads the
 * mapping again, which must fault and end this task.
 */
#include "neuron/runtime.h"
#include "tests/qemu/programs/test_util.h"

#define P "revoke_reader"
#define MAP_VA 0x1000000000ul

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  nx_handle_t vmo = start->h0, n = start->h1;
  int64_t rw = nx_vmo_map(vmo, MAP_VA, 0, 4096, NX_RIGHT_READ | NX_RIGHT_WRITE);
  t_expect(P, "writable map of a read-only handle", rw, NX_ERR_ACCESS_DENIED);
  t_expect(P, "read-only map", nx_vmo_map(vmo, MAP_VA, 0, 4096, NX_RIGHT_READ), NX_OK);
  volatile const char *p = (volatile const char *)MAP_VA;
  char text[64];
  unsigned i = 0;
  for (; i < sizeof text - 1 && p[i]; i++) text[i] = p[i];
  text[i] = 0;
  t_say(P ": writable map %s; mapped read-only, reads \"%s\"\n", t_err(rw), text);
  t_expect(P, "signal A", nx_notification_signal(n, 1), NX_OK);
  t_expect(P, "wait for the revoke", nx_notification_wait(n, 2, NX_DEADLINE_NEVER), 2);

  char buf[8];
  int64_t r = nx_vmo_read(vmo, 0, (uintptr_t)buf, sizeof buf);
  t_say(P ": after the revoke its handle gives %s\n", t_err(r));
  t_expect(P, "revoked handle", r, NX_ERR_BAD_HANDLE);
  t_say(P ": reading the mapping again\n");
  char c = p[0]; /* must fault: the revoke removed the mapping */
  t_say(P ": FAILED: read %d after the revoke\n", c);
  nx_notification_signal(n, 4);
  return 1;
}
