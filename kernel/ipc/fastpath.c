/*
 * The call and reply fastpaths (conditions and hand-off in
 * neuron/fastpath.h). They touch only the two threads and the endpoint's
 * server queue: no handle table, no copy callback, no block or wake
 * callback (the reply may end an inherited priority), which is what lets
 * the kernel run them with a direct context switch.
 */
#include "neuron/fastpath.h"

#include "kernel/ipc/ipc_internal.h"
#include "neuron/errors.h"

ipc_fast_verdict_t ipc_fastpath_check(const ipc_endpoint_t *ep, const ipc_thread_t *caller,
                                      const ipc_msg_t *msg) {
  if (!ep || !caller || !msg || caller->state != IPC_IDLE) return IPC_FAST_INVALID;
  if (ep->closed) return IPC_FAST_CLOSED;
  const ipc_thread_t *server = ep->servers.head;
  if (!server) return IPC_FAST_NO_SERVER;
  if (msg->buf_len != 0 || msg->word_count > IPC_MSG_WORDS) return IPC_FAST_BUFFER;
  if (msg->handle_count != 0) return IPC_FAST_HANDLES;
  /* A waiting server owes no reply, so its prio is its own. */
  if (server->prio < caller->prio) return IPC_FAST_PRIORITY;
  return IPC_FAST_OK;
}

ipc_thread_t *ipc_call_fast(ipc_endpoint_t *ep, ipc_thread_t *caller, uint64_t badge,
                            const ipc_msg_t *msg) {
  if (ipc_fastpath_check(ep, caller, msg) != IPC_FAST_OK) return 0;
  ipc_thread_t *server = ep->servers.head;
  /* Unlink the head: the O(1) special case of the queue's removal. */
  ep->servers.head = server->next;
  if (server->next) {
    server->next->prev = 0;
  } else {
    ep->servers.tail = 0;
  }
  ep->servers.count--;
  server->next = 0;
  server->queued_on = 0;
  server->state = IPC_IDLE;

  for (uint32_t i = 0; i < msg->word_count; i++) server->msg.words[i] = msg->words[i];
  server->msg.word_count = msg->word_count;
  server->msg.buf_len = 0;
  server->msg.handle_count = 0;
  server->recv_badge = badge;
  caller->send_badge = badge;
  caller->state = IPC_REPLY_BLOCKED;
  caller->server = server;
  server->reply = IPC_REPLY_PENDING;
  server->caller = caller;
  ep->sys->counters.calls_fast++;
  return server;
}

ipc_reply_verdict_t ipc_reply_fast_check(const ipc_endpoint_t *ep, const ipc_thread_t *server,
                                         const ipc_msg_t *msg) {
  if (!ep || !server || !msg || server->state != IPC_IDLE) return IPC_REPLY_FAST_INVALID;
  if (ep->closed) return IPC_REPLY_FAST_CLOSED;
  if (server->reply != IPC_REPLY_PENDING) return IPC_REPLY_FAST_NO_CALLER;
  if (msg->buf_len != 0 || msg->word_count > IPC_MSG_WORDS) return IPC_REPLY_FAST_BUFFER;
  if (msg->handle_count != 0) return IPC_REPLY_FAST_HANDLES;
  if (ep->callers.head) return IPC_REPLY_FAST_QUEUED;
  return IPC_REPLY_FAST_OK;
}

ipc_thread_t *ipc_reply_recv_fast(ipc_endpoint_t *ep, ipc_thread_t *server, const ipc_msg_t *msg) {
  if (ipc_reply_fast_check(ep, server, msg) != IPC_REPLY_FAST_OK) return 0;
  ipc_thread_t *caller = server->caller;
  for (uint32_t i = 0; i < msg->word_count; i++) caller->msg.words[i] = msg->words[i];
  caller->msg.word_count = msg->word_count;
  caller->msg.buf_len = 0;
  caller->msg.handle_count = 0;
  caller->state = IPC_IDLE;
  caller->server = 0;
  server->caller = 0;
  server->reply = IPC_REPLY_NONE;
  ep->sys->counters.replies++;
  ep->sys->counters.replies_fast++;
  ipc_restore_priority(ep->sys, server);
  ipc_server_enqueue(ep, server);
  return caller;
}
