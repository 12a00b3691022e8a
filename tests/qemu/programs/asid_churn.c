/*
 * Many address spaces on few ASIDs (//tests/qemu:asid_churn_test, booted
 * with neuron.asid_bits=2: ASIDs 1..3 for the tasks; asid_none_test with
 * neuron.asid_bits=0: none, every switch flushes). Six copies of
 * app/asid_child, each an address space of its own with its data at the
 * same virtual addresses, answer this task's calls in turn, so nearly
 * every switch needs an ASID and the allocator rolls its generation over
 * again and again; the IPC fastpath (a task's cached satp holds only while
 * its ASID tag is of the current generation) leaves those switches to the
 * C path, which assigns the ASID and loads satp again. Each child checks
 * that its page still holds what it wrote at its last call, and this task
 * its own page after each call. QEMU's TLB keeps no entries per ASID (it
 * is flushed at every satp write), so what this checks is the kernel's
 * part: that every switch, through a roll-over or not, runs the task on
 * its own page tables (a satp not loaded again fails it: checked).
 */
#include "tests/qemu/programs/asid_pattern.h"
#include "tests/qemu/programs/test_util.h"

#define P "asid_churn"
#define CHILDREN 6
#define ROUNDS 100

static uint64_t g_page[ASID_PATTERN_WORDS] __attribute__((aligned(4096)));

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  nx_handle_t eps[CHILDREN];
  for (uint64_t c = 0; c < CHILDREN; c++) {
    eps[c] = (nx_handle_t)t_ok(P, "endpoint", nx_endpoint_create());
    t_ok(P, "child", t_start_app(P, start, "asid_child", 32, eps[c], NX_RIGHT_READ));
  }
  uint64_t written = 0; /* the pattern this task's page holds */
  asid_pattern_write(g_page, 0, written);
  uint32_t calls = 0, wrong = 0;
  for (uint64_t round = 1; round <= ROUNDS; round++) {
    for (uint64_t c = 0; c < CHILDREN; c++) {
      nx_ipc_words_t reply;
      int64_t err = nx_ipc_call(eps[c], round, c + 1, 0, 0, 0, &reply);
      calls++;
      /* The child answers how many of its words were not as it left them. */
      if (err != 0 || reply.w0 != 0) wrong++;
      if (asid_pattern_check(g_page, 0, written) != 0) wrong++;
      asid_pattern_write(g_page, 0, ++written);
    }
  }
  for (uint64_t c = 0; c < CHILDREN; c++) {
    nx_ipc_words_t reply;
    t_expect(P, "quit", nx_ipc_call(eps[c], ASID_PATTERN_QUIT, 0, 0, 0, 0, &reply), 0);
  }
  t_say(P ": %u calls to %u tasks: %u wrong\n", (unsigned)calls, (unsigned)CHILDREN,
        (unsigned)wrong);
  return wrong != 0;
}
