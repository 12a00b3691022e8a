/*
 * How commands write: whole lines, each ending in "\r\n" (the serial line
 * wants both), and service errors in one form.
 */
#ifndef UI_SHELL_OUT_H
#define UI_SHELL_OUT_H

#include <stdint.h>

#include "neuron/shell_sys.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The longest line a command prints, "\r\n" included; longer ones are cut. */
#define SHELL_OUT_LINE_MAX 256u

/* Prints one line (printf format, without its line end). */
void shell_print(const shell_sys_t *sys, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "<command>: <service> service: <error name>". */
void shell_print_error(const shell_sys_t *sys, const char *command, const char *service,
                       int64_t err);

#ifdef __cplusplus
}
#endif

#endif
