#include "neuron/sleepq.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "neuron/errors.h"

namespace {

struct Sleeper {
  sleepq_node_t node{};
  int id = 0;
  bool queued = false;
};

Sleeper *SleeperOf(sleepq_node_t *n) {
  return reinterpret_cast<Sleeper *>(reinterpret_cast<char *>(n) - offsetof(Sleeper, node));
}

// Ids of every due node, in the order the queue gives them.
std::vector<int> Drain(sleepq_t *q, uint64_t now) {
  std::vector<int> ids;
  while (sleepq_node_t *n = sleepq_pop_due(q, now)) {
    SleeperOf(n)->queued = false;
    ids.push_back(SleeperOf(n)->id);
  }
  return ids;
}

TEST(Sleepq, StartsEmpty) {
  sleepq_t q;
  sleepq_init(&q);
  EXPECT_EQ(sleepq_min(&q), nullptr);
  EXPECT_EQ(sleepq_min_deadline(&q), SLEEPQ_NONE);
  EXPECT_EQ(sleepq_count(&q), 0u);
  EXPECT_EQ(sleepq_pop_due(&q, UINT64_MAX), nullptr);
  EXPECT_EQ(sleepq_check(&q, nullptr, nullptr), NX_OK);
}

TEST(Sleepq, LeavesInDeadlineOrderAndTiesInArrivalOrder) {
  sleepq_t q;
  sleepq_init(&q);
  Sleeper s[6];
  const uint64_t deadlines[6] = {50, 10, 30, 10, 50, 20};
  for (int i = 0; i < 6; i++) {
    s[i].id = i;
    sleepq_insert(&q, &s[i].node, deadlines[i]);
  }
  EXPECT_EQ(sleepq_count(&q), 6u);
  EXPECT_EQ(sleepq_min_deadline(&q), 10u);
  EXPECT_EQ(SleeperOf(sleepq_min(&q))->id, 1);
  EXPECT_EQ(sleepq_check(&q, nullptr, nullptr), NX_OK);
  EXPECT_EQ(Drain(&q, UINT64_MAX - 1), (std::vector<int>{1, 3, 5, 2, 0, 4}));
  EXPECT_EQ(sleepq_count(&q), 0u);
}

TEST(Sleepq, PopDueTakesOnlyDeadlinesUpToNow) {
  sleepq_t q;
  sleepq_init(&q);
  Sleeper s[4];
  const uint64_t deadlines[4] = {100, 99, 101, 100};
  for (int i = 0; i < 4; i++) {
    s[i].id = i;
    sleepq_insert(&q, &s[i].node, deadlines[i]);
  }
  EXPECT_EQ(Drain(&q, 98), std::vector<int>{});
  EXPECT_EQ(Drain(&q, 100), (std::vector<int>{1, 0, 3}));  // deadline == now is due
  EXPECT_EQ(sleepq_min_deadline(&q), 101u);
  EXPECT_EQ(Drain(&q, 101), (std::vector<int>{2}));
  EXPECT_EQ(sleepq_min_deadline(&q), SLEEPQ_NONE);
}

TEST(Sleepq, RemovesTheRootAnInnerNodeAndALeaf) {
  sleepq_t q;
  sleepq_init(&q);
  std::vector<Sleeper> s(12);
  for (int i = 0; i < 12; i++) {
    s[i].id = i;
    sleepq_insert(&q, &s[i].node, static_cast<uint64_t>((i * 7) % 12));
  }
  // Take some off the root so the heap gets an inner structure.
  ASSERT_EQ(Drain(&q, 0), (std::vector<int>{0}));
  ASSERT_EQ(sleepq_check(&q, nullptr, nullptr), NX_OK);
  // deadlines: id i -> (7i mod 12); remove the current root (id 7 -> 1)...
  ASSERT_EQ(SleeperOf(sleepq_min(&q))->id, 7);
  sleepq_remove(&q, &s[7].node);
  EXPECT_EQ(sleepq_check(&q, nullptr, nullptr), NX_OK);
  // ... and nodes further down.
  for (int id : {5, 11, 3}) {
    sleepq_remove(&q, &s[id].node);
    EXPECT_EQ(s[id].node.child, nullptr);
    EXPECT_EQ(s[id].node.next, nullptr);
    EXPECT_EQ(s[id].node.prev, nullptr);
    ASSERT_EQ(sleepq_check(&q, nullptr, nullptr), NX_OK);
  }
  EXPECT_EQ(sleepq_count(&q), 7u);
  // Left: ids 1,2,4,6,8,9,10 with deadlines 7,2,4,6,8,3,10.
  EXPECT_EQ(Drain(&q, 100), (std::vector<int>{2, 9, 4, 6, 1, 8, 10}));
}

TEST(Sleepq, CheckVisitsEveryNodeAndHonoursTheVisitor) {
  sleepq_t q;
  sleepq_init(&q);
  Sleeper s[5];
  for (int i = 0; i < 5; i++) sleepq_insert(&q, &s[i].node, 10u - static_cast<uint64_t>(i));
  int visits = 0;
  auto count = [](const sleepq_node_t *, void *ctx) {
    ++*static_cast<int *>(ctx);
    return true;
  };
  EXPECT_EQ(sleepq_check(&q, count, &visits), NX_OK);
  EXPECT_EQ(visits, 5);
  auto refuse = [](const sleepq_node_t *, void *) { return false; };
  EXPECT_EQ(sleepq_check(&q, refuse, nullptr), NX_ERR_BAD_FORMAT);
}

TEST(Sleepq, CheckNoticesDamage) {
  sleepq_t q;
  sleepq_init(&q);
  Sleeper s[4];
  for (int i = 0; i < 4; i++) sleepq_insert(&q, &s[i].node, static_cast<uint64_t>(i));
  Drain(&q, 0);  // restructure: the other three now hang below one root
  ASSERT_EQ(sleepq_check(&q, nullptr, nullptr), NX_OK);
  sleepq_node_t *root = sleepq_min(&q);
  ASSERT_NE(root->child, nullptr);

  q.count++;
  EXPECT_EQ(sleepq_check(&q, nullptr, nullptr), NX_ERR_BAD_FORMAT);
  q.count--;

  uint64_t saved = root->child->deadline;
  root->child->deadline = 0;  // a child earlier than its parent
  EXPECT_EQ(sleepq_check(&q, nullptr, nullptr), NX_ERR_BAD_FORMAT);
  root->child->deadline = saved;

  sleepq_node_t *saved_prev = root->child->prev;
  root->child->prev = nullptr;
  EXPECT_EQ(sleepq_check(&q, nullptr, nullptr), NX_ERR_BAD_FORMAT);
  root->child->prev = saved_prev;

  EXPECT_EQ(sleepq_check(&q, nullptr, nullptr), NX_OK);
}

// Random inserts, removes and expiries against a std::set ordered like the
// queue: (deadline, arrival).
TEST(SleepqRandomTest, MatchesAnOrderedSet) {
  sleepq_t q;
  sleepq_init(&q);
  std::vector<Sleeper> s(200);
  for (size_t i = 0; i < s.size(); i++) s[i].id = static_cast<int>(i);
  std::set<std::pair<std::pair<uint64_t, uint64_t>, int>> model;  // ((deadline, seq), id)
  std::vector<std::pair<uint64_t, uint64_t>> key(s.size());
  uint64_t seq = 0, now = 0;
  std::mt19937 rng(99);
  int removed = 0, expired = 0;
  for (int step = 0; step < 30000; step++) {
    unsigned op = rng() % 10;
    if (op < 5) {
      Sleeper &it = s[rng() % s.size()];
      if (it.queued) continue;
      uint64_t deadline = now + rng() % 64;  // narrow: many equal deadlines
      sleepq_insert(&q, &it.node, deadline);
      it.queued = true;
      key[it.id] = {deadline, seq++};
      model.insert({key[it.id], it.id});
    } else if (op < 8) {
      Sleeper &it = s[rng() % s.size()];
      if (!it.queued) continue;
      sleepq_remove(&q, &it.node);
      it.queued = false;
      model.erase({key[it.id], it.id});
      removed++;
    } else {
      now += rng() % 16;
      std::vector<int> want;
      while (!model.empty() && model.begin()->first.first <= now) {
        want.push_back(model.begin()->second);
        model.erase(model.begin());
      }
      ASSERT_EQ(Drain(&q, now), want) << "step " << step;
      expired += static_cast<int>(want.size());
    }
    ASSERT_EQ(sleepq_check(&q, nullptr, nullptr), NX_OK) << "step " << step;
    ASSERT_EQ(sleepq_count(&q), model.size());
    ASSERT_EQ(sleepq_min_deadline(&q), model.empty() ? SLEEPQ_NONE : model.begin()->first.first);
    if (!model.empty()) ASSERT_EQ(SleeperOf(sleepq_min(&q))->id, model.begin()->second);
  }
  // The run exercised every path.
  EXPECT_GT(removed, 300);
  EXPECT_GT(expired, 300);
}

}  // namespace
