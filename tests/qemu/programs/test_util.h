/*
 * Helpers the QEMU test programs share: formatted lines on the debug log
 * and checks that count mismatches. A check that fails prints a line with
 * "FAILED", which no test's markers match, so the failure also shows as a
 * missing marker.
 */
#ifndef TESTS_QEMU_PROGRAMS_TEST_UTIL_H
#define TESTS_QEMU_PROGRAMS_TEST_UTIL_H

#include <stdint.h>

#include "neuron/runtime.h"

/* The log every helper writes to (set it first thing in nx_main). */
extern nx_handle_t t_log;

/* How many checks failed so far. */
extern int t_failures;

/* Prints one formatted line (the caller adds the newline). */
void t_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Counts a failure and prints "<prefix>: FAILED <what>: got <got>, want <want>". */
void t_fail(const char *prefix, const char *what, int64_t got, int64_t want);

/* Checks got == want (see t_fail); returns whether it matched. */
int t_expect(const char *prefix, const char *what, int64_t got, int64_t want);

/* Checks got >= 0 (a handle or a count); returns got. */
int64_t t_ok(const char *prefix, const char *what, int64_t got);

/* Creates app/`name` from the boot archive at priority 10 with
 * `quota_pages`, gives it the log (write) and `h0` with `h0_rights` as its
 * h0, and starts it; each step is checked (see t_ok, t_expect). Returns the
 * task's handle, or the error that stopped it. */
int64_t t_start_app(const char *prefix, const nx_start_info_t *start, const char *name,
                    uint32_t quota_pages, nx_handle_t h0, uint32_t h0_rights);

/* The error's short name (nx_error_name), or "ok" for values >= 0. */
const char *t_err(int64_t v);

#endif
