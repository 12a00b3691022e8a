/*
 * shell (app/shell): the console shell on the serial line. init starts it
 * with send handles to the services its manifest entry calls, in that
 * order: start->h1 the console (uartd), h2 the log, h3 init's system
 * service. It says "shell: ready" on the debug log, prompts on the
 * console and runs what is typed (neuron/shell.h) until poweroff.
 *
 * If the console cannot be read (uartd gone, and not yet restarted), it
 * logs why and tries again after a pause; after READ_TRIES failures in a
 * row it gives up with exit code 1, and init's supervision takes over.
 */
#include <stdio.h>
#include <string.h>

#include "drivers/uart/console_client.h"
#include "neuron/errors.h"
#include "neuron/runtime.h"
#include "neuron/shell.h"
#include "ui/shell/services.h"

/* How many bytes a read asks for: more than anyone types between two. */
#define READ_MAX 64u
#define READ_TRIES 5u
#define RETRY_NS 100000000ull /* 100 ms: a restart of uartd takes some 10 ms */

int nx_main(const nx_start_info_t *start) {
  shell_services_t services = {
      .debug_log = start->log,
      .console = start->h1,
      .log = start->h2,
      .system = start->h3,
  };
  shell_sys_t sys;
  shell_services_sys(&services, &sys);
  nx_log_str(start->log, "shell: ready\n");
  shell_t sh;
  shell_start(&sh, &sys);
  uint32_t failures = 0;
  for (;;) {
    console_read_result_t r = {0};
    int64_t err = console_read(services.console, READ_MAX, &r);
    if (err != NX_OK) {
      char line[80];
      snprintf(line, sizeof line, "shell: console read failed (%s)%s\n", nx_error_name((int)err),
               failures + 1 == READ_TRIES ? "; giving up" : "");
      nx_log_str(start->log, line);
      if (++failures == READ_TRIES) return 1;
      nx_nanosleep_until((uint64_t)nx_clock_get() + RETRY_NS);
      continue;
    }
    failures = 0;
    /* The bytes are in the IPC buffer, which the commands' calls reuse. */
    uint8_t typed[READ_MAX];
    size_t len = r.text_len < sizeof typed ? r.text_len : sizeof typed;
    memcpy(typed, r.text, len);
    if (shell_input(&sh, typed, len) == SHELL_EXIT) return 0;
  }
}
