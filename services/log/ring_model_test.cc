// A randomized model test: thousands of random appends (any level, valid or
// not; any bytes, long and short; clocks that sometimes step back; known
// and unknown senders) and reads by several readers (random level filters,
// cursors reset, zeroed or from the future), for rings of several sizes.
// Each step is checked against a simple model of the documented behaviour:
// the results, the record read, every cursor, and after every step the
// whole content of the ring.
#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>

#include "neuron/errors.h"
#include "neuron/log_ring.h"

namespace {

struct Rec {
  uint64_t seq, time, badge;
  uint32_t level;
  std::string sender, text;
  bool truncated;
};

struct Cursor {
  uint64_t next = 0, missed = 0;
};

// The ring as the header describes it, on a deque of every record kept.
struct Model {
  size_t capacity = 0;
  std::deque<Rec> kept;
  uint64_t next = 0, last_time = 0;

  uint64_t Oldest() const { return kept.empty() ? next : kept.front().seq; }

  int64_t Append(uint32_t level, uint64_t time, uint64_t badge, const std::string &sender,
                 const std::string &raw, bool null_text) {
    if (level >= LOG_LEVELS || (null_text && !raw.empty())) return NX_ERR_INVALID_ARGS;
    std::string text = raw;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    bool truncated = text.size() > LOG_TEXT_MAX;
    text.resize(std::min<size_t>(text.size(), LOG_TEXT_MAX));
    for (char &c : text) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u == '\t')
        c = ' ';
      else if (u < 0x20 || u > 0x7e)
        c = '?';
    }
    last_time = std::max(last_time, time);
    kept.push_back(
        {next, last_time, badge, level, sender.substr(0, LOG_NAME_MAX), text, truncated});
    if (kept.size() > capacity) kept.pop_front();
    return int64_t(next++);
  }

  int Read(Cursor *c, uint32_t min_level, Rec *out) const {
    if (min_level >= LOG_LEVELS) return NX_ERR_INVALID_ARGS;
    if (c->next > next) return NX_ERR_OUT_OF_RANGE;
    if (c->next < Oldest()) {
      c->missed += Oldest() - c->next;
      c->next = Oldest();
    }
    for (const Rec &r : kept) {
      if (r.seq < c->next || r.level < min_level) continue;
      *out = r;
      c->next = r.seq + 1;
      return NX_OK;
    }
    c->next = next;
    return NX_ERR_NOT_FOUND;
  }
};

void ExpectSame(const log_record_t &got, const Rec &want, int step) {
  EXPECT_EQ(got.seq, want.seq) << step;
  EXPECT_EQ(got.time_ns, want.time) << step;
  EXPECT_EQ(got.badge, want.badge) << step;
  EXPECT_EQ(got.level, want.level) << step;
  EXPECT_EQ(std::string(got.sender), want.sender) << step;
  EXPECT_EQ(std::string(got.text, got.len), want.text) << step;
  EXPECT_EQ(got.text[got.len], '\0') << step;
  EXPECT_EQ(got.truncated != 0, want.truncated) << step;
}

class LogRingModelTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(LogRingModelTest, RandomOperationsMatchTheModel) {
  const uint32_t capacity = GetParam();
  std::vector<log_record_t> storage(capacity);
  log_ring_t ring;
  ASSERT_EQ(log_ring_init(&ring, storage.data(), capacity), NX_OK);
  Model m;
  m.capacity = capacity;
  constexpr int kReaders = 3;
  log_cursor_t cursors[kReaders] = {};
  Cursor mc[kReaders];

  std::mt19937_64 rng(20241001 + capacity);
  auto pick = [&rng](uint64_t n) { return uint64_t(rng() % n); };
  auto text = [&]() {
    std::string s;
    size_t len = pick(4) == 0 ? pick(2 * LOG_TEXT_MAX) : pick(24);
    for (size_t i = 0; i < len; i++) {
      s += pick(10) == 0 ? char(pick(256)) : char('a' + pick(26));
    }
    if (pick(3) == 0) s += pick(2) ? "\n" : "\r\n";
    return s;
  };
  const std::string senders[] = {"", "init", "uart", std::string(LOG_NAME_MAX + 5, 's')};
  uint64_t clock = 0;
  size_t reads_ok = 0, misses = 0, filtered = 0;

  for (int step = 0; step < 8000; step++) {
    int op = int(pick(10));
    if (op < 5) {
      uint32_t level = pick(16) == 0 ? uint32_t(LOG_LEVELS + pick(3)) : uint32_t(pick(LOG_LEVELS));
      clock += pick(1000);
      uint64_t time = pick(8) == 0 ? clock - std::min<uint64_t>(clock, pick(5000)) : clock;
      uint64_t badge = pick(5);
      const std::string &sender = senders[pick(4)];
      bool null_text = pick(32) == 0;
      std::string t = null_text && pick(2) ? std::string() : text();
      int64_t got =
          log_ring_append(&ring, level, time, badge, sender.empty() ? nullptr : sender.c_str(),
                          null_text ? nullptr : t.data(), t.size());
      ASSERT_EQ(got, m.Append(level, time, badge, sender, t, null_text)) << step;
    } else if (op < 9) {
      int k = int(pick(kReaders));
      uint32_t min_level = pick(16) == 0 ? LOG_LEVELS : uint32_t(pick(LOG_LEVELS));
      log_record_t rec;
      Rec want;
      uint64_t before = mc[k].missed;
      int got = log_ring_read(&ring, &cursors[k], min_level, &rec);
      int expected = m.Read(&mc[k], min_level, &want);
      ASSERT_EQ(got, expected) << step;
      if (got == NX_OK) {
        ExpectSame(rec, want, step);
        reads_ok++;
        filtered += min_level > LOG_DEBUG;
      }
      misses += mc[k].missed > before;
    } else {
      int k = int(pick(kReaders));
      switch (pick(4)) {
        case 0:
          log_cursor_oldest(&ring, &cursors[k]);
          mc[k] = {m.Oldest(), 0};
          break;
        case 1:
          log_cursor_newest(&ring, &cursors[k]);
          mc[k] = {m.next, 0};
          break;
        case 2:
          cursors[k] = {0, 0};
          mc[k] = {};
          break;
        default:  // a stale or made-up cursor, sometimes from the future
          cursors[k].next = m.next + 3 - pick(2 * capacity + 6);
          if (cursors[k].next > m.next + 3) cursors[k].next = 0;
          mc[k].next = cursors[k].next;
          break;
      }
    }
    // Everything observable matches.
    ASSERT_EQ(log_ring_next(&ring), m.next) << step;
    ASSERT_EQ(log_ring_oldest(&ring), m.Oldest()) << step;
    ASSERT_EQ(log_ring_dropped(&ring), m.Oldest()) << step;
    for (int k = 0; k < kReaders; k++) {
      ASSERT_EQ(cursors[k].next, mc[k].next) << step;
      ASSERT_EQ(cursors[k].missed, mc[k].missed) << step;
    }
    for (const Rec &want : m.kept) ExpectSame(storage[want.seq % capacity], want, step);
    ASSERT_FALSE(HasFailure()) << step;
  }
  EXPECT_GT(m.next, capacity * 10u) << "the ring wrapped many times";
  EXPECT_GT(reads_ok, 500u);
  EXPECT_GT(filtered, 100u);
  EXPECT_GT(misses, 10u) << "readers fell behind";
}

INSTANTIATE_TEST_SUITE_P(Capacities, LogRingModelTest, ::testing::Values(1u, 3u, 16u));

}  // namespace
