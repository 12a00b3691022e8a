#include <stdio.h>
#include <string.h>

#include "neuron/rights.h"
#include "neuron/shell_names.h"
#include "neuron/shell_sys.h"

static const char *const object_types[] = {
    [NX_OBJ_DEBUG_LOG] = "debug_log",       [NX_OBJ_VMO] = "vmo",
    [NX_OBJ_NOTIFICATION] = "notification", [NX_OBJ_INTERRUPT] = "interrupt",
    [NX_OBJ_WAITSET] = "waitset",           [NX_OBJ_ENDPOINT] = "endpoint",
    [NX_OBJ_CHANNEL] = "channel",           [NX_OBJ_TASK] = "task",
};

static const struct {
  uint32_t bit;
  const char *name;
} rights[] = {
    {NX_RIGHT_READ, "read"},
    {NX_RIGHT_WRITE, "write"},
    {NX_RIGHT_MAP, "map"},
    {NX_RIGHT_EXECUTE, "execute"},
    {NX_RIGHT_DUPLICATE, "duplicate"},
    {NX_RIGHT_TRANSFER, "transfer"},
    {NX_RIGHT_SIGNAL, "signal"},
    {NX_RIGHT_WAIT, "wait"},
    {NX_RIGHT_MANAGE, "manage"},
};

static const char *const levels[] = {"debug", "info", "warn", "error"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *shell_object_type_name(uint32_t type) {
  return type < COUNT(object_types) ? object_types[type] : NULL;
}

void shell_format_rights(uint32_t bits, char *buf, size_t size) {
  if (bits == 0) {
    snprintf(buf, size, "none");
    return;
  }
  size_t used = 0;
  buf[0] = '\0';
  const char *sep = "";
  for (size_t i = 0; i < COUNT(rights) && used < size; i++) {
    if (!(bits & rights[i].bit)) continue;
    bits &= ~rights[i].bit;
    used += (size_t)snprintf(buf + used, size - used, "%s%s", sep, rights[i].name);
    sep = ",";
  }
  if (bits != 0 && used < size) snprintf(buf + used, size - used, "%s%#x", sep, (unsigned)bits);
}

const char *shell_task_state_name(uint32_t state) {
  if (state == SHELL_TASK_STOPPED) return "stopped";
  if (state == SHELL_TASK_RUNNING) return "running";
  return NULL;
}

const char *shell_log_level_name(uint32_t level) {
  return level < COUNT(levels) ? levels[level] : NULL;
}

int shell_log_level_parse(const char *name) {
  for (size_t i = 0; i < COUNT(levels); i++) {
    if (strcmp(name, levels[i]) == 0) return (int)i;
  }
  return -1;
}
