// The name table: registration, lookups through the grant set, restart
// replacement and removal, and every error each of them returns.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "neuron/errors.h"
#include "neuron/registry_table.h"

namespace {

constexpr uint64_t kLogServer = 10, kUartServer = 11, kClient = 20, kOther = 21;

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_table_init(&r_);
    Grant(kLogServer, "log", REGISTRY_SERVE);
    Grant(kUartServer, "uart", REGISTRY_SERVE);
    Grant(kClient, "log", REGISTRY_LOOKUP);
  }
  void Grant(uint64_t badge, const std::string &name, uint32_t rights) {
    ASSERT_EQ(registry_grants_add(&r_.grants, badge, name.data(), name.size(), rights), NX_OK);
  }
  int Register(uint64_t owner, const std::string &name, uint32_t ep, uint32_t *replaced = nullptr) {
    return registry_table_register(&r_, owner, name.data(), name.size(), ep, replaced);
  }
  int Lookup(uint64_t client, const std::string &name, uint32_t *ep) {
    return registry_table_lookup(&r_, client, name.data(), name.size(), ep);
  }
  int Unregister(uint64_t owner, const std::string &name, uint32_t *ep = nullptr) {
    return registry_table_unregister(&r_, owner, name.data(), name.size(), ep);
  }
  static void Release(void *ctx, uint32_t ep) {
    static_cast<std::vector<uint32_t> *>(ctx)->push_back(ep);
  }
  registry_table_t r_;
};

TEST_F(TableTest, GrantedClientFindsTheRegisteredEndpoint) {
  uint32_t replaced = 99;
  ASSERT_EQ(Register(kLogServer, "log", 0x10005, &replaced), NX_OK);
  EXPECT_EQ(replaced, 0u);
  EXPECT_EQ(registry_table_count(&r_), 1u);
  uint32_t ep = 0;
  ASSERT_EQ(Lookup(kClient, "log", &ep), NX_OK);
  EXPECT_EQ(ep, 0x10005u);
}

TEST_F(TableTest, UngrantedClientIsDeniedWhetherOrNotTheNameExists) {
  ASSERT_EQ(Register(kLogServer, "log", 5), NX_OK);
  uint32_t ep = 77;
  EXPECT_EQ(Lookup(kOther, "log", &ep), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(Lookup(kClient, "uart", &ep), NX_ERR_ACCESS_DENIED) << "granted log, not uart";
  EXPECT_EQ(Lookup(kClient, "nosuch", &ep), NX_ERR_ACCESS_DENIED) << "no probing for names";
  EXPECT_EQ(Lookup(0, "log", &ep), NX_ERR_ACCESS_DENIED) << "unbadged callers are nobody";
  EXPECT_EQ(Lookup(kLogServer, "log", &ep), NX_ERR_ACCESS_DENIED) << "serving is not lookup";
  EXPECT_EQ(ep, 77u) << "a refused lookup writes nothing";
}

TEST_F(TableTest, GrantedButUnregisteredNameIsNotFound) {
  uint32_t ep = 77;
  EXPECT_EQ(Lookup(kClient, "log", &ep), NX_ERR_NOT_FOUND);
  EXPECT_EQ(ep, 77u);
}

TEST_F(TableTest, LookupRefusesBadNamesAndNullOutput) {
  ASSERT_EQ(Register(kLogServer, "log", 5), NX_OK);
  uint32_t ep = 0;
  EXPECT_EQ(Lookup(kClient, "", &ep), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Lookup(kClient, std::string(REGISTRY_NAME_MAX + 1, 'l'), &ep), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Lookup(kClient, "lo g", &ep), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(registry_table_lookup(&r_, kClient, nullptr, 3, &ep), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Lookup(kClient, "log", nullptr), NX_ERR_INVALID_ARGS);
}

TEST_F(TableTest, RegisteringNeedsTheServeGrant) {
  EXPECT_EQ(Register(kClient, "log", 5), NX_ERR_ACCESS_DENIED) << "lookup is not serve";
  EXPECT_EQ(Register(kLogServer, "uart", 5), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(Register(kOther, "anything", 5), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(Register(0, "log", 5), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(registry_table_count(&r_), 0u);
}

TEST_F(TableTest, CheckServeIsTheGrantAndTheNameOnly) {
  EXPECT_EQ(registry_table_check_serve(&r_, kLogServer, "log", 3), NX_OK);
  EXPECT_EQ(registry_table_check_serve(&r_, kClient, "log", 3), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(registry_table_check_serve(&r_, 0, "log", 3), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(registry_table_check_serve(&r_, kLogServer, "log\n", 4), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(registry_table_check_serve(&r_, kLogServer, nullptr, 3), NX_ERR_INVALID_ARGS);
  Grant(kUartServer, "log", REGISTRY_SERVE);
  ASSERT_EQ(Register(kLogServer, "log", 5), NX_OK);
  EXPECT_EQ(registry_table_check_serve(&r_, kUartServer, "log", 3), NX_OK)
      << "who holds the name is register's to say";
}

TEST_F(TableTest, RegisterRefusesBadNamesAndEndpointZero) {
  uint32_t replaced = 99;
  EXPECT_EQ(Register(kLogServer, "", 5, &replaced), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(replaced, 0u) << "*replaced is always written";
  EXPECT_EQ(Register(kLogServer, "log\n", 5), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(registry_table_register(&r_, kLogServer, nullptr, 3, 5, nullptr), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Register(kLogServer, "log", 0), NX_ERR_BAD_HANDLE);
  EXPECT_EQ(registry_table_count(&r_), 0u);
}

TEST_F(TableTest, ANameIsRegisteredOnce) {
  Grant(kUartServer, "log", REGISTRY_SERVE);  // a manifest with two servers for one name
  ASSERT_EQ(Register(kLogServer, "log", 5), NX_OK);
  uint32_t replaced = 99;
  EXPECT_EQ(Register(kUartServer, "log", 6, &replaced), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(replaced, 0u);
  uint32_t ep = 0;
  ASSERT_EQ(Lookup(kClient, "log", &ep), NX_OK);
  EXPECT_EQ(ep, 5u) << "the first server keeps the name";
  EXPECT_EQ(Unregister(kUartServer, "log"), NX_ERR_ACCESS_DENIED);
  EXPECT_EQ(registry_table_remove_owner(&r_, kUartServer, nullptr, nullptr), 0u);
  ASSERT_EQ(Lookup(kClient, "log", &ep), NX_OK);
  EXPECT_EQ(ep, 5u);
}

TEST_F(TableTest, RestartedOwnerReplacesItsEndpoint) {
  ASSERT_EQ(Register(kLogServer, "log", 5), NX_OK);
  // The server crashed and init restarted it with the same badge before
  // telling the registry: its new endpoint replaces the dead one.
  uint32_t replaced = 0;
  ASSERT_EQ(Register(kLogServer, "log", 9, &replaced), NX_OK);
  EXPECT_EQ(replaced, 5u) << "the glue closes the dead endpoint";
  EXPECT_EQ(registry_table_count(&r_), 1u);
  uint32_t ep = 0;
  ASSERT_EQ(Lookup(kClient, "log", &ep), NX_OK);
  EXPECT_EQ(ep, 9u);
  ASSERT_EQ(Register(kLogServer, "log", 9, &replaced), NX_OK);
  EXPECT_EQ(replaced, 0u) << "the same handle again: nothing to close";
  ASSERT_EQ(Register(kLogServer, "log", 12, nullptr), NX_OK) << "replaced may be NULL";
  ASSERT_EQ(Lookup(kClient, "log", &ep), NX_OK);
  EXPECT_EQ(ep, 12u);
}

TEST_F(TableTest, FullTableRefusesNewNamesButStillReplaces) {
  for (uint32_t i = 0; i < REGISTRY_TABLE_ENTRIES; i++) {
    std::string name = "svc" + std::to_string(i);
    Grant(kOther, name, REGISTRY_SERVE);
    ASSERT_EQ(Register(kOther, name, 100 + i), NX_OK) << i;
  }
  EXPECT_EQ(registry_table_count(&r_), REGISTRY_TABLE_ENTRIES);
  EXPECT_EQ(Register(kLogServer, "log", 5), NX_ERR_NO_MEMORY);
  uint32_t replaced = 0;
  EXPECT_EQ(Register(kOther, "svc3", 7, &replaced), NX_OK);
  EXPECT_EQ(replaced, 103u);
  uint32_t ep = 0;
  ASSERT_EQ(Unregister(kOther, "svc0", &ep), NX_OK);
  EXPECT_EQ(ep, 100u);
  EXPECT_EQ(Register(kLogServer, "log", 5), NX_OK) << "a freed slot is reused";
}

TEST_F(TableTest, UnregisterReturnsTheEndpointAndEveryError) {
  Grant(kUartServer, "log", REGISTRY_SERVE);
  uint32_t ep = 77;
  EXPECT_EQ(Unregister(kLogServer, "log", &ep), NX_ERR_NOT_FOUND);
  EXPECT_EQ(Unregister(kLogServer, "", &ep), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Unregister(kClient, "log", &ep), NX_ERR_ACCESS_DENIED) << "no serve grant";
  ASSERT_EQ(Register(kLogServer, "log", 5), NX_OK);
  EXPECT_EQ(Unregister(kUartServer, "log", &ep), NX_ERR_ACCESS_DENIED) << "not the owner";
  EXPECT_EQ(ep, 77u);
  ASSERT_EQ(Unregister(kLogServer, "log", &ep), NX_OK);
  EXPECT_EQ(ep, 5u);
  EXPECT_EQ(Lookup(kClient, "log", &ep), NX_ERR_NOT_FOUND);
  EXPECT_EQ(Unregister(kLogServer, "log", nullptr), NX_ERR_NOT_FOUND);
  ASSERT_EQ(Register(kUartServer, "log", 6), NX_OK) << "a free name can be taken";
}

TEST_F(TableTest, DeadServerLosesItsNamesAndKeepsItsGrants) {
  Grant(kLogServer, "log-admin", REGISTRY_SERVE);
  Grant(kClient, "uart", REGISTRY_LOOKUP);
  ASSERT_EQ(Register(kLogServer, "log", 5), NX_OK);
  ASSERT_EQ(Register(kLogServer, "log-admin", 6), NX_OK);
  ASSERT_EQ(Register(kUartServer, "uart", 7), NX_OK);
  std::vector<uint32_t> released;
  EXPECT_EQ(registry_table_remove_owner(&r_, kLogServer, &TableTest::Release, &released), 2u);
  EXPECT_EQ(released, (std::vector<uint32_t>{5, 6}));
  uint32_t ep = 0;
  EXPECT_EQ(Lookup(kClient, "log", &ep), NX_ERR_NOT_FOUND);
  ASSERT_EQ(Lookup(kClient, "uart", &ep), NX_OK) << "other servers stay";
  EXPECT_EQ(ep, 7u);
  EXPECT_EQ(registry_table_remove_owner(&r_, kLogServer, &TableTest::Release, &released), 0u);
  EXPECT_EQ(registry_table_remove_owner(&r_, 0, &TableTest::Release, &released), 0u);
  EXPECT_EQ(released.size(), 2u);
  uint32_t replaced = 99;
  ASSERT_EQ(Register(kLogServer, "log", 8, &replaced), NX_OK) << "the restart registers again";
  EXPECT_EQ(replaced, 0u);
  ASSERT_EQ(Lookup(kClient, "log", &ep), NX_OK);
  EXPECT_EQ(ep, 8u);
}

TEST_F(TableTest, RevokedClientIsDenied) {
  ASSERT_EQ(Register(kLogServer, "log", 5), NX_OK);
  EXPECT_EQ(registry_grants_revoke(&r_.grants, kClient), 1u);
  uint32_t ep = 0;
  EXPECT_EQ(Lookup(kClient, "log", &ep), NX_ERR_ACCESS_DENIED);
}

}  // namespace
