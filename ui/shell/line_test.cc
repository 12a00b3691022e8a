// The line editor: echo, editing, line ends, escape sequences, overflow.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "neuron/shell_line.h"

namespace {

struct Fed {
  std::string echo;
  std::vector<int> events;  // one per byte
};

Fed Feed(shell_line_t *l, const std::string &bytes) {
  Fed fed;
  for (char b : bytes) {
    char echo[SHELL_ECHO_MAX];
    size_t len = 99;
    fed.events.push_back(shell_line_feed(l, static_cast<uint8_t>(b), echo, &len));
    EXPECT_LE(len, SHELL_ECHO_MAX);
    fed.echo.append(echo, len);
  }
  return fed;
}

class Line : public ::testing::Test {
 protected:
  void SetUp() override { shell_line_init(&l); }
  shell_line_t l;
};

TEST_F(Line, PrintableBytesAreKeptAndEchoed) {
  Fed fed = Feed(&l, "ps x~");
  EXPECT_EQ(fed.echo, "ps x~");
  EXPECT_EQ(fed.events, std::vector<int>(5, SHELL_LINE_PENDING));
  EXPECT_STREQ(l.text, "ps x~");
}

TEST_F(Line, CarriageReturnEndsTheLine) {
  Fed fed = Feed(&l, "ps\r");
  EXPECT_EQ(fed.echo, "ps\r\n");
  EXPECT_EQ(fed.events.back(), SHELL_LINE_READY);
  EXPECT_STREQ(l.text, "ps");
}

TEST_F(Line, LineFeedEndsTheLine) {
  EXPECT_EQ(Feed(&l, "ps\n").events.back(), SHELL_LINE_READY);
  EXPECT_STREQ(l.text, "ps");
}

TEST_F(Line, CrLfIsOneEnter) {
  Fed fed = Feed(&l, "ps\r\nlog\r");
  EXPECT_EQ(fed.echo, "ps\r\nlog\r\n");
  EXPECT_EQ(fed.events, (std::vector<int>{0, 0, SHELL_LINE_READY, 0, 0, 0, 0, SHELL_LINE_READY}));
  EXPECT_STREQ(l.text, "log");
  fed = Feed(&l, "\n");
  EXPECT_EQ(fed.echo, "");
  EXPECT_EQ(fed.events.back(), SHELL_LINE_PENDING);
}

TEST_F(Line, LfAfterAnythingButCrIsAnEmptyLine) {
  Feed(&l, "\n");
  Fed fed = Feed(&l, "\n");
  EXPECT_EQ(fed.events.back(), SHELL_LINE_READY);
  EXPECT_EQ(fed.echo, "\r\n");
  EXPECT_STREQ(l.text, "");
}

TEST_F(Line, TheNextByteStartsANewLine) {
  Feed(&l, "ps\r");
  Fed fed = Feed(&l, "u");
  EXPECT_EQ(fed.echo, "u");
  EXPECT_STREQ(l.text, "u");
  EXPECT_EQ(l.len, 1u);
}

TEST_F(Line, BackspaceAndDelTakeBackTheLastByte) {
  Fed fed = Feed(&l, "psx\b");
  EXPECT_EQ(fed.echo, "psx\b \b");
  EXPECT_STREQ(l.text, "ps");
  fed = Feed(&l, "\x7f");
  EXPECT_EQ(fed.echo, "\b \b");
  EXPECT_STREQ(l.text, "p");
}

TEST_F(Line, BackspaceOnAnEmptyLineDoesNothing) {
  Fed fed = Feed(&l, "\b\x7f");
  EXPECT_EQ(fed.echo, "");
  EXPECT_EQ(l.len, 0u);
}

TEST_F(Line, CtrlCDropsTheLine) {
  Fed fed = Feed(&l, "caps ui\x03");
  EXPECT_EQ(fed.echo, "caps ui^C\r\n");
  EXPECT_EQ(fed.events.back(), SHELL_LINE_READY);
  EXPECT_STREQ(l.text, "");
}

TEST_F(Line, OtherControlAndHighBytesAreIgnored) {
  Fed fed = Feed(&l, "p\t\x01\x80\xffs");
  EXPECT_EQ(fed.echo, "ps");
  EXPECT_STREQ(l.text, "ps");
}

TEST_F(Line, EscapeSequencesAreIgnored) {
  // Up arrow (CSI and SS3), Delete (CSI with a parameter), Alt-x.
  Fed fed = Feed(&l, "p\x1b[A\x1bOB\x1b[3~\x1bxs");
  EXPECT_EQ(fed.echo, "ps");
  EXPECT_STREQ(l.text, "ps");
}

TEST_F(Line, EnterEndsAnUnfinishedEscapeSequence) {
  Fed fed = Feed(&l, "ps\x1b[\r");
  EXPECT_EQ(fed.events.back(), SHELL_LINE_READY);
  EXPECT_STREQ(l.text, "ps");
  fed = Feed(&l, "\x1b\rx");
  EXPECT_EQ(fed.events[1], SHELL_LINE_READY);
  EXPECT_EQ(fed.echo, "\r\nx");
}

TEST_F(Line, AFullLineIsAccepted) {
  std::string full(SHELL_LINE_MAX, 'a');
  Fed fed = Feed(&l, full + "\r");
  EXPECT_EQ(fed.echo, full + "\r\n");
  EXPECT_EQ(fed.events.back(), SHELL_LINE_READY);
  EXPECT_EQ(std::string(l.text), full);
}

TEST_F(Line, AnOverlongLineIsRefusedUpToEnter) {
  std::string full(SHELL_LINE_MAX, 'a');
  Fed fed = Feed(&l, full + "b");
  EXPECT_EQ(fed.events.back(), SHELL_LINE_TOO_LONG);
  EXPECT_EQ(fed.echo, full + "\r\n");
  EXPECT_STREQ(l.text, "");
  // The rest of it, backspaces and escapes included, is ignored...
  fed = Feed(&l, "cd\b\x1b[A");
  EXPECT_EQ(fed.echo, "");
  EXPECT_EQ(fed.events, std::vector<int>(6, SHELL_LINE_PENDING));
  // ...up to Enter, which ends an empty line without a second new line.
  fed = Feed(&l, "\r");
  EXPECT_EQ(fed.echo, "");
  EXPECT_EQ(fed.events.back(), SHELL_LINE_READY);
  EXPECT_STREQ(l.text, "");
  // Then lines are taken again.
  fed = Feed(&l, "\nps\r");
  EXPECT_EQ(fed.echo, "ps\r\n");
  EXPECT_STREQ(l.text, "ps");
}

TEST_F(Line, CtrlCEndsARefusedLine) {
  Feed(&l, std::string(SHELL_LINE_MAX + 1, 'a'));
  Fed fed = Feed(&l, "\x03");
  EXPECT_EQ(fed.events.back(), SHELL_LINE_READY);
  EXPECT_EQ(fed.echo, "^C\r\n");
  fed = Feed(&l, "u");
  EXPECT_EQ(fed.echo, "u");
}

}  // namespace
