/*
 * Channels: a ring of message slots plus a handle table that holds the
 * capabilities of queued messages (semantics in neuron/channel.h).
 *
 * Why a holding table rather than leaving handles in the sender's table
 * until receive: the sender would keep using (or closing) a capability it
 * has already given away, and a message's handles could go bad before
 * anyone read them. Moving them at send time makes "sent" final, and the
 * channel then owns them, so destroying it is the one place they can be
 * lost, and it closes them.
 */
#include "neuron/channel.h"

#include "kernel/ipc/ipc_internal.h"
#include "neuron/errors.h"

int ipc_channel_init(ipc_channel_t *ch, ipc_system_t *sys, ipc_msg_t *ring, uint32_t depth,
                     handle_table_t *holding) {
  if (!ch || !sys || !ring || !holding || depth == 0) return NX_ERR_INVALID_ARGS;
  *ch = (ipc_channel_t){0};
  ch->obj.type = OBJ_CHANNEL;
  ch->sys = sys;
  ch->ring = ring;
  ch->depth = depth;
  ch->holding = holding;
  handle_table_init(holding);
  return NX_OK;
}

int ipc_channel_send(ipc_channel_t *ch, handle_table_t *from, const ipc_msg_t *msg) {
  if (!ch || !from || !msg) return NX_ERR_INVALID_ARGS;
  int err = ipc_msg_validate(msg);
  if (err != NX_OK) return err;
  if (msg->buf_len != 0) return NX_ERR_OUT_OF_RANGE;
  if (ch->closed) return NX_ERR_BAD_HANDLE;
  if (ch->count == ch->depth) return NX_ERR_BUSY;
  cap_plan_t plans[IPC_MSG_HANDLES];
  err = ipc_handles_check(from, msg->handles, msg->handle_count, ch->holding, plans);
  if (err != NX_OK) return err;
  ipc_msg_t *slot = &ch->ring[(ch->head + ch->count) % ch->depth];
  ipc_msg_copy_words(slot, msg);
  ipc_handles_apply(ch->sys, from, msg->handles, msg->handle_count, ch->holding, plans,
                    slot->handles);
  slot->handle_count = msg->handle_count;
  ch->count++;
  return NX_OK;
}

/* A capability revoked while it was in flight is gone (or going) whatever
 * the receiver does; it is dropped from the message instead of failing
 * every later receive with it. The message keeps the others, in order. */
static void drop_revoked(handle_table_t *holding, ipc_msg_t *slot) {
  uint32_t kept = 0;
  for (uint32_t i = 0; i < slot->handle_count; i++) {
    handle_slot_t *s;
    if (handle_lookup_slot(holding, slot->handles[i], HANDLE_ANY_TYPE, 0, &s) == NX_OK) {
      slot->handles[kept++] = slot->handles[i];
    } else {
      (void)handle_close(holding, slot->handles[i]); /* still there if mid-revoke */
    }
  }
  slot->handle_count = kept;
}

int ipc_channel_receive(ipc_channel_t *ch, handle_table_t *to, ipc_msg_t *out) {
  if (!ch || !to || !out) return NX_ERR_INVALID_ARGS;
  if (ch->closed) return NX_ERR_BAD_HANDLE;
  if (ch->count == 0) return NX_ERR_NOT_FOUND;
  ipc_msg_t *slot = &ch->ring[ch->head];
  drop_revoked(ch->holding, slot);
  cap_plan_t plans[IPC_MSG_HANDLES];
  int err = ipc_handles_check(ch->holding, slot->handles, slot->handle_count, to, plans);
  if (err != NX_OK) return err;
  ipc_msg_copy_words(out, slot);
  ipc_handles_apply(ch->sys, ch->holding, slot->handles, slot->handle_count, to, plans,
                    out->handles);
  out->handle_count = slot->handle_count;
  ch->head = (ch->head + 1) % ch->depth;
  ch->count--;
  return NX_OK;
}

uint32_t ipc_channel_count(const ipc_channel_t *ch) { return ch ? ch->count : 0; }

void ipc_channel_destroy(ipc_channel_t *ch) {
  if (!ch || ch->closed) return;
  ch->closed = true;
  for (; ch->count; ch->count--) {
    ipc_msg_t *slot = &ch->ring[ch->head];
    /* A held capability may have been revoked meanwhile (the revoke already
     * removed it, and closing its stale value is refused): nothing to do
     * for it then. */
    for (uint32_t i = 0; i < slot->handle_count; i++)
      (void)handle_close(ch->holding, slot->handles[i]);
    slot->handle_count = 0;
    ch->head = (ch->head + 1) % ch->depth;
  }
}
