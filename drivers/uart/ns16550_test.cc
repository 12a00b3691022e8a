// The NS16550A core against a fake register file: the setup sequence,
// sending (waiting for THR empty before every byte), and draining received
// bytes into the ring, also when the ring is full.
#include "neuron/ns16550.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "drivers/uart/testing/fake_uart.h"
#include "neuron/ns16550_regs.h"

namespace {

using Writes = std::vector<std::pair<uint32_t, uint8_t>>;

class Ns16550Test : public ::testing::Test {
 protected:
  void SetUp() override {
    io_ = uart_.io();
    uart_ring_init(&ring_);
  }
  std::string TakeAll() {
    std::string out(UART_RING_SIZE, '\0');
    out.resize(uart_ring_take(&ring_, reinterpret_cast<uint8_t *>(&out[0]), out.size()));
    return out;
  }
  FakeUart uart_;
  ns16550_io_t io_;
  uart_ring_t ring_;
};

TEST_F(Ns16550Test, InitQuietsTheUartBeforeSettingItUp) {
  ns16550_init(&io_);
  EXPECT_EQ(uart_.writes,
            (Writes{
                {NS16550_IER, 0},
                {NS16550_LCR, NS16550_LCR_8N1},
                {NS16550_FCR, NS16550_FCR_ENABLE | NS16550_FCR_CLEAR_RX | NS16550_FCR_CLEAR_TX},
                {NS16550_MCR, NS16550_MCR_DTR | NS16550_MCR_RTS | NS16550_MCR_OUT2},
                {NS16550_IER, NS16550_IER_RX_AVAILABLE},
            }));
  EXPECT_EQ(uart_.regs[NS16550_LCR] & 0x80, 0) << "divisor latch access must stay off";
}

TEST_F(Ns16550Test, WriteSendsEveryByteInOrder) {
  const std::string text = "hello\r\n";
  ns16550_write(&io_, reinterpret_cast<const uint8_t *>(text.data()), text.size());
  EXPECT_EQ(uart_.tx, text);
  EXPECT_EQ(uart_.thr_overruns, 0);
}

TEST_F(Ns16550Test, WriteWaitsUntilThrIsEmptyBeforeEachByte) {
  uart_.busy_polls = 3;
  const std::string text = "abc";
  ns16550_write(&io_, reinterpret_cast<const uint8_t *>(text.data()), text.size());
  EXPECT_EQ(uart_.tx, text);
  EXPECT_EQ(uart_.thr_overruns, 0);
  // The first byte finds THR empty; each later one polls through 3 busy reads.
  EXPECT_EQ(uart_.lsr_reads, 1 + 2 * 4);
}

TEST_F(Ns16550Test, WriteOfNothingTouchesNoRegister) {
  ns16550_write(&io_, nullptr, 0);
  EXPECT_TRUE(uart_.writes.empty());
  EXPECT_EQ(uart_.lsr_reads, 0);
}

TEST_F(Ns16550Test, DrainMovesEveryReceivedByteToTheRing) {
  uart_.Type("ls\r");
  EXPECT_EQ(ns16550_drain(&io_, &ring_), 3u);
  EXPECT_TRUE(uart_.rx.empty());
  EXPECT_EQ(uart_.rbr_underruns, 0);
  EXPECT_EQ(TakeAll(), "ls\r");
}

TEST_F(Ns16550Test, DrainOfAnEmptyUartReadsOnlyTheStatus) {
  EXPECT_EQ(ns16550_drain(&io_, &ring_), 0u);
  EXPECT_EQ(uart_.lsr_reads, 1);
  EXPECT_EQ(uart_ring_len(&ring_), 0u);
}

TEST_F(Ns16550Test, DrainIntoAFullRingStillEmptiesTheUart) {
  for (uint32_t i = 0; i < UART_RING_SIZE; i++) uart_ring_push(&ring_, 'a');
  uart_.Type("xyz");
  // Every byte is read (that quiets the interrupt) and counted as dropped.
  EXPECT_EQ(ns16550_drain(&io_, &ring_), 3u);
  EXPECT_TRUE(uart_.rx.empty());
  EXPECT_EQ(uart_ring_dropped(&ring_), 3u);
  EXPECT_EQ(TakeAll(), std::string(UART_RING_SIZE, 'a'));
}

}  // namespace
