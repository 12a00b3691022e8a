// The notification, wait set, interrupt, task (task_watch and
// task_exit_status too) and thread syscalls on the host, through decode and
// invoke as the kernel dispatches them: every error each returns for what the
// caller passed, and that a refused call changes nothing. Also: a syscall
// that would block reaches the fake schedule(), which ends the test loudly.
#include <gtest/gtest.h>

#include "kernel/core/syscall_task_fixture.h"
#include "neuron/irq.h"

namespace syscall_test {
namespace {

using NotifyTaskDecode = SyscallTest;

constexpr uint64_t kBit63 = uint64_t{1} << 63;

// ---- Notifications ----

TEST_F(NotifyTaskDecode, NotificationSignalErrors) {
  const nx_handle_value_t n = Notification(a_);
  const nx_handle_value_t wait_only = Dup(a_, n, NX_RIGHT_WAIT);
  const nx_handle_value_t ws = Waitset(a_);
  const uint64_t nr = NX_SYS_NOTIFICATION_SIGNAL;
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {kHigh | n, 1}, "high bits");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {0, 1}, "handle 0");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {n + 0x10000, 1}, "stale");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, nr, {ws, 1}, "a wait set");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {wait_only, 1}, "no signal right");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {n, 0}, "no bits");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {n, kBit63 | 1}, "bit 63");
  EXPECT_EQ(Ok(a_, nr, {n, 0x5}), 0);
  EXPECT_EQ(Ok(a_, nr, {n, NX_SIGNAL_BITS}), 0) << "every bit at once";
}

TEST_F(NotifyTaskDecode, NotificationWaitErrors) {
  const nx_handle_value_t n = Notification(a_);
  const nx_handle_value_t signal_only = Dup(a_, n, NX_RIGHT_SIGNAL);
  const nx_handle_value_t ch = Channel(a_, 1);
  const uint64_t nr = NX_SYS_NOTIFICATION_WAIT;
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {kHigh | n, 1, 0}, "high bits");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, nr, {ch, 1, 0}, "a channel");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {signal_only, 1, 0}, "no wait right");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {n, 0, 0}, "mask 0");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {n, kBit63, 0}, "bit 63");
  // Deadline 0 only looks; so does a deadline that has passed.
  InvokeRefuses(a_, NX_ERR_TIMED_OUT, nr, {n, ~0ull >> 1, 0}, "nothing pending");
  fake_kernel::SetNow(50 * fake_kernel::kTimebaseHz);
  InvokeRefuses(a_, NX_ERR_TIMED_OUT, nr, {n, 1, 49000000000ull}, "deadline passed");
  EXPECT_EQ(Ok(a_, NX_SYS_NOTIFICATION_SIGNAL, {n, 0b1110}), 0);
  EXPECT_EQ(Ok(a_, nr, {n, 0b0110, 0}), 0b0110) << "the bits of the mask";
  EXPECT_EQ(Ok(a_, nr, {n, ~0ull >> 1, NX_DEADLINE_NEVER}), 0b1000) << "pending: no block";
  InvokeRefuses(a_, NX_ERR_TIMED_OUT, nr, {n, ~0ull >> 1, 0}, "all taken");
  EXPECT_EQ(fake_kernel::counters().notify_blocks, 0u);
}

// The fake schedule() ends the process: a host test that reaches a blocking
// path fails loudly instead of hanging or going on with a thread that never
// woke.
TEST_F(NotifyTaskDecode, BlockingPathsEndTheTestLoudly) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const nx_handle_value_t n = Notification(a_);
  const nx_handle_value_t ep = Endpoint(a_);
  fake_kernel::SetNow(fake_kernel::kTimebaseHz);
  EXPECT_DEATH(a_.Call(NX_SYS_NOTIFICATION_WAIT, n, 1, NX_DEADLINE_NEVER),
               "a blocking path reached");
  EXPECT_DEATH(a_.Call(NX_SYS_NOTIFICATION_WAIT, n, 1, 2000000000ull), "a blocking path reached");
  EXPECT_DEATH(a_.Call(NX_SYS_IPC_RECV, ep), "a blocking path reached");
  EXPECT_DEATH(a_.Call(NX_SYS_IPC_CALL, ep, 1, 2, 3, 4, 0), "a blocking path reached");
  EXPECT_DEATH(a_.Call(NX_SYS_NANOSLEEP_UNTIL, 5000000000ull), "a blocking path reached");
  EXPECT_DEATH(a_.Call(NX_SYS_THREAD_EXIT, 0), "thread_exit");
  EXPECT_EQ(a_.Call(NX_SYS_NANOSLEEP_UNTIL, 1000000000ull), 0) << "a deadline that has passed";
}

// ---- Wait sets ----

TEST_F(NotifyTaskDecode, WaitsetAddErrors) {
  const nx_handle_value_t ws = Waitset(a_);
  const nx_handle_value_t ws_wait = Dup(a_, ws, NX_RIGHT_WAIT);
  const nx_handle_value_t n = Notification(a_);
  const nx_handle_value_t n_signal = Dup(a_, n, NX_RIGHT_SIGNAL);
  const uint64_t nr = NX_SYS_WAITSET_ADD;
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {kHigh | ws, n, 1}, "set: high bits");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {ws, kHigh | n, 1}, "notification: high bits");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {ws, 0, 1}, "notification 0");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, nr, {n, n, 1}, "set is a notification");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, nr, {ws, ws, 1}, "notification is a wait set");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {ws_wait, n, 1}, "no manage right");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {ws, n_signal, 1}, "no wait right");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {ws, n, 0}, "mask 0");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {ws, n, kBit63}, "bit 63");
  EXPECT_EQ(Ok(a_, nr, {ws, n, 3}), 0) << "the lowest free slot";
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {ws, Dup(a_, n, NX_RIGHT_WAIT), 4}, "in the set");
  for (int64_t slot = 1; slot < 16; slot++) EXPECT_EQ(Ok(a_, nr, {ws, Notification(a_), 1}), slot);
  DecodeRefuses(a_, NX_ERR_NO_MEMORY, nr, {ws, Notification(a_), 1}, "16 slots used");
}

TEST_F(NotifyTaskDecode, WaitsetRemoveAndWaitErrors) {
  const nx_handle_value_t ws = Waitset(a_);
  const nx_handle_value_t ws_manage = Dup(a_, ws, NX_RIGHT_MANAGE);
  const nx_handle_value_t ws_wait = Dup(a_, ws, NX_RIGHT_WAIT);
  const nx_handle_value_t n = Notification(a_);
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, NX_SYS_WAITSET_WAIT, {ws, 0, kRw}, "empty set");
  EXPECT_EQ(Ok(a_, NX_SYS_WAITSET_ADD, {ws, n, 0b1100}), 0);
  EXPECT_EQ(Ok(a_, NX_SYS_WAITSET_ADD, {ws, Notification(a_), 1}), 1);
  const uint64_t rm = NX_SYS_WAITSET_REMOVE, wait = NX_SYS_WAITSET_WAIT;
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, rm, {kHigh | ws, 0}, "high bits");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, rm, {n, 0}, "a notification");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, rm, {ws_wait, 0}, "no manage right");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, rm, {ws, 16}, "slot 16");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, rm, {ws, kHigh}, "slot high bits");
  DecodeRefuses(a_, NX_ERR_NOT_FOUND, rm, {ws, 2}, "free slot");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, wait, {kHigh | ws, 0, kRw}, "high bits");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, wait, {n, 0, kRw}, "a notification");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, wait, {ws_manage, 0, kRw}, "no wait right");
  DecodeRefuses(a_, NX_ERR_BAD_ADDRESS, wait, {ws, 0, kRo}, "bits into read-only memory");
  DecodeRefuses(a_, NX_ERR_BAD_ADDRESS, wait, {ws, 0, kUnmapped}, "unmapped");
  DecodeRefuses(a_, NX_ERR_BAD_ADDRESS, wait, {ws, 0, kRw + 4 * kPage - 4}, "runs off");
  InvokeRefuses(a_, NX_ERR_TIMED_OUT, wait, {ws, 0, kRw}, "nothing pending");
  EXPECT_EQ(Ok(a_, NX_SYS_NOTIFICATION_SIGNAL, {n, 0b0110}), 0);
  EXPECT_EQ(Ok(a_, wait, {ws, 0, kRw + 8}), 0) << "slot 0";
  uint64_t bits = 0;
  ASSERT_TRUE(a_.Read(kRw + 8, &bits, sizeof bits));
  EXPECT_EQ(bits, 0b0100u) << "the bits of its mask";

  // A waiter on the set (another thread, blocked): entries cannot change.
  object_t *obj = nullptr;
  ASSERT_EQ(handle_lookup(&a_.task.handles, ws, OBJ_WAITSET, 0, &obj), NX_OK);
  notify_waiter_t other;
  notify_waiter_init(&other);
  ASSERT_EQ(waitset_wait(reinterpret_cast<waitset_t *>(obj), &other, NOTIFY_DEADLINE_NEVER),
            NOTIFY_BLOCKED);
  DecodeRefuses(a_, NX_ERR_BUSY, NX_SYS_WAITSET_ADD, {ws, Notification(a_), 1}, "add: waiter");
  DecodeRefuses(a_, NX_ERR_BUSY, rm, {ws, 0}, "remove: waiter");
  DecodeRefuses(a_, NX_ERR_BUSY, wait, {ws, 0, kRw}, "wait: one waiter at a time");
  ASSERT_EQ(notify_waiter_cancel(&other), NX_OK);
  EXPECT_EQ(Ok(a_, rm, {ws, 0}), 0);
  DecodeRefuses(a_, NX_ERR_NOT_FOUND, rm, {ws, 0}, "removed already");
}

// ---- Interrupts ----

TEST_F(NotifyTaskDecode, InterruptErrors) {
  kinterrupt_t *irq = env_->NewInterrupt(3);
  kinterrupt_t *other = env_->NewInterrupt(5);
  const nx_handle_value_t h = a_.Install(&irq->intr.obj, NX_DEFAULT_RIGHTS_INTERRUPT);
  const nx_handle_value_t h2 = a_.Install(&other->intr.obj, NX_DEFAULT_RIGHTS_INTERRUPT);
  const nx_handle_value_t unmanaged = Dup(a_, h, NX_RIGHT_WRITE);
  const nx_handle_value_t no_ack = Dup(a_, h, NX_RIGHT_MANAGE);
  const nx_handle_value_t n = Notification(a_);
  const nx_handle_value_t n_wait = Dup(a_, n, NX_RIGHT_WAIT);
  const uint64_t bind = NX_SYS_INTERRUPT_BIND, ack = NX_SYS_INTERRUPT_ACK;
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, bind, {kHigh | h, n, 1}, "high bits");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, bind, {h, 0, 1}, "notification 0");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, bind, {n, n, 1}, "line is a notification");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, bind, {h, h2, 1}, "notification is a line");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, bind, {unmanaged, n, 1}, "no manage right");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, bind, {h, n_wait, 1}, "no signal right");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, bind, {h, n, 0}, "bit 0");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, bind, {h, n, 6}, "two bits");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, bind, {h, n, kBit63}, "bit 63");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, ack, {kHigh | h}, "high bits");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, ack, {n}, "a notification");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, ack, {no_ack}, "no write right");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, ack, {h}, "not bound");
  EXPECT_FALSE(fake_kernel::LineEnabled(3));
  EXPECT_EQ(Ok(a_, bind, {h, n, 8}), 0);
  EXPECT_TRUE(fake_kernel::LineEnabled(3));
  DecodeRefuses(a_, NX_ERR_BUSY, bind, {h, n, 8}, "bound already");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, ack, {h}, "nothing to acknowledge");
  ASSERT_EQ(interrupt_fire(irq_controller(), 3), NX_OK);
  EXPECT_FALSE(fake_kernel::LineEnabled(3)) << "masked until acknowledged";
  EXPECT_EQ(Ok(a_, NX_SYS_NOTIFICATION_WAIT, {n, ~0ull >> 1, 0}), 8);
  EXPECT_EQ(Ok(a_, ack, {h}), 0);
  EXPECT_TRUE(fake_kernel::LineEnabled(3));
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, ack, {h}, "acknowledged already");
}

// ---- Tasks and threads ----

TEST_F(TaskDecode, TaskCreateErrors) {
  const uint64_t nr = NX_SYS_TASK_CREATE;
  const nx_handle_value_t ro = Dup(a_, bootfs_, NX_RIGHT_READ);
  const nx_handle_value_t n = Notification(a_);
  const nx_handle_value_t paged = Vmo(a_, 1);
  vmo_t *junk = env_->NewBootfs(std::vector<uint8_t>(100, 'x'));
  const nx_handle_value_t not_cpio = a_.Install(&junk->obj, kBootRights);
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {kHigh | bootfs_, kName, 5, 5, kQuota}, "high bits");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {0, kName, 5, 5, kQuota}, "handle 0");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, nr, {n, kName, 5, 5, kQuota}, "a notification");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {ro, kName, 5, 5, kQuota}, "no execute right");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {paged, kName, 5, 5, kQuota}, "a VMO of its own");
  DecodeRefuses(a_, NX_ERR_BAD_ADDRESS, nr, {bootfs_, kUnmapped, 5, 5, kQuota}, "name unmapped");
  DecodeRefuses(a_, NX_ERR_BAD_ADDRESS, nr, {bootfs_, kKernelVa, 5, 5, kQuota},
                "name in the kernel");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {bootfs_, kName, 0, 5, kQuota}, "empty name");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {bootfs_, kName, NX_TASK_NAME_MAX + 1, 5, kQuota},
                "long");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {bootfs_, kName, 5, 32, kQuota}, "priority 32");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {bootfs_, kName, 5, kHigh, kQuota},
                "priority high bits");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {bootfs_, kName, 5, 11, kQuota},
                "above the caller's");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {bootfs_, kName, 5, 5, 0}, "quota 0");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {bootfs_, kName, 5, 5, kHigh | kQuota},
                "quota high bits");
  DecodeRefuses(a_, NX_ERR_OUT_OF_RANGE, nr, {bootfs_, kName, 5, 5, 257},
                "quota above the caller's limit");
  DecodeRefuses(a_, NX_ERR_OUT_OF_RANGE, nr, {bootfs_, kName, 5, 5, 0xffffffffull},
                "quota u32 max");
  DecodeRefuses(a_, NX_ERR_NOT_FOUND, nr, {bootfs_, kName, 4, 5, kQuota}, "app/hell");
  DecodeRefuses(a_, NX_ERR_NOT_FOUND, nr, {bootfs_, kName + 9, 4, 5, kQuota}, "init is in bin/");
  DecodeRefuses(a_, NX_ERR_BAD_FORMAT, nr, {bootfs_, kName + 5, 4, 5, kQuota}, "not an ELF");
  DecodeRefuses(a_, NX_ERR_BAD_FORMAT, nr, {not_cpio, kName, 5, 5, kQuota}, "not an archive");
  // A paged VMO with the rights (only a kernel could hand one out).
  vmo_t *p = nullptr;
  ASSERT_EQ(handle_lookup(&a_.task.handles, paged, OBJ_VMO, 0, reinterpret_cast<object_t **>(&p)),
            NX_OK);
  const nx_handle_value_t paged_x = a_.Install(&p->obj, kBootRights);
  DecodeRefuses(a_, NX_ERR_NOT_SUPPORTED, nr, {paged_x, kName, 5, 5, kQuota}, "not one block");
  const int64_t t = Create(kName, 5, 10);
  ASSERT_GE(t, 0) << "at the caller's priority";
  EXPECT_EQ(TaskOf(static_cast<nx_handle_value_t>(t))->state, TASK_NEW);
  // The new task's quota is carved out of the caller's: its pages count
  // against both.
  const quota_t *q = &TaskOf(static_cast<nx_handle_value_t>(t))->quota;
  EXPECT_EQ(quota_limit(q), kQuota);
  EXPECT_EQ(q->parent, &a_.task.quota);
  EXPECT_GT(quota_used(q), 0u) << "its page tables";
  const int64_t whole = Create(kName, 5, 5, quota_limit(&a_.task.quota));
  ASSERT_GE(whole, 0) << "the caller's whole limit";
  EXPECT_EQ(Ok(a_, NX_SYS_HANDLE_CLOSE, {static_cast<uint64_t>(whole)}), 0);
  FillTable(a_, 0);
  DecodeRefuses(a_, NX_ERR_NO_MEMORY, nr, {bootfs_, kName, 5, 5, kQuota}, "table full");
}

TEST_F(TaskDecode, TaskGiveAndStartErrors) {
  const nx_handle_value_t t = static_cast<nx_handle_value_t>(Create(kName, 5));
  const nx_handle_value_t t_dup = Dup(a_, t, NX_RIGHT_DUPLICATE);  // no manage
  const nx_handle_value_t n = Notification(a_);
  const nx_handle_value_t n_stay = Dup(a_, n, NX_RIGHT_WAIT | NX_RIGHT_DUPLICATE);
  const uint64_t give = NX_SYS_TASK_GIVE, start = NX_SYS_TASK_START;
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, give, {kHigh | t, n, NX_RIGHT_WAIT}, "high bits");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, give, {t, kHigh | n, NX_RIGHT_WAIT}, "h: high bits");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, give, {t, 0, NX_RIGHT_WAIT}, "h 0");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, give, {n, n, NX_RIGHT_WAIT}, "task is a notification");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, give, {t_dup, n, NX_RIGHT_WAIT}, "no manage right");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, give, {t, n_stay, NX_RIGHT_WAIT}, "no transfer");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, give, {t, n, NX_RIGHT_MAP}, "rights grow");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, give, {t, n, 1u << 9}, "unknown right");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, give, {t, n, kHigh}, "rights high bits");
  const int64_t given = Ok(a_, give, {t, n, NX_RIGHT_WAIT});
  task_t *task = TaskOf(t);
  handle_slot_t *s = nullptr;
  ASSERT_EQ(handle_lookup_slot(&task->handles, static_cast<nx_handle_value_t>(given),
                               OBJ_NOTIFICATION, 0, &s),
            NX_OK);
  EXPECT_EQ(s->rights, NX_RIGHT_WAIT);
  EXPECT_EQ(s->parent, &a_.task.handles.slots[n & 0xffff]) << "a child of the giver's";

  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, start, {kHigh | t, kRw}, "high bits");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, start, {n, kRw}, "a notification");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, start, {t_dup, kRw}, "no manage right");
  DecodeRefuses(a_, NX_ERR_BAD_ADDRESS, start, {t, kUnmapped}, "info unmapped");
  DecodeRefuses(a_, NX_ERR_BAD_ADDRESS, start, {t, kRw + 4 * kPage - 8}, "info runs off");
  EXPECT_EQ(Ok(a_, start, {t, kRo}), 0) << "info from read-only memory";
  started_.push_back(task);
  EXPECT_EQ(task->state, TASK_RUNNING);
  DecodeRefuses(a_, NX_ERR_BUSY, start, {t, kRw}, "started already");
  DecodeRefuses(a_, NX_ERR_BUSY, give, {t, n, NX_RIGHT_WAIT}, "give after start");

  // A full table of the new task.
  const nx_handle_value_t t2 = static_cast<nx_handle_value_t>(Create(kName, 5));
  task_t *task2 = TaskOf(t2);
  while (handle_table_free_slots(&task2->handles)) {
    ASSERT_GE(a_.Call(give, t2, n, NX_RIGHT_WAIT), 0);
  }
  DecodeRefuses(a_, NX_ERR_NO_MEMORY, give, {t2, n, NX_RIGHT_WAIT}, "the task's table is full");
  // Closing the last handle to a task never started frees it and what it held.
  const size_t quota_before_close = quota_used(&a_.task.quota);
  EXPECT_EQ(Ok(a_, NX_SYS_HANDLE_CLOSE, {t2}), 0);
  EXPECT_LT(quota_used(&a_.task.quota), quota_before_close) << "its tables were a's to pay";
  EXPECT_EQ(reinterpret_cast<notification_t *>(a_.task.handles.slots[n & 0xffff].object)->obj.refs,
            3u)
      << "n, n_stay and the handle given to the started task";
}

// The decoder validates the program against the same bound as task_create
// (below the first thread's stack): a program that reaches into the stack's
// pages is refused by the decoder, not half-way through the invoke.
TEST_F(TaskDecode, AProgramOverlappingTheStackIsRefusedByTheDecoder) {
  vmo_t *v = env_->NewBootfs(fake_kernel::CpioArchive(
      {{"app/high", fake_kernel::MinimalElf(0x4000000000ull - 2 * kPage)}}));
  const nx_handle_value_t boot = a_.Install(&v->obj, kBootRights);
  ASSERT_TRUE(a_.Write(kRw, "high", 4));
  DecodeRefuses(a_, NX_ERR_BAD_FORMAT, NX_SYS_TASK_CREATE, {boot, kRw, 4, 5, kQuota},
                "into the stack");
}

// A task given a handle to itself (or two tasks each other's) before it ever
// ran would hold its own last reference once its creator closed its handle,
// and never be torn down: task_give refuses task handles, and closing the
// creator's handles frees everything.
TEST_F(TaskDecode, NoTaskHandleGoesIntoATask) {
  const size_t before = quota_used(&a_.task.quota);
  const nx_handle_value_t t = static_cast<nx_handle_value_t>(Create(kName, 5));
  const nx_handle_value_t u = static_cast<nx_handle_value_t>(Create(kName, 5));
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, NX_SYS_TASK_GIVE, {t, t, NX_RIGHT_MANAGE}, "itself");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, NX_SYS_TASK_GIVE, {t, u, NX_RIGHT_MANAGE}, "another");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, NX_SYS_TASK_GIVE, {u, t, NX_RIGHT_MANAGE}, "and back");
  // A channel may go in: a channel never holds a task.
  const nx_handle_value_t ch = Channel(a_, 2);
  EXPECT_GE(Ok(a_, NX_SYS_TASK_GIVE, {t, ch, NX_RIGHT_READ}), 0);
  for (nx_handle_value_t h : {t, u, ch}) EXPECT_EQ(Ok(a_, NX_SYS_HANDLE_CLOSE, {h}), 0);
  EXPECT_EQ(slab_cache_in_use(&kernel.tasks), 0u) << "a task record outlived its last handle";
  EXPECT_EQ(quota_used(&a_.task.quota), before);
}

// ---- Watching a task end ----

TEST_F(TaskDecode, TaskWatchErrors) {
  const nx_handle_value_t t = Started();
  const nx_handle_value_t t_dup = Dup(a_, t, NX_RIGHT_DUPLICATE);  // no manage
  const nx_handle_value_t n = Notification(a_);
  const nx_handle_value_t n_wait = Dup(a_, n, NX_RIGHT_WAIT);  // no signal
  const nx_handle_value_t ws = Waitset(a_);
  const nx_handle_value_t stale = Notification(a_);
  EXPECT_EQ(Ok(a_, NX_SYS_HANDLE_CLOSE, {stale}), 0);
  const uint64_t nr = NX_SYS_TASK_WATCH;
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {kHigh | t, n, 1}, "task: high bits");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {t, kHigh | n, 1}, "notification: high bits");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {0, n, 1}, "task 0");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {t, 0, 1}, "notification 0");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {t, stale, 1}, "notification closed");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {t + 0x10000, n, 1}, "task: stale generation");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, nr, {n, n, 1}, "task is a notification");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, nr, {t, ws, 1}, "notification is a wait set");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, nr, {t, t, 1}, "notification is a task");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {t_dup, n, 1}, "no manage right");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {t, n_wait, 1}, "no signal right");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {t, n, 0}, "bit 0");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {t, n, 6}, "two bits");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {t, n, kBit63}, "bit 63");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {t, n, kBit63 | 1}, "bit 63 and another");
  EXPECT_EQ(TaskOf(t)->exit_watch, nullptr) << "no refusal left a watch";
  EXPECT_EQ(NotificationOf(n)->obj.refs, 2u) << "n and n_wait: no refusal took a reference";

  // A task that ended cannot be watched (its bit would never come).
  const nx_handle_value_t ended = Started(true);
  fake_kernel::EndTask(TaskOf(ended), 3);
  DecodeRefuses(a_, NX_ERR_BUSY, nr, {ended, n, 1}, "ended");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {ended, n, 0}, "ended, and bit 0");
  EXPECT_EQ(Ok(a_, nr, {t, n, 1}), 0);
  EXPECT_EQ(Ok(a_, nr, {t, n, kBit63 >> 1}), 0) << "bit 62, replacing the watch";
  // A task never started can be watched (task_start is not needed first).
  const nx_handle_value_t fresh = static_cast<nx_handle_value_t>(Create(kName, 5));
  EXPECT_EQ(Ok(a_, nr, {fresh, n, 1}), 0);
}

TEST_F(TaskDecode, TaskExitStatusErrors) {
  const nx_handle_value_t fresh = static_cast<nx_handle_value_t>(Create(kName, 5));
  const nx_handle_value_t running = Started();
  const nx_handle_value_t ended = Started(true);
  const nx_handle_value_t ended_dup = Dup(a_, ended, NX_RIGHT_DUPLICATE);  // no manage
  const nx_handle_value_t n = Notification(a_);
  const uint64_t nr = NX_SYS_TASK_EXIT_STATUS;
  fake_kernel::EndTask(TaskOf(ended), 7);
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {kHigh | ended}, "high bits");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {0}, "handle 0");
  DecodeRefuses(a_, NX_ERR_BAD_HANDLE, nr, {ended + 0x10000}, "stale generation");
  DecodeRefuses(a_, NX_ERR_WRONG_TYPE, nr, {n}, "a notification");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {ended_dup}, "no manage right");
  DecodeRefuses(a_, NX_ERR_BUSY, nr, {fresh}, "never started");
  DecodeRefuses(a_, NX_ERR_BUSY, nr, {running}, "still running");
  EXPECT_EQ(Ok(a_, nr, {ended}), 7);
  EXPECT_EQ(Ok(a_, nr, {ended}), 7) << "as often as asked";
  EXPECT_EQ(Ok(a_, nr, {Dup(a_, ended, NX_RIGHT_MANAGE)}), 7) << "manage is enough";
}

// A watched task that ends signals the bit and lets go of the notification,
// and task_exit_status then says how it ended.
TEST_F(TaskDecode, AWatchedTaskThatEndsSignalsItsBit) {
  const nx_handle_value_t t = Started(true);
  const nx_handle_value_t n = Notification(a_);
  notification_t *kn = NotificationOf(n);
  task_t *task = TaskOf(t);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_WATCH, {t, n, 0x100}), 0);
  EXPECT_EQ(task->exit_watch, kn);
  EXPECT_EQ(task->exit_bit, 0x100u);
  EXPECT_EQ(kn->obj.refs, 2u) << "the handle's and the watch's";
  EXPECT_EQ(kn->pending, 0u) << "nothing until it ends";
  DecodeRefuses(a_, NX_ERR_BUSY, NX_SYS_TASK_EXIT_STATUS, {t}, "running");
  fake_kernel::EndTask(task, 0x1234);  // code & 0xff = 0x34
  EXPECT_EQ(kn->pending, 0x100u);
  EXPECT_EQ(kn->obj.refs, 1u) << "the watch let go";
  EXPECT_EQ(task->exit_watch, nullptr);
  EXPECT_EQ(Ok(a_, NX_SYS_NOTIFICATION_WAIT, {n, ~0ull >> 1, 0}), 0x100);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_EXIT_STATUS, {t}), 0x34);
  DecodeRefuses(a_, NX_ERR_BUSY, NX_SYS_TASK_WATCH, {t, n, 1}, "ended");

  // A negative code: its low 8 bits, never the fault flag.
  const nx_handle_value_t t2 = Started(true);
  fake_kernel::EndTask(TaskOf(t2), -2);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_EXIT_STATUS, {t2}), 0xfe);
}

TEST_F(TaskDecode, AFaultThatEndsATaskIsReported) {
  const nx_handle_value_t t = Started(true);
  const nx_handle_value_t n = Notification(a_);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_WATCH, {t, n, 2}), 0);
  fake_kernel::FaultTask(TaskOf(t));
  EXPECT_EQ(NotificationOf(n)->pending, 2u) << "a fault ends it too";
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_EXIT_STATUS, {t}), int64_t{0xff | NX_TASK_FAULTED});
  EXPECT_EQ(NX_TASK_FAULTED, 256);
}

// A second watch replaces the first: the first notification's reference is
// dropped (and never signalled), the second's taken.
TEST_F(TaskDecode, ReplacingAWatchDropsTheOldNotification) {
  const nx_handle_value_t t = Started(true);
  const nx_handle_value_t n1 = Notification(a_);
  const nx_handle_value_t n2 = Notification(a_);
  notification_t *k1 = NotificationOf(n1), *k2 = NotificationOf(n2);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_WATCH, {t, n1, 1}), 0);
  EXPECT_EQ(k1->obj.refs, 2u);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_WATCH, {t, n2, 4}), 0);
  EXPECT_EQ(k1->obj.refs, 1u) << "the old watch's reference went";
  EXPECT_EQ(k2->obj.refs, 2u);
  // The same notification again: one reference, the new bit.
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_WATCH, {t, n2, 8}), 0);
  EXPECT_EQ(k2->obj.refs, 2u);
  EXPECT_EQ(TaskOf(t)->exit_bit, 8u);
  fake_kernel::EndTask(TaskOf(t), 0);
  EXPECT_EQ(k1->pending, 0u) << "the replaced watch is never signalled";
  EXPECT_EQ(k2->pending, 8u);
  EXPECT_EQ(k1->obj.refs, 1u);
  EXPECT_EQ(k2->obj.refs, 1u);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_EXIT_STATUS, {t}), 0);
}

// The watch holds the notification: closing its last handle does not free it
// while the watch stands; the task's end signals it and frees it.
TEST_F(TaskDecode, AWatchKeepsItsNotification) {
  const nx_handle_value_t t = Started(true);
  const nx_handle_value_t n = Notification(a_);
  const size_t records = slab_cache_in_use(&kernel.notifications);
  const size_t quota = quota_used(&a_.task.quota);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_WATCH, {t, n, 1}), 0);
  EXPECT_EQ(Ok(a_, NX_SYS_HANDLE_CLOSE, {n}), 0);
  EXPECT_EQ(slab_cache_in_use(&kernel.notifications), records) << "the watch holds it";
  EXPECT_EQ(quota_used(&a_.task.quota), quota) << "still charged to its creator";
  fake_kernel::EndTask(TaskOf(t), 0);
  EXPECT_EQ(slab_cache_in_use(&kernel.notifications), records - 1) << "freed at the end";
}

// A task never started that loses its last handle is destroyed: its watch is
// dropped without a signal (it never ran, so it never ended).
TEST_F(TaskDecode, DestroyingAWatchedTaskDropsTheWatchSilently) {
  const nx_handle_value_t t = static_cast<nx_handle_value_t>(Create(kName, 5));
  const nx_handle_value_t n = Notification(a_);
  notification_t *kn = NotificationOf(n);
  EXPECT_EQ(Ok(a_, NX_SYS_TASK_WATCH, {t, n, 1}), 0);
  EXPECT_EQ(kn->obj.refs, 2u);
  EXPECT_EQ(Ok(a_, NX_SYS_HANDLE_CLOSE, {t}), 0);
  EXPECT_EQ(slab_cache_in_use(&kernel.tasks), 0u);
  EXPECT_EQ(kn->obj.refs, 1u);
  EXPECT_EQ(kn->pending, 0u);
}

TEST_F(TaskDecode, ThreadCreateErrors) {
  const uint64_t nr = NX_SYS_THREAD_CREATE;
  constexpr uint64_t kEntry = 0x10000, kSp = 0x14000;
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {0, kSp, 0, 5}, "entry 0");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {0x4000000000ull, kSp, 0, 5}, "entry past user");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {kKernelVa, kSp, 0, 5}, "entry in the kernel");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {kEntry, 0, 0, 5}, "sp 0");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {kEntry, kSp + 8, 0, 5}, "sp misaligned");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {kEntry, 0x4000000010ull, 0, 5}, "sp past user");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {kEntry, kSp, 0, 32}, "priority 32");
  DecodeRefuses(a_, NX_ERR_INVALID_ARGS, nr, {kEntry, kSp, 0, kHigh}, "priority high bits");
  DecodeRefuses(a_, NX_ERR_ACCESS_DENIED, nr, {kEntry, kSp, 0, 11}, "above the caller's");
  const size_t used = quota_used(&a_.task.quota);
  EXPECT_GT(Ok(a_, nr, {kEntry, 0x4000000000ull, 7, 10}), 0) << "sp at the top of user space";
  EXPECT_EQ(quota_used(&a_.task.quota), used + 4) << "its kernel stack";
  FakeTask c;
  ASSERT_EQ(c.Init(10, 11), NX_OK);
  ASSERT_EQ(quota_available(&c.task.quota), 3u);
  EXPECT_EQ(c.Call(nr, kEntry, kSp, 0, 5), NX_ERR_NO_MEMORY) << "no room for the stack";
  EXPECT_EQ(c.task.live_threads, 1u);
  c.Destroy();
}

}  // namespace
}  // namespace syscall_test
