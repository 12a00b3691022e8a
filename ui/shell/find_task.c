#include <string.h>

#include "neuron/errors.h"
#include "neuron/shell.h"
#include "ui/shell/commands.h"

int64_t shell_find_task(const shell_sys_t *sys, const char *name, shell_task_t *task,
                        uint32_t *index) {
  for (uint32_t i = 0; i < SHELL_TASKS_MAX; i++) {
    int64_t err = sys->task(sys->ctx, i, task);
    if (err != NX_OK) return err;
    if (strcmp(task->name, name) == 0) {
      *index = i;
      return NX_OK;
    }
  }
  return NX_ERR_NOT_FOUND;
}
