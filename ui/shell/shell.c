#include "neuron/shell.h"

#include <string.h>

#include "ui/shell/out.h"

/* Echo is gathered per chunk of input, so a pasted line goes out in one
 * console write rather than one per byte. */
#define ECHO_BUFFER 64u

typedef struct echo {
  char bytes[ECHO_BUFFER];
  size_t len;
} echo_t;

static void flush(const shell_sys_t *sys, echo_t *e) {
  if (e->len) sys->write(sys->ctx, e->bytes, e->len);
  e->len = 0;
}

static void prompt(const shell_sys_t *sys) {
  sys->write(sys->ctx, SHELL_PROMPT, strlen(SHELL_PROMPT));
}

void shell_start(shell_t *sh, const shell_sys_t *sys) {
  sh->sys = sys;
  shell_line_init(&sh->line);
  prompt(sys);
}

int shell_input(shell_t *sh, const uint8_t *bytes, size_t len) {
  const shell_sys_t *sys = sh->sys;
  echo_t e = {{0}, 0};
  for (size_t i = 0; i < len; i++) {
    char one[SHELL_ECHO_MAX];
    size_t one_len = 0;
    int event = shell_line_feed(&sh->line, bytes[i], one, &one_len);
    if (e.len + one_len > sizeof e.bytes) flush(sys, &e);
    memcpy(e.bytes + e.len, one, one_len);
    e.len += one_len;
    if (event == SHELL_LINE_TOO_LONG) {
      flush(sys, &e);
      shell_print(sys, "line too long (at most %u characters): ignored up to Enter",
                  (unsigned)SHELL_LINE_MAX);
    } else if (event == SHELL_LINE_READY) {
      flush(sys, &e);
      if (shell_execute(sys, sh->line.text) == SHELL_EXIT) return SHELL_EXIT;
      prompt(sys);
    }
  }
  flush(sys, &e);
  return SHELL_GO_ON;
}
