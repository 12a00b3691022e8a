// Records as console lines.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "neuron/errors.h"
#include "neuron/log_format.h"

namespace {

log_record_t Record(uint32_t level, uint64_t time_ns, uint64_t badge, const char *sender,
                    const char *text, bool truncated = false) {
  log_record_t r{};
  r.level = level;
  r.time_ns = time_ns;
  r.badge = badge;
  strncpy(r.sender, sender, LOG_NAME_MAX);
  strncpy(r.text, text, LOG_TEXT_MAX);
  r.len = uint16_t(strlen(r.text));
  r.truncated = truncated;
  return r;
}

std::string Line(const log_record_t &r, size_t size = LOG_LINE_MAX) {
  std::string buf(size, 'Z');
  int n = log_format_record(&r, &buf[0], size);
  EXPECT_GE(n, 0);
  EXPECT_EQ(buf[size_t(n)], '\0');
  return buf.substr(0, size_t(n));
}

TEST(LogFormat, OneLinePerRecord) {
  EXPECT_EQ(Line(Record(LOG_WARN, 12034567891, 4, "uart", "rx overrun")),
            "[   12.034567] warn  uart: rx overrun");
  EXPECT_EQ(Line(Record(LOG_INFO, 0, 4, "init", "up log")), "[    0.000000] info  init: up log");
  EXPECT_EQ(Line(Record(LOG_DEBUG, 999999, 4, "x", "")), "[    0.000999] debug x: ");
  EXPECT_EQ(Line(Record(LOG_ERROR, 123456789012345678, 4, "init", "e")),
            "[123456789.012345] error init: e");
}

TEST(LogFormat, UnknownSenderShowsItsBadge) {
  EXPECT_EQ(Line(Record(LOG_INFO, 0, 7, "", "hi")), "[    0.000000] info  #7: hi");
  EXPECT_EQ(Line(Record(LOG_INFO, 0, UINT64_MAX, "", "hi")),
            "[    0.000000] info  #18446744073709551615: hi");
}

TEST(LogFormat, TruncatedTextEndsInDots) {
  EXPECT_EQ(Line(Record(LOG_INFO, 0, 1, "a", "cut", true)), "[    0.000000] info  a: cut...");
}

TEST(LogFormat, LongestRecordFitsLineMax) {
  std::string name(LOG_NAME_MAX, 'n'), text(LOG_TEXT_MAX, 't');
  log_record_t r = Record(LOG_ERROR, UINT64_MAX, UINT64_MAX, name.c_str(), text.c_str(), true);
  std::string line = Line(r);
  EXPECT_LT(line.size(), LOG_LINE_MAX);
  EXPECT_EQ(line.substr(line.size() - 4), "t...");
  r.sender[0] = '\0';
  line = Line(r);
  EXPECT_EQ(line.substr(line.size() - 4), "t...");
}

TEST(LogFormat, SmallBufferCutsTheLine) {
  log_record_t r = Record(LOG_INFO, 0, 1, "init", "hello");
  EXPECT_EQ(Line(r, 10), "[    0.00");
  EXPECT_EQ(Line(r, 1), "");
  char buf[4];
  EXPECT_EQ(log_format_record(&r, buf, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(log_format_record(&r, nullptr, 4), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(log_format_record(nullptr, buf, sizeof(buf)), NX_ERR_INVALID_ARGS);
}

TEST(LogFormat, MissedLine) {
  char buf[LOG_LINE_MAX];
  EXPECT_EQ(log_format_missed(1, buf, sizeof(buf)), 20);
  EXPECT_STREQ(buf, "log: 1 record missed");
  EXPECT_EQ(log_format_missed(12, buf, sizeof(buf)), 22);
  EXPECT_STREQ(buf, "log: 12 records missed");
  EXPECT_EQ(log_format_missed(12, buf, 5), 4);
  EXPECT_STREQ(buf, "log:");
  EXPECT_EQ(log_format_missed(12, buf, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(log_format_missed(12, nullptr, 4), NX_ERR_INVALID_ARGS);
}

}  // namespace
