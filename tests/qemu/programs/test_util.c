#include "tests/qemu/programs/test_util.h"

#include <stdarg.h>
#include <stdio.h>

#include "neuron/errors.h"

nx_handle_t t_log;
int t_failures;

void t_say(const char *fmt, ...) {
  char line[NX_DEBUG_WRITE_MAX];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof line) n = sizeof line - 1;
  nx_debug_write(t_log, (uintptr_t)line, (size_t)n);
}

const char *t_err(int64_t v) { return v >= 0 ? "ok" : nx_error_name((int)v); }

void t_fail(const char *prefix, const char *what, int64_t got, int64_t want) {
  t_failures++;
  t_say("%s: FAILED %s: got %lld (%s), want %lld (%s)\n", prefix, what, (long long)got, t_err(got),
        (long long)want, t_err(want));
}

int t_expect(const char *prefix, const char *what, int64_t got, int64_t want) {
  if (got == want) return 1;
  t_fail(prefix, what, got, want);
  return 0;
}

int64_t t_ok(const char *prefix, const char *what, int64_t got) {
  if (got < 0) {
    t_failures++;
    t_say("%s: FAILED %s: %lld (%s)\n", prefix, what, (long long)got, t_err(got));
  }
  return got;
}

int64_t t_start_app(const char *prefix, const nx_start_info_t *start, const char *name,
                    uint32_t quota_pages, nx_handle_t h0, uint32_t h0_rights) {
  size_t len = 0;
  while (name[len]) len++;
  int64_t task = t_ok(prefix, "task_create",
                      nx_task_create(start->bootfs, (uintptr_t)name, len, 10, quota_pages));
  if (task < 0) return task;
  nx_start_info_t info = {0};
  info.log = (nx_handle_t)t_ok(prefix, "give log",
                               nx_task_give((nx_handle_t)task, start->log, NX_RIGHT_WRITE));
  info.h0 = (nx_handle_t)t_ok(prefix, "give h0", nx_task_give((nx_handle_t)task, h0, h0_rights));
  t_expect(prefix, "task_start", nx_task_start((nx_handle_t)task, (uintptr_t)&info), NX_OK);
  return task;
}
