/*
 * The NEURON user runtime: program start (crt0.S calls nx_runtime_start,
 * which sets up the first thread and calls nx_main(start)) and small
 * helpers shared by every user program.
 */
#ifndef NEURON_RUNTIME_H
#define NEURON_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/syscalls.h"

/* Every program's entry: `start` holds the handles and values it was
 * started with (its debug log, and what the kernel or its creator passed). */
int nx_main(const nx_start_info_t *start);

/* A thread's IPC buffer (thread_set_ipc_buffer): where the handles and
 * bytes of its messages go, beside the words that travel in registers. */
typedef struct nx_ipc_buffer {
  nx_handle_t handles[NX_MSG_HANDLES];
  uint8_t reserved[NX_IPC_BUFFER_BYTES - NX_MSG_HANDLES * sizeof(nx_handle_t)];
  uint8_t bytes[NX_MSG_BUF_MAX];
} __attribute__((aligned(64))) nx_ipc_buffer_t;

_Static_assert(offsetof(nx_ipc_buffer_t, handles) == NX_IPC_BUFFER_HANDLES, "IPC buffer layout");
_Static_assert(offsetof(nx_ipc_buffer_t, bytes) == NX_IPC_BUFFER_BYTES, "IPC buffer layout");
_Static_assert(sizeof(nx_ipc_buffer_t) == NX_IPC_BUFFER_SIZE, "IPC buffer layout");

/* The first thread's IPC buffer (set up before nx_main runs). A thread made
 * with nx_thread_create sets its own before its first IPC syscall; it has
 * no thread-local storage (tp is 0), so it must not call what uses errno:
 * start threads with nx_thread_start. */
extern nx_ipc_buffer_t nx_main_ipc_buffer;

/* A message's info word (NX_MSG_INFO_BYTES_SHIFT): `handles` handles and
 * `bytes` bytes in the sender's IPC buffer. */
static inline uint64_t nx_msg_info(uint32_t handles, uint32_t bytes) {
  return handles | ((uint64_t)bytes << NX_MSG_INFO_BYTES_SHIFT);
}
static inline uint32_t nx_msg_handles(uint64_t info) { return (uint32_t)(info & 0xff); }
static inline uint32_t nx_msg_bytes(uint64_t info) {
  return (uint32_t)(info >> NX_MSG_INFO_BYTES_SHIFT);
}

/* The least stack a thread started by nx_thread_start has for its own
 * frames. */
#define NX_THREAD_STACK_MIN 1024

/* Starts a thread of this task that runs entry(arg), with `stack_size`
 * bytes at `stack` as its stack and `ipc` as its IPC buffer (both must stay
 * valid until it ends, and belong to it alone), at `priority` (at most the
 * task's). The top of the stack holds the thread's thread-local storage
 * block (a copy of the program's initial one: its own errno, for one) and
 * what it starts with. The thread ends when entry returns. Returns the
 * thread's id, or NX_ERR_INVALID_ARGS (no entry, stack or buffer, a stack
 * without NX_THREAD_STACK_MIN bytes below that), or what thread_create
 * refused. */
int64_t nx_thread_start(void (*entry)(void *arg), void *arg, void *stack, size_t stack_size,
                        nx_ipc_buffer_t *ipc, uint32_t priority);

/* The calling thread's IPC buffer: the first thread's, or the one
 * nx_thread_start was given (in thread-local storage: one load). A thread
 * without thread-local storage gets the first thread's. */
nx_ipc_buffer_t *nx_ipc_buffer_self(void);

/* Sets up the first thread, with `tls` as its thread-local storage block,
 * and runs nx_main (crt0.S calls it). */
__attribute__((noreturn)) void nx_runtime_start(const nx_start_info_t *start, void *tls);

/* Ends the task with `code`. */
__attribute__((noreturn)) void nx_runtime_exit(int64_t code);

/* Writes a NUL-terminated string to the debug log (at most 256 bytes a call). */
int64_t nx_log_str(nx_handle_t log, const char *s);

/* Reads the instruction counter (exact under QEMU -icount shift=0). */
static inline uint64_t nx_rdinstret(void) {
  uint64_t v;
  __asm__ volatile("rdinstret %0" : "=r"(v));
  return v;
}

#endif
