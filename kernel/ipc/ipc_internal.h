/*
 * Shared by the IPC files (not public): copying message words and moving a
 * message's capabilities all or none.
 */
#ifndef KERNEL_IPC_IPC_INTERNAL_H
#define KERNEL_IPC_IPC_INTERNAL_H

#include <stdint.h>

#include "neuron/cap_transfer.h"
#include "neuron/ipc.h"

/* dst's words and counts from src's; handles are the caller's business
 * (they are translated, not copied). */
void ipc_msg_copy_words(ipc_msg_t *dst, const ipc_msg_t *src);

/* The check a sender's handles pass before anything waits on them: each
 * live, usable and carrying NX_RIGHT_TRANSFER in `src`, no value twice (a
 * duplicate would be moved twice). No side effects. */
int ipc_handles_precheck(const handle_table_t *src, const nx_handle_value_t *h, uint32_t n);

/* Phase one of moving n handles from src to dst: the precheck, room for all
 * n in dst, and cap_move_check of each into plans[]. When src == dst (two
 * threads of one task) nothing needs to move and only the precheck runs.
 * No side effects. */
int ipc_handles_check(handle_table_t *src, const nx_handle_value_t *h, uint32_t n,
                      handle_table_t *dst, cap_plan_t plans[IPC_MSG_HANDLES]);

/* Phase two: moves them (cannot fail after a successful check with no
 * handle operation in between) and writes the handles' values in dst. */
void ipc_handles_apply(ipc_system_t *sys, handle_table_t *src, const nx_handle_value_t *h,
                       uint32_t n, handle_table_t *dst, const cap_plan_t plans[IPC_MSG_HANDLES],
                       nx_handle_value_t out[IPC_MSG_HANDLES]);

#endif
