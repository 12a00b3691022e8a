/*
 * The entry point of every NEURON user program. The kernel starts the first
 * thread here with a0 = its nx_start_info_t (at the top of its stack) and sp
 * just below it. The thread's thread-local storage block goes below that
 * (user.ld's __tls_size bytes, aligned to __tls_align and to the ABI's 16
 * for sp); a0 goes on to nx_runtime_start() and nx_main() as it is, with
 * a1 = the block. The return value of nx_main() becomes the task's exit code.
 */
  .section .text.start, "ax"
  .globl _start
_start:
  /* A zero return address ends stack walks here. */
  li ra, 0
  lla t0, __tls_size
  sub sp, sp, t0
  lla t0, __tls_align
  neg t0, t0
  and sp, sp, t0
  andi sp, sp, -16
  mv a1, sp
  /* nx_runtime_start(start, tls) sets up the thread, runs nx_main and ends
   * the task with its result; it does not return. */
  call nx_runtime_start
1:
  j 1b
