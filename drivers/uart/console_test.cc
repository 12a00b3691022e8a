// The console handlers (uart_console_ops) run through the generated
// console_dispatch() against a fake UART and a scripted interrupt: write
// sends everything; read validates max, returns what has arrived without
// waiting, otherwise waits (drain, then ack) until a byte comes, and passes
// on the interrupt's errors; the dropped count reaches the reply.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>

#include "drivers/uart/console_server.h"
#include "drivers/uart/testing/fake_uart.h"
#include "neuron/errors.h"
#include "neuron/idl.h"
#include "neuron/ns16550_regs.h"
#include "neuron/uart_console.h"

namespace {

// The serving thread's IPC buffer, which the generated dispatcher uses.
alignas(64) uint8_t g_ipc_buffer[NX_IPC_BUFFER_SIZE];

}  // namespace

extern "C" {
void *nx_idl_ipc_buffer(void) { return g_ipc_buffer; }

// console_serve() shares the dispatcher's object file, so its syscalls must
// link; these tests never serve, and no call here brings handles.
int64_t nx_ipc_recv(nx_handle_t, nx_ipc_words_t *) {
  ADD_FAILURE() << "nx_ipc_recv";
  return NX_ERR_NOT_SUPPORTED;
}
int64_t nx_ipc_reply(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
  ADD_FAILURE() << "nx_ipc_reply";
  return NX_ERR_NOT_SUPPORTED;
}
int64_t nx_ipc_reply_recv(nx_handle_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                          nx_ipc_words_t *) {
  ADD_FAILURE() << "nx_ipc_reply_recv";
  return NX_ERR_NOT_SUPPORTED;
}
int64_t nx_handle_close(nx_handle_t) {
  ADD_FAILURE() << "nx_handle_close";
  return NX_ERR_NOT_SUPPORTED;
}
}

namespace {

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ns16550_io_t io = uart_.io();
    const uart_console_irq_t irq = {Wait, Ack, this};
    uart_console_init(&console_, &io, &irq);
  }

  static int64_t Wait(void *ctx) {
    ConsoleTest *t = static_cast<ConsoleTest *>(ctx);
    t->waits_++;
    return t->on_wait_ ? t->on_wait_() : NX_OK;
  }
  static int64_t Ack(void *ctx) {
    ConsoleTest *t = static_cast<ConsoleTest *>(ctx);
    t->acks_++;
    EXPECT_TRUE(t->uart_.rx.empty()) << "acked before the UART was drained";
    return t->ack_result_;
  }

  int64_t Call(uint32_t method, uint64_t w1, const std::string &bytes) {
    memcpy(g_ipc_buffer + NX_IPC_BUFFER_BYTES, bytes.data(), bytes.size());
    nx_ipc_words_t in = {CONSOLE_CALL_W0(method), w1, 0, 0,
                         static_cast<uint64_t>(bytes.size()) << NX_MSG_INFO_BYTES_SHIFT};
    return console_dispatch(&uart_console_ops, &console_, 0, &in, &out_);
  }
  int64_t Write(const std::string &text) { return Call(CONSOLE_METHOD_WRITE, 0, text); }
  int64_t Read(uint64_t max) { return Call(CONSOLE_METHOD_READ, max, ""); }
  // The bytes of the last reply.
  std::string Text() const {
    const char *bytes = reinterpret_cast<const char *>(g_ipc_buffer + NX_IPC_BUFFER_BYTES);
    return std::string(bytes, out_.info >> NX_MSG_INFO_BYTES_SHIFT);
  }

  FakeUart uart_;
  uart_console_t console_;
  nx_ipc_words_t out_;
  std::function<int64_t()> on_wait_;
  int64_t ack_result_ = NX_OK;
  int waits_ = 0;
  int acks_ = 0;
};

TEST_F(ConsoleTest, InitSetsUpTheUart) {
  EXPECT_EQ(uart_.regs[NS16550_IER], NS16550_IER_RX_AVAILABLE);
  EXPECT_EQ(uart_ring_len(&console_.input), 0u);
}

TEST_F(ConsoleTest, WriteSendsEveryByte) {
  ASSERT_EQ(Write("hello\r\n"), NX_OK);
  EXPECT_EQ(out_.w1, 7u);
  EXPECT_EQ(uart_.tx, "hello\r\n");
}

TEST_F(ConsoleTest, WriteOfNothingSendsNothing) {
  ASSERT_EQ(Write(""), NX_OK);
  EXPECT_EQ(out_.w1, 0u);
  EXPECT_EQ(uart_.tx, "");
}

TEST_F(ConsoleTest, WriteOfTheLargestBufferSendsItAll) {
  const std::string text(CONSOLE_WRITE_BYTES_MAX, 'w');
  ASSERT_EQ(Write(text), NX_OK);
  EXPECT_EQ(out_.w1, CONSOLE_WRITE_BYTES_MAX);
  EXPECT_EQ(uart_.tx, text);
}

TEST_F(ConsoleTest, WriteKeepsWhatWasTypedMeanwhile) {
  uart_.Type("ab");
  ASSERT_EQ(Write("x"), NX_OK);
  EXPECT_TRUE(uart_.rx.empty()) << "a write drains the UART first";
  ASSERT_EQ(Read(256), NX_OK);
  EXPECT_EQ(Text(), "ab");
  EXPECT_EQ(waits_, 0);
}

TEST_F(ConsoleTest, ReadRefusesMaxOutside1To256) {
  uart_.Type("a");
  EXPECT_EQ(Read(0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Read(CONSOLE_READ_RESULT_BYTES_MAX + 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Read(UINT32_MAX), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(out_.info, 0u);
  EXPECT_EQ(uart_.rx.size(), 1u) << "a refused read touches nothing";
  EXPECT_EQ(waits_, 0);
}

TEST_F(ConsoleTest, ReadOfAtMost256Bytes) {
  const std::string typed(300, 'k');
  uart_.Type(typed);
  ASSERT_EQ(Read(CONSOLE_READ_RESULT_BYTES_MAX), NX_OK);
  EXPECT_EQ(Text(), typed.substr(0, CONSOLE_READ_RESULT_BYTES_MAX));
}

TEST_F(ConsoleTest, ReadReturnsWhatHasArrivedWithoutWaiting) {
  uart_.Type("abc");
  ASSERT_EQ(Read(256), NX_OK);
  EXPECT_EQ(Text(), "abc");
  EXPECT_EQ(out_.w1, 0u) << "nothing dropped";
  EXPECT_EQ(waits_, 0);
  EXPECT_EQ(acks_, 0);
}

TEST_F(ConsoleTest, ReadReturnsAtMostMaxAndKeepsTheRest) {
  uart_.Type("abcdef");
  ASSERT_EQ(Read(4), NX_OK);
  EXPECT_EQ(Text(), "abcd");
  ASSERT_EQ(Read(4), NX_OK);
  EXPECT_EQ(Text(), "ef");
  EXPECT_EQ(waits_, 0);
}

TEST_F(ConsoleTest, ReadWaitsForTheInterruptThenDrainsAndAcks) {
  on_wait_ = [this] {
    uart_.Type("x");
    return NX_OK;
  };
  ASSERT_EQ(Read(1), NX_OK);
  EXPECT_EQ(Text(), "x");
  EXPECT_EQ(waits_, 1);
  EXPECT_EQ(acks_, 1);
}

TEST_F(ConsoleTest, ReadWaitsAgainAfterAnInterruptWithoutBytes) {
  on_wait_ = [this] {
    if (waits_ == 2) uart_.Type("y");
    return NX_OK;
  };
  ASSERT_EQ(Read(8), NX_OK);
  EXPECT_EQ(Text(), "y");
  EXPECT_EQ(waits_, 2);
  EXPECT_EQ(acks_, 2);
}

TEST_F(ConsoleTest, ReadPassesOnAWaitError) {
  on_wait_ = [] { return int64_t{NX_ERR_BAD_HANDLE}; };
  EXPECT_EQ(Read(8), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(out_.info, 0u);
  EXPECT_EQ(acks_, 0);
}

TEST_F(ConsoleTest, ReadPassesOnAnAckErrorAndKeepsTheBytes) {
  on_wait_ = [this] {
    uart_.Type("z");
    return NX_OK;
  };
  ack_result_ = NX_ERR_ACCESS_DENIED;
  EXPECT_EQ(Read(8), NX_ERR_ACCESS_DENIED);
  ack_result_ = NX_OK;
  ASSERT_EQ(Read(8), NX_OK);
  EXPECT_EQ(Text(), "z");
  EXPECT_EQ(waits_, 1) << "the byte was already in the ring";
}

TEST_F(ConsoleTest, ReadReportsDroppedBytes) {
  uart_.Type(std::string(UART_RING_SIZE, 'a') + "bcd");
  ASSERT_EQ(Read(2), NX_OK);
  EXPECT_EQ(Text(), "aa");
  EXPECT_EQ(out_.w1, 3u) << "the ring kept the oldest 256 and dropped 3";
  uart_.Type("e");
  ASSERT_EQ(Read(256), NX_OK);
  EXPECT_EQ(Text(), std::string(UART_RING_SIZE - 2, 'a') + "e");
  EXPECT_EQ(out_.w1, 3u);
}

}  // namespace
