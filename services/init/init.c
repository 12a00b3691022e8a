/*
 * init: the root task. It maps the boot archive, reads the boot plan the
 * build wrote from the system manifest (etc/bootplan, docs/manifest.md)
 * and starts every program of it from app/, in the plan's (dependency)
 * order, each with exactly what the plan grants (supervise.c), printing
 * "init: up <name>" for each. An image without a plan only greets.
 *
 * Services: for each service a program provides, init makes one endpoint
 * and keeps the original, so a restarted server serves the same endpoint
 * and its clients keep their handles. If the plan has a registry, init
 * tells it every grant and registers every service once it is up
 * (registry_setup.c). init serves a service of its own, "system"
 * (system_service.c), on a second thread: the programs with their memory
 * and capabilities, and shutdown.
 *
 * Quotas: each program gets the plan's quota_pages as its own memory
 * quota, carved out of init's (task_create), so the plan's quotas together
 * must fit in init's.
 *
 * init exits when nothing is left to supervise (after a shutdown, or when
 * every program has ended); with no thread left the kernel powers off.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "init_state.h"
#include "neuron/bootfs.h"

/* Where init maps the boot archive, read-only. */
#define ARCHIVE_VA 0x40000000ul

init_state_t g_init;

void init_say(const char *fmt, ...) {
  char line[NX_DEBUG_WRITE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  nx_log_str(g_init.log, line);
}

void init_lock(void) { nx_notification_wait(g_init.lock, 1, NX_DEADLINE_NEVER); }
void init_unlock(void) { nx_notification_signal(g_init.lock, 1); }

nx_handle_t init_service_endpoint(const char *name) {
  if (strcmp(name, "system") == 0) return g_init.system;
  for (uint32_t j = 0; j < g_init.plan.count; j++) {
    if (strcmp(g_init.plan.programs[j].provides, name) == 0) return g_init.endpoints[j];
  }
  return 0;
}

/* Makes what the programs will share: the supervisor's notification, the
 * lock, and every service's endpoint. */
static int make_objects(void) {
  int64_t h = nx_notification_create();
  if (h >= 0) g_init.exits = (nx_handle_t)h;
  if (h >= 0) h = nx_notification_create();
  if (h >= 0) g_init.lock = (nx_handle_t)h;
  if (h >= 0) h = nx_notification_signal(g_init.lock, 1); /* free */
  if (h >= 0) h = nx_endpoint_create();
  if (h >= 0) g_init.system = (nx_handle_t)h;
  for (uint32_t i = 0; i < g_init.plan.count && h >= 0; i++) {
    if (!g_init.plan.programs[i].provides[0]) continue;
    h = nx_endpoint_create();
    if (h >= 0) g_init.endpoints[i] = (nx_handle_t)h;
  }
  if (h < 0) init_say("init: cannot make its objects (%s)\n", nx_error_name((int)h));
  return h < 0 ? (int)h : NX_OK;
}

/* Starts the plan's programs in order; returns how many run. */
static uint32_t start_all(void) {
  uint32_t running = 0;
  init_lock();
  for (uint32_t i = 0; i < g_init.plan.count; i++) {
    int e = init_start_program(i);
    if (e != NX_OK) {
      init_say("init: %s did not start (%s)\n", g_init.plan.programs[i].name, nx_error_name(e));
      continue;
    }
    running++;
    if (strcmp(g_init.plan.programs[i].provides, "registry") == 0 &&
        init_setup_registry(i) != NX_OK) {
      init_say("init: the registry is not set up: lookups will fail\n");
    }
  }
  init_unlock();
  init_say("init: %u of %u programs up\n", (unsigned)running, (unsigned)g_init.plan.count);
  return running;
}

int nx_main(const nx_start_info_t *start) {
  g_init.log = start->log;
  g_init.bootfs = start->bootfs;
  g_init.uart = start->uart;
  g_init.uart_irq = start->uart_irq;
  init_say("init: hello from user mode\n");
  if (!start->bootfs_size) {
    init_say("init: no boot archive\n");
    return 1;
  }
  int64_t err = nx_vmo_map(start->bootfs, ARCHIVE_VA, 0, start->bootfs_size, NX_RIGHT_READ);
  bootfs_t fs;
  const char *why = "cannot map it";
  if (err < 0 || bootfs_open(&fs, (const void *)ARCHIVE_VA, start->bootfs_size, &why) != NX_OK) {
    init_say("init: boot archive refused: %s\n", why);
    return 1;
  }
  bootfs_entry_t plan_file;
  if (bootfs_lookup(&fs, "etc/bootplan", &plan_file) != NX_OK) return 0;
  uint32_t line;
  if (bootplan_parse(plan_file.data, plan_file.size, &g_init.plan, &why, &line) != NX_OK) {
    init_say("init: etc/bootplan refused at line %u: %s\n", (unsigned)line, why);
    return 1;
  }
  if (make_objects() != NX_OK) return 1;
  int e = init_start_system_service();
  if (e != NX_OK) {
    init_say("init: the system service did not start (%s)\n", nx_error_name(e));
    return 1;
  }
  init_supervise(start_all());
  return 0;
}
