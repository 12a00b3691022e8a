// caps <task>: a task's capabilities.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "neuron/errors.h"
#include "neuron/rights.h"
#include "neuron/shell.h"
#include "ui/shell/fake_sys.h"

namespace {

using shell_test::Cap;
using shell_test::FakeSys;
using shell_test::Task;

const char kHeader[] = "    handle  type             rights\r\n";

class Caps : public ::testing::Test {
 protected:
  void SetUp() override {
    f.tasks = {Task("uart"), Task("log"), Task("gone", SHELL_TASK_STOPPED)};
    f.caps[1] = {Cap(1, NX_OBJ_DEBUG_LOG, NX_RIGHT_WRITE), Cap(2, NX_OBJ_ENDPOINT, NX_RIGHT_READ),
                 Cap(3, NX_OBJ_ENDPOINT, NX_RIGHT_WRITE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER),
                 Cap(65553, NX_OBJ_VMO, 0)};
  }
  FakeSys f;
};

TEST_F(Caps, OneRowPerCapability) {
  EXPECT_EQ(f.Run("caps log"), SHELL_GO_ON);
  EXPECT_EQ(f.TakeOutput(), std::string(kHeader) +
                                "         1  debug_log        write\r\n"
                                "         2  endpoint         read\r\n"
                                "         3  endpoint         write,duplicate,transfer\r\n"
                                "     65553  vmo              none\r\n");
  // Asked of task 1 ("log"), one by one up to "no more".
  EXPECT_EQ(f.cap_calls,
            (std::vector<std::pair<uint32_t, uint32_t>>{{1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}}));
}

TEST_F(Caps, AnUnknownTypeShowsItsNumber) {
  f.caps[0] = {Cap(4, 99, NX_RIGHT_READ)};
  f.Run("caps uart");
  EXPECT_EQ(f.TakeOutput(), std::string(kHeader) + "         4  type 99          read\r\n");
}

TEST_F(Caps, TheLongestRowComesOutWhole) {
  f.caps[0] = {Cap(UINT32_MAX, UINT32_MAX, UINT32_MAX)};
  f.Run("caps uart");
  EXPECT_EQ(f.TakeOutput(), std::string(kHeader) +
                                "4294967295  type 4294967295  read,write,map,execute,duplicate,"
                                "transfer,signal,wait,manage,0xfffffe00\r\n");
}

TEST_F(Caps, AnUnknownTaskSaysSo) {
  f.Run("caps nosuch");
  EXPECT_EQ(f.TakeOutput(), "caps: no task called nosuch (see ps)\r\n");
  EXPECT_EQ(f.task_calls, (std::vector<uint32_t>{0, 1, 2, 3}));
}

TEST_F(Caps, ANameIsMatchedWhole) {
  f.Run("caps lo");
  EXPECT_EQ(f.TakeOutput(), "caps: no task called lo (see ps)\r\n");
  f.Run("caps logs");
  EXPECT_EQ(f.TakeOutput(), "caps: no task called logs (see ps)\r\n");
}

TEST_F(Caps, TheLookupStopsAtThePlanLimit) {
  f.endless_tasks = true;
  f.Run("caps uart");
  EXPECT_EQ(f.TakeOutput(), "caps: no task called uart (see ps)\r\n");
  EXPECT_EQ(f.task_calls.size(), SHELL_TASKS_MAX);
}

TEST_F(Caps, ALookupErrorIsShownByName) {
  f.task_error = NX_ERR_TIMED_OUT;
  f.task_error_at = 1;
  f.Run("caps log");
  EXPECT_EQ(f.TakeOutput(), "caps: system service: timed-out\r\n");
  EXPECT_TRUE(f.cap_calls.empty());
}

TEST_F(Caps, AStoppedTaskIsNotRunning) {
  f.Run("caps gone");
  EXPECT_EQ(f.TakeOutput(), "caps: gone is not running\r\n");
  EXPECT_TRUE(f.cap_calls.empty());
}

TEST_F(Caps, ATaskWithoutCapabilitiesSaysSo) {
  f.Run("caps uart");
  EXPECT_EQ(f.TakeOutput(), "caps: uart holds no capabilities\r\n");
}

TEST_F(Caps, AnErrorMidwayKeepsTheRowsBeforeIt) {
  f.cap_error = NX_ERR_BUSY;
  f.cap_error_at = 2;
  f.Run("caps log");
  EXPECT_EQ(f.TakeOutput(), std::string(kHeader) +
                                "         1  debug_log        write\r\n"
                                "         2  endpoint         read\r\n"
                                "caps: system service: busy\r\n");
}

TEST_F(Caps, AnErrorAtTheFirstCapabilityHasNoHeader) {
  // The task stopped after the lookup: the service says busy.
  f.cap_error = NX_ERR_BUSY;
  f.cap_error_at = 0;
  f.Run("caps log");
  EXPECT_EQ(f.TakeOutput(), "caps: system service: busy\r\n");
}

TEST_F(Caps, AServerThatNeverEndsTheListIsCutAtTheTableSize) {
  f.endless_caps = true;
  f.Run("caps uart");
  EXPECT_EQ(f.cap_calls.size(), SHELL_CAPS_MAX);
  std::string out = f.TakeOutput();
  EXPECT_EQ(out.rfind("       255  vmo              none\r\n"), out.size() - 35);
}

}  // namespace
