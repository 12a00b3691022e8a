// The programs' names by badge: recorded, replaced, and every refusal.
#include <gtest/gtest.h>

#include <string>

#include "neuron/bootplan.h"
#include "neuron/errors.h"
#include "neuron/registry_programs.h"

namespace {

class ProgramsTest : public ::testing::Test {
 protected:
  void SetUp() override { registry_programs_init(&p_); }
  int Set(uint64_t badge, const std::string &name) {
    return registry_programs_set(&p_, badge, name.data(), name.size());
  }
  registry_programs_t p_;
};

TEST_F(ProgramsTest, NamesEveryProgramBadge) {
  ASSERT_EQ(Set(BOOTPLAN_BADGE(0), "uart"), NX_OK);
  ASSERT_EQ(Set(BOOTPLAN_BADGE(BOOTPLAN_PROGRAMS - 1), std::string(REGISTRY_NAME_MAX, 'z')), NX_OK);
  EXPECT_STREQ(registry_programs_name(&p_, BOOTPLAN_BADGE(0)), "uart");
  EXPECT_EQ(registry_programs_name(&p_, BOOTPLAN_BADGE(BOOTPLAN_PROGRAMS - 1)),
            std::string(REGISTRY_NAME_MAX, 'z'));
}

TEST_F(ProgramsTest, ANameIsReplaced) {
  ASSERT_EQ(Set(2, "shell"), NX_OK);
  ASSERT_EQ(Set(2, "sh"), NX_OK);
  EXPECT_STREQ(registry_programs_name(&p_, 2), "sh");
}

TEST_F(ProgramsTest, UnnamedAndNonProgramBadgesHaveNoName) {
  EXPECT_EQ(registry_programs_name(&p_, 1), nullptr) << "not named yet";
  EXPECT_EQ(registry_programs_name(&p_, 0), nullptr);
  EXPECT_EQ(registry_programs_name(&p_, BOOTPLAN_BADGE_INIT), nullptr);
  EXPECT_EQ(registry_programs_name(&p_, UINT64_MAX), nullptr);
}

TEST_F(ProgramsTest, RefusesNonProgramBadgesAndBadNames) {
  EXPECT_EQ(Set(0, "log"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Set(BOOTPLAN_BADGE_INIT, "init"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Set(UINT64_MAX, "log"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Set(1, ""), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Set(1, "two words"), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(Set(1, std::string(REGISTRY_NAME_MAX + 1, 'x')), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(registry_programs_set(&p_, 1, nullptr, 3), NX_ERR_INVALID_ARGS);
  EXPECT_EQ(registry_programs_name(&p_, 1), nullptr) << "a refused name records nothing";
}

}  // namespace
