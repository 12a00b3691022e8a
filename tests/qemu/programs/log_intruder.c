/*
 * A program the boot plan does not let call the log service
 * (//tests/qemu:log_service_test): init gives it no handle to it
 * (start->h1 is 0). It tries to reach it anyway, calling logd's write
 * method through guessed handle values: every value up to 0x1000, then a
 * stride up to 0x40000, then single bits and all ones. Every try must fail
 * with bad-handle or wrong-type (its own debug log, not an endpoint), never
 * get a reply. It runs above log_client's priority, while logd waits.
 */
#include "neuron/errors.h"
#include "test_util.h"

#define P "log_intruder"

/* logd's write (log.toml: version 1, method 1), built by hand: this program
 * is not built against the log api, which the manifest would refuse. */
#define WRITE_W0 ((1ull << 32) | 1u)

static uint32_t g_tries;

static void try_handle(uint64_t h) {
  nx_ipc_words_t out = {0};
  int64_t err = nx_ipc_call((nx_handle_t)h, WRITE_W0, 3, 0, 0, 0, &out);
  g_tries++;
  if (err == NX_ERR_BAD_HANDLE || err == NX_ERR_WRONG_TYPE) return;
  t_say(P ": FAILED handle %#llx: %s (reply w0 %#llx)\n", (unsigned long long)h, t_err(err),
        (unsigned long long)out.w0);
  t_failures++;
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  t_expect(P, "no handle to the log service", start->h1, 0);
  try_handle(start->h1);
  for (uint64_t h = 1; h <= 0x1000; h++) try_handle(h);
  for (uint64_t h = 0x1000; h <= 0x40000; h += 0x3f) try_handle(h);
  for (int bit = 0; bit < 32; bit++) try_handle(1ull << bit);
  try_handle(0xffffffffull);
  if (t_failures) {
    t_say(P ": FAILED %d of %u tries\n", t_failures, (unsigned)g_tries);
    return 1;
  }
  t_say(P ": could not reach the log service (%u handles tried)\n", (unsigned)g_tries);
  return 0;
}
