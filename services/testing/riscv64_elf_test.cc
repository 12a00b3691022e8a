// The check a portable service core's riscv64 smoke program passes: the
// program that links the core for the user platform is a riscv64 ELF
// executable. The ELF's path comes as argv[1] (its rootpath), so every
// core's test shares this one file.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

std::string g_elf;

TEST(Riscv64Smoke, CoreLinksIntoAUserProgram) {
  std::ifstream in(g_elf, std::ios::binary);
  std::vector<unsigned char> f((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
  ASSERT_GT(f.size(), 64u) << g_elf << " missing from runfiles";
  EXPECT_EQ(f[0], 0x7f);
  EXPECT_EQ(f[1], 'E');
  EXPECT_EQ(f[4], 2) << "ELFCLASS64";
  EXPECT_EQ(f[16], 2) << "ET_EXEC";
  EXPECT_EQ(f[18] | f[19] << 8, 243) << "EM_RISCV";
}

}  // namespace

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc > 1) g_elf = argv[1];
  return RUN_ALL_TESTS();
}
