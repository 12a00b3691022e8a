/* kprintf() and the output it goes to. */
#include "neuron/console.h"

static console_putc_fn console_out;

void console_set_output(console_putc_fn putc) { console_out = putc; }

static void console_putc(char c, void *ctx) {
  (void)ctx;
  if (!console_out) return;
  if (c == '\n') console_out('\r');
  console_out(c);
}

void kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kformat(console_putc, 0, fmt, ap);
  va_end(ap);
}

void console_write(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) console_putc(s[i], 0);
}
