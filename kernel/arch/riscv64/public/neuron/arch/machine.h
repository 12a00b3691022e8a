/*
 * Machine-level services the portable kernel asks of the architecture:
 * the early console and the end of a run. Addresses come from the
 * platform description (neuron/platform.h), never from constants here.
 */
#ifndef NEURON_ARCH_MACHINE_H
#define NEURON_ARCH_MACHINE_H

#include "neuron/platform.h"

/* Switches the kernel console from the SBI console to the platform UART. */
void machine_console_init(const platform_t *platform);

/*
 * Ends the run. With the sifive_test finisher (QEMU) the exit status
 * reaches the host: 0 = pass, otherwise fail with that code; without it,
 * an SBI shutdown. Does not return.
 */
__attribute__((noreturn)) void machine_exit(const platform_t *platform, int code);

#endif
