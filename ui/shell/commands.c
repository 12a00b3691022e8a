#include "ui/shell/commands.h"

#include <stdio.h>
#include <string.h>

#include "neuron/shell.h"
#include "neuron/shell_words.h"
#include "ui/shell/out.h"

static int help(const shell_sys_t *sys, size_t count, char **words);

/* The commands: `help` prints this table; shell_execute checks the word
 * count against min_args/max_args before running one. */
static const struct {
  const char *name;
  const char *args; /* as `help` and the usage line show them */
  const char *what;
  size_t min_args, max_args;
  int (*run)(const shell_sys_t *sys, size_t count, char **words);
} commands[] = {
    {"help", "", "this list", 0, 0, help},
    {"ps", "", "tasks, their state and memory use", 0, 0, shell_cmd_ps},
    {"log", "[level]", "the system log (from level debug, info, warn or error up)", 0, 1,
     shell_cmd_log},
    {"caps", "<task>", "a task's capabilities and rights", 1, 1, shell_cmd_caps},
    {"restart", "<task>", "ends a task; init starts it again", 1, 1, shell_cmd_restart},
    {"uptime", "", "time since boot", 0, 0, shell_cmd_uptime},
    {"poweroff", "", "shuts the system down", 0, 0, shell_cmd_poweroff},
};

#define COMMANDS (sizeof commands / sizeof commands[0])

static int help(const shell_sys_t *sys, size_t count, char **words) {
  (void)count;
  (void)words;
  shell_print(sys, "commands:");
  for (size_t i = 0; i < COMMANDS; i++) {
    /* The name and its arguments as one left-aligned column. */
    char usage[24];
    snprintf(usage, sizeof usage, "%s %s", commands[i].name, commands[i].args);
    shell_print(sys, "  %-14s %s", usage, commands[i].what);
  }
  return SHELL_GO_ON;
}

int shell_execute(const shell_sys_t *sys, char *line) {
  char *words[SHELL_WORDS_MAX];
  size_t count = shell_split_words(line, words, SHELL_WORDS_MAX);
  if (count == 0) return SHELL_GO_ON;
  for (size_t i = 0; i < COMMANDS; i++) {
    if (strcmp(words[0], commands[i].name) != 0) continue;
    size_t args = count - 1;
    if (args < commands[i].min_args || args > commands[i].max_args) {
      const char *args_text = commands[i].args;
      shell_print(sys, "usage: %s%s%s", commands[i].name, args_text[0] ? " " : "", args_text);
      return SHELL_GO_ON;
    }
    return commands[i].run(sys, count, words);
  }
  shell_print(sys, "unknown command: %s (try help)", words[0]);
  return SHELL_GO_ON;
}
