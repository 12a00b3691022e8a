/*
 * init's "system" service (system.toml): what init knows as the supervisor
 * of every program, for the console shell's ps and caps, restarting a
 * program, and shutdown. It runs on a thread of its own so that the
 * supervisor can keep waiting for programs to end; the two share
 * g_init.run under init_lock().
 *
 * A task's figures come from the kernel (task_info, task_handle_info)
 * through the task handles init holds: init may inspect what it started,
 * and nobody else holds those handles.
 */
#include <string.h>

#include "init_state.h"
#include "services/init/system_server.h"

/* init's priority (the kernel starts it at the top, 31): a call to the
 * system service is answered at once. */
#define SERVICE_PRIORITY 31

static nx_ipc_buffer_t service_ipc_buffer;
static uint64_t service_stack[2048] __attribute__((aligned(16)));

/* The task of program `index`, at *task (0 if it is not running), with the
 * lock held on NX_OK. */
static int64_t program(uint32_t index, nx_handle_t *task) {
  if (index >= g_init.plan.count) return NX_ERR_NOT_FOUND;
  init_lock();
  *task = g_init.run[index].task;
  return NX_OK;
}

/* What the kernel says of program `index`'s task (all 0 while it is not
 * running), and how often init restarted it. */
static int64_t program_info(uint32_t index, nx_task_info_t *info, uint32_t *restarts) {
  nx_handle_t task;
  int64_t err = program(index, &task);
  if (err != NX_OK) return err;
  if (task) err = nx_task_info(task, info);
  *restarts = g_init.run[index].restarts;
  init_unlock();
  return err;
}

static int64_t do_task(void *ctx, uint64_t badge, const system_task_args_t *args,
                       system_task_result_t *result) {
  (void)ctx;
  (void)badge;
  nx_task_info_t info = {0};
  uint32_t restarts;
  int64_t err = program_info(args->index, &info, &restarts);
  if (err != NX_OK) return err;
  const bootplan_program_t *p = &g_init.plan.programs[args->index];
  result->state = info.state == NX_TASK_STATE_RUNNING;
  result->pages_used = info.pages_used;
  result->pages_quota = p->quota_pages;
  result->name = (uint8_t *)p->name;
  result->name_len = strlen(p->name);
  return NX_OK;
}

static int64_t do_task_counts(void *ctx, uint64_t badge, const system_task_counts_args_t *args,
                              system_task_counts_result_t *result) {
  (void)ctx;
  (void)badge;
  nx_task_info_t info = {0};
  int64_t err = program_info(args->index, &info, &result->restarts);
  result->threads = (uint32_t)info.threads;
  result->handles = (uint32_t)info.handles;
  return err;
}

static int64_t do_cap(void *ctx, uint64_t badge, const system_cap_args_t *args,
                      system_cap_result_t *result) {
  (void)ctx;
  (void)badge;
  nx_handle_t task;
  int64_t err = program(args->index, &task);
  if (err != NX_OK) return err;
  nx_handle_info_t info = {0};
  err = task ? nx_task_handle_info(task, args->nth, &info) : NX_ERR_BUSY;
  init_unlock();
  if (err != NX_OK) return err;
  result->handle = (uint32_t)info.handle;
  result->type = (uint32_t)info.type;
  result->rights = (uint32_t)info.rights;
  return NX_OK;
}

static int64_t do_shutdown(void *ctx, uint64_t badge) {
  (void)ctx;
  init_say("init: shutdown asked by program #%llu\n", (unsigned long long)badge);
  g_init.shutting_down = true;
  return NX_OK;
}

/* The exit code of a program init ends on request: not 0, so the
 * supervisor restarts it like a program that failed. */
#define RESTART_CODE 250

static int64_t do_restart(void *ctx, uint64_t badge, const system_restart_args_t *args) {
  (void)ctx;
  nx_handle_t task;
  int64_t err = program(args->index, &task);
  if (err != NX_OK) return err;
  err = task ? nx_task_kill(task, RESTART_CODE) : NX_ERR_BUSY;
  init_unlock();
  if (err == NX_OK) {
    init_say("init: %s ended for a restart, as program #%llu asked\n",
             g_init.plan.programs[args->index].name, (unsigned long long)badge);
  }
  return err;
}

static const system_ops_t ops = {do_task, do_task_counts, do_cap, do_shutdown, do_restart};

/* Ends every running program; the supervisor sees each end and, shutting
 * down, restarts none. */
static void stop_all(void) {
  init_lock();
  for (uint32_t i = 0; i < g_init.plan.count; i++) {
    if (g_init.run[i].task) nx_task_kill(g_init.run[i].task, 0);
  }
  init_unlock();
}

static void serve(void *arg) {
  (void)arg;
  int64_t err = system_serve_until(g_init.system, &ops, NULL, &g_init.shutting_down);
  if (err == NX_OK) {
    stop_all(); /* shutdown was asked and answered */
  } else {
    init_say("init: system service ended: %s\n", nx_error_name((int)err));
  }
}

int init_start_system_service(void) {
  int64_t tid = nx_thread_start(serve, NULL, service_stack, sizeof service_stack,
                                &service_ipc_buffer, SERVICE_PRIORITY);
  return tid < 0 ? (int)tid : NX_OK;
}
