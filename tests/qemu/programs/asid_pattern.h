/*
 * The page pattern asid_churn and asid_child write and check: a word for
 * each (seed, round, index), different for every task (seed) and call
 * (round), so a page of another space, or of an earlier call, shows.
 */
#ifndef TESTS_QEMU_PROGRAMS_ASID_PATTERN_H
#define TESTS_QEMU_PROGRAMS_ASID_PATTERN_H

#include <stdint.h>

#define ASID_PATTERN_WORDS 512 /* one 4 KiB page */
#define ASID_PATTERN_QUIT 0    /* the round that ends a child */

static inline uint64_t asid_pattern(uint64_t seed, uint64_t round, uint64_t i) {
  return (seed << 48) ^ (round << 24) ^ (i * 0x9e3779b97f4a7c15ull);
}

static inline void asid_pattern_write(uint64_t *page, uint64_t seed, uint64_t round) {
  for (uint64_t i = 0; i < ASID_PATTERN_WORDS; i++) page[i] = asid_pattern(seed, round, i);
}

/* How many words of page differ from the pattern of (seed, round). */
static inline uint64_t asid_pattern_check(const uint64_t *page, uint64_t seed, uint64_t round) {
  uint64_t wrong = 0;
  for (uint64_t i = 0; i < ASID_PATTERN_WORDS; i++)
    wrong += page[i] != asid_pattern(seed, round, i);
  return wrong;
}

#endif
