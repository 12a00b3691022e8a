// The boot plan reader: the plan the manifest checker writes (the golden
// tests/manifest/good.bootplan, passed as argv[1]) reads back as written,
// and every malformed plan is refused with a reason.
#include "neuron/bootplan.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "neuron/errors.h"

namespace {

std::string g_golden_path;

std::string ReadFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Parsed {
  int err;
  std::string why;
  uint32_t line;
};

Parsed Parse(const std::string &text, bootplan_t *plan) {
  const char *why = "";
  uint32_t line = 99;
  int err = bootplan_parse(text.data(), text.size(), plan, &why, &line);
  return {err, why, line};
}

TEST(Bootplan, ReadsThePlanTheCheckerWrote) {
  const std::string text = ReadFile(g_golden_path);
  ASSERT_FALSE(text.empty()) << g_golden_path;
  static bootplan_t plan;
  const Parsed r = Parse(text, &plan);
  ASSERT_EQ(r.err, NX_OK) << r.why << " at line " << r.line;
  EXPECT_EQ(r.line, 0u);
  ASSERT_EQ(plan.count, 3u);
  const bootplan_program_t &uart = plan.programs[0];
  EXPECT_STREQ(uart.name, "uart");
  EXPECT_EQ(uart.priority, 20u);
  EXPECT_EQ(uart.quota_pages, 64u);
  EXPECT_STREQ(uart.provides, "console");
  ASSERT_EQ(uart.mmio_count, 1u);
  EXPECT_TRUE(bootplan_has(uart.mmio, uart.mmio_count, "uart"));
  EXPECT_TRUE(bootplan_has(uart.irqs, uart.irq_count, "uart"));
  EXPECT_FALSE(bootplan_has(uart.irqs, uart.irq_count, "virtio"));
  const bootplan_program_t &logd = plan.programs[1];
  EXPECT_STREQ(logd.name, "logd");
  EXPECT_STREQ(logd.provides, "log");
  ASSERT_EQ(logd.call_count, 1u);
  EXPECT_STREQ(logd.calls[0], "console");
  const bootplan_program_t &client = plan.programs[2];
  EXPECT_STREQ(client.provides, "");
  EXPECT_EQ(client.priority, 8u);
  EXPECT_TRUE(bootplan_has(client.calls, client.call_count, "log"));
}

const char kOne[] = "nexus-bootplan 1\nprograms 1\nprogram a\npriority 3\nquota 4\nend\n";

TEST(Bootplan, AMinimalPlan) {
  static bootplan_t plan;
  const Parsed r = Parse(kOne, &plan);
  ASSERT_EQ(r.err, NX_OK) << r.why;
  EXPECT_EQ(plan.count, 1u);
  EXPECT_EQ(plan.programs[0].mmio_count, 0u);
}

struct Bad {
  const char *text;
  const char *why;
  uint32_t line;
};

TEST(Bootplan, RefusesMalformedPlans) {
  const std::string calls17 = [] {
    std::string s = "nexus-bootplan 1\nprograms 1\nprogram a\npriority 1\nquota 1\n";
    for (int i = 0; i < 17; i++) s += "calls s" + std::to_string(i) + "\n";
    return s + "end\n";
  }();
  const Bad cases[] = {
      {"", "a line without its newline", 0},
      {"nexus-bootplan 1", "a line without its newline", 0},
      {"bootplan 1\n", "not a boot plan", 1},
      {"nexus-bootplan 2\nprograms 0\n", "a boot plan version this init does not read", 1},
      {"nexus-bootplan 01\n", "a malformed number", 1},
      {"nexus-bootplan 1\nprogram a\n", "no program count", 2},
      {"nexus-bootplan 1\nprograms 33\n", "a number out of range", 2},
      {"nexus-bootplan 1\nprograms 1\n", "a line without its newline", 2},
      {"nexus-bootplan 1\nprograms 1\nend\n", "a line outside a program", 3},
      {"nexus-bootplan 1\nprograms 1\nprogram A\n", "a name with a character outside [a-z0-9_-]",
       3},
      {"nexus-bootplan 1\nprograms 1\nprogram aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
       "a name of the wrong length", 3},
      {"nexus-bootplan 1\nprograms 1\nprogram a\npriority 32\n", "a number out of range", 4},
      {"nexus-bootplan 1\nprograms 1\nprogram a\npriority x\n", "a malformed number", 4},
      {"nexus-bootplan 1\nprograms 1\nprogram a\nquota 1\nend\n",
       "a program without priority or quota", 5},
      {"nexus-bootplan 1\nprograms 1\nprogram a\nweight 1\n", "an unknown line in a program", 4},
      {"nexus-bootplan 1\nprograms 1\nprogram a\nprovides x\nprovides y\n",
       "a program provides two services", 5},
      {calls17.c_str(), "too many entries in a list", 22},
      {"nexus-bootplan 1\nprograms 1\nprogram a\npriority 1\tx\n",
       "a byte that is not printable ASCII", 3},
      {"nexus-bootplan 1\nprograms 2\nprogram a\npriority 1\nquota 1\nend\n"
       "program a\npriority 1\nquota 1\nend\n",
       "a program listed twice", 10},
      {"nexus-bootplan 1\nprograms 1\nprogram a\npriority 1\nquota 1\nend\nextra\n",
       "lines after the last program", 6},
  };
  for (const Bad &c : cases) {
    static bootplan_t plan;
    const Parsed r = Parse(c.text, &plan);
    EXPECT_EQ(r.err, NX_ERR_BAD_FORMAT) << c.text;
    EXPECT_EQ(r.why, c.why) << c.text;
    EXPECT_EQ(r.line, c.line) << c.text;
    EXPECT_EQ(plan.count, 0u) << "a refused plan lists nothing: " << c.text;
  }
}

}  // namespace

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc > 1) g_golden_path = argv[1];
  return RUN_ALL_TESTS();
}
