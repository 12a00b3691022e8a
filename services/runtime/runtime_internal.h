/* What the runtime's files share and programs do not see. */
#ifndef SERVICES_RUNTIME_RUNTIME_INTERNAL_H
#define SERVICES_RUNTIME_RUNTIME_INTERNAL_H

#include "neuron/runtime.h"

/* A thread's first steps, before any of its own code runs: points tp at
 * its thread-local storage block `tls` (initialized with _init_tls) and
 * makes `ipc` its IPC buffer, in the kernel and for nx_ipc_buffer_self. */
void runtime_thread_setup(void *tls, nx_ipc_buffer_t *ipc);

#endif
