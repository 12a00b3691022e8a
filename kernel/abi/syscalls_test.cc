// The generated ABI on the host: numbers, types and signatures of the user
// stubs (declarations here) and of the kernel side, the unpack helpers, and
// syscall_dispatch() against fake decoders and invokers defined below.

// errors.h has no extern "C" block of its own and nx_error_name() is C, so
// it is included first, as C.
extern "C" {
#include "neuron/errors.h"
}

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "neuron/kernel_stats.h"
#include "neuron/rights.h"
#include "neuron/syscall_decl.h"
#include "neuron/syscall_numbers.h"
#include "neuron/syscalls.h"

namespace {

// ---- numbers ----

static_assert(NX_ABI_VERSION == 2, "ABI version");
static_assert(NX_SYS_NULL == 0, "null");
static_assert(NX_SYS_DEBUG_WRITE == 1, "debug_write");
static_assert(NX_SYS_THREAD_YIELD == 2, "thread_yield");
static_assert(NX_SYS_THREAD_EXIT == 3, "thread_exit");
static_assert(NX_SYS_TASK_EXIT == 4, "task_exit");
static_assert(NX_SYS_CLOCK_GET == 5, "clock_get");
static_assert(NX_SYS_NANOSLEEP_UNTIL == 6, "nanosleep_until");
static_assert(NX_SYS_KERNEL_STATS == 7, "kernel_stats");
static_assert(NX_SYS_COUNT == 8, "a new syscall: extend this test (and testdata/stubs_user.c)");

// ---- handles, rights, constants, structs ----

static_assert(std::is_same<nx_handle_t, uint32_t>::value, "handles are 32-bit");
static_assert(NX_HANDLE_INVALID == 0u, "handle 0 is never valid");
static_assert(NX_RIGHT_READ == 1u && NX_RIGHT_WRITE == 2u && NX_RIGHT_MAP == 4u, "rights");
static_assert(NX_RIGHT_SIGNAL == 1u << 6 && NX_RIGHT_MANAGE == 1u << 8, "rights");
static_assert(NX_RIGHTS_ALL == 0x1ffu, "NX_RIGHTS_ALL has every right");
static_assert(NX_DEBUG_WRITE_MAX == 256, "debug_write limit");

static_assert(sizeof(nx_kernel_stats_t) == 64, "kernel stats size");
static_assert(offsetof(nx_kernel_stats_t, timer_irqs) == 0, "first counter");
static_assert(offsetof(nx_kernel_stats_t, context_switches) == 24, "context switches");
static_assert(offsetof(nx_kernel_stats_t, wakeups) == 56, "wakeups last");
static_assert(std::is_same<decltype(nx_kernel_stats_t::wakeups), uint64_t>::value, "u64");

// ---- user stubs: signatures ----

template <typename F, typename G>
constexpr bool same_fn(G) {
  return std::is_same<F, G>::value;
}

static_assert(same_fn<int64_t (*)(void)>(&nx_null), "nx_null");
static_assert(same_fn<int64_t (*)(nx_handle_t, uintptr_t, size_t)>(&nx_debug_write),
              "nx_debug_write");
static_assert(same_fn<int64_t (*)(void)>(&nx_thread_yield), "nx_thread_yield");
// The exits are noreturn, which is part of their type.
typedef void (*NoreturnExit)(int64_t) __attribute__((noreturn));
static_assert(same_fn<NoreturnExit>(&nx_thread_exit), "nx_thread_exit");
static_assert(same_fn<NoreturnExit>(&nx_task_exit), "nx_task_exit");
static_assert(!same_fn<void (*)(int64_t)>(&nx_task_exit), "nx_task_exit is noreturn");
static_assert(same_fn<int64_t (*)(void)>(&nx_clock_get), "nx_clock_get");
static_assert(same_fn<int64_t (*)(uint64_t)>(&nx_nanosleep_until), "nx_nanosleep_until");
static_assert(same_fn<int64_t (*)(uintptr_t, size_t)>(&nx_kernel_stats), "nx_kernel_stats");

// ---- kernel side: argument structs and signatures ----

template <typename T, typename U>
constexpr bool same() {
  return std::is_same<T, U>::value;
}

static_assert(same<decltype(sys_debug_write_args_t::log), nx_handle_t>(), "log");
static_assert(same<decltype(sys_debug_write_args_t::buf), uintptr_t>(), "buf");
static_assert(same<decltype(sys_debug_write_args_t::len), size_t>(), "len");
static_assert(same<decltype(sys_thread_exit_args_t::code), int64_t>(), "thread code");
static_assert(same<decltype(sys_task_exit_args_t::code), int64_t>(), "task code");
static_assert(same<decltype(sys_nanosleep_until_args_t::deadline_ns), uint64_t>(), "deadline");
static_assert(same<decltype(sys_kernel_stats_args_t::buf), uintptr_t>(), "stats buf");
static_assert(same<decltype(sys_kernel_stats_args_t::len), size_t>(), "stats len");
static_assert(SYS_DEBUG_WRITE_LOG_RIGHTS == NX_RIGHT_WRITE, "debug_write needs write");

static_assert(same_fn<int (*)(struct thread *, const uint64_t *, sys_debug_write_args_t *)>(
                  &sys_debug_write_decode),
              "decode");
static_assert(
    same_fn<int64_t (*)(struct thread *, const sys_debug_write_args_t *)>(&sys_debug_write_invoke),
    "invoke");
static_assert(same_fn<int64_t (*)(struct thread *, uint64_t, const uint64_t *)>(&syscall_dispatch),
              "dispatch");

// ---- fakes of the kernel's decoders and invokers ----

struct Fake {
  std::vector<std::string> calls;
  struct thread *caller = nullptr;
  int decode_result = NX_OK;
  sys_debug_write_args_t debug_write = {};
  sys_nanosleep_until_args_t nanosleep_until = {};
};
Fake fake;

int fake_decode(const char *name, struct thread *caller) {
  fake.calls.push_back(std::string("decode ") + name);
  fake.caller = caller;
  return fake.decode_result;
}

int64_t fake_invoke(const char *name, int64_t result) {
  fake.calls.push_back(std::string("invoke ") + name);
  return result;
}

}  // namespace

#define FAKE_SIMPLE(name, result)                                                            \
  extern "C" int sys_##name##_decode(struct thread *caller, const uint64_t raw[6],           \
                                     sys_##name##_args_t *out) {                             \
    int err = sys_##name##_unpack(raw, out);                                                 \
    return err != NX_OK ? err : fake_decode(#name, caller);                                  \
  }                                                                                          \
  extern "C" int64_t sys_##name##_invoke(struct thread *, const sys_##name##_args_t *args) { \
    (void)args;                                                                              \
    return fake_invoke(#name, result);                                                       \
  }

// Syscalls without arguments have no decoder: dispatch calls invoke alone.
#define FAKE_NO_ARGS(name, result) \
  extern "C" int64_t sys_##name##_invoke(struct thread *) { return fake_invoke(#name, result); }

FAKE_NO_ARGS(null, 0)
FAKE_NO_ARGS(thread_yield, 0)
FAKE_SIMPLE(thread_exit, -100)  // the real one never returns
FAKE_SIMPLE(task_exit, -101)
FAKE_NO_ARGS(clock_get, 123456789)
FAKE_SIMPLE(kernel_stats, 64)

extern "C" int sys_debug_write_decode(struct thread *caller, const uint64_t raw[6],
                                      sys_debug_write_args_t *out) {
  int err = sys_debug_write_unpack(raw, out);
  return err != NX_OK ? err : fake_decode("debug_write", caller);
}

extern "C" int64_t sys_debug_write_invoke(struct thread *, const sys_debug_write_args_t *args) {
  fake.debug_write = *args;
  return fake_invoke("debug_write", (int64_t)args->len);
}

extern "C" int sys_nanosleep_until_decode(struct thread *caller, const uint64_t raw[6],
                                          sys_nanosleep_until_args_t *out) {
  int err = sys_nanosleep_until_unpack(raw, out);
  return err != NX_OK ? err : fake_decode("nanosleep_until", caller);
}

extern "C" int64_t sys_nanosleep_until_invoke(struct thread *,
                                              const sys_nanosleep_until_args_t *args) {
  fake.nanosleep_until = *args;
  return fake_invoke("nanosleep_until", 0);
}

namespace {

struct thread *const kCaller = reinterpret_cast<struct thread *>(0x1000);

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override { fake = Fake(); }
};

TEST_F(DispatchTest, RunsDecodeThenInvoke) {
  const uint64_t raw[6] = {0x10002, 0x4000, 12, 0, 0, 0};
  EXPECT_EQ(syscall_dispatch(kCaller, NX_SYS_DEBUG_WRITE, raw), 12);
  EXPECT_EQ(fake.calls, (std::vector<std::string>{"decode debug_write", "invoke debug_write"}));
  EXPECT_EQ(fake.caller, kCaller);
  EXPECT_EQ(fake.debug_write.log, 0x10002u);
  EXPECT_EQ(fake.debug_write.buf, 0x4000u);
  EXPECT_EQ(fake.debug_write.len, 12u);
}

TEST_F(DispatchTest, EverySyscallReachesItsOwnPair) {
  const uint64_t raw[6] = {};
  const char *names[NX_SYS_COUNT] = {"null",      "debug_write", "thread_yield",    "thread_exit",
                                     "task_exit", "clock_get",   "nanosleep_until", "kernel_stats"};
  const bool has_args[NX_SYS_COUNT] = {false, true, false, true, true, false, true, true};
  for (uint64_t n = 0; n < NX_SYS_COUNT; n++) {
    fake = Fake();
    syscall_dispatch(kCaller, n, raw);
    std::vector<std::string> want;
    if (has_args[n]) want.push_back(std::string("decode ") + names[n]);
    want.push_back(std::string("invoke ") + names[n]);
    EXPECT_EQ(fake.calls, want) << n;
    EXPECT_STREQ(syscall_name(n), names[n]);
  }
  EXPECT_EQ(syscall_dispatch(kCaller, NX_SYS_CLOCK_GET, raw), 123456789);
  EXPECT_EQ(syscall_dispatch(kCaller, NX_SYS_KERNEL_STATS, raw), 64);
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
