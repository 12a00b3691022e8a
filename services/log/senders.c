#include <string.h>

#include "neuron/errors.h"
#include "neuron/log_senders.h"

void log_senders_init(log_senders_t *s) {
  for (size_t i = 0; i < LOG_SENDERS; i++) s->slots[i].badge = 0;
}

static log_sender_t *senders_find(const log_senders_t *s, uint64_t badge) {
  /* Free slots have badge 0, so 0 must never be looked for. */
  if (badge == 0) return NULL;
  for (size_t i = 0; i < LOG_SENDERS; i++) {
    if (s->slots[i].badge == badge) return (log_sender_t *)&s->slots[i];
  }
  return NULL;
}

/* A name is printed in every line its program logs: printable ASCII, no
 * spaces, so a line still splits into its fields. */
static int senders_name_check(const char *name, size_t len) {
  if (name == NULL || len == 0 || len > LOG_NAME_MAX) return NX_ERR_INVALID_ARGS;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)name[i];
    if (c <= 0x20 || c > 0x7e) return NX_ERR_INVALID_ARGS;
  }
  return NX_OK;
}

int log_senders_set(log_senders_t *s, uint64_t badge, const char *name, size_t len) {
  if (badge == 0) return NX_ERR_INVALID_ARGS;
  int err = senders_name_check(name, len);
  if (err != NX_OK) return err;
  log_sender_t *slot = senders_find(s, badge);
  for (size_t i = 0; slot == NULL && i < LOG_SENDERS; i++) {
    if (s->slots[i].badge == 0) slot = &s->slots[i];
  }
  if (slot == NULL) return NX_ERR_NO_MEMORY;
  slot->badge = badge;
  memcpy(slot->name, name, len);
  slot->name[len] = '\0';
  return NX_OK;
}

int log_senders_remove(log_senders_t *s, uint64_t badge) {
  log_sender_t *slot = senders_find(s, badge);
  if (slot == NULL) return NX_ERR_NOT_FOUND;
  slot->badge = 0;
  return NX_OK;
}

const char *log_senders_name(const log_senders_t *s, uint64_t badge) {
  const log_sender_t *slot = senders_find(s, badge);
  return slot != NULL ? slot->name : NULL;
}
