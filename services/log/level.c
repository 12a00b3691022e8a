#include <string.h>

#include "neuron/errors.h"
#include "neuron/log_level.h"

static const char *const level_names[LOG_LEVELS] = {"debug", "info", "warn", "error"};

const char *log_level_name(uint32_t level) { return level < LOG_LEVELS ? level_names[level] : "?"; }

int log_level_parse(const char *name, size_t len) {
  if (name == NULL) return NX_ERR_INVALID_ARGS;
  for (uint32_t level = 0; level < LOG_LEVELS; level++) {
    const char *n = level_names[level];
    if (strlen(n) == len && memcmp(n, name, len) == 0) return (int)level;
  }
  return NX_ERR_INVALID_ARGS;
}
