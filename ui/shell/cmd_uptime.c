#include <inttypes.h>

#include "neuron/shell.h"
#include "ui/shell/commands.h"
#include "ui/shell/out.h"

int shell_cmd_uptime(const shell_sys_t *sys, size_t count, char **words) {
  (void)count;
  (void)words;
  uint64_t ns = sys->now_ns(sys->ctx);
  /* Integers only: the printf picolibc links may have no floating point. */
  shell_print(sys, "up %" PRIu64 ".%03" PRIu64 " s", ns / 1000000000u, ns / 1000000u % 1000u);
  return SHELL_GO_ON;
}
