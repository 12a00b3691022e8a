// The log ring: appending, reading with cursors, wraparound, readers the
// ring lapped, level filtering, truncation, and every error.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "neuron/errors.h"
#include "neuron/log_ring.h"

namespace {

class LogRingTest : public ::testing::Test {
 protected:
  void Init(uint32_t capacity) {
    storage_.assign(capacity, log_record_t{});
    ASSERT_EQ(log_ring_init(&r_, storage_.data(), capacity), NX_OK);
  }
  void SetUp() override { Init(4); }
  int64_t Append(const std::string &text, uint32_t level = LOG_INFO, uint64_t time = 0,
                 uint64_t badge = 7, const char *sender = "init") {
    return log_ring_append(&r_, level, time, badge, sender, text.data(), text.size());
  }
  // Reads until NOT_FOUND; returns the texts read.
  std::vector<std::string> ReadAll(log_cursor_t *c, uint32_t min_level = LOG_DEBUG) {
    std::vector<std::string> out;
    log_record_t rec;
    int err;
    while ((err = log_ring_read(&r_, c, min_level, &rec)) == NX_OK) out.push_back(rec.text);
    EXPECT_EQ(err, NX_ERR_NOT_FOUND);
    EXPECT_EQ(c->next, log_ring_next(&r_));
    return out;
  }
  std::vector<log_record_t> storage_;
  log_ring_t r_;
};

TEST_F(LogRingTest, InitNeedsStorage) {
  log_ring_t r;
  log_record_t one;
  EXPECT_EQ(log_ring_init(&r, nullptr, 4), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(log_ring_init(&r, &one, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(log_ring_init(&r, &one, 1), NX_OK);
}

TEST_F(LogRingTest, EmptyRingHasNothingToRead) {
  log_cursor_t c;
  log_cursor_oldest(&r_, &c);
  EXPECT_EQ(c.next, 0u);
  EXPECT_EQ(log_ring_oldest(&r_), 0u);
  EXPECT_EQ(log_ring_next(&r_), 0u);
  EXPECT_EQ(log_ring_dropped(&r_), 0u);
  log_record_t rec;
  EXPECT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_ERR_NOT_FOUND);
  EXPECT_EQ(c.next, 0u);
  EXPECT_EQ(c.missed, 0u);
}

TEST_F(LogRingTest, AppendedRecordReadsBackWithEveryField) {
  ASSERT_EQ(log_ring_append(&r_, LOG_WARN, 1234, 42, "uart", "rx overrun\n", 11), 0);
  ASSERT_EQ(Append("second"), 1);
  log_cursor_t c = {0, 0};
  log_record_t rec;
  ASSERT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_OK);
  EXPECT_EQ(rec.seq, 0u);
  EXPECT_EQ(rec.time_ns, 1234u);
  EXPECT_EQ(rec.badge, 42u);
  EXPECT_EQ(rec.level, LOG_WARN);
  EXPECT_STREQ(rec.sender, "uart");
  EXPECT_STREQ(rec.text, "rx overrun");
  EXPECT_EQ(rec.len, 10u);
  EXPECT_EQ(rec.truncated, 0u);
  EXPECT_EQ(c.next, 1u);
  ASSERT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_OK);
  EXPECT_STREQ(rec.text, "second");
  EXPECT_EQ(rec.seq, 1u);
  EXPECT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_ERR_NOT_FOUND);
  EXPECT_EQ(c.next, 2u);
  EXPECT_EQ(c.missed, 0u);
}

TEST_F(LogRingTest, AppendRefusesBadLevelsAndText) {
  EXPECT_EQ(Append("x", LOG_LEVELS), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Append("x", 0xffffffffu), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(log_ring_append(&r_, LOG_INFO, 0, 1, "a", nullptr, 3), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(log_ring_next(&r_), 0u) << "a refused record takes no sequence number";
  EXPECT_EQ(log_ring_append(&r_, LOG_INFO, 0, 1, "a", nullptr, 0), 0) << "an empty message";
  log_cursor_t c = {0, 0};
  EXPECT_EQ(ReadAll(&c), std::vector<std::string>{""});
}

TEST_F(LogRingTest, WrapsAroundOverwritingTheOldest) {
  for (int i = 0; i < 10; i++) ASSERT_EQ(Append("m" + std::to_string(i)), i);
  EXPECT_EQ(log_ring_next(&r_), 10u);
  EXPECT_EQ(log_ring_oldest(&r_), 6u);
  EXPECT_EQ(log_ring_dropped(&r_), 6u);
  log_cursor_t c;
  log_cursor_oldest(&r_, &c);
  EXPECT_EQ(ReadAll(&c), (std::vector<std::string>{"m6", "m7", "m8", "m9"}));
  EXPECT_EQ(c.missed, 0u);
}

TEST_F(LogRingTest, ReaderBehindTheOverwrittenTailLearnsWhatItMissed) {
  log_cursor_t c = {0, 0};
  ASSERT_EQ(Append("a"), 0);
  log_record_t rec;
  ASSERT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_OK);
  for (int i = 1; i < 8; i++) Append("m" + std::to_string(i));
  // The ring holds 4..7; the reader wanted 1: 1, 2, 3 were overwritten.
  ASSERT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_OK);
  EXPECT_EQ(c.missed, 3u);
  EXPECT_EQ(rec.seq, 4u);
  EXPECT_STREQ(rec.text, "m4");
  // It falls behind again: the misses add up until the reader resets them.
  for (int i = 8; i < 20; i++) Append("m" + std::to_string(i));
  EXPECT_EQ(ReadAll(&c), (std::vector<std::string>{"m16", "m17", "m18", "m19"}));
  EXPECT_EQ(c.missed, 3u + 11u);
}

TEST_F(LogRingTest, ZeroedCursorCountsEverythingDroppedAsMissed) {
  for (int i = 0; i < 9; i++) Append("m");
  log_cursor_t c = {0, 0};
  EXPECT_EQ(ReadAll(&c).size(), 4u);
  EXPECT_EQ(c.missed, log_ring_dropped(&r_));
  EXPECT_EQ(c.missed, 5u);
}

TEST_F(LogRingTest, NewestCursorSeesOnlyWhatComesAfter) {
  Append("old");
  log_cursor_t c;
  log_cursor_newest(&r_, &c);
  EXPECT_TRUE(ReadAll(&c).empty());
  Append("new");
  EXPECT_EQ(ReadAll(&c), std::vector<std::string>{"new"});
}

TEST_F(LogRingTest, LevelFilterSkipsWithoutCountingMisses) {
  Init(8);
  Append("d", LOG_DEBUG);
  Append("i", LOG_INFO);
  Append("w", LOG_WARN);
  Append("e", LOG_ERROR);
  Append("d2", LOG_DEBUG);
  log_cursor_t c = {0, 0};
  EXPECT_EQ(ReadAll(&c, LOG_WARN), (std::vector<std::string>{"w", "e"}));
  EXPECT_EQ(c.missed, 0u);
  c = {0, 0};
  EXPECT_EQ(ReadAll(&c, LOG_ERROR), std::vector<std::string>{"e"});
  c = {0, 0};
  EXPECT_EQ(ReadAll(&c, LOG_DEBUG).size(), 5u);
  // Only filtered records left: the cursor still moves past them.
  c = {4, 0};
  log_record_t rec;
  EXPECT_EQ(log_ring_read(&r_, &c, LOG_INFO, &rec), NX_ERR_NOT_FOUND);
  EXPECT_EQ(c.next, 5u);
}

TEST_F(LogRingTest, ReadRefusesBadLevelsAndCursorsFromTheFuture) {
  Append("a");
  log_record_t rec;
  log_cursor_t c = {0, 0};
  EXPECT_EQ(log_ring_read(&r_, &c, LOG_LEVELS, &rec), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(c.next, 0u);
  c = {2, 5};
  EXPECT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(c.next, 2u);
  EXPECT_EQ(c.missed, 5u);
  c = {1, 0};
  EXPECT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_ERR_NOT_FOUND) << "next itself is fine";
}

TEST_F(LogRingTest, LongMessagesAreTruncated) {
  std::string exact(LOG_TEXT_MAX, 'x'), longer(LOG_TEXT_MAX + 50, 'y');
  Append(exact);
  Append(longer);
  Append(exact + "\n");
  log_cursor_t c = {0, 0};
  log_record_t rec;
  ASSERT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_OK);
  EXPECT_EQ(rec.len, LOG_TEXT_MAX);
  EXPECT_EQ(rec.truncated, 0u);
  ASSERT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_OK);
  EXPECT_EQ(rec.len, LOG_TEXT_MAX);
  EXPECT_EQ(rec.truncated, 1u);
  EXPECT_EQ(std::string(rec.text), std::string(LOG_TEXT_MAX, 'y'));
  ASSERT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_OK);
  EXPECT_EQ(rec.truncated, 0u) << "the dropped line end was not text";
}

TEST_F(LogRingTest, SenderNameIsCopiedAndBounded) {
  std::string long_name(LOG_NAME_MAX + 10, 'n');
  Append("a", LOG_INFO, 0, 9, nullptr);
  Append("b", LOG_INFO, 0, 9, long_name.c_str());
  char name[] = "init";
  Append("c", LOG_INFO, 0, 9, name);
  name[0] = 'X';  // the caller's buffer changes later
  log_cursor_t c = {0, 0};
  log_record_t rec;
  ASSERT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_OK);
  EXPECT_STREQ(rec.sender, "");
  EXPECT_EQ(rec.badge, 9u);
  ASSERT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_OK);
  EXPECT_EQ(std::string(rec.sender), std::string(LOG_NAME_MAX, 'n'));
  ASSERT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_OK);
  EXPECT_STREQ(rec.sender, "init");
}

TEST_F(LogRingTest, TimestampsNeverGoBackwards) {
  Append("a", LOG_INFO, 100);
  Append("b", LOG_INFO, 50);
  Append("c", LOG_INFO, 300);
  log_cursor_t c = {0, 0};
  log_record_t rec;
  std::vector<uint64_t> times;
  while (log_ring_read(&r_, &c, LOG_DEBUG, &rec) == NX_OK) times.push_back(rec.time_ns);
  EXPECT_EQ(times, (std::vector<uint64_t>{100, 100, 300}));
}

TEST_F(LogRingTest, ReadCopiesSoOverwritingLeavesTheReadersRecord) {
  Append("first");
  log_cursor_t c = {0, 0};
  log_record_t rec;
  ASSERT_EQ(log_ring_read(&r_, &c, LOG_DEBUG, &rec), NX_OK);
  for (int i = 0; i < 8; i++) Append("later");
  EXPECT_STREQ(rec.text, "first");
}

TEST_F(LogRingTest, RingOfOneKeepsTheNewest) {
  Init(1);
  Append("a");
  Append("b");
  log_cursor_t c = {0, 0};
  EXPECT_EQ(ReadAll(&c), std::vector<std::string>{"b"});
  EXPECT_EQ(c.missed, 1u);
}

}  // namespace
