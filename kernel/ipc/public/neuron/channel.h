/*
 * Channels: an asynchronous, bounded queue of messages, for a sender that
 * must never block on its receiver (a server notifying a client, a driver
 * posting completions).
 *
 * A channel message is words and handles only (no buffer: nothing is copied
 * between address spaces while both sides run; bulk data goes through a
 * VMO whose handle travels in the message).
 *   - send never blocks: a full queue is NX_ERR_BUSY ("try again later"),
 *     and nothing changed (no handle moved).
 *   - receive takes the oldest message (FIFO); an empty queue is
 *     NX_ERR_NOT_FOUND ("no message"). A waiting receiver learns that a
 *     message arrived from a notification, not from the channel.
 *   - Handles are MOVED into the channel's own holding table on send (so a
 *     sender cannot use or close them while they are in flight, and a
 *     revoke of an ancestor still reaches them), and moved out into the
 *     receiver's table on receive, both all or none with the two-phase
 *     cap_transfer API. If the receiver's table cannot take them all, the
 *     receive fails and the message stays at the head. A held handle that
 *     was revoked while in flight is dropped from the message (the others
 *     arrive, in order, and handle_count says how many).
 *   - Destroying the channel closes every handle still held, so nothing
 *     leaks: each capability goes the way a close goes (on_cap_removed, its
 *     reference dropped).
 *
 * Storage is the caller's: a ring of `depth` message slots and one handle
 * table (HANDLE_TABLE_SLOTS capabilities; a send that would overflow it is
 * NX_ERR_NO_MEMORY). The holding table is the channel's alone.
 */
#ifndef NEURON_CHANNEL_H
#define NEURON_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "neuron/handle_table.h"
#include "neuron/ipc.h"
#include "neuron/object.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read-only outside kernel/ipc. */
typedef struct ipc_channel {
  object_t obj; /* first: type OBJ_CHANNEL */
  ipc_system_t *sys;
  ipc_msg_t *ring;         /* depth slots; handles are values in `holding` */
  handle_table_t *holding; /* the capabilities in flight */
  uint32_t depth, head, count;
  bool closed;
} ipc_channel_t;

/* An open, empty channel over `ring` (depth slots, depth > 0) and the
 * holding table `holding` (initialized here). NX_ERR_INVALID_ARGS for NULL
 * arguments or depth 0. */
int ipc_channel_init(ipc_channel_t *ch, ipc_system_t *sys, ipc_msg_t *ring, uint32_t depth,
                     handle_table_t *holding);

/* Queues `msg` (words and handles; buf_len must be 0, else
 * NX_ERR_OUT_OF_RANGE, as for too many words or handles), moving its
 * handles from `from` into the holding table. Errors, with nothing changed:
 * NX_ERR_INVALID_ARGS (NULL, a duplicate handle), NX_ERR_OUT_OF_RANGE,
 * NX_ERR_BAD_HANDLE (closed channel, or a bad handle), NX_ERR_BUSY (full),
 * NX_ERR_NO_MEMORY (holding table full), the handles' own errors. */
int ipc_channel_send(ipc_channel_t *ch, handle_table_t *from, const ipc_msg_t *msg);

/* Takes the oldest message into *out, its handles moved into `to` (their
 * new values in out->handles). NX_ERR_NOT_FOUND when empty,
 * NX_ERR_BAD_HANDLE when closed, NX_ERR_NO_MEMORY when `to` lacks room
 * (the message stays queued). */
int ipc_channel_receive(ipc_channel_t *ch, handle_table_t *to, ipc_msg_t *out);

/* Messages queued. */
uint32_t ipc_channel_count(const ipc_channel_t *ch);

/* Closes the channel: every queued message is discarded and every handle
 * it held is closed; the holding table is empty afterwards (its storage may
 * be reused). Later sends and receives fail with NX_ERR_BAD_HANDLE.
 * Destroying twice does nothing. */
void ipc_channel_destroy(ipc_channel_t *ch);

#ifdef __cplusplus
}
#endif

#endif
