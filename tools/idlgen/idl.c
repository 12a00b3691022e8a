/*
 * The default nx_idl_ipc_buffer() of user programs (see neuron/idl.h): the
 * first thread's IPC buffer, which the runtime sets up before nx_main. Weak,
 * so a program with IPC on more threads can replace it. Host builds have no
 * runtime: their tests define nx_idl_ipc_buffer themselves.
 */
#include "neuron/idl.h"

#if defined(__riscv)

/* The runtime's (neuron/runtime.h); only its address is needed here. */
extern struct nx_ipc_buffer nx_main_ipc_buffer;

__attribute__((weak)) void *nx_idl_ipc_buffer(void) { return &nx_main_ipc_buffer; }

#endif
