#include "neuron/errors.h"
#include "neuron/shell.h"
#include "ui/shell/commands.h"
#include "ui/shell/out.h"

int shell_cmd_poweroff(const shell_sys_t *sys, size_t count, char **words) {
  (void)count;
  (void)words;
  /* Said first: once the system goes down, the console may be gone. */
  shell_print(sys, "powering off");
  int64_t err = sys->shutdown(sys->ctx);
  if (err != NX_OK) {
    shell_print_error(sys, "poweroff", "system", err);
    return SHELL_GO_ON;
  }
  return SHELL_EXIT;
}
