/* The generated client header from C (echo_test.cc includes it from C++). */
#include <string.h>

#include "tests/idlgen/echo_client.h"

int64_t echo_c_add(nx_handle_t ep, int64_t a, int64_t b, uint32_t shift, echo_add_result_t *r) {
  return echo_add(ep, a, b, shift, r);
}

int64_t echo_c_reverse(nx_handle_t ep, const char *text, echo_reverse_result_t *r) {
  return echo_reverse(ep, text, strlen(text), r);
}
