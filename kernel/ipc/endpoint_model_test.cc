// A randomized test of endpoints against a reference model. Thousands of
// steps (call, receive, reply, reply_recv, kills and revivals of threads,
// closing and reopening endpoints) over several endpoints and threads that
// act as callers and servers; after every step the module must agree with
// the model on every thread's IPC state, every queue's exact order, who
// owes whom a reply, every effective priority (and the scheduler's view of
// it, kept by the fake's set/restore callbacks), the wakes issued and their
// results, and the messages delivered: each call's message reaches exactly
// one server once, and each reply reaches the caller that made the call.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <random>
#include <vector>

#include "kernel/ipc/fake_kernel.h"
#include "neuron/endpoint.h"
#include "neuron/errors.h"
#include "neuron/fastpath.h"

namespace {

using ipc_fake::Event;
using ipc_fake::Thread;

constexpr int kThreads = 10;
constexpr int kEndpoints = 3;
constexpr uint64_t kReplyTag = 1000000;

enum class St { kIdle, kSend, kRecv, kReply, kDead };

struct MThread {
  St st = St::kIdle;
  int ep = -1;       // kSend, kRecv
  int server = -1;   // kReply
  int serving = -1;  // reply pending: the caller
  bool orphaned = false;
  unsigned base = 0, prio = 0;
  unsigned queue_prio = 0;  // kSend: its prio when it queued
  uint64_t call_id = 0;     // the call it made (kSend, kReply)
  uint64_t badge = 0;       // its call's badge
  uint64_t received = 0;    // the id it last received as a server
};

struct MEndpoint {
  bool closed = false;
  std::deque<int> callers, servers;
};

class Model {
 public:
  explicit Model(uint32_t seed) : rng(seed) {
    for (int e = 0; e < kEndpoints; e++) EXPECT_EQ(ipc_endpoint_init(&eps[e], &k.sys), NX_OK);
    for (int i = 0; i < kThreads; i++) {
      unsigned p = Rand(8);
      th.push_back(k.NewThread("t" + std::to_string(i), p));
      m[i].base = m[i].prio = p;
    }
  }

  unsigned Rand(unsigned n) { return std::uniform_int_distribution<unsigned>(0, n - 1)(rng); }
  ipc_thread_t *T(int i) { return &th[i]->ipc; }
  int Index(const ipc_thread_t *t) {
    for (int i = 0; i < kThreads; i++) {
      if (T(i) == t) return i;
    }
    return -1;
  }

  // ---- Model transitions; each records the wakes it predicts ----
  void Inherit(int s, int c) { m[s].prio = std::max(m[s].prio, m[c].prio); }
  void Restore(int s) { m[s].prio = m[s].base; }
  void Take(int c, int s) {  // s takes c's call
    m[c].st = St::kReply;
    m[c].server = s;
    m[c].ep = -1;
    m[s].ep = -1;
    m[s].serving = c;
    m[s].orphaned = false;
    m[s].received = m[c].call_id;
    Inherit(s, c);
    delivered.push_back(m[c].call_id);
    just_received.push_back(s);
  }
  void Wake(int t, int result) {
    want_wakes.push_back({t, result});
    if (m[t].st != St::kDead) m[t].st = St::kIdle;
    m[t].ep = -1;
  }

  void Step() {
    int t = Rand(kThreads), e = Rand(kEndpoints);
    unsigned op = Rand(100);
    if (m[t].st == St::kDead) {
      if (op < 30) Revive(t);
      return;
    }
    if (op < 2) {
      CloseAndReopen(e);
    } else if (op < 7) {
      Kill(t);
    } else if (m[t].st != St::kIdle) {
      return;  // blocked threads make no syscalls
    } else if (op < 40) {
      Call(t, e);
    } else if (op < 60) {
      Receive(t, e);
    } else if (op < 80) {
      Reply(t);
    } else {
      ReplyRecv(t, e);
    }
  }

  void Call(int t, int e) {
    ipc_msg_t msg{};
    uint64_t id = ++next_id;
    msg.word_count = 2;
    msg.words[0] = id;
    msg.words[1] = t;
    msg.buf_len = Rand(3) == 0 ? 1 + Rand(IPC_MSG_BUF_MAX) : 0;
    uint64_t badge = 0xb000 + t * 16 + e;
    ipc_thread_t *next = nullptr;
    bool expect_fast = !eps_m[e].closed && !eps_m[e].servers.empty() && msg.buf_len == 0 &&
                       m[eps_m[e].servers.front()].prio >= m[t].prio;
    EXPECT_EQ(ipc_fastpath_check(&eps[e], T(t), &msg) == IPC_FAST_OK, expect_fast);
    int r = ipc_call(&eps[e], T(t), badge, &msg, &next);
    if (eps_m[e].closed) {
      EXPECT_EQ(r, NX_ERR_BAD_HANDLE);
      return;
    }
    ASSERT_EQ(r, IPC_PENDING);
    m[t].call_id = id;
    m[t].badge = badge;
    calls_made.push_back(id);
    if (!eps_m[e].servers.empty()) {
      int s = eps_m[e].servers.front();
      eps_m[e].servers.pop_front();
      EXPECT_EQ(next, expect_fast ? T(s) : nullptr);
      Take(t, s);
      if (expect_fast) {
        k.DirectSwitch(T(t), T(s));
        m[s].st = St::kIdle;
      } else {
        Wake(s, NX_OK);
      }
    } else {
      EXPECT_EQ(next, nullptr);
      m[t].st = St::kSend;
      m[t].ep = e;
      auto &q = eps_m[e].callers;
      auto pos = q.end();
      m[t].queue_prio = m[t].prio;
      while (pos != q.begin() && m[*(pos - 1)].queue_prio < m[t].prio) --pos;
      q.insert(pos, t);
    }
  }

  // Returns the expected result of receive.
  int ModelReceive(int s, int e) {
    if (eps_m[e].closed) return NX_ERR_BAD_HANDLE;
    if (m[s].serving >= 0) return NX_ERR_BUSY;
    m[s].orphaned = false;
    if (!eps_m[e].callers.empty()) {
      int c = eps_m[e].callers.front();
      eps_m[e].callers.pop_front();
      Take(c, s);
      return NX_OK;
    }
    eps_m[e].servers.push_back(s);
    m[s].st = St::kRecv;
    m[s].ep = e;
    return IPC_PENDING;
  }

  void Receive(int s, int e) { EXPECT_EQ(ipc_receive(&eps[e], T(s)), ModelReceive(s, e)); }

  int ModelReply(int s) {
    if (m[s].orphaned) {
      m[s].orphaned = false;
      return NX_OK;
    }
    int c = m[s].serving;
    if (c < 0) return NX_ERR_NOT_FOUND;
    m[s].serving = -1;
    m[c].server = -1;
    Restore(s);
    replied.push_back(m[c].call_id);
    expect_reply[c] = m[c].call_id + kReplyTag;
    Wake(c, NX_OK);
    return NX_OK;
  }

  ipc_msg_t ReplyMsg(int s) {
    ipc_msg_t r{};
    r.word_count = 1;
    r.words[0] = m[s].received + kReplyTag;
    r.buf_len = Rand(2) ? 0 : Rand(IPC_MSG_BUF_MAX + 1);
    return r;
  }

  void Reply(int s) {
    ipc_msg_t r = ReplyMsg(s);
    EXPECT_EQ(ipc_reply(&k.sys, T(s), &r), ModelReply(s));
  }

  void ReplyRecv(int s, int e) {
    ipc_msg_t r = ReplyMsg(s);
    int want;
    if (eps_m[e].closed) {
      want = NX_ERR_BAD_HANDLE;
    } else {
      want = ModelReply(s);
      if (want == NX_OK) want = ModelReceive(s, e);
    }
    EXPECT_EQ(ipc_reply_recv(&eps[e], T(s), &r), want);
  }

  void Kill(int t) {
    MThread &x = m[t];
    if (x.st == St::kSend) {
      auto &q = eps_m[x.ep].callers;
      q.erase(std::find(q.begin(), q.end(), t));
      cancelled.push_back(x.call_id);
    } else if (x.st == St::kRecv) {
      auto &q = eps_m[x.ep].servers;
      q.erase(std::find(q.begin(), q.end(), t));
    } else if (x.st == St::kReply) {
      int s = x.server;
      m[s].serving = -1;
      m[s].orphaned = true;
      Restore(s);
      cancelled.push_back(x.call_id);
    }
    if (x.serving >= 0) {
      int c = x.serving;
      m[c].server = -1;
      failed.push_back(m[c].call_id);
      Wake(c, NX_ERR_NOT_FOUND);
    }
    ipc_thread_cancel(&k.sys, T(t));
    x = MThread{};
    x.st = St::kDead;
  }

  void Revive(int t) {
    unsigned p = Rand(8);
    ASSERT_EQ(ipc_thread_init(T(t), th[t]->table.get(), p), NX_OK);
    k.blocked[T(t)] = false;
    k.sched_prio.erase(T(t));
    m[t] = MThread{};
    m[t].base = m[t].prio = p;
  }

  void CloseAndReopen(int e) {
    if (!eps_m[e].closed) {
      for (int c : eps_m[e].callers) {
        failed.push_back(m[c].call_id);
        Wake(c, NX_ERR_BAD_HANDLE);
      }
      for (int s : eps_m[e].servers) Wake(s, NX_ERR_BAD_HANDLE);
      eps_m[e].callers.clear();
      eps_m[e].servers.clear();
      eps_m[e].closed = true;
      ipc_endpoint_close(&eps[e]);
    } else {
      eps_m[e] = MEndpoint{};
      ASSERT_EQ(ipc_endpoint_init(&eps[e], &k.sys), NX_OK);
    }
  }

  // ---- The comparison, after every step ----
  void Check(int step) {
    SCOPED_TRACE("step " + std::to_string(step));
    // The wakes issued, in order, with their results.
    std::vector<std::pair<int, int>> got;
    for (size_t i = log_seen; i < k.log.size(); i++) {
      if (k.log[i].kind == Event::kWake) got.push_back({Index(k.log[i].t), (int)k.log[i].value});
    }
    log_seen = k.log.size();
    ASSERT_EQ(got, want_wakes);
    // A woken caller holds the reply to its own call.
    for (auto &w : want_wakes) {
      auto it = expect_reply.find(w.first);
      if (w.second == NX_OK && it != expect_reply.end()) {
        EXPECT_EQ(T(w.first)->msg.words[0], it->second);
        expect_reply.erase(it);
      }
    }
    want_wakes.clear();

    for (int e = 0; e < kEndpoints; e++) {
      ASSERT_EQ(ipc_endpoint_check(&eps[e]), NX_OK);
      EXPECT_EQ(eps[e].closed, eps_m[e].closed);
      std::vector<int> callers, servers;
      for (ipc_thread_t *t = eps[e].callers.head; t; t = t->next) callers.push_back(Index(t));
      for (ipc_thread_t *t = eps[e].servers.head; t; t = t->next) servers.push_back(Index(t));
      ASSERT_EQ(callers, std::vector<int>(eps_m[e].callers.begin(), eps_m[e].callers.end()));
      ASSERT_EQ(servers, std::vector<int>(eps_m[e].servers.begin(), eps_m[e].servers.end()));
    }
    for (int i = 0; i < kThreads; i++) {
      SCOPED_TRACE("thread " + std::to_string(i));
      const MThread &x = m[i];
      const ipc_thread_t *t = T(i);
      if (x.st == St::kDead) continue;
      static const uint8_t kState[] = {IPC_IDLE, IPC_SEND_BLOCKED, IPC_RECV_BLOCKED,
                                       IPC_REPLY_BLOCKED};
      ASSERT_EQ(t->state, kState[static_cast<int>(x.st)]);
      EXPECT_EQ(k.Blocked(t), x.st != St::kIdle);
      EXPECT_EQ(t->queued_on, x.ep >= 0 ? &eps[x.ep] : nullptr);
      if (x.ep < 0) {
        // On no queue, no links (ipc_fast.S relies on it).
        EXPECT_EQ(t->next, nullptr);
        EXPECT_EQ(t->prev, nullptr);
      }
      EXPECT_EQ(t->server, x.server >= 0 ? T(x.server) : nullptr);
      EXPECT_EQ(t->caller, x.serving >= 0 ? T(x.serving) : nullptr);
      EXPECT_EQ(t->reply, x.serving >= 0 ? IPC_REPLY_PENDING
                          : x.orphaned   ? IPC_REPLY_ORPHANED
                                         : IPC_REPLY_NONE);
      EXPECT_EQ(t->prio, x.prio);
      auto sp = k.sched_prio.find(t);
      EXPECT_EQ(sp == k.sched_prio.end() ? x.base : sp->second, x.prio);
    }
    // A server that took a call in this step holds its message and badge
    // (later, t->msg is scratch: the kernel has put it in registers, and the
    // server's own calls reuse it).
    for (int s : just_received) {
      if (m[s].serving < 0) continue;  // already replied to within the step
      EXPECT_EQ(T(s)->msg.words[0], m[s].received);
      EXPECT_EQ(T(s)->msg.words[1], static_cast<uint64_t>(m[s].serving));
      EXPECT_EQ(T(s)->recv_badge, m[m[s].serving].badge);
    }
    just_received.clear();
  }

  void Finish() {
    // Every call made was delivered at most once, and ended exactly one way
    // (replied, failed, cancelled with its caller) or is still in flight.
    std::vector<uint64_t> d = delivered;
    std::sort(d.begin(), d.end());
    EXPECT_EQ(std::adjacent_find(d.begin(), d.end()), d.end()) << "a message was delivered twice";
    std::vector<uint64_t> ended = replied;
    ended.insert(ended.end(), failed.begin(), failed.end());
    ended.insert(ended.end(), cancelled.begin(), cancelled.end());
    for (int i = 0; i < kThreads; i++) {
      if (m[i].st == St::kSend || m[i].st == St::kReply) ended.push_back(m[i].call_id);
    }
    std::sort(ended.begin(), ended.end());
    std::vector<uint64_t> made = calls_made;
    std::sort(made.begin(), made.end());
    EXPECT_EQ(ended, made);
    for (uint64_t id : replied) EXPECT_TRUE(std::binary_search(d.begin(), d.end(), id));
  }

  std::mt19937 rng;
  ipc_fake::Kernel k;
  ipc_endpoint_t eps[kEndpoints];
  MEndpoint eps_m[kEndpoints];
  std::vector<Thread *> th;
  MThread m[kThreads];
  uint64_t next_id = 0;
  size_t log_seen = 0;
  std::vector<std::pair<int, int>> want_wakes;
  std::map<int, uint64_t> expect_reply;
  std::vector<int> just_received;
  std::vector<uint64_t> calls_made, delivered, replied, failed, cancelled;
};

TEST(EndpointModelTest, RandomStepsAgreeWithTheModel) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Model model(seed);
    for (int step = 0; step < 20000; step++) {
      model.Step();
      model.Check(step);
      if (HasFatalFailure()) return;
    }
    model.Finish();
    // The run exercised what it claims to.
    const ipc_counters_t &c = model.k.sys.counters;
    printf("fast %lu slow %lu replies %lu dropped %lu failed %zu cancelled %zu\n",
           (unsigned long)c.calls_fast, (unsigned long)c.calls_slow,
           (unsigned long)(c.replies_slow + c.replies_fast), (unsigned long)c.replies_dropped,
           model.failed.size(), model.cancelled.size());
    EXPECT_GT(c.calls_fast, 20u);
    EXPECT_GT(c.calls_slow, 500u);
    EXPECT_GT(c.replies_slow + c.replies_fast, 200u);
    EXPECT_GT(c.replies_dropped, 20u);
    EXPECT_GT(model.failed.size(), 100u);
    EXPECT_GT(model.cancelled.size(), 100u);
    bool inherited = false;
    for (const Event &e : model.k.log) inherited |= e.kind == Event::kSetPrio;
    EXPECT_TRUE(inherited);
  }
}

}  // namespace
