#include <string.h>

#include "neuron/errors.h"
#include "neuron/log_ring.h"
#include "neuron/log_text.h"

int log_ring_init(log_ring_t *r, log_record_t *records, uint32_t capacity) {
  if (records == NULL || capacity == 0) return NX_ERR_INVALID_ARGS;
  r->records = records;
  r->capacity = capacity;
  r->next = 0;
  r->last_time = 0;
  return NX_OK;
}

uint64_t log_ring_next(const log_ring_t *r) { return r->next; }

uint64_t log_ring_oldest(const log_ring_t *r) {
  return r->next > r->capacity ? r->next - r->capacity : 0;
}

/* Every record before the oldest was overwritten: nothing else removes one. */
uint64_t log_ring_dropped(const log_ring_t *r) { return log_ring_oldest(r); }

int64_t log_ring_append(log_ring_t *r, uint32_t level, uint64_t time_ns, uint64_t badge,
                        const char *sender, const char *text, size_t len) {
  if (level >= LOG_LEVELS || (text == NULL && len > 0)) return NX_ERR_INVALID_ARGS;
  log_record_t *rec = &r->records[r->next % r->capacity];
  if (time_ns < r->last_time) time_ns = r->last_time;
  r->last_time = time_ns;
  rec->seq = r->next;
  rec->time_ns = time_ns;
  rec->badge = badge;
  rec->level = level;
  bool truncated = false;
  rec->len = (uint16_t)log_text_copy(rec->text, LOG_TEXT_MAX, text, len, &truncated);
  rec->truncated = truncated;
  /* Names come from log_senders (bounded, printable); the copy is bounded
   * anyway, as the ring cannot know where `sender` came from. */
  size_t name_len = 0;
  if (sender != NULL) {
    while (name_len < LOG_NAME_MAX && sender[name_len] != '\0') name_len++;
    memcpy(rec->sender, sender, name_len);
  }
  rec->sender[name_len] = '\0';
  return (int64_t)r->next++;
}

void log_cursor_oldest(const log_ring_t *r, log_cursor_t *c) {
  c->next = log_ring_oldest(r);
  c->missed = 0;
}

void log_cursor_newest(const log_ring_t *r, log_cursor_t *c) {
  c->next = r->next;
  c->missed = 0;
}

int log_ring_read(const log_ring_t *r, log_cursor_t *c, uint32_t min_level, log_record_t *out) {
  if (min_level >= LOG_LEVELS) return NX_ERR_INVALID_ARGS;
  if (c->next > r->next) return NX_ERR_OUT_OF_RANGE;
  uint64_t oldest = log_ring_oldest(r);
  if (c->next < oldest) {
    c->missed += oldest - c->next;
    c->next = oldest;
  }
  for (; c->next < r->next; c->next++) {
    const log_record_t *rec = &r->records[c->next % r->capacity];
    if (rec->level < min_level) continue;
    *out = *rec;
    c->next++;
    return NX_OK;
  }
  return NX_ERR_NOT_FOUND;
}
