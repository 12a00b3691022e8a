#include "ui/shell/out.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "neuron/errors.h"

void shell_print(const shell_sys_t *sys, const char *fmt, ...) {
  char line[SHELL_OUT_LINE_MAX];
  va_list ap;
  va_start(ap, fmt);
  /* Room for the line end; what is in the buffer, not what vsnprintf
   * would have written, is the line. */
  vsnprintf(line, sizeof line - 2, fmt, ap);
  va_end(ap);
  size_t len = strlen(line);
  line[len] = '\r';
  line[len + 1] = '\n';
  sys->write(sys->ctx, line, len + 2);
}

void shell_print_error(const shell_sys_t *sys, const char *command, const char *service,
                       int64_t err) {
  shell_print(sys, "%s: %s service: %s", command, service, nx_error_name((int)err));
}
