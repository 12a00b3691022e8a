/*
 * Access to user memory from syscalls. The kernel never dereferences a user
 * address: it checks a range against the caller's page tables the way the
 * MMU would for a user access, then copies page by page through the
 * kernel's view of physical memory. So a syscall cannot fault in the
 * kernel and needs no SUM window.
 */
#ifndef NEURON_USER_MEMORY_H
#define NEURON_USER_MEMORY_H

#include <stdint.h>

#include "neuron/task.h"

#ifdef __cplusplus
extern "C" {
#endif

/* NX_OK if [addr, addr + len) lies in user space and every page of it
 * allows `access` (SV39_ACCESS_READ or _WRITE) from user mode in the
 * thread's address space and is RAM (not a device's registers);
 * NX_ERR_BAD_ADDRESS otherwise. No side effects. */
int user_range_check(const thread_t *t, uint64_t addr, uint64_t len, unsigned access);

/* Copies between a range user_range_check() accepted and kernel memory. */
void user_copy_in(const thread_t *t, void *dst, uint64_t uaddr, uint64_t len);
void user_copy_out(const thread_t *t, uint64_t uaddr, const void *src, uint64_t len);

/* Copies up to `len` bytes from src_addr in src's address space to dst_addr
 * in dst's (IPC's one copy between two tasks), checking each page as it
 * goes, since the ranges were checked when each side entered its syscall
 * and may have changed since. Stops at the first page that is no longer
 * mapped as needed; returns how many bytes it copied. */
uint64_t user_copy_between(const thread_t *dst, uint64_t dst_addr, const thread_t *src,
                           uint64_t src_addr, uint64_t len);

#ifdef __cplusplus
}
#endif

#endif
