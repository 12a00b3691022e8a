/*
 * A freestanding user program for elf_test: text, read-only data,
 * initialised data and bss, so the linker emits one segment of each kind.
 * It is never run, only described.
 */
#include <stdint.h>

static const char kGreeting[] = "hello from user space, read-only";
static volatile uint64_t counter = 42;
static volatile uint8_t scratch[8192];

void _start(void) { /* NOLINT(bugprone-reserved-identifier): the ELF entry symbol */
  for (;;) {
    uint64_t n = counter++;
    scratch[n % sizeof(scratch)] = (uint8_t)kGreeting[n % sizeof(kGreeting)];
  }
}
