// uptime: seconds since boot, to the millisecond.
#include <gtest/gtest.h>

#include "neuron/shell.h"
#include "ui/shell/fake_sys.h"

namespace {

using shell_test::FakeSys;

TEST(Uptime, SecondsWithMilliseconds) {
  FakeSys f;
  struct {
    uint64_t ns;
    const char *line;
  } cases[] = {
      {0, "up 0.000 s\r\n"},
      {1234567890, "up 1.234 s\r\n"},
      {999999, "up 0.000 s\r\n"},
      {1000000, "up 0.001 s\r\n"},
      {86400000000000, "up 86400.000 s\r\n"},
      {UINT64_MAX, "up 18446744073.709 s\r\n"},
  };
  for (const auto &c : cases) {
    f.now = c.ns;
    EXPECT_EQ(f.Run("uptime"), SHELL_GO_ON);
    EXPECT_EQ(f.TakeOutput(), c.line) << c.ns;
  }
}

}  // namespace
