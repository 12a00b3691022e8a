#include <inttypes.h>
#include <stdio.h>

#include "neuron/errors.h"
#include "neuron/log_format.h"

/* snprintf returns the length the line would have had; the caller wants
 * what is in buf, to write it out as it is. */
static int format_result(int n, size_t size) {
  if (n < 0) return NX_ERR_INVALID_ARGS;
  return (size_t)n >= size ? (int)(size - 1) : n;
}

int log_format_record(const log_record_t *r, char *buf, size_t size) {
  if (r == NULL || buf == NULL || size == 0) return NX_ERR_INVALID_ARGS;
  /* A sender without a name is shown by its badge, so lines from different
   * unnamed programs can still be told apart. */
  char badge[24];
  const char *sender = r->sender;
  if (sender[0] == '\0') {
    snprintf(badge, sizeof(badge), "#%" PRIu64, r->badge);
    sender = badge;
  }
  /* PRIu64 is "lu" on lp64, the host's and riscv64's: no long long
   * conversion is asked of whichever picolibc printf variant is linked. */
  uint64_t sec = r->time_ns / 1000000000u, usec = r->time_ns % 1000000000u / 1000u;
  int n = snprintf(buf, size, "[%5" PRIu64 ".%06" PRIu64 "] %-5s %s: %s%s", sec, usec,
                   log_level_name(r->level), sender, r->text, r->truncated ? "..." : "");
  return format_result(n, size);
}

int log_format_missed(uint64_t missed, char *buf, size_t size) {
  if (buf == NULL || size == 0) return NX_ERR_INVALID_ARGS;
  int n = snprintf(buf, size, "log: %" PRIu64 " record%s missed", missed, missed == 1 ? "" : "s");
  return format_result(n, size);
}
