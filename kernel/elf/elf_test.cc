#include "neuron/elf.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "kernel/elf/elf_builder.h"
#include "neuron/errors.h"

namespace {

using elf_test::ElfFile;
using elf_test::kPfR;
using elf_test::kPfW;
using elf_test::kPfX;
using elf_test::kPtLoad;
using elf_test::PatchPhdr;
using elf_test::Phdr;

// The Sv39 user half, as the kernel passes it.
constexpr uint64_t kUserMin = 0x1000;
constexpr uint64_t kUserMax = 0x3ffffff000;

// A static executable shaped like a linker's output: text (with the
// headers), rodata and data+bss on their own pages, plus two non-load
// headers the loader must ignore. The file is 0x10c0 bytes.
ElfFile Sample() {
  ElfFile e;
  e.entry = 0x10100;
  e.phdrs = {
      {kPtLoad, kPfR | kPfX, 0, 0x10000, 0x10000, 0x1000, 0x1000},
      {kPtLoad, kPfR, 0x1000, 0x11000, 0x11000, 0x80, 0x80},
      {kPtLoad, kPfR | kPfW, 0x1080, 0x12080, 0x12080, 0x40, 0x3000},
      {elf_test::kPtGnuStack, kPfR | kPfW, 0, 0, 0, 0, 0, 16},
      {elf_test::kPtNote, kPfR, 0x200, 0x10200, 0x10200, 0x20, 0x20, 4},
  };
  return e;
}

int Describe(elf_image_t *img, const std::vector<uint8_t> &f, const char **why = nullptr,
             uint64_t user_min = kUserMin, uint64_t user_max = kUserMax) {
  return elf_describe(img, f.data(), f.size(), user_min, user_max, why);
}

TEST(Elf, DescribesAValidExecutable) {
  auto f = Sample().Build();
  ASSERT_EQ(f.size(), 0x10c0u);
  elf_image_t img;
  const char *why = nullptr;
  ASSERT_EQ(Describe(&img, f, &why), NX_OK) << why;
  EXPECT_EQ(img.entry, 0x10100u);
  EXPECT_EQ(img.flags, 5u);
  ASSERT_EQ(img.segment_count, 3u);

  const struct {
    uint64_t vaddr, memsz, offset, filesz;
    uint32_t perms;
  } want[] = {
      {0x10000, 0x1000, 0, 0x1000, ELF_PERM_R | ELF_PERM_X},
      {0x11000, 0x80, 0x1000, 0x80, ELF_PERM_R},
      {0x12080, 0x3000, 0x1080, 0x40, ELF_PERM_R | ELF_PERM_W},
  };
  for (uint32_t i = 0; i < 3; i++) {
    const elf_segment_t &s = img.segments[i];
    EXPECT_EQ(s.vaddr, want[i].vaddr) << i;
    EXPECT_EQ(s.memsz, want[i].memsz) << i;
    EXPECT_EQ(s.data, f.data() + want[i].offset) << i;
    EXPECT_EQ(s.filesz, want[i].filesz) << i;
    EXPECT_EQ(s.perms, want[i].perms) << i;
  }
}

TEST(Elf, ReadsAnUnalignedFile) {
  auto f = Sample().Build();
  // The same bytes one past an aligned address, as inside the boot archive.
  std::vector<uint8_t> buf(f.size() + 1);
  std::copy(f.begin(), f.end(), buf.begin() + 1);
  elf_image_t img;
  ASSERT_EQ(elf_describe(&img, buf.data() + 1, f.size(), kUserMin, kUserMax, nullptr), NX_OK);
  EXPECT_EQ(img.entry, 0x10100u);
  EXPECT_EQ(img.segments[2].data, buf.data() + 1 + 0x1080);
}

TEST(Elf, AcceptsSegmentsAtTheEdgesOfTheUserRange) {
  ElfFile e;
  e.entry = kUserMin;
  e.phdrs = {
      {kPtLoad, kPfR | kPfX, 0, kUserMin, 0, 0x1000, 0x1000},
      // Ends exactly at user_max.
      {kPtLoad, kPfR | kPfW, 0x800, kUserMax - 0x1800, 0, 0x10, 0x1800},
  };
  elf_image_t img;
  const char *why = nullptr;
  ASSERT_EQ(Describe(&img, e.Build(), &why), NX_OK) << why;
  EXPECT_EQ(img.segment_count, 2u);
  // One byte less of range on either side and a segment falls outside.
  EXPECT_EQ(Describe(&img, e.Build(), &why, kUserMin + 0x1000), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(Describe(&img, e.Build(), &why, kUserMin, kUserMax - 0x1000), NX_ERR_OUT_OF_RANGE);
}

TEST(Elf, SkipsEmptyLoadSegmentsAndIgnoresUnknownFlagBits) {
  ElfFile e = Sample();
  // An empty PT_LOAD maps nothing, so its (absurd) offset does not matter.
  e.phdrs.push_back({kPtLoad, kPfR, 0, 0x900000, 0, 0, 0});
  e.phdrs[1].flags |= 0xf0000000;  // PF_MASKPROC
  auto f = e.Build();
  PatchPhdr(f, 5, elf_test::kPhOffset, UINT64_MAX);
  elf_image_t img;
  const char *why = nullptr;
  ASSERT_EQ(Describe(&img, f, &why), NX_OK) << why;
  EXPECT_EQ(img.segment_count, 3u);
  EXPECT_EQ(img.segments[1].perms, ELF_PERM_R);
}

TEST(Elf, AcceptsTheMaximumCounts) {
  ElfFile e = Sample();
  while (e.phdrs.size() < ELF_MAX_PHDRS) e.phdrs.push_back({elf_test::kPtNull});
  elf_image_t img;
  const char *why = nullptr;
  EXPECT_EQ(Describe(&img, e.Build(), &why), NX_OK) << why;

  ElfFile m;
  m.entry = 0x100000;
  for (uint32_t i = 0; i < ELF_MAX_SEGMENTS; i++) {
    m.phdrs.push_back({kPtLoad, kPfR | kPfX, 0, 0x100000 + 0x1000 * i, 0, 0x100, 0x1000});
  }
  ASSERT_EQ(Describe(&img, m.Build(), &why), NX_OK) << why;
  EXPECT_EQ(img.segment_count, ELF_MAX_SEGMENTS);
  m.phdrs.push_back({kPtLoad, kPfR, 0, 0x100000 + 0x1000 * ELF_MAX_SEGMENTS, 0, 0x100, 0x1000});
  EXPECT_EQ(Describe(&img, m.Build(), &why), NX_ERR_NOT_SUPPORTED);
  EXPECT_STREQ(why, "too many segments");
}

TEST(Elf, EntryPointMayBeAnywhereInExecutableCode) {
  for (uint64_t entry : {0x10000u, 0x10ffeu}) {
    ElfFile e = Sample();
    e.entry = entry;
    elf_image_t img;
    EXPECT_EQ(Describe(&img, e.Build()), NX_OK) << entry;
    EXPECT_EQ(img.entry, entry);
  }
}

TEST(Elf, RefusesCallerMistakes) {
  elf_image_t img;
  const char *why = nullptr;
  EXPECT_EQ(elf_describe(&img, nullptr, 100, kUserMin, kUserMax, &why), NX_ERR_INVALID_ARGS);
  EXPECT_STREQ(why, "no file");
  auto f = Sample().Build();
  const struct {
    uint64_t min, max;
  } ranges[] = {
      {kUserMax, kUserMin},     {kUserMin, kUserMin}, {kUserMin + 1, kUserMax},
      {kUserMin, kUserMax + 1}, {0, UINT64_MAX},
  };
  for (const auto &r : ranges) {
    why = nullptr;
    EXPECT_EQ(Describe(&img, f, &why, r.min, r.max), NX_ERR_INVALID_ARGS) << r.min << " " << r.max;
    EXPECT_STREQ(why, "bad user range");
  }
}

// One malformation of the sample: `edit` changes the description before it
// is built, `patch` (if set) changes the built bytes.
struct Case {
  const char *what;
  void (*edit)(ElfFile &e);
  void (*patch)(std::vector<uint8_t> &f);
  int err;
  const char *why;
};

void Check(const Case &c, uint64_t user_min = kUserMin, uint64_t user_max = kUserMax) {
  ElfFile e = Sample();
  if (c.edit) c.edit(e);
  auto f = e.Build();
  if (c.patch) c.patch(f);
  elf_image_t img;
  img.segment_count = 99;
  const char *why = nullptr;
  EXPECT_EQ(Describe(&img, f, &why, user_min, user_max), c.err) << c.what;
  EXPECT_STREQ(why, c.why) << c.what;
  EXPECT_EQ(img.segment_count, 0u) << c.what;
}

constexpr int kBad = NX_ERR_BAD_FORMAT;
constexpr int kUnsupported = NX_ERR_NOT_SUPPORTED;
constexpr int kOutside = NX_ERR_OUT_OF_RANGE;

TEST(Elf, RefusesBadHeaders) {
  const Case cases[] = {
      {"magic 0", [](ElfFile &e) { e.ident[0] = 0x7e; }, nullptr, kBad, "not an ELF file"},
      {"magic 1", [](ElfFile &e) { e.ident[1] = 'e'; }, nullptr, kBad, "not an ELF file"},
      {"magic 2", [](ElfFile &e) { e.ident[2] = 'l'; }, nullptr, kBad, "not an ELF file"},
      {"magic 3", [](ElfFile &e) { e.ident[3] = 'f'; }, nullptr, kBad, "not an ELF file"},
      {"ELF32", [](ElfFile &e) { e.ident[4] = 1; }, nullptr, kUnsupported, "not ELF64"},
      {"no class", [](ElfFile &e) { e.ident[4] = 0; }, nullptr, kUnsupported, "not ELF64"},
      {"big-endian", [](ElfFile &e) { e.ident[5] = 2; }, nullptr, kUnsupported,
       "not little-endian"},
      {"no data encoding", [](ElfFile &e) { e.ident[5] = 0; }, nullptr, kUnsupported,
       "not little-endian"},
      {"ident version", [](ElfFile &e) { e.ident[6] = 0; }, nullptr, kBad, "bad ELF version"},
      {"e_version", [](ElfFile &e) { e.version = 2; }, nullptr, kBad, "bad ELF version"},
      {"ET_REL", [](ElfFile &e) { e.type = 1; }, nullptr, kUnsupported,
       "not an executable (ET_EXEC)"},
      {"ET_DYN", [](ElfFile &e) { e.type = 3; }, nullptr, kUnsupported,
       "not an executable (ET_EXEC)"},
      {"ET_CORE", [](ElfFile &e) { e.type = 4; }, nullptr, kUnsupported,
       "not an executable (ET_EXEC)"},
      {"x86-64", [](ElfFile &e) { e.machine = 62; }, nullptr, kUnsupported, "not RISC-V"},
      {"big-endian RISC-V", [](ElfFile &e) { e.machine = 243 << 8; }, nullptr, kUnsupported,
       "not RISC-V"},
      {"phentsize 32", [](ElfFile &e) { e.phentsize = 32; }, nullptr, kBad,
       "bad program header size"},
      {"phentsize 64", [](ElfFile &e) { e.phentsize = 64; }, nullptr, kBad,
       "bad program header size"},
      {"phnum 0", [](ElfFile &e) { e.phnum = 0; }, nullptr, kBad, "no program headers"},
      {"phnum 65", [](ElfFile &e) { e.phnum = ELF_MAX_PHDRS + 1; }, nullptr, kUnsupported,
       "too many program headers"},
      {"PN_XNUM", [](ElfFile &e) { e.phnum = 0xffff; }, nullptr, kUnsupported,
       "too many program headers"},
  };
  for (const Case &c : cases) Check(c);
}

TEST(Elf, RefusesProgramHeadersOutsideTheFile) {
  // The sample is 0x10c0 bytes with 5 program headers (280 bytes).
  for (uint64_t phoff : {uint64_t{0x10c0}, uint64_t{0x10c0 - 279}, uint64_t{0x10c1},
                         UINT64_MAX - 279, UINT64_MAX - 10, UINT64_MAX}) {
    auto f = Sample().Build();
    ElfFile::Put(f, elf_test::kEhPhoff, phoff, 8);
    elf_image_t img;
    const char *why = nullptr;
    EXPECT_EQ(Describe(&img, f, &why), kBad) << phoff;
    EXPECT_STREQ(why, "program headers outside the file") << phoff;
  }
}

TEST(Elf, RefusesTooSmallAFile) {
  auto f = Sample().Build();
  for (size_t n : {size_t{0}, size_t{1}, size_t{63}}) {
    elf_image_t img;
    const char *why = nullptr;
    EXPECT_EQ(elf_describe(&img, f.data(), n, kUserMin, kUserMax, &why), kBad) << n;
    EXPECT_STREQ(why, "smaller than an ELF header") << n;
  }
}

TEST(Elf, RefusesDynamicLinking) {
  const Case cases[] = {
      {"PT_INTERP", [](ElfFile &e) { e.phdrs[4].type = elf_test::kPtInterp; }, nullptr,
       kUnsupported, "dynamically linked"},
      {"PT_DYNAMIC", [](ElfFile &e) { e.phdrs[4].type = elf_test::kPtDynamic; }, nullptr,
       kUnsupported, "dynamically linked"},
  };
  for (const Case &c : cases) Check(c);
}

TEST(Elf, RefusesSegmentsOutsideTheFile) {
  const Case cases[] = {
      {"filesz > memsz", [](ElfFile &e) { e.phdrs[2].filesz = 0x3001; }, nullptr, kBad,
       "segment file size exceeds its memory size"},
      {"filesz one past the end", [](ElfFile &e) { e.phdrs[2].memsz = 0x41; },
       [](std::vector<uint8_t> &f) { PatchPhdr(f, 2, elf_test::kPhFilesz, 0x41); }, kBad,
       "segment outside the file"},
      {"offset one past the end", nullptr,
       [](std::vector<uint8_t> &f) { PatchPhdr(f, 2, elf_test::kPhOffset, 0x1081); }, kBad,
       "segment outside the file"},
      {"offset past the end", nullptr,
       [](std::vector<uint8_t> &f) { PatchPhdr(f, 2, elf_test::kPhOffset, 0x20080); }, kBad,
       "segment outside the file"},
      {"offset + filesz wraps", nullptr,
       [](std::vector<uint8_t> &f) {
         PatchPhdr(f, 2, elf_test::kPhFilesz, UINT64_MAX - 0x1000);
         PatchPhdr(f, 2, elf_test::kPhMemsz, UINT64_MAX);
       },
       kBad, "segment outside the file"},
      {"offset 2^64-1", nullptr,
       [](std::vector<uint8_t> &f) { PatchPhdr(f, 2, elf_test::kPhOffset, UINT64_MAX); }, kBad,
       "segment outside the file"},
  };
  for (const Case &c : cases) Check(c);
}

TEST(Elf, RefusesMisalignedSegments) {
  const Case cases[] = {
      {"vaddr off by one", [](ElfFile &e) { e.phdrs[2].vaddr = 0x12081; }, nullptr, kBad,
       "segment address and file offset misaligned"},
      {"page-aligned vaddr, unaligned offset", [](ElfFile &e) { e.phdrs[2].vaddr = 0x13000; },
       nullptr, kBad, "segment address and file offset misaligned"},
  };
  for (const Case &c : cases) Check(c);
}

TEST(Elf, RefusesSegmentsOutsideTheUserRange) {
  const Case at_zero = {"vaddr 0",
                        [](ElfFile &e) {
                          e.phdrs[0].vaddr = 0;
                          e.entry = 0x100;
                        },
                        nullptr, kOutside, "segment outside the user address range"};
  Check(at_zero);
  const Case kernel_half = {"kernel half",
                            [](ElfFile &e) { e.phdrs[2].vaddr = 0xffffffc000012080; }, nullptr,
                            kOutside, "segment outside the user address range"};
  Check(kernel_half);
  const Case wraps = {
      "vaddr + memsz wraps", nullptr,
      [](std::vector<uint8_t> &f) { PatchPhdr(f, 2, elf_test::kPhMemsz, UINT64_MAX - 0x100); },
      kOutside, "segment outside the user address range"};
  Check(wraps);
  const Case at_max = {"starts past user_max",
                       [](ElfFile &e) { e.phdrs[2].vaddr = kUserMax + 0x80; }, nullptr, kOutside,
                       "segment outside the user address range"};
  Check(at_max);
  // The sample against narrower ranges: text starts below 0x11000, data+bss
  // ends above 0x15000.
  const Case sample = {"sample", nullptr, nullptr, kOutside,
                       "segment outside the user address range"};
  Check(sample, 0x11000, kUserMax);
  Check(sample, kUserMin, 0x15000);
}

TEST(Elf, RefusesBadPermissions) {
  const Case cases[] = {
      {"RWX text", [](ElfFile &e) { e.phdrs[0].flags = kPfR | kPfW | kPfX; }, nullptr, kUnsupported,
       "segment both writable and executable"},
      {"WX data", [](ElfFile &e) { e.phdrs[2].flags = kPfW | kPfX; }, nullptr, kUnsupported,
       "segment both writable and executable"},
      {"write-only data", [](ElfFile &e) { e.phdrs[2].flags = kPfW; }, nullptr, kUnsupported,
       "segment writable but not readable"},
      {"no permissions", [](ElfFile &e) { e.phdrs[1].flags = 0; }, nullptr, kUnsupported,
       "segment without permissions"},
  };
  for (const Case &c : cases) Check(c);
}

TEST(Elf, RefusesSegmentsThatSharePages) {
  const Case cases[] = {
      {"rodata on the text page", [](ElfFile &e) { e.phdrs[1].vaddr = 0x10000; }, nullptr, kBad,
       "segments share a page"},
      // Bytes apart, but both on page 0x11000.
      {"data on the rodata page", [](ElfFile &e) { e.phdrs[2].vaddr = 0x11080; }, nullptr, kBad,
       "segments share a page"},
      {"a copy of the text", [](ElfFile &e) { e.phdrs.push_back(e.phdrs[0]); }, nullptr, kBad,
       "segments share a page"},
      {"data around everything",
       [](ElfFile &e) {
         e.phdrs[2].vaddr = 0x8080;
         e.phdrs[2].memsz = 0x100000;
       },
       nullptr, kBad, "segments share a page"},
  };
  for (const Case &c : cases) Check(c);
}

TEST(Elf, RefusesBadEntryPoints) {
  const Case cases[] = {
      {"no PT_LOAD",
       [](ElfFile &e) {
         for (auto &p : e.phdrs) {
           if (p.type == kPtLoad) p.type = elf_test::kPtNote;
         }
       },
       nullptr, kBad, "no loadable segment"},
      {"only empty PT_LOADs",
       [](ElfFile &e) {
         for (auto &p : e.phdrs) p.filesz = p.memsz = 0;
       },
       nullptr, kBad, "no loadable segment"},
      {"odd entry", [](ElfFile &e) { e.entry = 0x10101; }, nullptr, kBad, "entry point misaligned"},
      {"entry in rodata", [](ElfFile &e) { e.entry = 0x11000; }, nullptr, kBad,
       "entry point outside executable segments"},
      {"entry in bss", [](ElfFile &e) { e.entry = 0x14000; }, nullptr, kBad,
       "entry point outside executable segments"},
      // On the text's last page, but past its last byte.
      {"entry just past the text",
       [](ElfFile &e) {
         e.phdrs[0].filesz = e.phdrs[0].memsz = 0x800;
         e.entry = 0x10800;
       },
       nullptr, kBad, "entry point outside executable segments"},
      {"entry just before the text", [](ElfFile &e) { e.entry = 0xfffe; }, nullptr, kBad,
       "entry point outside executable segments"},
      {"entry 0", [](ElfFile &e) { e.entry = 0; }, nullptr, kBad,
       "entry point outside executable segments"},
  };
  for (const Case &c : cases) Check(c);
}

// Every truncation of a valid executable is refused without reading past
// the cut: each cut is copied into an allocation of exactly its size.
TEST(Elf, EveryTruncationIsRefused) {
  const auto f = Sample().Build();
  for (size_t n = 0; n < f.size(); n++) {
    std::unique_ptr<uint8_t[]> cut(new uint8_t[n]);
    std::copy(f.begin(), f.begin() + static_cast<long>(n), cut.get());
    elf_image_t img;
    const char *why = nullptr;
    EXPECT_EQ(elf_describe(&img, cut.get(), n, kUserMin, kUserMax, &why), kBad) << n;
    EXPECT_NE(why, nullptr) << n;
  }
  elf_image_t img;
  EXPECT_EQ(Describe(&img, f), NX_OK);
}

// The program the real user toolchain links (testdata/user_program.c).
std::vector<uint8_t> UserProgram() {
  std::ifstream in("kernel/elf/user_program_riscv64.elf", std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

const elf_segment_t *FindByPerms(const elf_image_t &img, uint32_t perms) {
  for (uint32_t i = 0; i < img.segment_count; i++) {
    if (img.segments[i].perms == perms) return &img.segments[i];
  }
  return nullptr;
}

TEST(Elf, DescribesWhatTheUserToolchainLinks) {
  auto f = UserProgram();
  ASSERT_GT(f.size(), 64u) << "user_program_riscv64.elf missing from runfiles";
  elf_image_t img;
  const char *why = nullptr;
  ASSERT_EQ(Describe(&img, f, &why), NX_OK) << why;
  uint64_t e_entry = 0;
  for (int i = 7; i >= 0; i--) e_entry = (e_entry << 8) | f[24 + i];
  EXPECT_EQ(img.entry, e_entry);

  // lld gives rodata, text and data+bss a segment each.
  ASSERT_EQ(img.segment_count, 3u);
  const elf_segment_t *ro = FindByPerms(img, ELF_PERM_R);
  const elf_segment_t *text = FindByPerms(img, ELF_PERM_R | ELF_PERM_X);
  const elf_segment_t *data = FindByPerms(img, ELF_PERM_R | ELF_PERM_W);
  ASSERT_NE(ro, nullptr);
  ASSERT_NE(text, nullptr);
  ASSERT_NE(data, nullptr);
  EXPECT_GE(img.entry, text->vaddr);
  EXPECT_LT(img.entry, text->vaddr + text->memsz);
  EXPECT_GE(data->memsz - data->filesz, 8192u) << "the 8 KiB scratch array is bss";
  const std::string greeting = "hello from user space, read-only";
  const char *ro_bytes = static_cast<const char *>(ro->data);
  EXPECT_NE(std::string(ro_bytes, ro->filesz).find(greeting), std::string::npos);
}

// Cutting the real file refuses it exactly while the cut removes bytes the
// loader needs; the symbol table and section headers after them are not.
TEST(Elf, TruncatedUserProgramIsRefusedUntilItsSegmentsAreWhole) {
  const auto f = UserProgram();
  ASSERT_GT(f.size(), 64u);
  elf_image_t img;
  ASSERT_EQ(Describe(&img, f), NX_OK);
  size_t needed = 64 + 56 * 5;
  for (uint32_t i = 0; i < img.segment_count; i++) {
    const elf_segment_t &s = img.segments[i];
    size_t end = static_cast<size_t>(static_cast<const uint8_t *>(s.data) - f.data()) + s.filesz;
    needed = std::max(needed, end);
  }
  ASSERT_LT(needed, f.size());
  for (size_t n = 0; n <= f.size(); n++) {
    std::unique_ptr<uint8_t[]> cut(new uint8_t[n]);
    std::copy(f.begin(), f.begin() + static_cast<long>(n), cut.get());
    EXPECT_EQ(elf_describe(&img, cut.get(), n, kUserMin, kUserMax, nullptr),
              n < needed ? NX_ERR_BAD_FORMAT : NX_OK)
        << n;
  }
}

}  // namespace
