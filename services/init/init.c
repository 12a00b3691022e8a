/*
 * init: the root task. It maps the boot archive, reads the boot plan the
 * build wrote from the system manifest (etc/bootplan, docs/manifest.md)
 * and starts every program of it from app/, in the plan's (dependency)
 * order, each with exactly what the plan grants: its debug log, and the
 * devices it names (the UART's registers and interrupt line). It prints
 * "init: up <name>" for each. An image without a plan only greets.
 *
 * Not yet: restarting a program that dies (the kernel has no exit
 * notification yet), the registry wiring of `calls` and `provides`, and
 * per-program quotas (task_create gives every task the default).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "neuron/bootfs.h"
#include "neuron/bootplan.h"
#include "neuron/runtime.h"

/* Where init maps the boot archive, read-only. */
#define ARCHIVE_VA 0x40000000ul

static nx_handle_t g_log;
static bootplan_t g_plan; /* ~35 KiB: in .bss, not on the stack */

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

/* Starts one program of the plan; NX_OK once it runs. */
static int start_program(const nx_start_info_t *boot, const bootplan_program_t *p) {
  int64_t task = nx_task_create(boot->bootfs, (uintptr_t)p->name, strlen(p->name), p->priority);
  if (task < 0) return (int)task;
  nx_start_info_t info = {0};
  info.log = give((nx_handle_t)task, boot->log, NX_RIGHT_WRITE, "its log", p->name);
  if (bootplan_has(p->mmio, p->mmio_count, "uart")) {
    info.uart = give((nx_handle_t)task, boot->uart, NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP,
                     "the UART", p->name);
  }
  if (bootplan_has(p->irqs, p->irq_count, "uart")) {
    info.uart_irq = give((nx_handle_t)task, boot->uart_irq, NX_RIGHT_MANAGE | NX_RIGHT_WRITE,
                         "the UART interrupt", p->name);
  }
  int64_t err = nx_task_start((nx_handle_t)task, (uintptr_t)&info);
  nx_handle_close((nx_handle_t)task); /* init keeps no handle it does not use yet */
  return (int)err;
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
  int failed = 0;
  for (uint32_t i = 0; i < g_plan.count; i++) {
    const bootplan_program_t *p = &g_plan.programs[i];
    int e = start_program(start, p);
    if (e == NX_OK) {
      say("init: up %s\n", p->name);
    } else {
      say("init: %s did not start (%s)\n", p->name, nx_error_name(e));
      failed++;
    }
  }
  say("init: %u of %u programs up\n", (unsigned)(g_plan.count - failed), (unsigned)g_plan.count);
  return failed ? 1 : 0;
}
