/*
 * uartd, the console driver (app/uartd): serves the console protocol
 * (console.toml, //drivers/uart:api) from the NS16550A UART. init starts it
 * with the receive handle of the "console" endpoint (start->h0), the UART's
 * registers (start->uart, a one-page device VMO) and its interrupt line
 * (start->uart_irq), as its manifest entry grants (mmio and irq "uart").
 *
 * Writes poll the line status; reads sleep on the UART's receive interrupt,
 * delivered as a notification bit. The kernel's early console writes the
 * same UART by polling too (boot and panic messages), which never touches
 * the interrupt enable register uartd sets.
 */
#include <stdio.h>

#include "neuron/errors.h"
#include "neuron/runtime.h"
#include "neuron/uart_console.h"

/* Where uartd maps the registers: any free page of its address space. */
#define UART_VA 0x1000000000ul
#define UART_SIZE 4096u
/* The notification bit the interrupt arrives as: uartd waits for nothing else. */
#define IRQ_BIT 1ull

static nx_handle_t g_log;
static uart_console_t g_console;

typedef struct irq {
  nx_handle_t line; /* start->uart_irq */
  nx_handle_t note; /* the notification it is bound to */
} irq_t;

static irq_t g_irq;

static uint8_t mmio_read(void *ctx, uint32_t reg) { return ((volatile uint8_t *)ctx)[reg]; }

static void mmio_write(void *ctx, uint32_t reg, uint8_t value) {
  ((volatile uint8_t *)ctx)[reg] = value;
}

static int64_t irq_wait(void *ctx) {
  const irq_t *irq = ctx;
  int64_t bits = nx_notification_wait(irq->note, IRQ_BIT, NX_DEADLINE_NEVER);
  return bits < 0 ? bits : NX_OK;
}

static int64_t irq_ack(void *ctx) {
  const irq_t *irq = ctx;
  return nx_interrupt_ack(irq->line);
}

/* Logs "uartd: <what>: <error>" and returns the exit code for it. */
static int fail(const char *what, int64_t err) {
  char line[NX_DEBUG_WRITE_MAX];
  snprintf(line, sizeof line, "uartd: %s: %s\n", what, nx_error_name((int)err));
  nx_log_str(g_log, line);
  return 1;
}

int nx_main(const nx_start_info_t *start) {
  g_log = start->log;
  if (!start->h0 || !start->uart || !start->uart_irq) {
    return fail("started without its endpoint, UART or interrupt", NX_ERR_BAD_HANDLE);
  }
  int64_t err = nx_vmo_map(start->uart, UART_VA, 0, UART_SIZE, NX_RIGHT_READ | NX_RIGHT_WRITE);
  if (err < 0) return fail("mapping the UART", err);
  int64_t note = nx_notification_create();
  if (note < 0) return fail("creating its notification", note);
  g_irq.line = start->uart_irq;
  g_irq.note = (nx_handle_t)note;

  const ns16550_io_t io = {mmio_read, mmio_write, (void *)UART_VA};
  const uart_console_irq_t irq = {irq_wait, irq_ack, &g_irq};
  uart_console_init(&g_console, &io, &irq);
  /* After the setup: the FIFO is empty and only the receive interrupt is
   * enabled, so the first interrupt bound is a typed byte. */
  err = nx_interrupt_bind(g_irq.line, g_irq.note, IRQ_BIT);
  if (err < 0) return fail("binding the UART interrupt", err);

  nx_log_str(g_log, "uartd: serving\n");
  return fail("serving ended", console_serve(start->h0, &uart_console_ops, &g_console));
}
