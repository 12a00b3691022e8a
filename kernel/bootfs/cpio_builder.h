// A tiny cpio "newc" writer for tests. By default it writes exactly what
// //tools/bootarchive:pack.py writes (the test checks that byte for byte);
// every field of every entry can be changed first, so tests can build each
// kind of malformed archive on purpose.
#ifndef NEURON_BOOTFS_CPIO_BUILDER_H
#define NEURON_BOOTFS_CPIO_BUILDER_H

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace cpio_test {

// Header field indices, in the order they are written.
enum Field {
  kIno,
  kMode,
  kUid,
  kGid,
  kNlink,
  kMtime,
  kFileSize,
  kDevMajor,
  kDevMinor,
  kRdevMajor,
  kRdevMinor,
  kNameSize,
  kCheck,
  kFieldCount,
};

struct Entry {
  std::string magic = "070701";
  uint32_t field[kFieldCount] = {};
  std::string name;  // written as-is: include the NUL (pack.py always does)
  std::string data;
  char name_pad = 0;  // the byte used to pad after the name
  char data_pad = 0;  // the byte used to pad after the data
};

class Builder {
 public:
  // A regular file, as pack.py writes it.
  Entry &File(const std::string &name, const std::string &data, uint32_t mode = 0100755) {
    Entry e;
    e.field[kIno] = static_cast<uint32_t>(entries_.size() + 1);
    e.field[kMode] = mode;
    e.field[kNlink] = 1;
    e.field[kFileSize] = static_cast<uint32_t>(data.size());
    e.field[kNameSize] = static_cast<uint32_t>(name.size() + 1);
    e.name = name + std::string(1, '\0');
    e.data = data;
    entries_.push_back(e);
    return entries_.back();
  }

  // The end marker, as pack.py writes it (mode 0).
  Entry &Trailer() { return File("TRAILER!!!", "", 0); }

  Entry &at(size_t i) { return entries_.at(i); }

  std::vector<uint8_t> Finish() const {
    std::string out;
    for (const Entry &e : entries_) {
      out += e.magic;
      for (uint32_t f : e.field) {
        char hex[9];
        std::snprintf(hex, sizeof hex, "%08x", f);
        out += hex;
      }
      out += e.name;
      while (out.size() % 4) out += e.name_pad;
      out += e.data;
      while (out.size() % 4) out += e.data_pad;
    }
    return std::vector<uint8_t>(out.begin(), out.end());
  }

 private:
  std::vector<Entry> entries_;
};

// The header is 110 bytes: 6 of magic, then 8 hex digits per field.
constexpr size_t kHeaderSize = 110;
inline size_t FieldOffset(Field f) { return 6 + 8 * static_cast<size_t>(f); }

// A data file from the test's runfiles (empty if missing).
inline std::string ReadRunfile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace cpio_test

#endif
