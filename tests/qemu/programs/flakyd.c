/*
 * A service that crashes on request (//tests/qemu:services_test): init
 * restarts it, and since init keeps the endpoint, the restarted server
 * answers the same clients' handles.
 */
#include "neuron/runtime.h"
#include "test_util.h"
#include "tests/qemu/programs/flaky_server.h"

static uint64_t g_restarts;

static int64_t do_echo(void *ctx, uint64_t badge, const flaky_echo_args_t *args,
                       flaky_echo_result_t *result) {
  (void)ctx;
  (void)badge;
  result->value = args->value + 1;
  result->restarts = g_restarts;
  return NX_OK;
}

static int64_t do_crash(void *ctx, uint64_t badge) {
  (void)ctx;
  t_say("flakyd: crashing as program #%llu asked\n", (unsigned long long)badge);
  *(volatile int *)0x3000000000ul = 1;
  return NX_OK;
}

static const flaky_ops_t ops = {do_echo, do_crash};

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  g_restarts = start->arg0;
  t_say("flakyd: serving (restart %llu)\n", (unsigned long long)g_restarts);
  return (int)flaky_serve(start->h0, &ops, 0);
}
