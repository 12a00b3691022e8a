// Names of object types, rights, task states and log levels.
#include <gtest/gtest.h>

#include <string>

#include "neuron/rights.h"
#include "neuron/shell_names.h"
#include "neuron/shell_sys.h"

namespace {

std::string Rights(uint32_t bits, size_t size = SHELL_RIGHTS_TEXT_MAX) {
  std::string buf(size, 'Z');
  shell_format_rights(bits, &buf[0], size);
  return buf.c_str();
}

TEST(Names, ObjectTypesInDeclarationOrderFromOne) {
  const char *want[] = {"debug_log", "vmo",      "notification", "interrupt",
                        "waitset",   "endpoint", "channel",      "task"};
  for (uint32_t i = 0; i < 8; i++) EXPECT_STREQ(shell_object_type_name(i + 1), want[i]);
  EXPECT_EQ(shell_object_type_name(0), nullptr);
  EXPECT_EQ(shell_object_type_name(9), nullptr);
  EXPECT_EQ(shell_object_type_name(UINT32_MAX), nullptr);
}

TEST(Names, RightsJoinedInBitOrder) {
  EXPECT_EQ(Rights(0), "none");
  EXPECT_EQ(Rights(NX_RIGHT_WRITE), "write");
  EXPECT_EQ(Rights(NX_RIGHT_TRANSFER | NX_RIGHT_READ | NX_RIGHT_DUPLICATE),
            "read,duplicate,transfer");
  EXPECT_EQ(Rights(NX_RIGHTS_ALL), "read,write,map,execute,duplicate,transfer,signal,wait,manage");
}

TEST(Names, UnknownRightBitsShowAsHex) {
  EXPECT_EQ(Rights(NX_RIGHT_READ | 0x400), "read,0x400");
  EXPECT_EQ(Rights(0x80000000u), "0x80000000");
  EXPECT_LT(Rights(UINT32_MAX).size(), SHELL_RIGHTS_TEXT_MAX);
  EXPECT_EQ(Rights(UINT32_MAX),
            "read,write,map,execute,duplicate,transfer,signal,wait,manage,0xfffffe00");
}

TEST(Names, RightsAreCutToTheBuffer) {
  EXPECT_EQ(Rights(NX_RIGHTS_ALL, 8), "read,wr");
  EXPECT_EQ(Rights(NX_RIGHT_READ | NX_RIGHT_WRITE, 5), "read");
  EXPECT_EQ(Rights(NX_RIGHT_READ | 0x400, 6), "read,");
  EXPECT_EQ(Rights(0, 3), "no");
}

TEST(Names, TaskStates) {
  EXPECT_STREQ(shell_task_state_name(SHELL_TASK_STOPPED), "stopped");
  EXPECT_STREQ(shell_task_state_name(SHELL_TASK_RUNNING), "running");
  EXPECT_EQ(shell_task_state_name(2), nullptr);
}

TEST(Names, LogLevels) {
  const char *want[] = {"debug", "info", "warn", "error"};
  for (uint32_t i = 0; i < 4; i++) {
    EXPECT_STREQ(shell_log_level_name(i), want[i]);
    EXPECT_EQ(shell_log_level_parse(want[i]), int(i));
  }
  EXPECT_EQ(shell_log_level_name(4), nullptr);
  EXPECT_EQ(shell_log_level_parse("warning"), -1);
  EXPECT_EQ(shell_log_level_parse("WARN"), -1);
  EXPECT_EQ(shell_log_level_parse(""), -1);
}

}  // namespace
