#include "neuron/handle_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

#include "neuron/errors.h"
#include "neuron/rights.h"

namespace {

constexpr uint32_t kRead = 1, kWrite = 2;

TEST(HandleTable, InstallLookupClose) {
  handle_table_t t;
  handle_table_init(&t);
  object_t log = {OBJ_DEBUG_LOG, 0};
  nx_handle_value_t h = 0;
  ASSERT_EQ(handle_install(&t, &log, kWrite, &h), NX_OK);
  EXPECT_NE(h, 0u);
  EXPECT_EQ(log.refs, 1u);
  object_t *out = nullptr;
  EXPECT_EQ(handle_lookup(&t, h, OBJ_DEBUG_LOG, kWrite, &out), NX_OK);
  EXPECT_EQ(out, &log);
  EXPECT_EQ(handle_lookup(&t, h, OBJ_DEBUG_LOG, 0, &out), NX_OK);
  EXPECT_EQ(handle_close(&t, h), NX_OK);
  EXPECT_EQ(log.refs, 0u);
  EXPECT_EQ(t.used, 0u);
}

TEST(HandleTable, RefusesWrongTypeMissingRightsAndBadHandles) {
  handle_table_t t;
  handle_table_init(&t);
  object_t log = {OBJ_DEBUG_LOG, 0};
  nx_handle_value_t h = 0;
  ASSERT_EQ(handle_install(&t, &log, kRead, &h), NX_OK);
  object_t *out = nullptr;
  EXPECT_EQ(handle_lookup(&t, h, OBJ_DEBUG_LOG, kWrite, &out), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(handle_lookup(&t, h, OBJ_DEBUG_LOG, kRead | kWrite, &out), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(handle_lookup(&t, h, OBJ_NONE, kRead, &out), NX_ERR_WRONG_TYPE);
  EXPECT_EQ(handle_lookup(&t, 0, OBJ_DEBUG_LOG, 0, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(handle_lookup(&t, h + 1, OBJ_DEBUG_LOG, 0, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(handle_lookup(&t, h ^ 0x10000u, OBJ_DEBUG_LOG, 0, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(handle_lookup(&t, 0xffffffffu, OBJ_DEBUG_LOG, 0, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(handle_close(&t, h + 1), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(handle_close(&t, h), NX_OK);
  EXPECT_EQ(handle_close(&t, h), NX_ERR_BAD_HANDLE);
}

TEST(HandleTable, StaleHandleNeverReachesTheSlotsNextObject) {
  handle_table_t t;
  handle_table_init(&t);
  object_t a = {OBJ_DEBUG_LOG, 0}, b = {OBJ_DEBUG_LOG, 0};
  nx_handle_value_t ha = 0, hb = 0;
  ASSERT_EQ(handle_install(&t, &a, kWrite, &ha), NX_OK);
  ASSERT_EQ(handle_close(&t, ha), NX_OK);
  ASSERT_EQ(handle_install(&t, &b, kWrite, &hb), NX_OK);
  EXPECT_EQ(ha & 0xffffu, hb & 0xffffu) << "the slot is reused";
  object_t *out = nullptr;
  EXPECT_EQ(handle_lookup(&t, ha, OBJ_DEBUG_LOG, 0, &out), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(handle_lookup(&t, hb, OBJ_DEBUG_LOG, 0, &out), NX_OK);
  EXPECT_EQ(out, &b);
}

TEST(HandleTable, GenerationWrapSkipsZero) {
  handle_table_t t;
  handle_table_init(&t);
  object_t a = {OBJ_DEBUG_LOG, 0};
  nx_handle_value_t h = 0;
  for (int i = 0; i < 70000; i++) {
    ASSERT_EQ(handle_install(&t, &a, 0, &h), NX_OK);
    ASSERT_NE(h >> 16, 0u) << i;
    ASSERT_EQ(handle_close(&t, h), NX_OK);
  }
}

TEST(HandleTable, FullTableAndBadObjectsAreRefused) {
  handle_table_t t;
  handle_table_init(&t);
  object_t a = {OBJ_DEBUG_LOG, 0};
  nx_handle_value_t h = 0;
  for (uint32_t i = 0; i < HANDLE_TABLE_SLOTS; i++) ASSERT_EQ(handle_install(&t, &a, 0, &h), NX_OK);
  EXPECT_EQ(handle_install(&t, &a, 0, &h), NX_ERR_NO_MEMORY);
  EXPECT_EQ(a.refs, HANDLE_TABLE_SLOTS);
  object_t none = {OBJ_NONE, 0}, bogus = {OBJ_TYPE_COUNT, 0};
  handle_table_init(&t);
  EXPECT_EQ(handle_install(&t, &none, 0, &h), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(handle_install(&t, &bogus, 0, &h), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(handle_install(&t, nullptr, 0, &h), NX_ERR_INVALID_ARGS);
}

TEST(HandleTable, NextVisitsEachLiveSlotOnceInIndexOrder) {
  handle_table_t t;
  handle_table_init(&t);
  uint32_t cursor = 0;
  EXPECT_EQ(handle_table_next(&t, &cursor), nullptr) << "empty";
  EXPECT_EQ(cursor, 0u);
  object_t a = {OBJ_DEBUG_LOG, 0};
  std::vector<nx_handle_value_t> h(HANDLE_TABLE_SLOTS);
  for (auto &v : h) ASSERT_EQ(handle_install(&t, &a, kRead, &v), NX_OK);
  // Keep slots 0, 3, 4 and the last one.
  for (uint32_t i = 0; i < HANDLE_TABLE_SLOTS; i++) {
    if (i != 0 && i != 3 && i != 4 && i != HANDLE_TABLE_SLOTS - 1) {
      ASSERT_EQ(handle_close(&t, h[i]), NX_OK);
    }
  }
  std::vector<uint32_t> seen;
  cursor = 0;
  while (const handle_slot_t *s = handle_table_next(&t, &cursor)) {
    EXPECT_EQ(cursor, handle_slot_index(s) + 1u) << "just past the slot returned";
    EXPECT_EQ(handle_slot_value(s), h[handle_slot_index(s)]);
    seen.push_back(handle_slot_index(s));
  }
  EXPECT_EQ(seen, (std::vector<uint32_t>{0, 3, 4, HANDLE_TABLE_SLOTS - 1}));
  EXPECT_EQ(handle_table_next(&t, &cursor), nullptr) << "stays at the end";
  // Emptying a table while walking it, as a dying task does.
  cursor = 0;
  while (const handle_slot_t *s = handle_table_next(&t, &cursor)) {
    ASSERT_EQ(handle_close(&t, handle_slot_value(s)), NX_OK);
  }
  EXPECT_EQ(t.used, 0u);
  EXPECT_EQ(a.refs, 0u);
}

// Random install/close/lookup against a model: a closed or never-issued
// handle never resolves, rights never exceed what was installed, and
// reference counts match the live handles.
TEST(HandleTable, RandomOperationsMatchTheModel) {
  handle_table_t t;
  handle_table_init(&t);
  object_t objs[4] = {
      {OBJ_DEBUG_LOG, 0}, {OBJ_DEBUG_LOG, 0}, {OBJ_DEBUG_LOG, 0}, {OBJ_DEBUG_LOG, 0}};
  std::map<nx_handle_value_t, std::pair<int, uint32_t>> live;
  std::vector<nx_handle_value_t> dead;
  std::mt19937 rng(42);
  for (int step = 0; step < 20000; step++) {
    int op = rng() % 3;
    if (op == 0) {
      int o = rng() % 4;
      uint32_t rights = rng() % 4;
      nx_handle_value_t h;
      int err = handle_install(&t, &objs[o], rights, &h);
      if (live.size() == HANDLE_TABLE_SLOTS) {
        ASSERT_EQ(err, NX_ERR_NO_MEMORY);
      } else {
        ASSERT_EQ(err, NX_OK);
        ASSERT_EQ(live.count(h), 0u);
        live[h] = {o, rights};
      }
    } else if (op == 1 && !live.empty()) {
      auto it = std::next(live.begin(), rng() % live.size());
      ASSERT_EQ(handle_close(&t, it->first), NX_OK);
      dead.push_back(it->first);
      live.erase(it);
    } else {
      object_t *out;
      for (auto &[h, v] : live) {
        ASSERT_EQ(handle_lookup(&t, h, OBJ_DEBUG_LOG, v.second, &out), NX_OK);
        ASSERT_EQ(out, &objs[v.first]);
        if (v.second != 3) {
          ASSERT_EQ(handle_lookup(&t, h, OBJ_DEBUG_LOG, 3, &out), NX_ERR_ACCESS_DENIED);
        }
      }
      for (nx_handle_value_t h : dead) {
        if (!live.count(h))
          ASSERT_EQ(handle_lookup(&t, h, OBJ_DEBUG_LOG, 0, &out), NX_ERR_BAD_HANDLE);
      }
    }
    // No handle that reaches a free slot (its index in the low 8 bits)
    // equals the slot's value: the assembly lookup's one compare relies on
    // it; a live slot's value is its handle.
    for (uint32_t i = 0; i < HANDLE_TABLE_SLOTS; i++) {
      const handle_slot_t *s = &t.slots[i];
      if (s->object) {
        ASSERT_EQ(live.count(s->value), 1u) << i;
      } else {
        ASSERT_NE(s->value & 0xffu, i) << i;
      }
    }
    uint32_t refs[4] = {0, 0, 0, 0};
    for (auto &[h, v] : live) refs[v.first]++;
    for (int o = 0; o < 4; o++) ASSERT_EQ(objs[o].refs, refs[o]);
    ASSERT_EQ(t.used, live.size());
  }
}

// A slot's fast bits are the lookup's verdicts: for every object type and
// every rights mask, each bit is set exactly when handle_lookup_slot()
// passes the check it stands for (the assembly fastpaths test the bit in
// its place).
TEST(HandleTable, FastBitsAreTheLookupsVerdicts) {
  struct Check {
    uint32_t type, rights, bit;
  };
  const Check checks[] = {
      {OBJ_ENDPOINT, NX_RIGHT_WRITE, HANDLE_FAST_ENDPOINT_WRITE},
      {OBJ_ENDPOINT, NX_RIGHT_READ, HANDLE_FAST_ENDPOINT_READ},
      {OBJ_NOTIFICATION, NX_RIGHT_SIGNAL, HANDLE_FAST_NOTIFICATION_SIGNAL},
  };
  handle_table_t t;
  handle_table_init(&t);
  int set = 0;
  for (uint32_t type = OBJ_NONE + 1; type < OBJ_TYPE_COUNT; type++) {
    for (uint32_t rights = 0; rights <= NX_RIGHTS_ALL; rights++) {
      object_t obj = {type, 0};
      nx_handle_value_t h = 0;
      ASSERT_EQ(handle_install(&t, &obj, rights, &h), NX_OK);
      handle_slot_t *s = nullptr;
      ASSERT_EQ(handle_lookup_slot(&t, h, HANDLE_ANY_TYPE, 0, &s), NX_OK);
      uint32_t expected = 0;
      for (const Check &c : checks) {
        handle_slot_t *unused = nullptr;
        if (handle_lookup_slot(&t, h, c.type, c.rights, &unused) == NX_OK) expected |= c.bit;
      }
      EXPECT_EQ(s->fast, expected) << "type " << type << " rights " << rights;
      set += __builtin_popcount(expected);
      ASSERT_EQ(handle_close(&t, h), NX_OK);
    }
  }
  // Each bit is set for half the masks, of its type only: each check can
  // both fail and pass.
  EXPECT_EQ(set, 3 * (NX_RIGHTS_ALL + 1) / 2);
}

}  // namespace
