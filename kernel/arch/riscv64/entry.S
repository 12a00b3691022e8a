/*
 * S-mode entry from OpenSBI (fw_jump): a0 = hart id, a1 = physical address
 * of the device tree, MMU off, running at the load address 0x80200000.
 *
 * The kernel is linked at KERNEL_VIRT_BASE (see memory_layout.h), so before
 * any C code runs this turns on Sv39 with a boot page table of four 1 GiB
 * pages and jumps to the linked addresses:
 *   - RAM GiB 2 at its own address (only for the jump; kmain drops it),
 *   - RAM GiB 2 at KERNEL_VIRT_BASE (the kernel image),
 *   - GiB 0 (MMIO) and GiB 2 (RAM) in the direct map, never executable.
 * Until the jump only PC-relative addressing (lla) is used: it yields load
 * addresses, which the MMU-off hart can use.
 */
#include "neuron/arch/memory_layout.h"

#define PTE_V 0x1
#define PTE_R 0x2
#define PTE_W 0x4
#define PTE_X 0x8
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80
#define PTE_KERNEL_RW (PTE_V | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D)
#define PTE_KERNEL_RWX (PTE_KERNEL_RW | PTE_X)
#define GIGA_PTE(pa, flags) ((((pa) >> 12) << 10) | (flags))
#define ROOT_INDEX(va) (((va) >> 30) & 0x1ff)

/* boot_page_table[ROOT_INDEX(va)] = t1 (t0 holds the table's address). */
#define SET_ROOT_ENTRY(va) \
  li t2, ROOT_INDEX(va) * 8; \
  add t2, t2, t0; \
  sd t1, 0(t2)

  .section .text.entry, "ax"
  .globl _start
_start:
  /* The instruction count at entry, for the boot.to_init benchmark. */
  csrr s2, instret
  csrw sie, zero
  csrw satp, zero
  mv s0, a0
  mv s1, a1

  lla t0, boot_page_table
  li t1, GIGA_PTE(KERNEL_PHYS_BASE, PTE_KERNEL_RWX)
  SET_ROOT_ENTRY(KERNEL_PHYS_BASE)
  SET_ROOT_ENTRY(KERNEL_VIRT_BASE)
  li t1, GIGA_PTE(KERNEL_PHYS_BASE, PTE_KERNEL_RW)
  SET_ROOT_ENTRY(DIRECT_MAP_BASE + KERNEL_PHYS_BASE)
  li t1, GIGA_PTE(0, PTE_KERNEL_RW)
  SET_ROOT_ENTRY(DIRECT_MAP_BASE)

  /* satp: mode 8 (Sv39), ASID 0, the table's page number. */
  srli t1, t0, 12
  li t2, 8
  slli t2, t2, 60
  or t1, t1, t2
  sfence.vma
  csrw satp, t1
  sfence.vma

  /* An absolute address: the linked (high) one. */
  ld t0, .Lhigh_entry
  jr t0

  .balign 8
.Lhigh_entry:
  .dword high_entry

  .section .text.boot, "ax"
high_entry:
  lla sp, boot_stack_top
  lla t0, __bss_start
  lla t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  mv a0, s0
  mv a1, s1
  mv a2, s2
  call kmain
3:
  wfi
  j 3b

  /* In .data, not .bss: it is filled before .bss is cleared. */
  .section .data.boot_page_table, "aw"
  .balign 4096
  .globl boot_page_table
boot_page_table:
  .zero 4096

  .section .bss.stack, "aw", @nobits
  .balign 16
boot_stack:
  .space 16384
  .globl boot_stack_top
boot_stack_top:
