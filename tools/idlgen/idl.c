/*
 * nx_idl_ipc_buffer() of user programs (see neuron/idl.h): the calling
 * thread's IPC buffer as the runtime knows it (nx_ipc_buffer_self: the
 * first thread's, or that of a thread nx_thread_start started). Host builds
 * have no runtime: their tests define nx_idl_ipc_buffer themselves.
 */
#include "neuron/idl.h"

#if defined(__riscv)

/* The runtime's (neuron/runtime.h), which every user program links. */
struct nx_ipc_buffer *nx_ipc_buffer_self(void);

void *nx_idl_ipc_buffer(void) { return nx_ipc_buffer_self(); }

#endif
