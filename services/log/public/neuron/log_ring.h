/*
 * The log: a fixed ring of records, the oldest overwritten when it is full.
 *
 * Every record gets a sequence number, one more than the record before, so
 * the ring holds the records [oldest, next) and everything before `oldest`
 * was overwritten. A reader keeps a cursor (the next sequence number it
 * wants) instead of the ring keeping one per reader: the console's `log`
 * command prints what is new since its last read, and when the ring has
 * lapped the reader, the cursor says how many records it missed. A cursor
 * is two plain numbers, so it can travel in IPC message words.
 *
 * Portable logic with no syscalls: the server glue passes the badge the
 * kernel delivered, the sender's name (log_senders.h) and the clock.
 */
#ifndef NEURON_LOG_RING_H
#define NEURON_LOG_RING_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/log_level.h"
#include "neuron/log_senders.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most message bytes a record keeps; longer messages are cut. */
#define LOG_TEXT_MAX 160u

typedef struct log_record {
  uint64_t seq;      /* its place in the stream of every record appended */
  uint64_t time_ns;  /* monotonic time it was logged, never before its predecessor's */
  uint64_t badge;    /* the sender's badge, as the server saw it */
  uint32_t level;    /* LOG_DEBUG .. LOG_ERROR */
  uint16_t len;      /* bytes in text */
  uint8_t truncated; /* 1: the message was longer than LOG_TEXT_MAX */
  /* The sender's name when it logged ("" if unknown): kept in the record so
   * a program's old lines keep its name after it is gone. */
  char sender[LOG_NAME_MAX + 1];
  char text[LOG_TEXT_MAX + 1]; /* printable ASCII (log_text.h), NUL-terminated */
} log_record_t;

typedef struct log_ring {
  log_record_t *records; /* capacity of them, the caller's storage */
  uint32_t capacity;
  uint64_t next;      /* the next record's sequence number: how many were ever appended */
  uint64_t last_time; /* the newest record's time_ns */
} log_ring_t;

typedef struct log_cursor {
  uint64_t next;   /* the sequence number the reader wants next */
  uint64_t missed; /* records overwritten before the reader got to them, summed over reads */
} log_cursor_t;

/* An empty ring in records[0..capacity). NX_ERR_INVALID_ARGS: no storage. */
int log_ring_init(log_ring_t *r, log_record_t *records, uint32_t capacity);

/* Appends a record, overwriting the oldest if the ring is full. `sender`
 * is the name for `badge` (NULL if unknown); `text` is stored as
 * log_text_copy() makes it. A time_ns before the newest record's is raised
 * to it, so the records stay in time order.
 * Returns the record's sequence number (>= 0), or NX_ERR_INVALID_ARGS for
 * a level that is none or text NULL with len > 0. */
int64_t log_ring_append(log_ring_t *r, uint32_t level, uint64_t time_ns, uint64_t badge,
                        const char *sender, const char *text, size_t len);

/* The oldest record still held (== log_ring_next() when the ring is empty). */
uint64_t log_ring_oldest(const log_ring_t *r);

/* The sequence number the next record will get. */
uint64_t log_ring_next(const log_ring_t *r);

/* How many records were overwritten since log_ring_init. */
uint64_t log_ring_dropped(const log_ring_t *r);

/* A cursor at the oldest record held, or past the newest (only what comes
 * after this call), with nothing missed. A zeroed cursor also works: it
 * counts every record dropped since init as missed. */
void log_cursor_oldest(const log_ring_t *r, log_cursor_t *c);
void log_cursor_newest(const log_ring_t *r, log_cursor_t *c);

/* Copies the first record at or after c->next whose level is at least
 * `min_level` into *out and moves c->next past it. Records below
 * `min_level` are skipped, not missed. If the ring has overwritten
 * c->next, the overwritten records are added to c->missed first.
 * NX_ERR_NOT_FOUND: no such record yet (c->next is then log_ring_next(), so
 * the skipped records are not scanned again). NX_ERR_INVALID_ARGS:
 * min_level is no level. NX_ERR_OUT_OF_RANGE: c->next is past
 * log_ring_next() (not a cursor of this ring); c is left as it was. */
int log_ring_read(const log_ring_t *r, log_cursor_t *c, uint32_t min_level, log_record_t *out);

#ifdef __cplusplus
}
#endif

#endif
