// A fake NS16550A for host tests: a register file behind an ns16550_io_t.
// Bytes "typed" wait in `rx` (LSR says data ready while any are left and
// RBR takes the oldest); bytes written to THR collect in `tx`. THR reports
// busy for `busy_polls` LSR reads after each byte, so a test can see that
// the core waits, and `thr_overruns` counts THR writes made while busy.
#ifndef DRIVERS_UART_TESTING_FAKE_UART_H
#define DRIVERS_UART_TESTING_FAKE_UART_H

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "neuron/ns16550.h"

class FakeUart {
 public:
  // The accessor the core under test uses.
  ns16550_io_t io();

  // Queues `bytes` as received from the line.
  void Type(const std::string &bytes) { rx.insert(rx.end(), bytes.begin(), bytes.end()); }

  std::deque<uint8_t> rx;
  std::string tx;
  int busy_polls = 0;
  int thr_overruns = 0;
  int lsr_reads = 0;
  int rbr_underruns = 0;                             // RBR reads with nothing received
  uint8_t regs[8] = {};                              // the last value written to each offset
  std::vector<std::pair<uint32_t, uint8_t>> writes;  // every write, in order

 private:
  static uint8_t Read(void *ctx, uint32_t reg);
  static void Write(void *ctx, uint32_t reg, uint8_t value);
  int busy_left_ = 0;
};

#endif
