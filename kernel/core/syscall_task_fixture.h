// The task syscalls' test fixture: a boot archive with programs to create
// tasks from, and helpers that create, start and look tasks up. Shared by the
// task decode tests and the task inspection tests.
#ifndef KERNEL_CORE_SYSCALL_TASK_FIXTURE_H
#define KERNEL_CORE_SYSCALL_TASK_FIXTURE_H

#include <vector>

#include "kernel/core/syscall_test_fixture.h"

namespace syscall_test {

class TaskDecode : public SyscallTest {
 protected:
  void SetUp() override {
    SyscallTest::SetUp();
    const std::vector<uint8_t> archive = fake_kernel::CpioArchive({
        {"app/hello", fake_kernel::MinimalElf()},
        {"app/junk", {1, 2, 3, 4}},
        {"bin/init", fake_kernel::MinimalElf()},
    });
    vmo_t *bootfs = env_->NewBootfs(archive);
    ASSERT_NE(bootfs, nullptr);
    bootfs_ = a_.Install(&bootfs->obj, kBootRights);
    ASSERT_TRUE(a_.Write(kName, "hellojunkinit", 13));
  }
  void TearDown() override {
    for (task_t *t : started_) fake_kernel::EndTask(t);
    SyscallTest::TearDown();
  }
  int64_t Create(uint64_t name, uint64_t len, uint64_t priority = 5, uint64_t quota = kQuota) {
    return a_.Call(NX_SYS_TASK_CREATE, bootfs_, name, len, priority, quota);
  }
  task_t *TaskOf(nx_handle_value_t h) {
    object_t *o = nullptr;
    EXPECT_EQ(handle_lookup(&a_.task.handles, h, OBJ_TASK, 0, &o), NX_OK);
    return reinterpret_cast<task_t *>(o);
  }
  notification_t *NotificationOf(nx_handle_value_t h) {
    object_t *o = nullptr;
    EXPECT_EQ(handle_lookup(&a_.task.handles, h, OBJ_NOTIFICATION, 0, &o), NX_OK);
    return reinterpret_cast<notification_t *>(o);
  }
  // A task of a_'s, created and started (ended by TearDown unless `ended`
  // says the test ends it).
  nx_handle_value_t Started(bool ended = false) {
    const int64_t t = Create(kName, 5);
    EXPECT_GE(t, 0);
    const nx_handle_value_t h = static_cast<nx_handle_value_t>(t);
    EXPECT_EQ(Ok(a_, NX_SYS_TASK_START, {h, kRo}), 0);
    if (!ended) started_.push_back(TaskOf(h));
    return h;
  }

  static constexpr uint32_t kBootRights =
      NX_RIGHT_READ | NX_RIGHT_EXECUTE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER;
  static constexpr uint64_t kName = kRw + 0x800;  // "hello", "junk", "init"
  static constexpr uint64_t kQuota = 32;          // a new task's pages (a_ has 256)
  nx_handle_value_t bootfs_ = 0;
  std::vector<task_t *> started_;
};

}  // namespace syscall_test

#endif
