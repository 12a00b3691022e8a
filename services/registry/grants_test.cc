// The grant set: adding, combining, revoking and its bounds.
#include <gtest/gtest.h>

#include <string>

#include "neuron/errors.h"
#include "neuron/registry_grants.h"

namespace {

class RegistryGrantsTest : public ::testing::Test {
 protected:
  void SetUp() override { registry_grants_init(&g_); }
  int Add(uint64_t badge, const std::string &name, uint32_t rights) {
    return registry_grants_add(&g_, badge, name.data(), name.size(), rights);
  }
  uint32_t Rights(uint64_t badge, const std::string &name) {
    return registry_grants_rights(&g_, badge, name.data(), name.size());
  }
  registry_grants_t g_;
};

TEST_F(RegistryGrantsTest, GrantsAreKeyedByBadgeAndName) {
  ASSERT_EQ(Add(1, "log", REGISTRY_LOOKUP), NX_OK);
  ASSERT_EQ(Add(2, "log", REGISTRY_SERVE), NX_OK);
  EXPECT_EQ(Rights(1, "log"), REGISTRY_LOOKUP);
  EXPECT_EQ(Rights(2, "log"), REGISTRY_SERVE);
  EXPECT_EQ(Rights(1, "uart"), 0u);
  EXPECT_EQ(Rights(3, "log"), 0u);
  EXPECT_EQ(Rights(1, "lo"), 0u);
  EXPECT_EQ(Rights(1, "logs"), 0u);
}

TEST_F(RegistryGrantsTest, GrantingAgainAddsRights) {
  ASSERT_EQ(Add(1, "log", REGISTRY_LOOKUP), NX_OK);
  ASSERT_EQ(Add(1, "log", REGISTRY_LOOKUP), NX_OK);
  EXPECT_EQ(Rights(1, "log"), REGISTRY_LOOKUP);
  ASSERT_EQ(Add(1, "log", REGISTRY_SERVE), NX_OK);
  EXPECT_EQ(Rights(1, "log"), REGISTRY_RIGHTS_ALL);
  EXPECT_EQ(registry_grants_revoke(&g_, 1), 1u) << "one slot per (badge, name)";
}

TEST_F(RegistryGrantsTest, RefusesBadArguments) {
  EXPECT_EQ(Add(0, "log", REGISTRY_LOOKUP), NX_ERR_INVALID_ARGS) << "badge 0 is nobody";
  EXPECT_EQ(Add(1, "log", 0), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Add(1, "log", 4), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Add(1, "log", REGISTRY_RIGHTS_ALL | 8), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Add(1, "", REGISTRY_LOOKUP), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Add(1, "a b", REGISTRY_LOOKUP), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Add(1, std::string(REGISTRY_NAME_MAX + 1, 'n'), REGISTRY_LOOKUP), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(registry_grants_add(&g_, 1, nullptr, 3, REGISTRY_LOOKUP), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Rights(1, "log"), 0u) << "a refused grant leaves nothing behind";
}

TEST_F(RegistryGrantsTest, BadgeZeroAndBadNamesHoldNothing) {
  // Free slots are badge 0: asking for badge 0 must not match one of them.
  EXPECT_EQ(Rights(0, "log"), 0u);
  ASSERT_EQ(Add(1, "log", REGISTRY_LOOKUP), NX_OK);
  ASSERT_EQ(registry_grants_revoke(&g_, 1), 1u);
  EXPECT_EQ(Rights(0, "log"), 0u) << "the freed slot still holds the name";
  EXPECT_EQ(Rights(1, ""), 0u);
  EXPECT_EQ(registry_grants_rights(&g_, 1, nullptr, 0), 0u);
  EXPECT_EQ(registry_grants_revoke(&g_, 0), 0u);
}

TEST_F(RegistryGrantsTest, FullSetRefusesNewPairsButNotOldOnes) {
  for (uint32_t i = 0; i < REGISTRY_GRANTS; i++) {
    ASSERT_EQ(Add(1 + i % 4, "n" + std::to_string(i), REGISTRY_LOOKUP), NX_OK) << i;
  }
  EXPECT_EQ(Add(9, "log", REGISTRY_LOOKUP), NX_ERR_NO_MEMORY);
  EXPECT_EQ(Rights(9, "log"), 0u);
  EXPECT_EQ(Add(1, "n0", REGISTRY_SERVE), NX_OK) << "adding rights needs no new slot";
  EXPECT_EQ(Rights(1, "n0"), REGISTRY_RIGHTS_ALL);
  EXPECT_EQ(registry_grants_revoke(&g_, 2), REGISTRY_GRANTS / 4);
  EXPECT_EQ(Rights(2, "n1"), 0u);
  EXPECT_EQ(Rights(3, "n2"), REGISTRY_LOOKUP) << "other badges keep theirs";
  EXPECT_EQ(Add(9, "log", REGISTRY_LOOKUP), NX_OK) << "revoking freed slots";
}

}  // namespace
