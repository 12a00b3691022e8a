/*
 * logd, the log service (app/logd): init starts it with the receive handle
 * of the "log" endpoint as start->h0. It keeps a static ring of records
 * (neuron/log_ring.h); every record is stamped with the badge of the
 * capability the call came through, which init mints per program (plan
 * index + 1), so a client cannot write under another's identity. Until the
 * registry tells it program names, a sender is shown by its badge ("#2").
 * Every record is also echoed to the debug log as one console line
 * (log_format_record), so the log is readable from the console.
 *
 * The protocol is log.toml (//services/log:api).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "neuron/errors.h"
#include "neuron/log_format.h"
#include "neuron/log_ring.h"
#include "neuron/runtime.h"
#include "services/log/log_server.h"

#define RING_RECORDS 128u

static nx_handle_t g_log;
static log_record_t g_records[RING_RECORDS]; /* ~26 KiB: in .bss */
static log_ring_t g_ring;
static log_record_t g_out; /* the record a read answers with, until the reply */

static void say(const char *fmt, ...) {
  char line[NX_DEBUG_WRITE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  nx_log_str(g_log, line);
}

/* Echoes record `seq` (just appended) to the console as one line. */
static void echo_record(uint64_t seq) {
  log_cursor_t c = {seq, 0};
  if (log_ring_read(&g_ring, &c, LOG_DEBUG, &g_out) != NX_OK) return;
  char line[LOG_LINE_MAX];
  if (log_format_record(&g_out, line, sizeof line - 1) < 0) return;
  say("%s\n", line);
}

static int64_t do_write(void *ctx, uint64_t badge, const log_write_args_t *args,
                        log_write_result_t *result) {
  (void)ctx;
  int64_t seq = log_ring_append(&g_ring, args->level, (uint64_t)nx_clock_get(), badge, NULL,
                                (const char *)args->text, args->text_len);
  if (seq < 0) return seq;
  echo_record((uint64_t)seq);
  result->seq = (uint64_t)seq;
  return NX_OK;
}

static int64_t do_read(void *ctx, uint64_t badge, const log_read_args_t *args,
                       log_read_result_t *result) {
  (void)ctx;
  (void)badge;
  log_cursor_t c = {args->cursor, 0};
  int err = log_ring_read(&g_ring, &c, args->min_level, &g_out);
  if (err != NX_OK) return err;
  result->next = c.next;
  result->badge = g_out.badge;
  result->level = g_out.level;
  result->text = (uint8_t *)g_out.text;
  result->text_len = g_out.len;
  return NX_OK;
}

static int64_t do_count(void *ctx, uint64_t badge, log_count_result_t *result) {
  (void)ctx;
  (void)badge;
  result->oldest = log_ring_oldest(&g_ring);
  result->next = log_ring_next(&g_ring);
  result->dropped = log_ring_dropped(&g_ring);
  return NX_OK;
}

static const log_ops_t ops = {do_write, do_read, do_count};

int nx_main(const nx_start_info_t *start) {
  g_log = start->log;
  if (log_ring_init(&g_ring, g_records, RING_RECORDS) != NX_OK) return 1;
  say("logd: serving\n");
  int64_t err = log_serve(start->h0, &ops, NULL);
  say("logd: serving ended: %s\n", nx_error_name((int)err));
  return 1;
}
