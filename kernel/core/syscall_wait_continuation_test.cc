// The continuation of a notification or wait-set wait that blocks, on the
// host: the wait leaves it (thread_block_wait) and the thread runs it when
// it is next scheduled (wait_resume, then syscall_wait_complete), whatever
// ended the wait. FakeTask::CallMayBlock stops where the kernel switches
// away; ContinueWait() plays what the thread runs next. The waits are the
// real invokes over the real notify module; only the switch is faked.
#include <gtest/gtest.h>

#include "kernel/core/syscall_test_fixture.h"

namespace syscall_test {
namespace {

using WaitContinuation = SyscallTest;

object_t *ObjectOf(FakeTask &t, nx_handle_value_t h, uint32_t type) {
  object_t *o = nullptr;
  EXPECT_EQ(handle_lookup(&t.task.handles, h, type, 0, &o), NX_OK);
  return o;
}

TEST_F(WaitContinuation, ASignalEndsTheWaitWithTheBitsOfItsMask) {
  const nx_handle_value_t n = Notification(a_);
  auto *kn = reinterpret_cast<notification_t *>(ObjectOf(a_, n, OBJ_NOTIFICATION));
  const nx_handle_value_t signal = b_.Install(&kn->obj, NX_RIGHT_SIGNAL);
  const uint32_t refs = kn->obj.refs;
  ASSERT_EQ(a_.CallMayBlock(NX_SYS_NOTIFICATION_WAIT, n, 0b0110, NX_DEADLINE_NEVER),
            FakeTask::kBlocked);
  EXPECT_EQ(fake_kernel::counters().notify_blocks, 1u);
  EXPECT_EQ(kn->obj.refs, refs + 1) << "the wait holds the notification";
  EXPECT_EQ(a_.thread.wait_hold, &kn->obj);
  // The waiter's own handle goes: the wait's reference keeps the object.
  EXPECT_EQ(Ok(a_, NX_SYS_HANDLE_CLOSE, {n}), 0);
  EXPECT_EQ(kn->obj.refs, refs);

  EXPECT_EQ(Ok(b_, NX_SYS_NOTIFICATION_SIGNAL, {signal, 0b0011}), 0);
  EXPECT_EQ(fake_kernel::counters().notify_wakes, 1u);
  EXPECT_EQ(a_.ContinueWait(), 0b0010) << "the bits of its mask";
  EXPECT_EQ(a_.thread.wait_hold, nullptr);
  EXPECT_EQ(kn->obj.refs, refs - 1) << "the wait's reference went with it";
  EXPECT_EQ(notification_pending(kn), 0b0001u) << "the rest stays pending";
  EXPECT_EQ(notification_check(kn), NX_OK);
}

TEST_F(WaitContinuation, ADeadlineThatPassesEndsTheWaitTimedOut) {
  const nx_handle_value_t n = Notification(a_);
  auto *kn = reinterpret_cast<notification_t *>(ObjectOf(a_, n, OBJ_NOTIFICATION));
  fake_kernel::SetNow(fake_kernel::kTimebaseHz); /* 1 s */
  ASSERT_EQ(a_.CallMayBlock(NX_SYS_NOTIFICATION_WAIT, n, 1, 2000000000ull), FakeTask::kBlocked);
  EXPECT_EQ(kn->queued, 1u);
  // The thread runs again with its wait still queued: its deadline woke it.
  fake_kernel::SetNow(3 * fake_kernel::kTimebaseHz);
  EXPECT_EQ(a_.ContinueWait(), NX_ERR_TIMED_OUT);
  EXPECT_EQ(kn->queued, 0u) << "off the queue";
  EXPECT_EQ(a_.thread.waiter.state, NOTIFY_WAITER_IDLE);
  EXPECT_EQ(a_.thread.wait_hold, nullptr);
  EXPECT_EQ(kn->obj.refs, 1u);
  EXPECT_EQ(fake_kernel::counters().notify_wakes, 1u) << "the timeout's";
  // A later signal finds no waiter: its bit stays pending for the next wait.
  EXPECT_EQ(Ok(a_, NX_SYS_NOTIFICATION_SIGNAL, {n, 1}), 0);
  EXPECT_EQ(fake_kernel::counters().notify_wakes, 1u);
  EXPECT_EQ(Ok(a_, NX_SYS_NOTIFICATION_WAIT, {n, 1, 0}), 1);
}

// A wait set: the slot that took the bits, and the bits where the caller
// asked, written when the thread runs again.
TEST_F(WaitContinuation, AWaitSetWaitReturnsTheSlotAndCopiesTheBitsOut) {
  const nx_handle_value_t ws = Waitset(a_);
  const nx_handle_value_t n0 = Notification(a_), n1 = Notification(a_);
  EXPECT_EQ(Ok(a_, NX_SYS_WAITSET_ADD, {ws, n0, 0b001}), 0);
  EXPECT_EQ(Ok(a_, NX_SYS_WAITSET_ADD, {ws, n1, 0b110}), 1);
  object_t *kws = ObjectOf(a_, ws, OBJ_WAITSET);
  const uint32_t refs = kws->refs;
  const nx_handle_value_t signal = b_.Install(ObjectOf(a_, n1, OBJ_NOTIFICATION), NX_RIGHT_SIGNAL);
  ASSERT_EQ(a_.CallMayBlock(NX_SYS_WAITSET_WAIT, ws, NX_DEADLINE_NEVER, kRw + 16),
            FakeTask::kBlocked);
  EXPECT_EQ(kws->refs, refs + 1) << "the wait holds the wait set";
  EXPECT_EQ(Ok(b_, NX_SYS_NOTIFICATION_SIGNAL, {signal, 0b011}), 0);
  EXPECT_EQ(a_.ContinueWait(), 1) << "slot 1";
  uint64_t bits = 0;
  ASSERT_TRUE(a_.Read(kRw + 16, &bits, sizeof bits));
  EXPECT_EQ(bits, 0b010u);
  EXPECT_EQ(kws->refs, refs);
}

// The bits' memory was checked when the wait began; it may be gone when the
// wait ends. The wait then fails with NX_ERR_BAD_ADDRESS (the bits it took
// are consumed: the caller took away where they were to go) and still lets
// go of the wait set.
TEST_F(WaitContinuation, BitsMemoryUnmappedDuringTheWaitIsRefusedWhenItEnds) {
  const nx_handle_value_t ws = Waitset(a_);
  const nx_handle_value_t n = Notification(a_);
  EXPECT_EQ(Ok(a_, NX_SYS_WAITSET_ADD, {ws, n, 1}), 0);
  object_t *kws = ObjectOf(a_, ws, OBJ_WAITSET);
  const uint32_t refs = kws->refs;
  ASSERT_EQ(a_.CallMayBlock(NX_SYS_WAITSET_WAIT, ws, NX_DEADLINE_NEVER, kRw + kPage),
            FakeTask::kBlocked);
  ASSERT_EQ(sv39_unmap(&a_.task.space, kRw + kPage, kPage, nullptr), NX_OK);
  EXPECT_EQ(Ok(a_, NX_SYS_NOTIFICATION_SIGNAL, {n, 1}), 0);
  EXPECT_EQ(a_.ContinueWait(), NX_ERR_BAD_ADDRESS);
  EXPECT_EQ(a_.thread.wait_hold, nullptr);
  EXPECT_EQ(kws->refs, refs);
}

// Without CallMayBlock a wait that blocks still ends the test loudly.
TEST_F(WaitContinuation, ABlockingWaitOutsideCallMayBlockIsFatal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const nx_handle_value_t n = Notification(a_);
  EXPECT_DEATH(a_.Call(NX_SYS_NOTIFICATION_WAIT, n, 1, NX_DEADLINE_NEVER),
               "a blocking path reached thread_block_wait");
  // And a wait that does not block returns through CallMayBlock as usual.
  EXPECT_EQ(a_.CallMayBlock(NX_SYS_NOTIFICATION_WAIT, n, 1, 0), NX_ERR_TIMED_OUT);
}

}  // namespace
}  // namespace syscall_test
