#include "neuron/bootfs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "kernel/bootfs/cpio_builder.h"
#include "neuron/errors.h"

namespace {

using cpio_test::Builder;
using cpio_test::Entry;
using cpio_test::Field;
using cpio_test::ReadRunfile;

// The archive //tools/bootarchive:pack writes from testdata/ (see BUILD).
std::vector<uint8_t> PackedArchive() {
  std::string s = ReadRunfile("kernel/bootfs/testdata.cpio");
  return std::vector<uint8_t>(s.begin(), s.end());
}

const char kInit[] = "NEURON init stand-in\n";
const char kMotd[] = "hello from the boot archive";

// The same three files the genrule packs, built here.
Builder SampleBuilder() {
  Builder b;
  b.File("bin/init", kInit);
  b.File("etc/motd", kMotd);
  b.File("etc/empty", "");
  b.Trailer();
  return b;
}

int Open(bootfs_t *fs, const std::vector<uint8_t> &a, const char **why = nullptr) {
  return bootfs_open(fs, a.data(), a.size(), why);
}

// Opens the first n bytes of `a`, copied into an allocation of exactly n
// bytes so that a read past the cut lands outside it (and is caught by the
// sanitizers when they are on).
int OpenCut(bootfs_t *fs, const std::vector<uint8_t> &a, size_t n, const char **why) {
  std::unique_ptr<uint8_t[]> cut(new uint8_t[n]);
  std::copy(a.begin(), a.begin() + static_cast<long>(n), cut.get());
  return bootfs_open(fs, cut.get(), n, why);
}

std::string Data(const bootfs_entry_t &e) {
  return std::string(static_cast<const char *>(e.data), e.size);
}

TEST(Bootfs, BuilderWritesWhatPackPyWrites) {
  auto packed = PackedArchive();
  ASSERT_FALSE(packed.empty()) << "testdata.cpio missing from runfiles";
  EXPECT_EQ(SampleBuilder().Finish(), packed);
}

TEST(Bootfs, OpensTheArchivePackPyWrites) {
  auto a = PackedArchive();
  bootfs_t fs;
  const char *why = nullptr;
  ASSERT_EQ(Open(&fs, a, &why), NX_OK) << why;
  EXPECT_EQ(fs.count, 3u);
  EXPECT_EQ(fs.size, a.size());

  bootfs_entry_t e;
  ASSERT_EQ(bootfs_lookup(&fs, "bin/init", &e), NX_OK);
  EXPECT_STREQ(e.name, "bin/init");
  EXPECT_EQ(Data(e), ReadRunfile("kernel/bootfs/testdata/init.txt"));
  EXPECT_EQ(Data(e), kInit);
  EXPECT_EQ(e.mode, 0100755u);
  ASSERT_EQ(bootfs_lookup(&fs, "etc/motd", &e), NX_OK);
  EXPECT_EQ(Data(e), kMotd);
  // Data starts on a 4-byte boundary of the archive.
  EXPECT_EQ((static_cast<const uint8_t *>(e.data) - a.data()) % 4, 0);
  ASSERT_EQ(bootfs_lookup(&fs, "etc/empty", &e), NX_OK);
  EXPECT_EQ(e.size, 0u);
}

TEST(Bootfs, LookupOfMissingNamesFails) {
  auto a = SampleBuilder().Finish();
  bootfs_t fs;
  ASSERT_EQ(Open(&fs, a), NX_OK);
  bootfs_entry_t e;
  for (const char *name :
       {"bin/ini", "bin/init2", "bin/init/", "/bin/init", "bin", "", "BIN/INIT", "TRAILER!!!"}) {
    EXPECT_EQ(bootfs_lookup(&fs, name, &e), NX_ERR_NOT_FOUND) << name;
  }
}

TEST(Bootfs, IteratesInArchiveOrder) {
  auto a = SampleBuilder().Finish();
  bootfs_t fs;
  ASSERT_EQ(Open(&fs, a), NX_OK);
  std::vector<std::string> names;
  std::vector<size_t> sizes;
  size_t cursor = BOOTFS_ITER_START;
  bootfs_entry_t e;
  while (bootfs_next(&fs, &cursor, &e) == NX_OK) {
    names.push_back(e.name);
    sizes.push_back(e.size);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"bin/init", "etc/motd", "etc/empty"}));
  EXPECT_EQ(sizes, (std::vector<size_t>{sizeof kInit - 1, sizeof kMotd - 1, 0}));
  // Past the end it stays at the end.
  EXPECT_EQ(bootfs_next(&fs, &cursor, &e), NX_ERR_NOT_FOUND);
}

TEST(Bootfs, IterationRefusesCursorsItDidNotMake) {
  auto a = SampleBuilder().Finish();
  bootfs_t fs;
  ASSERT_EQ(Open(&fs, a), NX_OK);
  bootfs_entry_t e;
  // Unaligned, inside a header, past the end, and far past the end.
  for (size_t bad : {size_t{1}, size_t{8}, a.size() + 4, ~size_t{3}}) {
    size_t cursor = bad;
    EXPECT_EQ(bootfs_next(&fs, &cursor, &e), NX_ERR_INVALID_ARGS) << bad;
    EXPECT_EQ(cursor, bad);
  }
}

TEST(Bootfs, AcceptsAnArchiveOfOnlyTheTrailer) {
  Builder b;
  b.Trailer();
  auto a = b.Finish();
  bootfs_t fs;
  ASSERT_EQ(Open(&fs, a), NX_OK);
  EXPECT_EQ(fs.count, 0u);
  size_t cursor = BOOTFS_ITER_START;
  bootfs_entry_t e;
  EXPECT_EQ(bootfs_next(&fs, &cursor, &e), NX_ERR_NOT_FOUND);
  EXPECT_EQ(bootfs_lookup(&fs, "bin/init", &e), NX_ERR_NOT_FOUND);
}

TEST(Bootfs, AcceptsUppercaseHex) {
  auto a = SampleBuilder().Finish();
  // pack.py writes "%08x"; "%08X" means the same (mode 0100755 is 81ed).
  for (size_t i = 6; i < cpio_test::kHeaderSize; i++) {
    if (a[i] >= 'a' && a[i] <= 'f') a[i] = static_cast<uint8_t>(a[i] - 'a' + 'A');
  }
  ASSERT_NE(std::string(a.begin(), a.begin() + cpio_test::kHeaderSize).find("81ED"),
            std::string::npos);
  bootfs_t fs;
  bootfs_entry_t e;
  ASSERT_EQ(Open(&fs, a), NX_OK);
  ASSERT_EQ(bootfs_lookup(&fs, "bin/init", &e), NX_OK);
  EXPECT_EQ(e.mode, 0100755u);
}

TEST(Bootfs, AcceptsNulPaddingAfterTheTrailer) {
  auto a = SampleBuilder().Finish();
  const size_t archive_size = a.size();
  a.resize((archive_size / 512 + 1) * 512, 0);  // cpio pads to whole blocks
  bootfs_t fs;
  ASSERT_EQ(Open(&fs, a), NX_OK);
  EXPECT_EQ(fs.size, archive_size);

  a.back() = 1;
  const char *why = nullptr;
  EXPECT_EQ(Open(&fs, a, &why), NX_ERR_BAD_FORMAT);
  EXPECT_STREQ(why, "data after the trailer");
}

TEST(Bootfs, RefusesNoArchive) {
  bootfs_t fs;
  const char *why = nullptr;
  EXPECT_EQ(bootfs_open(&fs, nullptr, 100, &why), NX_ERR_INVALID_ARGS);
  EXPECT_STREQ(why, "no archive");
}

// A malformation applied to the sample archive's first entry ("bin/init").
struct Corruption {
  const char *what;
  void (*apply)(Entry &e);
  int err;
  const char *why;
};

TEST(Bootfs, RefusesMalformedEntries) {
  const Corruption cases[] = {
      {"magic", [](Entry &e) { e.magic = "070702"; }, NX_ERR_BAD_FORMAT, "bad magic"},
      {"name size 0", [](Entry &e) { e.field[cpio_test::kNameSize] = 0; }, NX_ERR_BAD_FORMAT,
       "empty name"},
      {"empty name",
       [](Entry &e) {
         e.name = std::string(1, '\0');
         e.field[cpio_test::kNameSize] = 1;
       },
       NX_ERR_BAD_FORMAT, "empty name"},
      {"name size huge", [](Entry &e) { e.field[cpio_test::kNameSize] = 0xffffffff; },
       NX_ERR_BAD_FORMAT, "name runs past the end"},
      {"unterminated name",
       [](Entry &e) {
         e.name = "bin/init";
         e.field[cpio_test::kNameSize] = 8;
       },
       NX_ERR_BAD_FORMAT, "name not NUL-terminated"},
      {"NUL inside the name",
       [](Entry &e) {
         e.name = std::string("bin\0init", 8) + std::string(1, '\0');
         e.field[cpio_test::kNameSize] = 9;
       },
       NX_ERR_BAD_FORMAT, "NUL inside the name"},
      {"name padding", [](Entry &e) { e.name_pad = 'x'; }, NX_ERR_BAD_FORMAT, "non-zero padding"},
      {"data padding", [](Entry &e) { e.data_pad = 'x'; }, NX_ERR_BAD_FORMAT, "non-zero padding"},
      {"file size huge", [](Entry &e) { e.field[cpio_test::kFileSize] = 0xffffffff; },
       NX_ERR_BAD_FORMAT, "data runs past the end"},
      {"directory", [](Entry &e) { e.field[cpio_test::kMode] = 040755; }, NX_ERR_NOT_SUPPORTED,
       "not a regular file"},
      {"symlink", [](Entry &e) { e.field[cpio_test::kMode] = 0120777; }, NX_ERR_NOT_SUPPORTED,
       "not a regular file"},
      {"no type", [](Entry &e) { e.field[cpio_test::kMode] = 0755; }, NX_ERR_NOT_SUPPORTED,
       "not a regular file"},
      {"hard link", [](Entry &e) { e.field[cpio_test::kNlink] = 2; }, NX_ERR_NOT_SUPPORTED,
       "hard links are not supported"},
      {"no links", [](Entry &e) { e.field[cpio_test::kNlink] = 0; }, NX_ERR_NOT_SUPPORTED,
       "hard links are not supported"},
      {"duplicate name", [](Entry &e) { e.name = std::string("etc/motd") + '\0'; },
       NX_ERR_BAD_FORMAT, "duplicate name"},
  };
  for (const auto &c : cases) {
    Builder b = SampleBuilder();
    c.apply(b.at(0));
    auto a = b.Finish();
    bootfs_t fs;
    const char *why = nullptr;
    EXPECT_EQ(Open(&fs, a, &why), c.err) << c.what;
    EXPECT_STREQ(why, c.why) << c.what;
  }
}

TEST(Bootfs, RefusesABadHexDigitInEveryField) {
  const auto good = SampleBuilder().Finish();
  for (int f = 0; f < cpio_test::kFieldCount; f++) {
    for (char c : {'g', 'G', ' ', '\0', 'x', '-'}) {
      auto a = good;
      a[cpio_test::FieldOffset(static_cast<Field>(f)) + 3] = static_cast<uint8_t>(c);
      bootfs_t fs;
      const char *why = nullptr;
      EXPECT_EQ(Open(&fs, a, &why), NX_ERR_BAD_FORMAT) << f << " " << c;
      EXPECT_STREQ(why, "bad hex digit in header") << f << " " << c;
    }
  }
}

TEST(Bootfs, RefusesTrailerProblems) {
  bootfs_t fs;
  const char *why = nullptr;
  {
    Builder b;  // files but no trailer
    b.File("bin/init", kInit);
    EXPECT_EQ(Open(&fs, b.Finish(), &why), NX_ERR_BAD_FORMAT);
    EXPECT_STREQ(why, "no trailer");
  }
  {
    const uint8_t byte = 0;
    EXPECT_EQ(bootfs_open(&fs, &byte, 0, &why), NX_ERR_BAD_FORMAT);
    EXPECT_STREQ(why, "no trailer");
  }
  {
    Builder b;
    Entry &t = b.Trailer();
    t.data = "oops";
    t.field[cpio_test::kFileSize] = 4;
    EXPECT_EQ(Open(&fs, b.Finish(), &why), NX_ERR_BAD_FORMAT);
    EXPECT_STREQ(why, "trailer has data");
  }
  {
    // A name that merely starts like the trailer is an ordinary file.
    Builder b;
    b.File("TRAILER!!!x", "");
    b.Trailer();
    ASSERT_EQ(Open(&fs, b.Finish(), &why), NX_OK);
    EXPECT_EQ(fs.count, 1u);
  }
}

TEST(Bootfs, RefusesMoreThanTheMaximumNumberOfFiles) {
  Builder b;
  for (uint32_t i = 0; i < BOOTFS_MAX_ENTRIES; i++) b.File("f" + std::to_string(i), "");
  b.Trailer();
  bootfs_t fs;
  const char *why = nullptr;
  auto a = b.Finish();
  ASSERT_EQ(Open(&fs, a, &why), NX_OK) << why;
  EXPECT_EQ(fs.count, BOOTFS_MAX_ENTRIES);

  Builder c;
  for (uint32_t i = 0; i <= BOOTFS_MAX_ENTRIES; i++) c.File("f" + std::to_string(i), "");
  c.Trailer();
  EXPECT_EQ(Open(&fs, c.Finish(), &why), NX_ERR_NOT_SUPPORTED);
  EXPECT_STREQ(why, "too many files");
}

// Cuts at chosen points give the reason for the part that is cut off.
TEST(Bootfs, TruncationsGiveTheirReason) {
  const auto good = SampleBuilder().Finish();
  // "bin/init\0" ends at 110 + 9 = 119, padded to 120; its 21 data bytes end
  // at 141, padded to 144 where "etc/motd" starts.
  const struct {
    size_t cut;
    const char *why;
  } cases[] = {
      {0, "no trailer"},
      {1, "truncated header"},
      {109, "truncated header"},
      {110, "name runs past the end"},
      {118, "name runs past the end"},
      {119, "name runs past the end"},  // the name is whole, its padding is not
      {120, "data runs past the end"},
      {141, "data runs past the end"},  // the data is whole, its padding is not
      {144, "no trailer"},
      {150, "truncated header"},
  };
  for (const auto &c : cases) {
    bootfs_t fs;
    const char *why = nullptr;
    EXPECT_EQ(OpenCut(&fs, good, c.cut, &why), NX_ERR_BAD_FORMAT) << c.cut;
    EXPECT_STREQ(why, c.why) << c.cut;
  }
}

// Every truncation of a real archive is refused without reading past the
// cut.
TEST(Bootfs, EveryTruncationIsRefused) {
  const auto good = PackedArchive();
  ASSERT_FALSE(good.empty());
  bootfs_t fs;
  for (size_t n = 0; n < good.size(); n++) {
    const char *why = nullptr;
    EXPECT_EQ(OpenCut(&fs, good, n, &why), NX_ERR_BAD_FORMAT) << n;
    EXPECT_NE(why, nullptr) << n;
  }
  EXPECT_EQ(Open(&fs, good), NX_OK);
}

}  // namespace
