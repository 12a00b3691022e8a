/*
 * A client of the log service (//tests/qemu:log_service_test). init gives
 * it a send handle to "log" as start->h1, badged with its plan index + 1.
 * It writes records at every level, reads them back (all, then only the
 * warnings and up) and checks text, level and that every record carries
 * the same badge: its own, which it cannot choose. Last it asks logd to
 * init's shutdown (start->h2, "system") so the system can end.
 */
#include "services/log/log_client.h"

#include <string.h>

#include "neuron/errors.h"
#include "services/init/system_client.h"
#include "test_util.h"

#define P "log_client"

static const struct {
  uint32_t level;
  const char *text;
} records[] = {
    {1, "hello from the log client"},
    {2, "a warning from the log client"},
    {3, "an error from the log client"},
    {0, "a debug line from the log client"},
};
#define RECORDS (sizeof records / sizeof records[0])

/* Reads from `cursor` at `min_level` until nothing is new; checks each
 * record against records[] (those at or above min_level, in order).
 * Returns how many it read; *badge is the first record's badge. */
static uint32_t read_back(nx_handle_t ep, uint32_t min_level, uint64_t *badge) {
  uint64_t cursor = 0;
  uint32_t got = 0, want = 0;
  for (;;) {
    while (want < RECORDS && records[want].level < min_level) want++;
    log_read_result_t r = {0};
    int64_t err = log_read(ep, cursor, min_level, &r);
    if (err == NX_ERR_NOT_FOUND) break;
    if (!t_expect(P, "read", err, NX_OK)) break;
    if (want == RECORDS) {
      t_fail(P, "a record nobody wrote", (int64_t)r.badge, 0);
      break;
    }
    if (got == 0) *badge = r.badge;
    t_expect(P, "badge the same on every record", (int64_t)r.badge, (int64_t)*badge);
    t_expect(P, "level", r.level, records[want].level);
    size_t len = strlen(records[want].text);
    t_expect(P, "text length", (int64_t)r.text_len, (int64_t)len);
    t_expect(P, "text", r.text_len == len && memcmp(r.text, records[want].text, len) == 0, 1);
    cursor = r.next;
    got++;
    want++;
  }
  return got;
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  nx_handle_t ep = start->h1;
  for (uint32_t i = 0; i < RECORDS; i++) {
    log_write_result_t w = {0};
    t_expect(P, "write",
             log_write(ep, records[i].level, records[i].text, strlen(records[i].text), &w), NX_OK);
    t_expect(P, "write: seq", (int64_t)w.seq, i);
  }
  log_write_result_t w = {0};
  t_expect(P, "write at level 7", log_write(ep, 7, "no level", 8, &w), NX_ERR_INVALID_ARGS);

  log_count_result_t c = {0};
  t_expect(P, "count", log_count(ep, &c), NX_OK);
  t_expect(P, "count: oldest", (int64_t)c.oldest, 0);
  t_expect(P, "count: next (no one else wrote)", (int64_t)c.next, RECORDS);
  t_expect(P, "count: dropped", (int64_t)c.dropped, 0);

  uint64_t badge = 0, warn_badge = 0;
  uint32_t all = read_back(ep, 0, &badge);
  uint32_t warnings = read_back(ep, 2, &warn_badge);
  t_expect(P, "records read back", all, RECORDS);
  t_expect(P, "warnings and errors read back", warnings, 2);
  t_expect(P, "a badge of init's", badge != 0, 1);
  t_expect(P, "the same badge at every level", (int64_t)warn_badge, (int64_t)badge);
  log_read_result_t r = {0};
  t_expect(P, "read past the newest", log_read(ep, RECORDS + 1, 0, &r), NX_ERR_OUT_OF_RANGE);
  t_expect(P, "read at a level that is none", log_read(ep, 0, 4, &r), NX_ERR_INVALID_ARGS);

  if (t_failures) {
    t_say(P ": FAILED %d checks\n", t_failures);
  } else {
    t_say(P ": %u records read back, all with badge %llu\n", (unsigned)all,
          (unsigned long long)badge);
  }
  t_expect(P, "shutdown", system_shutdown(start->h2), NX_OK);
  return t_failures ? 1 : 0;
}
