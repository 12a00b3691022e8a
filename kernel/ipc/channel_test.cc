// Channels: full and empty, FIFO order, capabilities held in flight and
// closed when the channel is destroyed with messages in it.
#include "neuron/channel.h"

#include <gtest/gtest.h>

#include <memory>

#include "kernel/ipc/fake_kernel.h"
#include "neuron/cap_transfer.h"
#include "neuron/errors.h"
#include "neuron/revoke.h"
#include "neuron/rights.h"

namespace {

using ipc_fake::Words;

class ChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    handle_table_init(a.get());
    handle_table_init(b.get());
    ASSERT_EQ(ipc_channel_init(&ch, &k.sys, ring, kDepth, holding.get()), NX_OK);
  }
  nx_handle_value_t Install(handle_table_t *t, uint32_t rights = NX_RIGHTS_ALL) {
    nx_handle_value_t h = 0;
    EXPECT_EQ(handle_install(t, &obj, rights, &h), NX_OK);
    return h;
  }
  static bool Live(handle_table_t *t, nx_handle_value_t h) {
    object_t *o;
    return handle_lookup(t, h, OBJ_DEBUG_LOG, 0, &o) == NX_OK;
  }

  static constexpr uint32_t kDepth = 3;
  ipc_fake::Kernel k;
  ipc_msg_t ring[kDepth];
  std::unique_ptr<handle_table_t> holding{new handle_table_t}, a{new handle_table_t},
      b{new handle_table_t};
  ipc_channel_t ch;
  object_t obj = {OBJ_DEBUG_LOG, 0};
};

TEST_F(ChannelTest, FifoFullAndEmpty) {
  ipc_msg_t out;
  EXPECT_EQ(ipc_channel_receive(&ch, b.get(), &out), NX_ERR_NOT_FOUND);
  // Two in flight while the ring wraps three times: always the oldest out.
  for (uint64_t i = 0; i < 9; i++) {
    ipc_msg_t m = Words({i, i + 100});
    ASSERT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_OK);
    if (i >= 2) {
      ASSERT_EQ(ipc_channel_receive(&ch, b.get(), &out), NX_OK);
      EXPECT_EQ(out.words[0], i - 2);
    }
  }
  ipc_msg_t m = Words({9, 109});
  ASSERT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_OK);
  EXPECT_EQ(ipc_channel_count(&ch), kDepth);
  m = Words({99});
  EXPECT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_ERR_BUSY);  // full: never blocks
  EXPECT_TRUE(k.log.empty());
  for (uint64_t want : {7u, 8u, 9u}) {
    ASSERT_EQ(ipc_channel_receive(&ch, b.get(), &out), NX_OK);
    EXPECT_EQ(out.words[0], want);
    EXPECT_EQ(out.words[1], want + 100);
    EXPECT_EQ(out.word_count, 2u);
  }
  EXPECT_EQ(ipc_channel_receive(&ch, b.get(), &out), NX_ERR_NOT_FOUND);
  EXPECT_EQ(ipc_channel_count(&ch), 0u);
}

TEST_F(ChannelTest, Limits) {
  ipc_msg_t m = Words({});
  m.buf_len = 1;  // channels carry no buffer
  EXPECT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_ERR_OUT_OF_RANGE);
  m = Words({});
  m.word_count = IPC_MSG_WORDS + 1;
  EXPECT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_ERR_OUT_OF_RANGE);
  m = Words({});
  m.handle_count = IPC_MSG_HANDLES + 1;
  EXPECT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_ERR_OUT_OF_RANGE);
  EXPECT_EQ(ipc_channel_send(nullptr, a.get(), &m), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ipc_channel_receive(&ch, nullptr, &m), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ipc_channel_init(&ch, &k.sys, ring, 0, holding.get()), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(ipc_channel_count(&ch), 0u);
}

TEST_F(ChannelTest, HandlesAreHeldInFlightAndMovedOut) {
  ipc_msg_t m = Words({1});
  m.handle_count = 2;
  m.handles[0] = Install(a.get());
  m.handles[1] = Install(a.get(), NX_RIGHT_READ | NX_RIGHT_TRANSFER);
  ASSERT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_OK);
  EXPECT_FALSE(Live(a.get(), m.handles[0]));  // sent means gone from the sender
  EXPECT_EQ(handle_table_free_slots(holding.get()), HANDLE_TABLE_SLOTS - 2);
  ipc_msg_t out;
  ASSERT_EQ(ipc_channel_receive(&ch, b.get(), &out), NX_OK);
  ASSERT_EQ(out.handle_count, 2u);
  EXPECT_TRUE(Live(b.get(), out.handles[0]));
  handle_slot_t *s = nullptr;
  ASSERT_EQ(handle_lookup_slot(b.get(), out.handles[1], OBJ_DEBUG_LOG, 0, &s), NX_OK);
  EXPECT_EQ(s->rights, NX_RIGHT_READ | NX_RIGHT_TRANSFER);
  EXPECT_EQ(handle_table_free_slots(holding.get()), HANDLE_TABLE_SLOTS);
  EXPECT_EQ(obj.refs, 2u);
}

TEST_F(ChannelTest, BadHandleMovesNothing) {
  ipc_msg_t m = Words({});
  m.handle_count = 4;
  for (int i = 0; i < 4; i++) m.handles[i] = Install(a.get());
  m.handles[2] = Install(a.get(), NX_RIGHT_READ);  // no TRANSFER
  EXPECT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_ERR_ACCESS_DENIED);
  m.handles[2] = m.handles[1];
  EXPECT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_ERR_INVALID_ARGS);
  for (int i : {0, 1, 3}) EXPECT_TRUE(Live(a.get(), m.handles[i]));
  EXPECT_EQ(ipc_channel_count(&ch), 0u);
  EXPECT_EQ(handle_table_free_slots(holding.get()), HANDLE_TABLE_SLOTS);
}

TEST_F(ChannelTest, ReceiverWithoutRoomLeavesTheMessageQueued) {
  ipc_msg_t m = Words({5});
  m.handle_count = 2;
  m.handles[0] = Install(a.get());
  m.handles[1] = Install(a.get());
  ASSERT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_OK);
  std::vector<nx_handle_value_t> filler;
  while (handle_table_free_slots(b.get()) > 1) filler.push_back(Install(b.get()));
  ipc_msg_t out;
  EXPECT_EQ(ipc_channel_receive(&ch, b.get(), &out), NX_ERR_NO_MEMORY);
  EXPECT_EQ(ipc_channel_count(&ch), 1u);
  ASSERT_EQ(handle_close(b.get(), filler.back()), NX_OK);
  ASSERT_EQ(ipc_channel_receive(&ch, b.get(), &out), NX_OK);
  EXPECT_EQ(out.words[0], 5u);
  EXPECT_EQ(out.handle_count, 2u);
}

TEST_F(ChannelTest, DestroyClosesHeldHandles) {
  object_t other = {OBJ_DEBUG_LOG, 0};
  for (int i = 0; i < 3; i++) {
    ipc_msg_t m = Words({});
    m.handle_count = 2;
    m.handles[0] = Install(a.get());
    ASSERT_EQ(handle_install(a.get(), &other, NX_RIGHTS_ALL, &m.handles[1]), NX_OK);
    ASSERT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_OK);
  }
  EXPECT_EQ(obj.refs, 3u);
  EXPECT_EQ(other.refs, 3u);
  ipc_channel_destroy(&ch);
  EXPECT_EQ(obj.refs, 0u);
  EXPECT_EQ(other.refs, 0u);
  EXPECT_EQ(handle_table_free_slots(holding.get()), HANDLE_TABLE_SLOTS);
  ipc_msg_t m = Words({});
  EXPECT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(ipc_channel_receive(&ch, b.get(), &m), NX_ERR_BAD_HANDLE);
  ipc_channel_destroy(&ch);  // twice: nothing
}

TEST_F(ChannelTest, RevokedInFlightIsDropped) {
  nx_handle_value_t root = Install(a.get());
  nx_handle_value_t child = 0, keep = Install(a.get());
  ASSERT_EQ(cap_derive(a.get(), root, NX_RIGHTS_ALL, a.get(), &child), NX_OK);
  ipc_msg_t m = Words({});
  m.handle_count = 2;
  m.handles[0] = child;
  m.handles[1] = keep;
  ASSERT_EQ(ipc_channel_send(&ch, a.get(), &m), NX_OK);
  cap_revoke_t r;
  ASSERT_EQ(cap_revoke_start(&r, a.get(), root), NX_OK);
  while (cap_revoke_step(&r, 16)) {
  }
  ipc_msg_t out;
  ASSERT_EQ(ipc_channel_receive(&ch, b.get(), &out), NX_OK);
  ASSERT_EQ(out.handle_count, 1u);  // the revoked one is gone, the other arrives
  EXPECT_TRUE(Live(b.get(), out.handles[0]));
}

}  // namespace
