/* The PLIC, driven for one context (see neuron/arch/plic.h). */
#include "neuron/arch/plic.h"

#include <stdbool.h>

#include "neuron/errors.h"

/*
 * Register offsets in bytes from the PLIC's base: the layout of the PLIC
 * spec 1.0.0, "Memory Map". Every register is 32 bits wide and accessed
 * with single loads and stores.
 */
/* "Interrupt Priorities": one word per source; source 0 does not exist. */
#define PLIC_PRIORITY(irq) (4u * (uint64_t)(irq))
/* "Interrupt Enables": per context a block of 0x80 bytes with one bit per
 * source, source N in bit N % 32 of word N / 32. */
#define PLIC_ENABLE_BASE 0x2000u
#define PLIC_ENABLE_STRIDE 0x80u
/* "Priority Thresholds", "Interrupt Claim Process" and "Interrupt
 * Completion": per context a 4 KiB block holding the threshold at 0 and
 * the claim/complete register at 4. */
#define PLIC_CONTEXT_BASE 0x200000u
#define PLIC_CONTEXT_STRIDE 0x1000u
#define PLIC_THRESHOLD 0u
#define PLIC_CLAIM_COMPLETE 4u

/* "Interrupt Priorities": 0 never interrupts, 1 is the lowest that does.
 * All lines are equal; ties go to the lower source number. */
#define PLIC_PRIORITY_ON 1u
/* "Priority Thresholds": 0 lets every priority above 0 through. */
#define PLIC_THRESHOLD_ALL 0u

static volatile uint32_t *reg(const plic_t *p, uint64_t offset) { return &p->regs[offset / 4]; }

static uint64_t context_reg(uint32_t context, uint32_t which) {
  return PLIC_CONTEXT_BASE + (uint64_t)PLIC_CONTEXT_STRIDE * context + which;
}

static volatile uint32_t *enable_word(const plic_t *p, uint32_t irq) {
  uint64_t word = irq / 32;
  return reg(p, PLIC_ENABLE_BASE + (uint64_t)PLIC_ENABLE_STRIDE * p->context + 4u * word);
}

static bool valid_line(const plic_t *p, uint32_t irq) { return irq != 0 && irq <= p->sources; }

int plic_init(plic_t *p, volatile void *base, uint64_t size, uint32_t sources, uint32_t context) {
  if (!p || !base) return NX_ERR_INVALID_ARGS;
  if (sources == 0 || sources > PLIC_MAX_SOURCES || context >= PLIC_MAX_CONTEXTS ||
      context_reg(context, PLIC_CLAIM_COMPLETE) + 4 > size) {
    return NX_ERR_OUT_OF_RANGE;
  }
  p->regs = base;
  p->sources = sources;
  p->context = context;
  for (uint32_t irq = 1; irq <= sources; irq++) *reg(p, PLIC_PRIORITY(irq)) = PLIC_PRIORITY_ON;
  /* Firmware may have left lines enabled: none may fire before it is bound. */
  for (uint32_t word = 0; word <= sources / 32; word++) *enable_word(p, word * 32) = 0;
  *reg(p, context_reg(context, PLIC_THRESHOLD)) = PLIC_THRESHOLD_ALL;
  return NX_OK;
}

int plic_enable(const plic_t *p, uint32_t irq) {
  if (!valid_line(p, irq)) return NX_ERR_OUT_OF_RANGE;
  *enable_word(p, irq) |= 1u << (irq % 32);
  return NX_OK;
}

int plic_disable(const plic_t *p, uint32_t irq) {
  if (!valid_line(p, irq)) return NX_ERR_OUT_OF_RANGE;
  *enable_word(p, irq) &= ~(1u << (irq % 32));
  return NX_OK;
}

uint32_t plic_claim(const plic_t *p) {
  return *reg(p, context_reg(p->context, PLIC_CLAIM_COMPLETE));
}

int plic_complete(const plic_t *p, uint32_t irq) {
  if (!valid_line(p, irq)) return NX_ERR_OUT_OF_RANGE;
  /* "Interrupt Completion": a completion for a source that is not enabled
   * for the context is silently ignored, and interrupt objects disable a
   * line before they complete it (so a level-triggered device that still
   * asserts it cannot fire again). So it is enabled for the write alone.
   * Before the write the claim has cleared its pending bit, and the gateway
   * forwards no new request until the completion; a request the completion
   * lets through is not taken either (the kernel runs with interrupts off)
   * and stays pending behind the disabled line. */
  volatile uint32_t *enable = enable_word(p, irq);
  uint32_t was = *enable;
  uint32_t bit = 1u << (irq % 32);
  if (!(was & bit)) *enable = was | bit;
  *reg(p, context_reg(p->context, PLIC_CLAIM_COMPLETE)) = irq;
  if (!(was & bit)) *enable = was;
  return NX_OK;
}
