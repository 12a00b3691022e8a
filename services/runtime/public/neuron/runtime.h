/*
 * The NEURON user runtime: program start (crt0.S calls nx_main(start) and
 * then nx_runtime_exit) and small helpers shared by every user program.
 */
#ifndef NEURON_RUNTIME_H
#define NEURON_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "neuron/syscalls.h"

/* Every program's entry: `start` holds the handles and values it was
 * started with (its debug log, and what the kernel or its creator passed). */
int nx_main(const nx_start_info_t *start);

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
