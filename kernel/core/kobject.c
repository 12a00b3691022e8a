/*
 * Kernel object records and the kernel's table of object operations: what
 * happens when a capability goes away and when the last reference does.
 * See neuron/kobject.h.
 */
#include "neuron/kobject.h"

#include "neuron/errors.h"
#include "neuron/irq.h"
#include "neuron/kernel.h"
#include "neuron/mm.h"
#include "neuron/revoke.h"
#include "neuron/task.h"
#include "neuron/vmo_map.h"

#define CHANNEL_ORDER 3 /* 32 KiB: the ring and the holding table */
_Static_assert(sizeof(kchannel_t) <= (4096u << CHANNEL_ORDER), "a channel outgrew its block");

/* task_handle_info reports object_type_t values as the ABI's NX_OBJ_*. */
_Static_assert(OBJ_DEBUG_LOG == NX_OBJ_DEBUG_LOG && OBJ_VMO == NX_OBJ_VMO &&
                   OBJ_NOTIFICATION == NX_OBJ_NOTIFICATION && OBJ_INTERRUPT == NX_OBJ_INTERRUPT &&
                   OBJ_WAITSET == NX_OBJ_WAITSET && OBJ_ENDPOINT == NX_OBJ_ENDPOINT &&
                   OBJ_CHANNEL == NX_OBJ_CHANNEL && OBJ_TASK == NX_OBJ_TASK,
               "object types as the ABI numbers them");

int kobject_init(void) {
  if (slab_cache_init(&kernel.endpoints, &kernel.pages, "endpoint", sizeof(kendpoint_t), 16) !=
          NX_OK ||
      slab_cache_init(&kernel.notifications, &kernel.pages, "notification", sizeof(knotification_t),
                      16) != NX_OK ||
      slab_cache_init(&kernel.waitsets, &kernel.pages, "waitset", sizeof(kwaitset_t), 16) !=
          NX_OK) {
    return NX_ERR_NO_MEMORY;
  }
  return NX_OK;
}

/* A zeroed record from `cache`, its charge taken from `quota`. Not
 * inlined: three creations share it. */
__attribute__((noinline)) static void *record_alloc(slab_cache_t *cache, quota_t *quota) {
  if (quota_charge(quota, KOBJ_CHARGE_PAGES) != NX_OK) return 0;
  void *p = slab_alloc(cache, SLAB_ZERO);
  if (!p) quota_release(quota, KOBJ_CHARGE_PAGES);
  return p;
}

static void record_free(slab_cache_t *cache, void *p, quota_t *quota) {
  slab_free(cache, p);
  quota_release(quota, KOBJ_CHARGE_PAGES);
}

int kendpoint_create(quota_t *quota, kendpoint_t **out) {
  kendpoint_t *k = record_alloc(&kernel.endpoints, quota);
  if (!k) return NX_ERR_NO_MEMORY;
  ipc_endpoint_init(&k->ep, &kernel.ipc);
  k->ep.obj.refs = 1;
  k->quota = quota;
  *out = k;
  return NX_OK;
}

int knotification_create(quota_t *quota, knotification_t **out) {
  knotification_t *k = record_alloc(&kernel.notifications, quota);
  if (!k) return NX_ERR_NO_MEMORY;
  notification_init(&k->n, &kernel.notify); /* one reference */
  k->quota = quota;
  *out = k;
  return NX_OK;
}

int kwaitset_create(quota_t *quota, kwaitset_t **out) {
  kwaitset_t *k = record_alloc(&kernel.waitsets, quota);
  if (!k) return NX_ERR_NO_MEMORY;
  waitset_init(&k->ws, &kernel.notify);
  k->ws.obj.refs = 1;
  k->quota = quota;
  *out = k;
  return NX_OK;
}

int kchannel_create(quota_t *quota, uint32_t depth, kchannel_t **out) {
  uintptr_t pa;
  int err = mm_alloc_pages(&kernel.pages, quota, CHANNEL_ORDER, 0, &pa);
  if (err != NX_OK) return err;
  kchannel_t *k = page_alloc_ptr(&kernel.pages, pa);
  k->pa = pa;
  k->quota = quota;
  k->bound = 0;
  k->bit = 0;
  ipc_channel_init(&k->ch, &kernel.ipc, k->ring, depth, &k->holding);
  k->ch.obj.refs = 1;
  *out = k;
  return NX_OK;
}

void kchannel_bind(kchannel_t *ch, notification_t *n, uint64_t bit) {
  object_retain(&n->obj);
  if (ch->bound) {
    ch->bound->users--;
    object_drop(&ch->bound->obj);
  }
  n->users++; /* notification_destroy refuses while a channel names it */
  ch->bound = n;
  ch->bit = bit;
}

void kinterrupt_release_bindings(const struct task *task) {
  interrupt_controller_t *ctl = irq_controller();
  for (uint32_t line = 1; ctl && line < ctl->lines; line++) {
    kinterrupt_t *k = (kinterrupt_t *)(void *)ctl->bound[line];
    if (!k || k->bound_by != task) continue;
    notification_t *n = k->intr.n;
    interrupt_unbind(&k->intr);
    k->bound_by = 0;
    object_drop(&n->obj); /* the binding's reference */
  }
}

void kobject_fence_all(void) {
#if defined(__riscv)
  __asm__ volatile("sfence.vma" ::: "memory");
#endif
}

/* ---- Destroy hooks: the last reference went ---- */

/* object_drop() took the count to zero; vmo_release() frees on the step to
 * zero, so give it that step. */
static void vmo_destroy(object_t *obj) {
  vmo_t *vmo = (vmo_t *)obj;
  vmo_retain(vmo);
  vmo_release(vmo);
  task_sweep_dead();
}

static void vmo_cap_gone(object_t *obj, const cap_info_t *cap) {
  vmo_flush_set_t flushes = {0};
  /* A capability closed while under a revoke in progress counts as revoked:
   * re-attributed to an ancestor, its mappings would escape that revoke
   * (vmo_cap_revoking already ran for its root). */
  const handle_slot_t *s = &cap->table->slots[cap->handle & ((1u << HANDLE_SLOT_BITS) - 1)];
  bool revoked = cap->why == CAP_REMOVED_REVOKE || cap_revoke_blocks(s);
  vmo_cap_removed((vmo_t *)obj, cap->serial, cap->parent_serial, revoked, &flushes);
  kobject_fence_all();
}

static void vmo_revoke_starts(object_t *obj, const cap_info_t *root) {
  vmo_flush_set_t flushes = {0};
  vmo_cap_revoking((vmo_t *)obj, root->serial, &flushes);
  kobject_fence_all();
}

static void endpoint_destroy(object_t *obj) {
  kendpoint_t *k = (kendpoint_t *)obj;
  ipc_endpoint_close(&k->ep); /* queued callers and servers learn of it */
  record_free(&kernel.endpoints, k, k->quota);
  task_sweep_dead();
}

static void notification_destroy_hook(object_t *obj) {
  knotification_t *k = (knotification_t *)obj;
  /* Waiters, wait-set entries, bound interrupts and channels each hold a
   * reference, so nothing names it any more. */
  notification_destroy(&k->n);
  record_free(&kernel.notifications, k, k->quota);
  task_sweep_dead();
}

static void waitset_destroy_hook(object_t *obj) {
  kwaitset_t *k = (kwaitset_t *)obj;
  for (uint32_t i = 0; i < WAITSET_SLOTS; i++) {
    notification_t *n = k->ws.slots[i].n;
    if (!n) continue;
    waitset_remove(&k->ws, i);
    object_drop(&n->obj);
  }
  waitset_destroy(&k->ws);
  record_free(&kernel.waitsets, k, k->quota);
  task_sweep_dead();
}

static void channel_destroy(object_t *obj) {
  kchannel_t *k = (kchannel_t *)obj;
  ipc_channel_destroy(&k->ch); /* closes every handle in flight */
  if (k->bound) {
    k->bound->users--;
    object_drop(&k->bound->obj);
  }
  mm_free_pages(&kernel.pages, k->quota, k->pa, CHANNEL_ORDER);
  task_sweep_dead();
}

static void task_destroy_hook(object_t *obj) { task_destroy((task_t *)obj); }

static const object_ops_t no_ops = {0, 0, 0};
static const object_ops_t vmo_ops = {vmo_destroy, vmo_cap_gone, vmo_revoke_starts};
static const object_ops_t endpoint_ops = {endpoint_destroy, 0, 0};
static const object_ops_t notification_ops = {notification_destroy_hook, 0, 0};
static const object_ops_t waitset_ops = {waitset_destroy_hook, 0, 0};
static const object_ops_t channel_ops = {channel_destroy, 0, 0};
static const object_ops_t task_ops = {task_destroy_hook, 0, 0};

/* The kernel's one table. The debug log and interrupt lines are boot
 * objects the kernel keeps a reference to for good: never destroyed. */
static const object_ops_t *const table[OBJ_TYPE_COUNT] = {
    [OBJ_DEBUG_LOG] = &no_ops,
    [OBJ_VMO] = &vmo_ops,
    [OBJ_NOTIFICATION] = &notification_ops,
    [OBJ_INTERRUPT] = &no_ops,
    [OBJ_WAITSET] = &waitset_ops,
    [OBJ_ENDPOINT] = &endpoint_ops,
    [OBJ_CHANNEL] = &channel_ops,
    [OBJ_TASK] = &task_ops,
};

const object_ops_t *object_ops_get(uint32_t type) {
  return type < OBJ_TYPE_COUNT ? table[type] : 0;
}
