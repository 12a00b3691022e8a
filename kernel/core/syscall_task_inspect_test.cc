// The syscalls a supervisor uses to look at and stop the tasks it made
// (task_info, task_handle_info, task_kill) on the host, through decode and
// invoke as the kernel dispatches them: every error each returns, that a
// refused call changes nothing, and what each reports or does.
#include <gtest/gtest.h>

#include "kernel/core/syscall_task_fixture.h"

namespace syscall_test {
namespace {

using TaskInspect = TaskDecode;

// The out registers a successful call left in the caller's frame.
uint64_t Out(FakeTask &t, int i) { return t.frame.a[1 + i]; }

TEST_F(TaskInspect, TaskInfoErrors) {
  const nx_handle_value_t t = static_cast<nx_handle_value_t>(Create(kName, 5));
  const nx_handle_value_t no_read = Dup(a_, t, NX_RIGHT_MANAGE);
  const nx_handle_value_t n = Notification(a_);
  const uint64_t nr = NX_SYS_TASK_INFO;
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {kHigh | t}, "high bits");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {0}, "handle 0");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {t + 0x10000}, "stale generation");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, nr, {n}, "a notification");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {no_read}, "manage without read");
}

// task_info follows a task through its life: new, running, ended.
TEST_F(TaskInspect, TaskInfoReportsStateThreadsHandlesAndMemory) {
  const nx_handle_value_t t = static_cast<nx_handle_value_t>(Create(kName, 5));
  const nx_handle_value_t n = Notification(a_);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_INFO, {t}), 0);
  EXPECT_EQ(Out(a_, 0), uint64_t{NX_TASK_STATE_NEW});
  EXPECT_EQ(Out(a_, 1), 0u) << "no thread before task_start";
  EXPECT_EQ(Out(a_, 2), 0u) << "no handle yet";
  EXPECT_GT(Out(a_, 3), 0u) << "its program and page tables are charged";
  EXPECT_EQ(Out(a_, 3), quota_used(&TaskOf(t)->quota));
  EXPECT_EQ(Out(a_, 4), kQuota);

  EXPECT_GE(Ok(a_, NX_SYS_TASK_GIVE, {t, n, NX_RIGHT_WAIT}), 0);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_START, {t, kRo}), 0);
  task_t *task = TaskOf(t);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_INFO, {t}), 0);
  EXPECT_EQ(Out(a_, 0), uint64_t{NX_TASK_STATE_RUNNING});
  EXPECT_EQ(Out(a_, 1), 1u);
  EXPECT_EQ(Out(a_, 2), 1u);
  EXPECT_EQ(Out(a_, 3), quota_used(&task->quota));

  fake_kernel::EndTask(task, 0);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_INFO, {t}), 0);
  EXPECT_EQ(Out(a_, 0), uint64_t{NX_TASK_STATE_ENDED});
  EXPECT_EQ(Out(a_, 1), 0u);
  EXPECT_EQ(Out(a_, 2), 0u) << "an ended task holds nothing";
  EXPECT_EQ(Out(a_, 3), 0u) << "and its memory went back";
}

TEST_F(TaskInspect, TaskHandleInfoErrors) {
  const nx_handle_value_t t = static_cast<nx_handle_value_t>(Create(kName, 5));
  const nx_handle_value_t no_read = Dup(a_, t, NX_RIGHT_MANAGE);
  const nx_handle_value_t n = Notification(a_);
  EXPECT_GE(Ok(a_, NX_SYS_TASK_GIVE, {t, n, NX_RIGHT_WAIT}), 0);
  const uint64_t nr = NX_SYS_TASK_HANDLE_INFO;
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {0, 0}, "handle 0");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, nr, {n, 0}, "a notification");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {no_read, 0}, "manage without read");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {t, kHigh}, "nth above 32 bits");
  DecodeRefuses(a_, NX_ERR_NOT_FOUND, nr, {t, 1}, "past its one handle");
  DecodeRefuses(a_, NX_ERR_NOT_FOUND, nr, {t, 0xffffffffu}, "far past it");
  const nx_handle_value_t ended = Started(true);
  fake_kernel::EndTask(TaskOf(ended), 0);
  DecodeRefuses(a_, NX_ERR_NOT_FOUND, nr, {ended, 0}, "an ended task holds none");
}

// Each capability comes back with the value the task uses, its type, its
// rights and its badge, in table order.
TEST_F(TaskInspect, TaskHandleInfoListsEveryCapability) {
  const nx_handle_value_t t = static_cast<nx_handle_value_t>(Create(kName, 5));
  const nx_handle_value_t n = Notification(a_);
  const nx_handle_value_t ep = Endpoint(a_);
  const nx_handle_value_t badged = static_cast<nx_handle_value_t>(Ok(
      a_, NX_SYS_HANDLE_MINT, {ep, NX_RIGHT_WRITE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER, 0x42}));
  const int64_t first = Ok(a_, NX_SYS_TASK_GIVE, {t, n, NX_RIGHT_WAIT | NX_RIGHT_SIGNAL});
  const int64_t second = Ok(a_, NX_SYS_TASK_GIVE, {t, badged, NX_RIGHT_WRITE});
  struct Want {
    int64_t handle;
    uint64_t type, rights, badge;
  };
  const Want want[] = {
      {first, NX_OBJ_NOTIFICATION, NX_RIGHT_WAIT | NX_RIGHT_SIGNAL, 0},
      {second, NX_OBJ_ENDPOINT, NX_RIGHT_WRITE, 0x42},
  };
  for (uint64_t i = 0; i < 2; i++) {
    SCOPED_TRACE(i);
    EXPECT_EQ(Ok(a_, NX_SYS_TASK_HANDLE_INFO, {t, i}), 0);
    EXPECT_EQ(Out(a_, 0), static_cast<uint64_t>(want[i].handle));
    EXPECT_EQ(Out(a_, 1), want[i].type);
    EXPECT_EQ(Out(a_, 2), want[i].rights);
    EXPECT_EQ(Out(a_, 3), want[i].badge);
  }
}

TEST_F(TaskInspect, TaskKillErrors) {
  const nx_handle_value_t fresh = static_cast<nx_handle_value_t>(Create(kName, 5));
  const nx_handle_value_t running = Started();
  const nx_handle_value_t no_manage = Dup(a_, running, NX_RIGHT_READ);
  const nx_handle_value_t ended = Started(true);
  fake_kernel::EndTask(TaskOf(ended), 0);
  const nx_handle_value_t n = Notification(a_);
  const uint64_t nr = NX_SYS_TASK_KILL;
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {kHigh | running, 1}, "high bits");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {0, 1}, "handle 0");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, nr, {n, 1}, "a notification");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {no_manage, 1}, "read without manage");
  DecodeRefuses(a_, NX_ERR_BUSY, nr, {fresh, 1}, "never started");
  DecodeRefuses(a_, NX_ERR_BUSY, nr, {ended, 1}, "already ended");
}

// A killed task ends as if it had exited with the code: its watch fires,
// task_exit_status reports the code, its memory goes back, and a second
// kill is refused.
TEST_F(TaskInspect, AKilledTaskEndsWithTheCode) {
  const nx_handle_value_t t = Started(true);
  const nx_handle_value_t n = Notification(a_);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_WATCH, {t, n, 0x8}), 0);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_KILL, {t, 0x1ff}), 0);
  EXPECT_EQ(NotificationOf(n)->pending, 0x8u) << "the watch fired";
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_EXIT_STATUS, {t}), 0xff);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_INFO, {t}), 0);
  EXPECT_EQ(Out(a_, 0), uint64_t{NX_TASK_STATE_ENDED});
  EXPECT_EQ(Out(a_, 3), 0u) << "its memory went back";
  DecodeRefuses(a_, NX_ERR_BUSY, NX_SYS_TASK_KILL, {t, 1}, "killed twice");
}

}  // namespace
}  // namespace syscall_test
