// Endpoints: both orderings of call and receive, queue order, badges,
// reply and reply_recv, priority inheritance, the fastpath truth table,
// capabilities moved all or none, and every error path.
#include "neuron/endpoint.h"

#include <gtest/gtest.h>

#include <utility>

#include "kernel/ipc/fake_kernel.h"
#include "neuron/cap_transfer.h"
#include "neuron/errors.h"
#include "neuron/fastpath.h"
#include "neuron/rights.h"

namespace {

using ipc_fake::Event;
using ipc_fake::Thread;
using ipc_fake::Words;

// A queue's length, by its links (ipc_queue_t keeps no count).
size_t Length(const ipc_queue_t &q) {
  size_t n = 0;
  for (const ipc_thread_t *t = q.head; t; t = t->next) n++;
  return n;
}

class EndpointTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(ipc_endpoint_init(&ep, &k.sys), NX_OK); }

  int Call(Thread *c, uint64_t badge, const ipc_msg_t &m, ipc_thread_t **next = nullptr) {
    ipc_thread_t *n = nullptr;
    int r = ipc_call(&ep, &c->ipc, badge, &m, &n);
    if (next) *next = n;
    if (n) k.DirectSwitch(&c->ipc, n);
    return r;
  }
  // A message with a buffer, so it never takes the fastpath.
  static ipc_msg_t Slow(uint64_t w) {
    ipc_msg_t m = Words({w});
    m.buf_len = 16;
    return m;
  }
  nx_handle_value_t Install(Thread *t, uint32_t rights = NX_RIGHTS_ALL) {
    nx_handle_value_t h = 0;
    EXPECT_EQ(handle_install(t->table.get(), &obj, rights, &h), NX_OK);
    return h;
  }
  bool Live(Thread *t, nx_handle_value_t h) {
    object_t *o;
    return handle_lookup(t->table.get(), h, OBJ_DEBUG_LOG, 0, &o) == NX_OK;
  }

  ipc_fake::Kernel k;
  ipc_endpoint_t ep;
  object_t obj = {OBJ_DEBUG_LOG, 0};
};

TEST_F(EndpointTest, ReceiveThenCallThenReply) {
  Thread *s = k.NewThread("server", 10), *c = k.NewThread("client", 10);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), IPC_PENDING);
  EXPECT_TRUE(k.Blocked(&s->ipc));
  EXPECT_EQ(s->ipc.state, IPC_RECV_BLOCKED);
  EXPECT_EQ(Call(c, 0x77, Slow(42)), IPC_PENDING);
  EXPECT_FALSE(k.Blocked(&s->ipc));
  EXPECT_EQ(k.LastWake(&s->ipc), NX_OK);
  EXPECT_TRUE(k.Blocked(&c->ipc));
  EXPECT_EQ(s->ipc.msg.words[0], 42u);
  EXPECT_EQ(s->ipc.msg.buf_len, 16u);
  EXPECT_EQ(s->ipc.recv_badge, 0x77u);
  EXPECT_EQ(c->ipc.state, IPC_REPLY_BLOCKED);
  EXPECT_EQ(k.sys.counters.copied_bytes, 16u);
  EXPECT_EQ(k.log[1], (Event{Event::kCopy, &s->ipc, 16, &c->ipc}));

  ipc_msg_t r = Words({1, 2, 3});
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_OK);
  EXPECT_FALSE(k.Blocked(&c->ipc));
  EXPECT_EQ(k.LastWake(&c->ipc), NX_OK);
  EXPECT_EQ(c->ipc.msg.word_count, 3u);
  EXPECT_EQ(c->ipc.msg.words[2], 3u);
  EXPECT_EQ(c->ipc.state, IPC_IDLE);
  // One-shot: a second reply has no caller.
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_ERR_NOT_FOUND);
  EXPECT_EQ(k.sys.counters.replies_slow, 1u);
  EXPECT_EQ(k.sys.counters.replies_fast, 0u);
}

TEST_F(EndpointTest, CallThenReceive) {
  Thread *s = k.NewThread("server", 10), *c = k.NewThread("client", 10);
  EXPECT_EQ(Call(c, 5, Words({9, 8})), IPC_PENDING);
  EXPECT_TRUE(k.Blocked(&c->ipc));
  EXPECT_EQ(c->ipc.state, IPC_SEND_BLOCKED);
  EXPECT_EQ(Length(ep.callers), 1u);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_OK);  // no blocking: a caller waited
  EXPECT_FALSE(k.Blocked(&s->ipc));
  EXPECT_EQ(s->ipc.msg.word_count, 2u);
  EXPECT_EQ(s->ipc.msg.words[1], 8u);
  EXPECT_EQ(s->ipc.recv_badge, 5u);
  EXPECT_EQ(c->ipc.state, IPC_REPLY_BLOCKED);
  EXPECT_TRUE(k.Blocked(&c->ipc));
  EXPECT_EQ(Length(ep.callers), 0u);
  ipc_msg_t r = Words({});
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_OK);
  EXPECT_EQ(k.LastWake(&c->ipc), NX_OK);
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_OK);
}

// ipc_endpoint_check() refuses each way a queue can be broken; a loop in
// the links ends the walk (each node's prev must be the node before it).
TEST_F(EndpointTest, CheckRefusesBrokenQueues) {
  Thread *a = k.NewThread("a", 9), *b = k.NewThread("b", 5), *s = k.NewThread("s", 10);
  EXPECT_EQ(Call(a, 0, Slow(1)), IPC_PENDING);
  EXPECT_EQ(Call(b, 0, Slow(2)), IPC_PENDING);
  ASSERT_EQ(ipc_endpoint_check(&ep), NX_OK);
  ASSERT_EQ(Length(ep.callers), 2u);
  ipc_thread_t *first = ep.callers.head, *second = first->next;

  second->next = first;  // a loop back to the head
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_ERR_BAD_FORMAT);
  second->next = second;  // a loop onto itself
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_ERR_BAD_FORMAT);
  second->next = nullptr;
  ASSERT_EQ(ipc_endpoint_check(&ep), NX_OK);

  second->prev = nullptr;  // a prev that is not the node before
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_ERR_BAD_FORMAT);
  second->prev = first;
  ep.callers.tail = first;  // a tail that is not the last node
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_ERR_BAD_FORMAT);
  ep.callers.tail = second;
  second->state = IPC_RECV_BLOCKED;  // a caller in a server's state
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_ERR_BAD_FORMAT);
  second->state = IPC_SEND_BLOCKED;
  second->queued_on = nullptr;  // queued here, but says elsewhere
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_ERR_BAD_FORMAT);
  second->queued_on = &ep;
  std::swap(first->queue_prio, second->queue_prio);  // out of priority order
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_ERR_BAD_FORMAT);
  std::swap(first->queue_prio, second->queue_prio);
  ASSERT_EQ(ipc_endpoint_check(&ep), NX_OK);

  // Callers and servers both queued: a receive would have taken a caller.
  ep.servers.head = ep.servers.tail = &s->ipc;
  s->ipc.state = IPC_RECV_BLOCKED;
  s->ipc.queued_on = &ep;
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_ERR_BAD_FORMAT);
  ep.servers.head = ep.servers.tail = nullptr;
  s->ipc.state = IPC_IDLE;
  s->ipc.queued_on = nullptr;
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_OK);
}

TEST_F(EndpointTest, CallersQueueByPriorityThenFifoAndBadgesFollow) {
  Thread *s = k.NewThread("server", 31);
  Thread *a = k.NewThread("a", 5), *b = k.NewThread("b", 9), *c = k.NewThread("c", 5),
         *d = k.NewThread("d", 9), *e = k.NewThread("e", 1);
  EXPECT_EQ(Call(a, 1, Words({})), IPC_PENDING);
  EXPECT_EQ(Call(b, 2, Words({})), IPC_PENDING);
  EXPECT_EQ(Call(c, 3, Words({})), IPC_PENDING);
  EXPECT_EQ(Call(d, 4, Words({})), IPC_PENDING);
  EXPECT_EQ(Call(e, 5, Words({})), IPC_PENDING);
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_OK);
  // 9s first (b before d), then the 5s (a before c), then e.
  std::vector<uint64_t> order;
  ipc_msg_t r = Words({});
  ASSERT_EQ(ipc_receive(&ep, &s->ipc), NX_OK);
  for (int i = 0; i < 5; i++) {
    order.push_back(s->ipc.recv_badge);
    int res = ipc_reply_recv(&ep, &s->ipc, &r);
    EXPECT_EQ(res, i < 4 ? NX_OK : IPC_PENDING);
  }
  EXPECT_EQ(order, (std::vector<uint64_t>{2, 4, 1, 3, 5}));
  for (Thread *t : {a, b, c, d, e}) EXPECT_EQ(k.LastWake(&t->ipc), NX_OK) << t->name;
  EXPECT_TRUE(k.Blocked(&s->ipc));
  EXPECT_EQ(Length(ep.servers), 1u);
}

TEST_F(EndpointTest, ServersQueueFifo) {
  Thread *s1 = k.NewThread("s1", 10), *s2 = k.NewThread("s2", 10), *c = k.NewThread("c", 10);
  EXPECT_EQ(ipc_receive(&ep, &s1->ipc), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s2->ipc), IPC_PENDING);
  ipc_thread_t *next = nullptr;
  EXPECT_EQ(Call(c, 0, Words({1}), &next), IPC_PENDING);
  EXPECT_EQ(next, &s1->ipc);
  EXPECT_EQ(s2->ipc.state, IPC_RECV_BLOCKED);
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_OK);
}

TEST_F(EndpointTest, ReplyRecvReplyFailureDoesNothing) {
  Thread *s = k.NewThread("s", 10);
  ipc_msg_t r = Words({});
  EXPECT_EQ(ipc_reply_recv(&ep, &s->ipc, &r), NX_ERR_NOT_FOUND);
  EXPECT_EQ(s->ipc.state, IPC_IDLE);
  EXPECT_TRUE(k.log.empty());
  // A reply that is too long: the caller still waits.
  Thread *c = k.NewThread("c", 10);
  EXPECT_EQ(Call(c, 0, Words({})), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_OK);
  r.word_count = IPC_MSG_WORDS + 1;
  EXPECT_EQ(ipc_reply_recv(&ep, &s->ipc, &r), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(c->ipc.state, IPC_REPLY_BLOCKED);
  EXPECT_EQ(s->ipc.reply, IPC_REPLY_PENDING);
}

TEST_F(EndpointTest, PriorityInheritedWhileServingAndRestoredOnReply) {
  Thread *s = k.NewThread("s", 4), *c = k.NewThread("c", 20);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), IPC_PENDING);
  EXPECT_EQ(Call(c, 0, Words({1})), IPC_PENDING);  // slow: the server is below
  EXPECT_EQ(s->ipc.prio, 20u);
  EXPECT_EQ(k.sched_prio[&s->ipc], 20u);
  ipc_msg_t r = Words({});
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_OK);
  EXPECT_EQ(s->ipc.prio, 4u);
  std::vector<Event> want = {
      {Event::kBlock, &s->ipc, 0}, {Event::kSetPrio, &s->ipc, 20},    {Event::kWake, &s->ipc, 0},
      {Event::kBlock, &c->ipc, 0}, {Event::kRestorePrio, &s->ipc, 0}, {Event::kWake, &c->ipc, 0},
  };
  EXPECT_EQ(k.log, want);
}

TEST_F(EndpointTest, PriorityNotLoweredAndCarriedThroughAChain) {
  Thread *hi = k.NewThread("hi", 25), *c = k.NewThread("c", 3);
  ipc_endpoint_t ep2;
  ASSERT_EQ(ipc_endpoint_init(&ep2, &k.sys), NX_OK);
  Thread *s1 = k.NewThread("s1", 10), *s2 = k.NewThread("s2", 5);
  // A low caller does not lower a server.
  EXPECT_EQ(Call(c, 0, Words({})), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s1->ipc), NX_OK);
  EXPECT_EQ(s1->ipc.prio, 10u);
  ipc_msg_t r = Words({});
  EXPECT_EQ(ipc_reply(&k.sys, &s1->ipc, &r), NX_OK);
  for (const Event &e : k.log) EXPECT_NE(e.kind, Event::kSetPrio);
  EXPECT_EQ(k.log.back().kind, Event::kWake);  // no restore either
  // hi -> s1 -> s2: s2 runs at 25 while it serves s1.
  EXPECT_EQ(Call(hi, 0, Words({})), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s1->ipc), NX_OK);
  EXPECT_EQ(s1->ipc.prio, 25u);
  EXPECT_EQ(ipc_receive(&ep2, &s2->ipc), IPC_PENDING);
  ipc_thread_t *n = nullptr;
  EXPECT_EQ(ipc_call(&ep2, &s1->ipc, 0, &r, &n), IPC_PENDING);
  EXPECT_EQ(n, nullptr);  // s2 is below s1's effective priority: slow path
  EXPECT_EQ(s2->ipc.prio, 25u);
  EXPECT_EQ(ipc_reply(&k.sys, &s2->ipc, &r), NX_OK);
  EXPECT_EQ(s2->ipc.prio, 5u);
  EXPECT_EQ(s1->ipc.prio, 25u);  // still serving hi
  EXPECT_EQ(ipc_reply(&k.sys, &s1->ipc, &r), NX_OK);
  EXPECT_EQ(s1->ipc.prio, 10u);
  EXPECT_EQ(k.sched_prio[&s1->ipc], 10u);
  EXPECT_EQ(k.sched_prio[&s2->ipc], 5u);
}

TEST_F(EndpointTest, FastpathTruthTable) {
  Thread *s = k.NewThread("s", 10), *c = k.NewThread("c", 10);
  ipc_msg_t regs = Words({1, 2, 3, 4, 5, 6});
  EXPECT_EQ(ipc_fastpath_check(&ep, &c->ipc, &regs), IPC_FAST_NO_SERVER);
  EXPECT_EQ(ipc_fastpath_check(nullptr, &c->ipc, &regs), IPC_FAST_INVALID);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), IPC_PENDING);
  EXPECT_EQ(ipc_fastpath_check(&ep, &c->ipc, &regs), IPC_FAST_OK);
  ipc_msg_t buf = regs;
  buf.buf_len = 1;
  EXPECT_EQ(ipc_fastpath_check(&ep, &c->ipc, &buf), IPC_FAST_BUFFER);
  ipc_msg_t big = regs;
  big.word_count = IPC_MSG_WORDS + 1;
  EXPECT_EQ(ipc_fastpath_check(&ep, &c->ipc, &big), IPC_FAST_BUFFER);
  ipc_msg_t caps = regs;
  caps.handle_count = 1;
  EXPECT_EQ(ipc_fastpath_check(&ep, &c->ipc, &caps), IPC_FAST_HANDLES);
  caps.buf_len = 8;  // the first failing condition is the one reported
  EXPECT_EQ(ipc_fastpath_check(&ep, &c->ipc, &caps), IPC_FAST_BUFFER);
  Thread *hi = k.NewThread("hi", 11), *lo = k.NewThread("lo", 9);
  EXPECT_EQ(ipc_fastpath_check(&ep, &hi->ipc, &regs), IPC_FAST_PRIORITY);
  EXPECT_EQ(ipc_fastpath_check(&ep, &lo->ipc, &regs), IPC_FAST_OK);
  c->ipc.state = IPC_REPLY_BLOCKED;
  EXPECT_EQ(ipc_fastpath_check(&ep, &c->ipc, &regs), IPC_FAST_INVALID);
  c->ipc.state = IPC_IDLE;
  EXPECT_EQ(ipc_call_fast(&ep, &hi->ipc, 0, &regs), nullptr);  // not eligible: nothing done
  EXPECT_EQ(Length(ep.servers), 1u);
  EXPECT_EQ(k.log.size(), 1u);

  // The hand-off: no callback at all, the server returned.
  k.log.clear();
  ipc_thread_t *next = nullptr;
  EXPECT_EQ(Call(c, 0xb, regs, &next), IPC_PENDING);
  EXPECT_EQ(next, &s->ipc);
  EXPECT_TRUE(k.log.empty());
  EXPECT_EQ(s->ipc.msg.word_count, 6u);
  EXPECT_EQ(s->ipc.msg.words[5], 6u);
  EXPECT_EQ(s->ipc.recv_badge, 0xbu);
  EXPECT_EQ(s->ipc.reply, IPC_REPLY_PENDING);
  EXPECT_EQ(c->ipc.state, IPC_REPLY_BLOCKED);
  EXPECT_EQ(k.sys.counters.calls_fast, 1u);
  EXPECT_EQ(k.sys.counters.calls_slow, 0u);
  ipc_msg_t r = Words({7});
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_OK);
  EXPECT_EQ(k.LastWake(&c->ipc), NX_OK);
  EXPECT_EQ(c->ipc.msg.words[0], 7u);

  ipc_endpoint_close(&ep);
  EXPECT_EQ(ipc_fastpath_check(&ep, &c->ipc, &regs), IPC_FAST_CLOSED);
}

TEST_F(EndpointTest, ReplyFastpathTruthTable) {
  Thread *s = k.NewThread("s", 10), *c = k.NewThread("c", 10);
  ipc_msg_t regs = Words({7, 8});
  EXPECT_EQ(ipc_reply_fast_check(nullptr, &s->ipc, &regs), IPC_REPLY_FAST_INVALID);
  EXPECT_EQ(ipc_reply_fast_check(&ep, &s->ipc, &regs), IPC_REPLY_FAST_NO_CALLER);
  ASSERT_EQ(ipc_receive(&ep, &s->ipc), IPC_PENDING);
  EXPECT_EQ(ipc_reply_fast_check(&ep, &s->ipc, &regs), IPC_REPLY_FAST_INVALID);  // not IDLE
  ASSERT_EQ(Call(c, 0x5, Words({1})), IPC_PENDING);  // the call fastpath: s serves c
  EXPECT_EQ(ipc_reply_fast_check(&ep, &s->ipc, &regs), IPC_REPLY_FAST_OK);
  ipc_msg_t buf = regs;
  buf.buf_len = 4;
  EXPECT_EQ(ipc_reply_fast_check(&ep, &s->ipc, &buf), IPC_REPLY_FAST_BUFFER);
  ipc_msg_t caps = regs;
  caps.handle_count = 1;
  EXPECT_EQ(ipc_reply_fast_check(&ep, &s->ipc, &caps), IPC_REPLY_FAST_HANDLES);
  Thread *queued = k.NewThread("q", 10);
  EXPECT_EQ(Call(queued, 0, Words({2})), IPC_PENDING);  // no server waits: it queues
  EXPECT_EQ(ipc_reply_fast_check(&ep, &s->ipc, &regs), IPC_REPLY_FAST_QUEUED);
  EXPECT_EQ(ipc_reply_recv_fast(&ep, &s->ipc, &regs), nullptr);  // nothing done
  EXPECT_EQ(s->ipc.reply, IPC_REPLY_PENDING);
  EXPECT_EQ(c->ipc.state, IPC_REPLY_BLOCKED);
  ipc_endpoint_close(&ep);
  EXPECT_EQ(ipc_reply_fast_check(&ep, &s->ipc, &regs), IPC_REPLY_FAST_CLOSED);
}

TEST_F(EndpointTest, ReplyFastpathHandsTheReplyBackAndRequeuesTheServer) {
  Thread *s = k.NewThread("s", 10), *c = k.NewThread("c", 12);
  ASSERT_EQ(ipc_receive(&ep, &s->ipc), IPC_PENDING);
  // c is more urgent: the call goes the slow path and s inherits 12.
  ASSERT_EQ(Call(c, 0x5, Words({1})), IPC_PENDING);
  EXPECT_EQ(s->ipc.prio, 12u);
  k.log.clear();
  const ipc_msg_t reply = Words({41, 42});
  ipc_thread_t *back = ipc_reply_recv_fast(&ep, &s->ipc, &reply);
  ASSERT_EQ(back, &c->ipc);
  EXPECT_EQ(c->ipc.state, IPC_IDLE);
  EXPECT_EQ(c->ipc.msg.word_count, 2u);
  EXPECT_EQ(c->ipc.msg.words[1], 42u);
  EXPECT_EQ(s->ipc.reply, IPC_REPLY_NONE);
  EXPECT_EQ(s->ipc.state, IPC_RECV_BLOCKED);
  EXPECT_EQ(s->ipc.prio, 10u);
  EXPECT_EQ(ep.servers.head, &s->ipc);
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_OK);
  EXPECT_EQ(k.sys.counters.replies_fast, 1u);
  EXPECT_EQ(k.sys.counters.replies_slow, 0u);
  // Only the priority callback ran: no wake, no block (the kernel switches).
  ASSERT_EQ(k.log.size(), 1u);
  EXPECT_EQ(k.log[0].kind, Event::kRestorePrio);
  // The next call meets the requeued server on the call fastpath.
  k.DirectSwitch(&s->ipc, back);  // the kernel blocks s and runs c
  ipc_thread_t *next = nullptr;
  EXPECT_EQ(Call(c, 0x5, Words({3}), &next), IPC_PENDING);
  EXPECT_EQ(next, nullptr);  // c (12) is above s (10): still the slow path
}

TEST_F(EndpointTest, CapabilitiesMoveWithACallAndAReply) {
  Thread *s = k.NewThread("s", 10), *c = k.NewThread("c", 10);
  ipc_msg_t m = Words({1});
  m.handle_count = 2;
  m.handles[0] = Install(c);
  m.handles[1] = Install(c, NX_RIGHT_READ | NX_RIGHT_TRANSFER);
  EXPECT_EQ(Call(c, 0, m), IPC_PENDING);  // queued: the handles stay put
  EXPECT_TRUE(Live(c, m.handles[0]));
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_OK);
  EXPECT_FALSE(Live(c, m.handles[0]));
  EXPECT_FALSE(Live(c, m.handles[1]));
  ASSERT_EQ(s->ipc.msg.handle_count, 2u);
  handle_slot_t *slot = nullptr;
  ASSERT_EQ(handle_lookup_slot(s->table.get(), s->ipc.msg.handles[1], OBJ_DEBUG_LOG, 0, &slot),
            NX_OK);
  EXPECT_EQ(slot->rights, NX_RIGHT_READ | NX_RIGHT_TRANSFER);  // moved, not widened
  EXPECT_EQ(obj.refs, 2u);                                     // moved, not copied
  // The reply sends one back.
  ipc_msg_t r = Words({});
  r.handle_count = 1;
  r.handles[0] = s->ipc.msg.handles[0];
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_OK);
  ASSERT_EQ(c->ipc.msg.handle_count, 1u);
  EXPECT_TRUE(Live(c, c->ipc.msg.handles[0]));
  EXPECT_FALSE(Live(s, r.handles[0]));
  EXPECT_EQ(k.sys.counters.handles_moved, 3u);
  EXPECT_EQ(obj.refs, 2u);
}

TEST_F(EndpointTest, OneBadCapabilityMovesNothing) {
  Thread *s = k.NewThread("s", 10), *c = k.NewThread("c", 10);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), IPC_PENDING);
  k.log.clear();
  ipc_msg_t m = Words({});
  m.handle_count = 4;
  for (int i = 0; i < 4; i++) m.handles[i] = Install(c);
  // The 3rd: stale (closed), then lacking TRANSFER, then a duplicate.
  nx_handle_value_t third = m.handles[2];
  ASSERT_EQ(handle_close(c->table.get(), third), NX_OK);
  EXPECT_EQ(Call(c, 0, m), NX_ERR_BAD_HANDLE);
  m.handles[2] = Install(c, NX_RIGHT_READ);
  EXPECT_EQ(Call(c, 0, m), NX_ERR_ACCESS_DENIED);
  m.handles[2] = m.handles[0];
  EXPECT_EQ(Call(c, 0, m), NX_ERR_INVALID_ARGS);
  for (int i : {0, 1, 3}) EXPECT_TRUE(Live(c, m.handles[i]));
  EXPECT_EQ(handle_table_free_slots(s->table.get()), HANDLE_TABLE_SLOTS);
  EXPECT_FALSE(k.Blocked(&c->ipc));
  EXPECT_EQ(c->ipc.state, IPC_IDLE);
  EXPECT_TRUE(k.log.empty());
  EXPECT_EQ(s->ipc.state, IPC_RECV_BLOCKED);  // the server still waits
  EXPECT_EQ(k.sys.counters.handles_moved, 0u);
}

TEST_F(EndpointTest, ServerTableFullFailsTheCallNotTheServer) {
  Thread *s = k.NewThread("s", 10), *c = k.NewThread("c", 10), *c2 = k.NewThread("c2", 10);
  // Leave the server room for one handle only.
  while (handle_table_free_slots(s->table.get()) > 1) Install(s);
  ipc_msg_t m = Words({});
  m.handle_count = 2;
  m.handles[0] = Install(c);
  m.handles[1] = Install(c);
  // Server waiting: the call fails at once, caller not blocked.
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), IPC_PENDING);
  EXPECT_EQ(Call(c, 0, m), NX_ERR_NO_MEMORY);
  EXPECT_FALSE(k.Blocked(&c->ipc));
  EXPECT_TRUE(Live(c, m.handles[0]) && Live(c, m.handles[1]));
  ipc_thread_cancel(&k.sys, &s->ipc);
  k.blocked[&s->ipc] = false;
  // Caller queued first: when the server receives, the caller's call fails,
  // the next caller is served.
  EXPECT_EQ(Call(c, 0, m), IPC_PENDING);
  EXPECT_EQ(Call(c2, 9, Words({})), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_OK);
  EXPECT_EQ(k.LastWake(&c->ipc), NX_ERR_NO_MEMORY);
  EXPECT_EQ(c->ipc.state, IPC_IDLE);
  EXPECT_TRUE(Live(c, m.handles[0]) && Live(c, m.handles[1]));
  EXPECT_EQ(s->ipc.recv_badge, 9u);
}

TEST_F(EndpointTest, ReplyWithBadCapabilityChangesNothing) {
  Thread *s = k.NewThread("s", 10), *c = k.NewThread("c", 10);
  EXPECT_EQ(Call(c, 0, Words({})), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_OK);
  ipc_msg_t r = Words({});
  r.handle_count = 2;
  r.handles[0] = Install(s);
  r.handles[1] = 0x12345;
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_ERR_BAD_HANDLE);
  EXPECT_TRUE(Live(s, r.handles[0]));
  EXPECT_EQ(c->ipc.state, IPC_REPLY_BLOCKED);
  EXPECT_EQ(s->ipc.reply, IPC_REPLY_PENDING);
  r.handle_count = 1;
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_OK);
  EXPECT_TRUE(Live(c, c->ipc.msg.handles[0]));
}

TEST_F(EndpointTest, ThreadsOfOneTaskKeepTheirHandles) {
  Thread *s = k.NewThread("s", 10);
  ipc_thread_t c;
  ASSERT_EQ(ipc_thread_init(&c, s->table.get(), 10), NX_OK);
  ipc_msg_t m = Words({});
  m.handle_count = 1;
  m.handles[0] = Install(s);
  ipc_thread_t *n = nullptr;
  EXPECT_EQ(ipc_call(&ep, &c, 0, &m, &n), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_OK);
  EXPECT_EQ(s->ipc.msg.handles[0], m.handles[0]);
  EXPECT_TRUE(Live(s, m.handles[0]));
}

TEST_F(EndpointTest, MessageLimits) {
  Thread *s = k.NewThread("s", 10), *c = k.NewThread("c", 10);
  ipc_msg_t m = Words({});
  m.word_count = IPC_MSG_WORDS + 1;
  EXPECT_EQ(Call(c, 0, m), NX_ERR_OUT_OF_RANGE);
  m = Words({});
  m.buf_len = IPC_MSG_BUF_MAX + 1;
  EXPECT_EQ(Call(c, 0, m), NX_ERR_OUT_OF_RANGE);
  m = Words({});
  m.handle_count = IPC_MSG_HANDLES + 1;
  EXPECT_EQ(Call(c, 0, m), NX_ERR_OUT_OF_RANGE);
  EXPECT_TRUE(k.log.empty());
  // The largest message: one copy of the whole buffer.
  m = Words({1, 2, 3, 4, 5, 6});
  m.buf_len = IPC_MSG_BUF_MAX;
  EXPECT_EQ(Call(c, 0, m), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_OK);
  EXPECT_EQ(k.sys.counters.copied_bytes, IPC_MSG_BUF_MAX);
  ipc_msg_t r = Words({});
  r.buf_len = IPC_MSG_BUF_MAX + 1;
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_ERR_OUT_OF_RANGE);
  r.buf_len = 100;
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_OK);
  EXPECT_EQ(k.log.back(), (Event{Event::kWake, &c->ipc, 0}));
  EXPECT_EQ(k.log[k.log.size() - 2], (Event{Event::kCopy, &c->ipc, 100, &s->ipc}));
  EXPECT_EQ(k.sys.counters.copied_bytes, IPC_MSG_BUF_MAX + 100);
}

TEST_F(EndpointTest, InvalidArguments) {
  Thread *c = k.NewThread("c", 10);
  ipc_msg_t m = Words({});
  ipc_thread_t *n = nullptr;
  EXPECT_EQ(ipc_call(nullptr, &c->ipc, 0, &m, &n), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ipc_call(&ep, &c->ipc, 0, nullptr, &n), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ipc_call(&ep, &c->ipc, 0, &m, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ipc_receive(nullptr, &c->ipc), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ipc_reply(&k.sys, nullptr, &m), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ipc_msg_validate(nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ipc_thread_init(&c->ipc, c->table.get(), 256), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ipc_endpoint_init(nullptr, &k.sys), NX_ERR_INVALID_ARGS);
  ipc_system_t sys;
  ipc_ops_t ops = {};
  EXPECT_EQ(ipc_system_init(&sys, &ops, nullptr), NX_ERR_INVALID_ARGS);
  // A blocked thread cannot call or receive (a kernel bug, refused).
  EXPECT_EQ(ipc_call(&ep, &c->ipc, 0, &m, &n), IPC_PENDING);
  EXPECT_EQ(ipc_call(&ep, &c->ipc, 0, &m, &n), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ipc_receive(&ep, &c->ipc), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Length(ep.callers), 1u);
}

TEST_F(EndpointTest, ReceiveWhileOwingAReplyIsBusy) {
  Thread *s = k.NewThread("s", 10), *c = k.NewThread("c", 10), *c2 = k.NewThread("c2", 10);
  EXPECT_EQ(Call(c, 0, Words({})), IPC_PENDING);
  EXPECT_EQ(Call(c2, 0, Words({})), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_OK);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_ERR_BUSY);
  EXPECT_EQ(Length(ep.callers), 1u);
  EXPECT_EQ(s->ipc.caller, &c->ipc);
}

TEST_F(EndpointTest, ClosedEndpoint) {
  Thread *s = k.NewThread("s", 10), *c1 = k.NewThread("c1", 10), *c2 = k.NewThread("c2", 10);
  EXPECT_EQ(Call(c1, 0, Words({})), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_OK);  // c1 taken: survives the close
  EXPECT_EQ(Call(c2, 0, Words({})), IPC_PENDING);
  ipc_endpoint_close(&ep);
  EXPECT_EQ(k.LastWake(&c2->ipc), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(c2->ipc.state, IPC_IDLE);
  ipc_endpoint_close(&ep);  // twice: nothing
  ipc_msg_t r = Words({});
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_OK);
  EXPECT_EQ(k.LastWake(&c1->ipc), NX_OK);
  EXPECT_EQ(Call(c2, 0, Words({})), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(ipc_reply_recv(&ep, &s->ipc, &r), NX_ERR_BAD_HANDLE);
  EXPECT_FALSE(k.Blocked(&c2->ipc));

  // Waiting servers are woken too.
  ipc_endpoint_t ep2;
  ASSERT_EQ(ipc_endpoint_init(&ep2, &k.sys), NX_OK);
  EXPECT_EQ(ipc_receive(&ep2, &s->ipc), IPC_PENDING);
  ipc_endpoint_close(&ep2);
  EXPECT_EQ(k.LastWake(&s->ipc), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(Length(ep2.servers), 0u);
}

TEST_F(EndpointTest, CallerKilledWhileQueued) {
  Thread *a = k.NewThread("a", 10), *b = k.NewThread("b", 10), *c = k.NewThread("c", 10);
  EXPECT_EQ(Call(a, 1, Words({})), IPC_PENDING);
  EXPECT_EQ(Call(b, 2, Words({})), IPC_PENDING);
  EXPECT_EQ(Call(c, 3, Words({})), IPC_PENDING);
  size_t events = k.log.size();
  ipc_thread_cancel(&k.sys, &b->ipc);  // from the middle
  EXPECT_EQ(k.log.size(), events);     // no op on a dying thread
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_OK);
  EXPECT_EQ(Length(ep.callers), 2u);
  ipc_thread_cancel(&k.sys, &c->ipc);  // the tail
  ipc_thread_cancel(&k.sys, &a->ipc);  // the head
  EXPECT_EQ(Length(ep.callers), 0u);
  EXPECT_EQ(ep.callers.head, nullptr);
  EXPECT_EQ(ep.callers.tail, nullptr);
  EXPECT_EQ(b->ipc.state, IPC_IDLE);
  ipc_thread_cancel(&k.sys, &b->ipc);  // idle: nothing
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_OK);
}

TEST_F(EndpointTest, CallerKilledWhileServedOrphansTheReply) {
  Thread *s = k.NewThread("s", 2), *c = k.NewThread("c", 20), *c2 = k.NewThread("c2", 1);
  EXPECT_EQ(Call(c, 0, Words({})), IPC_PENDING);
  EXPECT_EQ(Call(c2, 7, Words({})), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_OK);
  EXPECT_EQ(s->ipc.prio, 20u);
  ipc_thread_cancel(&k.sys, &c->ipc);
  EXPECT_EQ(s->ipc.reply, IPC_REPLY_ORPHANED);
  EXPECT_EQ(s->ipc.prio, 2u);  // no longer working for c
  EXPECT_EQ(k.log.back(), (Event{Event::kRestorePrio, &s->ipc, 0}));
  size_t events = k.log.size();
  ipc_msg_t r = Words({});
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_OK);  // dropped, quietly
  EXPECT_EQ(k.log.size(), events);
  EXPECT_EQ(k.sys.counters.replies_dropped, 1u);
  EXPECT_EQ(ipc_reply(&k.sys, &s->ipc, &r), NX_ERR_NOT_FOUND);
  // reply_recv after an orphaning goes on to the next caller.
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), NX_OK);
  EXPECT_EQ(s->ipc.recv_badge, 7u);
  ipc_thread_cancel(&k.sys, &c2->ipc);
  EXPECT_EQ(ipc_reply_recv(&ep, &s->ipc, &r), IPC_PENDING);
}

TEST_F(EndpointTest, ServerKilledWhileServingFailsTheCaller) {
  Thread *s = k.NewThread("s", 10), *c = k.NewThread("c", 10);
  EXPECT_EQ(ipc_receive(&ep, &s->ipc), IPC_PENDING);
  EXPECT_EQ(Call(c, 0, Words({})), IPC_PENDING);
  ipc_thread_cancel(&k.sys, &s->ipc);
  EXPECT_EQ(k.LastWake(&c->ipc), NX_ERR_NOT_FOUND);
  EXPECT_EQ(c->ipc.state, IPC_IDLE);
  EXPECT_EQ(c->ipc.server, nullptr);
  EXPECT_EQ(s->ipc.reply, IPC_REPLY_NONE);
}

TEST_F(EndpointTest, ServerKilledWhileWaiting) {
  Thread *s1 = k.NewThread("s1", 10), *s2 = k.NewThread("s2", 10), *c = k.NewThread("c", 10);
  EXPECT_EQ(ipc_receive(&ep, &s1->ipc), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s2->ipc), IPC_PENDING);
  ipc_thread_cancel(&k.sys, &s1->ipc);
  EXPECT_EQ(ipc_endpoint_check(&ep), NX_OK);
  ipc_thread_t *n = nullptr;
  EXPECT_EQ(Call(c, 0, Words({}), &n), IPC_PENDING);
  EXPECT_EQ(n, &s2->ipc);
}

TEST_F(EndpointTest, NestedServerKilledHandlesBothRoles) {
  // c -> s1 (on ep), s1 -> s2 (on ep2); s1 dies while waiting for s2.
  ipc_endpoint_t ep2;
  ASSERT_EQ(ipc_endpoint_init(&ep2, &k.sys), NX_OK);
  Thread *c = k.NewThread("c", 20), *s1 = k.NewThread("s1", 5), *s2 = k.NewThread("s2", 5);
  EXPECT_EQ(Call(c, 0, Words({})), IPC_PENDING);
  EXPECT_EQ(ipc_receive(&ep, &s1->ipc), NX_OK);
  EXPECT_EQ(ipc_receive(&ep2, &s2->ipc), IPC_PENDING);
  ipc_msg_t m = Words({});
  ipc_thread_t *n = nullptr;
  EXPECT_EQ(ipc_call(&ep2, &s1->ipc, 0, &m, &n), IPC_PENDING);
  EXPECT_EQ(s2->ipc.prio, 20u);
  ipc_thread_cancel(&k.sys, &s1->ipc);
  EXPECT_EQ(k.LastWake(&c->ipc), NX_ERR_NOT_FOUND);
  EXPECT_EQ(s2->ipc.reply, IPC_REPLY_ORPHANED);
  EXPECT_EQ(s2->ipc.prio, 5u);
}

}  // namespace
