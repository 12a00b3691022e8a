/*
 * The commands, one file each. Each gets its words (words[0] is the
 * command's name, count checked against its usage by shell_execute) and
 * returns SHELL_GO_ON or SHELL_EXIT.
 */
#ifndef UI_SHELL_COMMANDS_H
#define UI_SHELL_COMMANDS_H

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

#ifdef __cplusplus
}
#endif

#endif
