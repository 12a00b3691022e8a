/*
 * The kernel's interrupt controller: the PLIC's context for the boot hart's
 * S-mode, behind the interrupt objects of kernel/notify (neuron/interrupt.h)
 * that bind its lines to notification bits.
 *
 * Interrupts arrive as supervisor external interrupts: from user mode
 * through the trap handler, and in the idle loop by polling sip.SEIP after
 * wfi. Either way the kernel runs with interrupts off, so nothing here
 * nests or needs a lock.
 */
#ifndef NEURON_IRQ_H
#define NEURON_IRQ_H

#include "neuron/interrupt.h"
#include "neuron/platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sets up the platform's PLIC, if it has one, with every line disabled, and
 * the controller interrupt objects bind to. NX_OK without a PLIC too (there
 * is then no controller); the error of plic_init() for a PLIC the device
 * tree describes beyond what a PLIC can be. Call after kmem_init(), which
 * maps the PLIC's registers. */
int irq_init(const platform_t *p);

/* The controller interrupt objects bind to, or NULL if there is no PLIC. */
interrupt_controller_t *irq_controller(void);

/* A supervisor external interrupt: claims lines until none is pending and
 * hands each to interrupt_fire() (which masks and completes it and signals
 * the notification bound to it), then lets a thread those signals woke
 * preempt the current one. */
void irq_external(void);

#ifdef __cplusplus
}
#endif

#endif
