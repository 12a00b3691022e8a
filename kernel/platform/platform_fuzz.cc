// libFuzzer target for the machine description: fdt_open() on arbitrary
// bytes and, for every tree it accepts, platform_from_fdt(). Built with
// AddressSanitizer and UBSan (through fuzz_binary), so a read outside the
// input or undefined behaviour is a crash; the checks below turn a broken
// promise of platform.h into a crash too. Run by
// //tools/fuzz:fuzz_test.sh (the platform_fuzz_test target), seeded with
// the device tree reader's corpus.
#include <cstddef>
#include <cstdint>

#include "neuron/errors.h"
#include "neuron/fdt.h"
#include "neuron/platform.h"

namespace {

// A broken promise: crash so libFuzzer keeps the input.
void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fdt_t f;
  if (fdt_open(&f, data, size, nullptr) != NX_OK) return 0;
  platform_t p;
  const char *why = nullptr;
  const int err = platform_from_fdt(&f, &p, &why);
  if (err != NX_OK) {
    // Refused with a reason, as one of the two codes platform.h names.
    Check((err == NX_ERR_NOT_FOUND || err == NX_ERR_BAD_FORMAT) && why != nullptr);
    return 0;
  }
  // Accepted: every essential is there, and what the kernel sizes by is in
  // range.
  Check(why == nullptr);
  Check(p.memory.size != 0 && p.uart.size != 0 && p.hart_count != 0);
  Check(p.timebase_hz >= PLATFORM_MIN_TIMEBASE_HZ);
  Check(p.virtio_count <= PLATFORM_MAX_VIRTIO);
  for (uint32_t i = 0; i < p.virtio_count; i++) Check(p.virtio[i].size != 0);
  Check(p.initrd.base + p.initrd.size >= p.initrd.base);  // the end did not wrap
  Check(p.plic.size != 0 || (p.plic_sources == 0 && p.plic_context == 0));
  return 0;
}
