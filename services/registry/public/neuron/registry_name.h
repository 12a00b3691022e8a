/*
 * Service names: what a server registers under and a client looks up.
 *
 * Names arrive as bytes from IPC messages, counted and not NUL-terminated,
 * so every function takes (name, len). A name is 1..REGISTRY_NAME_MAX bytes
 * of [A-Za-z0-9._/-]: the manifest's program names fit, and a name can be
 * printed on the console or in a log line as it is (no spaces, no control
 * characters, no terminal escapes from a misbehaving client).
 */
#ifndef NEURON_REGISTRY_NAME_H
#define NEURON_REGISTRY_NAME_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest name, in bytes: the same bound as a program name
 * (NX_TASK_NAME_MAX), so a service can be registered under its program's. */
#define REGISTRY_NAME_MAX 31u

/* NX_OK if name[0..len) is a valid name, NX_ERR_INVALID_ARGS if not (also
 * for a NULL name). */
int registry_name_check(const char *name, size_t len);

/* Whether a stored, valid name `stored` (NUL-terminated) equals name[0..len). */
bool registry_name_equal(const char *stored, const char *name, size_t len);

/* Copies a valid name into `out` (REGISTRY_NAME_MAX + 1 bytes), terminated. */
void registry_name_copy(char *out, const char *name, size_t len);

#ifdef __cplusplus
}
#endif

#endif
