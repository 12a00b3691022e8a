#include <inttypes.h>
#include <stdio.h>

#include "neuron/errors.h"
#include "neuron/shell.h"
#include "neuron/shell_names.h"
#include "ui/shell/commands.h"
#include "ui/shell/out.h"

/* The sender of a record by name. init badges each program's capability
 * with its boot plan index + 1, so the system service names the badge; a
 * badge it cannot name shows as "#<badge>". */
static void sender_name(const shell_sys_t *sys, uint64_t badge, char *buf, size_t size) {
  shell_task_t t = {0};
  if (badge >= 1 && badge <= SHELL_TASKS_MAX &&
      sys->task(sys->ctx, (uint32_t)(badge - 1), &t) == NX_OK) {
    snprintf(buf, size, "%s", t.name);
  } else {
    snprintf(buf, size, "#%" PRIu64, badge);
  }
}

/* The log server promises printable text; the terminal is trusted to no
 * one, so anything else becomes '?'. */
static void make_printable(char *text) {
  for (; *text; text++) {
    unsigned char c = (unsigned char)*text;
    if (c < 0x20 || c > 0x7e) *text = '?';
  }
}

static void print_record(const shell_sys_t *sys, shell_log_record_t *r) {
  char level[24], sender[SHELL_NAME_MAX + 24];
  const char *level_name = shell_log_level_name(r->level);
  if (level_name) {
    snprintf(level, sizeof level, "%s", level_name);
  } else {
    snprintf(level, sizeof level, "level %" PRIu32, r->level);
  }
  sender_name(sys, r->badge, sender, sizeof sender);
  make_printable(r->text);
  shell_print(sys, "%-5s %s: %s", level, sender, r->text);
}

int shell_cmd_log(const shell_sys_t *sys, size_t count, char **words) {
  uint32_t min_level = 0;
  if (count > 1) {
    int level = shell_log_level_parse(words[1]);
    if (level < 0) {
      shell_print(sys, "log: no level %s (debug, info, warn, error)", words[1]);
      return SHELL_GO_ON;
    }
    min_level = (uint32_t)level;
  }
  shell_log_span_t span = {0};
  int64_t err = sys->log_span(sys->ctx, &span);
  if (err != NX_OK) {
    shell_print_error(sys, "log", "log", err);
    return SHELL_GO_ON;
  }
  if (span.oldest > 0) shell_print(sys, "log: %" PRIu64 " older records overwritten", span.oldest);
  /* Up to the record that was newest when the command began: a busy
   * system that logs on would otherwise keep it going for ever. */
  uint64_t cursor = span.oldest, shown = 0;
  while (cursor < span.next) {
    shell_log_record_t r = {0};
    err = sys->log_read(sys->ctx, cursor, min_level, &r);
    if (err == NX_ERR_NOT_FOUND) break;
    if (err == NX_OK && r.next <= cursor) err = NX_ERR_BAD_FORMAT;
    if (err != NX_OK) {
      shell_print_error(sys, "log", "log", err);
      return SHELL_GO_ON;
    }
    print_record(sys, &r);
    shown++;
    cursor = r.next;
  }
  if (shown == 0) shell_print(sys, "log: no records");
  return SHELL_GO_ON;
}
