// The scheduler against a reference model: thousands of random operations
// (valid and invalid), and after every one the run queues, the bitmap, every
// entity's fields, the next pick, the next timer deadline and the counters
// must match what a plain std::deque / std::vector model says.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <deque>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "neuron/errors.h"
#include "neuron/sched.h"

namespace {

constexpr int kEntities = 24;
constexpr uint64_t kNone = SCHED_TIME_NONE;

// One entity as the model sees it. state 0: never initialized.
struct M {
  int state = 0;
  unsigned prio = 0, base = 0;
  uint64_t slice = 0, slice_left = 0, slice_end = 0;
  uint64_t deadline = 0, seq = 0;
};

struct Model {
  std::array<M, kEntities> e;
  std::vector<std::deque<int>> ready = std::vector<std::deque<int>>(SCHED_PRIORITIES);
  std::vector<int> sleepers;  // unordered; sorted by (deadline, seq) when needed
  int running = -1;
  uint64_t seq = 0;
  sched_counters_t c{};
  uint64_t preemptions = 0;  // for the coverage check only: sched.c counts none

  bool Live(int i) const { return e[i].state != 0 && e[i].state != SCHED_DEAD; }

  void Erase(std::deque<int> &q, int i) { q.erase(std::find(q.begin(), q.end(), i)); }

  // Takes i off whatever its state says it is on.
  void Unlink(int i) {
    if (e[i].state == SCHED_READY) Erase(ready[e[i].prio], i);
    if (e[i].state == SCHED_SLEEPING) {
      sleepers.erase(std::find(sleepers.begin(), sleepers.end(), i));
    }
    if (running == i) running = -1;
  }
  void PushFresh(int i) {
    e[i].state = SCHED_READY;
    e[i].slice_left = e[i].slice;
    ready[e[i].prio].push_back(i);
  }

  int Top() const {
    for (int p = SCHED_PRIORITIES - 1; p >= 0; p--) {
      if (!ready[p].empty()) return p;
    }
    return -1;
  }
  // t + d, or kNone past the end of time: a turn that never ends.
  static uint64_t After(uint64_t t, uint64_t d) { return d > kNone - t ? kNone : t + d; }

  int Wake(int i) {
    if (e[i].state != SCHED_BLOCKED) return NX_ERR_INVALID_ARGS;
    PushFresh(i);
    return NX_OK;
  }
  int Block(int i) {
    if (e[i].state != SCHED_RUNNING && e[i].state != SCHED_READY) return NX_ERR_INVALID_ARGS;
    Unlink(i);
    e[i].state = SCHED_BLOCKED;
    return NX_OK;
  }
  int Sleep(int i, uint64_t deadline) {
    if (e[i].state != SCHED_RUNNING && e[i].state != SCHED_READY) return NX_ERR_INVALID_ARGS;
    if (deadline == kNone) return NX_ERR_INVALID_ARGS;
    Unlink(i);
    e[i].state = SCHED_SLEEPING;
    e[i].deadline = deadline;
    e[i].seq = seq++;
    sleepers.push_back(i);
    return NX_OK;
  }
  int Cancel(int i) {
    if (e[i].state != SCHED_SLEEPING) return NX_ERR_INVALID_ARGS;
    Unlink(i);
    PushFresh(i);
    return NX_OK;
  }
  int Exit(int i) {
    if (!Live(i)) return NX_ERR_INVALID_ARGS;
    Unlink(i);
    e[i].state = SCHED_DEAD;
    return NX_OK;
  }
  int Yield(int i) {
    if (e[i].state != SCHED_RUNNING) return NX_ERR_INVALID_ARGS;
    running = -1;
    PushFresh(i);
    return NX_OK;
  }
  int Preempt(int i, uint64_t now) {
    if (e[i].state != SCHED_RUNNING) return NX_ERR_INVALID_ARGS;
    preemptions++;
    running = -1;
    M &m = e[i];
    if (now >= m.slice_end) {
      PushFresh(i);
    } else {
      m.slice_left = std::min(m.slice_end - now, m.slice);
      m.state = SCHED_READY;
      ready[m.prio].push_front(i);
    }
    return NX_OK;
  }
  int SetPrio(int i, unsigned prio) {
    if (!Live(i) || prio > SCHED_PRIO_MAX) return NX_ERR_INVALID_ARGS;
    if (prio == e[i].prio) return NX_OK;
    if (e[i].state == SCHED_READY) {
      Erase(ready[e[i].prio], i);
      ready[prio].push_back(i);
    }
    e[i].prio = prio;
    return NX_OK;
  }
  int SetBase(int i, unsigned prio) {
    int err = SetPrio(i, prio);
    if (err == NX_OK) e[i].base = prio;
    return err;
  }
  int Restore(int i) {
    if (e[i].state == 0) return NX_ERR_INVALID_ARGS;
    return SetPrio(i, e[i].base);
  }
  int SetSlice(int i, uint64_t slice) {
    if (!Live(i) || slice == 0) return NX_ERR_INVALID_ARGS;
    e[i].slice = slice;
    return NX_OK;
  }
  int Pick(uint64_t now) {
    int p = Top();
    if (p < 0) {
      c.idle_picks++;
      return -1;
    }
    int i = ready[p].front();
    ready[p].pop_front();
    e[i].state = SCHED_RUNNING;
    e[i].slice_end = After(now, e[i].slice_left);
    running = i;
    return i;
  }
  size_t Expire(uint64_t now) {
    std::vector<int> due;
    for (int i : sleepers) {
      if (e[i].deadline <= now) due.push_back(i);
    }
    std::sort(due.begin(), due.end(), [&](int a, int b) {
      return std::tie(e[a].deadline, e[a].seq) < std::tie(e[b].deadline, e[b].seq);
    });
    for (int i : due) {
      Unlink(i);
      PushFresh(i);
    }
    c.expire_passes++;
    if (due.empty()) {
      c.expire_empty++;
    } else {
      c.expire_woke++;
      c.woken += due.size();
    }
    return due.size();
  }
  bool PreemptNeeded(int run) const {
    int top = Top();
    if (top < 0) return false;
    return run < 0 || static_cast<unsigned>(top) > e[run].prio;
  }
  bool Tick(uint64_t now) {
    c.ticks++;
    size_t woken = Expire(now);
    bool resched = false;
    if (running >= 0 && now >= e[running].slice_end) {
      c.slice_expiries++;
      if (!ready[e[running].prio].empty()) {
        resched = true;
      } else {
        e[running].slice_end = After(now, e[running].slice);
      }
    }
    if (PreemptNeeded(running)) resched = true;
    if (resched) {
      c.ticks_resched++;
    } else if (woken == 0) {
      c.ticks_spurious++;
    }
    return resched;
  }
  uint64_t NextDeadline(uint64_t now, int run) const {
    uint64_t next = kNone;
    for (int i : sleepers) next = std::min(next, e[i].deadline);
    if (run >= 0 && !ready[e[run].prio].empty()) next = std::min(next, e[run].slice_end);
    if (next != kNone && next < now) next = now;
    return next;
  }
};

class SchedModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sched_init(&s_);
    for (auto &x : e_) x = sched_entity_t{};
  }

  int Index(const sched_entity_t *x) { return x ? static_cast<int>(x - e_) : -1; }

  // Everything the model says, compared with the real thing.
  void Compare(uint64_t now, const std::string &where) {
    SCOPED_TRACE(where);
    ASSERT_EQ(sched_check(&s_), NX_OK);
    uint32_t bitmap = 0;
    for (unsigned p = 0; p < SCHED_PRIORITIES; p++) {
      std::vector<int> real;
      for (runq_link_t *l = runq_level_first(&s_.rq, p); l; l = runq_next(&s_.rq, l, p)) {
        real.push_back(Index(reinterpret_cast<sched_entity_t *>(
            reinterpret_cast<char *>(l) - offsetof(sched_entity_t, rq_link))));
      }
      ASSERT_EQ(real, std::vector<int>(m_.ready[p].begin(), m_.ready[p].end())) << "level " << p;
      if (!m_.ready[p].empty()) bitmap |= 1u << p;
    }
    ASSERT_EQ(s_.rq.bitmap, bitmap);
    // The pick: the most urgent level's longest waiting entity.
    int top = m_.Top();
    ASSERT_EQ(Index(sched_peek(&s_)), top < 0 ? -1 : m_.ready[top].front());
    for (int i = 0; i < kEntities; i++) {
      const M &m = m_.e[i];
      ASSERT_EQ(e_[i].state, m.state) << "entity " << i;
      if (m.state == 0) continue;
      ASSERT_EQ(e_[i].prio, m.prio) << "entity " << i;
      ASSERT_EQ(e_[i].base_prio, m.base) << "entity " << i;
      ASSERT_EQ(e_[i].slice, m.slice) << "entity " << i;
      if (m.state == SCHED_READY) ASSERT_EQ(e_[i].slice_left, m.slice_left) << "entity " << i;
      if (m.state == SCHED_RUNNING) ASSERT_EQ(e_[i].slice_end, m.slice_end) << "entity " << i;
      if (m.state == SCHED_SLEEPING) ASSERT_EQ(e_[i].sleep.deadline, m.deadline) << "entity " << i;
    }
    ASSERT_EQ(sleepq_count(&s_.sleepq), m_.sleepers.size());
    // The timer: with the running entity, idle, and given a stale pointer.
    sched_entity_t *run = m_.running >= 0 ? &e_[m_.running] : nullptr;
    ASSERT_EQ(sched_next_deadline(&s_, now, run), m_.NextDeadline(now, m_.running));
    ASSERT_EQ(sched_next_deadline(&s_, now, nullptr), m_.NextDeadline(now, -1));
    ASSERT_EQ(sched_preempt_needed(&s_, run), m_.PreemptNeeded(m_.running));
    ASSERT_EQ(sched_preempt_needed(&s_, nullptr), m_.PreemptNeeded(-1));
    const sched_counters_t &c = s_.counters, &w = m_.c;
    ASSERT_EQ(c.expire_passes, w.expire_passes);
    ASSERT_EQ(c.expire_woke, w.expire_woke);
    ASSERT_EQ(c.expire_empty, w.expire_empty);
    ASSERT_EQ(c.woken, w.woken);
    ASSERT_EQ(c.ticks, w.ticks);
    ASSERT_EQ(c.slice_expiries, w.slice_expiries);
    ASSERT_EQ(c.ticks_resched, w.ticks_resched);
    ASSERT_EQ(c.ticks_spurious, w.ticks_spurious);
    ASSERT_EQ(c.idle_picks, w.idle_picks);
  }

  sched_t s_;
  sched_entity_t e_[kEntities];
  Model m_;
};

TEST_F(SchedModelTest, RandomOperationsMatchTheReferenceModel) {
  std::mt19937_64 rng(0x5eed5c4edULL);
  auto below = [&](uint64_t n) { return rng() % n; };
  // Few priorities most of the time, so that levels hold several entities.
  auto random_prio = [&]() -> unsigned {
    uint64_t r = below(20);
    if (r == 0) return SCHED_PRIO_MAX + 1 + static_cast<unsigned>(below(3));  // invalid
    if (r < 4) return static_cast<unsigned>(below(SCHED_PRIORITIES));
    return 8 + static_cast<unsigned>(below(4));
  };
  auto random_slice = [&]() -> uint64_t {
    uint64_t r = below(30);
    if (r == 0) return 0;  // invalid
    if (r == 1) return kNone;
    return 1 + below(20);
  };

  uint64_t now = 1000;
  std::array<int, 16> ok{};  // successful calls per operation, to show coverage
  int refused = 0;
  const int kSteps = 40000;
  for (int step = 0; step < kSteps; step++) {
    int i = static_cast<int>(below(kEntities));
    sched_entity_t *x = &e_[i];
    uint64_t op = below(100);
    int want = NX_OK, got = NX_OK, kind;
    if (op < 4) {
      kind = 0;  // (re)initialize an entity that is on no queue
      if (m_.e[i].state != 0 && m_.e[i].state != SCHED_DEAD && m_.e[i].state != SCHED_BLOCKED) {
        continue;
      }
      unsigned prio = random_prio();
      uint64_t slice = random_slice();
      got = sched_entity_init(x, prio, slice);
      want = prio > SCHED_PRIO_MAX || slice == 0 ? NX_ERR_INVALID_ARGS : NX_OK;
      if (want == NX_OK) m_.e[i] = M{SCHED_BLOCKED, prio, prio, slice, slice, 0, 0, 0};
    } else if (op < 20) {
      kind = 1;
      got = sched_wake(&s_, x);
      want = m_.Wake(i);
    } else if (op < 26) {
      kind = 2;
      got = sched_block(&s_, x);
      want = m_.Block(i);
    } else if (op < 36) {
      kind = 3;
      uint64_t r = below(20);
      uint64_t deadline = r == 0 ? kNone : r == 1 ? now - below(5) : now + below(60);
      got = sched_sleep_until(&s_, x, deadline);
      want = m_.Sleep(i, deadline);
    } else if (op < 40) {
      kind = 4;
      got = sched_cancel(&s_, x);
      want = m_.Cancel(i);
    } else if (op < 42) {
      kind = 5;
      got = sched_exit(&s_, x);
      want = m_.Exit(i);
    } else if (op < 48) {
      kind = 6;
      unsigned prio = random_prio();
      uint64_t r = below(4);
      if (r == 0) {
        got = sched_set_base_priority(&s_, x, prio);
        want = m_.SetBase(i, prio);
      } else if (r == 1) {
        got = sched_restore_priority(&s_, x);
        want = m_.Restore(i);
      } else {
        got = sched_set_priority(&s_, x, prio);
        want = m_.SetPrio(i, prio);
      }
    } else if (op < 50) {
      kind = 7;
      uint64_t slice = random_slice();
      got = sched_set_slice(x, slice);
      want = m_.SetSlice(i, slice);
    } else if (op < 62) {
      kind = 8;  // the caller gives the running entity back before it picks
      if (m_.running >= 0) continue;
      sched_entity_t *picked = sched_pick(&s_, now);
      ASSERT_EQ(Index(picked), m_.Pick(now)) << "step " << step;
    } else if (op < 68) {
      kind = 9;  // mostly the running entity, sometimes a random one
      if (m_.running >= 0 && below(4) != 0) i = m_.running, x = &e_[i];
      got = sched_relinquish(&s_, x);
      want = m_.Yield(i);
    } else if (op < 76) {
      kind = 10;
      if (m_.running >= 0 && below(4) != 0) i = m_.running, x = &e_[i];
      got = sched_preempt(&s_, x, now);
      want = m_.Preempt(i, now);
    } else if (op < 80) {
      kind = 11;
      ASSERT_EQ(sched_expire(&s_, now), m_.Expire(now)) << "step " << step;
    } else if (op < 90) {
      kind = 12;  // a timer interrupt
      sched_entity_t *run = m_.running >= 0 ? &e_[m_.running] : nullptr;
      ASSERT_EQ(sched_tick(&s_, now, run), m_.Tick(now)) << "step " << step;
    } else if (op < 96) {
      kind = 13;  // time passes
      now += below(8);
    } else {
      kind = 14;  // time jumps to the next deadline, exactly, as a tickless timer would
      uint64_t next = m_.NextDeadline(now, m_.running);
      if (next != kNone) now = next;
    }
    ASSERT_EQ(got, want) << "step " << step << " op kind " << kind << " entity " << i;
    if (got == NX_OK) {
      ok[kind]++;
    } else {
      refused++;
    }
    Compare(now, "step " + std::to_string(step));
    if (HasFatalFailure()) return;
  }
  // The run covered every operation, successes and refusals both.
  for (int k = 0; k <= 14; k++) EXPECT_GT(ok[k], 50) << "op kind " << k;
  EXPECT_GT(refused, 1000);
  EXPECT_GT(m_.c.woken, 500u);
  EXPECT_GT(m_.c.slice_expiries, 100u);
  EXPECT_GT(m_.preemptions, 500u);
}

}  // namespace
