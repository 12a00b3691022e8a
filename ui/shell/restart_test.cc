// restart: ends a task so that init starts it again.
#include <gtest/gtest.h>

#include "neuron/errors.h"
#include "neuron/shell.h"
#include "ui/shell/fake_sys.h"

namespace {

using shell_test::FakeSys;
using shell_test::Task;

TEST(Restart, AsksForTheTaskByItsIndex) {
  FakeSys f;
  f.tasks = {Task("uart"), Task("logd")};
  EXPECT_EQ(f.Run("restart logd"), SHELL_GO_ON);
  EXPECT_EQ(f.restart_calls, (std::vector<uint32_t>{1}));
  EXPECT_EQ(f.TakeOutput(), "restart: logd ended; init starts it again after its backoff\r\n");
}

TEST(Restart, AnUnknownTaskIsNamed) {
  FakeSys f;
  f.tasks = {Task("uart")};
  f.Run("restart nope");
  EXPECT_TRUE(f.restart_calls.empty());
  EXPECT_EQ(f.TakeOutput(), "restart: no task called nope (see ps)\r\n");
}

TEST(Restart, TheServicesRefusalIsShownByName) {
  FakeSys f;
  f.tasks = {Task("uart", SHELL_TASK_STOPPED)};
  f.restart_error = NX_ERR_BUSY;
  f.Run("restart uart");
  EXPECT_EQ(f.restart_calls, (std::vector<uint32_t>{0}));
  EXPECT_EQ(f.TakeOutput(), "restart: system service: busy\r\n");
}

TEST(Restart, AnErrorFindingTheTaskIsShownByName) {
  FakeSys f;
  f.tasks = {Task("uart")};
  f.task_error = NX_ERR_BAD_FORMAT;
  f.task_error_at = 0;
  f.Run("restart uart");
  EXPECT_TRUE(f.restart_calls.empty());
  EXPECT_EQ(f.TakeOutput(), "restart: system service: bad-format\r\n");
}

}  // namespace
