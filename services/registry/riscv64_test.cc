// The registry core also builds for the user platform: the smoke program
// that links it is a riscv64 ELF executable.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

namespace {

TEST(RegistryRiscv64, CoreLinksIntoAUserProgram) {
  std::ifstream in("services/registry/riscv64_smoke_elf.elf", std::ios::binary);
  std::vector<unsigned char> f((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
  ASSERT_GT(f.size(), 64u) << "riscv64_smoke_elf.elf missing from runfiles";
  EXPECT_EQ(f[0], 0x7f);
  EXPECT_EQ(f[1], 'E');
  EXPECT_EQ(f[4], 2) << "ELFCLASS64";
  EXPECT_EQ(f[16], 2) << "ET_EXEC";
  EXPECT_EQ(f[18] | f[19] << 8, 243) << "EM_RISCV";
}

}  // namespace
