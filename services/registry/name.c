#include <string.h>

#include "neuron/errors.h"
#include "neuron/registry_name.h"

/* Explicit ranges, not isalnum(): the answer must not depend on a locale. */
static bool name_char_ok(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '/';
}

int registry_name_check(const char *name, size_t len) {
  if (name == NULL || len == 0 || len > REGISTRY_NAME_MAX) return NX_ERR_INVALID_ARGS;
  for (size_t i = 0; i < len; i++) {
    if (!name_char_ok(name[i])) return NX_ERR_INVALID_ARGS;
  }
  return NX_OK;
}

bool registry_name_equal(const char *stored, const char *name, size_t len) {
  /* A stored name is NUL-terminated and holds no NUL, so equal lengths and
   * bytes mean equal names; a longer `len` never matches. */
  return len <= REGISTRY_NAME_MAX && strlen(stored) == len && memcmp(stored, name, len) == 0;
}

void registry_name_copy(char *out, const char *name, size_t len) {
  memcpy(out, name, len);
  out[len] = '\0';
}
