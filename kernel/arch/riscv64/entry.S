/*
 * S-mode entry from OpenSBI (fw_jump): a0 = hart id, a1 = physical address
 * of the device tree. The MMU is off. Set up a stack, clear .bss (the C code
 * relies on zeroed statics) and enter kmain(hartid, dtb).
 */
  .section .text.entry, "ax"
  .globl _start
_start:
  /* No interrupts until the kernel installs its own trap vector. */
  csrw sie, zero
  lla sp, boot_stack_top
  lla t0, __bss_start
  lla t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  call kmain
  /* kmain does not return; if it ever does, park the hart. */
3:
  wfi
  j 3b

  .section .bss.stack, "aw", @nobits
  .balign 16
boot_stack:
  .space 16384
  .globl boot_stack_top
boot_stack_top:
