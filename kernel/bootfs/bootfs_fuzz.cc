// libFuzzer target for the boot archive reader: bootfs_open() on arbitrary
// bytes and, when it accepts them, iteration and a lookup of every name.
// Built with AddressSanitizer and UBSan (through fuzz_binary), so a read
// outside the input is a crash; the checks below turn a broken promise of
// bootfs.h into a crash too: a refusal says why, an acceptance lists at
// most BOOTFS_MAX_ENTRIES regular files inside the archive, each name
// unique and found again by a lookup. Run by //tools/fuzz:fuzz_test.sh (the
// bootfs_fuzz_test target), seeded with an archive the real packer wrote.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "neuron/bootfs.h"
#include "neuron/errors.h"

namespace {

// A broken promise: crash so libFuzzer keeps the input.
void Check(bool ok) {
  if (!ok) __builtin_trap();
}

// [p, p + n) lies inside the input, and every byte is readable.
void CheckInside(const uint8_t *data, size_t size, const void *v, size_t n) {
  const uint8_t *p = static_cast<const uint8_t *>(v);
  Check(p >= data && n <= size && static_cast<size_t>(p - data) <= size - n);
  volatile uint8_t sink = 0;
  for (size_t i = 0; i < n; i++) sink = sink ^ p[i];
  (void)sink;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bootfs_t fs;
  const char *why = nullptr;
  if (bootfs_open(&fs, data, size, &why) != NX_OK) {
    Check(why != nullptr);
    return 0;
  }
  Check(fs.base == data && fs.size <= size && fs.count <= BOOTFS_MAX_ENTRIES);
  size_t cursor = BOOTFS_ITER_START;
  bootfs_entry_t e;
  uint32_t n = 0;
  int err;
  while ((err = bootfs_next(&fs, &cursor, &e)) == NX_OK) {
    Check(++n <= fs.count);
    const size_t name_len = std::strlen(e.name);
    CheckInside(data, size, e.name, name_len + 1);
    CheckInside(data, size, e.data, e.size);
    bootfs_entry_t found;
    Check(bootfs_lookup(&fs, e.name, &found) == NX_OK);
    Check(found.data == e.data && found.size == e.size && found.name == e.name);
  }
  Check(err == NX_ERR_NOT_FOUND && n == fs.count);
  bootfs_entry_t none;
  Check(bootfs_lookup(&fs, "no/such/file/in/any/archive", &none) == NX_ERR_NOT_FOUND);
  return 0;
}
