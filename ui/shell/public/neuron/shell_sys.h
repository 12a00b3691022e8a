/*
 * What the shell talks to: the console it writes to and the services whose
 * data its commands show, as a table of function pointers over plain
 * structs. The program fills it in with the IDL clients (console, log,
 * system); host tests fill it in with fakes. So the shell core makes no
 * syscall and knows no protocol.
 */
#ifndef NEURON_SHELL_SYS_H
#define NEURON_SHELL_SYS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The longest task name (the system service's, NX_TASK_NAME_MAX). */
#define SHELL_NAME_MAX 31u

/* The most programs a boot plan has (docs/manifest.md): the shell asks for
 * no task past them, so a server that never says "no more" cannot hang it. */
#define SHELL_TASKS_MAX 32u

/* The longest log record text (the log service's). */
#define SHELL_LOG_TEXT_MAX 160u

/* Task states, as the system service reports them. */
#define SHELL_TASK_STOPPED 0u
#define SHELL_TASK_RUNNING 1u

/* A program of the boot plan, as system.task reports it. */
typedef struct shell_task {
  char name[SHELL_NAME_MAX + 1]; /* NUL-terminated */
  uint32_t state;                /* SHELL_TASK_* */
  uint32_t restarts;
  uint32_t threads;
  uint32_t handles;
  uint64_t pages_used; /* 4 KiB pages */
  uint64_t pages_quota;
} shell_task_t;

/* The most capabilities a task holds (the kernel's handle table slots):
 * the shell asks for no more, for the same reason. */
#define SHELL_CAPS_MAX 256u

/* One capability of a task, as system.cap reports it. */
typedef struct shell_cap {
  uint32_t handle; /* the value the task uses for it */
  uint32_t type;   /* NX_OBJ_* */
  uint32_t rights; /* NX_RIGHT_* bits */
} shell_cap_t;

/* Where the log ring stands, as log.count reports it. */
typedef struct shell_log_span {
  uint64_t oldest; /* the oldest record still held */
  uint64_t next;   /* the sequence number the next record will get */
} shell_log_span_t;

/* One log record, as log.read reports it. */
typedef struct shell_log_record {
  uint64_t next;                     /* the cursor past this record */
  uint64_t badge;                    /* the sender's badge: its boot plan index + 1 */
  uint32_t level;                    /* 0 debug .. 3 error */
  char text[SHELL_LOG_TEXT_MAX + 1]; /* NUL-terminated */
} shell_log_record_t;

/*
 * The calls return 0 or a negative NX_ERR_* (the service's or the IPC
 * call's), which the shell shows by its name. `ctx` is passed to each.
 */
typedef struct shell_sys {
  void *ctx;
  /* Sends bytes to the console. Failures are the program's to report: the
   * console is where the shell would report them. */
  void (*write)(void *ctx, const char *text, size_t len);
  /* The task at boot plan `index`; NX_ERR_NOT_FOUND past the last. */
  int64_t (*task)(void *ctx, uint32_t index, shell_task_t *task);
  /* The nth capability (0 first, in handle table order) of task `index`;
   * NX_ERR_NOT_FOUND: it has fewer. */
  int64_t (*cap)(void *ctx, uint32_t index, uint32_t nth, shell_cap_t *cap);
  /* Where the log ring stands. */
  int64_t (*log_span)(void *ctx, shell_log_span_t *span);
  /* The first record at or after `cursor` of at least `min_level`;
   * NX_ERR_NOT_FOUND: none yet. */
  int64_t (*log_read)(void *ctx, uint64_t cursor, uint32_t min_level, shell_log_record_t *record);
  /* Nanoseconds since boot. */
  uint64_t (*now_ns)(void *ctx);
  /* The machine's RAM in 4 KiB pages: free now, and in all. */
  int64_t (*memory)(void *ctx, uint64_t *pages_free, uint64_t *pages_total);
  /* Ends the task at boot plan `index` so that init starts it again;
   * NX_ERR_BUSY: it is not running. */
  int64_t (*restart)(void *ctx, uint32_t index);
  /* Asks the system to power off. */
  int64_t (*shutdown)(void *ctx);
} shell_sys_t;

#ifdef __cplusplus
}
#endif

#endif
