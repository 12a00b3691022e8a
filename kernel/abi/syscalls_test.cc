// The generated ABI on the host: numbers, types and signatures of the user
// stubs (declarations here) and of the kernel side, the struct layouts, the
// unpack helpers, the set_out helpers of syscalls that return a struct in
// a1..a5, and syscall_dispatch() against fake decoders and invokers defined
// below.
//
// SYSCALLS below lists every syscall of kernel/abi/syscalls.toml; a syscall
// added to the schema without it fails here twice: its NX_SYS_COUNT no longer
// matches the list, and syscall_dispatch.c no longer links (its decoder and
// invoker have no fake). stubs_riscv64_test checks the stubs, the struct
// layouts and the default rights on riscv64 against the schema itself.

// errors.h has no extern "C" block of its own and nx_error_name() is C, so
// it is included first, as C.
extern "C" {
#include "neuron/errors.h"
}

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "neuron/ipc_msg.h"
#include "neuron/kernel_stats.h"
#include "neuron/rights.h"
#include "neuron/start_info.h"
#include "neuron/syscall_decl.h"
#include "neuron/syscall_numbers.h"
#include "neuron/syscalls.h"

// Every syscall in number order: X(name, NAME, ARGS) for one that takes
// arguments (decode, then invoke), X(name, NAME, NO_ARGS) for one that does
// not (invoke alone), X(name, NAME, OUT) for one that takes arguments and
// returns an `out` struct in a1.. (its invoke calls sys_<name>_set_out()).
#define SYSCALLS(X)                                     \
  X(ipc_call, IPC_CALL, OUT)                            \
  X(ipc_recv, IPC_RECV, OUT)                            \
  X(ipc_reply, IPC_REPLY, ARGS)                         \
  X(ipc_reply_recv, IPC_REPLY_RECV, OUT)                \
  X(thread_yield, THREAD_YIELD, NO_ARGS)                \
  X(notification_signal, NOTIFICATION_SIGNAL, ARGS)     \
  X(notification_wait, NOTIFICATION_WAIT, ARGS)         \
  X(waitset_wait, WAITSET_WAIT, ARGS)                   \
  X(null, NULL, NO_ARGS)                                \
  X(debug_write, DEBUG_WRITE, ARGS)                     \
  X(thread_exit, THREAD_EXIT, ARGS)                     \
  X(task_exit, TASK_EXIT, ARGS)                         \
  X(clock_get, CLOCK_GET, NO_ARGS)                      \
  X(nanosleep_until, NANOSLEEP_UNTIL, ARGS)             \
  X(kernel_stats, KERNEL_STATS, ARGS)                   \
  X(handle_dup, HANDLE_DUP, ARGS)                       \
  X(handle_mint, HANDLE_MINT, ARGS)                     \
  X(handle_close, HANDLE_CLOSE, ARGS)                   \
  X(handle_revoke, HANDLE_REVOKE, ARGS)                 \
  X(vmo_create, VMO_CREATE, ARGS)                       \
  X(vmo_read, VMO_READ, ARGS)                           \
  X(vmo_write, VMO_WRITE, ARGS)                         \
  X(vmo_map, VMO_MAP, ARGS)                             \
  X(vmo_unmap, VMO_UNMAP, ARGS)                         \
  X(endpoint_create, ENDPOINT_CREATE, NO_ARGS)          \
  X(notification_create, NOTIFICATION_CREATE, NO_ARGS)  \
  X(waitset_create, WAITSET_CREATE, NO_ARGS)            \
  X(waitset_add, WAITSET_ADD, ARGS)                     \
  X(waitset_remove, WAITSET_REMOVE, ARGS)               \
  X(channel_create, CHANNEL_CREATE, ARGS)               \
  X(channel_send, CHANNEL_SEND, ARGS)                   \
  X(channel_recv, CHANNEL_RECV, OUT)                    \
  X(channel_bind, CHANNEL_BIND, ARGS)                   \
  X(interrupt_bind, INTERRUPT_BIND, ARGS)               \
  X(interrupt_ack, INTERRUPT_ACK, ARGS)                 \
  X(task_create, TASK_CREATE, ARGS)                     \
  X(task_give, TASK_GIVE, ARGS)                         \
  X(task_start, TASK_START, ARGS)                       \
  X(thread_create, THREAD_CREATE, ARGS)                 \
  X(thread_set_ipc_buffer, THREAD_SET_IPC_BUFFER, ARGS) \
  X(task_watch, TASK_WATCH, ARGS)                       \
  X(task_exit_status, TASK_EXIT_STATUS, ARGS)           \
  X(task_info, TASK_INFO, OUT)                          \
  X(task_handle_info, TASK_HANDLE_INFO, OUT)            \
  X(task_kill, TASK_KILL, ARGS)

namespace {

// ---- numbers ----

struct SyscallInfo {
  uint64_t number;
  const char *name;
  bool has_args;
  bool has_out;
};

#define HAS_ARGS_ARGS true, false
#define HAS_ARGS_NO_ARGS false, false
#define HAS_ARGS_OUT true, true
#define SYSCALL_INFO(name, NAME, kind) {NX_SYS_##NAME, #name, HAS_ARGS_##kind},
constexpr SyscallInfo kSyscalls[] = {SYSCALLS(SYSCALL_INFO)};
constexpr size_t kSyscallCount = sizeof(kSyscalls) / sizeof(kSyscalls[0]);

constexpr bool numbered_in_order() {
  for (size_t i = 0; i < kSyscallCount; i++) {
    if (kSyscalls[i].number != i) return false;
  }
  return true;
}

static_assert(NX_ABI_VERSION == 5, "ABI version");
static_assert(NX_SYS_COUNT == kSyscallCount,
              "a new syscall: add it to SYSCALLS (and to testdata/stubs_user.c)");
static_assert(numbered_in_order(), "SYSCALLS is in number order and numbers have no gaps");

// ---- handles, rights, constants ----

static_assert(std::is_same<nx_handle_t, uint32_t>::value, "handles are 32-bit");
static_assert(NX_HANDLE_INVALID == 0u, "handle 0 is never valid");
static_assert(NX_RIGHT_READ == 1u && NX_RIGHT_WRITE == 2u && NX_RIGHT_MAP == 4u, "rights");
static_assert(NX_RIGHT_SIGNAL == 1u << 6 && NX_RIGHT_MANAGE == 1u << 8, "rights");
static_assert(NX_RIGHTS_ALL == (NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP | NX_RIGHT_EXECUTE |
                                NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER | NX_RIGHT_SIGNAL |
                                NX_RIGHT_WAIT | NX_RIGHT_MANAGE),
              "NX_RIGHTS_ALL has every right");

// A new object's rights: some rights, and only rights that exist.
#define DEFAULT_RIGHTS_VALID(object)                                           \
  static_assert((NX_DEFAULT_RIGHTS_##object & ~NX_RIGHTS_ALL) == 0u,           \
                "NX_DEFAULT_RIGHTS_" #object " is a subset of NX_RIGHTS_ALL"); \
  static_assert(NX_DEFAULT_RIGHTS_##object != 0u, "NX_DEFAULT_RIGHTS_" #object " is not empty");
DEFAULT_RIGHTS_VALID(DEBUG_LOG)
DEFAULT_RIGHTS_VALID(VMO)
DEFAULT_RIGHTS_VALID(NOTIFICATION)
DEFAULT_RIGHTS_VALID(INTERRUPT)
DEFAULT_RIGHTS_VALID(WAITSET)
DEFAULT_RIGHTS_VALID(ENDPOINT)
DEFAULT_RIGHTS_VALID(CHANNEL)
DEFAULT_RIGHTS_VALID(TASK)
static_assert(NX_DEFAULT_RIGHTS_DEBUG_LOG == NX_RIGHT_WRITE, "a debug log is only written");
static_assert(NX_DEFAULT_RIGHTS_TASK ==
                  (NX_RIGHT_READ | NX_RIGHT_MANAGE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER),
              "task_create's handle: read (inspect), manage, duplicate, transfer");
static_assert(NX_OBJ_DEBUG_LOG == 1u && NX_OBJ_TASK == 8u, "object types in schema order from 1");
static_assert((NX_DEFAULT_RIGHTS_VMO & NX_RIGHT_EXECUTE) == 0u, "a new VMO is not executable");

static_assert(NX_DEBUG_WRITE_MAX == 256, "debug_write limit");
static_assert(NX_MSG_WORDS == 4 && NX_MSG_HANDLES == 4, "message capacity");
static_assert(NX_MSG_BUF_MAX == 4096, "message bytes");
// A message's info word: handles in bits 0..7, bytes in bits 16..31.
static_assert(NX_MSG_INFO_BYTES_SHIFT == 16, "info: bytes at bit 16");
static_assert(NX_MSG_HANDLES <= 0xff, "the handle count fits bits 0..7");
static_assert((uint64_t{NX_MSG_BUF_MAX} << NX_MSG_INFO_BYTES_SHIFT) <= UINT32_MAX,
              "the byte count fits bits 16..31");
// The IPC buffer: the handles, then the bytes, 64-byte aligned.
static_assert(NX_IPC_BUFFER_HANDLES == 0 && NX_IPC_BUFFER_BYTES == 64, "IPC buffer offsets");
static_assert(NX_IPC_BUFFER_HANDLES + NX_MSG_HANDLES * sizeof(nx_handle_t) <= NX_IPC_BUFFER_BYTES,
              "the handles come before the bytes");
static_assert(NX_IPC_BUFFER_SIZE == NX_IPC_BUFFER_BYTES + NX_MSG_BUF_MAX, "IPC buffer size");
static_assert(NX_IPC_BUFFER_SIZE == 4160 && NX_IPC_BUFFER_SIZE % 64 == 0, "IPC buffer size");
static_assert(NX_SIGNAL_BITS == (UINT64_C(1) << 63) - 1, "bit 63 is never a signal");
static_assert(NX_DEADLINE_NEVER == UINT64_MAX, "never");
// task_exit_status: the code's low 8 bits, and the fault flag above them.
static_assert(NX_TASK_FAULTED == 256, "NX_TASK_FAULTED");
static_assert((NX_TASK_FAULTED & 0xff) == 0, "the flag is not a bit of the exit code");

// ---- structs: laid out in schema order without padding, as docs/abi.md says ----

template <typename T, typename U>
constexpr bool same() {
  return std::is_same<T, U>::value;
}

#define FIELD_SIZE(type, field) sizeof(((type *)nullptr)->field)
#define FIELD_END(type, field) (offsetof(type, field) + FIELD_SIZE(type, field))
#define FIRST(type, field, ftype)                              \
  static_assert(offsetof(type, field) == 0, #type "." #field); \
  static_assert(same<decltype(type::field), ftype>(), #type "." #field " type");
#define NEXT(type, prev, field, ftype)                          \
  static_assert(offsetof(type, field) == FIELD_END(type, prev), \
                #type "." #field " follows " #prev);            \
  static_assert(same<decltype(type::field), ftype>(), #type "." #field " type");
#define LAST(type, field) \
  static_assert(sizeof(type) == FIELD_END(type, field), #type " ends at " #field);

FIRST(nx_kernel_stats_t, timer_irqs, uint64_t)
NEXT(nx_kernel_stats_t, timer_irqs, timer_irqs_idle, uint64_t)
NEXT(nx_kernel_stats_t, timer_irqs_idle, timer_programs, uint64_t)
NEXT(nx_kernel_stats_t, timer_programs, context_switches, uint64_t)
NEXT(nx_kernel_stats_t, context_switches, syscalls, uint64_t)
NEXT(nx_kernel_stats_t, syscalls, user_faults, uint64_t)
NEXT(nx_kernel_stats_t, user_faults, boot_instret, uint64_t)
NEXT(nx_kernel_stats_t, boot_instret, wakeups, uint64_t)
NEXT(nx_kernel_stats_t, wakeups, ipc_copy_bytes, uint64_t)
NEXT(nx_kernel_stats_t, ipc_copy_bytes, vmo_copy_bytes, uint64_t)
NEXT(nx_kernel_stats_t, vmo_copy_bytes, pages_free, uint64_t)
NEXT(nx_kernel_stats_t, pages_free, pages_total, uint64_t)
LAST(nx_kernel_stats_t, pages_total)
static_assert(sizeof(nx_kernel_stats_t) == 96, "kernel stats size");
static_assert(offsetof(nx_kernel_stats_t, context_switches) == 24, "context switches");
static_assert(offsetof(nx_kernel_stats_t, wakeups) == 56, "wakeups");
static_assert(offsetof(nx_kernel_stats_t, vmo_copy_bytes) == 72, "vmo copy bytes last");

FIRST(nx_ipc_words_t, w0, uint64_t)
NEXT(nx_ipc_words_t, w0, w1, uint64_t)
NEXT(nx_ipc_words_t, w1, w2, uint64_t)
NEXT(nx_ipc_words_t, w2, w3, uint64_t)
NEXT(nx_ipc_words_t, w3, info, uint64_t)
LAST(nx_ipc_words_t, info)
static_assert(sizeof(nx_ipc_words_t) == 40, "nx_ipc_words_t size: a1..a5");
// The words are exactly as many as NX_MSG_WORDS, then info.
static_assert(offsetof(nx_ipc_words_t, info) == NX_MSG_WORDS * sizeof(uint64_t), "w0..w3");

FIRST(nx_start_info_t, log, nx_handle_t)
NEXT(nx_start_info_t, log, bootfs, nx_handle_t)
NEXT(nx_start_info_t, bootfs, uart, nx_handle_t)
NEXT(nx_start_info_t, uart, uart_irq, nx_handle_t)
NEXT(nx_start_info_t, uart_irq, h0, nx_handle_t)
NEXT(nx_start_info_t, h0, h1, nx_handle_t)
NEXT(nx_start_info_t, h1, h2, nx_handle_t)
NEXT(nx_start_info_t, h2, h3, nx_handle_t)
NEXT(nx_start_info_t, h3, arg0, uint64_t)
NEXT(nx_start_info_t, arg0, arg1, uint64_t)
NEXT(nx_start_info_t, arg1, bootfs_size, uint64_t)
LAST(nx_start_info_t, bootfs_size)
static_assert(sizeof(nx_start_info_t) == 56, "nx_start_info_t size");
static_assert(offsetof(nx_start_info_t, h0) == 16 && offsetof(nx_start_info_t, arg0) == 32,
              "nx_start_info_t");

// ---- user stubs: signatures ----

template <typename F, typename G>
constexpr bool same_fn(G) {
  return std::is_same<F, G>::value;
}

typedef int64_t (*NoArgs)(void);
static_assert(same_fn<NoArgs>(&nx_null), "nx_null");
static_assert(same_fn<int64_t (*)(nx_handle_t, uintptr_t, size_t)>(&nx_debug_write),
              "nx_debug_write");
static_assert(same_fn<NoArgs>(&nx_thread_yield), "nx_thread_yield");
// The exits are noreturn, which is part of their type.
typedef void (*NoreturnExit)(int64_t) __attribute__((noreturn));
static_assert(same_fn<NoreturnExit>(&nx_thread_exit), "nx_thread_exit");
static_assert(same_fn<NoreturnExit>(&nx_task_exit), "nx_task_exit");
static_assert(!same_fn<void (*)(int64_t)>(&nx_task_exit), "nx_task_exit is noreturn");
static_assert(same_fn<NoArgs>(&nx_clock_get), "nx_clock_get");
static_assert(same_fn<int64_t (*)(uint64_t)>(&nx_nanosleep_until), "nx_nanosleep_until");
static_assert(same_fn<int64_t (*)(uintptr_t, size_t)>(&nx_kernel_stats), "nx_kernel_stats");
static_assert(same_fn<int64_t (*)(nx_handle_t, uint32_t)>(&nx_handle_dup), "nx_handle_dup");
static_assert(same_fn<int64_t (*)(nx_handle_t, uint32_t, uint64_t)>(&nx_handle_mint),
              "nx_handle_mint");
static_assert(same_fn<int64_t (*)(nx_handle_t)>(&nx_handle_close), "nx_handle_close");
static_assert(same_fn<int64_t (*)(nx_handle_t)>(&nx_handle_revoke), "nx_handle_revoke");
static_assert(same_fn<int64_t (*)(uint64_t, uint32_t)>(&nx_vmo_create), "nx_vmo_create");
static_assert(same_fn<int64_t (*)(nx_handle_t, uint64_t, uintptr_t, size_t)>(&nx_vmo_read),
              "nx_vmo_read");
static_assert(same_fn<int64_t (*)(nx_handle_t, uint64_t, uintptr_t, size_t)>(&nx_vmo_write),
              "nx_vmo_write");
static_assert(
    same_fn<int64_t (*)(nx_handle_t, uint64_t, uint64_t, uint64_t, uint32_t)>(&nx_vmo_map),
    "nx_vmo_map");
static_assert(same_fn<int64_t (*)(uint64_t)>(&nx_vmo_unmap), "nx_vmo_unmap");
static_assert(same_fn<NoArgs>(&nx_endpoint_create), "nx_endpoint_create");
// A message: w0..w3 and info in registers; a syscall with an `out` struct
// takes a pointer to it last.
typedef int64_t (*SendWords)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
typedef int64_t (*SendWordsTo)(nx_handle_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
typedef int64_t (*SendWordsToOut)(nx_handle_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                                  nx_ipc_words_t *);
typedef int64_t (*RecvWords)(nx_handle_t, nx_ipc_words_t *);
static_assert(same_fn<SendWordsToOut>(&nx_ipc_call), "nx_ipc_call");
static_assert(same_fn<RecvWords>(&nx_ipc_recv), "nx_ipc_recv");
static_assert(same_fn<SendWords>(&nx_ipc_reply), "nx_ipc_reply");
static_assert(same_fn<SendWordsToOut>(&nx_ipc_reply_recv), "nx_ipc_reply_recv");
static_assert(same_fn<int64_t (*)(uint32_t)>(&nx_channel_create), "nx_channel_create");
static_assert(same_fn<SendWordsTo>(&nx_channel_send), "nx_channel_send");
static_assert(same_fn<RecvWords>(&nx_channel_recv), "nx_channel_recv");
static_assert(same_fn<int64_t (*)(nx_handle_t, nx_handle_t, uint64_t)>(&nx_channel_bind),
              "nx_channel_bind");
static_assert(same_fn<NoArgs>(&nx_notification_create), "nx_notification_create");
static_assert(same_fn<int64_t (*)(nx_handle_t, uint64_t)>(&nx_notification_signal),
              "nx_notification_signal");
static_assert(same_fn<int64_t (*)(nx_handle_t, uint64_t, uint64_t)>(&nx_notification_wait),
              "nx_notification_wait");
static_assert(same_fn<NoArgs>(&nx_waitset_create), "nx_waitset_create");
static_assert(same_fn<int64_t (*)(nx_handle_t, nx_handle_t, uint64_t)>(&nx_waitset_add),
              "nx_waitset_add");
static_assert(same_fn<int64_t (*)(nx_handle_t, uint32_t)>(&nx_waitset_remove), "nx_waitset_remove");
static_assert(same_fn<int64_t (*)(nx_handle_t, uint64_t, uintptr_t)>(&nx_waitset_wait),
              "nx_waitset_wait");
static_assert(same_fn<int64_t (*)(nx_handle_t, nx_handle_t, uint64_t)>(&nx_interrupt_bind),
              "nx_interrupt_bind");
static_assert(same_fn<int64_t (*)(nx_handle_t)>(&nx_interrupt_ack), "nx_interrupt_ack");
static_assert(
    same_fn<int64_t (*)(nx_handle_t, uintptr_t, size_t, uint32_t, uint32_t)>(&nx_task_create),
    "nx_task_create");
static_assert(same_fn<int64_t (*)(nx_handle_t, nx_handle_t, uint32_t)>(&nx_task_give),
              "nx_task_give");
static_assert(same_fn<int64_t (*)(nx_handle_t, uintptr_t)>(&nx_task_start), "nx_task_start");
static_assert(same_fn<int64_t (*)(uint64_t, uint64_t, uint64_t, uint32_t)>(&nx_thread_create),
              "nx_thread_create");
static_assert(same_fn<int64_t (*)(uint64_t)>(&nx_thread_set_ipc_buffer),
              "nx_thread_set_ipc_buffer");
static_assert(same_fn<int64_t (*)(nx_handle_t, nx_handle_t, uint64_t)>(&nx_task_watch),
              "nx_task_watch");
static_assert(same_fn<int64_t (*)(nx_handle_t)>(&nx_task_exit_status), "nx_task_exit_status");

// ---- kernel side: argument structs and signatures ----

static_assert(same<decltype(sys_debug_write_args_t::log), nx_handle_t>(), "log");
static_assert(same<decltype(sys_debug_write_args_t::buf), uintptr_t>(), "buf");
static_assert(same<decltype(sys_debug_write_args_t::len), size_t>(), "len");
static_assert(same<decltype(sys_thread_exit_args_t::code), int64_t>(), "thread code");
static_assert(same<decltype(sys_task_exit_args_t::code), int64_t>(), "task code");
static_assert(same<decltype(sys_nanosleep_until_args_t::deadline_ns), uint64_t>(), "deadline");
static_assert(same<decltype(sys_kernel_stats_args_t::buf), uintptr_t>(), "stats buf");
static_assert(same<decltype(sys_kernel_stats_args_t::len), size_t>(), "stats len");
static_assert(same<decltype(sys_vmo_map_args_t::prot), uint32_t>(), "prot");
static_assert(same<decltype(sys_task_give_args_t::h), nx_handle_t>(), "give h");
static_assert(same<decltype(sys_task_give_args_t::rights), uint32_t>(), "give rights");
static_assert(same<decltype(sys_waitset_wait_args_t::bits), uintptr_t>(), "waitset bits");
static_assert(same<decltype(sys_ipc_call_args_t::ep), nx_handle_t>(), "call ep");
static_assert(same<decltype(sys_ipc_call_args_t::w0), uint64_t>(), "call w0");
static_assert(same<decltype(sys_ipc_call_args_t::info), uint64_t>(), "call info");
static_assert(same<decltype(sys_ipc_reply_args_t::w3), uint64_t>(), "reply w3");
static_assert(same<decltype(sys_channel_send_args_t::info), uint64_t>(), "send info");
static_assert(same<decltype(sys_thread_set_ipc_buffer_args_t::addr), uint64_t>(), "ipc buffer");
static_assert(SYS_DEBUG_WRITE_LOG_RIGHTS == NX_RIGHT_WRITE, "debug_write needs write");
static_assert(SYS_IPC_CALL_EP_RIGHTS == NX_RIGHT_WRITE, "a call is a write");
static_assert(SYS_IPC_RECV_EP_RIGHTS == NX_RIGHT_READ, "a receive is a read");
static_assert(SYS_TASK_CREATE_BOOTFS_RIGHTS == (NX_RIGHT_READ | NX_RIGHT_EXECUTE), "bootfs");
static_assert(SYS_TASK_GIVE_H_RIGHTS == 0u, "task_give checks h's rights itself");
static_assert(same<decltype(sys_task_watch_args_t::task), nx_handle_t>(), "watch task");
static_assert(same<decltype(sys_task_watch_args_t::n), nx_handle_t>(), "watch n");
static_assert(same<decltype(sys_task_watch_args_t::bit), uint64_t>(), "watch bit");
static_assert(SYS_TASK_WATCH_TASK_RIGHTS == NX_RIGHT_MANAGE, "watching a task manages it");
static_assert(SYS_TASK_WATCH_N_RIGHTS == NX_RIGHT_SIGNAL, "the watch signals n");
static_assert(same<decltype(sys_task_exit_status_args_t::task), nx_handle_t>(), "status task");
static_assert(SYS_TASK_EXIT_STATUS_TASK_RIGHTS == NX_RIGHT_MANAGE, "exit status needs manage");

static_assert(same_fn<int (*)(struct thread *, const uint64_t *, sys_debug_write_args_t *)>(
                  &sys_debug_write_decode),
              "decode");
static_assert(
    same_fn<int64_t (*)(struct thread *, const sys_debug_write_args_t *)>(&sys_debug_write_invoke),
    "invoke");
static_assert(same_fn<int64_t (*)(struct thread *)>(&sys_endpoint_create_invoke),
              "no arguments, no decoder");
static_assert(same_fn<int64_t (*)(struct thread *, uint64_t, const uint64_t *)>(&syscall_dispatch),
              "dispatch");
// The kernel side of `out`: the invoke stores the struct in the caller's saved a1..a5.
typedef void (*SetWords)(uint64_t *, const nx_ipc_words_t *);
static_assert(same_fn<SetWords>(&sys_ipc_call_set_out), "ipc_call set_out");
static_assert(same_fn<SetWords>(&sys_ipc_recv_set_out), "ipc_recv set_out");
static_assert(same_fn<SetWords>(&sys_ipc_reply_recv_set_out), "ipc_reply_recv set_out");
static_assert(same_fn<SetWords>(&sys_channel_recv_set_out), "channel_recv set_out");
static_assert(same_fn<void (*)(uint64_t *, const nx_task_info_t *)>(&sys_task_info_set_out),
              "task_info set_out");
static_assert(
    same_fn<void (*)(uint64_t *, const nx_handle_info_t *)>(&sys_task_handle_info_set_out),
    "task_handle_info set_out");

// ---- fakes of the kernel's decoders and invokers ----

// Invoker n returns kResultBase + n, so a call that reaches the wrong one shows.
constexpr int64_t kResultBase = 1000;

// The fake trap frame's a0..a5 before a syscall. set_out writes a1..a5 and
// leaves a0 alone: the result goes there.
constexpr uint64_t kFrameBefore[6] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5};

struct Fake {
  std::vector<std::string> calls;
  struct thread *caller = nullptr;
  int decode_result = NX_OK;
  // The caller's saved a0..a5, where the invokers of syscalls with an `out`
  // struct store it (sys_<name>_set_out).
  uint64_t frame[6] = {kFrameBefore[0], kFrameBefore[1], kFrameBefore[2],
                       kFrameBefore[3], kFrameBefore[4], kFrameBefore[5]};
};
Fake fake;

// Word i of the out struct the invoker of syscall `number` returns.
constexpr uint64_t out_word(uint64_t number, int i) { return (number << 8) | uint64_t(i + 1); }

// Fills the out struct (u64 fields only, so an array of words) and stores it
// with the syscall's set_out, as a kernel invoke does.
template <typename T>
void fake_set_out(void (*set_out)(uint64_t *, const T *), uint64_t number) {
  static_assert(sizeof(T) % sizeof(uint64_t) == 0 && sizeof(T) <= 5 * sizeof(uint64_t),
                "an out struct is 1..5 u64 fields (a1..a5)");
  uint64_t words[sizeof(T) / sizeof(uint64_t)];
  for (size_t i = 0; i < sizeof(T) / sizeof(uint64_t); i++) words[i] = out_word(number, int(i));
  T out;
  memcpy(&out, words, sizeof(out));
  set_out(fake.frame, &out);
}

int fake_decode(const char *name, struct thread *caller) {
  fake.calls.push_back(std::string("decode ") + name);
  fake.caller = caller;
  return fake.decode_result;
}

int64_t fake_invoke(const char *name, int64_t result) {
  fake.calls.push_back(std::string("invoke ") + name);
  return result;
}

// The arguments each invoker last received.
#define LAST_ARGS_ARGS(name) sys_##name##_args_t last_##name;
#define LAST_ARGS_NO_ARGS(name)
#define LAST_ARGS_OUT(name) LAST_ARGS_ARGS(name)
#define LAST_ARGS(name, NAME, kind) LAST_ARGS_##kind(name)
SYSCALLS(LAST_ARGS)

}  // namespace

#define FAKE_ARGS(name, number)                                                              \
  extern "C" int sys_##name##_decode(struct thread *caller, const uint64_t raw[6],           \
                                     sys_##name##_args_t *out) {                             \
    int err = sys_##name##_unpack(raw, out);                                                 \
    return err != NX_OK ? err : fake_decode(#name, caller);                                  \
  }                                                                                          \
  extern "C" int64_t sys_##name##_invoke(struct thread *, const sys_##name##_args_t *args) { \
    last_##name = *args;                                                                     \
    return fake_invoke(#name, kResultBase + (number));                                       \
  }

// Syscalls with an `out` struct: the invoke also stores it in the frame.
#define FAKE_OUT(name, number)                                                               \
  extern "C" int sys_##name##_decode(struct thread *caller, const uint64_t raw[6],           \
                                     sys_##name##_args_t *out) {                             \
    int err = sys_##name##_unpack(raw, out);                                                 \
    return err != NX_OK ? err : fake_decode(#name, caller);                                  \
  }                                                                                          \
  extern "C" int64_t sys_##name##_invoke(struct thread *, const sys_##name##_args_t *args) { \
    last_##name = *args;                                                                     \
    fake_set_out(&sys_##name##_set_out, (number));                                           \
    return fake_invoke(#name, kResultBase + (number));                                       \
  }

// Syscalls without arguments have no decoder: dispatch calls invoke alone.
#define FAKE_NO_ARGS(name, number)                          \
  extern "C" int64_t sys_##name##_invoke(struct thread *) { \
    return fake_invoke(#name, kResultBase + (number));      \
  }

// NX_SYS_##NAME is pasted here, before NAME could expand (NULL would).
#define FAKE(name, NAME, kind) FAKE_##kind(name, NX_SYS_##NAME)
SYSCALLS(FAKE)

namespace {

struct thread *const kCaller = reinterpret_cast<struct thread *>(0x1000);

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override { fake = Fake(); }
};

TEST_F(DispatchTest, RunsDecodeThenInvoke) {
  const uint64_t raw[6] = {0x10002, 0x4000, 12, 0, 0, 0};
  EXPECT_EQ(syscall_dispatch(kCaller, NX_SYS_DEBUG_WRITE, raw), kResultBase + NX_SYS_DEBUG_WRITE);
  EXPECT_EQ(fake.calls, (std::vector<std::string>{"decode debug_write", "invoke debug_write"}));
  EXPECT_EQ(fake.caller, kCaller);
  EXPECT_EQ(last_debug_write.log, 0x10002u);
  EXPECT_EQ(last_debug_write.buf, 0x4000u);
  EXPECT_EQ(last_debug_write.len, 12u);
}

TEST_F(DispatchTest, EverySyscallReachesItsOwnPair) {
  const uint64_t raw[6] = {};
  for (const SyscallInfo &s : kSyscalls) {
    fake = Fake();
    EXPECT_EQ(syscall_dispatch(kCaller, s.number, raw), kResultBase + int64_t(s.number)) << s.name;
    std::vector<std::string> want;
    if (s.has_args) want.push_back(std::string("decode ") + s.name);
    want.push_back(std::string("invoke ") + s.name);
    EXPECT_EQ(fake.calls, want) << s.number;
    EXPECT_STREQ(syscall_name(s.number), s.name);
    // Only a syscall with an `out` struct writes the frame's a1..a5.
    EXPECT_EQ(fake.frame[1] != kFrameBefore[1], s.has_out) << s.name;
  }
}

TEST_F(DispatchTest, OutSyscallsReturnTheirStructInA1ToA5) {
  const uint64_t raw[6] = {7, 1, 2, 3, 4, 0};
  int with_out = 0;
  for (const SyscallInfo &s : kSyscalls) {
    if (!s.has_out) continue;
    with_out++;
    fake = Fake();
    ASSERT_EQ(syscall_dispatch(kCaller, s.number, raw), kResultBase + int64_t(s.number)) << s.name;
    EXPECT_EQ(fake.frame[0], kFrameBefore[0]) << s.name << ": a0 is the result, not set_out's";
    // handle_info has 4 fields: a5 comes back as it was passed.
    const int fields = s.number == NX_SYS_TASK_HANDLE_INFO ? 4 : 5;
    for (int i = 0; i < 5; i++) {
      EXPECT_EQ(fake.frame[1 + i], i < fields ? out_word(s.number, i) : kFrameBefore[1 + i])
          << s.name;
    }
  }
  EXPECT_EQ(with_out, 6);  // ipc_call, ipc_recv, ipc_reply_recv, channel_recv, task_info,
                           // task_handle_info
  // The words a message carries in a1..a5 on the way in reach the invoker.
  ASSERT_EQ(syscall_dispatch(kCaller, NX_SYS_IPC_CALL, raw), kResultBase + NX_SYS_IPC_CALL);
  EXPECT_EQ(last_ipc_call.ep, 7u);
  EXPECT_EQ(last_ipc_call.w0, 1u);
  EXPECT_EQ(last_ipc_call.w3, 4u);
  EXPECT_EQ(last_ipc_call.info, 0u);
}

TEST_F(DispatchTest, DecodeErrorLeavesTheFrameAlone) {
  const uint64_t raw[6] = {7, 1, 2, 3, 4, 0};
  fake.decode_result = NX_ERR_BAD_HANDLE;
  EXPECT_EQ(syscall_dispatch(kCaller, NX_SYS_IPC_RECV, raw), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(fake.calls, (std::vector<std::string>{"decode ipc_recv"}));
  for (int i = 0; i < 6; i++) EXPECT_EQ(fake.frame[i], kFrameBefore[i]) << i;
}

TEST(SetOutTest, StoresTheFieldsInA1ToA5InOrder) {
  const nx_ipc_words_t words = {11, 22, 33, 44, (uint64_t{2} << NX_MSG_INFO_BYTES_SHIFT) | 1};
  for (auto set_out : {&sys_ipc_call_set_out, &sys_ipc_recv_set_out, &sys_ipc_reply_recv_set_out,
                       &sys_channel_recv_set_out}) {
    uint64_t regs[6] = {UINT64_MAX, 0, 0, 0, 0, 0};
    set_out(regs, &words);
    EXPECT_EQ(regs[0], UINT64_MAX);  // a0 keeps the result
    EXPECT_EQ(regs[1], words.w0);
    EXPECT_EQ(regs[2], words.w1);
    EXPECT_EQ(regs[3], words.w2);
    EXPECT_EQ(regs[4], words.w3);
    EXPECT_EQ(regs[5], words.info);
  }
}

TEST_F(DispatchTest, EveryArgumentRegisterReachesTheInvoker) {
  const uint64_t raw[6] = {1, 2, 3, 4, 5, 6};
  ASSERT_EQ(syscall_dispatch(kCaller, NX_SYS_VMO_MAP, raw), kResultBase + NX_SYS_VMO_MAP);
  EXPECT_EQ(last_vmo_map.vmo, 1u);
  EXPECT_EQ(last_vmo_map.va, 2u);
  EXPECT_EQ(last_vmo_map.offset, 3u);
  EXPECT_EQ(last_vmo_map.size, 4u);
  EXPECT_EQ(last_vmo_map.prot, 5u);

  ASSERT_EQ(syscall_dispatch(kCaller, NX_SYS_THREAD_CREATE, raw),
            kResultBase + NX_SYS_THREAD_CREATE);
  EXPECT_EQ(last_thread_create.entry, 1u);
  EXPECT_EQ(last_thread_create.sp, 2u);
  EXPECT_EQ(last_thread_create.arg, 3u);
  EXPECT_EQ(last_thread_create.priority, 4u);

  ASSERT_EQ(syscall_dispatch(kCaller, NX_SYS_IPC_REPLY_RECV, raw),
            kResultBase + NX_SYS_IPC_REPLY_RECV);
  EXPECT_EQ(last_ipc_reply_recv.ep, 1u);
  EXPECT_EQ(last_ipc_reply_recv.w0, 2u);
  EXPECT_EQ(last_ipc_reply_recv.w1, 3u);
  EXPECT_EQ(last_ipc_reply_recv.w2, 4u);
  EXPECT_EQ(last_ipc_reply_recv.w3, 5u);
  EXPECT_EQ(last_ipc_reply_recv.info, 6u);

  ASSERT_EQ(syscall_dispatch(kCaller, NX_SYS_IPC_REPLY, raw), kResultBase + NX_SYS_IPC_REPLY);
  EXPECT_EQ(last_ipc_reply.w0, 1u);
  EXPECT_EQ(last_ipc_reply.info, 5u);

  ASSERT_EQ(syscall_dispatch(kCaller, NX_SYS_TASK_WATCH, raw), kResultBase + NX_SYS_TASK_WATCH);
  EXPECT_EQ(last_task_watch.task, 1u);
  EXPECT_EQ(last_task_watch.n, 2u);
  EXPECT_EQ(last_task_watch.bit, 3u);

  ASSERT_EQ(syscall_dispatch(kCaller, NX_SYS_TASK_EXIT_STATUS, raw),
            kResultBase + NX_SYS_TASK_EXIT_STATUS);
  EXPECT_EQ(last_task_exit_status.task, 1u);
}

TEST_F(DispatchTest, UnknownNumbersAreRefusedWithoutCalls) {
  const uint64_t raw[6] = {};
  for (uint64_t n : {uint64_t{NX_SYS_COUNT}, uint64_t{1000}, UINT64_MAX, uint64_t{1} << 32}) {
    EXPECT_EQ(syscall_dispatch(kCaller, n, raw), NX_ERR_BAD_SYSCALL) << n;
    EXPECT_STREQ(syscall_name(n), "unknown");
  }
  EXPECT_TRUE(fake.calls.empty());
  EXPECT_STREQ(nx_error_name(NX_ERR_BAD_SYSCALL), "bad-syscall");
}

TEST_F(DispatchTest, DecodeErrorSkipsInvoke) {
  const uint64_t raw[6] = {3, 0x4000, 1, 0, 0, 0};
  fake.decode_result = NX_ERR_ACCESS_DENIED;
  EXPECT_EQ(syscall_dispatch(kCaller, NX_SYS_DEBUG_WRITE, raw), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(fake.calls, (std::vector<std::string>{"decode debug_write"}));
}

TEST_F(DispatchTest, HandleWithHighBitsIsABadHandle) {
  const uint64_t raw[6] = {(uint64_t{1} << 32) | 2, 0x4000, 1, 0, 0, 0};
  EXPECT_EQ(syscall_dispatch(kCaller, NX_SYS_DEBUG_WRITE, raw), NX_ERR_BAD_HANDLE);
  EXPECT_TRUE(fake.calls.empty());
}

TEST(UnpackTest, CopiesEveryRegisterWithItsType) {
  const uint64_t raw[6] = {UINT32_MAX, UINT64_MAX, 7, 9, 9, 9};
  sys_debug_write_args_t w = {};
  ASSERT_EQ(sys_debug_write_unpack(raw, &w), NX_OK);
  EXPECT_EQ(w.log, UINT32_MAX);
  EXPECT_EQ(w.buf, UINTPTR_MAX);
  EXPECT_EQ(w.len, 7u);

  const uint64_t neg[6] = {static_cast<uint64_t>(int64_t{-5}), 0, 0, 0, 0, 0};
  sys_task_exit_args_t e = {};
  ASSERT_EQ(sys_task_exit_unpack(neg, &e), NX_OK);
  EXPECT_EQ(e.code, -5);

  sys_nanosleep_until_args_t s = {};
  ASSERT_EQ(sys_nanosleep_until_unpack(raw + 1, &s), NX_OK);
  EXPECT_EQ(s.deadline_ns, UINT64_MAX);

  const uint64_t give[6] = {5, UINT32_MAX, NX_RIGHTS_ALL, 0, 0, 0};
  sys_task_give_args_t g = {};
  ASSERT_EQ(sys_task_give_unpack(give, &g), NX_OK);
  EXPECT_EQ(g.task, 5u);
  EXPECT_EQ(g.h, UINT32_MAX);
  EXPECT_EQ(g.rights, NX_RIGHTS_ALL);
}

TEST(UnpackTest, RefusesHighBitsInEvery32BitArgument) {
  const uint64_t high = uint64_t{1} << 32;
  sys_task_give_args_t g = {};
  const uint64_t task[6] = {high, 1, 1, 0, 0, 0};
  const uint64_t h[6] = {1, high, 1, 0, 0, 0};
  const uint64_t rights[6] = {1, 1, high, 0, 0, 0};
  EXPECT_EQ(sys_task_give_unpack(task, &g), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(sys_task_give_unpack(h, &g), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(sys_task_give_unpack(rights, &g), NX_ERR_INVALID_ARGS);

  sys_vmo_map_args_t m = {};
  const uint64_t prot[6] = {1, UINT64_MAX, UINT64_MAX, UINT64_MAX, high | NX_RIGHT_READ, 0};
  EXPECT_EQ(sys_vmo_map_unpack(prot, &m), NX_ERR_INVALID_ARGS);

  sys_channel_create_args_t c = {};
  const uint64_t depth[6] = {high | 1, 0, 0, 0, 0, 0};
  EXPECT_EQ(sys_channel_create_unpack(depth, &c), NX_ERR_INVALID_ARGS);

  sys_task_watch_args_t w = {};
  const uint64_t watch_task[6] = {high | 1, 1, 1, 0, 0, 0};
  const uint64_t watch_n[6] = {1, high | 1, 1, 0, 0, 0};
  const uint64_t watch_bit[6] = {1, 1, uint64_t{1} << 62, 0, 0, 0};
  EXPECT_EQ(sys_task_watch_unpack(watch_task, &w), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(sys_task_watch_unpack(watch_n, &w), NX_ERR_BAD_HANDLE);
  ASSERT_EQ(sys_task_watch_unpack(watch_bit, &w), NX_OK) << "the bit is 64-bit";
  EXPECT_EQ(w.bit, uint64_t{1} << 62);
  sys_task_exit_status_args_t st = {};
  EXPECT_EQ(sys_task_exit_status_unpack(watch_task, &st), NX_ERR_BAD_HANDLE);
}

TEST(ErrorsTest, NewCodesHaveNames) {
  EXPECT_STREQ(nx_error_name(NX_ERR_BAD_HANDLE), "bad-handle");
  EXPECT_STREQ(nx_error_name(NX_ERR_ACCESS_DENIED), "access-denied");
  EXPECT_STREQ(nx_error_name(NX_ERR_BAD_ADDRESS), "bad-address");
  EXPECT_STREQ(nx_error_name(NX_ERR_WRONG_TYPE), "wrong-type");
  EXPECT_STREQ(nx_error_name(NX_ERR_TIMED_OUT), "timed-out");
  EXPECT_STREQ(nx_error_name(NX_ERR_BUSY), "busy");
}

}  // namespace
