// Output lines: "\r\n" ends, cut to SHELL_OUT_LINE_MAX, errors by name.
#include "ui/shell/out.h"

#include <gtest/gtest.h>

#include <string>

#include "neuron/errors.h"
#include "ui/shell/fake_sys.h"

namespace {

using shell_test::FakeSys;

TEST(Out, EachLineEndsInCrLfAndIsOneWrite) {
  FakeSys f;
  shell_print(f.sys(), "%s %d", "a", 1);
  shell_print(f.sys(), "%s", "");
  EXPECT_EQ(f.TakeOutput(), "a 1\r\n\r\n");
  EXPECT_EQ(f.write_sizes, (std::vector<size_t>{5, 2}));
}

TEST(Out, ALongLineIsCutButKeepsItsEnd) {
  FakeSys f;
  std::string text(300, 'x');
  shell_print(f.sys(), "%s", text.c_str());
  EXPECT_EQ(f.TakeOutput(), std::string(SHELL_OUT_LINE_MAX - 3, 'x') + "\r\n");
}

TEST(Out, ErrorsByName) {
  FakeSys f;
  shell_print_error(f.sys(), "ps", "system", NX_ERR_BAD_HANDLE);
  shell_print_error(f.sys(), "log", "log", -999);
  EXPECT_EQ(f.TakeOutput(),
            "ps: system service: bad-handle\r\n"
            "log: log service: unknown-error\r\n");
}

}  // namespace
