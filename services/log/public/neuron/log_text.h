/*
 * Message text as a record keeps it. Text comes from any client and ends up
 * on the serial console, so it is made safe to print there: one record is
 * one console line (trailing line ends are dropped), and a byte that could
 * start a new line or a terminal escape sequence is shown as '?'. A client
 * can neither forge another program's log line nor take over the terminal.
 */
#ifndef NEURON_LOG_TEXT_H
#define NEURON_LOG_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Copies text[0..len) into out (at least max + 1 bytes) as described
 * above, at most `max` bytes of it, NUL-terminated. Returns the bytes
 * stored; *truncated tells whether some text was cut off. */
size_t log_text_copy(char *out, size_t max, const char *text, size_t len, bool *truncated);

#ifdef __cplusplus
}
#endif

#endif
