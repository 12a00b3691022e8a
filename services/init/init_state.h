/*
 * What init's parts share: the boot plan, what runs of it, and the lock
 * between init's two threads (the supervisor, which starts and restarts
 * programs, and the system service thread, which reports on them).
 */
#ifndef SERVICES_INIT_INIT_STATE_H
#define SERVICES_INIT_INIT_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "neuron/bootplan.h"
#include "neuron/runtime.h"

/* What init knows of each program it runs. */
typedef struct init_program {
  nx_handle_t task; /* 0 while not running */
  uint32_t restarts;
} init_program_t;

typedef struct init_state {
  nx_handle_t log;
  nx_handle_t bootfs;
  nx_handle_t uart;
  nx_handle_t uart_irq;
  bootplan_t plan;                          /* ~35 KiB: the state is in .bss */
  nx_handle_t exits;                        /* bit i: program i ended */
  nx_handle_t endpoints[BOOTPLAN_PROGRAMS]; /* the service program i provides, or 0 */
  nx_handle_t system;                       /* init's own "system" endpoint */
  nx_handle_t registry_setup;               /* the registry's setup endpoint, until setup_done */
  nx_handle_t lock;                         /* a notification: bit 0 set = free */
  init_program_t run[BOOTPLAN_PROGRAMS];
  bool shutting_down; /* no more restarts */
} init_state_t;

extern init_state_t g_init;

/* Formats a line to the debug log. */
void init_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The lock over g_init.run: the supervisor holds it while it changes a
 * program's task handle, the system thread while it reads one. */
void init_lock(void);
void init_unlock(void);

/* The endpoint of the service `name`: a program's, init's own "system", or
 * 0 if nobody provides it. */
nx_handle_t init_service_endpoint(const char *name);

/* Starts program i of the plan (its restarts-th restart); NX_OK once it
 * runs, watched. Called with the lock held. (supervise.c) */
int init_start_program(uint32_t i);

/* Supervises until nothing is left to: restarts what fails, stops on
 * shutdown. `running` programs were started. (supervise.c) */
void init_supervise(uint32_t running);

/* Tells the registry (plan index `registry`, just started or restarted,
 * with g_init.registry_setup as its setup endpoint) every grant, name and
 * endpoint of the plan, then setup_done; closes the setup endpoint.
 * (registry_setup.c) */
int init_setup_registry(uint32_t registry);

/* Starts the thread that serves init's "system" protocol. (system_service.c) */
int init_start_system_service(void);

#endif
