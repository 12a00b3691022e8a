#include <string.h>

#include "neuron/errors.h"
#include "neuron/shell.h"
#include "ui/shell/commands.h"
#include "ui/shell/out.h"

bool shell_find_task(const shell_sys_t *sys, const char *command, const char *name,
                     shell_task_t *task, uint32_t *index) {
  for (uint32_t i = 0; i < SHELL_TASKS_MAX; i++) {
    int64_t err = sys->task(sys->ctx, i, task);
    if (err == NX_ERR_NOT_FOUND) break;
    if (err != NX_OK) {
      shell_print_error(sys, command, "system", err);
      return false;
    }
    if (strcmp(task->name, name) == 0) {
      *index = i;
      return true;
    }
  }
  shell_print(sys, "%s: no task called %s (see ps)", command, name);
  return false;
}
