/*
 * Threads of a program (neuron/runtime.h): nx_thread_start() runs a
 * function on a new kernel thread with a stack and an IPC buffer the caller
 * provides (static arrays, usually: the runtime has no allocator). The
 * runtime records each thread's stack range, so nx_ipc_buffer_self() finds
 * the calling thread's IPC buffer from its stack pointer. That needs no
 * thread pointer: tp stays free for picolibc's thread-local storage.
 */
#include <stdbool.h>

#include "neuron/runtime.h"

/* The threads started here that have not ended: a stack range and its IPC
 * buffer each. A free record has ipc == NULL. */
typedef struct thread_record {
  uintptr_t stack_lo, stack_hi;
  nx_ipc_buffer_t *ipc;
  void (*entry)(void *arg);
  void *arg;
} thread_record_t;

static thread_record_t g_threads[NX_THREADS_MAX];
/* Records in use: while none is, every caller is the first thread, and
 * nx_ipc_buffer_self (on every IDL call) skips the search. */
static uint32_t g_live;

/* Every thread started by nx_thread_start begins here, a0 = its record. */
static void thread_main(uint64_t record) {
  thread_record_t *t = (thread_record_t *)(uintptr_t)record;
  nx_thread_set_ipc_buffer((uintptr_t)t->ipc);
  t->entry(t->arg);
  __atomic_sub_fetch(&g_live, 1, __ATOMIC_RELEASE);
  __atomic_store_n(&t->ipc, (nx_ipc_buffer_t *)0, __ATOMIC_RELEASE); /* the record is free */
  nx_thread_exit(0);
  __builtin_unreachable();
}

int64_t nx_thread_start(void (*entry)(void *arg), void *arg, void *stack, size_t stack_size,
                        nx_ipc_buffer_t *ipc, uint32_t priority) {
  uintptr_t lo = (uintptr_t)stack;
  uintptr_t hi = (lo + stack_size) & ~(uintptr_t)15; /* the ABI's 16-byte aligned sp */
  if (!entry || !ipc || !stack || stack_size < NX_THREAD_STACK_MIN || hi <= lo) {
    return NX_ERR_INVALID_ARGS;
  }
  for (uint32_t i = 0; i < NX_THREADS_MAX; i++) {
    thread_record_t *t = &g_threads[i];
    nx_ipc_buffer_t *expected = 0;
    /* Claim the record: another thread may be starting one too. */
    if (!__atomic_compare_exchange_n(&t->ipc, &expected, ipc, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
      continue;
    }
    __atomic_add_fetch(&g_live, 1, __ATOMIC_ACQ_REL);
    t->stack_lo = lo;
    t->stack_hi = hi;
    t->entry = entry;
    t->arg = arg;
    int64_t tid = nx_thread_create((uintptr_t)thread_main, hi, (uintptr_t)t, priority);
    if (tid < 0) {
      __atomic_sub_fetch(&g_live, 1, __ATOMIC_RELEASE);
      __atomic_store_n(&t->ipc, (nx_ipc_buffer_t *)0, __ATOMIC_RELEASE);
    }
    return tid;
  }
  return NX_ERR_NO_MEMORY;
}

nx_ipc_buffer_t *nx_ipc_buffer_self(void) {
  if (!__atomic_load_n(&g_live, __ATOMIC_ACQUIRE)) return &nx_main_ipc_buffer;
  uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
  for (uint32_t i = 0; i < NX_THREADS_MAX; i++) {
    const thread_record_t *t = &g_threads[i];
    nx_ipc_buffer_t *ipc = __atomic_load_n(&t->ipc, __ATOMIC_ACQUIRE);
    if (ipc && sp >= t->stack_lo && sp <= t->stack_hi) return ipc;
  }
  return &nx_main_ipc_buffer;
}
