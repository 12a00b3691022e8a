// The machine-facing kernel services the object syscalls use
// (neuron/task.h, neuron/irq.h), faked for the host, and a host kernel to
// run whole syscalls against: the `kernel` global over an arena of host
// memory (a real page allocator, slab caches, VMO system, IPC and notify
// systems), tasks with their own handle table, quota and Sv39 space, and
// the boot objects the kernel hands out (debug log, interrupt lines, the
// boot archive, device memory).
//
// What the fakes do:
//  - schedule(), thread_block_ipc(), thread_block_wait() (but inside
//    FakeTask::CallMayBlock and CallRawMayBlock), thread_handoff_user() and
//    thread_run_woken() end the process with "a blocking path reached ...":
//    a host test runs only non-blocking paths, so reaching them is a test
//    bug (or a kernel bug: a path that should not block did).
//  - kernel_preempt_check() and kernel_poll_interrupts() count; the latter
//    runs a hook if one is set (tests look at the kernel mid-revoke).
//  - kernel_now() is a settable clock; irq_controller() is a controller whose
//    lines record whether they are enabled.
//  - Tasks are the kernel's own (task.c: the ELF loaded into a real Sv39
//    space over the arena, the stack, the start information); only
//    thread_create() is faked: it makes a thread record and charges the
//    kernel stack to the task's quota as thread.c does. No thread ever runs.
//    EndTask() ends a task as thread.c does when its last thread exits.
//  - The core's riscv64-only invokes (syscall_invoke.c) are defined too, so
//    the generated syscall_dispatch() links: debug_write copies and counts,
//    clock_get reads the fake clock, thread_yield returns, nanosleep_until
//    returns for a passed deadline (else it would block), thread_exit and
//    task_exit end the process.
#ifndef KERNEL_CORE_FAKE_KERNEL_SERVICES_H
#define KERNEL_CORE_FAKE_KERNEL_SERVICES_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "neuron/kernel.h"
#include "neuron/kobject.h"
#include "neuron/task.h"

namespace fake_kernel {

// What the fakes saw since the last Env was made.
struct Counters {
  uint64_t preempt_checks = 0;
  uint64_t poll_interrupts = 0;
  uint64_t ipc_blocks = 0;
  uint64_t notify_blocks = 0;
  uint64_t notify_wakes = 0;
  uint64_t debug_bytes = 0;
  uint64_t tasks_created = 0;
  uint64_t tasks_started = 0;
  uint64_t threads_created = 0;
};
Counters &counters();

// Ends the process with `what` (a fake reached where a host test must not
// go). Also for harness invariants that cannot recover.
[[noreturn]] void Fatal(const char *what);

void SetNow(uint64_t ticks);
uint64_t Now();
constexpr uint64_t kTimebaseHz = 10000000;  // 10 MHz, like QEMU virt

// Called by kernel_poll_interrupts() (between the slices of a revoke).
using PollHook = void (*)(void *ctx);
void SetPollHook(PollHook hook, void *ctx);

// The fake interrupt controller: lines 1 .. kIrqLines - 1.
constexpr uint32_t kIrqLines = 8;
bool LineEnabled(uint32_t line);

// A started task's last thread ended with `code`: the code is recorded for
// task_exit_status and the watch signalled and dropped (task_exited), then
// its threads go, it is torn down and its "alive" reference dropped
// (task_end).
void EndTask(task_t *task, int64_t code = 0);
// A fault ended a started task's last thread: as trap.c, the task is marked
// faulted and the thread exits with -1 (EndTask).
void FaultTask(task_t *task);
// Frees the (never running) threads of `task`, returning their stacks to
// its quota.
void ReleaseThreads(task_t *task);

// Host memory standing in for RAM and the kernel's global state over it.
// One at a time (it owns the `kernel` global).
class Env {
 public:
  explicit Env(size_t arena_bytes = size_t{16} << 20);
  ~Env();
  Env(const Env &) = delete;
  Env &operator=(const Env &) = delete;

  bool ok() const { return ok_; }

  // Boot objects. Each holds the reference the kernel keeps for good.
  object_t *debug_log() { return &log_; }
  kinterrupt_t *NewInterrupt(uint32_t line);
  // Device memory (outside the page allocator, backed by host memory).
  vmo_t *NewPhysicalVmo(size_t pages);
  // A contiguous VMO holding `archive`, charged to boot_quota.
  vmo_t *NewBootfs(const std::vector<uint8_t> &archive);
  quota_t *boot_quota() { return &boot_quota_; }

  // Undoes the boot objects (unbinding interrupts, dropping the notification
  // reference a binding holds) and the caches; then every page must be back.
  // Returns "" or what is wrong.
  std::string Teardown();

  size_t free_at_start() const { return free_at_start_; }

 private:
  bool ok_ = false;
  uint8_t *arena_ = nullptr;
  size_t free_at_start_ = 0;
  quota_t boot_quota_{};
  quota_t space_quota_{};  // the kernel space's table
  object_t log_{OBJ_DEBUG_LOG, 1};
  std::vector<kinterrupt_t *> interrupts_;
  std::vector<std::pair<vmo_t *, void *>> physical_;
  std::vector<vmo_t *> bootfs_;
  bool torn_down_ = false;
};

// A task that runs syscalls from the host: a task_t with its own quota
// (under the root quota), handle table and Sv39 space with user memory
// mapped, and a thread_t that makes the calls.
class FakeTask {
 public:
  // User memory every FakeTask has.
  static constexpr uint64_t kRw = 0x10000;  // read-write
  static constexpr int kRwPages = 4;
  static constexpr uint64_t kRo = 0x20000;  // read-only, filled with kRoByte
  static constexpr uint8_t kRoByte = 0x5a;
  // The thread's IPC buffer (set by Init), in the read-write memory.
  static constexpr uint64_t kIpcBuffer = kRw + 2 * 4096;

  FakeTask() = default;
  ~FakeTask();
  FakeTask(const FakeTask &) = delete;
  FakeTask &operator=(const FakeTask &) = delete;

  // NX_OK or the error that stopped it.
  int Init(unsigned priority, size_t quota_pages);
  // Ends a wait the thread is blocked in (CancelWait), closes every handle,
  // unmaps every VMO, frees the threads it created, the user memory and the
  // page tables.
  void Destroy();

  // A syscall as the trap path makes it, past the assembly fastpaths:
  // syscall_dispatch(). Registers a1..a5
  // afterwards (a syscall's register results) are in frame.a[1..5].
  int64_t Call(uint64_t number, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
               uint64_t a4 = 0, uint64_t a5 = 0);
  int64_t CallRaw(uint64_t number, const uint64_t raw[6]);

  // A syscall that may block in a notification or wait-set wait. One that
  // blocks leaves a continuation (thread_block_wait): the kernel abandons
  // the syscall's frames, and so does this (it unwinds back here) and
  // returns kBlocked; ContinueWait() then runs what the thread runs when it
  // is next scheduled (syscall_wait_complete) and returns its syscall's
  // result.
  static constexpr int64_t kBlocked = INT64_MIN;
  int64_t CallMayBlock(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2);
  int64_t CallRawMayBlock(uint64_t number, const uint64_t raw[6]);
  int64_t ContinueWait();
  // Ends the wait the thread is blocked in without its continuation, as the
  // kernel ends a killed thread's (syscall_wait_cancel, which detach() in
  // thread.c calls). Nothing if it is not blocked.
  void CancelWait();

  nx_handle_value_t Install(object_t *obj, uint32_t rights);

  // User memory through the page tables, whatever the permissions (what
  // the program would have stored); false if a page is not mapped.
  bool Write(uint64_t va, const void *src, size_t len);
  bool Read(uint64_t va, void *dst, size_t len) const;

  // Quota pages held beyond the page tables (the user memory).
  size_t base_pages() const { return base_pages_; }

  task_t task{};
  thread_t thread{};
  trap_frame_t frame{};

 private:
  bool live_ = false;
  size_t base_pages_ = 0;
  std::vector<uint64_t> user_pages_;  // physical pages of the user memory
};

// The decode half of syscall_dispatch() alone (what a blocking syscall's
// checks say without running it), after the IPC fastpath as trap.S runs it:
// NX_OK for a syscall without arguments, NX_ERR_BAD_SYSCALL for an unknown
// number.
int DecodeOnly(thread_t *caller, uint64_t number, const uint64_t raw[6]);

// Test inputs for task_create: a minimal static RISC-V executable (one R+X
// segment at `vaddr`, entry at its start) and a cpio "newc" archive.
std::vector<uint8_t> MinimalElf(uint64_t vaddr = 0x10000);
std::vector<uint8_t> CpioArchive(
    const std::vector<std::pair<std::string, std::vector<uint8_t>>> &files);

}  // namespace fake_kernel

#endif
