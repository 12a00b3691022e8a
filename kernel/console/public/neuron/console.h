/*
 * The kernel console: formatted output to whatever the boot code selected
 * (the SBI console before the device tree is read, the UART after). It is
 * for boot messages and panics only; user space gets its console from the
 * user-space UART driver.
 */
#ifndef NEURON_CONSOLE_H
#define NEURON_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*console_putc_fn)(char c);

/* Where kprintf() writes from now on. */
void console_set_output(console_putc_fn putc);

/* Writes n bytes as they are (user text: no format interpretation). */
void console_write(const char *s, size_t n);

/*
 * A small printf for the kernel: %s %c %d %i %u %x %p %%, the length
 * modifiers l and ll, a field width and the flags 0 and #. Anything else is
 * printed literally, so a bad format string can garble a line but never
 * read arguments that are not there.
 */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The formatter behind kprintf(), writing through `putc(c, ctx)`; returns
 * the number of characters produced. */
size_t kformat(void (*putc)(char c, void *ctx), void *ctx, const char *fmt, va_list ap);

/* kformat() into a buffer, always NUL-terminated; returns the length the
 * whole output would have had. */
size_t ksnprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif
