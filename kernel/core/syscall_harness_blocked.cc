// The harness's blocked tasks (see syscall_harness.h): the model of the
// notify module's queues (which waits are queued where, in which order),
// delivering bits to them, and the end of a wait: its continuation, whose
// result the model predicts, or its cancellation.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "kernel/core/syscall_harness.h"
#include "neuron/errors.h"
#include "neuron/syscall_numbers.h"

namespace syscall_harness {

void Harness::Block(int task, MWait w) {
  const MObj &o = objs[w.obj];
  if (o.type == OBJ_NOTIFICATION) {
    objs[w.obj].waiters.push_back({task, w.mask, 0});
  } else {
    // A node per entry (waitset_wait queues them in slot order, but each on
    // another notification).
    for (int s = 0; s < 16; s++) {
      if (o.ws_n[s] >= 0) {
        objs[o.ws_n[s]].waiters.push_back({task, o.ws_mask[s], static_cast<uint32_t>(s)});
      }
    }
  }
  tasks[task].wait = std::move(w);
}

void Harness::Unqueue(int task) {
  const MWait &w = *tasks[task].wait;
  std::vector<int> queues = {w.obj};
  // A wait set's entries cannot change while it is waited on (BUSY): they
  // are the queues its wait was put on.
  if (objs[w.obj].type == OBJ_WAITSET) queues.assign(objs[w.obj].ws_n, objs[w.obj].ws_n + 16);
  for (int n : queues) {
    if (n < 0) continue;
    std::vector<MNode> &q = objs[n].waiters;
    q.erase(std::remove_if(q.begin(), q.end(), [task](const MNode &m) { return m.task == task; }),
            q.end());
  }
}

void Harness::Deliver(int n, uint64_t bits, const char *by) {
  MObj &o = objs[n];
  o.pending |= bits;
  // notification_signal's walk: from the head, each wait whose mask meets
  // what is pending takes exactly that and leaves every queue it is on
  // (this one included: the next is at the same place); the rest of the
  // bits stay pending; the walk stops when nothing is.
  for (size_t i = 0; i < o.waiters.size() && o.pending;) {
    const MNode node = o.waiters[i];
    const uint64_t take = o.pending & node.mask;
    if (!take) {
      i++;
      continue;
    }
    Count(std::string("model: a wait completed by ") + by);
    if (i) Count("model: bits passed over a wait for one behind it");
    if (std::any_of(o.waiters.begin() + i + 1, o.waiters.end(),
                    [take](const MNode &m) { return m.mask & take; })) {
      Count("model: bits went to the first of several waits for them");
    }
    o.pending &= ~take;
    Unqueue(node.task);
    MWait &w = *tasks[node.task].wait;
    w.done = true;
    w.bits = take;
    w.index = node.index;
  }
}

bool Harness::Runnable(int task) const {
  const MWait &w = *tasks[task].wait;
  return w.done || fake_kernel::Now() >= w.deadline;
}

int Harness::WaiterOn(int ws) const {
  for (size_t i = 0; i < tasks.size(); i++) {
    const std::optional<MWait> &w = tasks[i].wait;
    if (w && !w->done && w->obj == ws) return static_cast<int>(i);
  }
  return -1;
}

void Harness::Resume(int task) {
  MTask &t = tasks[task];
  const MWait w = *t.wait;
  step_what = w.call + ", blocked: its continuation";
  const bool on_set = w.number == NX_SYS_WAITSET_WAIT;
  int64_t want = NX_ERR_TIMED_OUT;  // its deadline passed: syscall_wait_complete dequeues it
  if (!w.done) {
    Unqueue(task);
  } else if (!on_set) {
    want = static_cast<int64_t>(w.bits);
  } else {
    // The bits' memory was checked when the wait began; it may have gone.
    want = UserRange(task, w.bits_out, sizeof w.bits, true) ? static_cast<int64_t>(w.index)
                                                            : NX_ERR_BAD_ADDRESS;
  }
  const int64_t r = t.ft->ContinueWait();
  CountResult(w.number, r, " (continued)");
  if (r != want) Fail("returned " + ResultName(r) + "; the model " + ResultName(want));
  if (on_set && r >= 0) {
    uint64_t bits = 0;
    t.ft->Read(w.bits_out, &bits, sizeof bits);
    if (bits != w.bits) Fail("wrote other bits than the model's");
    UserWrote(task, w.bits_out, sizeof bits);
  }
  t.wait.reset();
  Collect();  // the hold went: what it waited on may have gone with it
}

void Harness::CancelWait(int task) {
  if (!tasks[task].wait->done) Unqueue(task);
  tasks[task].ft->CancelWait();
  tasks[task].wait.reset();
  Count("model: a wait cancelled");
  Collect();
}

}  // namespace syscall_harness
