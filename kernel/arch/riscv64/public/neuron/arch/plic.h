/*
 * The RISC-V PLIC (Platform-Level Interrupt Controller), driven for one
 * context: the S-mode of the hart NEURON runs on (context 1 on QEMU virt;
 * the platform reads it from the device tree).
 *
 * The driver only knows a base pointer and the number of sources, so the
 * kernel passes the direct-mapped address of the PLIC and the host test a
 * fake register array. It keeps no copy of the hardware state: every call
 * reads or writes the registers.
 *
 * Sources (interrupt lines) are 1 .. sources; 0 means "no interrupt". A line
 * outside that range is refused with NX_ERR_OUT_OF_RANGE and no register is
 * touched. No lock is taken; the caller serializes access.
 */
#ifndef NEURON_ARCH_PLIC_H
#define NEURON_ARCH_PLIC_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most a PLIC can have (PLIC spec, "Memory Map"): sources 1..1023 and
 * contexts 0..15871. */
#define PLIC_MAX_SOURCES 1023u
#define PLIC_MAX_CONTEXTS 15872u

typedef struct plic {
  volatile uint32_t *regs; /* the register block, as 32-bit words */
  uint32_t sources;        /* valid lines are 1 .. sources */
  uint32_t context;
} plic_t;

/* Sets every source to priority 1 (0 would never interrupt), disables all of
 * them for `context` and lets every priority through (threshold 0).
 * `size` is the register block's size in bytes. NX_ERR_INVALID_ARGS for a
 * NULL p or base; NX_ERR_OUT_OF_RANGE for sources outside 1..1023, a context
 * the PLIC cannot have, or one whose registers lie beyond `size`. */
int plic_init(plic_t *p, volatile void *base, uint64_t size, uint32_t sources, uint32_t context);

/* Lets line irq interrupt the context, or stops it. */
int plic_enable(const plic_t *p, uint32_t irq);
int plic_disable(const plic_t *p, uint32_t irq);

/* Claims the highest-priority pending line (its pending bit is cleared);
 * 0 if none is pending. */
uint32_t plic_claim(const plic_t *p);

/* Ends the claim of line irq, so its gateway may forward the next request.
 * Works whether or not the line is enabled. */
int plic_complete(const plic_t *p, uint32_t irq);

#ifdef __cplusplus
}
#endif

#endif
