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
 * the object in `out`. */
#define LOOKUP(caller, value, object, rights, out)                                                \
  do {                                                                                            \
    int err_ =                                                                                    \
        handle_lookup(&(caller)->task->handles, (value), (object), (rights), (object_t **)(out)); \
    if (err_ != NX_OK) return err_;                                                               \
  } while (0)

/* The object a handle the decoder accepted names (the invoker's side: it
 * cannot fail, nothing changed since). */
static inline void *syscall_object(const thread_t *caller, nx_handle_value_t h) {
  return caller->task->handles.slots[h & 0xffffu].object;
}

/* The capability a handle the decoder accepted names. */
static inline handle_slot_t *syscall_slot(const thread_t *caller, nx_handle_value_t h) {
  return &caller->task->handles.slots[h & 0xffffu];
}

/* Exactly one signal bit. */
static inline bool one_signal_bit(uint64_t bit) {
  return bit && !(bit & (bit - 1)) && (bit & NX_SIGNAL_BITS);
}

/* A mask of signal bits. */
static inline bool signal_mask_ok(uint64_t mask) { return mask && !(mask & ~NX_SIGNAL_BITS); }

/* Reads the nx_msg_t at `addr` (checked to be readable, and writable too if
 * `writable`) into caller->msg_in and checks what the kernel will do with
 * it: the counts (NX_ERR_OUT_OF_RANGE) and the buffer ranges. */
int syscall_msg_decode(thread_t *caller, uint64_t addr, bool writable);

/* The IPC module's message for caller->msg_in. */
void syscall_msg_to_ipc(const thread_t *caller, ipc_msg_t *out);

/* Writes `m` (received; its buffer bytes counted in caller->ipc_buf_got) to
 * the nx_msg_t at `addr`, with `badge`. NX_ERR_BAD_ADDRESS if the caller's
 * memory there went away while it was blocked. */
int syscall_msg_deliver(thread_t *caller, uint64_t addr, const ipc_msg_t *m, uint64_t badge);

/* The boot archive entry of program app/<name> in the boot archive VMO:
 * NX_ERR_NOT_SUPPORTED for a VMO that is not one block of memory,
 * NX_ERR_BAD_FORMAT if it holds no valid archive, NX_ERR_NOT_FOUND. */
int syscall_find_program(const vmo_t *bootfs, const char *name, size_t name_len,
                         bootfs_entry_t *out);

/* Nanoseconds on the clock_get clock to timer ticks, rounded up so that a
 * wait never ends early. */
uint64_t syscall_ns_to_ticks(uint64_t ns);

#endif
