/*
 * The console protocol (console.toml) served from an NS16550A: the handlers
 * uartd passes to console_serve(), kept apart from the program so host tests
 * run them through console_dispatch() against a fake UART.
 *
 * Waiting for input is the one thing the handlers need from the system:
 * uartd waits for the UART's interrupt (a notification bit) and acks it,
 * tests script what "arrives" while the console waits.
 */
#ifndef NEURON_UART_CONSOLE_H
#define NEURON_UART_CONSOLE_H

#include <stdint.h>

#include "drivers/uart/console_server.h"
#include "neuron/ns16550.h"
#include "neuron/uart_ring.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The UART's interrupt, as the console uses it. Each returns NX_OK or a
 * negative NX_ERR_*, which the read that waited answers with. */
typedef struct uart_console_irq {
  /* Blocks until the UART has raised its interrupt. */
  int64_t (*wait)(void *ctx);
  /* The UART has been drained: let its interrupt come again. */
  int64_t (*ack)(void *ctx);
  void *ctx;
} uart_console_irq_t;

typedef struct uart_console {
  ns16550_io_t io;
  uart_console_irq_t irq;
  uart_ring_t input; /* received bytes no read has taken yet */
} uart_console_t;

/* Sets the UART up (ns16550_init) and empties the input ring. */
void uart_console_init(uart_console_t *c, const ns16550_io_t *io, const uart_console_irq_t *irq);

/* The handlers; their ctx is the uart_console_t. */
extern const console_ops_t uart_console_ops;

#ifdef __cplusplus
}
#endif

#endif
