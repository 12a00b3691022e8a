/*
 * The commands, one file each. Each gets its words (words[0] is the
 * command's name, count checked against its usage by shell_execute) and
 * returns SHELL_GO_ON or SHELL_EXIT.
 */
#ifndef UI_SHELL_COMMANDS_H
#define UI_SHELL_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "neuron/shell_sys.h"

#ifdef __cplusplus
extern "C" {
#endif

int shell_cmd_ps(const shell_sys_t *sys, size_t count, char **words);
int shell_cmd_log(const shell_sys_t *sys, size_t count, char **words);
int shell_cmd_caps(const shell_sys_t *sys, size_t count, char **words);
int shell_cmd_uptime(const shell_sys_t *sys, size_t count, char **words);
int shell_cmd_poweroff(const shell_sys_t *sys, size_t count, char **words);
int shell_cmd_restart(const shell_sys_t *sys, size_t count, char **words);

/* The task called `name` and its boot plan index, at *task and *index.
 * False if there is none, or the system service failed: `command` has
 * then said so on the console. */
bool shell_find_task(const shell_sys_t *sys, const char *command, const char *name,
                     shell_task_t *task, uint32_t *index);

#ifdef __cplusplus
}
#endif

#endif
