#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "neuron/errors.h"
#include "neuron/shell.h"
#include "neuron/shell_names.h"
#include "ui/shell/commands.h"
#include "ui/shell/out.h"

#define COLUMNS "%10s  %-15s  %s"

static void print_cap(const shell_sys_t *sys, const shell_cap_t *c) {
  char handle[12], type[24], rights[SHELL_RIGHTS_TEXT_MAX];
  snprintf(handle, sizeof handle, "%" PRIu32, c->handle);
  const char *type_name = shell_object_type_name(c->type);
  if (type_name) {
    snprintf(type, sizeof type, "%s", type_name);
  } else {
    snprintf(type, sizeof type, "type %" PRIu32, c->type);
  }
  shell_format_rights(c->rights, rights, sizeof rights);
  shell_print(sys, COLUMNS, handle, type, rights);
}

int shell_cmd_caps(const shell_sys_t *sys, size_t count, char **words) {
  (void)count;
  const char *name = words[1];
  shell_task_t task = {0};
  uint32_t index = 0;
  if (!shell_find_task(sys, "caps", name, &task, &index)) return SHELL_GO_ON;
  /* A stopped task has no handle table to show. (Should it stop between
   * here and the cap calls, the service's error says so.) */
  if (task.state != SHELL_TASK_RUNNING) {
    shell_print(sys, "caps: %s is not running", name);
    return SHELL_GO_ON;
  }
  int64_t err = NX_OK;
  uint32_t nth = 0;
  for (; nth < SHELL_CAPS_MAX; nth++) {
    shell_cap_t c = {0};
    err = sys->cap(sys->ctx, index, nth, &c);
    if (err != NX_OK) break;
    /* The header only once there is a row: no capabilities, one line. */
    if (nth == 0) shell_print(sys, COLUMNS, "handle", "type", "rights");
    print_cap(sys, &c);
  }
  if (nth < SHELL_CAPS_MAX && err != NX_ERR_NOT_FOUND) {
    shell_print_error(sys, "caps", "system", err);
  } else if (nth == 0) {
    shell_print(sys, "caps: %s holds no capabilities", name);
  }
  return SHELL_GO_ON;
}
