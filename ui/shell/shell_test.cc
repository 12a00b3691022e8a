// The shell as the program drives it: prompt, typed bytes, commands.
#include "neuron/shell.h"

#include <gtest/gtest.h>

#include <string>

#include "neuron/errors.h"
#include "ui/shell/fake_sys.h"

namespace {

using shell_test::FakeSys;

int Type(shell_t *sh, const std::string &bytes) {
  return shell_input(sh, reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
}

class Shell : public ::testing::Test {
 protected:
  void SetUp() override { shell_start(&sh, f.sys()); }
  FakeSys f;
  shell_t sh;
};

TEST_F(Shell, StartsWithThePrompt) { EXPECT_EQ(f.TakeOutput(), "nexus> "); }

TEST_F(Shell, EchoesRunsAndPromptsAgain) {
  f.TakeOutput();
  f.now = 1500000000;
  EXPECT_EQ(Type(&sh, "upt"), SHELL_GO_ON);
  EXPECT_EQ(f.TakeOutput(), "upt");
  EXPECT_EQ(Type(&sh, "ime\r"), SHELL_GO_ON);
  EXPECT_EQ(f.TakeOutput(), "ime\r\nup 1.500 s\r\nnexus> ");
}

TEST_F(Shell, SeveralLinesInOneChunk) {
  f.TakeOutput();
  Type(&sh, "bogus\r\n\r\nuptime\r\n");
  EXPECT_EQ(f.TakeOutput(),
            "bogus\r\nunknown command: bogus (try help)\r\nnexus> "
            "\r\nnexus> "
            "uptime\r\nup 0.000 s\r\nnexus> ");
}

TEST_F(Shell, EditingBeforeEnter) {
  f.TakeOutput();
  Type(&sh, "pz\bs\r");
  EXPECT_EQ(f.TakeOutput(),
            "pz\b \bs\r\n"
            "name             state    restarts  threads  handles  KiB used/quota\r\n"
            "memory: 0 KiB free of 0 KiB\r\n"
            "nexus> ");
}

TEST_F(Shell, AnOverlongLineIsRefusedWithAMessage) {
  f.TakeOutput();
  std::string line(SHELL_LINE_MAX, 'x');
  Type(&sh, line + "yz\r");
  EXPECT_EQ(f.TakeOutput(), line +
                                "\r\nline too long (at most 80 characters): ignored up to Enter\r\n"
                                "nexus> ");
}

TEST_F(Shell, EchoGoesOutInChunks) {
  f.write_sizes.clear();
  std::string typed(150, 'a');
  Type(&sh, typed.substr(0, 70));
  // 64 bytes, then the rest of the chunk.
  EXPECT_EQ(f.write_sizes, (std::vector<size_t>{64, 6}));
}

TEST_F(Shell, PoweroffEndsTheShellAndDropsWhatFollows) {
  f.TakeOutput();
  EXPECT_EQ(Type(&sh, "poweroff\rhelp\r"), SHELL_EXIT);
  EXPECT_EQ(f.TakeOutput(), "poweroff\r\npowering off\r\n");
}

TEST_F(Shell, AFailedPoweroffGoesOn) {
  f.TakeOutput();
  f.shutdown_error = NX_ERR_BUSY;
  EXPECT_EQ(Type(&sh, "poweroff\r"), SHELL_GO_ON);
  EXPECT_EQ(f.TakeOutput(),
            "poweroff\r\npowering off\r\npoweroff: system service: busy\r\nnexus> ");
}

}  // namespace
