/* Calls into the SBI firmware (OpenSBI), per the RISC-V SBI specification. */
#ifndef NEURON_ARCH_SBI_H
#define NEURON_ARCH_SBI_H

/* Legacy console putchar (extension 0x01): usable before the UART is known. */
void sbi_console_putc(char c);

#include <stdint.h>

/* TIME extension: the next timer interrupt at `stime` (rdtime units);
 * UINT64_MAX disarms it. */
void sbi_set_timer(uint64_t stime);

/* System Reset extension: shut the machine down. Does not return. */
__attribute__((noreturn)) void sbi_shutdown(void);

#endif
