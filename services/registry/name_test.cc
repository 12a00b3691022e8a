// Service names: the accepted alphabet and the length bound.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "neuron/errors.h"
#include "neuron/registry_name.h"

namespace {

int Check(const std::string &s) { return registry_name_check(s.data(), s.size()); }

TEST(RegistryName, AcceptsProgramNames) {
  EXPECT_EQ(Check("log"), NX_OK);
  EXPECT_EQ(Check("uart-console"), NX_OK);
  EXPECT_EQ(Check("drivers/uart_0.v2"), NX_OK);
  EXPECT_EQ(Check("A"), NX_OK);
  EXPECT_EQ(Check(std::string(REGISTRY_NAME_MAX, 'x')), NX_OK);
}

TEST(RegistryName, RefusesEmptyLongNullAndOddBytes) {
  EXPECT_EQ(Check(""), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Check(std::string(REGISTRY_NAME_MAX + 1, 'x')), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(registry_name_check(nullptr, 3), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Check("two words"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Check(std::string("nul\0inside", 10)), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Check("line\n"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Check("\x1b[2J"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Check("caf\xc3\xa9"), NX_ERR_INVALID_ARGS);
}

TEST(RegistryName, EqualComparesCountedBytesWithAStoredName) {
  EXPECT_TRUE(registry_name_equal("log", "log", 3));
  EXPECT_TRUE(registry_name_equal("log", "logger", 3)) << "only len bytes count";
  EXPECT_FALSE(registry_name_equal("log", "logger", 6));
  EXPECT_FALSE(registry_name_equal("logger", "log", 3));
  EXPECT_FALSE(registry_name_equal("log", "lag", 3));
  EXPECT_FALSE(registry_name_equal("", "x", REGISTRY_NAME_MAX + 1));
}

TEST(RegistryName, CopyTerminates) {
  char out[REGISTRY_NAME_MAX + 1];
  memset(out, 'z', sizeof(out));
  registry_name_copy(out, "uart!!", 4);
  EXPECT_STREQ(out, "uart");
}

}  // namespace
