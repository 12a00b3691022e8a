// libFuzzer target for the ELF validator: elf_describe() on arbitrary bytes
// for the Sv39 user half. Built with AddressSanitizer and UBSan (through
// fuzz_binary), so a read outside the input is a crash; the checks below
// turn a broken promise of elf.h into a crash too: a refusal says why and
// leaves no segments, an acceptance describes only segments the loader may
// map as they are (inside the file and the user range, W^X, no shared
// page, the entry in an executable one). Run by //tools/fuzz:fuzz_test.sh
// (the elf_fuzz_test target), seeded with a real user program.
#include <cstddef>
#include <cstdint>

#include "neuron/elf.h"
#include "neuron/errors.h"

namespace {

constexpr uint64_t kUserMin = 0x1000;
constexpr uint64_t kUserMax = 0x3ffffff000;

// A broken promise: crash so libFuzzer keeps the input.
void Check(bool ok) {
  if (!ok) __builtin_trap();
}

uint64_t PageDown(uint64_t x) { return x & ~uint64_t{ELF_PAGE_SIZE - 1}; }
uint64_t PageUp(uint64_t x) { return PageDown(x + ELF_PAGE_SIZE - 1); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  elf_image_t img;
  const char *why = nullptr;
  const int err = elf_describe(&img, data, size, kUserMin, kUserMax, &why);
  if (err != NX_OK) {
    Check(why != nullptr && img.segment_count == 0);
    Check(err == NX_ERR_BAD_FORMAT || err == NX_ERR_NOT_SUPPORTED || err == NX_ERR_OUT_OF_RANGE);
    return 0;
  }
  Check(img.segment_count >= 1 && img.segment_count <= ELF_MAX_SEGMENTS);
  bool entry_ok = false;
  for (uint32_t i = 0; i < img.segment_count; i++) {
    const elf_segment_t &s = img.segments[i];
    Check(s.memsz != 0 && s.filesz <= s.memsz);
    Check(s.vaddr >= kUserMin && s.vaddr <= kUserMax && s.memsz <= kUserMax - s.vaddr);
    const uint8_t *p = static_cast<const uint8_t *>(s.data);
    Check(p >= data && s.filesz <= size && static_cast<size_t>(p - data) <= size - s.filesz);
    volatile uint8_t sink = 0;
    for (uint64_t k = 0; k < s.filesz; k++) sink = sink ^ p[k];
    (void)sink;
    Check(s.perms != 0 && (s.perms & ~uint32_t{ELF_PERM_R | ELF_PERM_W | ELF_PERM_X}) == 0);
    Check(!((s.perms & ELF_PERM_W) && (s.perms & ELF_PERM_X)));
    Check(!(s.perms & ELF_PERM_W) || (s.perms & ELF_PERM_R));
    for (uint32_t j = 0; j < i; j++) {
      const elf_segment_t &o = img.segments[j];
      Check(PageUp(s.vaddr + s.memsz) <= PageDown(o.vaddr) ||
            PageUp(o.vaddr + o.memsz) <= PageDown(s.vaddr));
    }
    if ((s.perms & ELF_PERM_X) && img.entry >= s.vaddr && img.entry - s.vaddr < s.memsz) {
      entry_ok = true;
    }
  }
  Check(entry_ok);
  return 0;
}
