/*
 * What the code tools/idlgen generates for a service protocol needs from the
 * program: the calling thread's IPC buffer, where a message's handles (at
 * NX_IPC_BUFFER_HANDLES) and bytes (at NX_IPC_BUFFER_BYTES) go.
 */
#ifndef NEURON_IDL_H
#define NEURON_IDL_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The calling thread's IPC buffer (an nx_ipc_buffer_t, see neuron/runtime.h).
 * On riscv64, idl.c returns the runtime's nx_ipc_buffer_self(): the first
 * thread's buffer, or that of a thread started with nx_thread_start. Host
 * tests define it for their fake kernel.
 */
void *nx_idl_ipc_buffer(void);

#ifdef __cplusplus
}
#endif

#endif
