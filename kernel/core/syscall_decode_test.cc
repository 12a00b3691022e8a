// Syscall decode on the host, against a real handle table and a real Sv39
// address space: every argument error each syscall can return, and that a
// refused call changes nothing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "neuron/arch/memory_layout.h"
#include "neuron/errors.h"
#include "neuron/kernel.h"
#include "neuron/rights.h"
#include "neuron/syscall_decl.h"
#include "neuron/task.h"
#include "neuron/user_memory.h"

kernel_t kernel;  // user_memory.c reaches pages through kernel.pages

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kRw = 0x10000;  // two read-write user pages
constexpr uint64_t kRo = 0x20000;  // one read-only user page
constexpr uint64_t kKernelVa = 0xffffffff80200000ull;

class Decode : public ::testing::Test {
 protected:
  void SetUp() override {
    arena_ = static_cast<uint8_t *>(std::aligned_alloc(1 << 21, kArena));
    ASSERT_NE(arena_, nullptr);
    ASSERT_EQ(page_alloc_init(&kernel.pages, 9, 0), NX_OK);
    ASSERT_EQ(page_alloc_add_range(&kernel.pages, reinterpret_cast<uintptr_t>(arena_), kArena),
              NX_OK);
    std::memset(&task_, 0, sizeof task_);
    ASSERT_EQ(quota_init(&task_.quota, nullptr, 64), NX_OK);
    handle_table_init(&task_.handles);
    ASSERT_EQ(sv39_init(&task_.space, &kernel.pages, &task_.quota, nullptr, nullptr), NX_OK);
    MapUser(kRw, 2, SV39_PERM_U | SV39_PERM_R | SV39_PERM_W);
    MapUser(kRo, 1, SV39_PERM_U | SV39_PERM_R);
    thread_.task = &task_;
    ASSERT_EQ(handle_install(&task_.handles, &log_, NX_RIGHT_WRITE, &log_rw_), NX_OK);
    ASSERT_EQ(handle_install(&task_.handles, &log_, NX_RIGHT_READ, &log_ro_), NX_OK);
  }
  void TearDown() override {
    sv39_destroy(&task_.space);
    std::free(arena_);
  }
  void MapUser(uint64_t va, int pages, sv39_perm_t perms) {
    for (int i = 0; i < pages; i++) {
      uintptr_t pa = page_alloc_alloc(&kernel.pages, 0, PAGE_ALLOC_ZERO);
      ASSERT_NE(pa, 0u);
      ASSERT_EQ(sv39_map(&task_.space, va + i * kPage, pa, kPage, perms, nullptr), NX_OK);
    }
  }
  int DebugWrite(uint64_t handle, uint64_t buf, uint64_t len) {
    const uint64_t raw[6] = {handle, buf, len, 0, 0, 0};
    sys_debug_write_args_t args;
    return sys_debug_write_decode(&thread_, raw, &args);
  }
  int Stats(uint64_t buf, uint64_t len) {
    const uint64_t raw[6] = {buf, len, 0, 0, 0, 0};
    sys_kernel_stats_args_t args;
    return sys_kernel_stats_decode(&thread_, raw, &args);
  }

  static constexpr size_t kArena = 4 << 20;
  uint8_t *arena_ = nullptr;
  task_t task_;
  thread_t thread_{};
  object_t log_ = {OBJ_DEBUG_LOG, 1};
  nx_handle_value_t log_rw_ = 0, log_ro_ = 0;
};

TEST_F(Decode, DebugWriteAcceptsAValidCall) {
  const uint64_t raw[6] = {log_rw_, kRw + 10, 5, 0, 0, 0};
  sys_debug_write_args_t args;
  ASSERT_EQ(sys_debug_write_decode(&thread_, raw, &args), NX_OK);
  EXPECT_EQ(args.log, log_rw_);
  EXPECT_EQ(args.buf, kRw + 10);
  EXPECT_EQ(args.len, 5u);
  EXPECT_EQ(DebugWrite(log_rw_, kRo, NX_DEBUG_WRITE_MAX), NX_OK) << "reading read-only memory";
  EXPECT_EQ(DebugWrite(log_rw_, kRw + 2 * kPage - 8, 8), NX_OK) << "ends on the last byte";
  EXPECT_EQ(DebugWrite(log_rw_, 0, 0), NX_OK) << "nothing to read";
}

TEST_F(Decode, DebugWriteRefusesBadHandles) {
  EXPECT_EQ(DebugWrite(0, kRw, 1), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(DebugWrite(log_rw_ + 7, kRw, 1), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(DebugWrite(log_rw_ ^ 0x10000u, kRw, 1), NX_ERR_BAD_HANDLE) << "stale generation";
  EXPECT_EQ(DebugWrite((1ull << 32) | log_rw_, kRw, 1), NX_ERR_BAD_HANDLE) << "high bits set";
  EXPECT_EQ(DebugWrite(log_ro_, kRw, 1), NX_ERR_ACCESS_DENIED);
  ASSERT_EQ(handle_close(&task_.handles, log_rw_), NX_OK);
  EXPECT_EQ(DebugWrite(log_rw_, kRw, 1), NX_ERR_BAD_HANDLE) << "closed";
}

TEST_F(Decode, DebugWriteRefusesBadBuffers) {
  EXPECT_EQ(DebugWrite(log_rw_, kRw, NX_DEBUG_WRITE_MAX + 1), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(DebugWrite(log_rw_, 0, 1), NX_ERR_BAD_ADDRESS) << "null";
  EXPECT_EQ(DebugWrite(log_rw_, 0x800, 1), NX_ERR_BAD_ADDRESS) << "page 0";
  EXPECT_EQ(DebugWrite(log_rw_, 0x30000, 1), NX_ERR_BAD_ADDRESS) << "unmapped";
  EXPECT_EQ(DebugWrite(log_rw_, kRw + 2 * kPage - 4, 8), NX_ERR_BAD_ADDRESS) << "runs off the end";
  EXPECT_EQ(DebugWrite(log_rw_, kKernelVa, 8), NX_ERR_BAD_ADDRESS) << "kernel half";
  EXPECT_EQ(DebugWrite(log_rw_, ~0ull - 2, 8), NX_ERR_BAD_ADDRESS) << "wraps";
  EXPECT_EQ(DebugWrite(log_rw_, USER_MAX - 2, 8), NX_ERR_BAD_ADDRESS) << "past the user half";
}

TEST_F(Decode, KernelStatsNeedsWritableUserMemory) {
  EXPECT_EQ(Stats(kRw, sizeof(nx_kernel_stats_t)), NX_OK);
  EXPECT_EQ(Stats(kRo, 8), NX_ERR_BAD_ADDRESS) << "read-only page";
  EXPECT_EQ(Stats(kRw + kPage, kPage + 1), NX_ERR_BAD_ADDRESS) << "into the read-only page";
  EXPECT_EQ(Stats(kKernelVa, 8), NX_ERR_BAD_ADDRESS);
  EXPECT_EQ(Stats(0, 8), NX_ERR_BAD_ADDRESS);
}

TEST_F(Decode, ValueOnlySyscallsAcceptAnyValue) {
  const uint64_t raw[6] = {~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull};
  sys_nanosleep_until_args_t s;
  sys_thread_exit_args_t te;
  sys_task_exit_args_t ta;
  EXPECT_EQ(sys_nanosleep_until_decode(&thread_, raw, &s), NX_OK);
  EXPECT_EQ(s.deadline_ns, ~0ull);
  EXPECT_EQ(sys_thread_exit_decode(&thread_, raw, &te), NX_OK);
  EXPECT_EQ(te.code, -1);
  EXPECT_EQ(sys_task_exit_decode(&thread_, raw, &ta), NX_OK);
}

TEST_F(Decode, RefusedCallsChangeNothing) {
  size_t quota = quota_used(&task_.quota);
  uint32_t handles = task_.handles.used;
  uint32_t refs = log_.refs;
  EXPECT_NE(DebugWrite(log_ro_, 0x30000, NX_DEBUG_WRITE_MAX + 1), NX_OK);
  EXPECT_NE(Stats(kRo, 8), NX_OK);
  EXPECT_EQ(quota_used(&task_.quota), quota);
  EXPECT_EQ(task_.handles.used, handles);
  EXPECT_EQ(log_.refs, refs);
}

TEST_F(Decode, UserCopiesCrossPages) {
  char out[64], in[64];
  for (int i = 0; i < 64; i++) out[i] = static_cast<char>(i * 3);
  ASSERT_EQ(user_range_check(&thread_, kRw + kPage - 32, 64, SV39_ACCESS_WRITE), NX_OK);
  user_copy_out(&thread_, kRw + kPage - 32, out, sizeof out);
  user_copy_in(&thread_, in, kRw + kPage - 32, sizeof in);
  EXPECT_EQ(std::memcmp(in, out, sizeof in), 0);
}

// IPC's copy between two spaces (here one space twice) goes chunk by chunk,
// each ending where the source or the destination page does, and stops at
// the first byte either side can no longer reach.
TEST_F(Decode, CopiesBetweenSpacesStopWhereEitherSideEnds) {
  char pattern[kPage];
  for (size_t i = 0; i < sizeof pattern; i++) pattern[i] = static_cast<char>(i * 7 + 1);
  user_copy_out(&thread_, kRw, pattern, sizeof pattern);
  char got[128];
  // The source crosses its page after 10 bytes, the destination after 40.
  EXPECT_EQ(user_copy_between(&thread_, kRw + 2 * kPage - 40, &thread_, kRw + kPage - 10, 40), 40u);
  user_copy_in(&thread_, got, kRw + 2 * kPage - 40, 40);
  EXPECT_EQ(std::memcmp(got, pattern + kPage - 10, 10), 0);
  char second[30];
  user_copy_in(&thread_, second, kRw + kPage, 30);
  EXPECT_EQ(std::memcmp(got + 10, second, 30), 0);
  // Into the unmapped page after kRw's two: the bytes up to it.
  EXPECT_EQ(user_copy_between(&thread_, kRw + 2 * kPage - 64, &thread_, kRw, 128), 64u);
  user_copy_in(&thread_, got, kRw + 2 * kPage - 64, 64);
  EXPECT_EQ(std::memcmp(got, pattern, 64), 0);
  // Nothing into read-only memory, from unmapped memory, or outside the
  // user window on either side.
  EXPECT_EQ(user_copy_between(&thread_, kRo, &thread_, kRw, 16), 0u);
  EXPECT_EQ(user_copy_between(&thread_, kRw, &thread_, 0x30000, 16), 0u);
  EXPECT_EQ(user_copy_between(&thread_, 0, &thread_, kRw, 16), 0u);
  EXPECT_EQ(user_copy_between(&thread_, kRw, &thread_, kKernelVa, 16), 0u);
  EXPECT_EQ(user_copy_between(&thread_, USER_MAX, &thread_, kRw, 16), 0u);
  // From read-only memory is fine.
  EXPECT_EQ(user_copy_between(&thread_, kRw, &thread_, kRo, 16), 16u);
}

}  // namespace
