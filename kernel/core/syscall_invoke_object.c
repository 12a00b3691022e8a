/*
 * Invoke for the object syscalls (decode: syscall_decode_object.c). Each
 * runs only on arguments its decoder accepted. Portable: what it needs of
 * the machine (the clock, switching threads, TLB fences) goes through
 * neuron/task.h and neuron/kobject.h, so the host tests run it too. What can still fail here is
 * the kernel's memory (NX_ERR_NO_MEMORY) and the outcome of meeting another
 * thread (IPC, channels), which the portable modules check before they
 * change anything.
 */
#include "kernel/core/syscall_ipc_fast.h"
#include "kernel/core/syscall_util.h"
#include "neuron/cap_transfer.h"
#include "neuron/channel.h"
#include "neuron/endpoint.h"
#include "neuron/errors.h"
#include "neuron/fastpath.h"
#include "neuron/irq.h"
#include "neuron/kernel.h"
#include "neuron/kobject.h"
#include "neuron/syscall_decl.h"
#include "neuron/task.h"
#include "neuron/user_memory.h"

/* Revocation runs in slices of this many units, with a chance for more
 * urgent work (a pending interrupt, hence a waiting thread) in between. */
#define REVOKE_SLICE 32

/* A message's words, as the IPC syscalls take them (w0..w3). */
#define WORDS(args) ((const uint64_t[NX_MSG_WORDS]){(args)->w0, (args)->w1, (args)->w2, (args)->w3})

/* How many bytes vmo_read/vmo_write move per step through the kernel. */
#define VMO_IO_CHUNK 256

/* Gives the new object `obj` (holding the creator's one reference) to the
 * caller as a handle with `rights`; the decoder or invoker checked that a
 * slot is free. Not inlined: six creations share it. */
__attribute__((noinline)) static int64_t hand_out(thread_t *caller, object_t *obj,
                                                  uint32_t rights) {
  nx_handle_value_t h = 0;
  handle_install(&caller->task->handles, obj, rights, &h);
  object_drop(obj);
  return h;
}

/* ---- Handles ---- */

/* handle_dup, handle_mint and task_give carry out the plan their decode
 * checked (thread_t.decoded). */
int64_t sys_handle_dup_invoke(thread_t *caller, const sys_handle_dup_args_t *args) {
  (void)args;
  return (int64_t)cap_derive_apply(&caller->decoded.cap_plan);
}

int64_t sys_handle_mint_invoke(thread_t *caller, const sys_handle_mint_args_t *args) {
  (void)args;
  return (int64_t)cap_derive_apply(&caller->decoded.cap_plan);
}

int64_t sys_handle_close_invoke(thread_t *caller, const sys_handle_close_args_t *args) {
  int err = handle_close(&caller->task->handles, args->h);
  task_sweep_dead();
  /* The last handle of an endpoint gone, its waiting threads woke. */
  kernel_preempt_check();
  return err;
}

int64_t sys_handle_revoke_invoke(thread_t *caller, const sys_handle_revoke_args_t *args) {
  cap_revoke_t *r = &caller->revoke;
  cap_revoke_start(r, &caller->task->handles, args->h);
  while (cap_revoke_step(r, REVOKE_SLICE)) kernel_poll_interrupts();
  task_sweep_dead();
  return (int64_t)r->removed;
}

/* ---- VMOs ---- */

int64_t sys_vmo_create_invoke(thread_t *caller, const sys_vmo_create_args_t *args) {
  vmo_t *vmo;
  int err = vmo_create(&kernel.vmos, args->size, args->flags, &caller->task->quota, &vmo);
  return err != NX_OK ? err : hand_out(caller, &vmo->obj, NX_DEFAULT_RIGHTS_VMO);
}

int64_t sys_vmo_read_invoke(thread_t *caller, const sys_vmo_read_args_t *args) {
  vmo_t *vmo = syscall_object(caller, args->vmo);
  char chunk[VMO_IO_CHUNK];
  for (uint64_t done = 0; done < args->len;) {
    uint64_t n = args->len - done < sizeof chunk ? args->len - done : sizeof chunk;
    vmo_read(vmo, args->offset + done, chunk, n);
    user_copy_out(caller, args->buf + done, chunk, n);
    done += n;
  }
  return (int64_t)args->len;
}

int64_t sys_vmo_write_invoke(thread_t *caller, const sys_vmo_write_args_t *args) {
  vmo_t *vmo = syscall_object(caller, args->vmo);
  char chunk[VMO_IO_CHUNK];
  for (uint64_t done = 0; done < args->len;) {
    uint64_t n = args->len - done < sizeof chunk ? args->len - done : sizeof chunk;
    user_copy_in(caller, chunk, args->buf + done, n);
    vmo_write(vmo, args->offset + done, chunk, n);
    done += n;
  }
  return (int64_t)args->len;
}

/* The request its decode checked (thread_t.decoded); fails only for the
 * kernel's own memory (NX_ERR_NO_MEMORY, nothing changed). */
int64_t sys_vmo_map_invoke(thread_t *caller, const sys_vmo_map_args_t *args) {
  (void)args;
  return vmo_map_apply(&caller->decoded.map, 0, 0);
}

int64_t sys_vmo_unmap_invoke(thread_t *caller, const sys_vmo_unmap_args_t *args) {
  int err = vmo_unmap_at(&caller->task->vmos, args->va, 0);
  kobject_fence_all();
  task_sweep_dead();
  return err;
}

/* ---- IPC ---- */

void syscall_msg_to_ipc(const thread_t *caller, const uint64_t w[4], uint64_t info,
                        ipc_msg_t *out) {
  for (uint32_t i = 0; i < NX_MSG_WORDS; i++) out->words[i] = w[i];
  out->word_count = NX_MSG_WORDS;
  out->handle_count = (uint32_t)(info & 0xff);
  out->buf_len = (uint32_t)(info >> NX_MSG_INFO_BYTES_SHIFT);
  for (uint32_t i = 0; i < out->handle_count; i++) out->handles[i] = caller->send_handles[i];
}

int syscall_msg_deliver(thread_t *caller, const ipc_msg_t *m) {
  uint64_t *regs = caller->frame->a;
  for (uint32_t i = 0; i < NX_MSG_WORDS; i++) regs[1 + i] = i < m->word_count ? m->words[i] : 0;
  regs[5] = m->handle_count | ((uint64_t)caller->ipc_buf_got << NX_MSG_INFO_BYTES_SHIFT);
  if (!m->handle_count) return NX_OK;
  uint64_t at = caller->ipc_buffer + NX_IPC_BUFFER_HANDLES;
  uint64_t len = m->handle_count * sizeof(nx_handle_t);
  if (user_range_check(caller, at, len, SV39_ACCESS_WRITE) != NX_OK) return NX_ERR_BAD_ADDRESS;
  nx_handle_t values[NX_MSG_HANDLES];
  for (uint32_t i = 0; i < m->handle_count; i++) values[i] = m->handles[i];
  user_copy_out(caller, at, values, len);
  return NX_OK;
}

void syscall_ipc_complete(thread_t *t, int result) {
  int64_t a0 = result;
  if (result == NX_OK) {
    int err = syscall_msg_deliver(t, &t->ipc.msg);
    a0 = err != NX_OK ? err : t->ipc_receiving ? (int64_t)t->ipc.recv_badge : 0;
  }
  t->frame->a[0] = (uint64_t)a0;
}

int64_t sys_ipc_call_invoke(thread_t *caller, const sys_ipc_call_args_t *args) {
  handle_slot_t *s = syscall_slot(caller, args->ep);
  kendpoint_t *ep = (kendpoint_t *)s->object;
  ipc_msg_t m;
  syscall_msg_to_ipc(caller, WORDS(args), args->info, &m);
  caller->ipc_buf_got = 0;
  caller->ipc_receiving = false;
  ipc_thread_t *server;
  int err = ipc_call(&ep->ep, &caller->ipc, s->badge, &m, &server);
  if (err < 0) return err;
  /* The module's fastpath (ipc_call_fast) named the server, whose receive
   * completes in its saved registers: it runs at once, in user mode. */
  if (server) syscall_call_handoff(THREAD_OF(server, ipc), s->badge, &m);
  thread_block_ipc(); /* the reply (or an error) completes the call */
}

/* A receive that took a call at once: its results, and a reply it sent may
 * have readied a more urgent thread. */
static int64_t received_now(thread_t *caller) {
  syscall_ipc_complete(caller, NX_OK);
  int64_t a0 = (int64_t)caller->frame->a[0];
  kernel_preempt_check();
  return a0;
}

int64_t sys_ipc_recv_invoke(thread_t *caller, const sys_ipc_recv_args_t *args) {
  kendpoint_t *ep = syscall_object(caller, args->ep);
  caller->ipc_buf_got = 0;
  caller->ipc_receiving = true;
  int err = ipc_receive(&ep->ep, &caller->ipc);
  if (err == IPC_PENDING) thread_block_ipc();
  return err != NX_OK ? err : received_now(caller);
}

int64_t sys_ipc_reply_invoke(thread_t *caller, const sys_ipc_reply_args_t *args) {
  ipc_msg_t m;
  syscall_msg_to_ipc(caller, WORDS(args), args->info, &m);
  int err = ipc_reply(&kernel.ipc, &caller->ipc, &m);
  if (err == NX_OK) kernel_preempt_check();
  return err;
}

int64_t sys_ipc_reply_recv_invoke(thread_t *caller, const sys_ipc_reply_recv_args_t *args) {
  kendpoint_t *ep = syscall_object(caller, args->ep);
  ipc_msg_t m;
  syscall_msg_to_ipc(caller, WORDS(args), args->info, &m);
  if (!args->info) syscall_reply_recv_fast(caller, ep, &m);
  caller->ipc_buf_got = 0;
  caller->ipc_receiving = true;
  int err = ipc_reply_recv(&ep->ep, &caller->ipc, &m);
  if (err == IPC_PENDING) thread_block_ipc();
  return err != NX_OK ? err : received_now(caller);
}

int64_t sys_endpoint_create_invoke(thread_t *caller) {
  if (!handle_table_free_slots(&caller->task->handles)) return NX_ERR_NO_MEMORY;
  kendpoint_t *ep;
  int err = kendpoint_create(&caller->task->quota, &ep);
  return err != NX_OK ? err : hand_out(caller, &ep->ep.obj, NX_DEFAULT_RIGHTS_ENDPOINT);
}

/* ---- Channels ---- */

int64_t sys_channel_create_invoke(thread_t *caller, const sys_channel_create_args_t *args) {
  kchannel_t *ch;
  int err = kchannel_create(&caller->task->quota, args->depth, &ch);
  return err != NX_OK ? err : hand_out(caller, &ch->ch.obj, NX_DEFAULT_RIGHTS_CHANNEL);
}

int64_t sys_channel_send_invoke(thread_t *caller, const sys_channel_send_args_t *args) {
  kchannel_t *ch = syscall_object(caller, args->ch);
  ipc_msg_t m;
  syscall_msg_to_ipc(caller, WORDS(args), args->info, &m);
  int err = ipc_channel_send(&ch->ch, &caller->task->handles, &m);
  if (err == NX_OK && ch->bound) {
    notification_signal(ch->bound, ch->bit);
    kernel_preempt_check();
  }
  return err;
}

int64_t sys_channel_recv_invoke(thread_t *caller, const sys_channel_recv_args_t *args) {
  kchannel_t *ch = syscall_object(caller, args->ch);
  ipc_msg_t m;
  int err = ipc_channel_receive(&ch->ch, &caller->task->handles, &m);
  if (err != NX_OK) return err;
  caller->ipc_buf_got = 0;
  return syscall_msg_deliver(caller, &m);
}

int64_t sys_channel_bind_invoke(thread_t *caller, const sys_channel_bind_args_t *args) {
  kchannel_bind(syscall_object(caller, args->ch), syscall_object(caller, args->n), args->bit);
  return NX_OK;
}

/* ---- Notifications, wait sets, interrupts ---- */

int64_t sys_notification_create_invoke(thread_t *caller) {
  if (!handle_table_free_slots(&caller->task->handles)) return NX_ERR_NO_MEMORY;
  knotification_t *n;
  int err = knotification_create(&caller->task->quota, &n);
  return err != NX_OK ? err : hand_out(caller, &n->n.obj, NX_DEFAULT_RIGHTS_NOTIFICATION);
}

int64_t sys_notification_signal_invoke(thread_t *caller,
                                       const sys_notification_signal_args_t *args) {
  notification_t *n = syscall_object(caller, args->n);
  /* The common case of a signal that wakes a more urgent thread: the one
   * waiter it completes runs at once, without a trip through the run queue
   * or a scheduler pass. */
  notify_waiter_t *w = notification_direct_waiter(n, args->bits);
  thread_t *woken = w ? THREAD_OF(w, waiter) : 0;
  if (woken && sched_wake_would_preempt(&kernel.sched, &caller->sched, &woken->sched)) {
    notification_signal_to(n, args->bits, w);
    caller->frame->a[0] = NX_OK; /* the signal is done: its continuation's result */
    thread_run_woken(woken);
  }
  notification_signal(n, args->bits);
  kernel_preempt_check(); /* a more urgent waiter runs now */
  return NX_OK;
}

uint64_t syscall_ns_to_ticks(uint64_t ns) {
  uint64_t hz = kernel.platform.timebase_hz;
  uint64_t t = (ns / 1000000000ull) * hz + (ns % 1000000000ull) * hz / 1000000000ull;
  return (ns % 1000000000ull) * hz % 1000000000ull ? t + 1 : t;
}

/* The notify module's deadline for a syscall's: POLL for one that has
 * passed (or 0), NEVER for NX_DEADLINE_NEVER, else timer ticks. Not
 * inlined: the two waits share it. */
__attribute__((noinline)) static uint64_t wait_deadline(uint64_t deadline_ns) {
  if (deadline_ns == NX_DEADLINE_NEVER) return NOTIFY_DEADLINE_NEVER;
  uint64_t ticks = syscall_ns_to_ticks(deadline_ns);
  return ticks <= kernel_now() ? NOTIFY_DEADLINE_POLL : ticks;
}

/* A wait on `obj` (a notification or a wait set): holds a reference on it
 * meanwhile, which a thread ended mid-wait drops (detach), so closing the
 * last handle cannot free what it waits on and killing it leaks nothing.
 * `bits_out`: where a wait set's wait puts the bits (0 for a notification,
 * whose wait returns them). */
static void hold_for_wait(thread_t *caller, object_t *obj, uint64_t bits_out) {
  object_retain(obj);
  caller->wait_hold = obj;
  caller->wait_bits_out = bits_out;
}

/* The end of a wait whose outcome the notify module gave `err` (the
 * waiter's result): lets go of what hold_for_wait() held and returns the
 * syscall's result: the bits taken from a notification; for a wait set
 * the slot that took them, the bits copied out to wait_bits_out. */
static int64_t end_wait(thread_t *t, int err) {
  object_t *held = t->wait_hold;
  bool on_set = held->type == OBJ_WAITSET;
  t->wait_hold = 0;
  object_drop(held);
  if (err != NX_OK) return err;
  if (!on_set) return (int64_t)t->waiter.bits;
  if (user_range_check(t, t->wait_bits_out, sizeof(uint64_t), SV39_ACCESS_WRITE) != NX_OK) {
    return NX_ERR_BAD_ADDRESS;
  }
  user_copy_out(t, t->wait_bits_out, &t->waiter.bits, sizeof(uint64_t));
  return t->waiter.index;
}

/* A wait that blocked does not come back here: it leaves a continuation
 * (thread_block_wait), and whichever thread ends up running it, its own
 * wait_resume completes the syscall (below), on whatever stopped the wait.
 * Not inlined: the two waits share it (and end_wait, which
 * syscall_wait_complete keeps inline, as the wake-up path). */
__attribute__((noinline)) static int64_t wait_or_block(thread_t *caller, int err) {
  if (err == NOTIFY_BLOCKED) thread_block_wait();
  return end_wait(caller, err);
}

void syscall_wait_cancel(thread_t *t) {
  if (t->waiter.state == NOTIFY_WAITER_WAITING) notify_waiter_cancel(&t->waiter);
  if (t->wait_hold) { /* after the cancel: the object is no longer waited on */
    object_drop(t->wait_hold);
    t->wait_hold = 0;
  }
}

void syscall_wait_complete(thread_t *t) {
  /* Still queued: it runs because its deadline passed. */
  if (t->waiter.state == NOTIFY_WAITER_WAITING) notify_waiter_timeout(&t->waiter);
  t->frame->a[0] = (uint64_t)end_wait(t, t->waiter.result);
}

int64_t sys_notification_wait_invoke(thread_t *caller, const sys_notification_wait_args_t *args) {
  notification_t *n = syscall_object(caller, args->n);
  hold_for_wait(caller, &n->obj, 0);
  return wait_or_block(
      caller, notification_wait(n, &caller->waiter, args->mask, wait_deadline(args->deadline_ns)));
}

int64_t sys_waitset_create_invoke(thread_t *caller) {
  if (!handle_table_free_slots(&caller->task->handles)) return NX_ERR_NO_MEMORY;
  kwaitset_t *ws;
  int err = kwaitset_create(&caller->task->quota, &ws);
  return err != NX_OK ? err : hand_out(caller, &ws->ws.obj, NX_DEFAULT_RIGHTS_WAITSET);
}

int64_t sys_waitset_add_invoke(thread_t *caller, const sys_waitset_add_args_t *args) {
  notification_t *n = syscall_object(caller, args->n);
  int slot = waitset_add(syscall_object(caller, args->ws), n, args->mask);
  if (slot >= 0) object_retain(&n->obj); /* the entry's reference */
  return slot;
}

int64_t sys_waitset_remove_invoke(thread_t *caller, const sys_waitset_remove_args_t *args) {
  waitset_t *ws = syscall_object(caller, args->ws);
  notification_t *n = ws->slots[args->slot].n;
  waitset_remove(ws, args->slot);
  object_drop(&n->obj);
  return NX_OK;
}

int64_t sys_waitset_wait_invoke(thread_t *caller, const sys_waitset_wait_args_t *args) {
  waitset_t *ws = syscall_object(caller, args->ws);
  hold_for_wait(caller, &ws->obj, args->bits);
  return wait_or_block(caller, waitset_wait(ws, &caller->waiter, wait_deadline(args->deadline_ns)));
}

int64_t sys_interrupt_bind_invoke(thread_t *caller, const sys_interrupt_bind_args_t *args) {
  kinterrupt_t *irq = syscall_object(caller, args->irq);
  notification_t *n = syscall_object(caller, args->n);
  int err = interrupt_bind(irq_controller(), &irq->intr, irq->line, n, args->bit);
  if (err == NX_OK) {
    object_retain(&n->obj);       /* held while bound */
    irq->bound_by = caller->task; /* the binding ends with it */
  }
  return err;
}

int64_t sys_interrupt_ack_invoke(thread_t *caller, const sys_interrupt_ack_args_t *args) {
  kinterrupt_t *irq = syscall_object(caller, args->irq);
  return interrupt_ack(&irq->intr);
}

/* ---- Tasks and threads ---- */

int64_t sys_task_create_invoke(thread_t *caller, const sys_task_create_args_t *args) {
  char name[NX_TASK_NAME_MAX];
  user_copy_in(caller, name, args->name, args->name_len);
  bootfs_entry_t e;
  syscall_find_program(syscall_object(caller, args->bootfs), name, args->name_len, &e);
  const char *why;
  task_t *task;
  int err = task_create(name, args->name_len, e.data, e.size, args->priority, &caller->task->quota,
                        args->quota_pages, &why, &task);
  if (err != NX_OK) return err;
  return hand_out(caller, &task->obj, NX_DEFAULT_RIGHTS_TASK);
}

int64_t sys_task_give_invoke(thread_t *caller, const sys_task_give_args_t *args) {
  (void)args;
  return (int64_t)cap_derive_apply(&caller->decoded.cap_plan);
}

int64_t sys_task_start_invoke(thread_t *caller, const sys_task_start_args_t *args) {
  nx_start_info_t info;
  user_copy_in(caller, &info, args->info, sizeof info);
  int err = task_start(syscall_object(caller, args->task), &info);
  /* Its first thread may be more urgent than the caller, or its peer. */
  if (err == NX_OK) kernel_preempt_check();
  return err;
}

int64_t sys_task_watch_invoke(thread_t *caller, const sys_task_watch_args_t *args) {
  task_watch(syscall_object(caller, args->task), syscall_object(caller, args->n), args->bit);
  return NX_OK;
}

int64_t sys_task_exit_status_invoke(thread_t *caller, const sys_task_exit_status_args_t *args) {
  const task_t *task = syscall_object(caller, args->task);
  return (int64_t)(((uint64_t)task->exit_code & 0xff) | (task->faulted ? NX_TASK_FAULTED : 0));
}

_Static_assert(TASK_NEW == NX_TASK_STATE_NEW && TASK_RUNNING == NX_TASK_STATE_RUNNING &&
                   TASK_DEAD == NX_TASK_STATE_ENDED,
               "task_info reports task_state_t as it is");

int64_t sys_task_info_invoke(thread_t *caller, const sys_task_info_args_t *args) {
  const task_t *task = syscall_object(caller, args->task);
  nx_task_info_t info = {
      .state = task->state,
      .threads = task->live_threads,
      .handles = task->handles.used,
      .pages_used = quota_used(&task->quota),
      .pages_quota = quota_limit(&task->quota),
  };
  sys_task_info_set_out(caller->frame->a, &info);
  return NX_OK;
}

int64_t sys_task_handle_info_invoke(thread_t *caller, const sys_task_handle_info_args_t *args) {
  const task_t *task = syscall_object(caller, args->task);
  uint32_t cursor = 0;
  const handle_slot_t *s = handle_table_next(&task->handles, &cursor);
  for (uint32_t i = 0; i < args->nth; i++) s = handle_table_next(&task->handles, &cursor);
  nx_handle_info_t info = {
      .handle = handle_slot_value(s),
      .type = s->object->type,
      .rights = s->rights,
      .badge = s->badge,
  };
  sys_task_handle_info_set_out(caller->frame->a, &info);
  return NX_OK;
}

int64_t sys_task_kill_invoke(thread_t *caller, const sys_task_kill_args_t *args) {
  task_kill(syscall_object(caller, args->task), args->code);
  kernel_preempt_check(); /* its watcher and its IPC partners woke */
  return NX_OK;
}

int64_t sys_thread_set_ipc_buffer_invoke(thread_t *caller,
                                         const sys_thread_set_ipc_buffer_args_t *args) {
  caller->ipc_buffer = args->addr;
  /* The IPC fastpath's condition on the thread, kept where its entry reads
   * it (trap_frame.h). */
  caller->frame->ipc = args->addr ? (uint64_t)(uintptr_t)&caller->ipc : 0;
  return NX_OK;
}

int64_t sys_thread_create_invoke(thread_t *caller, const sys_thread_create_args_t *args) {
  thread_t *t;
  int err = thread_create(caller->task, args->entry, args->sp, args->arg, args->priority, &t);
  if (err != NX_OK) return err;
  uint64_t id = t->id;    /* the thread may run, and end, in the check below */
  kernel_preempt_check(); /* it may be the caller's peer */
  return (int64_t)id;
}
