// log [level]: the system log.
#include <gtest/gtest.h>

#include <string>

#include "neuron/errors.h"
#include "neuron/shell.h"
#include "ui/shell/fake_sys.h"

namespace {

using shell_test::FakeSys;
using shell_test::Record;
using shell_test::Task;

class Log : public ::testing::Test {
 protected:
  void SetUp() override {
    // Badges are boot plan index + 1: 1 uart, 2 log.
    f.tasks = {Task("uart"), Task("log")};
    f.records = {Record(1, 1, "up"), Record(2, 2, "ring half full"), Record(1, 0, "rx 3 bytes"),
                 Record(2, 3, "ring full")};
  }
  FakeSys f;
};

TEST_F(Log, OneLinePerRecordWithItsSendersName) {
  EXPECT_EQ(f.Run("log"), SHELL_GO_ON);
  EXPECT_EQ(f.TakeOutput(),
            "info  uart: up\r\n"
            "warn  log: ring half full\r\n"
            "debug uart: rx 3 bytes\r\n"
            "error log: ring full\r\n");
}

TEST_F(Log, ALevelShowsThatLevelAndUp) {
  f.Run("log warn");
  EXPECT_EQ(f.TakeOutput(),
            "warn  log: ring half full\r\n"
            "error log: ring full\r\n");
  EXPECT_EQ(f.read_calls.front().second, 2u);
}

TEST_F(Log, AnUnknownLevelSaysWhichAreKnown) {
  f.Run("log loud");
  EXPECT_EQ(f.TakeOutput(), "log: no level loud (debug, info, warn, error)\r\n");
  EXPECT_TRUE(f.read_calls.empty());
}

TEST_F(Log, SendersWithoutATaskShowTheirBadge) {
  f.records = {Record(0, 1, "no badge"), Record(3, 1, "past the tasks"),
               Record(SHELL_TASKS_MAX + 1, 1, "past the plan"), Record(UINT64_MAX, 1, "huge")};
  f.Run("log");
  EXPECT_EQ(f.TakeOutput(),
            "info  #0: no badge\r\n"
            "info  #3: past the tasks\r\n"
            "info  #33: past the plan\r\n"
            "info  #18446744073709551615: huge\r\n");
  // Only the badge within the plan was asked about.
  EXPECT_EQ(f.task_calls, (std::vector<uint32_t>{2}));
}

TEST_F(Log, ASenderLookupErrorShowsTheBadge) {
  f.task_error = NX_ERR_BUSY;
  f.task_error_at = 0;
  f.records = {Record(1, 1, "up")};
  f.Run("log");
  EXPECT_EQ(f.TakeOutput(), "info  #1: up\r\n");
}

TEST_F(Log, AnUnknownLevelShowsItsNumber) {
  f.records = {Record(1, 9, "odd")};
  f.Run("log");
  EXPECT_EQ(f.TakeOutput(), "level 9 uart: odd\r\n");
}

TEST_F(Log, UnprintableBytesBecomeQuestionMarks) {
  f.records = {Record(1, 1, "a\x1b[2Jb\x7f\x80")};
  f.Run("log");
  EXPECT_EQ(f.TakeOutput(), "info  uart: a?[2Jb??\r\n");
}

TEST_F(Log, OverwrittenRecordsAreCounted) {
  f.first_seq = 40;
  f.records = {Record(1, 1, "still here")};
  f.Run("log");
  EXPECT_EQ(f.TakeOutput(),
            "log: 40 older records overwritten\r\n"
            "info  uart: still here\r\n");
  EXPECT_EQ(f.read_calls.front().first, 40u);
}

TEST_F(Log, AnEmptyLogSaysSo) {
  f.records.clear();
  f.Run("log");
  EXPECT_EQ(f.TakeOutput(), "log: no records\r\n");
  EXPECT_TRUE(f.read_calls.empty());
}

TEST_F(Log, NothingAtTheLevelSaysSo) {
  f.records = {Record(1, 0, "debug only")};
  f.Run("log error");
  EXPECT_EQ(f.TakeOutput(), "log: no records\r\n");
}

TEST_F(Log, ItStopsAtTheRecordNewestWhenItBegan) {
  f.Run("log");
  EXPECT_EQ(f.read_calls.size(), 4u);
  EXPECT_EQ(f.read_calls.back().first, 3u);
}

TEST_F(Log, ACountErrorIsShownByName) {
  f.span_error = NX_ERR_ACCESS_DENIED;
  f.Run("log");
  EXPECT_EQ(f.TakeOutput(), "log: log service: access-denied\r\n");
}

TEST_F(Log, AReadErrorKeepsTheLinesBeforeIt) {
  f.read_error = NX_ERR_OUT_OF_RANGE;
  f.read_error_at = 2;
  f.Run("log");
  EXPECT_EQ(f.TakeOutput(), std::string("info  uart: up\r\n") + "warn  log: ring half full\r\n" +
                                "log: log service: out-of-range\r\n");
}

TEST_F(Log, ACursorThatDoesNotMoveIsABadReply) {
  f.read_keep_cursor = true;
  f.Run("log");
  EXPECT_EQ(f.TakeOutput(), "log: log service: bad-format\r\n");
}

TEST_F(Log, TheLongestLineComesOutWhole) {
  std::string name(SHELL_NAME_MAX, 'n'), text(SHELL_LOG_TEXT_MAX, 't');
  f.tasks = {Task(name.c_str())};
  f.records = {Record(1, 4000000000u, text.c_str())};
  f.Run("log");
  EXPECT_EQ(f.TakeOutput(), "level 4000000000 " + name + ": " + text + "\r\n");
}

}  // namespace
