// Level names and parsing.
#include <gtest/gtest.h>

#include <string>

#include "neuron/errors.h"
#include "neuron/log_level.h"

namespace {

int Parse(const std::string &s) { return log_level_parse(s.data(), s.size()); }

TEST(LogLevel, NamesRoundTrip) {
  for (uint32_t level = 0; level < LOG_LEVELS; level++) {
    EXPECT_EQ(Parse(log_level_name(level)), int(level));
  }
  EXPECT_STREQ(log_level_name(LOG_DEBUG), "debug");
  EXPECT_STREQ(log_level_name(LOG_ERROR), "error");
  EXPECT_LT(LOG_DEBUG, LOG_INFO);
  EXPECT_LT(LOG_INFO, LOG_WARN);
  EXPECT_LT(LOG_WARN, LOG_ERROR);
}

TEST(LogLevel, UnknownLevelsAndNames) {
  EXPECT_STREQ(log_level_name(LOG_LEVELS), "?");
  EXPECT_STREQ(log_level_name(0xffffffffu), "?");
  EXPECT_EQ(Parse(""), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Parse("warning"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Parse("war"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Parse("WARN"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(log_level_parse(nullptr, 4), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(log_level_parse("info!", 4), int(LOG_INFO)) << "only len bytes count";
}

}  // namespace
