/* The console's input ring (neuron/uart_ring.h). */
#include <string.h>

#include "neuron/uart_ring.h"

void uart_ring_init(uart_ring_t *r) { memset(r, 0, sizeof *r); }

int uart_ring_push(uart_ring_t *r, uint8_t byte) {
  if (r->len == UART_RING_SIZE) {
    r->dropped++;
    return 0;
  }
  r->bytes[(r->head + r->len) % UART_RING_SIZE] = byte;
  r->len++;
  return 1;
}

size_t uart_ring_take(uart_ring_t *r, uint8_t *out, size_t max) {
  size_t n = max < r->len ? max : r->len;
  for (size_t i = 0; i < n; i++) out[i] = r->bytes[(r->head + i) % UART_RING_SIZE];
  r->head = (uint32_t)((r->head + n) % UART_RING_SIZE);
  r->len -= (uint32_t)n;
  return n;
}
