/*
 * What the trap entry saves of a user thread, at the top of the thread's
 * kernel stack.
 *
 * A syscall saves only sp, sepc and a0-a5 (its arguments; the IPC
 * fastpath, which reads them in registers and hands its outputs over in
 * registers, saves none of them, and yield, which has none, saves a1-a5 to
 * give them back): the ABI keeps what the C calling convention keeps
 * (s0-s11, sp, gp, tp, FP state), and the kernel's C code preserves s0-s11
 * on its own, also across context switches; a1-a5 go back from the frame
 * (a syscall with register outputs writes them there), ra, t0-t6, a6 and
 * a7 as zero. The kernel never uses
 * gp and tp (no TLS, no linker relaxation), so while a thread is in the
 * kernel they still hold its user values; every switch to another thread
 * stores them in the frame of the thread it leaves and loads those of the
 * thread it enters (enter() in thread.c, ENTER_AND_RESUME in the assembly
 * fastpaths), so each thread has its own. The IPC, notification_signal
 * and wait syscalls also save s0-s11: a thread blocked in them (or
 * preempted by the thread its signal wakes) is resumed by its continuation
 * (syscall_resume, wait_resume), straight to user mode without unwinding
 * its kernel stack, where the kernel's C code kept them. Any other
 * trap (an interrupt or a fault, which the user did not ask for) saves
 * every register C may clobber (ra, t0-t6, a0-a7) and restores them all.
 * trap.S uses the TF_* offsets; the static asserts in trap.c keep them and
 * this struct in step.
 */
#ifndef NEURON_ARCH_TRAP_FRAME_H
#define NEURON_ARCH_TRAP_FRAME_H

#define TF_RA 0
#define TF_SP 8
#define TF_T0 16
#define TF_T1 24
#define TF_T2 32
#define TF_A0 40
#define TF_A1 48
#define TF_A2 56
#define TF_A3 64
#define TF_A4 72
#define TF_A5 80
#define TF_A6 88
#define TF_A7 96
#define TF_T3 104
#define TF_T4 112
#define TF_T5 120
#define TF_T6 128
#define TF_SEPC 136
#define TF_THREAD 144 /* the thread this frame belongs to */
#define TF_KERNEL 152 /* &kernel, for the trap entry (one load, not an address to build) */
#define TF_S0 160     /* s0..s11: saved by the syscalls with continuations only (see above) */
#define TF_GP 256     /* gp and tp: saved when another thread runs */
#define TF_TP 264
#define TF_IPC 272  /* the IPC fastpath's view of the thread (below) */
#define TF_SIZE 288 /* a multiple of 16: sp stays aligned below it */

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef struct trap_frame {
  uint64_t ra, sp;
  uint64_t t0, t1, t2;
  uint64_t a[8]; /* a0..a7: syscall arguments, a7 = number, a0 = result */
  uint64_t t3, t4, t5, t6;
  uint64_t sepc;
  uint64_t thread; /* struct thread *, for the syscall path */
  uint64_t kernel; /* &kernel, for the trap entry */
  uint64_t s[12];  /* s0..s11 of a syscall with a continuation (which restores them) */
  uint64_t gp, tp; /* while another thread runs */
  /* For the IPC fastpath (ipc_fast.S): the thread's IPC part (its
   * ipc_thread_t *) while it has an IPC buffer, which IPC needs, else 0
   * (thread_set_ipc_buffer keeps it). */
  uint64_t ipc;
  uint64_t pad; /* to TF_SIZE */
} trap_frame_t;

/* The callee-saved state context_switch() swaps between threads. */
typedef struct arch_context {
  uint64_t ra, sp;
  uint64_t s[12];
} arch_context_t;

/* The FP registers f0..f31 and fcsr of a thread that uses them. */
typedef struct fp_state {
  uint64_t regs[33];
} fp_state_t;

void fpu_save(fp_state_t *state);
void fpu_restore(const fp_state_t *state);
void fpu_zero(void);

/* Saves the current kernel context into *from and resumes *to. */
void context_switch(arch_context_t *from, const arch_context_t *to);

/* A blocked thread's continuation (its saved context's ra, with sp = its
 * trap frame): back to user mode with the results in the frame. */
void syscall_resume(void);

/* The continuation of a thread blocked in a notification or wait-set wait:
 * completes the wait (syscall_wait_complete) into the frame, then goes on
 * as syscall_resume. */
void wait_resume(void);

/* Jumps to user mode with `frame` (syscall_resume on that frame). */
__attribute__((noreturn)) void thread_resume_user(trap_frame_t *frame);

/* Runs a blocked thread's continuation (context->ra on the stack
 * context->sp, which is its trap frame), on no other state. */
__attribute__((noreturn)) void context_continue(const arch_context_t *context);
#endif

#endif
