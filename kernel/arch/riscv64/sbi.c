#include "neuron/arch/sbi.h"

#include <stdint.h>

/* Extension and function ids from the RISC-V SBI specification. */
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_TIME 0x54494d45 /* "TIME" */
#define SBI_EXT_SRST 0x53525354 /* "SRST" */
#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_NO_REASON 0

static long sbi_call(long ext, long fid, long arg0, long arg1) {
  register long a0 __asm__("a0") = arg0;
  register long a1 __asm__("a1") = arg1;
  register long a6 __asm__("a6") = fid;
  register long a7 __asm__("a7") = ext;
  __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
  return a0;
}

void sbi_console_putc(char c) { sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0); }

void sbi_set_timer(uint64_t stime) { sbi_call(SBI_EXT_TIME, 0, (long)stime, 0); }

void sbi_shutdown(void) {
  sbi_call(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, SBI_SRST_NO_REASON);
  for (;;) __asm__ volatile("wfi");
}
