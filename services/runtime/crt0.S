/*
 * The entry point of every NEURON user program. The kernel starts the first
 * thread here with a0 = its nx_start_info_t (at the top of its stack) and sp
 * just below it; a0 goes on to nx_runtime_start() and nx_main() as it is.
 * The return value of nx_main() becomes the task's exit code.
 */
  .section .text.start, "ax"
  .globl _start
_start:
  /* A zero return address ends stack walks here. */
  li ra, 0
  /* nx_runtime_start(start) sets up the thread, runs nx_main and ends the
   * task with its result; it does not return. */
  call nx_runtime_start
1:
  j 1b
