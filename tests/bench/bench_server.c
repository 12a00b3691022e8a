/* The IPC benchmarks' server in its own address space (app/bench_server):
 * bench starts it with task_create and passes the endpoint to receive on
 * as h0. It serves until bench sends BENCH_OP_QUIT (bench_ipc.h). */
#include <stdio.h>

#include "neuron/errors.h"
#include "neuron/runtime.h"
#include "tests/bench/bench_ipc.h"

int nx_main(const nx_start_info_t *start) {
  int64_t err = bench_serve(start->h0, &nx_main_ipc_buffer);
  if (err != 0) {
    char line[96];
    snprintf(line, sizeof line, "bench_server: %s\n", nx_error_name((int)err));
    nx_log_str(start->log, line);
    return 1;
  }
  return 0;
}
