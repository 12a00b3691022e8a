/*
 * The kernel's records for the objects user space creates (endpoints,
 * channels, notifications, wait sets), the boot objects it hands out, and
 * the kernel's one table of object operations (object_ops_get).
 *
 * Each record embeds the portable module's object first (so a handle's
 * object_t * is the record) and remembers the quota that paid for it.
 * Memory: records come from per-type slab caches; the creator's quota is
 * charged whole pages for them (KOBJ_CHARGE_PAGES each; a channel, whose
 * ring and holding table span several pages, its size in pages), so a task
 * cannot make the kernel hold more than its quota allows. The charge goes
 * back when the last reference goes.
 */
#ifndef NEURON_KOBJECT_H
#define NEURON_KOBJECT_H

#include <stdint.h>

#include "neuron/channel.h"
#include "neuron/endpoint.h"
#include "neuron/interrupt.h"
#include "neuron/ipc_msg.h"
#include "neuron/notification.h"
#include "neuron/quota.h"
#include "neuron/syscall_numbers.h"
#include "neuron/vmo.h"
#include "neuron/waitset.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KOBJ_CHARGE_PAGES 1u

typedef struct kendpoint {
  ipc_endpoint_t ep; /* first */
  quota_t *quota;
} kendpoint_t;

typedef struct knotification {
  notification_t n; /* first */
  quota_t *quota;
} knotification_t;

typedef struct kwaitset {
  waitset_t ws; /* first */
  quota_t *quota;
} kwaitset_t;

/* A device interrupt line handed out at boot (the kernel keeps a
 * reference for good). A binding (interrupt_bind) belongs to the task that
 * made it and ends with it, so a driver that dies leaves the line free for
 * the one restarted after it. */
typedef struct kinterrupt {
  interrupt_t intr;      /* first */
  uint32_t line;         /* the controller's line number */
  struct task *bound_by; /* the task that bound it, or NULL */
} kinterrupt_t;

typedef struct kchannel {
  ipc_channel_t ch; /* first */
  quota_t *quota;
  uintptr_t pa;          /* the block it lives in */
  notification_t *bound; /* signalled on every send, or NULL (holds a reference) */
  uint64_t bit;
  handle_table_t holding; /* the capabilities in flight */
  ipc_msg_t ring[NX_CHANNEL_DEPTH_MAX];
} kchannel_t;

/* Sets up the caches (at boot). NX_ERR_NO_MEMORY if one cannot be made. */
int kobject_init(void);

/* Each makes an object with one reference (the caller's, to be handed to a
 * handle), charged to `quota`. NX_ERR_NO_MEMORY when the quota or the
 * kernel has no room (nothing charged then). */
int kendpoint_create(quota_t *quota, kendpoint_t **out);
int knotification_create(quota_t *quota, knotification_t **out);
int kwaitset_create(quota_t *quota, kwaitset_t **out);
int kchannel_create(quota_t *quota, uint32_t depth, kchannel_t **out);

/* Binds a channel's sends to (n, bit); replaces an earlier binding. */
void kchannel_bind(kchannel_t *ch, notification_t *n, uint64_t bit);

/* Ends the interrupt bindings `task` made: each line is masked and freed
 * and its notification's reference dropped (a task's teardown). */
void kinterrupt_release_bindings(const struct task *task);

/* Fences the TLBs of every address space (after mappings went away in
 * spaces other than the current one, e.g. by revocation). */
void kobject_fence_all(void);

#ifdef __cplusplus
}
#endif

#endif
