// Message text made safe for the console: line ends, control bytes,
// truncation.
#include <gtest/gtest.h>

#include <string>

#include "neuron/log_text.h"

namespace {

std::string Copy(const std::string &in, size_t max, bool *truncated) {
  std::string out(max + 1, 'Z');
  size_t n = log_text_copy(&out[0], max, in.data(), in.size(), truncated);
  EXPECT_EQ(out[n], '\0');
  return out.substr(0, n);
}

TEST(LogText, KeepsPlainText) {
  bool t = true;
  EXPECT_EQ(Copy("hello, world ~!", 40, &t), "hello, world ~!");
  EXPECT_FALSE(t);
  EXPECT_EQ(Copy("", 40, &t), "");
  EXPECT_FALSE(t);
}

TEST(LogText, DropsTrailingLineEndsOnly) {
  bool t = true;
  EXPECT_EQ(Copy("up\n", 40, &t), "up");
  EXPECT_EQ(Copy("up\r\n\n", 40, &t), "up");
  EXPECT_EQ(Copy("\n\n", 40, &t), "");
  EXPECT_EQ(Copy("two\nlines\n", 40, &t), "two?lines") << "no forged second line";
  EXPECT_FALSE(t);
}

TEST(LogText, MasksControlAndNonAsciiBytes) {
  bool t = true;
  EXPECT_EQ(Copy("\x1b[2Jgone", 40, &t), "?[2Jgone");
  EXPECT_EQ(Copy(std::string("a\0b", 3), 40, &t), "a?b");
  EXPECT_EQ(Copy("tab\there", 40, &t), "tab here");
  EXPECT_EQ(Copy("del\x7f caf\xc3\xa9", 40, &t), "del? caf??");
  EXPECT_EQ(Copy("\rback", 40, &t), "?back");
  EXPECT_FALSE(t);
}

TEST(LogText, CutsLongTextAtMax) {
  bool t = false;
  EXPECT_EQ(Copy("0123456789", 4, &t), "0123");
  EXPECT_TRUE(t);
  EXPECT_EQ(Copy("0123\n", 4, &t), "0123") << "the line end does not count";
  EXPECT_FALSE(t);
  EXPECT_EQ(Copy("01234\n", 4, &t), "0123");
  EXPECT_TRUE(t);
  EXPECT_EQ(Copy("abc", 0, &t), "");
  EXPECT_TRUE(t);
}

}  // namespace
