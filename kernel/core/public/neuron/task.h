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

#include "neuron/arch/trap_frame.h"
#include "neuron/handle_table.h"
#include "neuron/quota.h"
#include "neuron/sched.h"
#include "neuron/sv39.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TASK_NAME_MAX 32
#define TASK_MAX_REGIONS 8
#define TASK_DEFAULT_QUOTA_PAGES 512 /* 2 MiB until the manifest says otherwise */

/* A range of user memory the task owns page by page (segments, stack). */
typedef struct task_region {
  uint64_t va, size;
} task_region_t;

typedef struct task {
  char name[TASK_NAME_MAX];
  uint32_t id;
  uint32_t live_threads;
  quota_t quota;
  sv39_space_t space;
  handle_table_t handles;
  task_region_t regions[TASK_MAX_REGIONS];
  uint32_t region_count;
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
} thread_t;

/* The running thread (NULL while the idle loop runs). */
extern thread_t *current;

/*
 * Creates a task named `name` from the ELF executable `image`, with its
 * first thread ready to run at the entry point and a0 = the handle of the
 * debug log. Errors leave nothing behind.
 */
int task_spawn(const char *name, const void *image, size_t size, unsigned priority,
               const char **why);

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

/* Runs the highest-priority ready thread; returns when `current` runs
 * again. Called with `current` no longer RUNNING in the scheduler (it
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

/* Handles a timer interrupt; may switch threads. */
void timer_interrupt(void);

#ifdef __cplusplus
}
#endif

#endif
