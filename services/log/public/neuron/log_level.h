/*
 * Log levels, by rising severity. Levels arrive as message words from
 * clients, so they are plain uint32_t values, checked wherever they enter.
 */
#ifndef NEURON_LOG_LEVEL_H
#define NEURON_LOG_LEVEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LOG_DEBUG 0u
#define LOG_INFO 1u
#define LOG_WARN 2u
#define LOG_ERROR 3u
#define LOG_LEVELS 4u /* levels are 0 .. LOG_LEVELS - 1 */

/* "debug", "info", "warn" or "error"; "?" for a value that is no level. */
const char *log_level_name(uint32_t level);

/* The level named name[0..len) (as log_level_name spells it), for the
 * console's `log warn`; NX_ERR_INVALID_ARGS for anything else. */
int log_level_parse(const char *name, size_t len);

#ifdef __cplusplus
}
#endif

#endif
