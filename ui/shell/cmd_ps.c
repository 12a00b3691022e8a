#include <inttypes.h>
#include <stdio.h>

#include "neuron/errors.h"
#include "neuron/shell.h"
#include "neuron/shell_names.h"
#include "ui/shell/commands.h"
#include "ui/shell/out.h"

/* One format for the header and the rows keeps the columns aligned. */
#define COLUMNS "%-16s %-8s %8s %8s %8s  %s"

/* A 4 KiB page in KiB. */
#define PAGE_KIB 4u

static void print_task(const shell_sys_t *sys, const shell_task_t *t) {
  char state[24], restarts[12], threads[12], handles[12], memory[48];
  const char *name = shell_task_state_name(t->state);
  if (name) {
    snprintf(state, sizeof state, "%s", name);
  } else {
    snprintf(state, sizeof state, "state %" PRIu32, t->state);
  }
  snprintf(restarts, sizeof restarts, "%" PRIu32, t->restarts);
  snprintf(threads, sizeof threads, "%" PRIu32, t->threads);
  snprintf(handles, sizeof handles, "%" PRIu32, t->handles);
  snprintf(memory, sizeof memory, "%" PRIu64 "/%" PRIu64, t->pages_used * PAGE_KIB,
           t->pages_quota * PAGE_KIB);
  shell_print(sys, COLUMNS, t->name, state, restarts, threads, handles, memory);
}

int shell_cmd_ps(const shell_sys_t *sys, size_t count, char **words) {
  (void)count;
  (void)words;
  shell_print(sys, COLUMNS, "name", "state", "restarts", "threads", "handles", "KiB used/quota");
  for (uint32_t i = 0; i < SHELL_TASKS_MAX; i++) {
    shell_task_t t = {0};
    int64_t err = sys->task(sys->ctx, i, &t);
    if (err == NX_ERR_NOT_FOUND) break;
    if (err != NX_OK) {
      shell_print_error(sys, "ps", "system", err);
      return SHELL_GO_ON;
    }
    print_task(sys, &t);
  }
  uint64_t pages_free = 0, pages_total = 0;
  int64_t err = sys->memory(sys->ctx, &pages_free, &pages_total);
  if (err != NX_OK) {
    shell_print_error(sys, "ps", "kernel", err);
  } else {
    shell_print(sys, "memory: %" PRIu64 " KiB free of %" PRIu64 " KiB", pages_free * PAGE_KIB,
                pages_total * PAGE_KIB);
  }
  return SHELL_GO_ON;
}
