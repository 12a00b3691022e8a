/*
 * init: the root task. It maps the boot archive, reads the boot plan the
 * build wrote from the system manifest (etc/bootplan, docs/manifest.md)
 * and starts every program of it from app/, in the plan's (dependency)
 * order, each with exactly what the plan grants: its debug log, and the
 * devices it names (the UART's registers and interrupt line). It prints
 * "init: up <name>" for each. An image without a plan only greets.
 *
 * Then it supervises: every program's end signals one bit of a
 * notification (task_watch). A program that ends with status 0 is done; one
 * that fails (a non-zero code, or a fault) is started again after a
 * backoff (10 ms, doubled each time) up to RESTARTS_MAX times, each event
 * logged; the restarted program finds its restart count in start->arg0.
 * init exits when nothing is left to supervise.
 *
 * Services: for each service a program provides, init makes one endpoint
 * (it keeps the original, so a restarted server serves the same endpoint
 * and its clients keep their handles). The server gets a receive handle as
 * start->h0; a program that calls services gets, for each of its first
 * three `calls` in plan order, a send handle badged with its own plan
 * index + 1 as start->h1..h3 (the server tells clients apart by the
 * badge). A program the plan does not let call a service gets no handle to
 * it: it cannot reach it.
 *
 * Quotas: each program gets the plan's quota_pages as its own memory
 * quota, carved out of init's (task_create), so the plan's quotas together
 * must fit in init's.
 *
 * Not yet: the registry (lookups by name, and services beyond three per
 * program).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "neuron/bootfs.h"
#include "neuron/bootplan.h"
#include "neuron/runtime.h"

/* Where init maps the boot archive, read-only. */
#define ARCHIVE_VA 0x40000000ul

#define RESTARTS_MAX 3
#define BACKOFF_FIRST_NS 10000000ull /* 10 ms, doubled for each restart */

_Static_assert(BOOTPLAN_PROGRAMS <= 63, "one signal bit per program");

static nx_handle_t g_log;
static bootplan_t g_plan;                          /* ~35 KiB: in .bss, not on the stack */
static nx_handle_t g_exits;                        /* bit i: program i ended */
static nx_handle_t g_endpoints[BOOTPLAN_PROGRAMS]; /* the service program i provides, or 0 */

/* Calls handed out as start->h1..h3 (h0 is the program's own service). */
#define CALL_HANDLES 3

/* What init knows of each program it runs. */
static struct {
  nx_handle_t task; /* 0 while not running */
  uint32_t restarts;
} g_run[BOOTPLAN_PROGRAMS];

static void say(const char *fmt, ...) {
  char line[NX_DEBUG_WRITE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  nx_log_str(g_log, line);
}

/* Gives `task` a copy of `h` with `rights`; 0 (and a message) if it fails. */
static nx_handle_t give(nx_handle_t task, nx_handle_t h, uint32_t rights, const char *what,
                        const char *name) {
  int64_t r = nx_task_give(task, h, rights);
  if (r < 0) {
    say("init: %s: cannot give it %s (%s)\n", name, what, nx_error_name((int)r));
    return 0;
  }
  return (nx_handle_t)r;
}

/* The endpoint of the service `name` (0 if no program provides it). */
static nx_handle_t service_endpoint(const char *name) {
  for (uint32_t j = 0; j < g_plan.count; j++) {
    if (strcmp(g_plan.programs[j].provides, name) == 0) return g_endpoints[j];
  }
  return 0;
}

/* A send handle to service `name` for program i, badged i + 1, given to its
 * task; 0 if that fails (logged). */
static nx_handle_t give_call(nx_handle_t task, uint32_t i, const char *name) {
  nx_handle_t ep = service_endpoint(name);
  if (!ep) return 0;
  int64_t minted =
      nx_handle_mint(ep, NX_RIGHT_WRITE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER, (uint64_t)i + 1);
  if (minted < 0) {
    say("init: cannot mint a handle to %s (%s)\n", name, nx_error_name((int)minted));
    return 0;
  }
  nx_handle_t h = give(task, (nx_handle_t)minted, NX_RIGHT_WRITE, name, g_plan.programs[i].name);
  nx_handle_close((nx_handle_t)minted);
  return h;
}

/* Starts program i of the plan (its restarts-th restart); NX_OK once it
 * runs, watched. */
static int start_program(const nx_start_info_t *boot, uint32_t i) {
  const bootplan_program_t *p = &g_plan.programs[i];
  int64_t task = nx_task_create(boot->bootfs, (uintptr_t)p->name, strlen(p->name), p->priority,
                                p->quota_pages);
  if (task < 0) return (int)task;
  nx_start_info_t info = {0};
  info.arg0 = g_run[i].restarts;
  info.log = give((nx_handle_t)task, boot->log, NX_RIGHT_WRITE, "its log", p->name);
  if (bootplan_has(p->mmio, p->mmio_count, "uart")) {
    info.uart = give((nx_handle_t)task, boot->uart, NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP,
                     "the UART", p->name);
  }
  if (bootplan_has(p->irqs, p->irq_count, "uart")) {
    info.uart_irq = give((nx_handle_t)task, boot->uart_irq, NX_RIGHT_MANAGE | NX_RIGHT_WRITE,
                         "the UART interrupt", p->name);
  }
  if (g_endpoints[i]) {
    info.h0 = give((nx_handle_t)task, g_endpoints[i], NX_RIGHT_READ, "its endpoint", p->name);
  }
  nx_handle_t *call_slots[CALL_HANDLES] = {&info.h1, &info.h2, &info.h3};
  for (uint32_t c = 0; c < p->call_count && c < CALL_HANDLES; c++) {
    *call_slots[c] = give_call((nx_handle_t)task, i, p->calls[c]);
  }
  int64_t err = nx_task_watch((nx_handle_t)task, g_exits, 1ull << i);
  if (err == NX_OK) err = nx_task_start((nx_handle_t)task, (uintptr_t)&info);
  if (err != NX_OK) {
    nx_handle_close((nx_handle_t)task);
    return (int)err;
  }
  g_run[i].task = (nx_handle_t)task;
  say("init: up %s\n", p->name);
  return NX_OK;
}

/* Program i ended: done, restarted, or given up. Returns whether it runs
 * again. */
static int ended(const nx_start_info_t *boot, uint32_t i) {
  const bootplan_program_t *p = &g_plan.programs[i];
  int64_t status = nx_task_exit_status(g_run[i].task);
  nx_handle_close(g_run[i].task);
  g_run[i].task = 0;
  if (status == 0) {
    say("init: %s exited\n", p->name);
    return 0;
  }
  if (g_run[i].restarts == RESTARTS_MAX) {
    say("init: %s failed (status %#llx); given up after %u restarts\n", p->name,
        (unsigned long long)status, (unsigned)RESTARTS_MAX);
    return 0;
  }
  uint64_t delay = BACKOFF_FIRST_NS << g_run[i].restarts;
  g_run[i].restarts++;
  say("init: %s failed (status %#llx); restart %u of %u in %llu ms\n", p->name,
      (unsigned long long)status, (unsigned)g_run[i].restarts, (unsigned)RESTARTS_MAX,
      (unsigned long long)(delay / 1000000));
  nx_nanosleep_until((uint64_t)nx_clock_get() + delay);
  int err = start_program(boot, i);
  if (err != NX_OK) say("init: %s did not restart (%s)\n", p->name, nx_error_name(err));
  return err == NX_OK;
}

int nx_main(const nx_start_info_t *start) {
  g_log = start->log;
  if (!start->bootfs_size) {
    say("init: no boot archive\n");
    return 1;
  }
  int64_t err = nx_vmo_map(start->bootfs, ARCHIVE_VA, 0, start->bootfs_size, NX_RIGHT_READ);
  bootfs_t fs;
  const char *why = "cannot map it";
  if (err < 0 || bootfs_open(&fs, (const void *)ARCHIVE_VA, start->bootfs_size, &why) != NX_OK) {
    say("init: boot archive refused: %s\n", why);
    return 1;
  }
  bootfs_entry_t plan_file;
  if (bootfs_lookup(&fs, "etc/bootplan", &plan_file) != NX_OK) {
    say("init: hello from user mode\n");
    return 0;
  }
  uint32_t line;
  if (bootplan_parse(plan_file.data, plan_file.size, &g_plan, &why, &line) != NX_OK) {
    say("init: etc/bootplan refused at line %u: %s\n", (unsigned)line, why);
    return 1;
  }
  int64_t n = nx_notification_create();
  if (n < 0) {
    say("init: no notification for the supervisor (%s)\n", nx_error_name((int)n));
    return 1;
  }
  g_exits = (nx_handle_t)n;
  for (uint32_t i = 0; i < g_plan.count; i++) {
    if (!g_plan.programs[i].provides[0]) continue;
    int64_t ep = nx_endpoint_create();
    if (ep < 0) {
      say("init: no endpoint for %s (%s)\n", g_plan.programs[i].provides, nx_error_name((int)ep));
      return 1;
    }
    g_endpoints[i] = (nx_handle_t)ep;
  }
  uint32_t running = 0;
  for (uint32_t i = 0; i < g_plan.count; i++) {
    int e = start_program(start, i);
    if (e == NX_OK) {
      running++;
    } else {
      say("init: %s did not start (%s)\n", g_plan.programs[i].name, nx_error_name(e));
    }
  }
  say("init: %u of %u programs up\n", (unsigned)running, (unsigned)g_plan.count);
  const uint64_t all = g_plan.count == 0 ? 0 : (~0ull >> (64 - g_plan.count));
  while (running) {
    int64_t bits = nx_notification_wait(g_exits, all, NX_DEADLINE_NEVER);
    if (bits < 0) {
      say("init: supervisor wait failed (%s)\n", nx_error_name((int)bits));
      return 1;
    }
    for (uint32_t i = 0; i < g_plan.count; i++) {
      if (((uint64_t)bits >> i) & 1) running -= !ended(start, i);
    }
  }
  say("init: nothing left to supervise\n");
  return 0;
}
