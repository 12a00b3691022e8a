#include <gtest/gtest.h>

#include <string>

#include "neuron/console.h"

namespace {

// The formats are not literals here on purpose: the tests also feed
// conversions the compiler's format checker would reject.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat-security"
#pragma clang diagnostic ignored "-Wformat-nonliteral"
template <typename... Args>
std::string Format(const char *fmt, Args... args) {
  char buf[128];
  size_t n = ksnprintf(buf, sizeof buf, fmt, args...);
  EXPECT_EQ(n, std::string(buf).size());
  return buf;
}
#pragma clang diagnostic pop

TEST(Format, Integers) {
  EXPECT_EQ(Format("%d %i %u", -42, 7, 42u), "-42 7 42");
  EXPECT_EQ(Format("%ld", -9223372036854775807L - 1), "-9223372036854775808");
  EXPECT_EQ(Format("%lu", 18446744073709551615UL), "18446744073709551615");
  EXPECT_EQ(Format("%llx", 0xdeadbeefcafeULL), "deadbeefcafe");
  EXPECT_EQ(Format("%x", 0u), "0");
}

TEST(Format, WidthAndFlags) {
  EXPECT_EQ(Format("[%5d]", 42), "[   42]");
  EXPECT_EQ(Format("[%05d]", -42), "[-0042]");
  EXPECT_EQ(Format("%#lx", 0x80000000UL), "0x80000000");
  EXPECT_EQ(Format("%#010x", 0x1234u), "0x00001234");
  EXPECT_EQ(Format("%p", reinterpret_cast<void *>(0x1000)), "0x1000");
}

TEST(Format, StringsAndChars) {
  EXPECT_EQ(Format("%s=%c", "hart", '0'), "hart=0");
  EXPECT_EQ(Format("%s", static_cast<const char *>(nullptr)), "(null)");
  EXPECT_EQ(Format("100%%"), "100%");
}

TEST(Format, UnknownConversionIsPrintedAndConsumesNothing) {
  // %q is unknown: printed as written, and the int still goes to %d.
  EXPECT_EQ(Format("%q %d", 5), "%q 5");
  EXPECT_EQ(Format("trailing %"), "trailing %");
}

TEST(Format, TruncatesButReportsFullLength) {
  char buf[6];
  size_t n = ksnprintf(buf, sizeof buf, "%s", "NEURON kernel");
  EXPECT_EQ(n, 13u);
  EXPECT_STREQ(buf, "NEURO");
  EXPECT_EQ(ksnprintf(buf, 0, "abc"), 3u);
}

std::string g_console;
void Capture(char c) { g_console.push_back(c); }

TEST(Console, TranslatesNewlinesForTheTerminal) {
  g_console.clear();
  console_set_output(Capture);
  kprintf("a\nb %d\n", 1);
  EXPECT_EQ(g_console, "a\r\nb 1\r\n");
  console_write("x\ny", 3);
  EXPECT_EQ(g_console, "a\r\nb 1\r\nx\r\ny");
  console_set_output(nullptr);
  kprintf("dropped");
  EXPECT_EQ(g_console, "a\r\nb 1\r\nx\r\ny");
}

}  // namespace
