/*
 * Links the log core into a real user program (user toolchain, picolibc's
 * snprintf, the runtime), so `bazel test //services/...` proves the core
 * builds for riscv64 and not only for the host. Never run.
 */
#include "neuron/log_format.h"
#include "neuron/log_ring.h"
#include "neuron/log_senders.h"
#include "neuron/runtime.h"

static log_record_t records[8];
static log_senders_t senders;

int nx_main(const nx_start_info_t *start) {
  log_ring_t ring;
  log_cursor_t cursor = {0, 0};
  log_record_t rec;
  char line[LOG_LINE_MAX];
  log_senders_init(&senders);
  log_senders_set(&senders, 1, "smoke", 5);
  log_ring_init(&ring, records, 8);
  log_ring_append(&ring, LOG_INFO, 0, 1, log_senders_name(&senders, 1), "hello", 5);
  while (log_ring_read(&ring, &cursor, LOG_DEBUG, &rec) == 0) {
    log_format_record(&rec, line, sizeof(line));
    nx_log_str(start->log, line);
  }
  return 0;
}
