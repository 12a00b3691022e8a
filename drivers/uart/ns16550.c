/* The NS16550A console core (neuron/ns16550.h). */
#include "neuron/ns16550.h"

#include "neuron/ns16550_regs.h"

static uint8_t rd(const ns16550_io_t *io, uint32_t reg) { return io->read(io->ctx, reg); }

static void wr(const ns16550_io_t *io, uint32_t reg, uint8_t value) {
  io->write(io->ctx, reg, value);
}

void ns16550_init(const ns16550_io_t *io) {
  wr(io, NS16550_IER, 0);
  wr(io, NS16550_LCR, NS16550_LCR_8N1);
  wr(io, NS16550_FCR, NS16550_FCR_ENABLE | NS16550_FCR_CLEAR_RX | NS16550_FCR_CLEAR_TX);
  wr(io, NS16550_MCR, NS16550_MCR_DTR | NS16550_MCR_RTS | NS16550_MCR_OUT2);
  wr(io, NS16550_IER, NS16550_IER_RX_AVAILABLE);
}

void ns16550_write(const ns16550_io_t *io, const uint8_t *bytes, size_t len) {
  for (size_t i = 0; i < len; i++) {
    while (!(rd(io, NS16550_LSR) & NS16550_LSR_THR_EMPTY)) {
    }
    wr(io, NS16550_THR, bytes[i]);
  }
}

size_t ns16550_drain(const ns16550_io_t *io, uart_ring_t *ring) {
  size_t n = 0;
  while (rd(io, NS16550_LSR) & NS16550_LSR_DATA_READY) {
    uart_ring_push(ring, rd(io, NS16550_RBR));
    n++;
  }
  return n;
}
