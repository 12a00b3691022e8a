/*
 * The console shell: typed bytes in, commands run against the system
 * (shell_sys_t), their output out through sys->write with "\r\n" line ends.
 *
 *   help           the commands
 *   ps             tasks, their state and memory use
 *   log [level]    the system log, optionally from a level up
 *   caps <task>    a task's capabilities and rights
 *   uptime         time since boot
 *   poweroff       shuts the system down
 */
#ifndef NEURON_SHELL_H
#define NEURON_SHELL_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/shell_line.h"
#include "neuron/shell_sys.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The prompt before each command line. */
#define SHELL_PROMPT "nexus> "

/* What running input returns: read on, or stop (the system powers off). */
#define SHELL_GO_ON 0
#define SHELL_EXIT 1

typedef struct shell {
  const shell_sys_t *sys;
  shell_line_t line;
} shell_t;

/* Starts a shell on `sys` (which must outlive it) and prints the prompt. */
void shell_start(shell_t *sh, const shell_sys_t *sys);

/* Takes typed bytes: echoes them, runs each line that ends, then prompts
 * again. Returns SHELL_EXIT once poweroff went through (the bytes after it
 * are dropped), else SHELL_GO_ON. */
int shell_input(shell_t *sh, const uint8_t *bytes, size_t len);

/* Runs one command line (split in place). Returns SHELL_GO_ON or
 * SHELL_EXIT. */
int shell_execute(const shell_sys_t *sys, char *line);

#ifdef __cplusplus
}
#endif

#endif
