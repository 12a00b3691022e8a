#include "neuron/runqueue.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <vector>

#include "neuron/errors.h"

namespace {

// A queued element: the link plus an id to recognise it.
struct Item {
  runq_link_t link{};
  int id = 0;
  int level = -1;  // where the test put it, -1 when not queued
};

Item *ItemOf(runq_link_t *l) {
  return reinterpret_cast<Item *>(reinterpret_cast<char *>(l) - offsetof(Item, link));
}

std::vector<int> Level(const runq_t &rq, unsigned level) {
  std::vector<int> ids;
  for (runq_link_t *l = runq_level_first(&rq, level); l; l = runq_next(&rq, l, level)) {
    ids.push_back(ItemOf(l)->id);
  }
  return ids;
}

TEST(RunqMsb, FindsTheHighestSetBit) {
  for (unsigned b = 0; b < 32; b++) {
    EXPECT_EQ(runq_msb32(1u << b), b);
    EXPECT_EQ(runq_msb32((1u << b) | 1u), b);
  }
  EXPECT_EQ(runq_msb32(0xffffffffu), 31u);
}

TEST(Runq, StartsEmpty) {
  runq_t rq;
  runq_init(&rq);
  EXPECT_EQ(runq_highest(&rq), -1);
  EXPECT_EQ(runq_first(&rq), nullptr);
  EXPECT_EQ(rq.bitmap, 0u);
  EXPECT_EQ(rq.count, 0u);
  for (unsigned p = 0; p < RUNQ_LEVELS; p++) {
    EXPECT_TRUE(runq_level_empty(&rq, p));
    EXPECT_EQ(runq_level_first(&rq, p), nullptr);
  }
  EXPECT_EQ(runq_check(&rq), NX_OK);
}

TEST(Runq, LevelsOutOfRangeAreEmpty) {
  runq_t rq;
  runq_init(&rq);
  EXPECT_TRUE(runq_level_empty(&rq, RUNQ_LEVELS));
  EXPECT_EQ(runq_level_first(&rq, RUNQ_LEVELS), nullptr);
}

TEST(Runq, TailIsFifoAndHeadJumpsTheQueue) {
  runq_t rq;
  runq_init(&rq);
  Item a, b, c, d;
  a.id = 1, b.id = 2, c.id = 3, d.id = 4;
  runq_push_tail(&rq, &a.link, 5);
  runq_push_tail(&rq, &b.link, 5);
  runq_push_tail(&rq, &c.link, 5);
  runq_push_head(&rq, &d.link, 5);
  EXPECT_EQ(Level(rq, 5), (std::vector<int>{4, 1, 2, 3}));
  EXPECT_EQ(rq.bitmap, 1u << 5);
  EXPECT_EQ(rq.count, 4u);
  EXPECT_EQ(runq_first(&rq), &d.link);
  EXPECT_EQ(runq_check(&rq), NX_OK);
}

TEST(Runq, FirstIsTheHeadOfTheMostUrgentLevel) {
  runq_t rq;
  runq_init(&rq);
  Item low, mid1, mid2, top;
  runq_push_tail(&rq, &low.link, 0);
  runq_push_tail(&rq, &mid1.link, 16);
  runq_push_tail(&rq, &mid2.link, 16);
  EXPECT_EQ(runq_highest(&rq), 16);
  EXPECT_EQ(runq_first(&rq), &mid1.link);
  runq_push_tail(&rq, &top.link, 31);
  EXPECT_EQ(runq_highest(&rq), 31);
  EXPECT_EQ(runq_first(&rq), &top.link);
  EXPECT_EQ(rq.bitmap, (1u << 31) | (1u << 16) | 1u);
  runq_remove(&rq, &top.link, 31);
  EXPECT_EQ(runq_first(&rq), &mid1.link);
  runq_remove(&rq, &mid1.link, 16);
  runq_remove(&rq, &mid2.link, 16);
  EXPECT_EQ(runq_highest(&rq), 0);
  EXPECT_EQ(runq_first(&rq), &low.link);
  EXPECT_EQ(rq.bitmap, 1u);
  EXPECT_EQ(runq_check(&rq), NX_OK);
}

TEST(Runq, RemoveAnywhereAndClearTheBitOnlyWhenEmpty) {
  runq_t rq;
  runq_init(&rq);
  Item a, b, c;
  a.id = 1, b.id = 2, c.id = 3;
  runq_push_tail(&rq, &a.link, 7);
  runq_push_tail(&rq, &b.link, 7);
  runq_push_tail(&rq, &c.link, 7);
  runq_remove(&rq, &b.link, 7);  // middle
  EXPECT_EQ(b.link.prev, nullptr);
  EXPECT_EQ(b.link.next, nullptr);
  EXPECT_EQ(Level(rq, 7), (std::vector<int>{1, 3}));
  runq_remove(&rq, &c.link, 7);  // last
  EXPECT_EQ(Level(rq, 7), (std::vector<int>{1}));
  EXPECT_FALSE(runq_level_empty(&rq, 7));
  runq_remove(&rq, &a.link, 7);  // only
  EXPECT_TRUE(runq_level_empty(&rq, 7));
  EXPECT_EQ(rq.bitmap, 0u);
  EXPECT_EQ(rq.count, 0u);
  EXPECT_EQ(runq_check(&rq), NX_OK);
}

TEST(Runq, CheckNoticesDamage) {
  runq_t rq;
  runq_init(&rq);
  Item a, b;
  runq_push_tail(&rq, &a.link, 3);
  runq_push_tail(&rq, &b.link, 3);
  ASSERT_EQ(runq_check(&rq), NX_OK);

  rq.bitmap ^= 1u << 4;  // a level marked non-empty that is empty
  EXPECT_EQ(runq_check(&rq), NX_ERR_BAD_FORMAT);
  rq.bitmap ^= 1u << 4;

  rq.count++;
  EXPECT_EQ(runq_check(&rq), NX_ERR_BAD_FORMAT);
  rq.count--;

  runq_link_t *saved = b.link.prev;
  b.link.prev = &b.link;  // a broken back link
  EXPECT_EQ(runq_check(&rq), NX_ERR_BAD_FORMAT);
  b.link.prev = saved;

  saved = b.link.next;
  b.link.next = &a.link;  // a cycle that misses the sentinel
  EXPECT_EQ(runq_check(&rq), NX_ERR_BAD_FORMAT);
  b.link.next = saved;

  EXPECT_EQ(runq_check(&rq), NX_OK);
}

// Random pushes and removes against one std::deque per level.
TEST(RunqRandomTest, MatchesADequePerLevel) {
  runq_t rq;
  runq_init(&rq);
  std::vector<Item> items(64);
  for (size_t i = 0; i < items.size(); i++) items[i].id = static_cast<int>(i);
  std::vector<std::deque<int>> model(RUNQ_LEVELS);
  std::mt19937 rng(4242);
  for (int step = 0; step < 20000; step++) {
    Item &it = items[rng() % items.size()];
    if (it.level < 0) {
      unsigned level = rng() % RUNQ_LEVELS;
      if (rng() % 2) {
        runq_push_tail(&rq, &it.link, level);
        model[level].push_back(it.id);
      } else {
        runq_push_head(&rq, &it.link, level);
        model[level].push_front(it.id);
      }
      it.level = static_cast<int>(level);
    } else {
      runq_remove(&rq, &it.link, static_cast<unsigned>(it.level));
      auto &q = model[it.level];
      for (auto i = q.begin(); i != q.end(); ++i) {
        if (*i == it.id) {
          q.erase(i);
          break;
        }
      }
      it.level = -1;
    }
    ASSERT_EQ(runq_check(&rq), NX_OK) << "step " << step;
    uint32_t bitmap = 0;
    int highest = -1;
    for (unsigned p = 0; p < RUNQ_LEVELS; p++) {
      ASSERT_EQ(Level(rq, p), std::vector<int>(model[p].begin(), model[p].end()));
      if (!model[p].empty()) {
        bitmap |= 1u << p;
        highest = static_cast<int>(p);
      }
    }
    ASSERT_EQ(rq.bitmap, bitmap);
    ASSERT_EQ(runq_highest(&rq), highest);
    if (highest >= 0) ASSERT_EQ(ItemOf(runq_first(&rq))->id, model[highest].front());
  }
}

TEST(Runqueue, MsbSearchMatchesClzForEveryBitPattern) {
  for (unsigned bit = 0; bit < 32; bit++) {
    uint32_t one = 1u << bit;
    EXPECT_EQ(runq_msb32_search(one), bit);
    EXPECT_EQ(runq_msb32_search(one | (one - 1)), bit);  // all lower bits set too
    EXPECT_EQ(runq_msb32_search(one | 1u), bit);
    EXPECT_EQ(runq_msb32_search(one), runq_msb32(one));
  }
}

}  // namespace
