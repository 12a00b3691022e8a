/*
 * The IPC fastpath in front of the syscall dispatcher (seL4's design): for
 * ipc_call and ipc_reply_recv, trap.S calls syscall_fastpath() before
 * syscall_dispatch() (as it calls thread_yield_fast() for thread_yield). A words-only message whose
 * endpoint handle passes the one rights check (inline here) and whose other side is ready to take
 * it is handed over and the kernel switches straight to the other thread in user mode: no dispatch
 * table, no decode/invoke pair, no run queue, no kernel-stack unwinding. Anything else returns at
 * once, having changed nothing, and the full path handles the syscall (including every error, which
 * the fastpath never reports).
 */
#include "kernel/core/syscall_ipc_fast.h"
#include "kernel/core/syscall_util.h"
#include "neuron/kobject.h"
#include "neuron/syscall_decl.h"
#include "neuron/syscall_numbers.h"

void syscall_fastpath(thread_t *caller, uint64_t number, const uint64_t raw[6]);

void syscall_fastpath(thread_t *caller, uint64_t number, const uint64_t raw[6]) {
  bool call = number == NX_SYS_IPC_CALL;
  if ((!call && number != NX_SYS_IPC_REPLY_RECV) || raw[5] != 0 || raw[0] > UINT32_MAX ||
      !caller->ipc_buffer) {
    return;
  }
  handle_slot_t *s;
  uint32_t right = call ? SYS_IPC_CALL_EP_RIGHTS : SYS_IPC_REPLY_RECV_EP_RIGHTS;
  if (handle_lookup_slot_inline(&caller->task->handles, (nx_handle_value_t)raw[0], OBJ_ENDPOINT,
                                right, &s) != NX_OK) {
    return;
  }
  /* Only what the fast checks and the hand-off read (no handles, no bytes);
   * zeroing the whole message would cost more than the rest of this. */
  ipc_msg_t m;
  m.words[0] = raw[1];
  m.words[1] = raw[2];
  m.words[2] = raw[3];
  m.words[3] = raw[4];
  m.word_count = NX_MSG_WORDS;
  m.buf_len = 0;
  m.handle_count = 0;
  if (call) {
    syscall_call_fast(caller, s, &m);
  } else {
    syscall_reply_recv_fast(caller, (kendpoint_t *)s->object, &m);
  }
}
