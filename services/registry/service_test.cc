// registryd's handlers through the generated dispatcher, against a fake
// kernel holding registryd's handle table: every method, every refusal,
// and where every handle ends up (kept, moved to the caller, or closed).
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "neuron/bootplan.h"
#include "neuron/errors.h"
#include "neuron/idl.h"
#include "neuron/registry_service.h"
#include "neuron/syscalls.h"
#include "services/registry/registry_server.h"

namespace {

// A capability in registryd's handle table.
struct Cap {
  int object;
  uint32_t rights;
  uint64_t badge;
};

std::map<nx_handle_t, Cap> g_handles;
nx_handle_t g_next;
int64_t g_mint_error;  // when not NX_OK, the next mint fails with it
alignas(64) uint8_t g_buf[NX_IPC_BUFFER_SIZE];

nx_handle_t *BufHandles() { return reinterpret_cast<nx_handle_t *>(g_buf + NX_IPC_BUFFER_HANDLES); }
uint8_t *BufBytes() { return g_buf + NX_IPC_BUFFER_BYTES; }

}  // namespace

// ---- The fake kernel: the syscalls the handlers and the dispatcher make ----

extern "C" void *nx_idl_ipc_buffer(void) { return g_buf; }

// The kernel's rules (kernel/object/transfer.c): badge not 0, the source
// has duplicate and every right asked for, and no badge of its own.
extern "C" int64_t nx_handle_mint(nx_handle_t h, uint32_t rights, uint64_t badge) {
  if (g_mint_error != NX_OK) {
    int64_t err = g_mint_error;
    g_mint_error = NX_OK;
    return err;
  }
  if (badge == 0) return NX_ERR_INVALID_ARGS;
  auto it = g_handles.find(h);
  if (it == g_handles.end()) return NX_ERR_BAD_HANDLE;
  const Cap source = it->second;
  if (!(source.rights & NX_RIGHT_DUPLICATE) || (rights & ~source.rights) || source.badge) {
    return NX_ERR_ACCESS_DENIED;
  }
  g_handles[g_next] = {source.object, rights, badge};
  return g_next++;
}

extern "C" int64_t nx_handle_close(nx_handle_t h) {
  return g_handles.erase(h) ? NX_OK : NX_ERR_BAD_HANDLE;
}

// The endpoint registry_serve() receives on: a script of calls (words only;
// their bytes are put in the IPC buffer), then closed (NX_ERR_BAD_HANDLE,
// before any reply, as the kernel checks). The replies it got.
namespace {

constexpr nx_handle_t kServeEp = 3;

struct ScriptedCall {
  uint64_t badge;
  nx_ipc_words_t words;
  std::string bytes;
};
std::vector<ScriptedCall> g_script;
struct SeenReply {
  int64_t status;
  std::string bytes;
};
std::vector<SeenReply> g_replies;

int64_t Receive(nx_handle_t ep, nx_ipc_words_t *out) {
  if (ep != kServeEp || g_script.empty()) return NX_ERR_BAD_HANDLE;
  ScriptedCall c = g_script.front();
  g_script.erase(g_script.begin());
  memcpy(BufBytes(), c.bytes.data(), c.bytes.size());
  *out = c.words;
  out->info = c.bytes.size() << NX_MSG_INFO_BYTES_SHIFT;
  return static_cast<int64_t>(c.badge);
}

}  // namespace

extern "C" int64_t nx_ipc_recv(nx_handle_t ep, nx_ipc_words_t *out) { return Receive(ep, out); }

extern "C" int64_t nx_ipc_reply(uint64_t w0, uint64_t, uint64_t, uint64_t, uint64_t info) {
  g_replies.push_back(
      {static_cast<int64_t>(w0),
       std::string(reinterpret_cast<const char *>(BufBytes()), info >> NX_MSG_INFO_BYTES_SHIFT)});
  return NX_OK;
}

extern "C" int64_t nx_ipc_reply_recv(nx_handle_t ep, uint64_t w0, uint64_t w1, uint64_t w2,
                                     uint64_t w3, uint64_t info, nx_ipc_words_t *out) {
  if (ep != kServeEp || g_script.empty()) return NX_ERR_BAD_HANDLE;
  nx_ipc_reply(w0, w1, w2, w3, info);
  return Receive(ep, out);
}

namespace {

constexpr uint64_t kInit = BOOTPLAN_BADGE_INIT;
constexpr uint64_t kLogd = BOOTPLAN_BADGE(0);
constexpr uint64_t kShell = BOOTPLAN_BADGE(1);
constexpr uint64_t kUart = BOOTPLAN_BADGE(2);

// An endpoint handle as a server must register it, and its object.
constexpr uint32_t kServeRights = NX_RIGHT_WRITE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER;
constexpr int kLogEp = 7;
constexpr Cap kLogEndpoint = {kLogEp, kServeRights, 0};

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_handles.clear();
    g_next = 100;
    g_mint_error = NX_OK;
    g_script.clear();
    g_replies.clear();
    registry_service_init(&s_);
  }

  // A call as registryd receives it: its bytes and handles (new handles in
  // registryd's table) in the IPC buffer. Returns the reply's status.
  int64_t Call(uint64_t badge, uint32_t method, uint64_t w1, uint64_t w2, const std::string &bytes,
               const std::vector<Cap> &caps = {}) {
    memset(g_buf, 0xa5, sizeof g_buf);
    memcpy(BufBytes(), bytes.data(), bytes.size());
    for (size_t i = 0; i < caps.size(); i++) {
      BufHandles()[i] = g_next;
      g_handles[g_next++] = caps[i];
    }
    nx_ipc_words_t in = {REGISTRY_CALL_W0(method), w1, w2, 0,
                         caps.size() | bytes.size() << NX_MSG_INFO_BYTES_SHIFT};
    int64_t status = registry_dispatch(&registry_service_ops, &s_, badge, &in, &out_);
    EXPECT_EQ(status, static_cast<int64_t>(out_.w0));
    if (status != NX_OK) EXPECT_EQ(out_.info, 0u) << "a refusal carries nothing";
    return status;
  }
  int64_t Grant(uint64_t caller, uint64_t program, uint32_t rights, const std::string &name) {
    return Call(caller, REGISTRY_METHOD_GRANT, program, rights, name);
  }
  int64_t NameBadge(uint64_t caller, uint64_t program, const std::string &name) {
    return Call(caller, REGISTRY_METHOD_NAME_BADGE, program, 0, name);
  }
  int64_t Register(uint64_t caller, const std::string &name, Cap endpoint) {
    return Call(caller, REGISTRY_METHOD_REGISTER_ENDPOINT, 0, 0, name, {endpoint});
  }
  // A lookup; on success the reply's handle moves out to *got.
  int64_t Lookup(uint64_t caller, const std::string &name, Cap *got = nullptr) {
    int64_t status = Call(caller, REGISTRY_METHOD_LOOKUP, 0, 0, name);
    if (status != NX_OK) return status;
    EXPECT_EQ(out_.info, 1u) << "one handle, no bytes";
    auto it = g_handles.find(BufHandles()[0]);
    EXPECT_NE(it, g_handles.end()) << "the reply moves a handle registryd holds";
    if (it == g_handles.end()) return NX_ERR_BAD_HANDLE;
    if (got) *got = it->second;
    g_handles.erase(it);
    return status;
  }
  // The boot sequence's part for logd (serves "log") and the shell (looks it up).
  void Boot() {
    ASSERT_EQ(Grant(kInit, kLogd, REGISTRY_SERVE, "log"), NX_OK);
    ASSERT_EQ(Grant(kInit, kShell, REGISTRY_LOOKUP, "log"), NX_OK);
    ASSERT_EQ(NameBadge(kInit, kLogd, "logd"), NX_OK);
    ASSERT_EQ(NameBadge(kInit, kShell, "shell"), NX_OK);
  }
  // The objects registryd holds handles to.
  static std::multiset<int> Held() {
    std::multiset<int> objects;
    for (const auto &h : g_handles) objects.insert(h.second.object);
    return objects;
  }

  registry_service_t s_;
  nx_ipc_words_t out_;
};

// ---- The boot contract, end to end ----

TEST_F(ServiceTest, ClientGetsABadgedSendHandleToTheRegisteredEndpoint) {
  Boot();
  ASSERT_EQ(Register(kLogd, "log", kLogEndpoint), NX_OK);
  EXPECT_EQ(Held(), std::multiset<int>{kLogEp}) << "the endpoint kept; the probe copy closed";
  Cap got = {};
  ASSERT_EQ(Lookup(kShell, "log", &got), NX_OK);
  EXPECT_EQ(got.object, kLogEp);
  EXPECT_EQ(got.rights, NX_RIGHT_WRITE | NX_RIGHT_TRANSFER);
  EXPECT_EQ(got.badge, kShell) << "the caller's own badge";
  EXPECT_EQ(Held(), std::multiset<int>{kLogEp}) << "the copy went to the caller";
  const Cap &kept = g_handles.begin()->second;
  EXPECT_EQ(kept.rights, kServeRights);
  EXPECT_EQ(kept.badge, 0u) << "the stored endpoint stays unbadged";
}

// ---- lookup ----

TEST_F(ServiceTest, LookupRefusesUngrantedUnregisteredAndBadNames) {
  Boot();
  EXPECT_EQ(Lookup(kShell, "log"), NX_ERR_NOT_FOUND) << "granted, not registered yet";
  ASSERT_EQ(Register(kLogd, "log", kLogEndpoint), NX_OK);
  EXPECT_EQ(Lookup(kUart, "log"), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(Lookup(kUart, "nosuch"), NX_ERR_ACCESS_DENIED) << "no probing for names";
  EXPECT_EQ(Lookup(kLogd, "log"), NX_ERR_ACCESS_DENIED) << "serving is not lookup";
  EXPECT_EQ(Lookup(0, "log"), NX_ERR_ACCESS_DENIED) << "unbadged callers are nobody";
  EXPECT_EQ(Lookup(kShell, ""), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Lookup(kShell, "l g"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Held(), std::multiset<int>{kLogEp}) << "refused lookups mint nothing";
}

TEST_F(ServiceTest, LookupPassesOnAMintFailure) {
  Boot();
  ASSERT_EQ(Register(kLogd, "log", kLogEndpoint), NX_OK);
  g_mint_error = NX_ERR_NO_MEMORY;  // registryd's handle table is full
  EXPECT_EQ(Lookup(kShell, "log"), NX_ERR_NO_MEMORY);
  EXPECT_EQ(Held(), std::multiset<int>{kLogEp});
}

// ---- register_endpoint ----

TEST_F(ServiceTest, RegisterRefusesCallersWithoutTheServeGrantAndClosesTheHandle) {
  Boot();
  EXPECT_EQ(Register(kShell, "log", kLogEndpoint), NX_ERR_ACCESS_DENIED) << "lookup is not serve";
  EXPECT_EQ(Register(kUart, "log", kLogEndpoint), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(Register(0, "log", kLogEndpoint), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(Register(kInit, "log", kLogEndpoint), NX_ERR_ACCESS_DENIED) << "init has no grant";
  EXPECT_EQ(Register(kLogd, "", kLogEndpoint), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Register(kLogd, "log\n", kLogEndpoint), NX_ERR_INVALID_ARGS);
  EXPECT_TRUE(Held().empty());
  EXPECT_EQ(Lookup(kShell, "log"), NX_ERR_NOT_FOUND);
}

TEST_F(ServiceTest, RegisterRefusesEndpointsNoLookupCouldCopy) {
  Boot();
  EXPECT_EQ(Register(kLogd, "log", {kLogEp, kServeRights, kUart}), NX_ERR_ACCESS_DENIED)
      << "badged";
  EXPECT_EQ(Register(kLogd, "log", {kLogEp, kServeRights & ~NX_RIGHT_DUPLICATE, 0}),
            NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(Register(kLogd, "log", {kLogEp, kServeRights & ~NX_RIGHT_TRANSFER, 0}),
            NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(Register(kLogd, "log", {kLogEp, kServeRights & ~NX_RIGHT_WRITE, 0}),
            NX_ERR_ACCESS_DENIED);
  g_mint_error = NX_ERR_NO_MEMORY;
  EXPECT_EQ(Register(kLogd, "log", kLogEndpoint), NX_ERR_NO_MEMORY);
  EXPECT_TRUE(Held().empty());
  EXPECT_EQ(Lookup(kShell, "log"), NX_ERR_NOT_FOUND);
}

TEST_F(ServiceTest, RegisterRefusesANameAnotherServerHolds) {
  Boot();
  ASSERT_EQ(Grant(kInit, kUart, REGISTRY_SERVE, "log"), NX_OK);  // two servers for one name
  ASSERT_EQ(Register(kLogd, "log", kLogEndpoint), NX_OK);
  EXPECT_EQ(Register(kUart, "log", {8, kServeRights, 0}), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(Held(), std::multiset<int>{kLogEp});
}

TEST_F(ServiceTest, RegisterRefusesANewNameWhenTheTableIsFull) {
  for (int i = 0; i <= static_cast<int>(REGISTRY_TABLE_ENTRIES); i++) {
    ASSERT_EQ(Grant(kInit, kLogd, REGISTRY_SERVE, "svc" + std::to_string(i)), NX_OK);
  }
  for (int i = 0; i < static_cast<int>(REGISTRY_TABLE_ENTRIES); i++) {
    ASSERT_EQ(Register(kLogd, "svc" + std::to_string(i), {i, kServeRights, 0}), NX_OK);
  }
  EXPECT_EQ(Register(kLogd, "svc" + std::to_string(REGISTRY_TABLE_ENTRIES), {99, kServeRights, 0}),
            NX_ERR_NO_MEMORY);
  EXPECT_EQ(Held().count(99), 0u);
  EXPECT_EQ(Held().size(), REGISTRY_TABLE_ENTRIES);
}

TEST_F(ServiceTest, ARestartedServerReplacesItsEndpointAndTheOldOneIsClosed) {
  Boot();
  ASSERT_EQ(Register(kLogd, "log", kLogEndpoint), NX_OK);
  ASSERT_EQ(Register(kLogd, "log", {8, kServeRights, 0}), NX_OK);
  EXPECT_EQ(Held(), std::multiset<int>{8});
  Cap got = {};
  ASSERT_EQ(Lookup(kShell, "log", &got), NX_OK);
  EXPECT_EQ(got.object, 8);
}

TEST_F(ServiceTest, ACallBringingTheWrongHandlesIsRefusedAndItsHandlesClosed) {
  Boot();
  EXPECT_EQ(Call(kLogd, REGISTRY_METHOD_REGISTER_ENDPOINT, 0, 0, "log"), NX_ERR_BAD_FORMAT);
  EXPECT_EQ(Call(kLogd, REGISTRY_METHOD_REGISTER_ENDPOINT, 0, 0, "log",
                 {kLogEndpoint, {8, kServeRights, 0}}),
            NX_ERR_BAD_FORMAT);
  EXPECT_EQ(Call(kShell, REGISTRY_METHOD_LOOKUP, 0, 0, "log", {kLogEndpoint}), NX_ERR_BAD_FORMAT);
  EXPECT_TRUE(Held().empty());
}

// ---- grant ----

TEST_F(ServiceTest, OnlyInitGrants) {
  EXPECT_EQ(Grant(kLogd, kLogd, REGISTRY_SERVE, "log"), NX_ERR_ACCESS_DENIED) << "not itself";
  EXPECT_EQ(Grant(kShell, kShell, REGISTRY_LOOKUP, "log"), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(Grant(0, kShell, REGISTRY_LOOKUP, "log"), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(Register(kLogd, "log", kLogEndpoint), NX_ERR_ACCESS_DENIED) << "nothing was granted";
  EXPECT_EQ(Lookup(kShell, "log"), NX_ERR_ACCESS_DENIED);
}

TEST_F(ServiceTest, GrantRefusesBadArguments) {
  EXPECT_EQ(Grant(kInit, 0, REGISTRY_LOOKUP, "log"), NX_ERR_INVALID_ARGS) << "badge 0";
  EXPECT_EQ(Grant(kInit, kShell, 0, "log"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Grant(kInit, kShell, 4, "log"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Grant(kInit, kShell, REGISTRY_LOOKUP, ""), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Call(kInit, REGISTRY_METHOD_GRANT, kShell, 1ull << 32 | REGISTRY_LOOKUP, "log"),
            NX_ERR_INVALID_ARGS)
      << "rights over 32 bits";
  EXPECT_EQ(Lookup(kShell, "log"), NX_ERR_ACCESS_DENIED);
}

TEST_F(ServiceTest, GrantRefusesWhenTheGrantSetIsFull) {
  for (int i = 0; i < static_cast<int>(REGISTRY_GRANTS); i++) {
    ASSERT_EQ(Grant(kInit, kShell, REGISTRY_LOOKUP, "svc" + std::to_string(i)), NX_OK);
  }
  EXPECT_EQ(Grant(kInit, kShell, REGISTRY_LOOKUP, "log"), NX_ERR_NO_MEMORY);
}

// ---- setup_done ----

TEST_F(ServiceTest, OnlyInitEndsTheSetup) {
  EXPECT_FALSE(s_.setup_done) << "a new registry waits for init";
  EXPECT_EQ(Call(kLogd, REGISTRY_METHOD_SETUP_DONE, 0, 0, ""), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(Call(0, REGISTRY_METHOD_SETUP_DONE, 0, 0, ""), NX_ERR_ACCESS_DENIED);
  EXPECT_FALSE(s_.setup_done);
  EXPECT_EQ(Call(kInit, REGISTRY_METHOD_SETUP_DONE, 0, 0, ""), NX_OK);
  EXPECT_TRUE(s_.setup_done);
}

// ---- name_badge and name_of ----

TEST_F(ServiceTest, AnyoneLearnsTheNameInitGaveABadge) {
  Boot();
  ASSERT_EQ(Call(kShell, REGISTRY_METHOD_NAME_OF, kLogd, 0, ""), NX_OK);
  EXPECT_EQ(out_.info, 4ull << NX_MSG_INFO_BYTES_SHIFT) << "4 bytes, no handle";
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(BufBytes()), 4), "logd");
  ASSERT_EQ(NameBadge(kInit, kLogd, "log"), NX_OK) << "renamed";
  ASSERT_EQ(Call(0, REGISTRY_METHOD_NAME_OF, kLogd, 0, ""), NX_OK) << "even unbadged";
  EXPECT_EQ(
      std::string(reinterpret_cast<const char *>(BufBytes()), out_.info >> NX_MSG_INFO_BYTES_SHIFT),
      "log");
}

TEST_F(ServiceTest, NameOfAnUnnamedBadgeIsNotFound) {
  Boot();
  EXPECT_EQ(Call(kShell, REGISTRY_METHOD_NAME_OF, kUart, 0, ""), NX_ERR_NOT_FOUND);
  EXPECT_EQ(Call(kShell, REGISTRY_METHOD_NAME_OF, 0, 0, ""), NX_ERR_NOT_FOUND);
  EXPECT_EQ(Call(kShell, REGISTRY_METHOD_NAME_OF, kInit, 0, ""), NX_ERR_NOT_FOUND);
}

TEST_F(ServiceTest, OnlyInitNamesBadgesAndOnlyProgramBadges) {
  EXPECT_EQ(NameBadge(kLogd, kLogd, "init"), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(NameBadge(0, kShell, "x"), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(NameBadge(kInit, 0, "x"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(NameBadge(kInit, kInit, "init"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(NameBadge(kInit, kShell, "two words"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Call(kShell, REGISTRY_METHOD_NAME_OF, kLogd, 0, ""), NX_ERR_NOT_FOUND);
  EXPECT_EQ(Call(kShell, REGISTRY_METHOD_NAME_OF, kShell, 0, ""), NX_ERR_NOT_FOUND);
}

// ---- The loop registryd runs ----

TEST_F(ServiceTest, RegistrydsLoopAnswersEveryCallUntilReceivingFails) {
  g_script = {
      {kInit, {REGISTRY_CALL_W0(REGISTRY_METHOD_NAME_BADGE), kLogd, 0, 0, 0}, "logd"},
      {kLogd, {REGISTRY_CALL_W0(REGISTRY_METHOD_NAME_BADGE), kLogd, 0, 0, 0}, "init"},
      {kShell, {REGISTRY_CALL_W0(REGISTRY_METHOD_NAME_OF), kLogd, 0, 0, 0}, ""},
  };
  EXPECT_EQ(registry_serve(kServeEp, &registry_service_ops, &s_), NX_ERR_BAD_HANDLE);
  ASSERT_EQ(g_replies.size(), 3u);
  EXPECT_EQ(g_replies[0].status, NX_OK);
  EXPECT_EQ(g_replies[1].status, NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(g_replies[2].status, NX_OK);
  EXPECT_EQ(g_replies[2].bytes, "logd");
}

}  // namespace
