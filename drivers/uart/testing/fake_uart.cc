// The fake NS16550A (fake_uart.h).
#include "drivers/uart/testing/fake_uart.h"

#include <gtest/gtest.h>

#include "neuron/ns16550_regs.h"

ns16550_io_t FakeUart::io() { return ns16550_io_t{Read, Write, this}; }

uint8_t FakeUart::Read(void *ctx, uint32_t reg) {
  FakeUart *u = static_cast<FakeUart *>(ctx);
  if (reg == NS16550_LSR) {
    u->lsr_reads++;
    uint8_t lsr = u->rx.empty() ? 0 : NS16550_LSR_DATA_READY;
    if (u->busy_left_ > 0) {
      u->busy_left_--;
    } else {
      lsr |= NS16550_LSR_THR_EMPTY;
    }
    return lsr;
  }
  if (reg == NS16550_RBR) {
    if (u->rx.empty()) {
      u->rbr_underruns++;
      return 0;
    }
    uint8_t byte = u->rx.front();
    u->rx.pop_front();
    return byte;
  }
  ADD_FAILURE() << "the core read register " << reg << ", which it never needs";
  return 0;
}

void FakeUart::Write(void *ctx, uint32_t reg, uint8_t value) {
  FakeUart *u = static_cast<FakeUart *>(ctx);
  u->writes.emplace_back(reg, value);
  u->regs[reg % 8] = value;
  if (reg == NS16550_THR) {
    if (u->busy_left_ > 0) u->thr_overruns++;
    u->tx.push_back(static_cast<char>(value));
    u->busy_left_ = u->busy_polls;
  }
}
