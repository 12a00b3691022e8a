/*
 * Program start and end: crt0.S calls nx_runtime_start with the start
 * information the kernel (or the program's creator) left at the top of the
 * stack, and the first thread's thread-local storage block below it.
 */
#include "neuron/runtime.h"
#include "neuron/syscalls.h"
#include "runtime_internal.h"

nx_ipc_buffer_t nx_main_ipc_buffer;

void nx_runtime_start(const nx_start_info_t *start, void *tls) {
  runtime_thread_setup(tls, &nx_main_ipc_buffer);
  nx_runtime_exit(nx_main(start));
}

void nx_runtime_exit(int64_t code) { nx_task_exit(code); }
