#include "ui/shell/services.h"

#include <stdio.h>
#include <string.h>

#include "drivers/uart/console_client.h"
#include "neuron/errors.h"
#include "services/init/system_client.h"
#include "services/log/log_client.h"

/* Byte results live in the IPC buffer until the next call: each is copied
 * out (and NUL-terminated) before anything else is asked. */
static void copy_text(char *dst, size_t size, const uint8_t *src, size_t len) {
  if (len > size - 1) len = size - 1;
  memcpy(dst, src, len);
  dst[len] = '\0';
}

static void write_console(void *ctx, const char *text, size_t len) {
  const shell_services_t *s = ctx;
  while (len > 0) {
    size_t chunk = len < CONSOLE_WRITE_BYTES_MAX ? len : CONSOLE_WRITE_BYTES_MAX;
    console_write_result_t r = {0};
    int64_t err = console_write(s->console, text, chunk, &r);
    if (err != NX_OK) {
      /* The console cannot tell of its own failure: the debug log can. */
      char line[80];
      snprintf(line, sizeof line, "shell: console write failed (%s)\n", nx_error_name((int)err));
      nx_log_str(s->debug_log, line);
      return;
    }
    text += chunk;
    len -= chunk;
  }
}

static int64_t task(void *ctx, uint32_t index, shell_task_t *t) {
  const shell_services_t *s = ctx;
  system_task_result_t r = {0};
  int64_t err = system_task(s->system, index, &r);
  if (err != NX_OK) return err;
  copy_text(t->name, sizeof t->name, r.name, r.name_len);
  t->state = r.state;
  t->pages_used = r.pages_used;
  t->pages_quota = r.pages_quota;
  system_task_counts_result_t c = {0};
  err = system_task_counts(s->system, index, &c);
  if (err != NX_OK) return err;
  t->restarts = c.restarts;
  t->threads = c.threads;
  t->handles = c.handles;
  return NX_OK;
}

static int64_t cap(void *ctx, uint32_t index, uint32_t nth, shell_cap_t *c) {
  const shell_services_t *s = ctx;
  system_cap_result_t r = {0};
  int64_t err = system_cap(s->system, index, nth, &r);
  if (err != NX_OK) return err;
  c->handle = r.handle;
  c->type = r.type;
  c->rights = r.rights;
  return NX_OK;
}

static int64_t log_span(void *ctx, shell_log_span_t *span) {
  const shell_services_t *s = ctx;
  log_count_result_t r = {0};
  int64_t err = log_count(s->log, &r);
  if (err != NX_OK) return err;
  span->oldest = r.oldest;
  span->next = r.next;
  return NX_OK;
}

static int64_t read_log(void *ctx, uint64_t cursor, uint32_t min_level, shell_log_record_t *rec) {
  const shell_services_t *s = ctx;
  log_read_result_t r = {0};
  int64_t err = log_read(s->log, cursor, min_level, &r);
  if (err != NX_OK) return err;
  rec->next = r.next;
  rec->badge = r.badge;
  rec->level = r.level;
  copy_text(rec->text, sizeof rec->text, r.text, r.text_len);
  return NX_OK;
}

static uint64_t now_ns(void *ctx) {
  (void)ctx;
  return (uint64_t)nx_clock_get();
}

static int64_t memory(void *ctx, uint64_t *pages_free, uint64_t *pages_total) {
  (void)ctx;
  /* Zeroed: the kernel copies only as many bytes as its own struct has. */
  nx_kernel_stats_t stats = {0};
  int64_t n = nx_kernel_stats((uintptr_t)&stats, sizeof stats);
  if (n < 0) return n;
  *pages_free = stats.pages_free;
  *pages_total = stats.pages_total;
  return NX_OK;
}

static int64_t restart(void *ctx, uint32_t index) {
  const shell_services_t *s = ctx;
  return system_restart(s->system, index);
}

static int64_t shutdown(void *ctx) {
  const shell_services_t *s = ctx;
  return system_shutdown(s->system);
}

void shell_services_sys(shell_services_t *services, shell_sys_t *sys) {
  sys->ctx = services;
  sys->write = write_console;
  sys->task = task;
  sys->cap = cap;
  sys->log_span = log_span;
  sys->log_read = read_log;
  sys->now_ns = now_ns;
  sys->memory = memory;
  sys->restart = restart;
  sys->shutdown = shutdown;
}
