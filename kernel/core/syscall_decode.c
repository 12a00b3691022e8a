/*
 * Decode for the kernel core's syscalls (seL4's decode/invoke split, the
 * shape neuron/syscall_decl.h declares): each validates every argument
 * against the caller's handles and address space and changes nothing, so
 * that the matching invoke (syscall_invoke.c) cannot fail on anything the
 * caller passed. Syscalls without arguments have nothing to decode. Portable:
 * tested on the host with a real handle table and address space
 * (syscall_decode_test.cc).
 */
#include "neuron/errors.h"
#include "neuron/syscall_decl.h"
#include "neuron/task.h"
#include "neuron/user_memory.h"

/* A handle argument: live, of the syscall's object type, with its rights. */
#define CHECK_HANDLE(caller, value, object, rights)                                         \
  do {                                                                                      \
    object_t *obj_;                                                                         \
    int err_ = handle_lookup(&(caller)->task->handles, (value), (object), (rights), &obj_); \
    if (err_ != NX_OK) return err_;                                                         \
  } while (0)

int sys_debug_write_decode(thread_t *caller, const uint64_t raw[6], sys_debug_write_args_t *out) {
  int err = sys_debug_write_unpack(raw, out);
  if (err != NX_OK) return err;
  CHECK_HANDLE(caller, out->log, SYS_DEBUG_WRITE_LOG_OBJECT, SYS_DEBUG_WRITE_LOG_RIGHTS);
  if (out->len > NX_DEBUG_WRITE_MAX) return NX_ERR_INVALID_ARGS;
  return user_range_check(caller, out->buf, out->len, SV39_ACCESS_READ);
}

int sys_thread_exit_decode(thread_t *caller, const uint64_t raw[6], sys_thread_exit_args_t *out) {
  (void)caller;
  return sys_thread_exit_unpack(raw, out);
}

int sys_task_exit_decode(thread_t *caller, const uint64_t raw[6], sys_task_exit_args_t *out) {
  (void)caller;
  return sys_task_exit_unpack(raw, out);
}

int sys_nanosleep_until_decode(thread_t *caller, const uint64_t raw[6],
                               sys_nanosleep_until_args_t *out) {
  (void)caller;
  return sys_nanosleep_until_unpack(raw, out);
}

int sys_kernel_stats_decode(thread_t *caller, const uint64_t raw[6], sys_kernel_stats_args_t *out) {
  int err = sys_kernel_stats_unpack(raw, out);
  if (err != NX_OK) return err;
  return user_range_check(caller, out->buf, out->len, SV39_ACCESS_WRITE);
}
