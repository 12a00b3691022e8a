/* The PLIC behind the interrupt objects (see neuron/irq.h). */
#include "neuron/irq.h"

#include <stdbool.h>
#include <stddef.h>

#include "neuron/arch/memory_layout.h"
#include "neuron/arch/plic.h"
#include "neuron/errors.h"
#include "neuron/task.h"

static plic_t plic;
static interrupt_controller_t controller;
static bool have_controller;
/* The objects bound to each line; sized for the largest PLIC so that no
 * allocation is needed before the kernel knows the machine's. */
static interrupt_t *bound[PLIC_MAX_SOURCES + 1];

/* The controller's operations never see a line the PLIC refuses: interrupt
 * objects only bind lines 1 .. sources, and a line the PLIC claimed is one
 * of those. */
static void op_mask(void *ctx, uint32_t irq) { plic_disable(ctx, irq); }
static void op_unmask(void *ctx, uint32_t irq) { plic_enable(ctx, irq); }
static void op_complete(void *ctx, uint32_t irq) { plic_complete(ctx, irq); }

static const interrupt_ops_t plic_ops = {
    .mask = op_mask,
    .unmask = op_unmask,
    .complete = op_complete,
};

int irq_init(const platform_t *p) {
  if (!p->plic.size) return NX_OK;
  int err =
      plic_init(&plic, phys_to_virt(p->plic.base), p->plic.size, p->plic_sources, p->plic_context);
  if (err != NX_OK) return err;
  /* Cannot fail: the ops are complete and plic_init accepted sources >= 1. */
  (void)interrupt_controller_init(&controller, &plic_ops, &plic, bound, p->plic_sources + 1);
  have_controller = true;
  return NX_OK;
}

interrupt_controller_t *irq_controller(void) { return have_controller ? &controller : NULL; }

void irq_external(void) {
  /* Without a PLIC the interrupt comes from a controller NEURON does not
   * drive: there is nothing it could claim. */
  if (!have_controller) return;
  uint32_t irq;
  while ((irq = plic_claim(&plic)) != 0) interrupt_fire(&controller, irq);
  kernel_preempt_check();
}
