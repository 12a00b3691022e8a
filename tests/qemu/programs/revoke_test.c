/*
 * Revocation reaches into another task (bin/revoke_test, with
 * app/revoke_reader): this task (A) writes a pattern into a VMO, derives a
 * read-only handle from it and gives task B a handle derived from that one.
 * B maps the VMO read-only, prints the pattern and signals A. A revokes its
 * own handle, which removes every handle derived from it (its read-only
 * handle and B's: the count printed is 2) and B's mapping. Proves:
 * - revoke returns how many handles it removed and keeps the root usable;
 * - a revoked handle is refused with NX_ERR_BAD_HANDLE, here and in B;
 * - a mapping outlives the close of the handle it was made through, but a
 *   revoke of an ancestor still removes it (A's own mapping is gone);
 * - B's mapping is gone: B's next read faults (the kernel's page-fault line
 *   for revoke_reader) and ends B, so B never signals bit 2: A's wait for it
 *   times out, and A carries on and prints its last line.
 */
#include <string.h>

#include "neuron/runtime.h"
#include "tests/qemu/programs/test_util.h"

#define P "revoke_test"
#define BIT_READ 1ull     /* B: I read the pattern */
#define BIT_REVOKED 2ull  /* A: the revoke is done */
#define BIT_SURVIVED 4ull /* B: my read after the revoke did not fault (a failure) */
#define MS 1000000ull
#define MAP_VA 0x2000000000ul

static const char pattern[] = "revocable pattern 0123456789";

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  nx_handle_t vmo = (nx_handle_t)t_ok(P, "vmo_create", nx_vmo_create(4096, 0));
  t_expect(P, "write the pattern", nx_vmo_write(vmo, 0, (uintptr_t)pattern, sizeof pattern),
           sizeof pattern);
  nx_handle_t ro = (nx_handle_t)t_ok(
      P, "read-only dup",
      nx_handle_dup(vmo, NX_RIGHT_READ | NX_RIGHT_MAP | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER));
  nx_handle_t n = (nx_handle_t)t_ok(P, "notification_create", nx_notification_create());

  /* A mapping outlives the close of the handle it was made through... */
  nx_handle_t h2 =
      (nx_handle_t)t_ok(P, "dup to map", nx_handle_dup(vmo, NX_RIGHT_READ | NX_RIGHT_MAP));
  t_expect(P, "map", nx_vmo_map(h2, MAP_VA, 0, 4096, NX_RIGHT_READ), NX_OK);
  t_expect(P, "close the mapping's handle", nx_handle_close(h2), NX_OK);
  t_say(P ": own mapping after closing its handle reads \"%.8s\"\n", (const char *)MAP_VA);

  static const char name[] = "revoke_reader";
  int64_t task = t_ok(P, "task_create",
                      nx_task_create(start->bootfs, (uintptr_t)name, sizeof name - 1, 10, 512));
  if (task < 0) return 1;
  nx_start_info_t info = {0};
  info.log = (nx_handle_t)t_ok(P, "give log", nx_task_give(task, start->log, NX_RIGHT_WRITE));
  info.h0 = (nx_handle_t)t_ok(P, "give VMO", nx_task_give(task, ro, NX_RIGHT_READ | NX_RIGHT_MAP));
  info.h1 = (nx_handle_t)t_ok(P, "give notification",
                              nx_task_give(task, n, NX_RIGHT_SIGNAL | NX_RIGHT_WAIT));
  t_expect(P, "task_start", nx_task_start(task, (uintptr_t)&info), NX_OK);

  int64_t bits = nx_notification_wait(n, BIT_READ, (uint64_t)nx_clock_get() + 2000 * MS);
  t_expect(P, "B read the pattern", bits, (int64_t)BIT_READ);

  int64_t removed = nx_handle_revoke(vmo);
  t_say(P ": revoke removed %lld handles\n", (long long)removed);
  t_expect(P, "revoke count", removed, 2);
  char got[sizeof pattern] = {0};
  int64_t r = nx_vmo_read(ro, 0, (uintptr_t)got, sizeof got);
  t_say(P ": the revoked read-only handle gives %s\n", t_err(r));
  t_expect(P, "revoked handle", r, NX_ERR_BAD_HANDLE);
  r = nx_vmo_read(vmo, 0, (uintptr_t)got, sizeof got);
  t_expect(P, "root still reads", r, sizeof got);
  t_say(P ": the root handle still reads \"%s\"\n", got);
  t_expect(P, "root's pattern", memcmp(got, pattern, sizeof pattern), 0);

  /* ...but not a revoke of an ancestor: the revoke removed it too. */
  r = nx_vmo_unmap(MAP_VA);
  t_say(P ": own mapping through the closed handle after the revoke: %s\n", t_err(r));
  t_expect(P, "mapping removed by the revoke", r, NX_ERR_NOT_FOUND);

  t_expect(P, "signal B", nx_notification_signal(n, BIT_REVOKED), NX_OK);
  bits = nx_notification_wait(n, BIT_SURVIVED, (uint64_t)nx_clock_get() + 500 * MS);
  t_expect(P, "B must not survive its read", bits, NX_ERR_TIMED_OUT);
  t_say(t_failures ? P ": FAILED\n" : P ": B faulted on the revoked mapping; A still running\n");
  return t_failures;
}
