// A gtest fixture for whole syscalls on the host: a fake kernel (see
// fake_kernel_services.h) with two tasks, helpers that make objects
// through the syscalls, and a snapshot of everything a syscall could
// change, so a test can check that a refused call changed nothing.
#ifndef KERNEL_CORE_SYSCALL_TEST_FIXTURE_H
#define KERNEL_CORE_SYSCALL_TEST_FIXTURE_H

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/core/fake_kernel_services.h"
#include "neuron/errors.h"
#include "neuron/ipc_msg.h"
#include "neuron/rights.h"
#include "neuron/syscall_decl.h"
#include "neuron/syscall_numbers.h"

namespace syscall_test {

using fake_kernel::FakeTask;
using Raw = std::array<uint64_t, 6>;

constexpr uint64_t kPage = 4096;
constexpr uint64_t kRw = FakeTask::kRw;
constexpr uint64_t kRo = FakeTask::kRo;
constexpr uint64_t kUnmapped = 0x30000;
constexpr uint64_t kKernelVa = 0xffffffff80200000ull;
constexpr uint64_t kHigh = uint64_t{1} << 32;  // a bit a 32-bit argument must not have

// Everything a syscall may change: the tasks' handle tables (byte for byte),
// user memory, quotas, the allocator, the caches and the state of every
// object a table names.
struct Snapshot {
  std::map<std::string, std::string> parts;  // item -> value

  bool operator==(const Snapshot &o) const { return parts == o.parts; }
  // The items that differ (long values cut to where they start to differ).
  std::string Diff(const Snapshot &after) const {
    std::map<std::string, std::pair<std::string, std::string>> all;
    for (const auto &kv : parts) all[kv.first].first = kv.second;
    for (const auto &kv : after.parts) all[kv.first].second = kv.second;
    std::ostringstream out;
    for (auto &kv : all) {
      std::string a = kv.second.first, b = kv.second.second;
      if (a == b) continue;
      size_t at = 0;
      while (at < a.size() && at < b.size() && a[at] == b[at]) at++;
      if (at > 40) {
        a = "..." + a.substr(at, 40);
        b = "..." + b.substr(at, 40) + " (from character " + std::to_string(at) + ")";
      }
      out << "  " << kv.first << ": " << (a.empty() ? "(none)" : a.substr(0, 100)) << " -> "
          << (b.empty() ? "(none)" : b.substr(0, 140)) << "\n";
    }
    return out.str();
  }
};

inline std::string ObjectState(const object_t *o) {
  std::ostringstream s;
  s << "type " << o->type << " refs " << o->refs;
  switch (o->type) {
    case OBJ_VMO: {
      const vmo_t *v = reinterpret_cast<const vmo_t *>(o);
      s << " mappings " << v->mapping_count << " committed " << v->committed;
      break;
    }
    case OBJ_NOTIFICATION: {
      const notification_t *n = reinterpret_cast<const notification_t *>(o);
      s << " pending " << n->pending << " queued " << n->queued << " users " << n->users;
      break;
    }
    case OBJ_WAITSET: {
      const waitset_t *w = reinterpret_cast<const waitset_t *>(o);
      s << " used " << w->used << " waiter " << w->waiter;
      for (const notify_node_t &n : w->slots) s << " " << n.n << "/" << n.mask;
      break;
    }
    case OBJ_CHANNEL: {
      const kchannel_t *c = reinterpret_cast<const kchannel_t *>(o);
      s << " count " << c->ch.count << " head " << c->ch.head << " bound " << c->bound << "/"
        << c->bit << " held " << c->holding.used << " closed " << c->ch.closed;
      break;
    }
    case OBJ_ENDPOINT: {
      const ipc_endpoint_t *e = reinterpret_cast<const ipc_endpoint_t *>(o);
      auto length = [](const ipc_queue_t &q) {  // by the links: a queue keeps no count
        size_t n = 0;
        for (const ipc_thread_t *t = q.head; t; t = t->next) n++;
        return n;
      };
      s << " callers " << length(e->callers) << " servers " << length(e->servers) << " closed "
        << e->closed;
      break;
    }
    case OBJ_INTERRUPT: {
      const interrupt_t *i = reinterpret_cast<const interrupt_t *>(o);
      s << " irq " << i->irq << " masked " << i->masked << " n " << i->n;
      break;
    }
    case OBJ_TASK: {
      const task_t *t = reinterpret_cast<const task_t *>(o);
      s << " state " << int{t->state} << " handles " << t->handles.used << " quota "
        << quota_used(&t->quota) << " threads " << t->live_threads << " watch " << t->exit_watch
        << "/" << t->exit_bit << " exit " << t->exit_code << "/" << t->faulted;
      break;
    }
    default:
      break;
  }
  return s.str();
}

inline std::string Hex(const void *p, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  const uint8_t *b = static_cast<const uint8_t *>(p);
  std::string s;
  for (size_t i = 0; i < n; i++) {
    s += kDigits[b[i] >> 4];
    s += kDigits[b[i] & 15];
  }
  return s;
}

inline Snapshot Take(const std::vector<FakeTask *> &tasks) {
  Snapshot snap;
  auto add = [&snap](const std::string &name, const std::string &value) {
    snap.parts[name] = value;
  };
  for (size_t i = 0; i < tasks.size(); i++) {
    const FakeTask *t = tasks[i];
    const std::string name = "task " + std::to_string(i);
    add(name + " table", Hex(&t->task.handles, sizeof t->task.handles));
    add(name + " quota", std::to_string(quota_used(&t->task.quota)));
    add(name + " tables", std::to_string(t->task.space.table_pages));
    add(name + " mappings", std::to_string(t->task.vmos.count));
    add(name + " threads", std::to_string(t->task.live_threads));
    std::vector<uint8_t> mem(FakeTask::kRwPages * kPage);
    t->Read(kRw, mem.data(), mem.size());
    add(name + " memory", Hex(mem.data(), mem.size()));
    for (uint32_t cursor = 0;;) {
      const handle_slot_t *s = handle_table_next(&t->task.handles, &cursor);
      if (!s) break;
      add(name + " slot " + std::to_string(handle_slot_index(s)), ObjectState(s->object));
    }
  }
  add("root quota", std::to_string(quota_used(&kernel.root_quota)));
  add("free pages", std::to_string(page_alloc_free_pages(&kernel.pages)));
  add("vmos", std::to_string(kernel.vmos.live));
  add("records", std::to_string(slab_cache_in_use(&kernel.endpoints)) + " " +
                     std::to_string(slab_cache_in_use(&kernel.notifications)) + " " +
                     std::to_string(slab_cache_in_use(&kernel.waitsets)) + " " +
                     std::to_string(slab_cache_in_use(&kernel.tasks)) + " " +
                     std::to_string(slab_cache_in_use(&kernel.threads)));
  return snap;
}

class SyscallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.reset(new fake_kernel::Env());
    ASSERT_TRUE(env_->ok());
    ASSERT_EQ(a_.Init(10, 256), NX_OK);
    ASSERT_EQ(b_.Init(5, 256), NX_OK);
  }

  void TearDown() override {
    a_.Destroy();
    b_.Destroy();
    EXPECT_EQ(env_->Teardown(), "");  // (releases what boot objects hold, e.g. bindings)
    EXPECT_EQ(quota_used(&a_.task.quota), 0u);
    EXPECT_EQ(quota_used(&b_.task.quota), 0u);
  }

  std::vector<FakeTask *> Tasks() { return {&a_, &b_}; }

  // The call is refused with `err` by its decoder, and dispatching it
  // (decode, then invoke as the kernel does) returns the same and changes
  // nothing.
  void DecodeRefuses(FakeTask &t, int err, uint64_t number, const Raw &raw,
                     const std::string &what = "") {
    SCOPED_TRACE(what);
    const Snapshot before = Take(Tasks());
    EXPECT_EQ(fake_kernel::DecodeOnly(&t.thread, number, raw.data()), err) << "decode";
    EXPECT_EQ(t.CallRaw(number, raw.data()), err) << "dispatch";
    const Snapshot after = Take(Tasks());
    EXPECT_TRUE(before == after) << "a refused call changed:\n" << before.Diff(after);
  }

  // The decoder accepts the call; its invoke refuses it with `err` and
  // changes nothing.
  void InvokeRefuses(FakeTask &t, int err, uint64_t number, const Raw &raw,
                     const std::string &what = "") {
    SCOPED_TRACE(what);
    const Snapshot before = Take(Tasks());
    EXPECT_EQ(fake_kernel::DecodeOnly(&t.thread, number, raw.data()), NX_OK) << "decode";
    EXPECT_EQ(t.CallRaw(number, raw.data()), err) << "dispatch";
    const Snapshot after = Take(Tasks());
    EXPECT_TRUE(before == after) << "a refused call changed:\n" << before.Diff(after);
  }

  // A call that must succeed; its (non-negative) result.
  int64_t Ok(FakeTask &t, uint64_t number, const Raw &raw) {
    const int64_t r = t.CallRaw(number, raw.data());
    EXPECT_GE(r, 0) << "syscall " << number << " failed: " << r;
    return r;
  }

  nx_handle_value_t Vmo(FakeTask &t, uint64_t pages, uint32_t flags = 0) {
    return static_cast<nx_handle_value_t>(Ok(t, NX_SYS_VMO_CREATE, {pages * kPage, flags}));
  }
  nx_handle_value_t Channel(FakeTask &t, uint32_t depth = 4) {
    return static_cast<nx_handle_value_t>(Ok(t, NX_SYS_CHANNEL_CREATE, {depth}));
  }
  nx_handle_value_t Notification(FakeTask &t) {
    return static_cast<nx_handle_value_t>(Ok(t, NX_SYS_NOTIFICATION_CREATE, {}));
  }
  nx_handle_value_t Waitset(FakeTask &t) {
    return static_cast<nx_handle_value_t>(Ok(t, NX_SYS_WAITSET_CREATE, {}));
  }
  nx_handle_value_t Endpoint(FakeTask &t) {
    return static_cast<nx_handle_value_t>(Ok(t, NX_SYS_ENDPOINT_CREATE, {}));
  }
  nx_handle_value_t Dup(FakeTask &t, nx_handle_value_t h, uint32_t rights) {
    return static_cast<nx_handle_value_t>(Ok(t, NX_SYS_HANDLE_DUP, {h, rights}));
  }

  // The handles t's next message carries (in its IPC buffer).
  void SendHandles(FakeTask &t, const std::vector<nx_handle_value_t> &hs) {
    ASSERT_TRUE(t.Write(FakeTask::kIpcBuffer + NX_IPC_BUFFER_HANDLES, hs.data(),
                        hs.size() * sizeof(nx_handle_value_t)));
  }
  // The handles t's last receive delivered (their values in its IPC buffer).
  std::vector<nx_handle_value_t> ReceivedHandles(FakeTask &t) {
    std::vector<nx_handle_value_t> hs(t.frame.a[5] & 0xff);
    EXPECT_TRUE(t.Read(FakeTask::kIpcBuffer + NX_IPC_BUFFER_HANDLES, hs.data(),
                       hs.size() * sizeof(nx_handle_value_t)));
    return hs;
  }
  static uint64_t Info(uint64_t handles, uint64_t bytes = 0) {
    return handles | bytes << NX_MSG_INFO_BYTES_SHIFT;
  }

  // Fills t's handle table (with duplicates of its debug log) until `left`
  // slots are free.
  void FillTable(FakeTask &t, uint32_t left) {
    const nx_handle_value_t log = t.Install(env_->debug_log(), NX_RIGHT_WRITE);
    while (handle_table_free_slots(&t.task.handles) > left) t.Install(env_->debug_log(), 0);
    (void)log;
  }

  std::unique_ptr<fake_kernel::Env> env_;
  FakeTask a_, b_;
};

}  // namespace syscall_test

#endif
