/*
 * A record as one console line, for the console's `log` command:
 *
 *   [   12.034567] warn  uart: rx overrun
 *   [   12.100000] info  #7: a message from badge 7, whose name is unknown
 *   [   13.000000] error init: a message longer than LOG_TEXT_MAX was cut...
 *
 * Seconds and microseconds since boot, the level padded to one width, the
 * sender and the text. No line end: the console adds its own ("\r\n" on the
 * serial line).
 */
#ifndef NEURON_LOG_FORMAT_H
#define NEURON_LOG_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/log_ring.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A buffer of this size holds any record's line in full. */
#define LOG_LINE_MAX 256u

/* Writes r's line to buf (size bytes, NUL-terminated, cut to fit if buf is
 * smaller than LOG_LINE_MAX). Returns the line's length in buf, or
 * NX_ERR_INVALID_ARGS if r or buf is NULL or size is 0. */
int log_format_record(const log_record_t *r, char *buf, size_t size);

/* The line a reader prints when its cursor fell behind the ring:
 * "log: N records missed". Same returns as log_format_record. */
int log_format_missed(uint64_t missed, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
