/*
 * Who is who: the names of the programs that may log, by the badge of
 * their capability to the log endpoint. init mints that badge per program
 * and tells the log service the program's name (the server glue accepts
 * this only from init); the kernel hands the badge over with every call,
 * so a client cannot log under another program's name.
 */
#ifndef NEURON_LOG_SENDERS_H
#define NEURON_LOG_SENDERS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest sender name: a program name (NX_TASK_NAME_MAX). */
#define LOG_NAME_MAX 31u

/* The most programs the log service knows by name. */
#define LOG_SENDERS 32u

typedef struct log_sender {
  uint64_t badge; /* 0: slot free */
  char name[LOG_NAME_MAX + 1];
} log_sender_t;

typedef struct log_senders {
  log_sender_t slots[LOG_SENDERS];
} log_senders_t;

void log_senders_init(log_senders_t *s);

/* Names the program with `badge` name[0..len); a known badge is renamed.
 * NX_ERR_INVALID_ARGS: badge 0 (unbadged: no one in particular), or a name
 * that is empty, longer than LOG_NAME_MAX or not printable ASCII without
 * spaces. NX_ERR_NO_MEMORY: LOG_SENDERS programs are known already. */
int log_senders_set(log_senders_t *s, uint64_t badge, const char *name, size_t len);

/* Forgets `badge` (its program left for good). NX_ERR_NOT_FOUND if unknown. */
int log_senders_remove(log_senders_t *s, uint64_t badge);

/* The name of `badge`, or NULL if it is unknown (or 0). */
const char *log_senders_name(const log_senders_t *s, uint64_t badge);

#ifdef __cplusplus
}
#endif

#endif
