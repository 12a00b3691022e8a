/*
 * The NS16550A UART as a console: set up, send bytes, collect received
 * bytes into the input ring.
 *
 * Portable logic with no syscalls: the registers are reached through an
 * accessor (ns16550_io_t), so uartd passes one that reads and writes its
 * mapped device memory, and host tests pass a fake register file. Sending
 * polls the line status; receiving is driven by the caller (on the UART's
 * interrupt, or before it waits), which is why ns16550_drain only empties
 * the device and never waits.
 */
#ifndef NEURON_NS16550_H
#define NEURON_NS16550_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/uart_ring.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the core reaches the registers; `reg` is an offset of
 * neuron/ns16550_regs.h, `ctx` the accessor's own (e.g. the mapped base). */
typedef struct ns16550_io {
  uint8_t (*read)(void *ctx, uint32_t reg);
  void (*write)(void *ctx, uint32_t reg, uint8_t value);
  void *ctx;
} ns16550_io_t;

/* Sets the UART up for the console: interrupts off while it changes, 8N1,
 * FIFOs on and emptied, then only the "received data available" interrupt
 * on. Leaves the baud rate (the divisor latch) as it was. */
void ns16550_init(const ns16550_io_t *io);

/* Sends bytes[0..len) in order, waiting before each until THR is empty. */
void ns16550_write(const ns16550_io_t *io, const uint8_t *bytes, size_t len);

/* Moves every byte the UART holds into `ring` (bytes the ring cannot take
 * are counted there as dropped); returns how many bytes it read from the
 * UART. Reading them all is what quiets the receive interrupt. */
size_t ns16550_drain(const ns16550_io_t *io, uart_ring_t *ring);

#ifdef __cplusplus
}
#endif

#endif
