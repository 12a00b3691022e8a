#include "neuron/arch/machine.h"

#include <stdint.h>

#include "neuron/arch/memory_layout.h"
#include "neuron/arch/sbi.h"
#include "neuron/console.h"

/* ns16550a registers (byte-spaced on the virt machine). */
#define UART_THR 0 /* transmit holding */
#define UART_LSR 5 /* line status */
#define UART_LSR_THRE 0x20

/* sifive_test finisher commands. */
#define FINISHER_PASS 0x5555u
#define FINISHER_FAIL 0x3333u

static volatile uint8_t *uart_base;

static void uart_putc(char c) {
  while ((uart_base[UART_LSR] & UART_LSR_THRE) == 0) {
  }
  uart_base[UART_THR] = (uint8_t)c;
}

void machine_console_init(const platform_t *platform) {
  /* OpenSBI already programmed the line (baud, 8N1); only writing is needed. */
  uart_base = phys_to_virt(platform->uart.base);
  console_set_output(uart_putc);
}

void machine_exit(const platform_t *platform, int code) {
  if (platform && platform->test_device.size) {
    volatile uint32_t *finisher = phys_to_virt(platform->test_device.base);
    *finisher = code == 0 ? FINISHER_PASS : (((uint32_t)code & 0xffffu) << 16) | FINISHER_FAIL;
  }
  sbi_shutdown();
}
