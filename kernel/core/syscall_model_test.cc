// Model-based randomized test of the object syscalls (syscall_harness.h):
// several fake tasks make thousands of random syscalls, decoded and invoked
// as the kernel dispatches them, each result predicted by a model of the
// kernel's state and the whole state compared with the model after every
// step; waits block and end later (a signal, a deadline); at the end
// everything is closed and every page must come back. The run prints what
// it did, and checks that it did enough of everything.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "kernel/core/syscall_harness.h"
#include "neuron/errors.h"
#include "neuron/syscall_decl.h"
#include "neuron/syscall_numbers.h"

namespace {

using syscall_harness::Harness;
using syscall_harness::RandomSource;

void RunSeed(Harness &h, uint64_t seed, int steps) {
  RandomSource src(seed);
  for (int i = 0; i < steps; i++) h.Step(src);
  h.Finish();
}

TEST(SyscallModel, LongRunChecksEveryStep) {
  Harness h;
  RunSeed(h, 1, 10000);
  std::printf("seed 1: %s", h.Report().c_str());

  // Every non-blocking object syscall succeeded many times...
  const uint64_t kMany[] = {
      NX_SYS_HANDLE_DUP,   NX_SYS_HANDLE_CLOSE,        NX_SYS_VMO_CREATE,
      NX_SYS_VMO_MAP,      NX_SYS_CHANNEL_CREATE,      NX_SYS_CHANNEL_SEND,
      NX_SYS_CHANNEL_RECV, NX_SYS_NOTIFICATION_CREATE, NX_SYS_NOTIFICATION_SIGNAL,
  };
  for (uint64_t nr : kMany) EXPECT_GE(h.successes(nr), 40u) << syscall_name(nr);
  // ... and every other one at least a few times.
  const uint64_t kSome[] = {
      NX_SYS_HANDLE_MINT,      NX_SYS_HANDLE_REVOKE,     NX_SYS_VMO_READ,
      NX_SYS_VMO_WRITE,        NX_SYS_VMO_UNMAP,         NX_SYS_ENDPOINT_CREATE,
      NX_SYS_CHANNEL_BIND,     NX_SYS_NOTIFICATION_WAIT, NX_SYS_WAITSET_CREATE,
      NX_SYS_WAITSET_ADD,      NX_SYS_WAITSET_REMOVE,    NX_SYS_WAITSET_WAIT,
      NX_SYS_INTERRUPT_ACK,    NX_SYS_TASK_CREATE,       NX_SYS_TASK_GIVE,
      NX_SYS_TASK_START,       NX_SYS_THREAD_CREATE,     NX_SYS_THREAD_SET_IPC_BUFFER,
      NX_SYS_DEBUG_WRITE,      NX_SYS_KERNEL_STATS,      NX_SYS_TASK_WATCH,
      NX_SYS_TASK_EXIT_STATUS,
  };
  for (uint64_t nr : kSome) EXPECT_GE(h.successes(nr), 5u) << syscall_name(nr);
  EXPECT_GE(h.successes(NX_SYS_INTERRUPT_BIND), 2u) << "(each line binds once, for good)";
  // Every error a caller can cause came up.
  const int kErrors[] = {NX_ERR_INVALID_ARGS, NX_ERR_NOT_FOUND,     NX_ERR_OUT_OF_RANGE,
                         NX_ERR_BAD_FORMAT,   NX_ERR_NOT_SUPPORTED, NX_ERR_NO_MEMORY,
                         NX_ERR_BAD_SYSCALL,  NX_ERR_BAD_HANDLE,    NX_ERR_ACCESS_DENIED,
                         NX_ERR_BAD_ADDRESS,  NX_ERR_WRONG_TYPE,    NX_ERR_TIMED_OUT,
                         NX_ERR_BUSY};
  for (int err : kErrors) EXPECT_GE(h.error_total(err), 1u) << syscall_harness::ErrorName(err);
  EXPECT_GE(h.error_total(NX_ERR_BAD_HANDLE) + h.error_total(NX_ERR_WRONG_TYPE) +
                h.error_total(NX_ERR_ACCESS_DENIED),
            1000u);
  EXPECT_GE(h.errors(NX_SYS_HANDLE_DUP, NX_ERR_ACCESS_DENIED), 10u) << "rights that would grow";
  EXPECT_GE(h.errors(NX_SYS_CHANNEL_SEND, NX_ERR_BUSY), 3u) << "full channels";
  EXPECT_GE(h.errors(NX_SYS_VMO_MAP, NX_ERR_INVALID_ARGS), 10u);
  // Capabilities travelled, were revoked across tasks, interrupts fired.
  EXPECT_GE(h.counts["channel_recv moved handles"], 30u);
  EXPECT_GE(h.counts["handle_revoke removed handles"], 10u);
  // The paths where revocation and mappings meet, and in-flight handles.
  EXPECT_GE(h.counts["model: a revoke unmapped what a descendant mapped"], 4u);
  EXPECT_GE(h.counts["model: a revoke unmapped what a closed descendant mapped"], 1u);
  EXPECT_GE(h.counts["model: a mapping moved to its capability's parent"], 5u);
  EXPECT_GE(h.counts["model: a revoke reached a held capability"], 5u);
  EXPECT_GE(h.counts["model: a capability revoked in flight is dropped"], 1u);
  EXPECT_GE(h.events("interrupt delivered"), 3u);
  EXPECT_GE(h.events("user store"), 10u);
  EXPECT_GE(h.events("user load"), 5u);
  EXPECT_GE(h.events("task ends"), 1u);
  // Tasks ended watched (the bit came), by a fault too; watches were
  // replaced; a task still running or ended was asked about.
  EXPECT_GE(h.events("task faults"), 1u);
  EXPECT_GE(h.counts["model: a watched task ended"], 3u);
  EXPECT_GE(h.counts["task_watch replaced"], 1u);
  EXPECT_GE(h.counts["task_exit_status reported a fault"], 1u);
  EXPECT_GE(h.errors(NX_SYS_TASK_WATCH, NX_ERR_BUSY), 3u) << "ended tasks";
  EXPECT_GE(h.errors(NX_SYS_TASK_WATCH, NX_ERR_INVALID_ARGS), 1u) << "not one signal bit";
  EXPECT_GE(h.errors(NX_SYS_TASK_EXIT_STATUS, NX_ERR_BUSY), 3u) << "tasks not ended";
  // Waits blocked and ended through their continuations: completed by a
  // signal (another task's too), or timed out; a wait set's wrote its bits.
  EXPECT_GE(h.counts["notification_wait blocked"], 40u);
  EXPECT_GE(h.counts["waitset_wait blocked"], 10u);
  EXPECT_GE(h.counts["model: a wait completed by notification_signal"], 5u);
  EXPECT_GE(h.counts["notification_wait (continued) ok"], 5u);
  EXPECT_GE(h.counts["notification_wait (continued) TIMED_OUT"], 20u);
  EXPECT_GE(h.counts["waitset_wait (continued) ok"], 1u);
  EXPECT_GE(h.counts["waitset_wait (continued) TIMED_OUT"], 10u);
}

TEST(SyscallModel, MoreSeeds) {
  std::map<std::string, uint64_t> all;
  for (uint64_t seed : {2, 3, 4, 5, 6}) {
    Harness h;
    RunSeed(h, seed, 2000);
    std::printf("seed %llu: %llu steps, %llu channel sends, %llu closes\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(h.steps()),
                static_cast<unsigned long long>(h.successes(NX_SYS_CHANNEL_SEND)),
                static_cast<unsigned long long>(h.successes(NX_SYS_HANDLE_CLOSE)));
    EXPECT_GE(h.successes(NX_SYS_CHANNEL_RECV), 5u);
    for (const auto &kv : h.counts) all[kv.first] += kv.second;
  }
  // Over all the seeds, the rarer meetings of waits: a signal that passed
  // over a wait whose mask it missed, bits several waits asked for going to
  // the first; a wait set another task waits on refusing changes and other
  // waits; a handle to what a task waits on closed meanwhile; a wait
  // without a deadline cancelled at the end.
  EXPECT_GE(all["model: bits passed over a wait for one behind it"], 1u);
  EXPECT_GE(all["model: bits went to the first of several waits for them"], 1u);
  EXPECT_GE(all["waitset_add BUSY"], 3u);
  EXPECT_GE(all["waitset_remove BUSY"], 3u);
  EXPECT_GE(all["waitset_wait BUSY"], 3u);
  EXPECT_GE(all["model: a handle to what a task waits on went"], 3u);
  EXPECT_GE(all["model: a wait cancelled"], 1u);
}

TEST(SyscallModel, TightQuotasAndManyTasks) {
  syscall_harness::Config config;
  config.tasks = 5;
  config.quota_pages = 40;  // quota runs out all the time
  Harness h(config);
  RunSeed(h, 7, 3000);
  EXPECT_GE(h.error_total(NX_ERR_NO_MEMORY), 50u);
  EXPECT_GE(h.successes(NX_SYS_CHANNEL_SEND), 20u);
}

}  // namespace
