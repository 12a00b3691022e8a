#include <string.h>

#include "neuron/runtime.h"

int64_t nx_log_str(nx_handle_t log, const char *s) {
  return nx_debug_write(log, (uintptr_t)s, strlen(s));
}
