/*
 * Names for the numbers the services report: object types, rights, task
 * states and log levels. The one place that maps them, so a new object
 * type or right is added here only.
 */
#ifndef NEURON_SHELL_NAMES_H
#define NEURON_SHELL_NAMES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A buffer of this size holds any shell_format_rights() text. */
#define SHELL_RIGHTS_TEXT_MAX 80u

/* The object type's name ("vmo", "endpoint"...), NULL for an unknown one. */
const char *shell_object_type_name(uint32_t type);

/* Writes the rights `bits` as names joined by commas, in bit order
 * ("read,write,duplicate"), "none" for 0, and bits no right has as one hex
 * number at the end ("read,0x400"). Cut to fit `size` (> 0). */
void shell_format_rights(uint32_t bits, char *buf, size_t size);

/* "stopped" or "running", NULL for another value. */
const char *shell_task_state_name(uint32_t state);

/* "debug", "info", "warn" or "error", NULL for another value. */
const char *shell_log_level_name(uint32_t level);

/* The level a name spells (as shell_log_level_name), or -1. */
int shell_log_level_parse(const char *name);

#ifdef __cplusplus
}
#endif

#endif
