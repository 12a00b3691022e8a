// Sender names by badge.
#include <gtest/gtest.h>

#include <string>

#include "neuron/errors.h"
#include "neuron/log_senders.h"

namespace {

class LogSendersTest : public ::testing::Test {
 protected:
  void SetUp() override { log_senders_init(&s_); }
  int Set(uint64_t badge, const std::string &name) {
    return log_senders_set(&s_, badge, name.data(), name.size());
  }
  log_senders_t s_;
};

TEST_F(LogSendersTest, NamesByBadge) {
  ASSERT_EQ(Set(3, "init"), NX_OK);
  ASSERT_EQ(Set(4, "uart"), NX_OK);
  EXPECT_STREQ(log_senders_name(&s_, 3), "init");
  EXPECT_STREQ(log_senders_name(&s_, 4), "uart");
  EXPECT_EQ(log_senders_name(&s_, 5), nullptr);
  EXPECT_EQ(log_senders_name(&s_, 0), nullptr);
  ASSERT_EQ(Set(4, "uart2"), NX_OK) << "renaming";
  EXPECT_STREQ(log_senders_name(&s_, 4), "uart2");
  ASSERT_EQ(Set(4, "u"), NX_OK);
  EXPECT_STREQ(log_senders_name(&s_, 4), "u") << "a shorter name is terminated";
}

TEST_F(LogSendersTest, RefusesBadgeZeroAndBadNames) {
  EXPECT_EQ(Set(0, "init"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Set(1, ""), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Set(1, std::string(LOG_NAME_MAX + 1, 'n')), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Set(1, "two words"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Set(1, "bell\a"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Set(1, "caf\xc3\xa9"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(log_senders_set(&s_, 1, nullptr, 3), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(log_senders_name(&s_, 1), nullptr);
  ASSERT_EQ(Set(1, std::string(LOG_NAME_MAX, 'n')), NX_OK);
  EXPECT_EQ(std::string(log_senders_name(&s_, 1)), std::string(LOG_NAME_MAX, 'n'));
  EXPECT_EQ(Set(1, "a b"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(std::string(log_senders_name(&s_, 1)), std::string(LOG_NAME_MAX, 'n'))
      << "a refused rename keeps the old name";
}

TEST_F(LogSendersTest, FullTableAndRemoval) {
  for (uint64_t b = 1; b <= LOG_SENDERS; b++) {
    ASSERT_EQ(Set(b, "p" + std::to_string(b)), NX_OK);
  }
  EXPECT_EQ(Set(LOG_SENDERS + 1, "late"), NX_ERR_NO_MEMORY);
  EXPECT_EQ(Set(2, "renamed"), NX_OK) << "renaming needs no new slot";
  EXPECT_EQ(log_senders_remove(&s_, 5), NX_OK);
  EXPECT_EQ(log_senders_name(&s_, 5), nullptr);
  EXPECT_EQ(log_senders_remove(&s_, 5), NX_ERR_NOT_FOUND);
  EXPECT_EQ(log_senders_remove(&s_, 0), NX_ERR_NOT_FOUND);
  EXPECT_EQ(Set(LOG_SENDERS + 1, "late"), NX_OK);
  EXPECT_STREQ(log_senders_name(&s_, LOG_SENDERS + 1), "late");
  EXPECT_STREQ(log_senders_name(&s_, 2), "renamed");
}

}  // namespace
