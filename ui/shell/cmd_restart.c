#include "neuron/errors.h"
#include "neuron/shell.h"
#include "ui/shell/commands.h"
#include "ui/shell/out.h"

int shell_cmd_restart(const shell_sys_t *sys, size_t count, char **words) {
  (void)count;
  const char *name = words[1];
  shell_task_t task = {0};
  uint32_t index = 0;
  if (!shell_find_task(sys, "restart", name, &task, &index)) return SHELL_GO_ON;
  int64_t err = sys->restart(sys->ctx, index);
  if (err != NX_OK) {
    shell_print_error(sys, "restart", "system", err);
    return SHELL_GO_ON;
  }
  shell_print(sys, "restart: %s ended; init starts it again after its backoff", name);
  return SHELL_GO_ON;
}
