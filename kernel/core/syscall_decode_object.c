/*
 * Decode for the object syscalls: handles, VMOs, IPC, channels,
 * notifications, wait sets, interrupts, tasks and threads. As for the core's
 * (syscall_decode.c), each validates every argument against the caller's
 * handles and memory and changes no kernel object, so the matching invoke
 * (syscall_invoke_object.c) acts on checked input. Two kinds of check stay
 * in the invoke, inside the portable modules' own check phase (which also
 * changes nothing when it refuses): the IPC and channel operations, whose
 * outcome depends on the other side's state when the call meets it, and
 * the close and unmap of a handle or range that the capability layer or
 * the VMO module looks up themselves.
 *
 * The only state a decoder writes is the caller's own scratch: the handles
 * it sends (thread_t.send_handles) and the checked plan of a derive or a
 * map (thread_t.decoded), which only the matching invoke reads, at once.
 */
#include "kernel/core/syscall_util.h"
#include "neuron/arch/memory_layout.h"
#include "neuron/bootfs.h"
#include "neuron/cap_transfer.h"
#include "neuron/elf.h"
#include "neuron/errors.h"
#include "neuron/interrupt.h"
#include "neuron/kernel.h"
#include "neuron/kobject.h"
#include "neuron/syscall_decl.h"
#include "neuron/task.h"
#include "neuron/user_memory.h"
#include "neuron/waitset.h"

#define USER_STACK_ALIGN 16

static int need_free_slot(const thread_t *caller) {
  return handle_table_free_slots(&caller->task->handles) ? NX_OK : NX_ERR_NO_MEMORY;
}

/* ---- Handles ---- */

int sys_handle_dup_decode(thread_t *caller, const uint64_t raw[6], sys_handle_dup_args_t *out) {
  int err = sys_handle_dup_unpack(raw, out);
  if (err != NX_OK) return err;
  if (out->rights & ~NX_RIGHTS_ALL) return NX_ERR_INVALID_ARGS;
  handle_table_t *t = &caller->task->handles;
  return cap_derive_check(t, out->h, HANDLE_ANY_TYPE, out->rights, t, &caller->decoded.cap_plan);
}

int sys_handle_mint_decode(thread_t *caller, const uint64_t raw[6], sys_handle_mint_args_t *out) {
  int err = sys_handle_mint_unpack(raw, out);
  if (err != NX_OK) return err;
  if (out->rights & ~NX_RIGHTS_ALL) return NX_ERR_INVALID_ARGS;
  if (out->badge >> 63) return NX_ERR_INVALID_ARGS; /* a receive returns it in a0 */
  handle_table_t *t = &caller->task->handles;
  return cap_mint_check(t, out->h, HANDLE_ANY_TYPE, out->rights, out->badge, t,
                        &caller->decoded.cap_plan);
}

int sys_handle_close_decode(thread_t *caller, const uint64_t raw[6], sys_handle_close_args_t *out) {
  (void)caller; /* handle_close() checks (a handle under a revoke may be closed) */
  return sys_handle_close_unpack(raw, out);
}

int sys_handle_revoke_decode(thread_t *caller, const uint64_t raw[6],
                             sys_handle_revoke_args_t *out) {
  int err = sys_handle_revoke_unpack(raw, out);
  if (err != NX_OK) return err;
  handle_slot_t *s;
  err = handle_lookup_slot(&caller->task->handles, out->h, HANDLE_ANY_TYPE, 0, &s);
  if (err != NX_OK) return err;
  return s->flags & HANDLE_SLOT_REVOKING ? NX_ERR_BUSY : NX_OK;
}

/* ---- VMOs ---- */

int sys_vmo_create_decode(thread_t *caller, const uint64_t raw[6], sys_vmo_create_args_t *out) {
  int err = sys_vmo_create_unpack(raw, out);
  if (err != NX_OK) return err;
  if (out->size == 0 || (out->flags & ~VMO_FLAGS_ALL)) return NX_ERR_INVALID_ARGS;
  if (out->size > VMO_SIZE_MAX) return NX_ERR_OUT_OF_RANGE;
  return need_free_slot(caller);
}

/* A copy between a VMO and user memory. Not inlined: read and write share
 * it. */
__attribute__((noinline)) static int vmo_io_decode(thread_t *caller, nx_handle_value_t h,
                                                   uint32_t right, uint64_t offset, uint64_t buf,
                                                   uint64_t len, unsigned access) {
  vmo_t *vmo;
  LOOKUP(caller, h, OBJ_VMO, right, &vmo);
  int err = user_range_check(caller, buf, len, access);
  if (err != NX_OK) return err;
  if (offset > vmo_size(vmo) || len > vmo_size(vmo) - offset) return NX_ERR_OUT_OF_RANGE;
  return vmo_kind(vmo) == VMO_KIND_PHYSICAL ? NX_ERR_NOT_SUPPORTED : NX_OK;
}

int sys_vmo_read_decode(thread_t *caller, const uint64_t raw[6], sys_vmo_read_args_t *out) {
  int err = sys_vmo_read_unpack(raw, out);
  if (err != NX_OK) return err;
  return vmo_io_decode(caller, out->vmo, SYS_VMO_READ_VMO_RIGHTS, out->offset, out->buf, out->len,
                       SV39_ACCESS_WRITE);
}

int sys_vmo_write_decode(thread_t *caller, const uint64_t raw[6], sys_vmo_write_args_t *out) {
  int err = sys_vmo_write_unpack(raw, out);
  if (err != NX_OK) return err;
  return vmo_io_decode(caller, out->vmo, SYS_VMO_WRITE_VMO_RIGHTS, out->offset, out->buf, out->len,
                       SV39_ACCESS_READ);
}

int sys_vmo_map_decode(thread_t *caller, const uint64_t raw[6], sys_vmo_map_args_t *out) {
  int err = sys_vmo_map_unpack(raw, out);
  if (err != NX_OK) return err;
  handle_slot_t *s;
  err = handle_lookup_slot(&caller->task->handles, out->vmo, OBJ_VMO, SYS_VMO_MAP_VMO_RIGHTS, &s);
  if (err != NX_OK) return err;
  return vmo_map_check((vmo_t *)s->object, &caller->task->vmos, out->va, out->offset, out->size,
                       s->rights, out->prot, s->serial, &caller->decoded.map);
}

int sys_vmo_unmap_decode(thread_t *caller, const uint64_t raw[6], sys_vmo_unmap_args_t *out) {
  (void)caller; /* vmo_unmap_at() finds the mapping (or refuses) */
  return sys_vmo_unmap_unpack(raw, out);
}

/* ---- IPC messages ---- */

/* The info word's bits that mean nothing (yet). */
#define MSG_INFO_RESERVED (~(0xffull | (0xffffull << NX_MSG_INFO_BYTES_SHIFT)))

__attribute__((noinline)) int syscall_msg_parts_decode(thread_t *caller, uint64_t info,
                                                       bool bytes_ok) {
  if (!caller->ipc_buffer || (info & MSG_INFO_RESERVED)) return NX_ERR_INVALID_ARGS;
  uint32_t handles = (uint32_t)(info & 0xff);
  uint32_t bytes = (uint32_t)(info >> NX_MSG_INFO_BYTES_SHIFT);
  if (handles > NX_MSG_HANDLES || bytes > NX_MSG_BUF_MAX || (bytes && !bytes_ok)) {
    return NX_ERR_OUT_OF_RANGE;
  }
  if (handles) {
    uint64_t at = caller->ipc_buffer + NX_IPC_BUFFER_HANDLES;
    int err = user_range_check(caller, at, handles * sizeof(nx_handle_t), SV39_ACCESS_READ);
    if (err != NX_OK) return err;
    user_copy_in(caller, caller->send_handles, at, handles * sizeof(nx_handle_t));
  }
  if (!bytes) return NX_OK;
  return user_range_check(caller, caller->ipc_buffer + NX_IPC_BUFFER_BYTES, bytes,
                          SV39_ACCESS_READ);
}

/* A receive: the thread needs an IPC buffer for what arrives, with its
 * handle area writable now (a message taken at once must never move
 * handles whose values cannot be delivered; one that arrives after a wait
 * is checked again then). */
static int receiver_decode(const thread_t *caller) {
  if (!caller->ipc_buffer) return NX_ERR_INVALID_ARGS;
  return user_range_check(caller, caller->ipc_buffer + NX_IPC_BUFFER_HANDLES,
                          NX_MSG_HANDLES * sizeof(nx_handle_t), SV39_ACCESS_WRITE);
}

int sys_ipc_call_decode(thread_t *caller, const uint64_t raw[6], sys_ipc_call_args_t *out) {
  int err = sys_ipc_call_unpack(raw, out);
  if (err != NX_OK) return err;
  kendpoint_t *ep;
  LOOKUP(caller, out->ep, OBJ_ENDPOINT, SYS_IPC_CALL_EP_RIGHTS, &ep);
  err = syscall_msg_decode(caller, out->info, true);
  return err != NX_OK ? err : receiver_decode(caller); /* the reply arrives too */
}

int sys_ipc_recv_decode(thread_t *caller, const uint64_t raw[6], sys_ipc_recv_args_t *out) {
  int err = sys_ipc_recv_unpack(raw, out);
  if (err != NX_OK) return err;
  kendpoint_t *ep;
  LOOKUP(caller, out->ep, OBJ_ENDPOINT, SYS_IPC_RECV_EP_RIGHTS, &ep);
  return receiver_decode(caller);
}

int sys_ipc_reply_decode(thread_t *caller, const uint64_t raw[6], sys_ipc_reply_args_t *out) {
  int err = sys_ipc_reply_unpack(raw, out);
  if (err != NX_OK) return err;
  return syscall_msg_decode(caller, out->info, true);
}

int sys_ipc_reply_recv_decode(thread_t *caller, const uint64_t raw[6],
                              sys_ipc_reply_recv_args_t *out) {
  int err = sys_ipc_reply_recv_unpack(raw, out);
  if (err != NX_OK) return err;
  kendpoint_t *ep;
  LOOKUP(caller, out->ep, OBJ_ENDPOINT, SYS_IPC_REPLY_RECV_EP_RIGHTS, &ep);
  err = syscall_msg_decode(caller, out->info, true);
  return err != NX_OK ? err : receiver_decode(caller);
}

int sys_thread_set_ipc_buffer_decode(thread_t *caller, const uint64_t raw[6],
                                     sys_thread_set_ipc_buffer_args_t *out) {
  int err = sys_thread_set_ipc_buffer_unpack(raw, out);
  if (err != NX_OK || out->addr == 0) return err;
  if (out->addr % 64) return NX_ERR_INVALID_ARGS;
  err = user_range_check(caller, out->addr, NX_IPC_BUFFER_SIZE, SV39_ACCESS_READ);
  if (err != NX_OK) return err;
  return user_range_check(caller, out->addr, NX_IPC_BUFFER_SIZE, SV39_ACCESS_WRITE);
}

/* Objects that hold capabilities of their own: a channel (its queued
 * messages) and a task (its table). Where such an object may be held decides
 * whether references can go round in a cycle. */
static bool holds_capabilities(const object_t *obj) {
  return obj->type == OBJ_CHANNEL || obj->type == OBJ_TASK;
}

/* ---- Channels ---- */

int sys_channel_create_decode(thread_t *caller, const uint64_t raw[6],
                              sys_channel_create_args_t *out) {
  int err = sys_channel_create_unpack(raw, out);
  if (err != NX_OK) return err;
  if (out->depth == 0 || out->depth > NX_CHANNEL_DEPTH_MAX) return NX_ERR_INVALID_ARGS;
  return need_free_slot(caller);
}

int sys_channel_send_decode(thread_t *caller, const uint64_t raw[6], sys_channel_send_args_t *out) {
  int err = sys_channel_send_unpack(raw, out);
  if (err != NX_OK) return err;
  kchannel_t *ch;
  LOOKUP(caller, out->ch, OBJ_CHANNEL, SYS_CHANNEL_SEND_CH_RIGHTS, &ch);
  err = syscall_msg_decode(caller, out->info, false); /* channels carry no bytes */
  if (err != NX_OK) return err;
  /* Only objects that hold no capabilities may wait in a queue: a channel
   * holding its own capability, or two channels (or a channel and a task
   * never started) holding each other's, would keep each other alive with
   * nothing left to free them. */
  for (uint32_t i = 0; i < (out->info & 0xff); i++) {
    handle_slot_t *s = handle_live_slot(&caller->task->handles, caller->send_handles[i]);
    if (s && holds_capabilities(s->object)) return NX_ERR_INVALID_ARGS;
  }
  return NX_OK;
}

int sys_channel_recv_decode(thread_t *caller, const uint64_t raw[6], sys_channel_recv_args_t *out) {
  int err = sys_channel_recv_unpack(raw, out);
  if (err != NX_OK) return err;
  kchannel_t *ch;
  LOOKUP(caller, out->ch, OBJ_CHANNEL, SYS_CHANNEL_RECV_CH_RIGHTS, &ch);
  return receiver_decode(caller);
}

int sys_channel_bind_decode(thread_t *caller, const uint64_t raw[6], sys_channel_bind_args_t *out) {
  int err = sys_channel_bind_unpack(raw, out);
  if (err != NX_OK) return err;
  kchannel_t *ch;
  notification_t *n;
  LOOKUP(caller, out->ch, OBJ_CHANNEL, SYS_CHANNEL_BIND_CH_RIGHTS, &ch);
  LOOKUP(caller, out->n, OBJ_NOTIFICATION, SYS_CHANNEL_BIND_N_RIGHTS, &n);
  return one_signal_bit(out->bit) ? NX_OK : NX_ERR_INVALID_ARGS;
}

/* ---- Notifications, wait sets, interrupts ---- */

int sys_notification_signal_decode(thread_t *caller, const uint64_t raw[6],
                                   sys_notification_signal_args_t *out) {
  int err = sys_notification_signal_unpack(raw, out);
  if (err != NX_OK) return err;
  notification_t *n;
  LOOKUP(caller, out->n, OBJ_NOTIFICATION, SYS_NOTIFICATION_SIGNAL_N_RIGHTS, &n);
  return signal_mask_ok(out->bits) ? NX_OK : NX_ERR_INVALID_ARGS;
}

int sys_notification_wait_decode(thread_t *caller, const uint64_t raw[6],
                                 sys_notification_wait_args_t *out) {
  int err = sys_notification_wait_unpack(raw, out);
  if (err != NX_OK) return err;
  notification_t *n;
  LOOKUP(caller, out->n, OBJ_NOTIFICATION, SYS_NOTIFICATION_WAIT_N_RIGHTS, &n);
  return signal_mask_ok(out->mask) ? NX_OK : NX_ERR_INVALID_ARGS;
}

int sys_waitset_add_decode(thread_t *caller, const uint64_t raw[6], sys_waitset_add_args_t *out) {
  int err = sys_waitset_add_unpack(raw, out);
  if (err != NX_OK) return err;
  waitset_t *ws;
  notification_t *n;
  LOOKUP(caller, out->ws, OBJ_WAITSET, SYS_WAITSET_ADD_WS_RIGHTS, &ws);
  LOOKUP(caller, out->n, OBJ_NOTIFICATION, SYS_WAITSET_ADD_N_RIGHTS, &n);
  if (!signal_mask_ok(out->mask)) return NX_ERR_INVALID_ARGS;
  if (ws->waiter) return NX_ERR_BUSY;
#pragma clang loop unroll(disable)
  /* Not unrolled: 16 copies of the compare are code a rare syscall does not
   * need. */
  for (uint32_t i = 0; i < WAITSET_SLOTS; i++) {
    if (ws->slots[i].n == n) return NX_ERR_INVALID_ARGS;
  }
  return ws->used < WAITSET_SLOTS ? NX_OK : NX_ERR_NO_MEMORY;
}

int sys_waitset_remove_decode(thread_t *caller, const uint64_t raw[6],
                              sys_waitset_remove_args_t *out) {
  int err = sys_waitset_remove_unpack(raw, out);
  if (err != NX_OK) return err;
  waitset_t *ws;
  LOOKUP(caller, out->ws, OBJ_WAITSET, SYS_WAITSET_REMOVE_WS_RIGHTS, &ws);
  if (out->slot >= WAITSET_SLOTS) return NX_ERR_INVALID_ARGS;
  if (!ws->slots[out->slot].n) return NX_ERR_NOT_FOUND;
  return ws->waiter ? NX_ERR_BUSY : NX_OK;
}

int sys_waitset_wait_decode(thread_t *caller, const uint64_t raw[6], sys_waitset_wait_args_t *out) {
  int err = sys_waitset_wait_unpack(raw, out);
  if (err != NX_OK) return err;
  waitset_t *ws;
  LOOKUP(caller, out->ws, OBJ_WAITSET, SYS_WAITSET_WAIT_WS_RIGHTS, &ws);
  err = user_range_check(caller, out->bits, sizeof(uint64_t), SV39_ACCESS_WRITE);
  if (err != NX_OK) return err;
  if (ws->used == 0) return NX_ERR_INVALID_ARGS;
  return ws->waiter ? NX_ERR_BUSY : NX_OK;
}

int sys_interrupt_bind_decode(thread_t *caller, const uint64_t raw[6],
                              sys_interrupt_bind_args_t *out) {
  int err = sys_interrupt_bind_unpack(raw, out);
  if (err != NX_OK) return err;
  kinterrupt_t *irq;
  notification_t *n;
  LOOKUP(caller, out->irq, OBJ_INTERRUPT, SYS_INTERRUPT_BIND_IRQ_RIGHTS, &irq);
  LOOKUP(caller, out->n, OBJ_NOTIFICATION, SYS_INTERRUPT_BIND_N_RIGHTS, &n);
  if (!one_signal_bit(out->bit)) return NX_ERR_INVALID_ARGS;
  return irq->intr.irq ? NX_ERR_BUSY : NX_OK;
}

int sys_interrupt_ack_decode(thread_t *caller, const uint64_t raw[6],
                             sys_interrupt_ack_args_t *out) {
  int err = sys_interrupt_ack_unpack(raw, out);
  if (err != NX_OK) return err;
  kinterrupt_t *irq;
  LOOKUP(caller, out->irq, OBJ_INTERRUPT, SYS_INTERRUPT_ACK_IRQ_RIGHTS, &irq);
  return irq->intr.irq && irq->intr.masked ? NX_OK : NX_ERR_INVALID_ARGS;
}

/* ---- Tasks and threads ---- */

int syscall_find_program(const vmo_t *bootfs, const char *name, size_t name_len,
                         bootfs_entry_t *out) {
  uint64_t base;
  if (vmo_phys_base(bootfs, &base) != NX_OK) return NX_ERR_NOT_SUPPORTED;
  bootfs_t fs;
  const char *why;
  int err = bootfs_open(&fs, page_alloc_ptr(&kernel.pages, base), vmo_size(bootfs), &why);
  if (err != NX_OK) return NX_ERR_BAD_FORMAT;
  char path[4 + NX_TASK_NAME_MAX + 1] = "app/";
  for (size_t i = 0; i < name_len; i++) path[4 + i] = name[i];
  path[4 + name_len] = 0;
  return bootfs_lookup(&fs, path, out);
}

int sys_task_create_decode(thread_t *caller, const uint64_t raw[6], sys_task_create_args_t *out) {
  int err = sys_task_create_unpack(raw, out);
  if (err != NX_OK) return err;
  vmo_t *bootfs;
  LOOKUP(caller, out->bootfs, OBJ_VMO, SYS_TASK_CREATE_BOOTFS_RIGHTS, &bootfs);
  err = user_range_check(caller, out->name, out->name_len, SV39_ACCESS_READ);
  if (err != NX_OK) return err;
  if (out->name_len == 0 || out->name_len > NX_TASK_NAME_MAX) return NX_ERR_INVALID_ARGS;
  if (out->priority > SCHED_PRIO_MAX) return NX_ERR_INVALID_ARGS;
  if (out->priority > caller->task->priority) return NX_ERR_ACCESS_DENIED;
  /* The child's quota is carved out of the caller's: never larger. */
  if (out->quota_pages == 0) return NX_ERR_INVALID_ARGS;
  if (out->quota_pages > quota_limit(&caller->task->quota)) return NX_ERR_OUT_OF_RANGE;
  err = need_free_slot(caller);
  if (err != NX_OK) return err;
  char name[NX_TASK_NAME_MAX];
  user_copy_in(caller, name, out->name, out->name_len);
  bootfs_entry_t e;
  err = syscall_find_program(bootfs, name, out->name_len, &e);
  if (err != NX_OK) return err;
  elf_image_t elf;
  const char *why;
  /* task_create()'s bounds: a program must end below the stack. */
  err = elf_describe(&elf, e.data, e.size, USER_MIN, TASK_STACK_BOTTOM, &why);
  return err == NX_OK ? NX_OK : NX_ERR_BAD_FORMAT;
}

/* A task handle the caller may still set up (NEW). */
static int new_task(thread_t *caller, nx_handle_value_t h, task_t **out) {
  LOOKUP(caller, h, OBJ_TASK, NX_RIGHT_MANAGE, out);
  return (*out)->state == TASK_NEW ? NX_OK : NX_ERR_BUSY;
}

int sys_task_give_decode(thread_t *caller, const uint64_t raw[6], sys_task_give_args_t *out) {
  int err = sys_task_give_unpack(raw, out);
  if (err != NX_OK) return err;
  task_t *task;
  err = new_task(caller, out->task, &task);
  if (err != NX_OK) return err;
  if (out->rights & ~NX_RIGHTS_ALL) return NX_ERR_INVALID_ARGS;
  cap_plan_t *plan = &caller->decoded.cap_plan;
  err = cap_derive_check(&caller->task->handles, out->h, HANDLE_ANY_TYPE, out->rights,
                         &task->handles, plan);
  if (err != NX_OK) return err;
  /* A task that never runs tears down only when its last handle goes: if
   * it held its own, or two such tasks each other's, that would never
   * happen. So no task handle goes into a task's table this way (a running
   * task may still receive one over IPC: it ends, and lets go, by itself).
   * A channel may go in: a channel never holds a task (channel_send). */
  return plan->src->object->type == OBJ_TASK ? NX_ERR_INVALID_ARGS : NX_OK;
}

int sys_task_start_decode(thread_t *caller, const uint64_t raw[6], sys_task_start_args_t *out) {
  int err = sys_task_start_unpack(raw, out);
  if (err != NX_OK) return err;
  task_t *task;
  err = new_task(caller, out->task, &task);
  if (err != NX_OK) return err;
  return user_range_check(caller, out->info, sizeof(nx_start_info_t), SV39_ACCESS_READ);
}

int sys_task_watch_decode(thread_t *caller, const uint64_t raw[6], sys_task_watch_args_t *out) {
  int err = sys_task_watch_unpack(raw, out);
  if (err != NX_OK) return err;
  task_t *task;
  notification_t *n;
  LOOKUP(caller, out->task, OBJ_TASK, SYS_TASK_WATCH_TASK_RIGHTS, &task);
  LOOKUP(caller, out->n, OBJ_NOTIFICATION, SYS_TASK_WATCH_N_RIGHTS, &n);
  if (!one_signal_bit(out->bit)) return NX_ERR_INVALID_ARGS;
  return task->state == TASK_DEAD ? NX_ERR_BUSY : NX_OK;
}

int sys_task_exit_status_decode(thread_t *caller, const uint64_t raw[6],
                                sys_task_exit_status_args_t *out) {
  int err = sys_task_exit_status_unpack(raw, out);
  if (err != NX_OK) return err;
  task_t *task;
  LOOKUP(caller, out->task, OBJ_TASK, SYS_TASK_EXIT_STATUS_TASK_RIGHTS, &task);
  return task->state == TASK_DEAD ? NX_OK : NX_ERR_BUSY;
}

int sys_task_info_decode(thread_t *caller, const uint64_t raw[6], sys_task_info_args_t *out) {
  int err = sys_task_info_unpack(raw, out);
  if (err != NX_OK) return err;
  task_t *task;
  LOOKUP(caller, out->task, OBJ_TASK, SYS_TASK_INFO_TASK_RIGHTS, &task);
  return NX_OK;
}

int sys_task_handle_info_decode(thread_t *caller, const uint64_t raw[6],
                                sys_task_handle_info_args_t *out) {
  int err = sys_task_handle_info_unpack(raw, out);
  if (err != NX_OK) return err;
  task_t *task;
  LOOKUP(caller, out->task, OBJ_TASK, SYS_TASK_HANDLE_INFO_TASK_RIGHTS, &task);
  /* `used` counts the live slots the invoke walks (an ended task's table
   * is empty). */
  return out->nth < task->handles.used ? NX_OK : NX_ERR_NOT_FOUND;
}

int sys_task_kill_decode(thread_t *caller, const uint64_t raw[6], sys_task_kill_args_t *out) {
  int err = sys_task_kill_unpack(raw, out);
  if (err != NX_OK) return err;
  task_t *task;
  LOOKUP(caller, out->task, OBJ_TASK, SYS_TASK_KILL_TASK_RIGHTS, &task);
  /* Never the caller's own task: no task holds a handle to itself
   * (task_give and IPC refuse it), so `task` has no thread running now. */
  return task->state == TASK_RUNNING ? NX_OK : NX_ERR_BUSY;
}

int sys_thread_create_decode(thread_t *caller, const uint64_t raw[6],
                             sys_thread_create_args_t *out) {
  int err = sys_thread_create_unpack(raw, out);
  if (err != NX_OK) return err;
  if (out->entry < USER_MIN || out->entry >= USER_MAX || out->sp < USER_MIN || out->sp > USER_MAX ||
      out->sp % USER_STACK_ALIGN || out->priority > SCHED_PRIO_MAX) {
    return NX_ERR_INVALID_ARGS;
  }
  return out->priority > caller->task->priority ? NX_ERR_ACCESS_DENIED : NX_OK;
}
