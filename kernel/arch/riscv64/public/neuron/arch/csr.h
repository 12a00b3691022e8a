/* RISC-V supervisor CSRs and their bits (privileged spec), for kernel C code. */
#ifndef NEURON_ARCH_CSR_H
#define NEURON_ARCH_CSR_H

#include <stdint.h>

#define SSTATUS_SIE (1ul << 1)
#define SSTATUS_SPIE (1ul << 5)
#define SSTATUS_SPP (1ul << 8)
#define SSTATUS_FS_MASK (3ul << 13)
#define SSTATUS_FS_OFF (0ul << 13)
#define SSTATUS_FS_INITIAL (1ul << 13)
#define SSTATUS_FS_CLEAN (2ul << 13)
#define SSTATUS_FS_DIRTY (3ul << 13)
#define SSTATUS_SUM (1ul << 18)

#define SIE_STIE (1ul << 5)
#define SIE_SEIE (1ul << 9)
#define SIP_STIP (1ul << 5)
#define SIP_SEIP (1ul << 9)

#define SCAUSE_INTERRUPT (1ul << 63)
#define IRQ_S_TIMER 5
#define IRQ_S_EXTERNAL 9

#define EXC_INSN_MISALIGNED 0
#define EXC_INSN_ACCESS 1
#define EXC_ILLEGAL_INSN 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_INSN_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

/* scounteren: let user mode read cycle, time and instret. */
#define SCOUNTEREN_CY_TM_IR 0x7ul

#define csr_read(name)                              \
  ({                                                \
    uint64_t v_;                                    \
    __asm__ volatile("csrr %0, " #name : "=r"(v_)); \
    v_;                                             \
  })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" ::"r"((uint64_t)(v)) : "memory")
#define csr_set(name, v) __asm__ volatile("csrs " #name ", %0" ::"r"((uint64_t)(v)) : "memory")
#define csr_clear(name, v) __asm__ volatile("csrc " #name ", %0" ::"r"((uint64_t)(v)) : "memory")

static inline uint64_t rdtime(void) { return csr_read(time); }
static inline uint64_t rdinstret(void) { return csr_read(instret); }

#endif
