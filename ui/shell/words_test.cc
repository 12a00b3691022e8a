// Splitting a command line into words.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "neuron/shell_words.h"

namespace {

// The words of `line` (at most `max` kept) and how many there are.
std::vector<std::string> Split(std::string line, size_t max, size_t *count) {
  std::vector<char *> words(max + 1, nullptr);
  *count = shell_split_words(&line[0], words.data(), max);
  std::vector<std::string> out;
  for (size_t i = 0; i < *count && i < max; i++) out.emplace_back(words[i]);
  EXPECT_EQ(words[max], nullptr) << "wrote past max";
  return out;
}

TEST(Words, SplitOnSpaces) {
  size_t count;
  EXPECT_EQ(Split("caps uart", 4, &count), (std::vector<std::string>{"caps", "uart"}));
  EXPECT_EQ(count, 2u);
}

TEST(Words, RunsOfSpacesAndEdgesAreNoWords) {
  size_t count;
  EXPECT_EQ(Split("   log    warn  ", 4, &count), (std::vector<std::string>{"log", "warn"}));
  EXPECT_EQ(count, 2u);
}

TEST(Words, AnEmptyOrBlankLineHasNone) {
  size_t count;
  EXPECT_TRUE(Split("", 4, &count).empty());
  EXPECT_EQ(count, 0u);
  EXPECT_TRUE(Split("    ", 4, &count).empty());
  EXPECT_EQ(count, 0u);
}

TEST(Words, MoreThanMaxAreCountedNotKept) {
  size_t count;
  EXPECT_EQ(Split("a b c d e f", 2, &count), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(count, 6u);
}

}  // namespace
