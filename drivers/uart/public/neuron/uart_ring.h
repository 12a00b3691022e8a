/*
 * The console's input buffer: bytes the UART received, waiting for a read.
 *
 * When it is full the bytes already in it are kept and new ones are
 * dropped (and counted): a reader gets what was typed first, in order, and
 * learns from the count that the rest was lost, rather than getting a line
 * whose beginning is missing.
 *
 * Portable logic with no syscalls.
 */
#ifndef NEURON_UART_RING_H
#define NEURON_UART_RING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How many bytes the ring holds: one console read's worth (console.toml). */
#define UART_RING_SIZE 256u

typedef struct uart_ring {
  uint8_t bytes[UART_RING_SIZE];
  uint32_t head;    /* the oldest byte's index */
  uint32_t len;     /* bytes held, from head on (wrapping) */
  uint64_t dropped; /* bytes refused because the ring was full, since init */
} uart_ring_t;

/* An empty ring with nothing dropped. */
void uart_ring_init(uart_ring_t *r);

/* Appends `byte`: 1 if it was kept, 0 if the ring was full (counted). */
int uart_ring_push(uart_ring_t *r, uint8_t byte);

/* Moves the oldest bytes, at most `max`, to out[]; returns how many. */
size_t uart_ring_take(uart_ring_t *r, uint8_t *out, size_t max);

/* How many bytes it holds. */
static inline uint32_t uart_ring_len(const uart_ring_t *r) { return r->len; }

/* How many bytes it has dropped since init. */
static inline uint64_t uart_ring_dropped(const uart_ring_t *r) { return r->dropped; }

#ifdef __cplusplus
}
#endif

#endif
