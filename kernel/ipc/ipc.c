/*
 * What endpoints and channels share: the system and thread set-up, message
 * limits, and the all-or-nothing move of a message's capabilities.
 */
#include "neuron/ipc.h"

#include "kernel/ipc/ipc_internal.h"
#include "neuron/errors.h"
#include "neuron/rights.h"

int ipc_system_init(ipc_system_t *sys, const ipc_ops_t *ops, void *ctx) {
  if (!sys || !ops || !ops->block || !ops->wake || !ops->set_priority || !ops->restore_priority ||
      !ops->copy) {
    return NX_ERR_INVALID_ARGS;
  }
  sys->ops = ops;
  sys->ctx = ctx;
  sys->counters = (ipc_counters_t){0};
  return NX_OK;
}

int ipc_thread_init(ipc_thread_t *t, handle_table_t *table, unsigned prio) {
  if (!t || !table || prio > UINT8_MAX) return NX_ERR_INVALID_ARGS;
  *t = (ipc_thread_t){0};
  t->table = table;
  t->state = IPC_IDLE;
  t->reply = IPC_REPLY_NONE;
  t->base_prio = (uint8_t)prio;
  t->prio = (uint8_t)prio;
  return NX_OK;
}

int ipc_msg_validate(const ipc_msg_t *msg) {
  if (!msg) return NX_ERR_INVALID_ARGS;
  if (msg->word_count > IPC_MSG_WORDS || msg->buf_len > IPC_MSG_BUF_MAX ||
      msg->handle_count > IPC_MSG_HANDLES) {
    return NX_ERR_OUT_OF_RANGE;
  }
  return NX_OK;
}

void ipc_msg_copy_words(ipc_msg_t *dst, const ipc_msg_t *src) {
  for (uint32_t i = 0; i < src->word_count; i++) dst->words[i] = src->words[i];
  dst->word_count = src->word_count;
  dst->buf_len = src->buf_len;
}

int ipc_handles_precheck(const handle_table_t *src, const nx_handle_value_t *h, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    handle_slot_t *slot;
    int err = handle_lookup_slot(src, h[i], HANDLE_ANY_TYPE, NX_RIGHT_TRANSFER, &slot);
    if (err != NX_OK) return err;
    /* Two checks of one handle would both pass, then the second apply would
     * move a capability that is already gone. */
    for (uint32_t j = 0; j < i; j++) {
      if (h[j] == h[i]) return NX_ERR_INVALID_ARGS;
    }
  }
  return NX_OK;
}

int ipc_handles_check(handle_table_t *src, const nx_handle_value_t *h, uint32_t n,
                      handle_table_t *dst, cap_plan_t plans[IPC_MSG_HANDLES]) {
  if (n == 0) return NX_OK; /* most messages: no stack frame for them */
  int err = ipc_handles_precheck(src, h, n);
  if (err != NX_OK || src == dst) return err;
  /* Each cap_move_check sees the same free slot; all n need one each. */
  if (handle_table_free_slots(dst) < n) return NX_ERR_NO_MEMORY;
  for (uint32_t i = 0; i < n; i++) {
    err = cap_move_check(src, h[i], HANDLE_ANY_TYPE, dst, &plans[i]);
    if (err != NX_OK) return err;
  }
  return NX_OK;
}

void ipc_handles_apply(ipc_system_t *sys, handle_table_t *src, const nx_handle_value_t *h,
                       uint32_t n, handle_table_t *dst, const cap_plan_t plans[IPC_MSG_HANDLES],
                       nx_handle_value_t out[IPC_MSG_HANDLES]) {
  if (n == 0) return; /* most messages: no stack frame for them */
  for (uint32_t i = 0; i < n; i++) out[i] = src == dst ? h[i] : cap_move_apply(&plans[i]);
  sys->counters.handles_moved += n;
}
