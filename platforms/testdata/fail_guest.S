/*
 * A guest that only reports failure code 3 through the sifive_test finisher
 * at its QEMU virt address; qemu_runner_test uses it to check that qemu.sh
 * turns a guest failure into a test failure.
 */
  .section .text.entry, "ax"
  .globl _start
_start:
  li t0, 0x100000
  li t1, (3 << 16) | 0x3333
  sw t1, 0(t0)
1:
  wfi
  j 1b
