// Command lines: help, unknown commands, usage lines.
#include <gtest/gtest.h>

#include <string>

#include "neuron/shell.h"
#include "ui/shell/fake_sys.h"

namespace {

using shell_test::FakeSys;

TEST(Commands, HelpListsEveryCommand) {
  FakeSys f;
  EXPECT_EQ(f.Run("help"), SHELL_GO_ON);
  EXPECT_EQ(f.TakeOutput(),
            "commands:\r\n"
            "  help           this list\r\n"
            "  ps             tasks, their state and memory use\r\n"
            "  log [level]    the system log (from level debug, info, warn or error up)\r\n"
            "  caps <task>    a task's capabilities and rights\r\n"
            "  restart <task> ends a task; init starts it again\r\n"
            "  uptime         time since boot\r\n"
            "  poweroff       shuts the system down\r\n");
}

TEST(Commands, EmptyAndBlankLinesDoNothing) {
  FakeSys f;
  EXPECT_EQ(f.Run(""), SHELL_GO_ON);
  EXPECT_EQ(f.Run("   "), SHELL_GO_ON);
  EXPECT_EQ(f.TakeOutput(), "");
}

TEST(Commands, SpacesAroundWordsDoNotMatter) {
  FakeSys f;
  f.now = 2000000000;
  f.Run("  uptime  ");
  EXPECT_EQ(f.TakeOutput(), "up 2.000 s\r\n");
}

TEST(Commands, UnknownCommandSaysSo) {
  FakeSys f;
  EXPECT_EQ(f.Run("reboot now"), SHELL_GO_ON);
  EXPECT_EQ(f.TakeOutput(), "unknown command: reboot (try help)\r\n");
  f.Run("PS");
  EXPECT_EQ(f.TakeOutput(), "unknown command: PS (try help)\r\n");
}

TEST(Commands, WrongArgumentsGetTheUsageLine) {
  FakeSys f;
  struct {
    const char *line, *usage;
  } cases[] = {
      {"help me", "usage: help\r\n"},
      {"ps -a", "usage: ps\r\n"},
      {"log warn error", "usage: log [level]\r\n"},
      {"caps", "usage: caps <task>\r\n"},
      {"caps uart log", "usage: caps <task>\r\n"},
      {"uptime 1", "usage: uptime\r\n"},
      {"restart", "usage: restart <task>\r\n"},
      {"restart a b", "usage: restart <task>\r\n"},
      {"poweroff now", "usage: poweroff\r\n"},
      // More words than the shell keeps: a usage error all the same.
      {"caps a b c d e f g", "usage: caps <task>\r\n"},
  };
  for (const auto &c : cases) {
    EXPECT_EQ(f.Run(c.line), SHELL_GO_ON) << c.line;
    EXPECT_EQ(f.TakeOutput(), c.usage) << c.line;
  }
  EXPECT_EQ(f.shutdowns, 0);
  EXPECT_TRUE(f.task_calls.empty());
}

}  // namespace
