/*
 * The kernel core's syscalls. Each is split as the ABI generator declares
 * (neuron/syscall_decl.h): decode validates every argument against the
 * caller's handles and address space and changes nothing; invoke then
 * cannot fail on anything the caller passed.
 */
#include "neuron/arch/csr.h"
#include "neuron/arch/memory_layout.h"
#include "neuron/console.h"
#include "neuron/errors.h"
#include "neuron/kernel.h"
#include "neuron/rights.h"
#include "neuron/syscall_decl.h"
#include "neuron/task.h"

#define DEBUG_WRITE_MAX 256

void *memcpy(void *dst, const void *src, size_t n);

/* Whether [addr, addr + len) lies in user space and every page of it allows
 * `access` from user mode in the caller's address space. */
static int user_range_ok(const thread_t *t, uint64_t addr, uint64_t len, unsigned access) {
  if (len == 0) return NX_OK;
  if (addr < USER_MIN || addr > USER_MAX || len > USER_MAX - addr) return NX_ERR_BAD_ADDRESS;
  for (uint64_t page = addr & ~(PAGE_SIZE - 1); page < addr + len; page += PAGE_SIZE) {
    uint64_t pa;
    if (sv39_translate(&t->task->space, page, access | SV39_ACCESS_USER, &pa) != SV39_OK) {
      return NX_ERR_BAD_ADDRESS;
    }
  }
  return NX_OK;
}

/* Copies between user memory (validated by user_range_ok) and the kernel,
 * page by page through the direct map: the kernel never dereferences a user
 * address, so it needs no SUM window and cannot fault here. */
static void user_copy(const thread_t *t, uint64_t uaddr, void *kbuf, uint64_t len, int to_user) {
  char *k = kbuf;
  while (len) {
    uint64_t pa;
    unsigned access = to_user ? SV39_ACCESS_WRITE : SV39_ACCESS_READ;
    sv39_translate(&t->task->space, uaddr, access | SV39_ACCESS_USER, &pa);
    uint64_t chunk = PAGE_SIZE - (uaddr & (PAGE_SIZE - 1));
    if (chunk > len) chunk = len;
    if (to_user) {
      memcpy(phys_to_virt(pa), k, chunk);
    } else {
      memcpy(k, phys_to_virt(pa), chunk);
    }
    uaddr += chunk;
    k += chunk;
    len -= chunk;
  }
}

static uint64_t ticks_to_ns(uint64_t t) {
  uint64_t hz = kernel.platform.timebase_hz;
  return (t / hz) * 1000000000ull + (t % hz) * 1000000000ull / hz;
}

static uint64_t ns_to_ticks(uint64_t ns) {
  uint64_t hz = kernel.platform.timebase_hz;
  return (ns / 1000000000ull) * hz + (ns % 1000000000ull) * hz / 1000000000ull;
}

int sys_null_decode(thread_t *caller, const uint64_t raw[6], sys_null_args_t *out) {
  (void)caller;
  (void)raw;
  (void)out;
  return NX_OK;
}

int64_t sys_null_invoke(thread_t *caller, const sys_null_args_t *args) {
  (void)caller;
  (void)args;
  return 0;
}

int sys_debug_write_decode(thread_t *caller, const uint64_t raw[6], sys_debug_write_args_t *out) {
  object_t *log;
  if (raw[0] > UINT32_MAX) return NX_ERR_BAD_HANDLE;
  int err = handle_lookup(&caller->task->handles, (nx_handle_value_t)raw[0], OBJ_DEBUG_LOG,
                          NX_RIGHT_WRITE, &log);
  if (err != NX_OK) return err;
  if (raw[2] > DEBUG_WRITE_MAX) return NX_ERR_INVALID_ARGS;
  err = user_range_ok(caller, raw[1], raw[2], SV39_ACCESS_READ);
  if (err != NX_OK) return err;
  out->log = (nx_handle_t)raw[0];
  out->buf = raw[1];
  out->len = raw[2];
  return NX_OK;
}

int64_t sys_debug_write_invoke(thread_t *caller, const sys_debug_write_args_t *args) {
  char buf[DEBUG_WRITE_MAX];
  user_copy(caller, args->buf, buf, args->len, 0);
  console_write(buf, args->len);
  return (int64_t)args->len;
}

int sys_thread_yield_decode(thread_t *caller, const uint64_t raw[6], sys_thread_yield_args_t *out) {
  (void)caller;
  (void)raw;
  (void)out;
  return NX_OK;
}

int64_t sys_thread_yield_invoke(thread_t *caller, const sys_thread_yield_args_t *args) {
  (void)args;
  sched_relinquish(&kernel.sched, &caller->sched);
  schedule();
  return 0;
}

int sys_thread_exit_decode(thread_t *caller, const uint64_t raw[6], sys_thread_exit_args_t *out) {
  (void)caller;
  out->code = (int64_t)raw[0];
  return NX_OK;
}

int64_t sys_thread_exit_invoke(thread_t *caller, const sys_thread_exit_args_t *args) {
  (void)caller;
  thread_exit_current(args->code);
}

int sys_task_exit_decode(thread_t *caller, const uint64_t raw[6], sys_task_exit_args_t *out) {
  (void)caller;
  out->code = (int64_t)raw[0];
  return NX_OK;
}

/* Tasks have one thread until thread creation arrives, so ending the task
 * is ending that thread (which then frees the task). */
int64_t sys_task_exit_invoke(thread_t *caller, const sys_task_exit_args_t *args) {
  (void)caller;
  thread_exit_current(args->code);
}

int sys_clock_get_decode(thread_t *caller, const uint64_t raw[6], sys_clock_get_args_t *out) {
  (void)caller;
  (void)raw;
  (void)out;
  return NX_OK;
}

int64_t sys_clock_get_invoke(thread_t *caller, const sys_clock_get_args_t *args) {
  (void)caller;
  (void)args;
  return (int64_t)ticks_to_ns(rdtime());
}

int sys_nanosleep_until_decode(thread_t *caller, const uint64_t raw[6],
                               sys_nanosleep_until_args_t *out) {
  (void)caller;
  out->deadline_ns = raw[0];
  return NX_OK;
}

int64_t sys_nanosleep_until_invoke(thread_t *caller, const sys_nanosleep_until_args_t *args) {
  /* Round up, so the thread never wakes before its deadline. */
  uint64_t deadline = ns_to_ticks(args->deadline_ns);
  if (ticks_to_ns(deadline) < args->deadline_ns) deadline++;
  if (deadline <= rdtime()) return 0;
  sched_sleep_until(&kernel.sched, &caller->sched, deadline);
  schedule();
  return 0;
}

int sys_kernel_stats_decode(thread_t *caller, const uint64_t raw[6], sys_kernel_stats_args_t *out) {
  int err = user_range_ok(caller, raw[0], raw[1], SV39_ACCESS_WRITE);
  if (err != NX_OK) return err;
  out->buf = raw[0];
  out->len = raw[1];
  return NX_OK;
}

int64_t sys_kernel_stats_invoke(thread_t *caller, const sys_kernel_stats_args_t *args) {
  uint64_t n = args->len < sizeof kstats ? args->len : sizeof kstats;
  user_copy(caller, args->buf, &kstats, n, 1);
  return (int64_t)n;
}
