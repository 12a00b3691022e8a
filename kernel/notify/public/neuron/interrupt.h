/*
 * Interrupt objects: one device interrupt line bound to one bit of a
 * notification, so a user-space driver learns of its device's interrupts by
 * waiting on the notification.
 *
 * The life of a line:
 *   bind     the line is enabled (unmask) and its interrupts go to (n, bit).
 *   fire     the kernel's interrupt controller handler calls interrupt_fire()
 *            with the line it claimed. The line is MASKED first, then the
 *            claim is completed (so the controller may deliver other lines;
 *            with the line masked, a level-triggered device that still
 *            asserts it cannot fire again), then the bit is signalled.
 *   ack      the driver has serviced its device: interrupt_ack() unmasks the
 *            line. One interrupt per ack: the driver is never flooded, and
 *            a device that still asserts its line fires again at once.
 *   unbind   (the object is destroyed) the line is masked and free again.
 * A line cannot fire while masked. If the platform reports it anyway (or
 * reports a line nobody has bound), it is counted as spurious, completed and
 * otherwise ignored; an unbound line is masked too, so it cannot storm.
 *
 * The controller is behind interrupt_ops_t (mask, unmask, complete), so the
 * PLIC code can live in kernel/arch and tests can use a fake. The table of
 * bound lines is provided by the caller (one pointer per line; no
 * allocation). Line 0 is never valid (on the PLIC it means "no interrupt").
 * No lock is taken; the caller serializes access.
 */
#ifndef NEURON_INTERRUPT_H
#define NEURON_INTERRUPT_H

#include <stdbool.h>
#include <stdint.h>

#include "neuron/notification.h"
#include "neuron/object.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct interrupt_ops {
  void (*mask)(void *ctx, uint32_t irq);
  void (*unmask)(void *ctx, uint32_t irq);
  void (*complete)(void *ctx, uint32_t irq); /* end of the claim the handler made */
} interrupt_ops_t;

typedef struct interrupt_counters {
  uint64_t fired;    /* interrupts delivered to a notification */
  uint64_t spurious; /* reported on a masked, unbound or invalid line */
  uint64_t acks;     /* interrupt_ack() calls that unmasked a line */
} interrupt_counters_t;

struct interrupt;

typedef struct interrupt_controller {
  const interrupt_ops_t *ops;
  void *ctx;                /* passed to every op */
  struct interrupt **bound; /* bound[irq]: the object bound to irq, or NULL */
  uint32_t lines;           /* valid lines are 1 .. lines - 1 */
  interrupt_counters_t counters;
} interrupt_controller_t;

typedef struct interrupt {
  object_t obj;
  interrupt_controller_t *ctl;
  notification_t *n;
  uint64_t bit; /* one bit */
  uint32_t irq; /* 0 while unbound */
  bool masked;  /* fired and not yet acknowledged */
} interrupt_t;

/* `table` has `lines` (>= 2) entries and is cleared here. NX_ERR_INVALID_ARGS
 * for NULL arguments or ops, or lines < 2. */
int interrupt_controller_init(interrupt_controller_t *ctl, const interrupt_ops_t *ops, void *ctx,
                              interrupt_t **table, uint32_t lines);

/* Prepares an unbound object with one reference. */
int interrupt_init(interrupt_t *intr);

/* Binds line irq to (n, bit) and unmasks it. NX_ERR_INVALID_ARGS for NULL
 * arguments or a `bit` that is not exactly one bit; NX_ERR_OUT_OF_RANGE for
 * irq 0 or irq >= lines; NX_ERR_BUSY if the line is bound already or intr is
 * bound to a line. */
int interrupt_bind(interrupt_controller_t *ctl, interrupt_t *intr, uint32_t irq, notification_t *n,
                   uint64_t bit);

/* Masks the line and frees it (bits already signalled stay pending).
 * NX_ERR_INVALID_ARGS if intr is not bound. */
int interrupt_unbind(interrupt_t *intr);

/* The controller handler's entry: line irq was claimed. NX_OK when it was
 * delivered (masked, completed, bit signalled); NX_ERR_NOT_FOUND for an
 * invalid or unbound line, NX_ERR_BUSY for a line already masked: both
 * counted spurious and completed, nothing signalled. */
int interrupt_fire(interrupt_controller_t *ctl, uint32_t irq);

/* The driver serviced its device: unmask the line. NX_ERR_INVALID_ARGS if
 * intr is not bound or has no interrupt waiting for an ack. */
int interrupt_ack(interrupt_t *intr);

#ifdef __cplusplus
}
#endif

#endif
