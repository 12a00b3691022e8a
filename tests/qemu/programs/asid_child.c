/*
 * app/asid_child, for asid_churn: answers calls on start->h0 (round, seed)
 * with how many words of its page were not what it wrote at its last call,
 * then writes the pattern of this round; ASID_PATTERN_QUIT ends it.
 */
#include "tests/qemu/programs/asid_pattern.h"
#include "tests/qemu/programs/test_util.h"

static uint64_t g_page[ASID_PATTERN_WORDS] __attribute__((aligned(4096)));

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  nx_handle_t ep = start->h0;
  nx_ipc_words_t m;
  int64_t r = nx_ipc_recv(ep, &m);
  uint64_t last_round = 0;
  while (r >= 0 && m.w0 != ASID_PATTERN_QUIT) {
    uint64_t round = m.w0, seed = m.w1;
    /* Round 1 finds the page as the loader left it (zero). */
    uint64_t wrong = last_round ? asid_pattern_check(g_page, seed, last_round) : 0;
    asid_pattern_write(g_page, seed, round);
    last_round = round;
    r = nx_ipc_reply_recv(ep, wrong, 0, 0, 0, 0, &m);
  }
  if (r >= 0) nx_ipc_reply(0, 0, 0, 0, 0); /* the quit's answer */
  return r < 0;
}
