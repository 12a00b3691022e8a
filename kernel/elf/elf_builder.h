// A tiny ELF64 writer for tests: an ELF header, program headers and file
// bytes, every field settable, so tests can build valid executables and
// then break them one field at a time.
#ifndef NEURON_ELF_BUILDER_H
#define NEURON_ELF_BUILDER_H

#include <algorithm>
#include <cstdint>
#include <vector>

namespace elf_test {

constexpr uint32_t kPtNull = 0, kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3, kPtNote = 4;
constexpr uint32_t kPtGnuStack = 0x6474e551;
constexpr uint32_t kPfX = 1, kPfW = 2, kPfR = 4;
constexpr uint16_t kEhSize = 64, kPhSize = 56;

// Field offsets, for tests that patch a built file with values Build()
// could not lay out (offsets near 2^64).
constexpr size_t kEhPhoff = 32;
constexpr size_t kPhOffset = 8, kPhFilesz = 32, kPhMemsz = 40;

struct Phdr {
  uint32_t type = kPtLoad;
  uint32_t flags = kPfR;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
  uint64_t align = 0x1000;
};

struct ElfFile {
  uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LSB */, 1 /* version */};
  uint16_t type = 2;       // ET_EXEC
  uint16_t machine = 243;  // EM_RISCV
  uint32_t version = 1;
  uint64_t entry = 0;
  uint64_t phoff = kEhSize;
  uint32_t flags = 0x5;  // RVC, double-float ABI
  uint16_t phentsize = kPhSize;
  int phnum = -1;  // -1: the number of phdrs
  std::vector<Phdr> phdrs;

  // The file. Bytes not covered by a header hold their offset's low byte,
  // so tests can check that a segment's data points at the right place.
  std::vector<uint8_t> Build() const {
    const uint16_t n = static_cast<uint16_t>(phnum < 0 ? phdrs.size() : phnum);
    size_t end = std::max<size_t>(kEhSize, phoff + phdrs.size() * kPhSize);
    for (const Phdr &p : phdrs) {
      if (p.type == kPtLoad) end = std::max<size_t>(end, p.offset + p.filesz);
    }
    std::vector<uint8_t> f(end);
    for (size_t i = 0; i < f.size(); i++) f[i] = static_cast<uint8_t>(i);
    std::copy(ident, ident + 16, f.begin());
    Put(f, 16, type, 2);
    Put(f, 18, machine, 2);
    Put(f, 20, version, 4);
    Put(f, 24, entry, 8);
    Put(f, 32, phoff, 8);
    Put(f, 40, 0, 8);  // no section headers
    Put(f, 48, flags, 4);
    Put(f, 52, kEhSize, 2);
    Put(f, 54, phentsize, 2);
    Put(f, 56, n, 2);
    Put(f, 58, 64, 2);
    Put(f, 60, 0, 2);
    Put(f, 62, 0, 2);
    for (size_t i = 0; i < phdrs.size(); i++) {
      const Phdr &p = phdrs[i];
      size_t at = phoff + i * kPhSize;
      Put(f, at + 0, p.type, 4);
      Put(f, at + 4, p.flags, 4);
      Put(f, at + 8, p.offset, 8);
      Put(f, at + 16, p.vaddr, 8);
      Put(f, at + 24, p.paddr, 8);
      Put(f, at + 32, p.filesz, 8);
      Put(f, at + 40, p.memsz, 8);
      Put(f, at + 48, p.align, 8);
    }
    return f;
  }

  // Little-endian store; bytes past the end of the file are dropped.
  static void Put(std::vector<uint8_t> &f, size_t at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      if (at + i < f.size()) f[at + i] = static_cast<uint8_t>(v >> (8 * i));
    }
  }
};

// Sets a 64-bit field of program header i (the table at the default e_phoff).
inline void PatchPhdr(std::vector<uint8_t> &f, size_t i, size_t field, uint64_t v) {
  ElfFile::Put(f, kEhSize + i * kPhSize + field, v, 8);
}

}  // namespace elf_test

#endif
