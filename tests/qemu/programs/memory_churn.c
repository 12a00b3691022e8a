/*
 * Memory goes back where it came from (bin/memory_churn). Three times over,
 * the program fills its quota with 1 MiB VMOs (every other one physically
 * contiguous, so the page allocator splits large blocks, among them ones
 * nothing had taken since boot, whose records it writes only then), finds
 * every page zero, dirties every page, and closes every handle. Each round
 * must get exactly as many VMOs as the first (nothing leaked, the quota
 * refunded) and see only zeros (pages are zeroed before a task sees them,
 * whoever wrote them last).
 */
#include "neuron/runtime.h"
#include "tests/qemu/programs/test_util.h"

#define P "memory_churn"
#define VMO_SIZE (1u << 20)
#define MAX_VMOS 16 /* more than a boot program's quota holds */
#define ROUNDS 3

static uint64_t page[4096 / sizeof(uint64_t)];

/* Every page of `vmo` reads as zero; then each is written with `mark`. */
static void check_zero_then_dirty(nx_handle_t vmo, uint64_t mark) {
  int dirty_seen = 0;
  for (uint64_t off = 0; off < VMO_SIZE; off += sizeof page) {
    t_expect(P, "vmo_read", nx_vmo_read(vmo, off, (uintptr_t)page, sizeof page), sizeof page);
    for (unsigned i = 0; i < sizeof page / sizeof page[0] && !dirty_seen; i++) {
      if (page[i] != 0) {
        t_fail(P, "a fresh page is not zero", (int64_t)page[i], 0);
        dirty_seen = 1;
      }
    }
    for (unsigned i = 0; i < sizeof page / sizeof page[0]; i++) page[i] = mark + off + i;
    t_expect(P, "vmo_write", nx_vmo_write(vmo, off, (uintptr_t)page, sizeof page), sizeof page);
  }
}

int nx_main(const nx_start_info_t *start) {
  t_log = start->log;
  int first = -1;
  for (int round = 0; round < ROUNDS; round++) {
    nx_handle_t vmos[MAX_VMOS];
    int n = 0;
    int64_t h = 0;
    for (; n < MAX_VMOS; n++) {
      h = nx_vmo_create(VMO_SIZE, n % 2 ? NX_VMO_CONTIGUOUS : 0);
      if (h < 0) break;
      vmos[n] = (nx_handle_t)h;
      check_zero_then_dirty(vmos[n], 0x5a5a000000000000ull * (uint64_t)(round + 1));
    }
    t_expect(P, "the round ends at the quota", h, NX_ERR_NO_MEMORY);
    if (round == 0) {
      first = n;
    } else {
      t_expect(P, "as many VMOs as the first round", n, first);
    }
    for (int i = 0; i < n; i++) t_expect(P, "handle_close", nx_handle_close(vmos[i]), NX_OK);
  }
  if (first < 2) t_fail(P, "VMOs in the quota", first, 2);
  if (t_failures) return 1;
  t_say(P ": %d MiB, three times over, zero every time\n", first);
  return 0;
}
