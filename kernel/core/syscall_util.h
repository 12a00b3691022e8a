/*
 * What the syscall decoders and invokers of the core share (private to
 * kernel/core).
 */
#ifndef KERNEL_CORE_SYSCALL_UTIL_H
#define KERNEL_CORE_SYSCALL_UTIL_H

#include "neuron/bootfs.h"
#include "neuron/errors.h"
#include "neuron/handle_table.h"
#include "neuron/ipc.h"
#include "neuron/ipc_msg.h"
#include "neuron/syscall_numbers.h"
#include "neuron/task.h"
#include "neuron/vmo.h"

/* A handle argument: live, of the syscall's object type, with its rights;
 * the object in `out`. (handle_lookup_slot is the lookup that compiles to
 * a leaf; the object is one load away.) */
#define LOOKUP(caller, value, type, rights, out)                                                \
  do {                                                                                          \
    handle_slot_t *slot_;                                                                       \
    int err_ = handle_lookup_slot(&(caller)->task->handles, (value), (type), (rights), &slot_); \
    if (err_ != NX_OK) return err_;                                                             \
    *(out) = (void *)slot_->object;                                                             \
  } while (0)

/* The object a handle the decoder accepted names (the invoker's side: it
 * cannot fail, nothing changed since). */
static inline void *syscall_object(const thread_t *caller, nx_handle_value_t h) {
  return caller->task->handles.slots[h & ((1u << HANDLE_SLOT_BITS) - 1)].object;
}

/* The capability a handle the decoder accepted names. */
static inline handle_slot_t *syscall_slot(const thread_t *caller, nx_handle_value_t h) {
  return &caller->task->handles.slots[h & ((1u << HANDLE_SLOT_BITS) - 1)];
}

/* Exactly one signal bit. */
static inline bool one_signal_bit(uint64_t bit) {
  return bit && !(bit & (bit - 1)) && (bit & NX_SIGNAL_BITS);
}

/* A mask of signal bits. */
static inline bool signal_mask_ok(uint64_t mask) { return mask && !(mask & ~NX_SIGNAL_BITS); }

/* Checks a message's info word and its parts in the caller's IPC buffer
 * (which it must have): counts (NX_ERR_OUT_OF_RANGE; bytes only if
 * `bytes_ok`), the ranges; copies the handles it sends into
 * caller->send_handles. */
int syscall_msg_parts_decode(thread_t *caller, uint64_t info, bool bytes_ok);

/* The same, with a words-only message (info 0: no parts to check) decided
 * in place; the rest is one shared call (inlined, it was 176 bytes of each
 * of the four IPC decoders). */
static inline int syscall_msg_decode(thread_t *caller, uint64_t info, bool bytes_ok) {
  if (info == 0) return caller->ipc_buffer ? NX_OK : NX_ERR_INVALID_ARGS;
  return syscall_msg_parts_decode(caller, info, bytes_ok);
}

/* The IPC module's message for words w[0..3] and `info` (decoded). */
void syscall_msg_to_ipc(const thread_t *caller, const uint64_t w[4], uint64_t info, ipc_msg_t *out);

/* Hands received message `m` to the caller: its words and info (handle
 * count, and the bytes that arrived, caller->ipc_buf_got) in the caller's
 * saved a1..a5, its handles' values in the caller's IPC buffer.
 * NX_ERR_BAD_ADDRESS if that buffer went away while the caller was
 * blocked (the handles are in its table all the same). */
int syscall_msg_deliver(thread_t *caller, const ipc_msg_t *m);

/* Completes the IPC syscall `t` is blocked in, with `result`: on NX_OK
 * delivers its message (syscall_msg_deliver) and puts its receive's badge
 * (or a call's 0) in its saved a0; otherwise the error. It returns to user
 * mode with that when it runs. */
void syscall_ipc_complete(thread_t *t, int result);

/* The boot archive entry of program app/<name> in the boot archive VMO:
 * NX_ERR_NOT_SUPPORTED for a VMO that is not one block of memory,
 * NX_ERR_BAD_FORMAT if it holds no valid archive, NX_ERR_NOT_FOUND. */
int syscall_find_program(const vmo_t *bootfs, const char *name, size_t name_len,
                         bootfs_entry_t *out);

/* Nanoseconds on the clock_get clock to timer ticks, rounded up so that a
 * wait never ends early. */
uint64_t syscall_ns_to_ticks(uint64_t ns);

#endif
