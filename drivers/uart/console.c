/*
 * The console protocol's handlers (neuron/uart_console.h).
 *
 * Every call first drains the UART, so bytes typed while the console was
 * busy sending move to the input ring before the UART's 16-byte FIFO
 * overflows. Between calls uartd waits for the next one and drains nothing:
 * the FIFO holds what is typed then (QEMU holds back the rest).
 */
#include "neuron/errors.h"
#include "neuron/uart_console.h"

_Static_assert(UART_RING_SIZE == CONSOLE_READ_RESULT_BYTES_MAX,
               "the input ring holds one read's worth (console.toml)");

void uart_console_init(uart_console_t *c, const ns16550_io_t *io, const uart_console_irq_t *irq) {
  c->io = *io;
  c->irq = *irq;
  uart_ring_init(&c->input);
  ns16550_init(&c->io);
}

static int64_t do_write(void *ctx, uint64_t badge, const console_write_args_t *args,
                        console_write_result_t *result) {
  uart_console_t *c = ctx;
  (void)badge;
  ns16550_drain(&c->io, &c->input);
  ns16550_write(&c->io, args->text, args->text_len);
  result->written = (uint32_t)args->text_len;
  return NX_OK;
}

/* Waits until the input ring holds a byte. The interrupt is acked only
 * after the drain: until then the UART keeps its line raised, and an
 * earlier ack would only bring the same interrupt back at once. */
static int64_t wait_input(uart_console_t *c) {
  ns16550_drain(&c->io, &c->input);
  while (uart_ring_len(&c->input) == 0) {
    int64_t err = c->irq.wait(c->irq.ctx);
    if (err < 0) return err;
    ns16550_drain(&c->io, &c->input);
    err = c->irq.ack(c->irq.ctx);
    if (err < 0) return err;
  }
  return NX_OK;
}

static int64_t do_read(void *ctx, uint64_t badge, const console_read_args_t *args,
                       console_read_result_t *result) {
  uart_console_t *c = ctx;
  (void)badge;
  if (args->max < 1 || args->max > CONSOLE_READ_RESULT_BYTES_MAX) return NX_ERR_INVALID_ARGS;
  int64_t err = wait_input(c);
  if (err < 0) return err;
  result->text_len = uart_ring_take(&c->input, result->text, args->max);
  result->dropped = uart_ring_dropped(&c->input);
  return NX_OK;
}

const console_ops_t uart_console_ops = {do_write, do_read};
