// The code tools/idlgen generates for the example protocol
// (tools/idlgen/testdata/echo.toml), compiled for the host: every client
// function calls nx_ipc_call, which a fake kernel here answers by running
// echo_dispatch() as the server, moving handles between two handle tables
// and copying bytes between two IPC buffers the way NEURON does. Every
// method round-trips; calls the server must refuse (another version, an
// unknown method, a malformed message) and replies the client must refuse
// are sent raw; echo_serve() runs against a scripted endpoint.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "neuron/errors.h"
#include "neuron/idl.h"
#include "neuron/syscalls.h"
#include "tests/idlgen/echo_client.h"
#include "tests/idlgen/echo_server.h"

extern "C" {
// echo_client_c.c: echo_add and echo_reverse called from C.
int64_t echo_c_add(nx_handle_t ep, int64_t a, int64_t b, uint32_t shift, echo_add_result_t *r);
int64_t echo_c_reverse(nx_handle_t ep, const char *text, echo_reverse_result_t *r);
}

namespace {

constexpr nx_handle_t kEndpoint = 5;  // the client's endpoint handle (no badge)
constexpr nx_handle_t kBadged = 6;    // the same endpoint through a badged handle
constexpr uint64_t kBadge = 0x2468;
constexpr uint64_t kVersion = ECHO_VERSION;

// A task's handle table: handle value -> object id.
struct Task {
  std::map<nx_handle_t, int> handles;
  nx_handle_t next = 100;
  nx_handle_t Add(int object) {
    handles[next] = object;
    return next++;
  }
  int Object(nx_handle_t h) const {
    auto it = handles.find(h);
    return it == handles.end() ? -1 : it->second;
  }
};

struct alignas(64) IpcBuffer {
  uint8_t bytes[NX_IPC_BUFFER_SIZE];
  nx_handle_t *handles() { return reinterpret_cast<nx_handle_t *>(bytes + NX_IPC_BUFFER_HANDLES); }
  uint8_t *data() { return bytes + NX_IPC_BUFFER_BYTES; }
};

// The fake kernel's state: two tasks, each with one thread and its IPC buffer.
Task g_client, g_server;
IpcBuffer g_client_buf, g_server_buf;
Task *g_task = &g_client;
IpcBuffer *g_buf = &g_client_buf;

void Become(Task *task, IpcBuffer *buf) {
  g_task = task;
  g_buf = buf;
}

uint32_t Handles(uint64_t info) { return static_cast<uint32_t>(info & 0xff); }
uint32_t Bytes(uint64_t info) { return static_cast<uint32_t>(info >> NX_MSG_INFO_BYTES_SHIFT); }

// Moves `n` handles named in `from_buf` from `from` to `to`, writing their
// new values into `to_buf`. All or nothing, like the kernel.
int64_t MoveHandles(Task *from, IpcBuffer *from_buf, Task *to, IpcBuffer *to_buf, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (from->Object(from_buf->handles()[i]) < 0) return NX_ERR_BAD_HANDLE;
  }
  for (uint32_t i = 0; i < n; i++) {
    nx_handle_t h = from_buf->handles()[i];
    int object = from->handles[h];
    from->handles.erase(h);
    to_buf->handles()[i] = to->Add(object);
  }
  return NX_OK;
}

// Copies a message's bytes; the receiver's buffer is poisoned first, so a
// byte the message does not carry cannot pass for one it does.
void CopyBytes(IpcBuffer *from, IpcBuffer *to, uint32_t n) {
  memset(to->data(), 0xa5, NX_MSG_BUF_MAX);
  memcpy(to->data(), from->data(), n);
}

// What answers a call: by default the generated dispatcher with the test's
// ops; tests replace it to send replies the client must refuse.
using Server = std::function<void(uint64_t badge, const nx_ipc_words_t &in, nx_ipc_words_t *out)>;
Server g_serve_call;
std::vector<nx_ipc_words_t> g_calls;  // every call as the server received it

// ---- The server: echo_ops_t handlers ----

struct EchoState {
  int pings = 0;
  int stop_at_ping = 0;  // the ping that sets `done` (0: none)
  bool done = false;
  int fetches = 0;
  const char *fetch_name = "the answer";
  size_t fetch_len = 10;
};

int64_t Ping(void *ctx, uint64_t) {
  EchoState *state = static_cast<EchoState *>(ctx);
  state->done = ++state->pings == state->stop_at_ping;
  return NX_OK;
}

int64_t Add(void *, uint64_t, const echo_add_args_t *args, echo_add_result_t *r) {
  if (args->shift > 63) return NX_ERR_INVALID_ARGS;
  r->sum = static_cast<int64_t>(static_cast<uint64_t>(args->a + args->b) << args->shift);
  r->negative = r->sum < 0;
  return NX_OK;
}

// Reverses in place: result->text points at the same IPC buffer bytes as text.
int64_t Reverse(void *, uint64_t, const echo_reverse_args_t *args, echo_reverse_result_t *r) {
  const uint8_t *text = args->text;
  size_t len = args->text_len;
  EXPECT_EQ(r->text, text);
  for (size_t i = 0; i < len; i++) r->vowels += strchr("aeiouAEIOU", text[i]) && text[i];
  for (size_t i = 0; i < len / 2; i++) {
    uint8_t c = r->text[i];
    r->text[i] = r->text[len - 1 - i];
    r->text[len - 1 - i] = c;
  }
  r->text_len = len;
  return NX_OK;
}

int64_t Swap(void *, uint64_t badge, const echo_swap_args_t *args, echo_swap_result_t *r) {
  r->tag = args->tag;
  r->badge = badge;
  r->first = args->second;
  r->second = args->first;
  return NX_OK;
}

// Makes an object (id 900 + n) and names it from memory of its own.
int64_t Fetch(void *ctx, uint64_t, echo_fetch_result_t *r) {
  auto *state = static_cast<EchoState *>(ctx);
  r->object = g_server.Add(900 + state->fetches++);
  r->name = reinterpret_cast<uint8_t *>(const_cast<char *>(state->fetch_name));
  r->name_len = state->fetch_len;
  return NX_OK;
}

const echo_ops_t kOps = {Ping, Add, Reverse, Swap, Fetch};
EchoState g_state;

}  // namespace

// ---- The fake kernel: the syscalls the generated code makes ----

extern "C" void *nx_idl_ipc_buffer(void) { return g_buf->bytes; }

extern "C" int64_t nx_handle_close(nx_handle_t h) {
  return g_task->handles.erase(h) ? NX_OK : NX_ERR_BAD_HANDLE;
}

extern "C" int64_t nx_ipc_call(nx_handle_t ep, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
                               uint64_t info, nx_ipc_words_t *out) {
  EXPECT_EQ(g_task, &g_client) << "only the client calls";
  if (ep != kEndpoint && ep != kBadged) return NX_ERR_BAD_HANDLE;
  uint32_t handles = Handles(info), bytes = Bytes(info);
  if (handles > NX_MSG_HANDLES || bytes > NX_MSG_BUF_MAX) return NX_ERR_INVALID_ARGS;
  int64_t err = MoveHandles(&g_client, &g_client_buf, &g_server, &g_server_buf, handles);
  if (err != NX_OK) return err;
  CopyBytes(&g_client_buf, &g_server_buf, bytes);
  nx_ipc_words_t in = {w0, w1, w2, w3, info};
  g_calls.push_back(in);
  nx_ipc_words_t reply = {};
  Become(&g_server, &g_server_buf);
  g_serve_call(ep == kBadged ? kBadge : 0, in, &reply);
  err = MoveHandles(&g_server, &g_server_buf, &g_client, &g_client_buf, Handles(reply.info));
  Become(&g_client, &g_client_buf);
  EXPECT_EQ(err, NX_OK) << "the server's reply names a handle it does not hold";
  if (err != NX_OK) return err;
  CopyBytes(&g_server_buf, &g_client_buf, Bytes(reply.info));
  *out = reply;
  return NX_OK;
}

// The endpoint echo_serve() receives on in the Serve tests: a script of
// calls, and the replies it got. An empty script is a closed endpoint:
// receiving fails with NX_ERR_BAD_HANDLE, and so does nx_ipc_reply_recv,
// before it replies (as the kernel checks).
namespace {

struct ScriptedCall {
  uint64_t badge;
  nx_ipc_words_t words;
  std::string bytes;
  std::vector<int> objects;  // handles the call brings (object ids)
};
struct SeenReply {
  nx_ipc_words_t words;
  std::string bytes;
  std::vector<int> objects;  // handles the reply moved (object ids)
};
std::deque<ScriptedCall> g_script;
std::vector<SeenReply> g_replies;
int64_t g_fail_next_reply_recv = NX_OK;  // the next reply_recv fails with this
int64_t g_handles_fail = NX_OK;          // a reply with handles fails with this
nx_handle_t g_serve_ep = 0;

int64_t Receive(nx_ipc_words_t *out) {
  if (g_script.empty()) return NX_ERR_BAD_HANDLE;
  ScriptedCall c = g_script.front();
  g_script.pop_front();
  memset(g_server_buf.data(), 0xa5, NX_MSG_BUF_MAX);
  memcpy(g_server_buf.data(), c.bytes.data(), c.bytes.size());
  for (size_t i = 0; i < c.objects.size(); i++)
    g_server_buf.handles()[i] = g_server.Add(c.objects[i]);
  *out = c.words;
  out->info = c.objects.size() | (c.bytes.size() << NX_MSG_INFO_BYTES_SHIFT);
  return static_cast<int64_t>(c.badge);
}

int64_t Reply(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t info) {
  if (Handles(info) && g_handles_fail != NX_OK) return g_handles_fail;
  SeenReply r{{w0, w1, w2, w3, info}, {}, {}};
  r.bytes.assign(reinterpret_cast<const char *>(g_server_buf.data()), Bytes(info));
  for (uint32_t i = 0; i < Handles(info); i++) {
    nx_handle_t h = g_server_buf.handles()[i];
    if (g_server.Object(h) < 0) return NX_ERR_BAD_HANDLE;
    r.objects.push_back(g_server.Object(h));
    g_server.handles.erase(h);
  }
  g_replies.push_back(r);
  return NX_OK;
}

}  // namespace

extern "C" int64_t nx_ipc_recv(nx_handle_t ep, nx_ipc_words_t *out) {
  EXPECT_EQ(ep, g_serve_ep);
  return Receive(out);
}

extern "C" int64_t nx_ipc_reply(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t info) {
  return Reply(w0, w1, w2, w3, info);
}

extern "C" int64_t nx_ipc_reply_recv(nx_handle_t ep, uint64_t w0, uint64_t w1, uint64_t w2,
                                     uint64_t w3, uint64_t info, nx_ipc_words_t *out) {
  EXPECT_EQ(ep, g_serve_ep);
  if (g_fail_next_reply_recv != NX_OK) {  // nothing happens
    int64_t err = g_fail_next_reply_recv;
    g_fail_next_reply_recv = NX_OK;
    return err;
  }
  if (g_script.empty()) return NX_ERR_BAD_HANDLE;  // closed: checked before replying
  int64_t err = Reply(w0, w1, w2, w3, info);
  return err != NX_OK ? err : Receive(out);
}

namespace {

class EchoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_client = Task();
    g_server = Task();
    g_client.next = 10;
    g_server.next = 500;
    Become(&g_client, &g_client_buf);
    g_state = EchoState();
    g_calls.clear();
    g_serve_call = [](uint64_t badge, const nx_ipc_words_t &in, nx_ipc_words_t *out) {
      EXPECT_EQ(echo_dispatch(&kOps, &g_state, badge, &in, out), static_cast<int64_t>(out->w0));
    };
  }

  // A call with raw words, handles (their objects, made in the client's
  // table) and bytes; returns the reply's status, the reply in *reply.
  int64_t Raw(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, std::vector<int> objects = {},
              std::string bytes = "", nx_ipc_words_t *reply = nullptr) {
    for (size_t i = 0; i < objects.size(); i++)
      g_client_buf.handles()[i] = g_client.Add(objects[i]);
    memcpy(g_client_buf.data(), bytes.data(), bytes.size());
    nx_ipc_words_t r = {};
    uint64_t info = objects.size() | (bytes.size() << NX_MSG_INFO_BYTES_SHIFT);
    EXPECT_EQ(nx_ipc_call(kEndpoint, w0, w1, w2, w3, info, &r), NX_OK);
    if (reply) *reply = r;
    return static_cast<int64_t>(r.w0);
  }

  static uint64_t W0(uint32_t method, uint64_t version = kVersion) {
    return version << 32 | method;
  }
};

// ---- Every method round-trips ----

TEST_F(EchoTest, PingCarriesTheMethodAndVersionInW0Only) {
  EXPECT_EQ(echo_ping(kEndpoint), NX_OK);
  EXPECT_EQ(g_state.pings, 1);
  ASSERT_EQ(g_calls.size(), 1u);
  EXPECT_EQ(g_calls[0].w0, (kVersion << 32) | ECHO_METHOD_PING);
  EXPECT_EQ(g_calls[0].w1, 0u);
  EXPECT_EQ(g_calls[0].w2, 0u);
  EXPECT_EQ(g_calls[0].w3, 0u);
  EXPECT_EQ(g_calls[0].info, 0u);
}

TEST_F(EchoTest, AddPacksWordsAndDecodesTypedResults) {
  echo_add_result_t r = {};
  EXPECT_EQ(echo_add(kEndpoint, -7, 2, 4, &r), NX_OK);
  EXPECT_EQ(r.sum, -80);
  EXPECT_EQ(r.negative, 1u);
  EXPECT_EQ(g_calls.back().w1, static_cast<uint64_t>(-7));
  EXPECT_EQ(g_calls.back().w2, 2u);
  EXPECT_EQ(g_calls.back().w3, 4u);
  EXPECT_EQ(echo_add(kEndpoint, INT64_MAX - 1, 1, 0, &r), NX_OK);
  EXPECT_EQ(r.sum, INT64_MAX);
  EXPECT_EQ(r.negative, 0u);
  // The same header compiles and works from C.
  EXPECT_EQ(echo_c_add(kEndpoint, 20, 1, 1, &r), NX_OK);
  EXPECT_EQ(r.sum, 42);
}

TEST_F(EchoTest, AHandlerErrorComesBackAloneAndLeavesTheResultsAlone) {
  echo_add_result_t r = {123, 7};
  EXPECT_EQ(echo_add(kEndpoint, 1, 1, 64, &r), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(r.sum, 123);
  EXPECT_EQ(r.negative, 7u);
}

TEST_F(EchoTest, ReverseCarriesBytesBothWays) {
  echo_reverse_result_t r = {};
  EXPECT_EQ(echo_reverse(kEndpoint, "hello, world", 12, &r), NX_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(r.text), r.text_len), "dlrow ,olleh");
  EXPECT_EQ(r.vowels, 3u);
  EXPECT_EQ(r.text, g_client_buf.data()) << "result bytes stay in the caller's IPC buffer";
  EXPECT_EQ(Bytes(g_calls.back().info), 12u);
  EXPECT_EQ(Handles(g_calls.back().info), 0u);

  EXPECT_EQ(echo_c_reverse(kEndpoint, "Ada", &r), NX_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(r.text), r.text_len), "adA");
  EXPECT_EQ(r.vowels, 2u);
}

TEST_F(EchoTest, ReverseTakesEmptyAndMaximalTextAndRefusesMoreBeforeCalling) {
  echo_reverse_result_t r = {};
  EXPECT_EQ(echo_reverse(kEndpoint, nullptr, 0, &r), NX_OK);
  EXPECT_EQ(r.text_len, 0u);
  EXPECT_EQ(g_calls.back().info, 0u);

  std::string max(ECHO_REVERSE_BYTES_MAX, 'x');
  max[0] = 'a';
  EXPECT_EQ(echo_reverse(kEndpoint, max.data(), max.size(), &r), NX_OK);
  ASSERT_EQ(r.text_len, max.size());
  EXPECT_EQ(r.text[max.size() - 1], 'a');
  EXPECT_EQ(r.vowels, 1u);

  size_t calls = g_calls.size();
  std::string over(ECHO_REVERSE_BYTES_MAX + 1, 'x');
  EXPECT_EQ(echo_reverse(kEndpoint, over.data(), over.size(), &r), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(g_calls.size(), calls) << "refused without a call";
}

TEST_F(EchoTest, SwapMovesHandlesBothWaysAndSeesTheBadge) {
  nx_handle_t a = g_client.Add(1), b = g_client.Add(2);
  echo_swap_result_t r = {};
  EXPECT_EQ(echo_swap(kBadged, 0xabcd, a, b, &r), NX_OK);
  EXPECT_EQ(r.tag, 0xabcdu);
  EXPECT_EQ(r.badge, kBadge);
  EXPECT_EQ(g_client.Object(r.first), 2);
  EXPECT_EQ(g_client.Object(r.second), 1);
  EXPECT_EQ(g_client.handles.size(), 2u) << "a and b moved out, two new handles came back";
  EXPECT_TRUE(g_server.handles.empty()) << "the server kept nothing";
  EXPECT_EQ(Handles(g_calls.back().info), 2u);

  EXPECT_EQ(echo_swap(kEndpoint, 0, r.first, r.second, &r), NX_OK);
  EXPECT_EQ(r.badge, 0u);
  EXPECT_EQ(g_client.Object(r.first), 1);
  EXPECT_EQ(g_client.Object(r.second), 2);
}

TEST_F(EchoTest, FetchBringsAHandleAndBytesFromTheServersMemory) {
  echo_fetch_result_t r = {};
  EXPECT_EQ(echo_fetch(kEndpoint, &r), NX_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(r.name), r.name_len), "the answer");
  EXPECT_EQ(g_client.Object(r.object), 900);
  EXPECT_TRUE(g_server.handles.empty());

  std::string big(ECHO_FETCH_RESULT_BYTES_MAX, 'n');
  g_state.fetch_name = big.c_str();
  g_state.fetch_len = big.size();
  EXPECT_EQ(echo_fetch(kEndpoint, &r), NX_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(r.name), r.name_len), big);
  EXPECT_EQ(g_client.Object(r.object), 901);
}

TEST_F(EchoTest, ResultBytesOverTheMaximumAnswerOutOfRangeAndCloseTheHandles) {
  std::string big(ECHO_FETCH_RESULT_BYTES_MAX + 1, 'n');
  g_state.fetch_name = big.c_str();
  g_state.fetch_len = big.size();
  echo_fetch_result_t r = {};
  EXPECT_EQ(echo_fetch(kEndpoint, &r), NX_ERR_OUT_OF_RANGE);
  EXPECT_TRUE(g_server.handles.empty()) << "the handle the handler made was closed";
  EXPECT_TRUE(g_client.handles.empty());
}

TEST_F(EchoTest, TheCallsOwnErrorComesBack) {
  EXPECT_EQ(echo_ping(99), NX_ERR_BAD_HANDLE);
  echo_swap_result_t r = {};
  EXPECT_EQ(echo_swap(kEndpoint, 0, 77, 78, &r), NX_ERR_BAD_HANDLE);
  EXPECT_TRUE(g_calls.empty());
}

// ---- Calls the server refuses ----

TEST_F(EchoTest, AnotherVersionIsInvalidArgs) {
  EXPECT_EQ(Raw(W0(ECHO_METHOD_PING, kVersion + 1), 0, 0, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Raw(W0(ECHO_METHOD_PING, 0), 0, 0, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Raw(W0(ECHO_METHOD_PING, kVersion | 1ull << 31), 0, 0, 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(g_state.pings, 0);
}

TEST_F(EchoTest, AnUnknownMethodIsNotSupported) {
  EXPECT_EQ(Raw(W0(4), 0, 0, 0), NX_ERR_NOT_SUPPORTED);  // the retired number
  EXPECT_EQ(Raw(W0(6), 0, 0, 0), NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(Raw(W0(0xffffffffu), 0, 0, 0), NX_ERR_NOT_SUPPORTED);
}

TEST_F(EchoTest, ErrorRepliesCarryNothingElse) {
  nx_ipc_words_t reply;
  EXPECT_EQ(Raw(W0(9), 1, 2, 3, {}, "", &reply), NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(reply.w1, 0u);
  EXPECT_EQ(reply.w2, 0u);
  EXPECT_EQ(reply.w3, 0u);
  EXPECT_EQ(reply.info, 0u);
}

TEST_F(EchoTest, ARefusedCallsHandlesAreClosed) {
  EXPECT_EQ(Raw(W0(42), 0, 0, 0, {1, 2}), NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(Raw(W0(ECHO_METHOD_PING, 7), 0, 0, 0, {3}), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Raw(W0(ECHO_METHOD_SWAP), 0, 0, 0, {4}), NX_ERR_BAD_FORMAT);  // one of two
  EXPECT_TRUE(g_server.handles.empty());
  EXPECT_TRUE(g_client.handles.empty());
}

TEST_F(EchoTest, AMalformedMessageIsBadFormat) {
  EXPECT_EQ(Raw(W0(ECHO_METHOD_PING), 0, 0, 0, {}, "x"), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(Raw(W0(ECHO_METHOD_PING), 0, 0, 0, {1}), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(Raw(W0(ECHO_METHOD_SWAP), 0, 0, 0, {1, 2, 3}), NX_ERR_BAD_FORMAT);
  std::string over(ECHO_REVERSE_BYTES_MAX + 1, 'x');
  EXPECT_EQ(Raw(W0(ECHO_METHOD_REVERSE), 0, 0, 0, {}, over), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(Raw(W0(ECHO_METHOD_REVERSE), 0, 0, 0, {}, over.substr(1)), NX_OK);
  EXPECT_EQ(g_state.pings, 0);
}

TEST_F(EchoTest, A32BitArgumentOver32BitsIsInvalidArgs) {
  EXPECT_EQ(Raw(W0(ECHO_METHOD_ADD), 1, 2, 1ull << 32), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Raw(W0(ECHO_METHOD_ADD), 1, 2, UINT32_MAX), NX_ERR_INVALID_ARGS);  // the handler's
  nx_ipc_words_t reply;
  EXPECT_EQ(Raw(W0(ECHO_METHOD_ADD), 1, 2, 3, {}, "", &reply), NX_OK);
  EXPECT_EQ(reply.w1, 24u);
  EXPECT_EQ(Raw(W0(ECHO_METHOD_SWAP), 1ull << 32, 0, 0, {1, 2}), NX_ERR_INVALID_ARGS);
  EXPECT_TRUE(g_server.handles.empty());
}

TEST_F(EchoTest, AMissingHandlerIsNotSupported) {
  echo_ops_t ops = kOps;
  ops.ping = nullptr;
  ops.swap = nullptr;
  g_serve_call = [&ops](uint64_t badge, const nx_ipc_words_t &in, nx_ipc_words_t *out) {
    echo_dispatch(&ops, &g_state, badge, &in, out);
  };
  EXPECT_EQ(echo_ping(kEndpoint), NX_ERR_NOT_SUPPORTED);
  echo_swap_result_t r = {};
  EXPECT_EQ(echo_swap(kEndpoint, 0, g_client.Add(1), g_client.Add(2), &r), NX_ERR_NOT_SUPPORTED);
  EXPECT_TRUE(g_server.handles.empty());
  echo_add_result_t sum = {};
  EXPECT_EQ(echo_add(kEndpoint, 1, 2, 0, &sum), NX_OK);
}

// ---- Replies the client refuses ----

// Replies with `reply`, moving `objects` (made in the server's table) and
// `bytes` along.
void ReplyWith(nx_ipc_words_t reply, std::vector<int> objects = {}, std::string bytes = "") {
  g_serve_call = [=](uint64_t, const nx_ipc_words_t &, nx_ipc_words_t *out) {
    *out = reply;
    for (size_t i = 0; i < objects.size(); i++)
      g_server_buf.handles()[i] = g_server.Add(objects[i]);
    memcpy(g_server_buf.data(), bytes.data(), bytes.size());
    out->info = objects.size() | (bytes.size() << NX_MSG_INFO_BYTES_SHIFT);
  };
}

TEST_F(EchoTest, APositiveStatusIsBadFormat) {
  ReplyWith({1, 0, 0, 0, 0});
  EXPECT_EQ(echo_ping(kEndpoint), NX_ERR_BAD_FORMAT);
}

TEST_F(EchoTest, AnUnexpectedHandleOrByteIsBadFormatAndTheHandlesAreClosed) {
  ReplyWith({0, 0, 0, 0, 0}, {7});
  EXPECT_EQ(echo_ping(kEndpoint), NX_ERR_BAD_FORMAT);
  EXPECT_TRUE(g_client.handles.empty());
  ReplyWith({0, 0, 0, 0, 0}, {}, "x");
  EXPECT_EQ(echo_ping(kEndpoint), NX_ERR_BAD_FORMAT);
  ReplyWith({0, 5, 0, 0, 0}, {7, 8, 9});
  echo_swap_result_t r = {};
  EXPECT_EQ(echo_swap(kEndpoint, 0, g_client.Add(1), g_client.Add(2), &r), NX_ERR_BAD_FORMAT);
  EXPECT_TRUE(g_client.handles.empty());
  EXPECT_EQ(r.tag, 0u) << "no results on a refused reply";
}

TEST_F(EchoTest, ResultBytesOverTheMaximumAreBadFormat) {
  std::string over(ECHO_REVERSE_RESULT_BYTES_MAX + 1, 'x');
  ReplyWith({0, 0, 0, 0, 0}, {}, over);
  echo_reverse_result_t r = {};
  EXPECT_EQ(echo_reverse(kEndpoint, "abc", 3, &r), NX_ERR_BAD_FORMAT);
  ReplyWith({0, 0, 0, 0, 0}, {}, over.substr(1));
  EXPECT_EQ(echo_reverse(kEndpoint, "abc", 3, &r), NX_OK);
  EXPECT_EQ(r.text_len, over.size() - 1);
}

TEST_F(EchoTest, A32BitResultOver32BitsIsBadFormat) {
  ReplyWith({0, 5, 1ull << 32, 0, 0});
  echo_add_result_t r = {};
  EXPECT_EQ(echo_add(kEndpoint, 1, 2, 0, &r), NX_ERR_BAD_FORMAT);
  ReplyWith({0, 1ull << 32, 0, 0, 0}, {1, 2});
  echo_swap_result_t s = {};
  EXPECT_EQ(echo_swap(kEndpoint, 0, g_client.Add(1), g_client.Add(2), &s), NX_ERR_BAD_FORMAT);
  EXPECT_TRUE(g_client.handles.empty());
}

TEST_F(EchoTest, AnErrorReplyKeepsItsStatusButNotItsHandles) {
  ReplyWith({static_cast<uint64_t>(NX_ERR_BUSY), 0, 0, 0, 0}, {3});
  echo_fetch_result_t r = {};
  EXPECT_EQ(echo_fetch(kEndpoint, &r), NX_ERR_BUSY);
  EXPECT_TRUE(g_client.handles.empty());
}

// ---- echo_serve ----

TEST_F(EchoTest, ServeAnswersEveryCallUntilTheEndpointCloses) {
  g_serve_ep = 33;
  Become(&g_server, &g_server_buf);
  g_replies.clear();
  g_script = {
      {0, {W0(ECHO_METHOD_PING), 0, 0, 0, 0}, "", {}},
      {kBadge, {W0(ECHO_METHOD_SWAP), 9, 0, 0, 0}, "", {1, 2}},
      {0, {W0(ECHO_METHOD_REVERSE), 0, 0, 0, 0}, "abc", {}},
      {0, {W0(77), 0, 0, 0, 0}, "", {5}},
      {0, {W0(ECHO_METHOD_ADD, 1), 0, 0, 0, 0}, "", {}},
  };
  EXPECT_EQ(echo_serve(33, &kOps, &g_state), NX_ERR_BAD_HANDLE);
  ASSERT_EQ(g_replies.size(), 5u);
  EXPECT_EQ(g_replies[0].words.w0, 0u);
  EXPECT_EQ(g_state.pings, 1);
  EXPECT_EQ(g_replies[1].words.w0, 0u);
  EXPECT_EQ(g_replies[1].words.w1, 9u);
  EXPECT_EQ(g_replies[1].words.w2, kBadge);
  EXPECT_EQ(g_replies[1].objects, (std::vector<int>{2, 1}));
  EXPECT_EQ(g_replies[2].bytes, "cba");
  EXPECT_EQ(g_replies[2].words.w1, 1u);
  EXPECT_EQ(static_cast<int64_t>(g_replies[3].words.w0), NX_ERR_NOT_SUPPORTED);
  EXPECT_EQ(static_cast<int64_t>(g_replies[4].words.w0), NX_ERR_INVALID_ARGS);
  EXPECT_TRUE(g_server.handles.empty()) << "the unknown call's handle was closed";
}

TEST_F(EchoTest, ServeAnswersAReplyThatCannotGoWithItsError) {
  g_serve_ep = 34;
  Become(&g_server, &g_server_buf);
  g_replies.clear();
  g_script = {
      {0, {W0(ECHO_METHOD_FETCH), 0, 0, 0, 0}, "", {}},
      {0, {W0(ECHO_METHOD_PING), 0, 0, 0, 0}, "", {}},
  };
  g_handles_fail = NX_ERR_NO_MEMORY;  // the fetch reply's handle cannot move
  EXPECT_EQ(echo_serve(34, &kOps, &g_state), NX_ERR_BAD_HANDLE);
  g_handles_fail = NX_OK;
  ASSERT_EQ(g_replies.size(), 2u);
  EXPECT_EQ(static_cast<int64_t>(g_replies[0].words.w0), NX_ERR_NO_MEMORY);
  EXPECT_EQ(g_replies[0].words.info, 0u);
  EXPECT_EQ(g_replies[1].words.w0, 0u);
  EXPECT_EQ(g_state.pings, 1);
  EXPECT_TRUE(g_server.handles.empty()) << "the failed reply's handle was closed";
}

TEST_F(EchoTest, ServeRetriesTheReplyAloneWhenTheCombinedCallFails) {
  g_serve_ep = 35;
  Become(&g_server, &g_server_buf);
  g_replies.clear();
  g_script = {
      {0, {W0(ECHO_METHOD_FETCH), 0, 0, 0, 0}, "", {}},
      {0, {W0(ECHO_METHOD_PING), 0, 0, 0, 0}, "", {}},
  };
  g_fail_next_reply_recv = NX_ERR_BUSY;
  EXPECT_EQ(echo_serve(35, &kOps, &g_state), NX_ERR_BAD_HANDLE);
  ASSERT_EQ(g_replies.size(), 2u);
  EXPECT_EQ(g_replies[0].words.w0, 0u) << "the client got its real reply";
  EXPECT_EQ(g_replies[0].bytes, "the answer");
  EXPECT_EQ(g_replies[0].objects, (std::vector<int>{900}));
  EXPECT_EQ(g_replies[1].words.w0, 0u);
}

TEST_F(EchoTest, ServeUntilRepliesToTheCallThatEndsItAndReturnsOk) {
  g_serve_ep = 36;
  Become(&g_server, &g_server_buf);
  g_replies.clear();
  g_script = {
      {0, {W0(ECHO_METHOD_PING), 0, 0, 0, 0}, "", {}},
      {0, {W0(ECHO_METHOD_PING), 0, 0, 0, 0}, "", {}},
      {0, {W0(ECHO_METHOD_PING), 0, 0, 0, 0}, "", {}},
  };
  g_state.stop_at_ping = 2;
  EXPECT_EQ(echo_serve_until(36, &kOps, &g_state, &g_state.done), NX_OK);
  ASSERT_EQ(g_replies.size(), 2u) << "the second ping is answered, the third not taken";
  EXPECT_EQ(g_replies[1].words.w0, 0u);
  EXPECT_EQ(g_script.size(), 1u);
}

TEST_F(EchoTest, ServeUntilWithTheFlagNeverSetIsServe) {
  g_serve_ep = 37;
  Become(&g_server, &g_server_buf);
  g_replies.clear();
  g_script = {{0, {W0(ECHO_METHOD_PING), 0, 0, 0, 0}, "", {}}};
  EXPECT_EQ(echo_serve_until(37, &kOps, &g_state, &g_state.done), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(g_replies.size(), 1u);
}

}  // namespace
