/* Interrupt objects: a line bound to a notification bit (see neuron/interrupt.h). */
#include "neuron/interrupt.h"

#include "neuron/errors.h"

int interrupt_controller_init(interrupt_controller_t *ctl, const interrupt_ops_t *ops, void *ctx,
                              interrupt_t **table, uint32_t lines) {
  if (!ctl || !ops || !ops->mask || !ops->unmask || !ops->complete || !table || lines < 2)
    return NX_ERR_INVALID_ARGS;
  ctl->ops = ops;
  ctl->ctx = ctx;
  ctl->bound = table;
  ctl->lines = lines;
  ctl->counters = (interrupt_counters_t){0};
  for (uint32_t i = 0; i < lines; i++) table[i] = NULL;
  return NX_OK;
}

int interrupt_init(interrupt_t *intr) {
  if (!intr) return NX_ERR_INVALID_ARGS;
  *intr = (interrupt_t){.obj = {.type = OBJ_INTERRUPT, .refs = 1}};
  return NX_OK;
}

int interrupt_bind(interrupt_controller_t *ctl, interrupt_t *intr, uint32_t irq, notification_t *n,
                   uint64_t bit) {
  if (!ctl || !intr || !n || bit == 0 || (bit & (bit - 1)) != 0) return NX_ERR_INVALID_ARGS;
  if (irq == 0 || irq >= ctl->lines) return NX_ERR_OUT_OF_RANGE;
  if (ctl->bound[irq] || intr->irq != 0) return NX_ERR_BUSY;
  ctl->bound[irq] = intr;
  intr->ctl = ctl;
  intr->n = n;
  intr->bit = bit;
  intr->irq = irq;
  intr->masked = false;
  n->users++;
  ctl->ops->unmask(ctl->ctx, irq);
  return NX_OK;
}

int interrupt_unbind(interrupt_t *intr) {
  if (!intr || intr->irq == 0) return NX_ERR_INVALID_ARGS;
  interrupt_controller_t *ctl = intr->ctl;
  /* Masked before the slot is freed: no interrupt of the line can reach a
   * half-unbound object, and a line nobody serves stays quiet. */
  ctl->ops->mask(ctl->ctx, intr->irq);
  ctl->bound[intr->irq] = NULL;
  intr->n->users--;
  intr->n = NULL;
  intr->bit = 0;
  intr->irq = 0;
  intr->masked = false;
  return NX_OK;
}

int interrupt_fire(interrupt_controller_t *ctl, uint32_t irq) {
  if (!ctl) return NX_ERR_INVALID_ARGS;
  if (irq == 0 || irq >= ctl->lines || !ctl->bound[irq]) {
    ctl->counters.spurious++;
    if (irq != 0 && irq < ctl->lines) ctl->ops->mask(ctl->ctx, irq);
    /* A claim the handler made must be completed whatever it was, or the
     * controller would never deliver that line again. */
    if (irq != 0) ctl->ops->complete(ctl->ctx, irq);
    return NX_ERR_NOT_FOUND;
  }
  interrupt_t *intr = ctl->bound[irq];
  if (intr->masked) {
    ctl->counters.spurious++;
    ctl->ops->complete(ctl->ctx, irq);
    return NX_ERR_BUSY;
  }
  /* Mask before complete: completing re-arms the controller's gateway, and a
   * level-triggered device still asserts its line until its driver runs. */
  ctl->ops->mask(ctl->ctx, irq);
  intr->masked = true;
  ctl->ops->complete(ctl->ctx, irq);
  ctl->counters.fired++;
  return notification_signal(intr->n, intr->bit);
}

int interrupt_ack(interrupt_t *intr) {
  if (!intr || intr->irq == 0 || !intr->masked) return NX_ERR_INVALID_ARGS;
  intr->masked = false;
  intr->ctl->counters.acks++;
  intr->ctl->ops->unmask(intr->ctl->ctx, intr->irq);
  return NX_OK;
}
