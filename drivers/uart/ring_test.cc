// The console's input ring: order, partial takes, wraparound, and a full
// ring that keeps its oldest bytes and counts the dropped ones.
#include <gtest/gtest.h>

#include <string>

#include "neuron/uart_ring.h"

namespace {

class UartRingTest : public ::testing::Test {
 protected:
  void SetUp() override { uart_ring_init(&r_); }
  void Push(const std::string &bytes) {
    for (char c : bytes) ASSERT_EQ(uart_ring_push(&r_, static_cast<uint8_t>(c)), 1);
  }
  std::string Take(size_t max) {
    std::string out(max, '\0');
    size_t n = uart_ring_take(&r_, reinterpret_cast<uint8_t *>(&out[0]), max);
    out.resize(n);
    return out;
  }
  uart_ring_t r_;
};

TEST_F(UartRingTest, StartsEmpty) {
  EXPECT_EQ(uart_ring_len(&r_), 0u);
  EXPECT_EQ(uart_ring_dropped(&r_), 0u);
  EXPECT_EQ(Take(UART_RING_SIZE), "");
}

TEST_F(UartRingTest, GivesBytesBackInOrder) {
  Push("hello");
  EXPECT_EQ(uart_ring_len(&r_), 5u);
  EXPECT_EQ(Take(UART_RING_SIZE), "hello");
  EXPECT_EQ(uart_ring_len(&r_), 0u);
}

TEST_F(UartRingTest, TakesAtMostMaxAndKeepsTheRest) {
  Push("abcdef");
  EXPECT_EQ(Take(0), "");
  EXPECT_EQ(Take(4), "abcd");
  EXPECT_EQ(uart_ring_len(&r_), 2u);
  EXPECT_EQ(Take(4), "ef");
}

TEST_F(UartRingTest, FullRingKeepsTheOldestAndCountsDrops) {
  std::string all;
  for (uint32_t i = 0; i < UART_RING_SIZE; i++) all.push_back(static_cast<char>(i));
  Push(all);
  EXPECT_EQ(uart_ring_push(&r_, 'x'), 0);
  EXPECT_EQ(uart_ring_push(&r_, 'y'), 0);
  EXPECT_EQ(uart_ring_dropped(&r_), 2u);
  EXPECT_EQ(uart_ring_len(&r_), UART_RING_SIZE);
  EXPECT_EQ(Take(UART_RING_SIZE), all);
  // Room again; the count stays.
  Push("z");
  EXPECT_EQ(Take(1), "z");
  EXPECT_EQ(uart_ring_dropped(&r_), 2u);
}

TEST_F(UartRingTest, WrapsAroundTheEnd) {
  Push(std::string(200, 'a'));
  EXPECT_EQ(Take(150), std::string(150, 'a'));
  // 50 held from index 150: these 206 wrap past the end and fill it.
  std::string more;
  for (int i = 0; i < 206; i++) more.push_back(static_cast<char>('0' + i % 10));
  Push(more);
  EXPECT_EQ(uart_ring_len(&r_), UART_RING_SIZE);
  EXPECT_EQ(uart_ring_push(&r_, '!'), 0);
  EXPECT_EQ(Take(UART_RING_SIZE), std::string(50, 'a') + more);
}

TEST_F(UartRingTest, InitEmptiesAndResetsTheCount) {
  Push(std::string(UART_RING_SIZE, 'a'));
  EXPECT_EQ(uart_ring_push(&r_, 'b'), 0);
  uart_ring_init(&r_);
  EXPECT_EQ(uart_ring_len(&r_), 0u);
  EXPECT_EQ(uart_ring_dropped(&r_), 0u);
}

}  // namespace
