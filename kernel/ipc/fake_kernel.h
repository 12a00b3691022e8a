// A fake kernel for the IPC tests: ops that log every call (and track which
// threads are blocked and with what result they were woken), and threads
// with their own handle tables.
#ifndef KERNEL_IPC_FAKE_KERNEL_H
#define KERNEL_IPC_FAKE_KERNEL_H

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "neuron/endpoint.h"
#include "neuron/errors.h"
#include "neuron/handle_table.h"
#include "neuron/ipc.h"

namespace ipc_fake {

struct Thread {
  ipc_thread_t ipc;
  std::unique_ptr<handle_table_t> table{new handle_table_t};
  std::string name;
};

struct Event {
  enum Kind { kBlock, kWake, kSetPrio, kRestorePrio, kCopy } kind;
  const ipc_thread_t *t;
  int64_t value;                      // wake: result; set: prio; copy: len
  const ipc_thread_t *src = nullptr;  // copy: the source
  bool operator==(const Event &o) const {
    return kind == o.kind && t == o.t && value == o.value && src == o.src;
  }
};

class Kernel {
 public:
  Kernel() { Check(ipc_system_init(&sys, &kOps, this)); }

  Thread *NewThread(const std::string &name, unsigned prio) {
    threads.emplace_back(new Thread);
    Thread *t = threads.back().get();
    t->name = name;
    handle_table_init(t->table.get());
    Check(ipc_thread_init(&t->ipc, t->table.get(), prio));
    return t;
  }

  bool Blocked(const ipc_thread_t *t) const {
    auto it = blocked.find(t);
    return it != blocked.end() && it->second;
  }
  // The result of t's last wake (or 99 if never woken).
  int LastWake(const ipc_thread_t *t) const {
    auto it = woken.find(t);
    return it == woken.end() ? 99 : it->second;
  }
  // The kernel's side of a fastpath: block the caller, run the server.
  void DirectSwitch(ipc_thread_t *from, ipc_thread_t *to) {
    blocked[from] = true;
    blocked[to] = false;
  }

  ipc_system_t sys;
  std::vector<Event> log;
  std::map<const ipc_thread_t *, bool> blocked;
  std::map<const ipc_thread_t *, int> woken;
  std::map<const ipc_thread_t *, unsigned> sched_prio;  // set_priority's view
  std::vector<std::unique_ptr<Thread>> threads;

 private:
  static void Check(int err) {
    if (err != NX_OK) abort();
  }
  static Kernel *K(void *ctx) { return static_cast<Kernel *>(ctx); }
  static void Block(void *ctx, ipc_thread_t *t) {
    if (K(ctx)->Blocked(t)) abort();  // blocking a blocked thread: a bug
    K(ctx)->blocked[t] = true;
    K(ctx)->log.push_back({Event::kBlock, t, 0});
  }
  static void Wake(void *ctx, ipc_thread_t *t, int result) {
    if (!K(ctx)->Blocked(t)) abort();  // waking a running thread: a bug
    K(ctx)->blocked[t] = false;
    K(ctx)->woken[t] = result;
    K(ctx)->log.push_back({Event::kWake, t, result});
  }
  static void SetPrio(void *ctx, ipc_thread_t *t, unsigned prio) {
    K(ctx)->sched_prio[t] = prio;
    K(ctx)->log.push_back({Event::kSetPrio, t, prio});
  }
  static void RestorePrio(void *ctx, ipc_thread_t *t) {
    K(ctx)->sched_prio[t] = t->base_prio;
    K(ctx)->log.push_back({Event::kRestorePrio, t, 0});
  }
  static void Copy(void *ctx, ipc_thread_t *dst, ipc_thread_t *src, size_t len) {
    K(ctx)->log.push_back({Event::kCopy, dst, static_cast<int64_t>(len), src});
  }
  static constexpr ipc_ops_t kOps = {Block, Wake, SetPrio, RestorePrio, Copy};
};

inline ipc_msg_t Words(std::initializer_list<uint64_t> w) {
  ipc_msg_t m{};
  for (uint64_t x : w) m.words[m.word_count++] = x;
  return m;
}

}  // namespace ipc_fake

#endif
