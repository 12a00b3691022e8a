// ps: the task table.
#include <gtest/gtest.h>

#include <string>

#include "neuron/errors.h"
#include "neuron/shell.h"
#include "ui/shell/fake_sys.h"

namespace {

using shell_test::FakeSys;
using shell_test::Task;

const char kHeader[] = "name             state    restarts  threads  handles  KiB used/quota\r\n";
// The fake's RAM, unless a test sets it: none.
const char kNoMemory[] = "memory: 0 KiB free of 0 KiB\r\n";

TEST(Ps, OneRowPerTask) {
  FakeSys f;
  f.tasks = {Task("uart", SHELL_TASK_RUNNING, 0, 2, 6, 22, 64),
             Task("log", SHELL_TASK_RUNNING, 1, 1, 4, 30, 64),
             Task("crasher", SHELL_TASK_STOPPED, 3, 0, 0, 0, 32)};
  EXPECT_EQ(f.Run("ps"), SHELL_GO_ON);
  EXPECT_EQ(f.TakeOutput(), std::string(kHeader) +
                                "uart             running         0        2        6  88/256\r\n"
                                "log              running         1        1        4  120/256\r\n"
                                "crasher          stopped         3        0        0  0/128\r\n" +
                                kNoMemory);
  EXPECT_EQ(f.task_calls, (std::vector<uint32_t>{0, 1, 2, 3}));
}

TEST(Ps, LongNamesAndBigNumbersPushTheColumns) {
  FakeSys f;
  f.tasks = {Task("a_name_of_thirty_one_characters", SHELL_TASK_RUNNING, UINT32_MAX, UINT32_MAX,
                  UINT32_MAX, 1ull << 40, 1ull << 40)};
  f.Run("ps");
  EXPECT_EQ(f.TakeOutput(),
            std::string(kHeader) +
                "a_name_of_thirty_one_characters running  4294967295 4294967295 4294967295  "
                "4398046511104/4398046511104\r\n" +
                kNoMemory);
}

TEST(Ps, AnUnknownStateShowsItsNumber) {
  FakeSys f;
  f.tasks = {Task("odd", 7, 0, 0, 0, 0, 1)};
  f.Run("ps");
  EXPECT_EQ(f.TakeOutput(), std::string(kHeader) +
                                "odd              state 7         0        0        0  0/4\r\n" +
                                kNoMemory);
}

TEST(Ps, TheLongestStateComesOutWhole) {
  FakeSys f;
  f.tasks = {Task("odd", UINT32_MAX, 0, 0, 0, 0, 1)};
  f.Run("ps");
  EXPECT_EQ(f.TakeOutput(),
            std::string(kHeader) +
                "odd              state 4294967295        0        0        0  0/4\r\n" +
                kNoMemory);
}

TEST(Ps, NoTasksIsJustTheHeader) {
  FakeSys f;
  f.Run("ps");
  EXPECT_EQ(f.TakeOutput(), std::string(kHeader) + kNoMemory);
}

TEST(Ps, TheMachinesMemoryEndsTheTable) {
  FakeSys f;
  f.tasks = {Task("log", SHELL_TASK_RUNNING, 0, 1, 2, 25, 64)};
  f.pages_free = 64000;
  f.pages_total = 65000;
  f.Run("ps");
  EXPECT_EQ(f.TakeOutput(),
            std::string(kHeader) +
                "log              running         0        1        2  100/256\r\n" +
                "memory: 256000 KiB free of 260000 KiB\r\n");
}

TEST(Ps, AKernelErrorForTheMemoryIsShownByName) {
  FakeSys f;
  f.memory_error = NX_ERR_BAD_ADDRESS;
  f.Run("ps");
  EXPECT_EQ(f.TakeOutput(), std::string(kHeader) + "ps: kernel service: bad-address\r\n");
}

TEST(Ps, AServiceErrorIsShownByName) {
  FakeSys f;
  f.tasks = {Task("uart"), Task("log")};
  f.task_error = NX_ERR_ACCESS_DENIED;
  f.task_error_at = 0;
  f.Run("ps");
  EXPECT_EQ(f.TakeOutput(), std::string(kHeader) + "ps: system service: access-denied\r\n");
}

TEST(Ps, AnErrorMidwayKeepsTheRowsBeforeIt) {
  FakeSys f;
  f.tasks = {Task("uart", SHELL_TASK_RUNNING, 0, 1, 3, 1, 2), Task("log")};
  f.task_error = NX_ERR_BAD_FORMAT;
  f.task_error_at = 1;
  f.Run("ps");
  EXPECT_EQ(f.TakeOutput(), std::string(kHeader) +
                                "uart             running         0        1        3  4/8\r\n" +
                                "ps: system service: bad-format\r\n");
}

TEST(Ps, AServerThatNeverEndsTheListIsCutAtThePlanLimit) {
  FakeSys f;
  f.endless_tasks = true;
  f.Run("ps");
  EXPECT_EQ(f.task_calls.size(), SHELL_TASKS_MAX);
  EXPECT_NE(f.TakeOutput().find(kNoMemory), std::string::npos) << "the memory line still ends it";
}

}  // namespace
