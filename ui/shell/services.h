/*
 * The shell's system (shell_sys_t) over the services init hands it: the
 * console, the log and init's own system service, through their IDL
 * clients. Only the program links it; the core's tests use a fake.
 */
#ifndef UI_SHELL_SERVICES_H
#define UI_SHELL_SERVICES_H

#include "neuron/runtime.h"
#include "neuron/shell_sys.h"

typedef struct shell_services {
  nx_handle_t debug_log; /* where the shell reports what it cannot show */
  nx_handle_t console;
  nx_handle_t log;
  nx_handle_t system;
} shell_services_t;

/* Fills in *sys to talk to `services` (which must outlive it). */
void shell_services_sys(shell_services_t *services, shell_sys_t *sys);

#endif
