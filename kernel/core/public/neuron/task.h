/*
 * Tasks (an address space, a handle table and a memory quota) and their
 * threads (a kernel stack with a trap frame, a saved kernel context and a
 * scheduler entity).
 */
#ifndef NEURON_TASK_H
#define NEURON_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "neuron/arch/memory_layout.h"
#include "neuron/arch/trap_frame.h"
#include "neuron/cap_transfer.h"
#include "neuron/handle_table.h"
#include "neuron/ipc.h"
#include "neuron/ipc_msg.h"
#include "neuron/notification.h"
#include "neuron/quota.h"
#include "neuron/revoke.h"
#include "neuron/sched.h"
#include "neuron/start_info.h"
#include "neuron/sv39.h"
#include "neuron/syscall_numbers.h"
#include "neuron/vmo_map.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TASK_NAME_MAX 32

/* The first thread's stack: TASK_STACK_PAGES pages under TASK_STACK_TOP
 * (the top page of the user half stays unmapped). A program's segments
 * must end below TASK_STACK_BOTTOM. */
#define TASK_STACK_PAGES 4
#define TASK_STACK_TOP (USER_MAX - PAGE_SIZE)
#define TASK_STACK_BOTTOM (TASK_STACK_TOP - TASK_STACK_PAGES * PAGE_SIZE)
#define TASK_MAX_REGIONS 8
/* A program the kernel starts at boot gets 8 MiB of its own; a task another
 * one creates gets the quota task_create asks for, carved out of its
 * creator's quota (its quota's parent), so creating tasks never gets a task
 * more memory than it had. */
#define TASK_BOOT_QUOTA_PAGES 2048

/* A range of user memory the task owns page by page (segments, stack). */
typedef struct task_region {
  uint64_t va, size;
} task_region_t;

/* A task's life. NEW: made by task_create, handles may be given to it,
 * nothing runs. RUNNING: it has live threads. DEAD: its last thread ended
 * (task_exited); everything it held is released then or soon after
 * (task_end, once the kernel has left the dying thread's stack); the
 * record stays while handles to it remain (or while objects it paid for
 * still hold its quota). */
typedef enum task_state {
  TASK_NEW = 1,
  TASK_RUNNING,
  TASK_DEAD,
} task_state_t;

struct thread;

typedef struct task {
  object_t obj; /* first: OBJ_TASK; refs = handles + 1 until it is DEAD */
  char name[TASK_NAME_MAX];
  uint32_t id;
  uint32_t live_threads;
  uint8_t state;    /* task_state_t */
  uint8_t priority; /* the most urgent priority its threads may have */
  uint64_t entry;   /* where its first thread starts */
  quota_t quota;
  sv39_space_t space;
  /* What switching to space loads: made by switch_space() with the ASID
   * tag the space has, which changes only there (or at the task's end), so
   * it holds while the tag is of the current generation. */
  uint64_t satp;
  vmo_space_t vmos; /* the VMO mappings in space */
  handle_table_t handles;
  task_region_t regions[TASK_MAX_REGIONS];
  uint32_t region_count;
  struct thread *threads; /* its live threads (thread_t.task_next) */
  /* How it ended, and who to tell (task_watch). */
  int64_t exit_code;
  bool faulted;
  notification_t *exit_watch; /* signalled when it ends (holds a reference), or NULL */
  uint64_t exit_bit;
  struct task *next_dead; /* on the list of records kept for their quota */
} task_t;

typedef struct thread {
  sched_entity_t sched; /* first: container_of is a cast */
  arch_context_t context;
  trap_frame_t *frame; /* at the top of the kernel stack */
  task_t *task;
  uint64_t stack_va; /* lowest mapped byte of the kernel stack */
  uint64_t stack_pa;
  uint32_t stack_slot;
  uint32_t id;
  bool
      fp_used; /* has executed an FP instruction; fp holds its registers while it is switched out */
  fp_state_t fp;
  struct thread *task_next;                 /* the task's list of live threads */
  ipc_thread_t ipc;                         /* endpoint state (kernel/ipc) */
  notify_waiter_t waiter;                   /* notification and wait-set waits (kernel/notify) */
  cap_revoke_t revoke;                      /* handle_revoke in progress */
  uint64_t ipc_buffer;                      /* its IPC buffer (user address; 0: none) */
  bool ipc_receiving;                       /* blocked in a receive (else in a call) */
  uint32_t ipc_buf_got;                     /* bytes the last message put in it */
  nx_handle_t send_handles[NX_MSG_HANDLES]; /* what its current send decoded */
  /* The notification or wait set a blocking wait holds a reference on (its
   * handle may be closed meanwhile); NULL when not waiting. A thread that
   * ends while it waits drops it (detach). */
  object_t *wait_hold;
  uint64_t wait_bits_out; /* a wait-set wait's user pointer for the bits */
  /* What its current syscall's decode checked, for the invoke to carry out
   * (handle_dup, handle_mint and task_give; vmo_map). */
  union {
    cap_plan_t cap_plan;
    vmo_map_request_t map;
  } decoded;
} thread_t;

/* The thread that embeds an IPC or notify part. */
#define THREAD_OF(ptr, member) ((thread_t *)(void *)((char *)(ptr)-offsetof(thread_t, member)))

/*
 * Creates a NEW task named `name` (up to TASK_NAME_MAX - 1 bytes) from the
 * ELF executable `image` (validated here; *why says what is wrong with a
 * refused one), with the program loaded, an empty handle table, a quota of
 * `quota_pages` under `parent_quota` and one reference (the creator's).
 * Nothing runs until task_start(). Errors leave nothing behind.
 *
 * The parent quota must outlive the task's charges; it does, since every
 * charge of the task is also one of the parent's, and a dead task's record
 * is only freed once its quota is empty (task_sweep_dead()).
 */
int task_create(const char *name, size_t name_len, const void *image, size_t size,
                unsigned priority, quota_t *parent_quota, size_t quota_pages, const char **why,
                task_t **out);

/* Starts NEW task's first thread at its entry point with a copy of `info`
 * at the top of its stack and a0 pointing to it. NX_ERR_NO_MEMORY leaves
 * the task NEW. */
int task_start(task_t *task, const nx_start_info_t *info);

/* The task's last thread exits with `code`: records it for
 * task_exit_status and signals its watch (task_watch) at once. Its
 * teardown (task_end) waits until the kernel has left the dying thread's
 * stack and address space, which may be long if nothing else is ready:
 * the supervisor must not wait for that. */
void task_exited(task_t *task, int64_t code);

/* The task a thread's last exit ended: tears it down (mappings, handles,
 * memory) and drops its "alive" reference. */
void task_end(task_t *task);

/* Sets (or replaces) the notification bit signalled when `task` ends: takes
 * a reference to `n` (task_watch_end() drops it), dropping the one an
 * earlier watch held. (task_watch.c, portable.) */
void task_watch(task_t *task, notification_t *n, uint64_t bit);

/* Lets go of the task's watch, if it has one: signals its bit first if the
 * task `ended` (task_exited), not if it is destroyed without having run
 * (task_destroy). */
void task_watch_end(task_t *task, bool ended);

/* Frees task records that only waited for their quota to empty (objects
 * they paid for outlived them). Called after anything that may free such
 * objects. O(records waiting). */
void task_sweep_dead(void);

/* Creates a thread of `task` that enters user mode at `entry` with sp =
 * user_sp and a0 = arg, and makes it ready. */
int thread_create(task_t *task, uint64_t entry, uint64_t user_sp, uint64_t arg, unsigned priority,
                  thread_t **out);

/* Frees the thread that died last, once another runs on its own stack. */
void reap_zombie(void);

/* Frees everything a task holds; its threads must all be gone. */
void task_destroy(task_t *task);

/* Ends the current thread (and its task with it, if it was the last). */
__attribute__((noreturn)) void thread_exit_current(int64_t code);

/* Ends every thread of the current task, then the task. */
__attribute__((noreturn)) void task_exit_current(int64_t code);

/* Ends every thread of RUNNING `task` (not the caller's) and the task with
 * `code`, as task_exit would: its watch is signalled, its teardown follows
 * at once (none of its threads is running). */
void task_kill(task_t *task, int64_t code);

/* Runs the highest-priority ready thread; returns when `kernel.current` runs
 * again. Called with `kernel.current` no longer RUNNING in the scheduler (it
 * yielded, blocked, slept or died). */
void schedule(void);

/* The idle loop: runs threads until none is left, then powers off. */
__attribute__((noreturn)) void scheduler_run(void);

/* Re-arms (or disarms) the timer for the scheduler's next deadline. */
void timer_rearm(void);

/* A thread's first FP instruction traps (sstatus.FS is off for threads that
 * never used FP): gives it a zeroed FP state and returns true, so the
 * instruction is retried. False if the thread already had FP on (the trap
 * was a real illegal instruction). */
bool thread_fp_first_use(void);

/* A switch's FP step, for a `prev` (NULL at boot) or `next` that uses FP:
 * saves prev's registers if it changed them, loads next's, and leaves FP
 * off for a next that never used it. enter() and ipc_fast.S call it. */
void thread_fp_switch(thread_t *prev, thread_t *next);

/* The monotonic clock, in timer ticks (the `time` CSR). */
uint64_t kernel_now(void);

/* Handles a timer interrupt; may switch threads. */
void timer_interrupt(void);

/* After a wake-up: if a READY thread is more urgent than the current one,
 * switches to it (returns when the current thread runs again); if one is
 * as urgent, arms the current thread's slice end, so that they take turns
 * (a thread alone at its level runs with no timer armed). */
void kernel_preempt_check(void);

/* Gives the rest of self's (the current thread's) slice to its peers
 * (relinquish, then schedule). Its yield returns 0, from its trap frame,
 * when it runs again (a continuation, as thread_block_ipc leaves). */
__attribute__((noreturn)) void thread_yield(thread_t *self);

/* Blocks the current thread (its scheduler state already BLOCKED) with a
 * continuation instead of its kernel stack: when it runs again it returns
 * straight to user mode with whatever its waker wrote into its trap frame
 * (the syscall's a0..a5). For syscalls whose whole result the waker
 * delivers (IPC). Runs other threads meanwhile; never returns. */
__attribute__((noreturn)) void thread_block_ipc(void);

/* The same for a notification or wait-set wait (the notify module has
 * queued the current thread and blocked or put it to sleep): when it runs
 * again, because a signal completed its wait or its deadline passed, its
 * continuation (wait_resume, then syscall_wait_complete) makes that the
 * syscall's result. Never returns. */
__attribute__((noreturn)) void thread_block_wait(void);

/* The C half of that continuation (kernel/core/syscall_invoke_object.c):
 * completes the notification_wait or waitset_wait `t` (the current thread)
 * blocked in. Ends the wait as its deadline's if it is still queued, lets
 * go of the object it held, and puts the syscall's result in its saved a0
 * (the bits, or for a wait set the slot, the bits copied out). */
void syscall_wait_complete(thread_t *t);

/* Ends `t`'s notification or wait-set wait without its continuation (the
 * thread is being killed, detach in thread.c): off every queue if still
 * queued, and the reference the wait held dropped, also when a signal had
 * completed the wait already. Nothing if it has no wait. */
void syscall_wait_cancel(thread_t *t);

/* The IPC fastpath's switch to user mode: blocks the current thread with a
 * continuation and runs `next` (BLOCKED, as urgent as the current one or
 * more, its trap frame holding its syscall's results) straight in user
 * mode: no run queue, no kernel stack unwinding, no scheduler pass. Never
 * returns. */
__attribute__((noreturn)) void thread_handoff_user(thread_t *next);

/* A wake-up that preempts, without the run queue: runs `woken`, whose wait
 * the caller has just completed (its continuation, wait_resume, finishes
 * the syscall) and for which sched_wake_would_preempt() holds against the
 * current thread, at once. The current thread is preempted with a
 * continuation: its syscall is complete, its result in its trap frame
 * (which holds s0-s11: a syscall trap.S keeps them for). Never returns. */
__attribute__((noreturn)) void thread_run_woken(thread_t *woken);

/* Sets up kernel.ipc and kernel.notify with the kernel's callbacks (wait.c). */
void wait_init(void);

/* Bounded-work preemption point for long kernel operations: takes a pending
 * timer or device interrupt now (which may run other threads). */
void kernel_poll_interrupts(void);

#ifdef __cplusplus
}
#endif

#endif
