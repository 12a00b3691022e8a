/*
 * Starting and supervising the boot plan's programs (docs/manifest.md).
 *
 * Each program gets exactly what the plan grants: its debug log, the
 * devices it names (the UART's registers and interrupt line), the receive
 * handle of the service it provides as start->h0, and a send handle for
 * each of its first three `calls` as start->h1..h3, badged with its own
 * badge (BOOTPLAN_BADGE) so the server tells it apart; other services it
 * looks up in the registry by name. A program the plan does not let call a
 * service gets no handle to it and no registry grant: it cannot reach it.
 *
 * Every program's end signals one bit of a notification (task_watch). A
 * program that ends with status 0 is done; one that fails (a non-zero code,
 * or a fault) is started again after a backoff (10 ms, doubled each time)
 * up to RESTARTS_MAX times, each event logged; a restarted program finds
 * its restart count in start->arg0 and serves the same endpoint as before,
 * so its clients' handles still work.
 */
#include <string.h>

#include "init_state.h"

#define RESTARTS_MAX 3
#define BACKOFF_FIRST_NS 10000000ull /* 10 ms, doubled for each restart */

/* Calls handed out as start->h1..h3 (h0 is the program's own service). */
#define CALL_HANDLES 3

_Static_assert(BOOTPLAN_PROGRAMS <= 63, "one signal bit per program");

/* Gives `task` a copy of `h` with `rights`; 0 (and a message) if it fails. */
static nx_handle_t give(nx_handle_t task, nx_handle_t h, uint32_t rights, const char *what,
                        const char *name) {
  int64_t r = nx_task_give(task, h, rights);
  if (r < 0) {
    init_say("init: %s: cannot give it %s (%s)\n", name, what, nx_error_name((int)r));
    return 0;
  }
  return (nx_handle_t)r;
}

/* A send handle to service `name` for program i, with its badge, given to
 * its task; 0 if that fails (logged). */
static nx_handle_t give_call(nx_handle_t task, uint32_t i, const char *name) {
  nx_handle_t ep = init_service_endpoint(name);
  if (!ep) return 0;
  int64_t minted = nx_handle_mint(ep, NX_RIGHT_WRITE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER,
                                  BOOTPLAN_BADGE(i));
  if (minted < 0) {
    init_say("init: cannot mint a handle to %s (%s)\n", name, nx_error_name((int)minted));
    return 0;
  }
  nx_handle_t h =
      give(task, (nx_handle_t)minted, NX_RIGHT_WRITE, name, g_init.plan.programs[i].name);
  nx_handle_close((nx_handle_t)minted);
  return h;
}

int init_start_program(uint32_t i) {
  const bootplan_program_t *p = &g_init.plan.programs[i];
  int64_t task = nx_task_create(g_init.bootfs, (uintptr_t)p->name, strlen(p->name), p->priority,
                                p->quota_pages);
  if (task < 0) return (int)task;
  nx_start_info_t info = {0};
  info.arg0 = g_init.run[i].restarts;
  info.log = give((nx_handle_t)task, g_init.log, NX_RIGHT_WRITE, "its log", p->name);
  if (bootplan_has(p->mmio, p->mmio_count, "uart")) {
    info.uart = give((nx_handle_t)task, g_init.uart, NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP,
                     "the UART", p->name);
  }
  if (bootplan_has(p->irqs, p->irq_count, "uart")) {
    info.uart_irq = give((nx_handle_t)task, g_init.uart_irq, NX_RIGHT_MANAGE | NX_RIGHT_WRITE,
                         "the UART interrupt", p->name);
  }
  if (g_init.endpoints[i]) {
    info.h0 = give((nx_handle_t)task, g_init.endpoints[i], NX_RIGHT_READ, "its endpoint", p->name);
  }
  nx_handle_t *call_slots[CALL_HANDLES] = {&info.h1, &info.h2, &info.h3};
  for (uint32_t c = 0; c < p->call_count && c < CALL_HANDLES; c++) {
    *call_slots[c] = give_call((nx_handle_t)task, i, p->calls[c]);
  }
  if (strcmp(p->provides, "registry") == 0 && p->call_count == 0) {
    /* The registry's setup endpoint, in the h1 it has free: it serves init
     * there until init has told it the whole plan (registry_setup.c). */
    int64_t setup = nx_endpoint_create();
    if (setup >= 0) {
      g_init.registry_setup = (nx_handle_t)setup;
      info.h1 = give((nx_handle_t)task, g_init.registry_setup, NX_RIGHT_READ, "its setup", p->name);
    }
  }
  int64_t err = nx_task_watch((nx_handle_t)task, g_init.exits, 1ull << i);
  if (err == NX_OK) err = nx_task_start((nx_handle_t)task, (uintptr_t)&info);
  if (err != NX_OK) {
    nx_handle_close((nx_handle_t)task);
    return (int)err;
  }
  g_init.run[i].task = (nx_handle_t)task;
  init_say("init: up %s\n", p->name);
  return NX_OK;
}

/* Program i ended: done, restarted, or given up. Returns whether it runs
 * again. */
static int ended(uint32_t i) {
  const bootplan_program_t *p = &g_init.plan.programs[i];
  init_lock();
  int64_t status = nx_task_exit_status(g_init.run[i].task);
  nx_handle_close(g_init.run[i].task);
  g_init.run[i].task = 0;
  init_unlock();
  if (g_init.shutting_down) {
    init_say("init: stopped %s\n", p->name);
    return 0;
  }
  if (status == 0) {
    init_say("init: %s exited\n", p->name);
    return 0;
  }
  if (g_init.run[i].restarts == RESTARTS_MAX) {
    init_say("init: %s failed (status %#llx); given up after %u restarts\n", p->name,
             (unsigned long long)status, (unsigned)RESTARTS_MAX);
    return 0;
  }
  uint64_t delay = BACKOFF_FIRST_NS << g_init.run[i].restarts;
  g_init.run[i].restarts++;
  init_say("init: %s failed (status %#llx); restart %u of %u in %llu ms\n", p->name,
           (unsigned long long)status, (unsigned)g_init.run[i].restarts, (unsigned)RESTARTS_MAX,
           (unsigned long long)(delay / 1000000));
  nx_nanosleep_until((uint64_t)nx_clock_get() + delay);
  init_lock();
  int err = g_init.shutting_down ? NX_ERR_BUSY : init_start_program(i);
  init_unlock();
  if (err != NX_OK) {
    init_say("init: %s did not restart (%s)\n", p->name, nx_error_name(err));
    return 0;
  }
  /* A registry starts empty: it learns the plan's grants and endpoints
   * again (its clients' handles to it still work: init kept the endpoint). */
  if (strcmp(p->provides, "registry") == 0) {
    if (init_setup_registry(i) == NX_OK) {
      init_say("init: told the restarted %s every grant and service again\n", p->name);
    } else {
      init_say("init: the restarted registry is not set up: lookups will fail\n");
    }
  }
  return 1;
}

void init_supervise(uint32_t running) {
  const uint32_t count = g_init.plan.count;
  const uint64_t all = count == 0 ? 0 : (~0ull >> (64 - count));
  while (running) {
    int64_t bits = nx_notification_wait(g_init.exits, all, NX_DEADLINE_NEVER);
    if (bits < 0) {
      init_say("init: supervisor wait failed (%s)\n", nx_error_name((int)bits));
      return;
    }
    for (uint32_t i = 0; i < count; i++) {
      if (((uint64_t)bits >> i) & 1) running -= !ended(i);
    }
  }
  init_say("init: nothing left to supervise\n");
}
