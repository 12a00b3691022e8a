/*
 * A riscv64 user program that calls every syscall stub of neuron/syscalls.h,
 * each from its own function stub_<name>, and records the layout of every ABI
 * struct in a table layout_<struct> and the default rights of every object
 * type in default_rights, so stubs_riscv64_test can check each against
 * kernel/abi/syscalls.toml. It is built (proving the stubs compile for
 * riscv64) and inspected, never run.
 *
 * stub_<name> passes ARG(i) as argument i (never a variable), so the test can
 * see the stub load it into a<i> before its ecall. The values fit one `li`. A
 * syscall with an `out` struct gets its out pointer as stub_<name>'s only
 * parameter, so the test can follow it from a0 to the stores of a1.. after the
 * ecall.
 */
#include <stddef.h>

#include "neuron/syscalls.h"

#define NOINLINE __attribute__((noinline, used))

/* Argument i (0..5) of every stub: 0x111, 0x222, ... (stubs_riscv64_test.py). */
#define ARG(i) (0x111L * ((i) + 1))

#define STUB0(name) \
  NOINLINE int64_t stub_##name(void) { return nx_##name(); }
#define STUB1(name) \
  NOINLINE int64_t stub_##name(void) { return nx_##name(ARG(0)); }
#define STUB2(name) \
  NOINLINE int64_t stub_##name(void) { return nx_##name(ARG(0), ARG(1)); }
#define STUB3(name) \
  NOINLINE int64_t stub_##name(void) { return nx_##name(ARG(0), ARG(1), ARG(2)); }
#define STUB4(name) \
  NOINLINE int64_t stub_##name(void) { return nx_##name(ARG(0), ARG(1), ARG(2), ARG(3)); }
#define STUB5(name) \
  NOINLINE int64_t stub_##name(void) { return nx_##name(ARG(0), ARG(1), ARG(2), ARG(3), ARG(4)); }
#define STUB6(name)                                                   \
  NOINLINE int64_t stub_##name(void) {                                \
    return nx_##name(ARG(0), ARG(1), ARG(2), ARG(3), ARG(4), ARG(5)); \
  }

/* Syscalls with an `out` struct: the stub stores a1.. through `out`. */
/* NOLINTBEGIN(bugprone-macro-parentheses): `type` is a type name, which
 * cannot be put in parentheses. */
#define STUB1_OUT(name, type) \
  NOINLINE int64_t stub_##name(type *out) { return nx_##name(ARG(0), out); }
#define STUB2_OUT(name, type) \
  NOINLINE int64_t stub_##name(type *out) { return nx_##name(ARG(0), ARG(1), out); }
#define STUB6_OUT(name, type)                                              \
  NOINLINE int64_t stub_##name(type *out) {                                \
    return nx_##name(ARG(0), ARG(1), ARG(2), ARG(3), ARG(4), ARG(5), out); \
  }
/* NOLINTEND(bugprone-macro-parentheses) */

STUB0(null)
STUB3(debug_write)
STUB0(thread_yield)
NOINLINE __attribute__((noreturn)) void stub_thread_exit(void) { nx_thread_exit(ARG(0)); }
NOINLINE __attribute__((noreturn)) void stub_task_exit(void) { nx_task_exit(ARG(0)); }
STUB0(clock_get)
STUB1(nanosleep_until)
STUB2(kernel_stats)
STUB2(handle_dup)
STUB3(handle_mint)
STUB1(handle_close)
STUB1(handle_revoke)
STUB2(vmo_create)
STUB4(vmo_read)
STUB4(vmo_write)
STUB5(vmo_map)
STUB1(vmo_unmap)
STUB0(endpoint_create)
STUB6_OUT(ipc_call, nx_ipc_words_t)
STUB1_OUT(ipc_recv, nx_ipc_words_t)
STUB5(ipc_reply)
STUB6_OUT(ipc_reply_recv, nx_ipc_words_t)
STUB1(channel_create)
STUB6(channel_send)
STUB1_OUT(channel_recv, nx_ipc_words_t)
STUB3(channel_bind)
STUB0(notification_create)
STUB2(notification_signal)
STUB3(notification_wait)
STUB0(waitset_create)
STUB3(waitset_add)
STUB2(waitset_remove)
STUB3(waitset_wait)
STUB3(interrupt_bind)
STUB1(interrupt_ack)
STUB5(task_create)
STUB3(task_give)
STUB2(task_start)
STUB4(thread_create)
STUB1(thread_set_ipc_buffer)
STUB3(task_watch)
STUB1(task_exit_status)
STUB1_OUT(task_info, nx_task_info_t)
STUB2_OUT(task_handle_info, nx_handle_info_t)
STUB2(task_kill)

/*
 * The layout the riscv64 compiler gives each ABI struct: one entry per field
 * in the schema's order, then one named "sizeof" with the struct's size.
 */
struct field_layout {
  char name[24];
  uint32_t offset;
  uint32_t size;
};

#define FIELD(type, field) \
  { #field, offsetof(type, field), sizeof(((type *)0)->field) }
#define SIZE(type) \
  { "sizeof", sizeof(type), 0 }

const struct field_layout layout_kernel_stats[] = {
    FIELD(nx_kernel_stats_t, timer_irqs),
    FIELD(nx_kernel_stats_t, timer_irqs_idle),
    FIELD(nx_kernel_stats_t, timer_programs),
    FIELD(nx_kernel_stats_t, context_switches),
    FIELD(nx_kernel_stats_t, syscalls),
    FIELD(nx_kernel_stats_t, user_faults),
    FIELD(nx_kernel_stats_t, boot_instret),
    FIELD(nx_kernel_stats_t, wakeups),
    FIELD(nx_kernel_stats_t, ipc_copy_bytes),
    FIELD(nx_kernel_stats_t, vmo_copy_bytes),
    FIELD(nx_kernel_stats_t, pages_free),
    FIELD(nx_kernel_stats_t, pages_total),
    SIZE(nx_kernel_stats_t),
};

const struct field_layout layout_ipc_words[] = {
    FIELD(nx_ipc_words_t, w0), FIELD(nx_ipc_words_t, w1),   FIELD(nx_ipc_words_t, w2),
    FIELD(nx_ipc_words_t, w3), FIELD(nx_ipc_words_t, info), SIZE(nx_ipc_words_t),
};

const struct field_layout layout_start_info[] = {
    FIELD(nx_start_info_t, log),         FIELD(nx_start_info_t, bootfs),
    FIELD(nx_start_info_t, uart),        FIELD(nx_start_info_t, uart_irq),
    FIELD(nx_start_info_t, h0),          FIELD(nx_start_info_t, h1),
    FIELD(nx_start_info_t, h2),          FIELD(nx_start_info_t, h3),
    FIELD(nx_start_info_t, arg0),        FIELD(nx_start_info_t, arg1),
    FIELD(nx_start_info_t, bootfs_size), SIZE(nx_start_info_t),
};

const struct field_layout layout_task_info[] = {
    FIELD(nx_task_info_t, state),       FIELD(nx_task_info_t, threads),
    FIELD(nx_task_info_t, handles),     FIELD(nx_task_info_t, pages_used),
    FIELD(nx_task_info_t, pages_quota), SIZE(nx_task_info_t),
};

const struct field_layout layout_handle_info[] = {
    FIELD(nx_handle_info_t, handle), FIELD(nx_handle_info_t, type), FIELD(nx_handle_info_t, rights),
    FIELD(nx_handle_info_t, badge),  SIZE(nx_handle_info_t),
};

/* NX_DEFAULT_RIGHTS_<OBJECT> of every object type, then NX_RIGHTS_ALL as "all". */
struct object_rights {
  char name[24];
  uint32_t rights;
};

const struct object_rights default_rights[] = {
    {"debug_log", NX_DEFAULT_RIGHTS_DEBUG_LOG},
    {"vmo", NX_DEFAULT_RIGHTS_VMO},
    {"notification", NX_DEFAULT_RIGHTS_NOTIFICATION},
    {"interrupt", NX_DEFAULT_RIGHTS_INTERRUPT},
    {"waitset", NX_DEFAULT_RIGHTS_WAITSET},
    {"endpoint", NX_DEFAULT_RIGHTS_ENDPOINT},
    {"channel", NX_DEFAULT_RIGHTS_CHANNEL},
    {"task", NX_DEFAULT_RIGHTS_TASK},
    {"all", NX_RIGHTS_ALL},
};

/* Where the stubs with an `out` struct store it. */
nx_ipc_words_t words;

void _start(void) { /* NOLINT(bugprone-reserved-identifier): the ELF entry symbol */
  /* The tables are only read by the test: keep them from --gc-sections. */
  __asm__ volatile(""
                   :
                   : "r"(layout_kernel_stats), "r"(layout_ipc_words), "r"(layout_start_info),
                     "r"(layout_task_info), "r"(layout_handle_info), "r"(default_rights));
  int64_t sum = stub_null();
  sum += stub_debug_write();
  sum += stub_thread_yield();
  sum += stub_clock_get();
  sum += stub_nanosleep_until();
  sum += stub_kernel_stats();
  sum += stub_handle_dup();
  sum += stub_handle_mint();
  sum += stub_handle_close();
  sum += stub_handle_revoke();
  sum += stub_vmo_create();
  sum += stub_vmo_read();
  sum += stub_vmo_write();
  sum += stub_vmo_map();
  sum += stub_vmo_unmap();
  sum += stub_endpoint_create();
  sum += stub_ipc_call(&words);
  sum += stub_ipc_recv(&words);
  sum += stub_ipc_reply();
  sum += stub_ipc_reply_recv(&words);
  sum += stub_channel_create();
  sum += stub_channel_send();
  sum += stub_channel_recv(&words);
  sum += stub_channel_bind();
  sum += stub_notification_create();
  sum += stub_notification_signal();
  sum += stub_notification_wait();
  sum += stub_waitset_create();
  sum += stub_waitset_add();
  sum += stub_waitset_remove();
  sum += stub_waitset_wait();
  sum += stub_interrupt_bind();
  sum += stub_interrupt_ack();
  sum += stub_task_create();
  sum += stub_task_give();
  sum += stub_task_start();
  sum += stub_thread_create();
  sum += stub_thread_set_ipc_buffer();
  sum += stub_task_watch();
  sum += stub_task_exit_status();
  nx_task_info_t task_info;
  sum += stub_task_info(&task_info);
  nx_handle_info_t handle_info;
  sum += stub_task_handle_info(&handle_info);
  sum += stub_task_kill();
  if (sum < 0) stub_thread_exit();
  stub_task_exit();
}
