// libFuzzer target for the object syscalls: the input's bytes are the
// choices of the model harness (syscall_harness.h) — which task calls, which
// syscall, and each argument (mostly a live handle of the right type, a
// mapped buffer, a valid size; sometimes not) — so every input is a
// sequence of syscalls by several tasks, run through decode and invoke as
// the kernel dispatches them and checked against the model after every step;
// at the end everything is closed and every page must come back. A broken
// invariant or a mispredicted result aborts (a crash for libFuzzer), and so
// does anything AddressSanitizer or UBSan finds in the kernel code, which is
// built with them. Run by //tools/fuzz:fuzz_test.sh (the syscall_fuzz_test target).
#include <cstddef>
#include <cstdint>

#include "kernel/core/syscall_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  syscall_harness::Config config;
  config.arena_bytes = size_t{8} << 20;
  config.tasks = 2 + data[0] % 3;
  config.quota_pages = data[0] & 0x80 ? 48 : 512;  // sometimes tight
  syscall_harness::Harness h(config);
  syscall_harness::BytesSource src(data + 1, size - 1);
  for (int steps = 0; steps < 4000 && h.Step(src); steps++) {
  }
  h.Finish();
  return 0;
}
