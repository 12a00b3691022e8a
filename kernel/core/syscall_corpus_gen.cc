// Writes the syscall fuzzer's seed corpus (testdata/syscall_fuzz_corpus/):
//   bazel run //kernel/core:syscall_corpus_gen -- $PWD/kernel/core/testdata/syscall_fuzz_corpus
// Each seed is random bytes from a fixed PRNG seed: the harness turns any
// bytes into a sequence of mostly meaningful syscalls (syscall_fuzz.cc), so
// a few long random inputs start the fuzzer deep. The first byte picks the
// number of tasks and whether quotas are tight.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: syscall_corpus_gen DIR\n");
    return 2;
  }
  struct Seed {
    const char *name;
    uint8_t first;  // tasks = 2 + first % 3; tight quotas if first & 0x80
    size_t size;
  };
  const Seed seeds[] = {
      {"two-tasks", 0x00, 1024},    {"three-tasks", 0x01, 2048}, {"four-tasks", 0x02, 2048},
      {"tight-quotas", 0x81, 2048}, {"short", 0x01, 256},        {"tight-four", 0x82, 1536},
  };
  std::mt19937_64 rng(20240601);
  for (const Seed &s : seeds) {
    std::vector<unsigned char> bytes(s.size);
    bytes[0] = s.first;
    for (size_t i = 1; i < bytes.size(); i++) bytes[i] = static_cast<unsigned char>(rng());
    const std::string path = std::string(argv[1]) + "/" + s.name;
    FILE *f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f)) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      return 1;
    }
  }
  return 0;
}
