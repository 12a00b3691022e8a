/*
 * Threads of a program (neuron/runtime.h). Every thread the runtime starts,
 * the first one too, has a thread-local storage block of its own (user.ld),
 * tp pointing at it; the kernel keeps tp per thread. picolibc keeps errno
 * there, and the runtime the thread's IPC buffer, so nx_ipc_buffer_self()
 * is one load. nx_thread_start() puts the block, and what the new thread
 * needs to begin, at the top of the stack it is given: the runtime has no
 * allocator and no table of threads.
 */
#include <picolibc.h> /* PICOLIBC_TLS, which picotls.h needs */
#include <picotls.h>

#include "runtime_internal.h"

/* The calling thread's IPC buffer (set by runtime_thread_setup). */
static __thread nx_ipc_buffer_t *t_ipc;

/* What a thread started by nx_thread_start begins with, just above its
 * first stack frame. */
typedef struct thread_launch {
  void (*entry)(void *arg);
  void *arg;
  nx_ipc_buffer_t *ipc;
  void *tls;
} thread_launch_t;

void runtime_thread_setup(void *tls, nx_ipc_buffer_t *ipc) {
  _init_tls(tls);
  _set_tls(tls);
  t_ipc = ipc;
  nx_thread_set_ipc_buffer((uintptr_t)ipc);
}

/* Every thread started by nx_thread_start begins here, a0 = its launch. */
static void thread_main(uint64_t launch) {
  const thread_launch_t *l = (const thread_launch_t *)(uintptr_t)launch;
  runtime_thread_setup(l->tls, l->ipc);
  l->entry(l->arg);
  nx_thread_exit(0);
  __builtin_unreachable();
}

int64_t nx_thread_start(void (*entry)(void *arg), void *arg, void *stack, size_t stack_size,
                        nx_ipc_buffer_t *ipc, uint32_t priority) {
  uintptr_t lo = (uintptr_t)stack;
  size_t align = _tls_align() > 16 ? _tls_align() : 16; /* and the ABI's 16-byte aligned sp */
  size_t top = _tls_size() + align + sizeof(thread_launch_t) + 16;
  if (!entry || !ipc || !stack || stack_size < NX_THREAD_STACK_MIN + top || lo + stack_size < lo) {
    return NX_ERR_INVALID_ARGS;
  }
  uintptr_t tls = (lo + stack_size - _tls_size()) & ~(uintptr_t)(align - 1);
  uintptr_t sp = (tls - sizeof(thread_launch_t)) & ~(uintptr_t)15;
  thread_launch_t *l = (thread_launch_t *)sp;
  l->entry = entry;
  l->arg = arg;
  l->ipc = ipc;
  l->tls = (void *)tls;
  return nx_thread_create((uintptr_t)thread_main, sp, sp, priority);
}

nx_ipc_buffer_t *nx_ipc_buffer_self(void) {
  uintptr_t tp;
  __asm__("mv %0, tp" : "=r"(tp));
  return tp ? t_ipc : &nx_main_ipc_buffer; /* tp is 0 in a thread without TLS */
}
